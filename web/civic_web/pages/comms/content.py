"""The approval queue, a new draft, and a content item's page with the steps the officer may take (approval only
with ``comms:approve``, never on one's own words) and another body's sign-off."""

from __future__ import annotations

import asyncio
import re
from datetime import datetime
from functools import partial
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from starlette.datastructures import FormData

from civic_web.pages import first, form_at, gateway_of, page_at, render, segment, sent_to
from civic_web.pages.comms.section import API, get, may_draft, reads
from civic_web.pages.forms import as_filled, boxes_typed, send_change, send_new
from civic_web.refusals import FieldOnPage, Refusal
from civic_web.sessions import SignedInOfficer, signed_in
from civic_web.vocabulary import LONDON, body_choices, move_words, parameter_choices

router = APIRouter(include_in_schema=False)

#: the approval queue, in the order an approver works through it (published content is on the forward plan)
QUEUE = ("in_review", "approved", "draft", "scheduled")
QUEUE_SIZE = "100"
STEP_FIELDS = {"reason": "Reason", "publish_at": "When to publish"}
#: bodies whose sign-off is their own decision, which comms records from its event: the API refuses anyone
#: recording it by hand (403), so it is never offered (POST /content/{id}/sign-offs)
SIGNED_BY_THEIR_OWN_DECISION = ("safeguarding_board",)
_TIME = re.compile(r"^\s*(\d{1,2})(?:[:.](\d{2}))?\s*(am|pm)?\s*$", re.IGNORECASE)


def _address(content_id: str) -> str:
    return f"/comms/content/{segment(content_id)}"


@router.get("/content")
async def queue(request: Request, officer: SignedInOfficer = Depends(signed_in)) -> Response:
    reads(officer)
    document = await gateway_of(request).document()
    statuses = [s for s in QUEUE if s in (parameter_choices(document, f"{API}/content", "get", "status") or QUEUE)]
    pages = await asyncio.gather(*(get(request, officer, "/content", {"status": s, "limit": QUEUE_SIZE})
                                   for s in statuses))
    return render(request, "comms/queue.html", {
        "queue": [(status, page.body.get("items", []), bool(page.body.get("next_cursor")))
                  for status, page in zip(statuses, pages, strict=True)],
    })


# ---------------------------------------------------------------- new content
# (declared before /content/{content_id}, which would take "new")

CONTENT_FIELDS = {"title": "Title", "body": "The words", "channels": "Channels", "social": "Social networks",
                  "audience": "Audience", "requires_approval_by": "Sign-off needed from",
                  "campaign_id": "Campaign"}


def _content_field(social_from: int) -> FieldOnPage:
    """Where an API field is on the form; a social network is a channel after the fixed ones ticked."""
    def on_page(name: str) -> tuple[str, str] | None:
        head, _, rest = name.partition(".")
        if head == "channels" and rest.isdigit() and int(rest) >= social_from:
            return "social", CONTENT_FIELDS["social"]
        label = CONTENT_FIELDS.get(head)
        return (head, label) if label else None

    return on_page


async def _new_page(request: Request, officer: SignedInOfficer, *, refusal: Refusal | None = None,
                    typed: dict[str, str] | None = None, ticked: dict[str, list[str]] | None = None,
                    attempt: str | None = None) -> Response:
    document, campaigns = await asyncio.gather(gateway_of(request).document(),
                                               get(request, officer, "/campaigns", {"limit": "100"}))
    if typed is None:  # a campaign's page drafts under it (?campaign=)
        typed = {"campaign_id": first(request.query_params.get("campaign"))}
    return render(request, "comms/new.html", {
        "choices": {name: body_choices(document, f"{API}/content", "post", name) for name in ("channels", "audience")},
        "campaigns": [(c["id"], c.get("title", "")) for c in campaigns.body.get("items", [])],
        **as_filled(typed, attempt), "ticked": ticked or {},
    }, refusal)


@form_at(router, "/content/new", page=_new_page, may=may_draft)
async def draft(request: Request, officer: SignedInOfficer, form: FormData) -> Response:
    typed = boxes_typed(form, ("title", "body", "social", "requires_approval_by", "campaign_id"))
    ticked = {name: [first(v) for v in form.getlist(name) if first(v)] for name in ("channels", "audience")}
    networks = [n.strip().lower().removeprefix("social:") for n in typed["social"].replace(";", ",").split(",")]
    body: dict[str, Any] = {name: typed[name] for name in ("title", "body", "requires_approval_by", "campaign_id")
                            if typed[name]}
    body["channels"] = ticked["channels"] + [f"social:{n}" for n in networks if n]
    body["audience"] = ticked["audience"]
    return await send_new(request, officer, f"{API}/content", body, form=form, typed=typed,
                          page=partial(_new_page, request, officer, ticked=ticked),
                          fields=_content_field(len(ticked["channels"])),
                          done=lambda answer: f"{answer.body.get('title', 'The content')} is drafted.",
                          then=lambda answer: _address(str(answer.body["id"])))


# ---------------------------------------------------------------- a content item


async def _content_page(request: Request, officer: SignedInOfficer, content_id: str, *,
                        refusal: Refusal | None = None, stepping: str | None = None,
                        typed: dict[str, str] | None = None) -> Response:
    answer = await get(request, officer, f"/content/{segment(content_id)}")
    content = answer.body
    steps = officer.permissions.content_steps(content.get("status", ""), content.get("author"), officer.sub)
    own = content.get("author") == officer.sub and content.get("status") == "in_review" \
        and officer.permissions.may("comms:approve")
    needed = content.get("requires_approval_by")
    signed = any(o.get("body") == needed for o in content.get("sign_offs", []))
    return render(request, "comms/content.html", {
        "content": content, "version": answer.version or "", "steps": steps, "own_words": own,
        "stepping": stepping, "typed": typed or {},
        "sign_off_needed": needed if needed and not signed and content.get("status") != "published" else None,
        "signed_by_decision": needed in SIGNED_BY_THEIR_OWN_DECISION,
    }, refusal)


page_at(router, "/content/{content_id}", page=_content_page, shown_to=reads)


def _publish_at(day: str, month: str, year: str, time: str) -> str | None:
    """The date and time an officer typed, in the council's time zone, as ISO 8601; None when unreadable."""
    found = _TIME.match(time or "")
    if not found:
        return None
    hour, minute, half = int(found.group(1)), int(found.group(2) or 0), (found.group(3) or "").lower()
    if half:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if half == "pm" else 0)
    try:
        moment = datetime(int(year), int(month), int(day), hour, minute, tzinfo=LONDON)
    except ValueError:
        return None
    return moment.isoformat()


def _step_field(to: str) -> FieldOnPage:
    def on_page(name: str) -> tuple[str, str] | None:
        if name == "publish_at":
            return f"{to}-publish-day", STEP_FIELDS[name]
        label = STEP_FIELDS.get(name)
        return (f"{to}-{name}", label) if label else None

    return on_page


@sent_to(router, "/content/{content_id}/steps", may=reads)
async def take_step(request: Request, officer: SignedInOfficer, form: FormData, content_id: str) -> Response:
    to = first(form.get("to"))
    typed = boxes_typed(form, ("reason", "publish-day", "publish-month", "publish-year", "publish-time"))
    body: dict[str, Any] = {"to": to}
    if typed["reason"]:
        body["reason"] = typed["reason"]
    not_read: dict[str, str] = {}
    if to == "scheduled" and any(typed[f"publish-{part}"] for part in ("day", "month", "year", "time")):
        when = _publish_at(typed["publish-day"], typed["publish-month"], typed["publish-year"], typed["publish-time"])
        if when is None:
            # on the date's day box; shown on the date input as a whole (on_date_input), as the API's would be
            not_read[f"{to}-publish-day"] = "When to publish must be a real date and a time, like 20 12 2026 and 9:30am"
        else:
            body["publish_at"] = when
    return await send_change(request, officer, f"{API}/content/{segment(content_id)}/transitions", body, form=form,
                             page=partial(_content_page, request, officer, content_id), typed=typed,
                             which={"stepping": to}, dates=(f"{to}-publish",), fields=_step_field(to),
                             not_read=not_read, done=f"{move_words(to)}: done.", then=_address(content_id))


@sent_to(router, "/content/{content_id}/sign-off", may=may_draft)
async def record_sign_off(request: Request, officer: SignedInOfficer, form: FormData, content_id: str) -> Response:
    """Record the sign-off the content needs from another body (who signed for it)."""
    typed = {"signed_by": first(form.get("signed_by"))}
    body = {"body": first(form.get("body")), **({"signed_by": typed["signed_by"]} if typed["signed_by"] else {})}
    return await send_change(request, officer, f"{API}/content/{segment(content_id)}/sign-offs", body, form=form,
                             page=partial(_content_page, request, officer, content_id), typed=typed,
                             which={"stepping": "sign-off"},
                             fields=lambda f: ("sign-off-signed_by", "Signed by") if f == "signed_by" else None,
                             done="The sign-off is recorded.", then=_address(content_id))
