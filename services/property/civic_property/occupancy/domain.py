"""Occupancy readings: how many desks were in use, day by day, and what a reading must be.

Plain Python. A reading is one building on one day, kept with the desks the building had that day;
imports come as CSV or JSON and go in whole or not at all. The statistics over a period are in
``figures.py``.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from civic.errors import FieldErrors, Invalid

from civic_property.buildings.domain import VACATED

CSV_COLUMNS = ("building_id", "date", "occupied_desks")
#: a file larger than this is refused whole; one import is about a year of one building or a month
#: of the estate, far below it
MAX_IMPORT_ROWS = 50_000
#: a building whose mean utilisation over a period is below this is under-used (until configured)
DEFAULT_UNDER_USED_THRESHOLD = 0.4


@dataclass(frozen=True)
class BuildingFacts:
    """What a reading is checked against."""

    name: str
    desks: int
    status: str
    closed_on: date | None


@dataclass(frozen=True)
class Reading:
    building_id: str
    on: date
    occupied_desks: int
    desks: int  # the building's desks that day, so later refits do not rewrite history


@dataclass(frozen=True)
class Row:
    """One row of an import before it is checked; ``line`` as a person counts it in the file."""

    line: int
    building_id: Any
    date: Any
    occupied_desks: Any


def check_reading(facts: BuildingFacts, on: date, occupied_desks: Any, today: date) -> FieldErrors:
    """Every reason this reading is refused (empty when it is fine)."""
    errors = FieldErrors()
    if on > today:
        errors.add("date", f"{on.isoformat()} is in the future")
    if facts.closed_on is not None and facts.status in VACATED and on > facts.closed_on:
        errors.add("date", f"{facts.name} closed on {facts.closed_on.isoformat()}")
    if isinstance(occupied_desks, bool) or not isinstance(occupied_desks, int):
        errors.add("occupied_desks", "must be a whole number")
    elif occupied_desks < 0:
        errors.add("occupied_desks", "must not be negative")
    elif occupied_desks > facts.desks:
        errors.add("occupied_desks", f"{occupied_desks} is above the capacity of {facts.desks} desks")
    return errors


def reading(building_id: str, facts: BuildingFacts, on: date, occupied_desks: int, today: date) -> Reading:
    errors = check_reading(facts, on, occupied_desks, today)
    errors.raise_if_any(f"The occupancy reading for {facts.name} is refused.")
    return Reading(building_id, on, occupied_desks, facts.desks)


def parse_csv(text: str) -> list[Row]:
    """Rows of a CSV with a header naming building_id, date, occupied_desks (any order, extra
    columns ignored). A file without those columns is refused whole."""
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    try:
        header = next(reader)
    except StopIteration:
        raise Invalid.at("file", "no header row", "The file is empty.") from None
    names = [h.strip().lower() for h in header]
    missing = [c for c in CSV_COLUMNS if c not in names]
    if missing:
        raise Invalid(
            "The file's header must name building_id, date and occupied_desks.",
            errors=[{"field": "header", "line": 1, "message": f"missing column {c}"} for c in missing],
        )
    index = {c: names.index(c) for c in CSV_COLUMNS}
    rows: list[Row] = []
    for cells in reader:
        line = reader.line_num
        if not any(c.strip() for c in cells):
            continue  # blank lines (often the last) are not rows

        def cell(column: str, cells: list[str] = cells) -> str | None:
            i = index[column]
            return cells[i].strip() if i < len(cells) else None

        raw_count = cell("occupied_desks")
        count: Any = raw_count
        if raw_count is not None and raw_count.lstrip("-").isdigit():
            count = int(raw_count)
        rows.append(Row(line, cell("building_id"), cell("date"), count))
    return rows


def rows_from_json(items: Iterable[Mapping[str, Any]]) -> list[Row]:
    """Rows of a JSON import; ``line`` is the item's position counting from 1."""
    return [
        Row(i, item.get("building_id"), item.get("date"), item.get("occupied_desks"))
        for i, item in enumerate(items, start=1)
    ]


def check_rows(rows: list[Row], buildings: Mapping[str, BuildingFacts], today: date) -> list[Reading]:
    """All the readings, or Invalid listing every bad row with its line: a file imports whole or not
    at all. The same building and date twice in one file is a bad row too (which one is right?)."""
    errors: list[dict[str, Any]] = []  # each with the line it is on
    readings: list[Reading] = []
    first_line: dict[tuple[str, date], int] = {}
    if not rows:
        raise Invalid.at("rows", "nothing to import", "The import has no rows.")
    if len(rows) > MAX_IMPORT_ROWS:
        raise Invalid.at(
            "rows", f"at most {MAX_IMPORT_ROWS} rows",
            f"The import has {len(rows)} rows; split it into files of at most {MAX_IMPORT_ROWS}.",
        )
    for row in rows:
        problems: list[dict[str, str]] = []
        facts = buildings.get(row.building_id) if isinstance(row.building_id, str) else None
        if facts is None:
            problems.append({"field": "building_id", "message": f"no building with id {row.building_id!r}"})
        on: date | None = None
        try:
            on = date.fromisoformat(row.date) if isinstance(row.date, str) else None
        except ValueError:
            on = None
        if on is None:
            problems.append({"field": "date", "message": f"{row.date!r} is not a date (YYYY-MM-DD)"})
        if facts is not None and on is not None:
            problems += check_reading(facts, on, row.occupied_desks, today)
            key = (row.building_id, on)
            if key in first_line:
                problems.append(
                    {"field": "date", "message": f"repeats the reading on line {first_line[key]}"}
                )
            else:
                first_line[key] = row.line
        elif isinstance(row.occupied_desks, bool) or not isinstance(row.occupied_desks, int):
            problems.append({"field": "occupied_desks", "message": "must be a whole number"})
        if problems:
            errors += [{"line": row.line, **p} for p in problems]
        else:
            assert facts is not None and on is not None
            readings.append(Reading(row.building_id, on, row.occupied_desks, facts.desks))
    if errors:
        bad_lines = sorted({e["line"] for e in errors})
        raise Invalid(
            f"{len(bad_lines)} of {len(rows)} rows are bad (lines {', '.join(map(str, bad_lines))}); "
            "nothing was imported.",
            errors=errors,
            bad_lines=bad_lines,
        )
    return readings


def check_threshold(value: Any, field_name: str = "threshold") -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value <= 1:
        raise Invalid.at(field_name, "must be above 0 and at most 1", "The threshold is invalid.")
    return float(value)


def check_period(first: date, last: date) -> None:
    errors = FieldErrors()
    if last < first:
        errors.add("to", "must not be before from")
    if (last - first).days > 366 * 5:
        errors.add("to", "a period is at most five years")
    errors.raise_if_any("The period is invalid.")


def month_keys(first: date, last: date) -> list[str]:
    """The "YYYY-MM" months a period touches (the read model keeps one document per month)."""
    keys = []
    y, m = first.year, first.month
    while (y, m) <= (last.year, last.month):
        keys.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return keys
