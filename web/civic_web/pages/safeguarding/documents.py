"""What a board's business gives to print or keep: a meeting's agenda pack and its approved minutes (pages to
print, and PDFs made from the same pages by :mod:`civic_web.pdfs`), and a board's meetings as an iCalendar
file (RFC 5545, written by the icalendar library from the API's meetings): downloaded by a signed-in officer, or
subscribed to at the board's feed, a secret address calendar apps fetch without a session
(:mod:`civic_web.calendar_feeds`)."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from icalendar import Calendar, Event
from starlette.exceptions import HTTPException

from civic_web import pdfs
from civic_web.calendar_feeds import FEEDS, CalendarFeeds
from civic_web.gateway import Refused
from civic_web.pages import gateway_of, layout_of, render, request_id, segment
from civic_web.pages.safeguarding.meetings import meeting_view
from civic_web.pages.safeguarding.section import API, MANY, get, items, reads
from civic_web.public_site import PublicSite
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


def _when(value: str) -> date | datetime:
    """A meeting's time as the calendar holds it: a day alone, or a moment in UTC."""
    if len(value) <= 10:
        return date.fromisoformat(value)
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC)


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


def meetings_calendar(name: str, meetings: list[dict[str, Any]], site: str, stamp: datetime) -> bytes:
    """A board's meetings as an iCalendar file: one event a meeting, linking to its page at ``site``."""
    host = site.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0] or "civic"
    feed = Calendar()
    feed.add("prodid", "-//civic//safeguarding boards//EN")
    feed.add("version", "2.0")
    feed.add("calscale", "GREGORIAN")
    feed.add("method", "PUBLISH")
    feed.add("x-wr-calname", name)
    for meeting in meetings:
        agenda = "\n".join(f"{n}. {item['title']}" for n, item in enumerate(meeting.get("agenda", []), start=1))
        event = Event()
        event.add("uid", f"{meeting['id']}@{host}")
        event.add("dtstamp", stamp)
        event.add("dtstart", _when(str(meeting["scheduled_for"])))
        event.add("summary", f"{name}{' (extraordinary)' if meeting.get('extraordinary') else ''}")
        event.add("description", f"Agenda:\n{agenda}")
        event.add("url", f"{site}/safeguarding/meetings/{segment(meeting['id'])}")
        event.add("status", "CANCELLED" if meeting.get("status") == "cancelled" else "CONFIRMED")
        feed.add_component(event)
    ical: bytes = feed.to_ical()
    return ical


@router.get("/boards/{board_id}/meetings.ics")
async def calendar(board_id: str, request: Request, officer: SignedInOfficer = Depends(signed_in)) -> Response:
    """The board's meetings as an iCalendar file, for the officer's calendar."""
    reads(officer)
    here = f"/boards/{segment(board_id)}"
    found, meetings = await asyncio.gather(get(request, officer, here), items(request, officer, f"{here}/meetings"))
    name = str(found.body.get("name", "Board"))
    body = meetings_calendar(name, meetings, _site(request), datetime.now(UTC))
    return Response(body, media_type="text/calendar; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="board-{board_id[:64]}-meetings.ics"'})


def feed_url(request: Request, board_id: str) -> str:
    """The board's calendar feed, the whole address a calendar app subscribes to."""
    feeds: CalendarFeeds = request.app.state.calendar_feeds
    return f"{_site(request)}{feeds.address(board_id)}"


@router.get(FEEDS.removeprefix("/safeguarding") + "/{signed}.ics")
async def calendar_feed(signed: str, request: Request) -> Response:
    """The board's meetings for a calendar app, at the address its page gave out (no session): the signature
    first, nothing asked before it is good; then the board and its meetings as the feeds' own reader, which
    holds no confidential scope."""
    feeds: CalendarFeeds = request.app.state.calendar_feeds
    board_id = feeds.board_of(signed)
    if board_id is None:
        raise HTTPException(404)
    reader: PublicSite = request.app.state.calendar_feed_reader
    token, gateway, here = await reader.token(), gateway_of(request), f"{API}/boards/{segment(board_id)}"
    try:
        found, meetings = await asyncio.gather(
            gateway.get(token, here, request_id=request_id(request)),
            gateway.get(token, f"{here}/meetings", {"limit": MANY}, request_id(request)))
    except Refused as refused:
        if refused.status == 404:  # signed here once, but no such board now
            raise HTTPException(404) from None
        raise
    body = meetings_calendar(str(found.body.get("name", "Board")), meetings.body.get("items", []), _site(request),
                             datetime.now(UTC))
    return Response(body, media_type="text/calendar; charset=utf-8")
