"""What every safeguarding page shares: the API's address, who may see and run the boards' business, how a
page asks."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import Request
from starlette.datastructures import FormData

from civic_web.gateway import Answer
from civic_web.pages import allowed, ask, segment
from civic_web.pages.forms import step_typed
from civic_web.sessions import SignedInOfficer

API = "/api/safeguarding/v1"
PAGE_SIZE = 20
#: a board's records on its page: every member and meeting (a board has tens), the latest reviews
MANY = "200"


def reads(officer: SignedInOfficer) -> None:
    allowed(officer.permissions.reads("safeguarding"))


def runs_business(officer: SignedInOfficer) -> None:
    reads(officer)
    allowed(officer.permissions.may_run_board_business)


def opens_case(officer: SignedInOfficer) -> None:
    """Opening a review (a SAR referred, a serious incident notified) is its case details, which are confidential:
    only for an officer who runs the board's business and may read them back, never one who could not."""
    runs_business(officer)
    allowed(officer.permissions.sees_case_details)


async def get(request: Request, officer: SignedInOfficer, path: str, params: dict[str, str] | None = None) -> Answer:
    return await ask(request, officer, f"{API}{path}", params)


async def items(request: Request, officer: SignedInOfficer, path: str, **params: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = (await get(request, officer, path, {"limit": MANY, **params})).body.get("items", [])
    return found


def board_address(board_id: str, part: str = "") -> str:
    """Where a board's page is, at one of its parts (``#members``)."""
    return f"/safeguarding/boards/{segment(board_id)}{part}"


async def board_of(request: Request, officer: SignedInOfficer, board_id: str) -> dict[str, Any]:
    found: dict[str, Any] = (await get(request, officer, f"/boards/{segment(board_id)}")).body
    return found


async def board_with(request: Request, officer: SignedInOfficer, board_id: str,
                     listed: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The board and one of its lists (``members``, ``meetings``), asked at once."""
    board, found = await asyncio.gather(board_of(request, officer, board_id),
                                        items(request, officer, f"/boards/{segment(board_id)}/{listed}"))
    return board, found


async def board_form(request: Request, officer: SignedInOfficer, board_id: str) -> dict[str, Any]:
    """What a form for a board's business shows of it (its name, its address)."""
    return {"board": await board_of(request, officer, board_id)}


def review_step(form: FormData, *, decided_at: str, decided: str, commissioned: str,
                more: tuple[str, ...] = ()) -> tuple[dict[str, Any], dict[str, str]]:
    """A review's next step as its page's form sends it (:func:`step_typed`), with the boxes as typed (the step's
    and ``more``). A SAR and a practice review take the same first steps: at ``decided_at``, whether to review
    (``decided``, yes or no, left out when neither) and the reasons; at ``commissioned``, who reviews (the box
    ``commissioned``) and their organisation (``<commissioned>_organisation``)."""
    organisation = f"{commissioned}_organisation"
    body, typed = step_typed(form, (decided, "reasons", commissioned, organisation, *more))
    if typed["to"] == decided_at:
        if typed[decided] in ("yes", "no"):
            body[decided] = typed[decided] == "yes"
        body["reasons"] = typed["reasons"]
    elif typed["to"] == "commissioned":
        body[commissioned], body[organisation] = typed[commissioned], typed[organisation]
    return body, typed
