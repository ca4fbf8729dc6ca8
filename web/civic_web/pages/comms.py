"""Comms: the approval queue and a content item's page with the steps the officer may take (draft -> review ->
approve -> schedule), the forward plan as a calendar of weeks, consultations with their live results and their
responses to download, and the weekly councillor briefing as a page to print.

Everything goes through the gateway's ``/api/comms/v1/...`` as the officer. Whether a step is allowed (a sign-off
missing, one's own words, a time in the past) is the API's to say; a refusal comes back as the GOV.UK error
summary with what the officer typed kept. Approval is offered only with ``comms:approve``, never on the
officer's own content.
"""

from __future__ import annotations

import asyncio
import csv
import io
import re
import uuid
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from civic_web.gateway import Answer, Refused
from civic_web.pages import first, gateway_of, layout_of, request_id
from civic_web.pages.savings import NoAccess
from civic_web.refusals import Refusal, refusal_from
from civic_web.sessions import SignedInOfficer, posted_form, signed_in, tell
from civic_web.spreadsheets import XLSX, Sheet, workbook_of
from civic_web.vocabulary import LONDON, body_choices, move_words, parameter_choices

router = APIRouter(prefix="/comms", include_in_schema=False)

API = "/api/comms/v1"
#: the approval queue, in the order an approver works through it (published content is on the forward plan)
QUEUE = ("in_review", "approved", "draft", "scheduled")
QUEUE_SIZE = "100"
#: weeks the forward plan shows at a time
PLAN_WEEKS = 4
STEP_FIELDS = {"reason": "Reason", "publish_at": "When to publish"}
#: bodies whose sign-off is their own decision, which comms records from its event: the API refuses anyone
#: recording it by hand (403), so it is never offered (POST /content/{id}/sign-offs)
SIGNED_BY_THEIR_OWN_DECISION = ("safeguarding_board",)
_TIME = re.compile(r"^\s*(\d{1,2})(?:[:.](\d{2}))?\s*(am|pm)?\s*$", re.IGNORECASE)


def _reads(officer: SignedInOfficer) -> None:
    if not officer.permissions.reads("comms"):
        raise NoAccess()


def _id(value: str) -> str:
    return quote(value, safe="")


async def _get(request: Request, officer: SignedInOfficer, path: str, params: dict[str, str] | None = None) -> Answer:
    return await gateway_of(request).get(officer.token, f"{API}{path}", params, request_id(request))


def _today() -> date:
    return datetime.now(LONDON).date()


# ---------------------------------------------------------------- the approval queue


@router.get("/content")
async def queue(request: Request, officer: SignedInOfficer = Depends(signed_in)) -> Response:
    _reads(officer)
    document = await gateway_of(request).document()
    statuses = [s for s in QUEUE if s in (parameter_choices(document, f"{API}/content", "get", "status") or QUEUE)]
    pages = await asyncio.gather(*(_get(request, officer, "/content", {"status": s, "limit": QUEUE_SIZE})
                                   for s in statuses))
    return layout_of(request).render(request, "comms/queue.html", {
        "queue": [(status, page.body.get("items", []), bool(page.body.get("next_cursor")))
                  for status, page in zip(statuses, pages, strict=True)],
    })


# ---------------------------------------------------------------- new content
# (declared before /content/{content_id}, which would take "new")

CONTENT_FIELDS = {"title": "Title", "body": "The words", "channels": "Channels", "social": "Social networks",
                  "audience": "Audience", "requires_approval_by": "Sign-off needed from"}


async def _content_choices(request: Request) -> dict[str, list[str]]:
    document = await gateway_of(request).document()
    return {name: body_choices(document, f"{API}/content", "post", name) for name in ("channels", "audience")}


def _content_field(social_from: int) -> Any:
    """Where an API field is on the form; a social network is a channel after the fixed ones ticked."""
    def on_page(name: str) -> tuple[str, str] | None:
        head, _, rest = name.partition(".")
        if head == "channels" and rest.isdigit() and int(rest) >= social_from:
            return "social", CONTENT_FIELDS["social"]
        label = CONTENT_FIELDS.get(head)
        return (head, label) if label else None

    return on_page


def _may_draft(officer: SignedInOfficer) -> None:
    _reads(officer)
    if not officer.permissions.may("comms:write"):
        raise NoAccess()


@router.get("/content/new")
async def new_content(request: Request, officer: SignedInOfficer = Depends(signed_in)) -> Response:
    _may_draft(officer)
    return layout_of(request).render(request, "comms/new.html", {
        "choices": await _content_choices(request), "typed": {}, "ticked": {}, "refusal": None,
        "attempt": uuid.uuid4().hex})


@router.post("/content/new")
async def draft(request: Request, officer: SignedInOfficer = Depends(signed_in)) -> Response:
    form = await posted_form(request)
    _may_draft(officer)
    typed = {name: first(form.get(name)) for name in ("title", "body", "social", "requires_approval_by")}
    ticked = {name: [first(v) for v in form.getlist(name) if first(v)] for name in ("channels", "audience")}
    networks = [n.strip().lower().removeprefix("social:") for n in typed["social"].replace(";", ",").split(",")]
    body: dict[str, Any] = {name: typed[name] for name in ("title", "body", "requires_approval_by") if typed[name]}
    body["channels"] = ticked["channels"] + [f"social:{n}" for n in networks if n]
    body["audience"] = ticked["audience"]
    attempt = first(form.get("attempt")) or uuid.uuid4().hex
    try:
        answer = await gateway_of(request).post(officer.token, f"{API}/content", body,
                                                headers={"Idempotency-Key": attempt}, request_id=request_id(request))
    except Refused as refused:
        refusal = refusal_from(refused.problem, _content_field(len(ticked["channels"])), refused.status)
        return layout_of(request).render(request, "comms/new.html", {
            "choices": await _content_choices(request), "typed": typed, "ticked": ticked, "refusal": refusal,
            "attempt": attempt}, status=refusal.status)
    tell(request, f"{answer.body.get('title', 'The content')} is drafted.")
    return RedirectResponse(f"/comms/content/{_id(str(answer.body['id']))}", status_code=303)


async def _content_page(request: Request, officer: SignedInOfficer, content_id: str, *,
                        refusal: Refusal | None = None, stepping: str | None = None,
                        typed: dict[str, str] | None = None) -> Response:
    answer = await _get(request, officer, f"/content/{_id(content_id)}")
    content = answer.body
    steps = officer.permissions.content_steps(content.get("status", ""), content.get("author"), officer.sub)
    own = content.get("author") == officer.sub and content.get("status") == "in_review" \
        and officer.permissions.may("comms:approve")
    needed = content.get("requires_approval_by")
    signed = any(o.get("body") == needed for o in content.get("sign_offs", []))
    return layout_of(request).render(request, "comms/content.html", {
        "content": content, "version": answer.version or "", "steps": steps, "own_words": own,
        "refusal": refusal, "stepping": stepping, "typed": typed or {},
        "sign_off_needed": needed if needed and not signed and content.get("status") != "published" else None,
        "signed_by_decision": needed in SIGNED_BY_THEIR_OWN_DECISION,
    }, status=refusal.status if refusal else 200)


@router.get("/content/{content_id}")
async def content_item(content_id: str, request: Request, officer: SignedInOfficer = Depends(signed_in)) -> Response:
    _reads(officer)
    return await _content_page(request, officer, content_id)


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


@router.post("/content/{content_id}/steps")
async def take_step(content_id: str, request: Request, officer: SignedInOfficer = Depends(signed_in)) -> Response:
    form = await posted_form(request)
    _reads(officer)
    to = first(form.get("to"))
    typed = {name: first(form.get(name)) for name in ("reason", "publish-day", "publish-month", "publish-year",
                                                      "publish-time")}
    body: dict[str, Any] = {"to": to}
    if typed["reason"]:
        body["reason"] = typed["reason"]
    refusal: Refusal | None = None
    if to == "scheduled" and any(typed[f"publish-{part}"] for part in ("day", "month", "year", "time")):
        when = _publish_at(typed["publish-day"], typed["publish-month"], typed["publish-year"], typed["publish-time"])
        if when is None:
            text = "When to publish must be a real date and a time, like 20 12 2026 and 9:30am"
            refusal = Refusal(400, [{"text": text, "href": f"#{to}-publish-day"}], {f"{to}-publish": text})
        else:
            body["publish_at"] = when
    if refusal is None:
        version = first(form.get("version"))
        headers = {"If-Match": f'"{version}"'} if version else {}
        try:
            await gateway_of(request).post(officer.token, f"{API}/content/{_id(content_id)}/transitions", body,
                                           headers=headers, request_id=request_id(request))
        except Refused as refused:
            def on_page(name: str) -> tuple[str, str] | None:
                if name == "publish_at":
                    return f"{to}-publish-day", STEP_FIELDS[name]
                label = STEP_FIELDS.get(name)
                return (f"{to}-{name}", label) if label else None

            refusal = refusal_from(refused.problem, on_page, refused.status)
            if f"{to}-publish-day" in refusal.fields:
                refusal.fields[f"{to}-publish"] = refusal.fields.pop(f"{to}-publish-day")
        else:
            tell(request, f"{move_words(to)}: done.")
            return RedirectResponse(f"/comms/content/{_id(content_id)}", status_code=303)
    return await _content_page(request, officer, content_id, refusal=refusal, stepping=to, typed=typed)


@router.post("/content/{content_id}/sign-off")
async def record_sign_off(content_id: str, request: Request, officer: SignedInOfficer = Depends(signed_in)) -> Response:
    """Record the sign-off the content needs from another body (who signed for it)."""
    form = await posted_form(request)
    _may_draft(officer)
    typed = {"signed_by": first(form.get("signed_by"))}
    body = {"body": first(form.get("body")), **({"signed_by": typed["signed_by"]} if typed["signed_by"] else {})}
    version = first(form.get("version"))
    headers = {"If-Match": f'"{version}"'} if version else {}
    try:
        await gateway_of(request).post(officer.token, f"{API}/content/{_id(content_id)}/sign-offs", body,
                                       headers=headers, request_id=request_id(request))
    except Refused as refused:
        refusal = refusal_from(refused.problem, lambda f: ("sign-off-signed_by", "Signed by") if f == "signed_by"
                               else None, refused.status)
        return await _content_page(request, officer, content_id, refusal=refusal, stepping="sign-off", typed=typed)
    tell(request, "The sign-off is recorded.")
    return RedirectResponse(f"/comms/content/{_id(content_id)}", status_code=303)


# ---------------------------------------------------------------- the forward plan


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


@router.get("/forward-plan")
async def forward_plan(request: Request, officer: SignedInOfficer = Depends(signed_in)) -> Response:
    _reads(officer)
    try:
        start = _monday(date.fromisoformat(first(request.query_params.get("from")) or _today().isoformat()))
    except ValueError:
        start = _monday(_today())
    end = start + timedelta(weeks=PLAN_WEEKS) - timedelta(days=1)
    plan = (await _get(request, officer, "/forward-plan", {"from": start.isoformat(), "to": end.isoformat()})).body
    by_day = {d["date"]: d.get("items", []) for d in plan.get("days", [])}
    weeks = []
    for week in range(PLAN_WEEKS):
        monday = start + timedelta(weeks=week)
        days = [monday + timedelta(days=n) for n in range(7)]
        weeks.append((monday, [(d, by_day.get(d.isoformat(), [])) for d in days]))
    return layout_of(request).render(request, "comms/forward_plan.html", {
        "weeks": weeks, "start": start, "end": end, "today": _today(), "entries": plan.get("entries", 0),
        "earlier": (start - timedelta(weeks=PLAN_WEEKS)).isoformat(), "later": (end + timedelta(days=1)).isoformat(),
    })


# ---------------------------------------------------------------- consultations


@router.get("/consultations")
async def consultations(request: Request, officer: SignedInOfficer = Depends(signed_in)) -> Response:
    _reads(officer)
    page = (await _get(request, officer, "/consultations", {"limit": "100"})).body
    return layout_of(request).render(request, "comms/consultations.html", {"items": page.get("items", [])})


async def _consultation_page(request: Request, officer: SignedInOfficer, consultation_id: str, *,
                             refusal: Refusal | None = None) -> Response:
    here = f"/consultations/{_id(consultation_id)}"
    found, results = await asyncio.gather(_get(request, officer, here), _get(request, officer, f"{here}/results"))
    return layout_of(request).render(request, "comms/consultation.html", {
        "consultation": found.body, "version": found.version or "", "results": results.body, "refusal": refusal,
    }, status=refusal.status if refusal else 200)


@router.get("/consultations/{consultation_id}")
async def consultation(consultation_id: str, request: Request, officer: SignedInOfficer = Depends(signed_in)) -> Response:
    _reads(officer)
    return await _consultation_page(request, officer, consultation_id)


@router.post("/consultations/{consultation_id}/close")
async def close_consultation(consultation_id: str, request: Request,
                             officer: SignedInOfficer = Depends(signed_in)) -> Response:
    """Close an open consultation now (it otherwise closes by itself when its time comes)."""
    form = await posted_form(request)
    _may_draft(officer)
    version = first(form.get("version"))
    try:
        await gateway_of(request).post(officer.token, f"{API}/consultations/{_id(consultation_id)}/close", None,
                                       headers={"If-Match": f'"{version}"'} if version else {},
                                       request_id=request_id(request))
    except Refused as refused:
        return await _consultation_page(request, officer, consultation_id,
                                        refusal=refusal_from(refused.problem, lambda _: None, refused.status))
    tell(request, "The consultation is closed: it takes no more responses.")
    return RedirectResponse(f"/comms/consultations/{_id(consultation_id)}", status_code=303)


@router.get("/consultations/{consultation_id}/responses.csv")
async def responses_csv(consultation_id: str, request: Request, officer: SignedInOfficer = Depends(signed_in)) -> Response:
    """Every response, as the API writes it (CSV)."""
    _reads(officer)
    got = await gateway_of(request).download(officer.token, f"{API}/consultations/{_id(consultation_id)}/responses.csv",
                                             request_id(request))
    return Response(got.content, media_type=got.media_type, headers={
        "Content-Disposition": f'attachment; filename="consultation-{consultation_id[:64]}-responses.csv"'})


@router.get("/consultations/{consultation_id}/responses.xlsx")
async def responses_xlsx(consultation_id: str, request: Request, officer: SignedInOfficer = Depends(signed_in)) -> Response:
    """Every response as a workbook: the API's CSV, laid out as a worksheet (one row a response)."""
    _reads(officer)
    here = f"{API}/consultations/{_id(consultation_id)}"
    found, got = await asyncio.gather(
        gateway_of(request).get(officer.token, here, request_id=request_id(request)),
        gateway_of(request).download(officer.token, f"{here}/responses.csv", request_id(request)))
    rows = list(csv.reader(io.StringIO(got.content.decode("utf-8-sig"))))
    head, rows = (rows[0], rows[1:]) if rows else ([], [])
    title = str(found.body.get("title", "Consultation"))
    sheet = Sheet("Responses", [title, f"{len(rows)} responses, as recorded on the platform"], head, rows,
                  number_format=None)
    return Response(workbook_of([sheet]), media_type=XLSX, headers={
        "Content-Disposition": f'attachment; filename="consultation-{consultation_id[:64]}-responses.xlsx"'})


# ---------------------------------------------------------------- the councillor briefing


def _iso_week(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


@router.get("/briefing")
async def briefing(request: Request, officer: SignedInOfficer = Depends(signed_in)) -> Response:
    _reads(officer)
    week = first(request.query_params.get("week"))
    try:
        monday = date.fromisocalendar(int(week[:4]), int(week[6:]), 1) if re.fullmatch(r"\d{4}-W\d{2}", week) \
            else _monday(_today())
    except ValueError:
        monday = _monday(_today())
    found = (await _get(request, officer, f"/briefings/{_iso_week(monday)}")).body
    return layout_of(request).render(request, "comms/briefing.html", {
        "briefing": found, "week": _iso_week(monday), "monday": monday,
        "earlier": _iso_week(monday - timedelta(weeks=1)), "later": _iso_week(monday + timedelta(weeks=1)),
    })
