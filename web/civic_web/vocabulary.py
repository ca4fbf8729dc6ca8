"""Words on the pages: the API's enumerations (read from its own description), the council's names for them,
and amounts of money as officers write them.

Which values a field takes is the API's to say: the pages read the enumerations from the gateway's OpenAPI
document, so a status or theme the service adds shows up without a change here. This module only names
them in the council's words (a value it has no words for is shown from its key) and formats pence.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

WORDS: dict[str, str] = {
    # savings themes (the efficiency plan's six)
    "redesign_reorganisation": "Redesign & Reorganisation",
    "demand_prevention": "Demand & Prevention",
    "buying_commissioning": "Buying & Commissioning",
    "charging_income": "Charging & Income",
    "technology_innovation": "Technology & Innovation",
    "process_policy": "Process & Policy",
    # budget proposal categories
    "in_year_recovery": "In-year recovery",
    # an initiative's lifecycle
    "in_delivery": "In delivery",
    # RAG
    "green": "Green",
    "amber": "Amber",
    "red": "Red",
    # property: buildings, their lifecycle, workers and energy measures
    "locality_hub": "Locality hub",
    "led": "LED lighting",
    "solar": "Solar panels",
    "part_flexible": "Part flexible",
    "field": "Field or operational",
    # safeguarding: boards, members, meetings
    "adults": "Adults",
    "children": "Children",
    "independent_chair": "Independent chair",
    "sub_group_chair": "Sub-group chair",
    "apologies": "Sent apologies",
    "deputy": "Represented by a deputy",
    "sub_group_report": "Sub-group report",
    "not_carried": "Not carried",
    "not_ratified": "Not ratified",
    "report_received": "Report received",
    # comms: content, channels, consultations
    "in_review": "In review",
    "chief_executive_blog": "Chief executive's blog",
    "email_bulletin": "Email bulletin",
    "teams": "Teams",
    "social:tiktok": "TikTok",
    "social:instagram": "Instagram",
    "social:x": "X",
    "social:facebook": "Facebook",
    "social:linkedin": "LinkedIn",
    "place_standard": "Place Standard",
    "scale_1_7": "Scale of 1 to 7",
}

#: what the button that moves a building along its lifecycle says, and a team's move, by the status it goes to
ESTATE_MOVE_WORDS: dict[str, str] = {
    "operational": "Bring back into use",
    "market_engagement": "Start market engagement",
    "closure_planned": "Plan its closure",
    "closed": "Record it as closed",
    "for_disposal": "Put it up for disposal",
    "disposed": "Record its disposal",
    "completed": "Record as completed",
    "cancelled": "Cancel the move",
}

#: what the button that makes a move says, by the status it moves to
MOVE_WORDS: dict[str, str] = {
    "approved": "Approve",
    "in_delivery": "Start delivery",
    "slipped": "Record a slip",
    "delivered": "Mark as delivered",
    "undeliverable": "Mark as undeliverable",
    "rejected": "Reject the proposal",
    # comms content
    "in_review": "Send for review",
    "scheduled": "Schedule",
    "published": "Publish now",
    "draft": "Send back to draft",
}


def words_for(key: str | None) -> str:
    """The council's name for an API value: ``in_delivery`` -> ``In delivery``."""
    if not key:
        return ""
    return WORDS.get(key) or key.replace("_", " ").capitalize()


def move_words(status: str) -> str:
    return MOVE_WORDS.get(status) or f"Move to {words_for(status).lower()}"


def _enum_in(schema: Any, document: Mapping[str, Any]) -> list[str]:
    """The first enumeration in a schema, following $refs, anyOf/oneOf/allOf and an array's items."""
    if isinstance(schema, Mapping):
        ref = schema.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/"):
            target: Any = document
            for part in ref[2:].split("/"):
                target = target.get(part, {}) if isinstance(target, Mapping) else {}
            return _enum_in(target, document)
        if isinstance(schema.get("enum"), list):
            return [str(v) for v in schema["enum"] if v is not None]
        for key in ("anyOf", "oneOf", "allOf"):
            for part in schema.get(key) or ():
                found = _enum_in(part, document)
                if found:
                    return found
        if isinstance(schema.get("items"), Mapping):  # a list of values: the values it takes
            return _enum_in(schema["items"], document)
    return []


def parameter_choices(document: Mapping[str, Any], path: str, method: str, name: str) -> list[str]:
    """The values a query parameter takes, as the API describes them ([] when it does not say)."""
    operation = document.get("paths", {}).get(path, {}).get(method.lower(), {})
    for parameter in operation.get("parameters", []):
        if parameter.get("name") == name:
            return _enum_in(parameter.get("schema"), document)
    return []


def body_choices(document: Mapping[str, Any], path: str, method: str, name: str) -> list[str]:
    """The values a field of a JSON request body takes, as the API describes them."""
    operation = document.get("paths", {}).get(path, {}).get(method.lower(), {})
    schema: Any = operation.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema", {})
    for _ in range(5):  # follow the body's own $ref to its object schema
        ref = schema.get("$ref") if isinstance(schema, Mapping) else None
        if not isinstance(ref, str):
            break
        schema = _enum_target(document, ref)
    properties = schema.get("properties", {}) if isinstance(schema, Mapping) else {}
    return _enum_in(properties.get(name), document)


def item_choices(document: Mapping[str, Any], path: str, method: str, name: str, field: str) -> list[str]:
    """The values a field of each object in a JSON request body's list takes (a consultation's ``questions``,
    their ``kind``), as the API describes them."""
    operation = document.get("paths", {}).get(path, {}).get(method.lower(), {})
    schema: Any = operation.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema", {})
    for step in ("body", name, "items"):  # the body's object, its list, the list's objects
        for _ in range(5):
            ref = schema.get("$ref") if isinstance(schema, Mapping) else None
            if not isinstance(ref, str):
                break
            schema = _enum_target(document, ref)
        if not isinstance(schema, Mapping):
            return []
        schema = schema.get("properties", {}).get(name, {}) if step == "body" else \
            schema.get("items", {}) if step == name else schema
    properties = schema.get("properties", {}) if isinstance(schema, Mapping) else {}
    return _enum_in(properties.get(field), document)


def _enum_target(document: Mapping[str, Any], ref: str) -> Any:
    target: Any = document
    for part in ref.removeprefix("#/").split("/"):
        target = target.get(part, {}) if isinstance(target, Mapping) else {}
    return target


def options(values: Iterable[str], chosen: str | None, *, blank: str | None = None) -> list[dict[str, Any]]:
    """GOV.UK select items for ``values`` (with an empty first item when ``blank`` names it)."""
    items: list[dict[str, Any]] = [{"value": "", "text": blank, "selected": not chosen}] if blank is not None else []
    items += [{"value": v, "text": words_for(v), "selected": v == chosen} for v in values]
    return items


# ---------------------------------------------------------------- money


def pounds(pence: Any) -> str:
    """Pence as officers write pounds: ``123456789`` -> ``£1,234,567.89``; whole pounds without pence."""
    if pence is None or pence == "":
        return ""
    amount = Decimal(int(pence)) / 100
    sign = "-" if amount < 0 else ""
    amount = abs(amount)
    text = f"{amount:,.2f}"
    return f"{sign}£{text[:-3] if text.endswith('.00') else text}"


_AMOUNT = re.compile(r"^£?\s*([0-9][0-9,]*)(\.[0-9]{1,2})?$")


def pence_of(text: str) -> int | None:
    """What an officer typed as pounds (``£12,500``, ``12500.50``) in pence; None when it is not an amount."""
    cleaned = text.strip().replace(" ", "")
    match = _AMOUNT.match(cleaned)
    if not match:
        return None
    whole = match.group(1)
    if "," in whole and not re.fullmatch(r"[0-9]{1,3}(,[0-9]{3})*", whole):
        return None  # commas only between thousands
    try:
        amount = Decimal(whole.replace(",", "") + (match.group(2) or ""))
    except InvalidOperation:
        return None
    return int(amount * 100)


def share(value: Any) -> str:
    """A share as officers write it (of desks, say): ``0.6438`` -> ``64%``."""
    if value is None or value == "":
        return ""
    return f"{float(value) * 100:.0f}%"


# ---------------------------------------------------------------- dates and history

LONDON = ZoneInfo("Europe/London")


def day(value: Any) -> str:
    """An ISO date as officers write it: ``2024-02-01`` -> ``1 February 2024``."""
    if not value:
        return ""
    try:
        parsed = date.fromisoformat(str(value)[:10])
    except ValueError:
        return str(value)
    return f"{parsed.day} {parsed:%B %Y}"


def moment(value: Any) -> str:
    """An ISO moment in the council's time: ``2026-12-01T20:30:00Z`` -> ``1 December 2026, 8:30pm``."""
    if not value:
        return ""
    try:
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return str(value)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    local = parsed.astimezone(LONDON)
    hour = local.hour % 12 or 12
    return f"{local.day} {local:%B %Y}, {hour}:{local:%M}{'am' if local.hour < 12 else 'pm'}"


_SHOWN_AS_MONEY = ("_pence",)


def happening(entry: Mapping[str, Any]) -> str:
    """A line of an initiative's history, from the entry the API keeps (``kind``, ``from``, ``to``, details)."""
    kind = str(entry.get("kind", ""))
    to = entry.get("to")
    if kind == "status" and to:
        text = f"Moved from {words_for(entry['from']).lower()} to {words_for(to).lower()}" if entry.get("from") \
            else f"{words_for(to)}"
    else:
        text = words_for(kind)
    details = []
    for key, value in entry.items():
        if key in ("at", "by", "kind", "from", "to") or value in (None, ""):
            continue
        shown = pounds(value) if key.endswith(_SHOWN_AS_MONEY) and isinstance(value, int) else words_for(str(value)) \
            if key in ("rag",) else str(value)
        details.append(f"{words_for(key.removesuffix('_pence')).lower()}: {shown}")
    return text + (f" ({'; '.join(details)})" if details else "")
