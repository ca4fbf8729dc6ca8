"""A children's safeguarding partnership's Child Safeguarding Practice Reviews: a review's page and its next step in
the API's order (the rapid review's decision, commissioning the local review, publication), the partnership's
rapid reviews past their fifteenth working day, and notifying a serious incident. Case details only with
``safeguarding:confidential``. Which reviews a board holds is the API's to say (the board's ``review_kind``)."""

from __future__ import annotations

import asyncio
from functools import partial
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.datastructures import FormData

from civic_web.layout import link
from civic_web.pages import form_at, gateway_of, in_address, page_at, render, segment, sent_to
from civic_web.pages.forms import boxes_typed, date_typed, new_record_page, record_page, send_change, send_new
from civic_web.pages.safeguarding.section import (
    API,
    board_form,
    board_of,
    get,
    opens_case,
    reads,
    review_step,
    runs_business,
)
from civic_web.sessions import SignedInOfficer
from civic_web.vocabulary import body_choices, day, words_for

router = APIRouter(include_in_schema=False)

#: a board whose reviews are practice reviews, as the API's ``review_kind`` says
PRACTICE_REVIEWS = "practice_review"

STEP_FIELDS = {
    "local_review": ("local_review", "Whether a local review is to be done"),
    "reasons": ("reasons", "Reasons"),
    "reviewer": ("reviewer", "Independent reviewer"),
    "reviewer_organisation": ("reviewer_organisation", "Reviewer's organisation"),
    "on": ("on-day", "Date"),
}


def next_step(review: dict[str, Any], steps: list[str]) -> str | None:
    """The step after where the review is, in the API's order; none once it is published or its rapid review
    decided no local review (the API's record says so: it goes no further)."""
    rapid = review.get("rapid_review") or {}
    if rapid and rapid.get("local_review") is False:
        return None
    status = str(review.get("status", ""))
    following = steps[steps.index(status) + 1 :] if status in steps else steps if status == "notified" else []
    return following[0] if following else None


async def _review_shown(request: Request, officer: SignedInOfficer, review: dict[str, Any]) -> dict[str, Any]:
    """What the review's page shows besides the review: its board, and its next step for an officer who runs the
    board's business."""
    board, document = await asyncio.gather(board_of(request, officer, str(review["board_id"])),
                                           gateway_of(request).document())
    steps = body_choices(document, f"{API}/practice-reviews/{{practice_review_id}}/transitions", "post", "to")
    return {"board": board, "next_step": next_step(review, steps) if officer.permissions.may_run_board_business else None}


_review_page = record_page("safeguarding/practice_review.html", "review",
                           lambda practice_review_id: f"{API}/practice-reviews/{segment(practice_review_id)}",
                           _review_shown)


page_at(router, "/practice-reviews/{practice_review_id}", page=_review_page, shown_to=reads)


@sent_to(router, "/practice-reviews/{practice_review_id}/steps", may=runs_business)
async def advance_review(request: Request, officer: SignedInOfficer, form: FormData, practice_review_id: str) -> Response:
    body, typed = review_step(form, decided_at="rapid_review", decided="local_review", commissioned="reviewer")
    here = f"/safeguarding/practice-reviews/{segment(practice_review_id)}"
    return await send_change(
        request,
        officer,
        f"{API}/practice-reviews/{segment(practice_review_id)}/transitions",
        body,
        form=form,
        page=partial(_review_page, request, officer, practice_review_id),
        typed=typed,
        dates=("on",),
        fields=STEP_FIELDS.get,
        done=f"The review is at its next step: {words_for(typed['to']).lower()}.",
        then=here,
    )


async def _overdue_rapid_reviews(request: Request, officer: SignedInOfficer, board_id: str) -> Response:
    """The partnership's rapid reviews undecided past their fifteenth working day (the reference only)."""
    report = (await get(request, officer, f"/boards/{segment(board_id)}/reports/overdue-rapid-reviews")).body
    rows = [
        [
            {
                "html": link(
                    f"/safeguarding/practice-reviews/{in_address(r.get('practice_review_id', ''))}", r.get("reference", "")
                )
            },
            {"text": day(r.get("notified_on"))},
            {"text": day(r.get("rapid_review_due_on"))},
        ]
        for r in report.get("rapid_reviews", [])
    ]
    return render(
        request,
        "safeguarding/overdue_rapid_reviews.html",
        {
            "report": report,
            "rows": rows,
            "board": {"id": board_id, "name": report.get("board_name")},
        },
    )


page_at(router, "/boards/{board_id}/overdue-rapid-reviews", page=_overdue_rapid_reviews, shown_to=reads)


# ---------------------------------------------------------------- notifying a serious incident
# The notification is its case details (the API requires the summary and the child), which are confidential: the
# form is offered only to an officer who may read them back.

NOTIFICATION_FIELDS = {
    "reference": ("reference", "Reference"),
    "case_summary": ("case_summary", "Case summary"),
    "incident_known_on": ("known-day", "Date the incident became known"),
    "notified_on": ("notified-day", "Date the Panel was notified"),
    "child.name": ("child_name", "The child's name"),
    "child.date_of_birth": ("born-day", "Date of birth"),
    "child.address": ("child_address", "Address"),
}


_notification_page = new_record_page("safeguarding/new_practice_review.html", board_form)


@form_at(router, "/boards/{board_id}/practice-reviews/new", page=_notification_page, may=opens_case)
async def notify_incident(request: Request, officer: SignedInOfficer, form: FormData, board_id: str) -> Response:
    typed: dict[str, str] = {}
    body: dict[str, Any] = {}
    for prefix, name in (("known", "incident_known_on"), ("notified", "notified_on")):
        on, boxes = date_typed(form, prefix)
        typed |= boxes
        if on:
            body[name] = on
    born, boxes = date_typed(form, "born")
    typed |= boxes | boxes_typed(form, ("reference", "case_summary", "child_name", "child_address"))
    child = {"name": typed["child_name"], "date_of_birth": born, "address": typed["child_address"] or None}
    body |= {
        "reference": typed["reference"],
        "case_summary": typed["case_summary"],
        "child": {key: value for key, value in child.items() if value is not None},
    }
    return await send_new(
        request,
        officer,
        f"{API}/boards/{segment(board_id)}/practice-reviews",
        body,
        form=form,
        typed=typed,
        page=partial(_notification_page, request, officer, board_id),
        dates=("known", "notified", "born"),
        fields=NOTIFICATION_FIELDS.get,
        done=lambda answer: f"{answer.body.get('reference', 'The incident')} is notified to the Panel.",
        then=lambda answer: f"/safeguarding/practice-reviews/{segment(str(answer.body['id']))}",
    )
