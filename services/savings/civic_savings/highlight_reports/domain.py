"""A programme's monthly highlight report in the council's terms: what its programme board reads (seed 004:
"regular highlight reports … setting out progress on key actions and deliverables"; seed 003: each programme's
RAG status with its "direction of travel").

- The programme's **RAG** is its reddest delivering initiative's (approved, in delivery or slipped): a board
  hears of the one red saving, not an average that hides it. A programme with no rated delivering initiative
  has none (null).
- The **direction of travel** compares it with last month's: the previous month's *issued* report when there is
  one (what the board saw), else the programme's RAG at the end of that month, from its initiatives' history.
- **Savings at risk** are the planned savings of its amber and red delivering initiatives.
- The **top risks and issues** are its five open ones of each kind with the highest score (likelihood x impact),
  the earlier recorded first on a tie.
- A report is **issued** once per programme and month (a month not yet begun cannot be), and kept as it was
  generated then: later changes to initiatives, milestones or the RAID log do not rewrite what the board saw.

Plain Python: no web framework, no database, no event schemas.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Any

from civic.calendar import in_utc, start_of_day
from civic.errors import Invalid, Refused

from civic_savings.figures import month as checked_month

#: the RAG statuses from best to worst
RAG_ORDER = ("green", "amber", "red")
#: the initiatives whose RAG makes the programme's: those delivering a saving (a proposal is not yet in the
#: plan; a delivered, undeliverable or rejected one is over)
DELIVERING = frozenset({"approved", "in_delivery", "slipped"})
AT_RISK = ("amber", "red")
DIRECTIONS = ("improving", "unchanged", "worsening")
#: how many open risks, and open issues, the report lists
TOP = 5


# ---------------------------------------------------------------- months


def month_parts(month: str) -> tuple[int, int]:
    """A month the register accepts (2000-01 to 2099-12; else 422), as (year, month)."""
    checked_month(month)
    return _parts(month)


def _parts(month: str) -> tuple[int, int]:
    # unchecked: the month before 2000-01 and the one after 2099-12 are still months to compare with
    return int(month[:4]), int(month[5:])


def month_after(month: str) -> str:
    year, number = _parts(month)
    return f"{year + number // 12:04d}-{number % 12 + 1:02d}"


def month_before(month: str) -> str:
    year, number = _parts(month)
    return f"{year - (number == 1):04d}-{(number - 2) % 12 + 1:02d}"


def month_of(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def first_day(month: str) -> date:
    year, number = _parts(month)
    return date(year, number, 1)


def month_end(month: str) -> datetime:
    """The moment the month ends in England (midnight starting the next month, London time), in UTC."""
    return start_of_day(first_day(month_after(month)))


def check_issuable(month: str, today: date) -> None:
    """A month not yet begun has nothing to report: refused (422), before anything is read."""
    if month > month_of(today):
        raise Invalid.at(
            "month", "is in the future",
            f"{month} has not begun: a highlight report is issued for this month ({month_of(today)}) or an "
            "earlier one.",
        )


def check_not_issued(month: str, issued: Mapping[str, Any] | None) -> None:
    if issued is not None:
        raise Refused(
            f"The highlight report for {month} was issued on {str(issued.get('issued_at'))[:10]}; an issued report "
            "stays as the board saw it. Raise what changed in next month's.",
            issued_at=issued.get("issued_at"),
        )


# ---------------------------------------------------------------- RAG and its direction


def programme_rag(initiatives: Iterable[tuple[str | None, str | None]]) -> str | None:
    """The reddest RAG of the delivering initiatives, given as (status, rag); None when none is rated."""
    rated = [rag for status, rag in initiatives if status in DELIVERING and rag in RAG_ORDER]
    return max(rated, key=RAG_ORDER.index) if rated else None


def direction(now: str | None, before: str | None) -> str | None:
    """``improving``, ``unchanged`` or ``worsening`` from ``before`` to ``now``; None when either is unknown."""
    if now not in RAG_ORDER or before not in RAG_ORDER:
        return None
    change = RAG_ORDER.index(now) - RAG_ORDER.index(before)
    return "worsening" if change > 0 else "improving" if change < 0 else "unchanged"


def state_at(history: Sequence[Mapping[str, Any]], status: str, rag: str | None,
             moment: datetime) -> tuple[str | None, str | None]:  # fmt: skip
    """An initiative's (status, RAG) as it was at ``moment``, from its state now and its history (oldest first):
    the first change after the moment says what it changed from. A status of None: it did not exist yet."""
    status_then: str | None = status
    rag_then = rag
    status_found = rag_found = False
    for entry in history:
        if in_utc(entry["at"]) < moment:
            continue
        if entry.get("kind") == "status" and not status_found:
            status_then, status_found = entry.get("from"), True
        elif entry.get("kind") == "rag" and not rag_found:
            rag_then, rag_found = entry.get("from"), True
    return status_then, rag_then


# ---------------------------------------------------------------- savings, risks


def savings(initiatives: Iterable[Mapping[str, Any]], start: datetime, end: datetime) -> dict[str, Any]:
    """Planned and delivered, what was delivered in the month (actuals recorded in [start, end)) and what is at
    risk: the planned savings of the amber and red delivering initiatives, each listed."""
    planned = delivered = in_month = 0
    at_risk = dict.fromkeys(AT_RISK, 0)
    listed = []
    for i in initiatives:
        if i.get("status") == "rejected":
            continue  # never part of the plan
        planned += int(i.get("planned_pence") or 0)
        delivered += int(i.get("delivered_pence") or 0)
        for entry in i.get("history", ()):
            if entry.get("kind") == "actual" and start <= in_utc(entry["at"]) < end:
                in_month += int(entry.get("delivered_pence") or 0) - int(entry.get("previous_pence") or 0)
        if i.get("status") in DELIVERING and i.get("rag") in AT_RISK:
            at_risk[i["rag"]] += int(i.get("planned_pence") or 0)
            listed.append({"initiative_id": i["_id"], "title": i.get("title"), "status": i.get("status"),
                           "rag": i["rag"], "rag_reason": i.get("rag_reason"),
                           "planned_pence": int(i.get("planned_pence") or 0),
                           "delivered_pence": int(i.get("delivered_pence") or 0)})  # fmt: skip
    listed.sort(key=lambda line: (-RAG_ORDER.index(line["rag"]), -line["planned_pence"], line["initiative_id"]))
    return {
        "planned_pence": planned, "delivered_pence": delivered, "delivered_in_month_pence": in_month,
        "at_risk_pence": sum(at_risk.values()), "at_risk_amber_pence": at_risk["amber"],
        "at_risk_red_pence": at_risk["red"], "initiatives_at_risk": listed,
    }  # fmt: skip


def ranked(items: Iterable[Mapping[str, Any]], kind: str, top: int = TOP) -> list[Mapping[str, Any]]:
    """The ``top`` open items of ``kind`` by score, highest first; on a tie the earlier recorded (ids grow with
    time)."""
    chosen = [i for i in items if i.get("kind") == kind and i.get("status") == "open"]
    return sorted(chosen, key=lambda i: (-int(i["score"]), str(i["_id"])))[:top]


def now_text(moment: datetime) -> str:
    """A moment as a report keeps it: ISO text in UTC, so the stored report reads back as it was generated."""
    return moment.astimezone(UTC).isoformat()
