"""Utilisation over a period: occupied desks over the desks the building had, day by day.

Plain arithmetic. The statistics over a period:

- ``mean``: the mean of the daily ratios;
- ``peak``: the highest daily ratio;
- ``p90``: the 90th percentile by the nearest-rank method (the smallest ratio at or above which
  no more than 10% of the days lie), so it is always one of the observed days;
- ``under_used``: the mean is below the threshold.

Days when a building had no desks tell nothing about utilisation and are left out.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class Utilisation:
    days: int
    mean: float | None
    peak: float | None
    p90: float | None
    mean_occupied_desks: float | None
    peak_occupied_desks: int | None
    threshold: float
    under_used: bool

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def nearest_rank(sorted_values: list[float], percentile: float) -> float:
    rank = max(1, math.ceil(percentile / 100 * len(sorted_values)))
    return sorted_values[rank - 1]


def utilisation(days: Iterable[tuple[int, int]], threshold: float) -> Utilisation:
    """Statistics over ``(occupied_desks, desks)`` per day. Ratios are rounded to 4 places for
    display only; under_used compares the exact mean."""
    counted = [(occupied, desks) for occupied, desks in days if desks > 0]
    if not counted:
        return Utilisation(0, None, None, None, None, None, threshold, False)
    ratios = sorted(occupied / desks for occupied, desks in counted)
    mean = sum(ratios) / len(ratios)
    return Utilisation(
        days=len(ratios),
        mean=round(mean, 4),
        peak=round(ratios[-1], 4),
        p90=round(nearest_rank(ratios, 90), 4),
        mean_occupied_desks=round(sum(o for o, _ in counted) / len(counted), 2),
        peak_occupied_desks=max(o for o, _ in counted),
        threshold=threshold,
        under_used=mean < threshold,
    )
