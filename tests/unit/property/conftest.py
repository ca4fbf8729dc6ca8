"""What the property unit tests build their estate from."""

from __future__ import annotations

from typing import Any

from civic_property.buildings.domain import Building


def office(
    id: str,
    name: str,
    desks: int = 100,
    cost: int = 0,
    carbon: int = 0,
    status: str = "operational",
    *,
    tenure: str = "freehold",
    **extra: Any,
) -> Building:
    """A Northampton office registered as the domain registers one, then put in ``status``."""
    b = Building.register(
        id,
        name=name,
        town="Northampton",
        kind="office",
        desks=desks,
        tenure=tenure,
        annual_running_cost_pence=cost,
        annual_carbon_kg=carbon,
        **extra,
    )
    b.status = status
    return b
