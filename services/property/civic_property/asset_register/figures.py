"""The land and building assets register of the Local Government Transparency Code 2015, from the buildings.

Plain Python on purpose. The layout is the Code's: for each asset, together in one place, the Unique Property
Reference Number, the council's unique asset identity, the name of the building or land, street number, street
name, post town, postcode, the map reference (Ordnance Survey easting before northing), whether the council holds
the freehold or a lease, and every tenure category that applies (for freehold: occupied by the local authority,
ground leasehold, leasehold, licence, vacant; for leasehold: occupied by the local authority, ground leasehold,
sub leasehold, licence), preceded by the organisation publishing it. One row per building the council still
holds (a disposed building has left the estate), by name then town; a cell the register lacks is left empty and
the building listed in ``incomplete`` so the estates team can complete it.

Tenure category: "Occupied by the local authority" while the building is in use, "Vacant" once vacated (closed
or for disposal), then what the council has granted others there (``interests_granted``): "Ground leasehold",
"Leasehold" ("Sub leasehold" when the council itself holds the building on a lease), "Licence"; joined by "; ".
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Any

from civic_property.buildings.domain import DISPOSED, IN_USE, LEASEHOLD, Building

#: (key in the JSON form, heading in the published CSV and workbook), in the Code's order
COLUMNS: tuple[tuple[str, str], ...] = (
    ("organisation", "Organisation"),
    ("uprn", "Unique Property Reference Number (UPRN)"),
    ("asset_ref", "Unique asset identity"),
    ("name", "Name of building/land"),
    ("street_number", "Street number"),
    ("street_name", "Street name"),
    ("post_town", "Post town"),
    ("postcode", "Postcode"),
    ("easting", "Map reference: easting"),
    ("northing", "Map reference: northing"),
    ("tenure", "Tenure type"),
    ("tenure_category", "Tenure category"),
)
#: the cells every asset of the register should have (the Code's mandatory fields)
REQUIRED = ("uprn", "asset_ref", "street_name", "postcode", "easting", "northing")
LAYOUT = (
    "Local Government Transparency Code 2015, land and building assets: organisation, UPRN, unique asset "
    "identity, name, street number, street name, post town, postcode, map reference (Ordnance Survey easting "
    "and northing, metres), tenure type (freehold or leasehold) and every tenure category that applies; one row "
    "per building the council holds."
)
TENURE_TYPES = {"freehold": "Freehold", "leasehold": "Leasehold", "other": "Other"}
GRANTED = {"ground_lease": "Ground leasehold", "lease": "Leasehold", "licence": "Licence"}


def tenure_category(b: Building) -> str:
    categories = ["Occupied by the local authority" if b.status in IN_USE else "Vacant"]
    for interest in b.interests_granted:
        if interest == "lease" and b.tenure == LEASEHOLD:
            categories.append("Sub leasehold")  # a lease granted out of a lease the council holds
        else:
            categories.append(GRANTED[interest])
    return "; ".join(categories)


def asset_row(b: Building, organisation: str) -> dict[str, Any]:
    return {
        "building_id": b.id,
        "organisation": organisation,
        "uprn": b.uprn,
        "asset_ref": b.asset_ref,
        "name": b.name,
        "street_number": b.street_number,
        "street_name": b.street_name,
        "post_town": b.town,
        "postcode": b.postcode,
        "easting": b.map_reference.easting if b.map_reference else None,
        "northing": b.map_reference.northing if b.map_reference else None,
        "tenure": TENURE_TYPES[b.tenure],
        "tenure_category": tenure_category(b),
    }


def register(buildings: Iterable[Building], organisation: str) -> dict[str, Any]:
    held = sorted((b for b in buildings if b.status != DISPOSED), key=lambda b: (b.name, b.town))
    assets = [asset_row(b, organisation) for b in held]
    return {
        "organisation": organisation,
        "layout": LAYOUT,
        "columns": [{"key": key, "heading": heading} for key, heading in COLUMNS],
        "assets": assets,
        "incomplete": [
            {"building_id": a["building_id"], "name": a["name"], "missing": [k for k in REQUIRED if a[k] is None]}
            for a in assets
            if any(a[k] is None for k in REQUIRED)
        ],
    }


def cells(asset: dict[str, Any]) -> list[Any]:
    """An asset's cells in the published order (empty where the register lacks the value)."""
    return [asset[key] for key, _ in COLUMNS]


def as_csv(report: dict[str, Any]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([heading for _, heading in COLUMNS])
    for asset in report["assets"]:
        writer.writerow(["" if value is None else value for value in cells(asset)])
    return out.getvalue()
