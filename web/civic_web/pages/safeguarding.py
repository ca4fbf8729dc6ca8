"""Safeguarding: the boards, a board's members, MoUs, deputies, meetings and reviews, a meeting's page (agenda,
attendance, the quorum as the API states it, declarations, decisions, minutes), its agenda pack and approved
minutes to print, each board's meetings as a calendar file, and the board business manager's forms: the
attendance register, a declaration of interest, a decision.

Everything goes through the gateway's ``/api/safeguarding/v1/...`` as the officer. Whether a meeting is quorate,
who may vote and what a decision's outcome is are the API's to say; a refusal comes back as the GOV.UK error
summary with what the officer chose kept. A review's case details are never asked for apart: the API leaves
them out for an officer without ``safeguarding:confidential``, and the page shows them only with that scope.
"""

from __future__ import annotations

import asyncio
import logging
import re
import threading
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from civic_web.gateway import Answer, Refused
from civic_web.layout import STATIC, govuk_frontend_folder
from civic_web.pages import first, gateway_of, layout_of, request_id
from civic_web.pages.savings import NoAccess
from civic_web.refusals import Refusal, refusal_from
from civic_web.sessions import SignedInOfficer, posted_form, signed_in, tell
from civic_web.vocabulary import body_choices, pence_of, words_for

router = APIRouter(prefix="/safeguarding", include_in_schema=False)
log = logging.getLogger("civic.web")

API = "/api/safeguarding/v1"
PAGE_SIZE = 20
#: a board's records on its page: every member and meeting (a board has tens), the latest reviews
MANY = "200"
#: agenda items a meeting decides (an information item or the declarations are not put to the members)
DECIDED_KINDS = ("decision", "ratification")
#: a member's vote (the API's Ballot.vote)
BALLOTS = ("for", "against", "abstain")


def _reads(officer: SignedInOfficer) -> None:
    if not officer.permissions.reads("safeguarding"):
        raise NoAccess()


def _runs_business(officer: SignedInOfficer) -> None:
    _reads(officer)
    if not officer.permissions.may_run_board_business:
        raise NoAccess()


def _id(value: str) -> str:
    return quote(value, safe="")


async def _get(request: Request, officer: SignedInOfficer, path: str, params: dict[str, str] | None = None) -> Answer:
    return await gateway_of(request).get(officer.token, f"{API}{path}", params, request_id(request))


async def _items(request: Request, officer: SignedInOfficer, path: str, **params: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = (await _get(request, officer, path, {"limit": MANY, **params})).body.get("items", [])
    return items


def _indexed(name: str) -> tuple[int, str] | None:
    """``attendance.2.deputy_name`` or ``2.deputy_name`` -> (2, "deputy_name"); else None."""
    parts = name.split(".")
    if parts and not parts[0].isdigit():
        parts = parts[1:]
    if len(parts) >= 1 and parts[0].isdigit():
        return int(parts[0]), parts[1] if len(parts) > 1 else ""
    return None


# ---------------------------------------------------------------- the boards


@router.get("/boards")
async def boards(request: Request, officer: SignedInOfficer = Depends(signed_in)) -> Response:
    _reads(officer)
    cursor = first(request.query_params.get("cursor"))
    query = {"limit": str(PAGE_SIZE), **({"cursor": cursor} if cursor else {})}
    page = (await _get(request, officer, "/boards", query)).body
    next_page = f"?{urlencode({'cursor': page['next_cursor']})}" if page.get("next_cursor") else None
    return layout_of(request).render(request, "safeguarding/boards.html", {
        "items": page.get("items", []), "next_page": next_page, "first_page": "?" if cursor else None,
    })


@router.get("/boards/{board_id}")
async def board(board_id: str, request: Request, officer: SignedInOfficer = Depends(signed_in)) -> Response:
    _reads(officer)
    here = f"/boards/{_id(board_id)}"
    found, members, meetings, sars, decisions = await asyncio.gather(
        _get(request, officer, here), _items(request, officer, f"{here}/members"),
        _items(request, officer, f"{here}/meetings"), _items(request, officer, f"{here}/sars"),
        _items(request, officer, f"{here}/decisions"))
    return layout_of(request).render(request, "safeguarding/board.html", {
        "board": found.body, "members": members, "meetings": sorted(meetings, key=lambda m: str(m["scheduled_for"])),
        "sars": sars, "between_meetings": [d for d in decisions if not d.get("meeting_id")],
        "names": {m["id"]: m["name"] for m in members},
    })


# ---------------------------------------------------------------- a member: the MoU and the named deputy

MEMBER_FIELDS = {"signed_on": ("mou-signed_on-day", "Date signed"), "deputy_name": ("deputy_name", "Deputy's name")}


async def _member_page(request: Request, officer: SignedInOfficer, member_id: str, *, refusal: Refusal | None = None,
                       doing: str | None = None, typed: dict[str, str] | None = None) -> Response:
    member = await _get(request, officer, f"/members/{_id(member_id)}")
    found = await _get(request, officer, f"/boards/{_id(member.body['board_id'])}")
    return layout_of(request).render(request, "safeguarding/member.html", {
        "member": member.body, "version": member.version or "", "board": found.body, "refusal": refusal,
        "doing": doing, "typed": typed or {},
    }, status=refusal.status if refusal else 200)


@router.get("/members/{member_id}")
async def member(member_id: str, request: Request, officer: SignedInOfficer = Depends(signed_in)) -> Response:
    _reads(officer)
    return await _member_page(request, officer, member_id)


@router.post("/members/{member_id}")
async def change_member(member_id: str, request: Request, officer: SignedInOfficer = Depends(signed_in)) -> Response:
    """Record the member's signed memorandum of understanding, or name their deputy."""
    form = await posted_form(request)
    _runs_business(officer)
    doing = first(form.get("doing"))
    typed = {name: first(form.get(name)) for name in ("mou-day", "mou-month", "mou-year", "deputy_name")}
    version = first(form.get("version"))
    headers = {"If-Match": f'"{version}"'} if version else {}
    path = f"{API}/members/{_id(member_id)}"
    try:
        if doing == "mou":
            parts = (typed["mou-year"], typed["mou-month"].zfill(2), typed["mou-day"].zfill(2))
            body = {"signed_on": "-".join(parts)} if any(typed[f"mou-{p}"] for p in ("day", "month", "year")) else None
            await gateway_of(request).post(officer.token, f"{path}/mou", body, headers=headers,
                                           request_id=request_id(request))
            done = "The signed memorandum of understanding is recorded."
        else:
            await gateway_of(request).put(officer.token, f"{path}/deputy", {"deputy_name": typed["deputy_name"]},
                                          headers=headers, request_id=request_id(request))
            done = f"{typed['deputy_name']} is the named deputy."
    except Refused as refused:
        refusal = refusal_from(refused.problem, MEMBER_FIELDS.get, refused.status)
        if "mou-signed_on-day" in refusal.fields:
            refusal.fields["mou-signed_on"] = refusal.fields.pop("mou-signed_on-day")
        return await _member_page(request, officer, member_id, refusal=refusal, doing=doing, typed=typed)
    tell(request, done)
    return RedirectResponse(f"/safeguarding/members/{_id(member_id)}", status_code=303)


# ---------------------------------------------------------------- a safeguarding adults review

SAR_ACTION_ROWS = 4
SAR_FIELDS = {"criteria_met": ("criteria_met", "Whether the section 44 criteria are met"),
              "reasons": ("reasons", "Reasons"), "author": ("author", "Independent author"),
              "author_organisation": ("author_organisation", "Author's organisation"),
              "cost_pence": ("cost", "Cost"), "on": ("on-day", "Date")}
ACTION_FIELDS = {"action": "Action", "owner": "Owner", "due_on": "Due"}


def _date_typed(text: str) -> str:
    """``31/3/2027`` or ``31 3 2027`` as ``2027-03-31``; anything else as typed (the API says what is wrong)."""
    parts = re.split(r"[/\s.-]+", text.strip())
    if len(parts) == 3 and all(part.isdigit() for part in parts) and len(parts[2]) == 4:
        return f"{parts[2]}-{parts[1].zfill(2)}-{parts[0].zfill(2)}"
    return text.strip()


def _sar_field(rows: list[int]) -> Any:
    def on_page(name: str) -> tuple[str, str] | None:
        if name in SAR_FIELDS:
            return SAR_FIELDS[name]
        parts = name.split(".")
        if parts[0] == "actions":
            if len(parts) == 3 and parts[1].isdigit() and int(parts[1]) < len(rows) and parts[2] in ACTION_FIELDS:
                row = rows[int(parts[1])]
                return f"actions-{row}-{parts[2]}", f"{ACTION_FIELDS[parts[2]]} in row {row + 1}"
            return "actions-0-action", "Actions"
        return None

    return on_page


async def _sar_page(request: Request, officer: SignedInOfficer, sar_id: str, *, refusal: Refusal | None = None,
                    typed: dict[str, str] | None = None) -> Response:
    sar = await _get(request, officer, f"/sars/{_id(sar_id)}")
    found, document = await asyncio.gather(_get(request, officer, f"/boards/{_id(sar.body['board_id'])}"),
                                            gateway_of(request).document())
    # the review's steps in the API's order; the one after where it is now is offered (the API may still refuse)
    steps = body_choices(document, f"{API}/sars/{{sar_id}}/transitions", "post", "to")
    status = str(sar.body.get("status", ""))
    following = steps[steps.index(status) + 1:] if status in steps else steps if status == "referral" else []
    return layout_of(request).render(request, "safeguarding/sar.html", {
        "sar": sar.body, "version": sar.version or "", "board": found.body, "refusal": refusal, "typed": typed or {},
        "next_step": following[0] if following and officer.permissions.may_run_board_business else None,
        "action_rows": range(SAR_ACTION_ROWS),
    }, status=refusal.status if refusal else 200)


@router.get("/sars/{sar_id}")
async def sar(sar_id: str, request: Request, officer: SignedInOfficer = Depends(signed_in)) -> Response:
    _reads(officer)
    return await _sar_page(request, officer, sar_id)


@router.post("/sars/{sar_id}/steps")
async def advance_sar(sar_id: str, request: Request, officer: SignedInOfficer = Depends(signed_in)) -> Response:
    form = await posted_form(request)
    _runs_business(officer)
    names = ("to", "criteria_met", "reasons", "author", "author_organisation", "cost", "on-day", "on-month", "on-year")
    typed = {name: first(form.get(name)) for name in names}
    body: dict[str, Any] = {"to": typed["to"]}
    if any(typed[f"on-{p}"] for p in ("day", "month", "year")):
        body["on"] = f"{typed['on-year']}-{typed['on-month'].zfill(2)}-{typed['on-day'].zfill(2)}"
    if typed["to"] == "decision":
        if typed["criteria_met"] in ("yes", "no"):
            body["criteria_met"] = typed["criteria_met"] == "yes"
        body["reasons"] = typed["reasons"]
    elif typed["to"] == "commissioned":
        body["author"], body["author_organisation"] = typed["author"], typed["author_organisation"]
        pence = pence_of(typed["cost"]) if typed["cost"] else None
        if pence is not None:
            body["cost_pence"] = pence
    rows: list[int] = []
    if typed["to"] == "action_plan":
        actions = []
        for row in range(SAR_ACTION_ROWS):
            line = {name: typed.setdefault(f"actions-{row}-{name}", first(form.get(f"actions-{row}-{name}")))
                    for name in ACTION_FIELDS}
            if any(line.values()):
                actions.append({**line, "due_on": _date_typed(line["due_on"])})
                rows.append(row)
        body["actions"] = actions
    refusal: Refusal | None = None
    if typed["to"] == "commissioned" and typed["cost"] and pence_of(typed["cost"]) is None:
        text = "Cost must be an amount in pounds, like 8,500 or 8500.50"
        refusal = Refusal(400, [{"text": text, "href": "#cost"}], {"cost": text})
    else:
        version = first(form.get("version"))
        try:
            await gateway_of(request).post(officer.token, f"{API}/sars/{_id(sar_id)}/transitions", body,
                                           headers={"If-Match": f'"{version}"'} if version else {},
                                           request_id=request_id(request))
        except Refused as refused:
            refusal = refusal_from(refused.problem, _sar_field(rows), refused.status)
            if "on-day" in refusal.fields:
                refusal.fields["on"] = refusal.fields.pop("on-day")
        else:
            tell(request, f"The review is at its next step: {words_for(typed['to']).lower()}.")
            return RedirectResponse(f"/safeguarding/sars/{_id(sar_id)}", status_code=303)
    return await _sar_page(request, officer, sar_id, refusal=refusal, typed=None if refusal.status == 412 else typed)


def _ics_text(value: str) -> str:
    """Text in an iCalendar property (RFC 5545 3.3.11)."""
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _ics_when(value: str) -> str:
    if len(value) <= 10:
        return f";VALUE=DATE:{value.replace('-', '')}"
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return f":{moment.astimezone(UTC):%Y%m%dT%H%M%SZ}"


def _folded(line: str) -> str:
    """A content line folded at 75 octets (RFC 5545 3.1)."""
    out: list[str] = []
    rest = line.encode()
    while len(rest) > 75:
        cut = 75 if not out else 74
        while cut > 0 and (rest[cut] & 0xC0) == 0x80:  # never inside a UTF-8 character
            cut -= 1
        out.append(rest[:cut].decode())
        rest = rest[cut:]
    out.append(rest.decode())
    return "\r\n ".join(out)


def _site(request: Request) -> str:
    """The address officers open (the gateway's): the configured public address, else the one the gateway
    says it was asked at (X-Forwarded-Host), else this process's own."""
    public: str | None = request.app.state.settings.public_url
    if public:
        return public.rstrip("/")
    forwarded = request.headers.get("x-forwarded-host")
    if forwarded:
        return f"{request.headers.get('x-forwarded-proto', 'http')}://{forwarded}"
    return str(request.base_url).rstrip("/")


@router.get("/boards/{board_id}/meetings.ics")
async def calendar(board_id: str, request: Request, officer: SignedInOfficer = Depends(signed_in)) -> Response:
    """The board's meetings as an iCalendar file, for the officer's calendar."""
    _reads(officer)
    here = f"/boards/{_id(board_id)}"
    found, meetings = await asyncio.gather(_get(request, officer, here), _items(request, officer, f"{here}/meetings"))
    name = str(found.body.get("name", "Board"))
    stamp = f"{datetime.now(UTC):%Y%m%dT%H%M%SZ}"
    site = _site(request)
    host = site.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0] or "civic"
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//civic//safeguarding boards//EN", "CALSCALE:GREGORIAN",
             "METHOD:PUBLISH", f"X-WR-CALNAME:{_ics_text(name)}"]
    for meeting in meetings:
        when = str(meeting["scheduled_for"])
        title = f"{name}{' (extraordinary)' if meeting.get('extraordinary') else ''}"
        agenda = "\n".join(f"{n}. {item['title']}" for n, item in enumerate(meeting.get("agenda", []), start=1))
        lines += ["BEGIN:VEVENT", f"UID:{meeting['id']}@{host}", f"DTSTAMP:{stamp}", f"DTSTART{_ics_when(when)}",
                  f"SUMMARY:{_ics_text(title)}", f"DESCRIPTION:{_ics_text('Agenda:' + chr(10) + agenda)}",
                  f"URL:{site}/safeguarding/meetings/{_id(meeting['id'])}",
                  f"STATUS:{'CANCELLED' if meeting.get('status') == 'cancelled' else 'CONFIRMED'}", "END:VEVENT"]
    lines.append("END:VCALENDAR")
    body = "\r\n".join(_folded(line) for line in lines) + "\r\n"
    return Response(body, media_type="text/calendar; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="board-{board_id[:64]}-meetings.ics"'})


# ---------------------------------------------------------------- a meeting


async def _meeting_and_board(request: Request, officer: SignedInOfficer, meeting_id: str) -> tuple[Answer, dict[str, Any],
                                                                                                   list[dict[str, Any]]]:
    meeting = await _get(request, officer, f"/meetings/{_id(meeting_id)}")
    here = f"/boards/{_id(meeting.body['board_id'])}"
    found, members = await asyncio.gather(_get(request, officer, here), _items(request, officer, f"{here}/members"))
    return meeting, found.body, members


async def _minutes(request: Request, officer: SignedInOfficer, meeting_id: str) -> dict[str, Any] | None:
    try:
        minutes: dict[str, Any] = (await _get(request, officer, f"/meetings/{_id(meeting_id)}/minutes")).body
    except Refused as refused:
        if refused.status == 404:
            return None  # none written yet
        raise
    return minutes


async def _meeting_view(request: Request, officer: SignedInOfficer, meeting_id: str, *,
                        with_meetings: bool = False) -> dict[str, Any]:
    """A meeting and what its pages show beside it: two rounds of calls, the second all at once."""
    meeting = await _get(request, officer, f"/meetings/{_id(meeting_id)}")
    board = f"/boards/{_id(meeting.body['board_id'])}"
    found, members, quorum, minutes, decisions, meetings = await asyncio.gather(
        _get(request, officer, board), _items(request, officer, f"{board}/members"),
        _get(request, officer, f"/meetings/{_id(meeting_id)}/quorum"), _minutes(request, officer, meeting_id),
        _items(request, officer, f"{board}/decisions"),
        _items(request, officer, f"{board}/meetings") if with_meetings else asyncio.sleep(0, []))
    scheduled_for = str(meeting.body["scheduled_for"])
    return {
        "meeting": meeting.body, "version": meeting.version or "", "board": found.body, "members": members,
        "by_member": {m["id"]: m for m in members},
        "register": {line["member_id"]: line for line in meeting.body.get("attendance", [])},
        "quorum": quorum.body, "minutes": minutes,
        "decisions": {d["item_id"]: d for d in decisions if d.get("meeting_id") == meeting.body["id"]},
        "items": {i["id"]: i for i in meeting.body.get("agenda", [])}, "decided_kinds": DECIDED_KINDS,
        # the later meetings, where the members may approve this one's minutes
        "later_meetings": sorted((m for m in meetings if str(m["scheduled_for"]) > scheduled_for
                                  and m.get("status") != "cancelled"), key=lambda m: str(m["scheduled_for"])),
    }


async def _meeting_page(request: Request, officer: SignedInOfficer, meeting_id: str, *,
                        refusal: Refusal | None = None, typed: dict[str, str] | None = None) -> Response:
    view = await _meeting_view(request, officer, meeting_id, with_meetings=officer.permissions.may_run_board_business)
    return layout_of(request).render(request, "safeguarding/meeting.html", {
        **view, "refusal": refusal, "typed": typed or {},
    }, status=refusal.status if refusal else 200)


@router.get("/meetings/{meeting_id}")
async def meeting(meeting_id: str, request: Request, officer: SignedInOfficer = Depends(signed_in)) -> Response:
    _reads(officer)
    _warm_pdf()  # its pack and minutes are a click away
    return await _meeting_page(request, officer, meeting_id)


#: the meeting page's own steps: (the API's path under the meeting, what is said once it is done)
MEETING_STEPS = {
    "held": ("/held", "The meeting is marked as held."),
    "minutes": ("/minutes", "The draft minutes are saved."),
    "submit": ("/minutes/submit", "The minutes are submitted to the chair."),
    "approve": ("/minutes/approve", "The minutes are approved: they are the permanent record."),
}
MINUTES_FIELDS = {"text": ("minutes-text", "The minutes"), "at_meeting_id": ("minutes-at", "Approved at")}


@router.post("/meetings/{meeting_id}/steps")
async def meeting_step(meeting_id: str, request: Request, officer: SignedInOfficer = Depends(signed_in)) -> Response:
    """Mark the meeting as held; write, submit or approve its minutes."""
    form = await posted_form(request)
    _runs_business(officer)
    step = first(form.get("step"))
    if step not in MEETING_STEPS:
        raise Refused(404, {"status": 404, "detail": "No such step."})
    path, done = MEETING_STEPS[step]
    typed = {"text": first(form.get("text")), "at_meeting_id": first(form.get("at_meeting_id"))}
    body: dict[str, Any] | None = None
    if step == "minutes":
        body = {"text": typed["text"]}
    elif step == "approve" and typed["at_meeting_id"]:
        body = {"at_meeting_id": typed["at_meeting_id"]}
    version = first(form.get("version"))
    headers = {"If-Match": f'"{version}"'} if version else {}
    try:
        await gateway_of(request).post(officer.token, f"{API}/meetings/{_id(meeting_id)}{path}", body,
                                       headers=headers, request_id=request_id(request))
    except Refused as refused:
        refusal = refusal_from(refused.problem, MINUTES_FIELDS.get, refused.status)
        return await _meeting_page(request, officer, meeting_id, refusal=refusal,
                                   typed=None if refused.status == 412 else typed)
    tell(request, done)
    return RedirectResponse(f"/safeguarding/meetings/{_id(meeting_id)}#{'attendance' if step == 'held' else 'minutes'}",
                            status_code=303)


@router.get("/meetings/{meeting_id}/pack")
async def agenda_pack(meeting_id: str, request: Request, officer: SignedInOfficer = Depends(signed_in)) -> Response:
    """The agenda pack to print: the agenda, the members, the register and quorum, declarations."""
    _reads(officer)
    _warm_pdf()
    return layout_of(request).render(request, "safeguarding/pack.html",
                                     await _meeting_view(request, officer, meeting_id))


#: the stylesheets a PDF is laid out with (the pages' own, printed): parsed once, by the first that needs them
_PDF_STYLES: list[Any] = []
_PDF_LOCK = threading.Lock()
_PDF_WARMING: list[threading.Thread] = []
PDF_UNAVAILABLE = ("PDFs cannot be made on this server: WeasyPrint needs Pango (Debian: apt-get install "
                   "libpango-1.0-0 libpangoft2-1.0-0). Print the page from your browser instead.")


def _pdf_styles() -> list[Any]:
    """WeasyPrint loaded (it loads Pango, which only PDFs need) and the stylesheets parsed, once."""
    with _PDF_LOCK:
        if not _PDF_STYLES:
            from weasyprint import CSS

            _PDF_STYLES.extend(CSS(filename=str(STATIC / name)) for name in (
                f"{govuk_frontend_folder()}/govuk-frontend.min.css", "council.css", "pages.css"))
    return _PDF_STYLES


def _warm_pdf() -> None:
    """Load WeasyPrint in the background once a meeting is looked at, so its PDFs answer at once (loading it
    takes a second or two, more on a busy machine). Without Pango this does nothing: the PDF page says why."""
    if _PDF_WARMING:
        return
    _PDF_WARMING.append(threading.Thread(target=_warmed, name="pdf-warm-up", daemon=True))
    _PDF_WARMING[0].start()


def _warmed() -> None:
    try:
        _pdf_styles()
    except OSError:
        log.info("no PDFs here: WeasyPrint cannot load Pango")


def _pdf_of(html: str) -> bytes:
    """The page as a PDF (WeasyPrint, with the page's print styles). Nothing is fetched: the page's own
    stylesheets are read from the static folder, and its addresses are relative, with no base to resolve them."""
    styles = _pdf_styles()
    from weasyprint import HTML

    pdf: bytes = HTML(string=html, base_url=None).write_pdf(stylesheets=styles)
    return pdf


async def _pdf_response(request: Request, page: Response, filename: str) -> Response:
    try:
        pdf = await asyncio.to_thread(_pdf_of, bytes(page.body).decode())
    except OSError:  # the system's Pango is missing
        return layout_of(request).render(request, "problem.html", {
            "heading": "Sorry, a PDF cannot be made here", "text": PDF_UNAVAILABLE}, status=503)
    return Response(pdf, media_type="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="{filename}"'})


@router.get("/meetings/{meeting_id}/pack.pdf")
async def agenda_pack_pdf(meeting_id: str, request: Request, officer: SignedInOfficer = Depends(signed_in)) -> Response:
    """The agenda pack as a PDF, made from the same page."""
    _reads(officer)
    view = await _meeting_view(request, officer, meeting_id)
    page = layout_of(request).render(request, "safeguarding/pack.html", view)
    return await _pdf_response(request, page, f"agenda-pack-{view['meeting']['scheduled_for']}.pdf")


async def _approved_minutes(request: Request, officer: SignedInOfficer, meeting_id: str) -> tuple[Response, str]:
    """The approved minutes' page (or the page saying they are not approved yet), and the meeting's date."""
    _reads(officer)
    view = await _meeting_view(request, officer, meeting_id)
    if not view["minutes"] or view["minutes"].get("status") != "approved":
        return layout_of(request).render(request, "problem.html", {
            "heading": "These minutes are not approved yet",
            "text": "Minutes become the permanent record once the members approve them. "
                    "The draft is on the meeting's page."}, status=404), ""
    return layout_of(request).render(request, "safeguarding/minutes.html", view), str(view["meeting"]["scheduled_for"])


@router.get("/meetings/{meeting_id}/minutes")
async def approved_minutes(meeting_id: str, request: Request, officer: SignedInOfficer = Depends(signed_in)) -> Response:
    """The minutes to print, once the members have approved them (the permanent record)."""
    _warm_pdf()
    page, _ = await _approved_minutes(request, officer, meeting_id)
    return page


@router.get("/meetings/{meeting_id}/minutes.pdf")
async def approved_minutes_pdf(meeting_id: str, request: Request,
                               officer: SignedInOfficer = Depends(signed_in)) -> Response:
    """The approved minutes as a PDF, made from the same page."""
    page, scheduled_for = await _approved_minutes(request, officer, meeting_id)
    if page.status_code != 200:
        return page
    return await _pdf_response(request, page, f"minutes-{scheduled_for}.pdf")


# ---------------------------------------------------------------- the attendance register


def _attendance_field(members_sent: list[str]) -> Any:
    def on_page(name: str) -> tuple[str, str] | None:
        found = _indexed(name)
        if found is None or found[0] >= len(members_sent):
            return None
        member_id, field = members_sent[found[0]], found[1]
        if field == "deputy_name":
            return f"deputy-{member_id}", "Deputy's name"
        return f"attendance-{member_id}", "Attendance"

    return on_page


async def _attendance_page(request: Request, officer: SignedInOfficer, meeting_id: str, *,
                           refusal: Refusal | None = None, typed: dict[str, str] | None = None,
                           version: str | None = None) -> Response:
    meeting, found, members = await _meeting_and_board(request, officer, meeting_id)
    register = {line["member_id"]: line for line in meeting.body.get("attendance", [])}
    if typed is None:
        typed = {}
        for member_id, line in register.items():
            typed[f"attendance-{member_id}"] = line["status"]
            typed[f"deputy-{member_id}"] = line.get("deputy_name") or ""
    document = await gateway_of(request).document()
    statuses = body_choices(document, f"{API}/meetings/{{meeting_id}}/attendance", "put", "status") \
        or ["present", "apologies", "absent", "deputy"]
    return layout_of(request).render(request, "safeguarding/attendance.html", {
        "meeting": meeting.body, "board": found, "members": members, "typed": typed, "refusal": refusal,
        "statuses": statuses, "version": version or meeting.version or "",
    }, status=refusal.status if refusal else 200)


@router.get("/meetings/{meeting_id}/attendance")
async def attendance_form(meeting_id: str, request: Request, officer: SignedInOfficer = Depends(signed_in)) -> Response:
    _runs_business(officer)
    return await _attendance_page(request, officer, meeting_id)


@router.post("/meetings/{meeting_id}/attendance")
async def record_attendance(meeting_id: str, request: Request, officer: SignedInOfficer = Depends(signed_in)) -> Response:
    form = await posted_form(request)
    _runs_business(officer)
    member_ids = [first(v) for v in form.getlist("member")]
    typed: dict[str, str] = {}
    lines: list[dict[str, Any]] = []
    sent: list[str] = []
    for member_id in member_ids:
        status = typed[f"attendance-{member_id}"] = first(form.get(f"attendance-{member_id}"))
        deputy = typed[f"deputy-{member_id}"] = first(form.get(f"deputy-{member_id}"))
        if not status:
            continue  # not recorded yet
        line: dict[str, Any] = {"member_id": member_id, "status": status}
        if status == "deputy" or deputy:
            line["deputy_name"] = deputy or None
        lines.append(line)
        sent.append(member_id)
    version = first(form.get("version"))
    headers = {"If-Match": f'"{version}"'} if version else {}
    try:
        await gateway_of(request).put(officer.token, f"{API}/meetings/{_id(meeting_id)}/attendance",
                                      {"attendance": lines}, headers=headers, request_id=request_id(request))
    except Refused as refused:
        refusal = refusal_from(refused.problem, _attendance_field(sent), refused.status)
        named = str(refused.problem.get("member_id") or "")
        if named in sent and not refusal.fields:  # a rule about one member's line (their named deputy)
            text = refusal.items[0]["text"]
            refusal = Refusal(refusal.status, [{"text": text, "href": f"#deputy-{named}"}], {f"deputy-{named}": text})
        # after someone else's change the register is shown as it is now; otherwise as the officer chose it
        return await _attendance_page(request, officer, meeting_id, refusal=refusal,
                                      typed=None if refused.status == 412 else typed)
    tell(request, "The attendance register is recorded.")
    return RedirectResponse(f"/safeguarding/meetings/{_id(meeting_id)}#attendance", status_code=303)


# ---------------------------------------------------------------- a declaration of interest

DECLARATION_FIELDS = {"member_id": ("declaration-member", "Member"), "item_id": ("declaration-item", "Agenda item"),
                      "nature": ("declaration-nature", "The interest")}


async def _declaration_page(request: Request, officer: SignedInOfficer, meeting_id: str, *,
                            refusal: Refusal | None = None, typed: dict[str, str] | None = None) -> Response:
    meeting, found, members = await _meeting_and_board(request, officer, meeting_id)
    return layout_of(request).render(request, "safeguarding/declaration.html", {
        "meeting": meeting.body, "board": found, "members": members, "typed": typed or {}, "refusal": refusal,
    }, status=refusal.status if refusal else 200)


@router.get("/meetings/{meeting_id}/declarations/new")
async def declaration_form(meeting_id: str, request: Request, officer: SignedInOfficer = Depends(signed_in)) -> Response:
    _runs_business(officer)
    return await _declaration_page(request, officer, meeting_id)


@router.post("/meetings/{meeting_id}/declarations/new")
async def declare(meeting_id: str, request: Request, officer: SignedInOfficer = Depends(signed_in)) -> Response:
    form = await posted_form(request)
    _runs_business(officer)
    typed = {name: first(form.get(name)) for name in DECLARATION_FIELDS}
    body = {name: value for name, value in typed.items() if value}
    try:
        await gateway_of(request).post(officer.token, f"{API}/meetings/{_id(meeting_id)}/declarations", body,
                                       request_id=request_id(request))
    except Refused as refused:
        refusal = refusal_from(refused.problem, DECLARATION_FIELDS.get, refused.status)
        return await _declaration_page(request, officer, meeting_id, refusal=refusal, typed=typed)
    tell(request, "The declaration of interest is recorded.")
    return RedirectResponse(f"/safeguarding/meetings/{_id(meeting_id)}#declarations", status_code=303)


# ---------------------------------------------------------------- a decision


def _decision_field(voters: list[str]) -> Any:
    def on_page(name: str) -> tuple[str, str] | None:
        if name == "method":
            return "method", "How the members decided"
        if name == "casting_vote":
            return "casting_vote", "The chair's casting vote"
        if name == "authorises_content_id":
            return "authorises_content_id", "The communication it authorises"
        if name.startswith("votes"):
            found = _indexed(name)
            if found is not None and found[0] < len(voters):
                return f"vote-{voters[found[0]]}", "Vote"
            return "method", "Votes"
        return None

    return on_page


async def _decision_page(request: Request, officer: SignedInOfficer, meeting_id: str, item_id: str, *,
                         refusal: Refusal | None = None, typed: dict[str, str] | None = None) -> Response:
    meeting, found, members = await _meeting_and_board(request, officer, meeting_id)
    item = next((i for i in meeting.body.get("agenda", []) if i["id"] == item_id), None)
    if item is None:
        raise Refused(404, {"status": 404, "detail": "No such agenda item."})
    register = {line["member_id"]: line for line in meeting.body.get("attendance", [])}
    document = await gateway_of(request).document()
    path = f"{API}/meetings/{{meeting_id}}/items/{{item_id}}/decision"
    return layout_of(request).render(request, "safeguarding/decision.html", {
        "meeting": meeting.body, "board": found, "item": item, "version": meeting.version or "",
        # the members attending, in person or by their deputy: the API says whose votes count
        "voters": [m for m in members if register.get(m["id"], {}).get("status") in ("present", "deputy")],
        "register": register, "typed": typed or {}, "refusal": refusal, "ballots": BALLOTS,
        "methods": body_choices(document, path, "post", "method") or ["consensus", "vote"],
        "casting_votes": body_choices(document, path, "post", "casting_vote") or ["for", "against"],
    }, status=refusal.status if refusal else 200)


@router.get("/meetings/{meeting_id}/items/{item_id}/decision")
async def decision_form(meeting_id: str, item_id: str, request: Request,
                        officer: SignedInOfficer = Depends(signed_in)) -> Response:
    _runs_business(officer)
    return await _decision_page(request, officer, meeting_id, item_id)


@router.post("/meetings/{meeting_id}/items/{item_id}/decision")
async def decide(meeting_id: str, item_id: str, request: Request,
                 officer: SignedInOfficer = Depends(signed_in)) -> Response:
    form = await posted_form(request)
    _runs_business(officer)
    method = first(form.get("method"))
    typed: dict[str, str] = {"method": method, "casting_vote": first(form.get("casting_vote")),
                             "authorises_content_id": first(form.get("authorises_content_id"))}
    body: dict[str, Any] = {"method": method} if method else {}
    if typed["authorises_content_id"]:
        body["authorises_content_id"] = typed["authorises_content_id"]
    voters: list[str] = []
    votes: list[dict[str, str]] = []
    for member_id in (first(v) for v in form.getlist("voter")):
        vote = typed[f"vote-{member_id}"] = first(form.get(f"vote-{member_id}"))
        if vote:
            votes.append({"member_id": member_id, "vote": vote})
            voters.append(member_id)
    if method == "vote":
        body["votes"] = votes
        if typed["casting_vote"]:
            body["casting_vote"] = typed["casting_vote"]
    version = first(form.get("version"))
    headers = {"If-Match": f'"{version}"'} if version else {}
    try:
        answer = await gateway_of(request).post(
            officer.token, f"{API}/meetings/{_id(meeting_id)}/items/{_id(item_id)}/decision", body,
            headers=headers, request_id=request_id(request))
    except Refused as refused:
        refusal = refusal_from(refused.problem, _decision_field(voters), refused.status)
        return await _decision_page(request, officer, meeting_id, item_id, refusal=refusal,
                                    typed=None if refused.status == 412 else typed)
    tell(request, f"The decision is recorded: {words_for(answer.body.get('outcome')).lower()}.")
    return RedirectResponse(f"/safeguarding/meetings/{_id(meeting_id)}#decisions", status_code=303)
