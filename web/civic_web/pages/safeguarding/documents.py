"""What a board's business gives to print or keep: a meeting's agenda pack and its approved minutes (pages to
print, and PDFs made from the same pages by :mod:`civic_web.pdfs`), and a board's meetings as an iCalendar
file (RFC 5545, made here from the API's meetings)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from civic_web import pdfs
from civic_web.pages import layout_of, render, segment
from civic_web.pages.safeguarding.meetings import meeting_view
from civic_web.pages.safeguarding.section import get, items, reads
from civic_web.sessions import SignedInOfficer, signed_in

router = APIRouter(include_in_schema=False)


# ---------------------------------------------------------------- the agenda pack and the minutes


@router.get("/meetings/{meeting_id}/pack")
async def agenda_pack(meeting_id: str, request: Request, officer: SignedInOfficer = Depends(signed_in)) -> Response:
    """The agenda pack to print: the agenda, the members, the register and quorum, declarations."""
    reads(officer)
    pdfs.warm_up()
    return render(request, "safeguarding/pack.html",
                                     await meeting_view(request, officer, meeting_id))


async def _pdf_response(request: Request, page: Response, filename: str) -> Response:
    try:
        pdf = await asyncio.to_thread(pdfs.pdf_of, bytes(page.body).decode())
    except OSError:  # the system's Pango is missing
        return layout_of(request).render(request, "problem.html", {
            "heading": "Sorry, a PDF cannot be made here", "text": pdfs.UNAVAILABLE}, status=503)
    return Response(pdf, media_type="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="{filename}"'})


@router.get("/meetings/{meeting_id}/pack.pdf")
async def agenda_pack_pdf(meeting_id: str, request: Request, officer: SignedInOfficer = Depends(signed_in)) -> Response:
    """The agenda pack as a PDF, made from the same page."""
    reads(officer)
    view = await meeting_view(request, officer, meeting_id)
    page = render(request, "safeguarding/pack.html", view)
    return await _pdf_response(request, page, f"agenda-pack-{view['meeting']['scheduled_for']}.pdf")


async def _approved_minutes(request: Request, officer: SignedInOfficer, meeting_id: str) -> tuple[Response, str]:
    """The approved minutes' page (or the page saying they are not approved yet), and the meeting's date."""
    reads(officer)
    view = await meeting_view(request, officer, meeting_id)
    if not view["minutes"] or view["minutes"].get("status") != "approved":
        return layout_of(request).render(request, "problem.html", {
            "heading": "These minutes are not approved yet",
            "text": "Minutes become the permanent record once the members approve them. "
                    "The draft is on the meeting's page."}, status=404), ""
    return render(request, "safeguarding/minutes.html", view), str(view["meeting"]["scheduled_for"])


@router.get("/meetings/{meeting_id}/minutes")
async def approved_minutes(meeting_id: str, request: Request, officer: SignedInOfficer = Depends(signed_in)) -> Response:
    """The minutes to print, once the members have approved them (the permanent record)."""
    pdfs.warm_up()
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


# ---------------------------------------------------------------- the board's meetings as a calendar file


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
    reads(officer)
    here = f"/boards/{segment(board_id)}"
    found, meetings = await asyncio.gather(get(request, officer, here), items(request, officer, f"{here}/meetings"))
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
                  f"URL:{site}/safeguarding/meetings/{segment(meeting['id'])}",
                  f"STATUS:{'CANCELLED' if meeting.get('status') == 'cancelled' else 'CONFIRMED'}", "END:VEVENT"]
    lines.append("END:VCALENDAR")
    body = "\r\n".join(_folded(line) for line in lines) + "\r\n"
    return Response(body, media_type="text/calendar; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="board-{board_id[:64]}-meetings.ics"'})
