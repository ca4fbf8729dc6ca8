"""A meeting's page (agenda, attendance, the quorum as the API states it, declarations, decisions, minutes) with
its steps (held; the minutes drafted, submitted, approved), and the board business manager's forms: scheduling a
meeting with its agenda, the attendance register, a declaration of interest, a decision (consensus or votes,
which the API counts)."""

from __future__ import annotations

import asyncio
from functools import partial
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from starlette.datastructures import FormData

from civic_web import pdfs
from civic_web.gateway import Answer, Refused
from civic_web.pages import first, form_at, gateway_of, render, segment, sent_to
from civic_web.pages.forms import (
    Rows,
    at_version,
    boxes_typed,
    date_typed,
    fields_of,
    new_record_page,
    record_again,
    send,
    send_change,
    send_new,
)
from civic_web.pages.safeguarding.section import API, board_form, get, items, reads, runs_business
from civic_web.refusals import FieldOnPage, Refusal
from civic_web.sessions import SignedInOfficer, signed_in
from civic_web.vocabulary import body_choices, words_for

router = APIRouter(include_in_schema=False)

#: agenda items a meeting decides (an information item or the declarations are not put to the members)
DECIDED_KINDS = ("decision", "ratification")
#: a member's vote (the API's Ballot.vote)
BALLOTS = ("for", "against", "abstain")


#: an agenda item's kinds to choose from: the API takes any (its examples are these); the declarations of
#: interest open every agenda by themselves
AGENDA_KINDS = ("decision", "information", "sub_group_report")
AGENDA_ROWS = 6


def _indexed(name: str) -> tuple[int, str] | None:
    """``attendance.2.deputy_name`` or ``2.deputy_name`` -> (2, "deputy_name"); else None."""
    parts = name.split(".")
    if parts and not parts[0].isdigit():
        parts = parts[1:]
    if len(parts) >= 1 and parts[0].isdigit():
        return int(parts[0]), parts[1] if len(parts) > 1 else ""
    return None


def _meeting_address(meeting_id: str, part: str = "") -> str:
    """Where the meeting's page is, at one of its parts (``#decisions``)."""
    return f"/safeguarding/meetings/{segment(meeting_id)}{part}"


async def _meeting_and_board(request: Request, officer: SignedInOfficer, meeting_id: str) -> tuple[Answer, dict[str, Any],
                                                                                                   list[dict[str, Any]]]:
    meeting = await get(request, officer, f"/meetings/{segment(meeting_id)}")
    here = f"/boards/{segment(meeting.body['board_id'])}"
    found, members = await asyncio.gather(get(request, officer, here), items(request, officer, f"{here}/members"))
    return meeting, found.body, members


async def _minutes(request: Request, officer: SignedInOfficer, meeting_id: str) -> dict[str, Any] | None:
    try:
        minutes: dict[str, Any] = (await get(request, officer, f"/meetings/{segment(meeting_id)}/minutes")).body
    except Refused as refused:
        if refused.status == 404:
            return None  # none written yet
        raise
    return minutes


async def meeting_view(request: Request, officer: SignedInOfficer, meeting_id: str, *,
                       with_meetings: bool = False) -> dict[str, Any]:
    """A meeting and what its pages show beside it: two rounds of calls, the second all at once."""
    meeting = await get(request, officer, f"/meetings/{segment(meeting_id)}")
    board = f"/boards/{segment(meeting.body['board_id'])}"
    found, members, quorum, minutes, decisions, meetings = await asyncio.gather(
        get(request, officer, board), items(request, officer, f"{board}/members"),
        get(request, officer, f"/meetings/{segment(meeting_id)}/quorum"), _minutes(request, officer, meeting_id),
        items(request, officer, f"{board}/decisions"),
        items(request, officer, f"{board}/meetings") if with_meetings else asyncio.sleep(0, []))
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
    view = await meeting_view(request, officer, meeting_id, with_meetings=officer.permissions.may_run_board_business)
    return render(request, "safeguarding/meeting.html", {
        **view, "typed": typed or {},
    }, refusal)


@router.get("/meetings/{meeting_id}")
async def meeting(meeting_id: str, request: Request, officer: SignedInOfficer = Depends(signed_in)) -> Response:
    reads(officer)
    pdfs.warm_up()  # its pack and minutes are a click away
    return await _meeting_page(request, officer, meeting_id)


#: the meeting page's own steps: (the API's path under the meeting, what is said once it is done)
MEETING_STEPS = {
    "held": ("/held", "The meeting is marked as held."),
    "minutes": ("/minutes", "The draft minutes are saved."),
    "submit": ("/minutes/submit", "The minutes are submitted to the chair."),
    "approve": ("/minutes/approve", "The minutes are approved: they are the permanent record."),
}
MINUTES_FIELDS = {"text": ("minutes-text", "The minutes"), "at_meeting_id": ("minutes-at", "Approved at")}


@sent_to(router, "/meetings/{meeting_id}/steps", may=runs_business)
async def meeting_step(request: Request, officer: SignedInOfficer, form: FormData, meeting_id: str) -> Response:
    """Mark the meeting as held; write, submit or approve its minutes."""
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

    return await send_change(request, officer, f"{API}/meetings/{segment(meeting_id)}{path}", body, form=form,
                             page=partial(_meeting_page, request, officer, meeting_id), typed=typed,
                             fields=MINUTES_FIELDS.get, done=done,
                             then=_meeting_address(meeting_id, "#attendance" if step == "held" else "#minutes"))


# ---------------------------------------------------------------- the attendance register


def _attendance_field(members_sent: list[str]) -> FieldOnPage:
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
                           refusal: Refusal | None = None, typed: dict[str, str] | None = None) -> Response:
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
    return render(request, "safeguarding/attendance.html", {
        "meeting": meeting.body, "board": found, "members": members, "typed": typed,
        "statuses": statuses, "version": meeting.version or "",
    }, refusal)


@form_at(router, "/meetings/{meeting_id}/attendance", page=_attendance_page, may=runs_business)
async def record_attendance(request: Request, officer: SignedInOfficer, form: FormData, meeting_id: str) -> Response:
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
    shown_again = record_again(partial(_attendance_page, request, officer, meeting_id), typed)

    async def again(refusal: Refusal) -> Response:
        named = str(refusal.problem.get("member_id") or "")
        if named in sent and not refusal.fields:  # a rule about one member's line (their named deputy)
            text = refusal.items[0]["text"]
            refusal = Refusal(refusal.status, [{"text": text, "href": f"#deputy-{named}"}], {f"deputy-{named}": text})
        return await shown_again(refusal)

    return await send(request, officer, f"{API}/meetings/{segment(meeting_id)}/attendance", {"attendance": lines},
                      method="PUT", headers=at_version(form), fields=_attendance_field(sent), again=again,
                      done="The attendance register is recorded.",
                      then=_meeting_address(meeting_id, "#attendance"))


# ---------------------------------------------------------------- a declaration of interest

DECLARATION_FIELDS = {"member_id": ("declaration-member", "Member"), "item_id": ("declaration-item", "Agenda item"),
                      "nature": ("declaration-nature", "The interest")}


async def _declaration_page(request: Request, officer: SignedInOfficer, meeting_id: str, *,
                            refusal: Refusal | None = None, typed: dict[str, str] | None = None) -> Response:
    meeting, found, members = await _meeting_and_board(request, officer, meeting_id)
    return render(request, "safeguarding/declaration.html", {
        "meeting": meeting.body, "board": found, "members": members, "typed": typed or {},
    }, refusal)


@form_at(router, "/meetings/{meeting_id}/declarations/new", page=_declaration_page, may=runs_business)
async def declare(request: Request, officer: SignedInOfficer, form: FormData, meeting_id: str) -> Response:
    typed = boxes_typed(form, DECLARATION_FIELDS)

    async def again(refusal: Refusal) -> Response:
        return await _declaration_page(request, officer, meeting_id, refusal=refusal, typed=typed)

    return await send(request, officer, f"{API}/meetings/{segment(meeting_id)}/declarations",
                      {name: value for name, value in typed.items() if value}, fields=DECLARATION_FIELDS.get,
                      again=again, done="The declaration of interest is recorded.",
                      then=_meeting_address(meeting_id, "#declarations"))


# ---------------------------------------------------------------- a decision


def _decision_field(voters: list[str]) -> FieldOnPage:
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
    return render(request, "safeguarding/decision.html", {
        "meeting": meeting.body, "board": found, "item": item, "version": meeting.version or "",
        # the members attending, in person or by their deputy: the API says whose votes count
        "voters": [m for m in members if register.get(m["id"], {}).get("status") in ("present", "deputy")],
        "register": register, "typed": typed or {}, "ballots": BALLOTS,
        "methods": body_choices(document, path, "post", "method") or ["consensus", "vote"],
        "casting_votes": body_choices(document, path, "post", "casting_vote") or ["for", "against"],
    }, refusal)


@form_at(router, "/meetings/{meeting_id}/items/{item_id}/decision", page=_decision_page, may=runs_business)
async def decide(request: Request, officer: SignedInOfficer, form: FormData, meeting_id: str, item_id: str) -> Response:
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

    return await send_change(request, officer, f"{API}/meetings/{segment(meeting_id)}/items/{segment(item_id)}/decision",
                             body, form=form, page=partial(_decision_page, request, officer, meeting_id, item_id),
                             typed=typed, fields=_decision_field(voters),
                             done=lambda answer: f"The decision is recorded: "
                                                 f"{words_for(answer.body.get('outcome')).lower()}.",
                             then=_meeting_address(meeting_id, "#decisions"))


# ---------------------------------------------------------------- scheduling a meeting with its agenda

MEETING_FIELDS = {"scheduled_for": ("scheduled-day", "Date"), "extraordinary": ("extraordinary", "Extraordinary")}


def _agenda() -> Rows:
    return Rows("agenda", "agenda", {"title": "Title", "kind": "Kind"}, AGENDA_ROWS, row_word="item")


async def _schedule_form(request: Request, officer: SignedInOfficer, board_id: str) -> dict[str, Any]:
    return {**await board_form(request, officer, board_id), "agenda_rows": range(AGENDA_ROWS),
            "agenda_kinds": AGENDA_KINDS}


_schedule_page = new_record_page("safeguarding/new_meeting.html", _schedule_form)


@form_at(router, "/boards/{board_id}/meetings/new", page=_schedule_page, may=runs_business)
async def schedule(request: Request, officer: SignedInOfficer, form: FormData, board_id: str) -> Response:
    scheduled_for, typed = date_typed(form, "scheduled")
    typed["extraordinary"] = first(form.get("extraordinary"))
    agenda = _agenda()
    lines, boxes = agenda.typed(form)
    body: dict[str, Any] = {"agenda": lines, "extraordinary": typed["extraordinary"] == "yes"}
    if scheduled_for:
        body["scheduled_for"] = scheduled_for
    return await send_new(request, officer, f"{API}/boards/{segment(board_id)}/meetings", body, form=form,
                          typed=typed | boxes, page=partial(_schedule_page, request, officer, board_id),
                          dates=("scheduled",), fields=fields_of(MEETING_FIELDS, agenda),
                          done="The meeting is scheduled, its agenda opening with declarations of interest.",
                          then=lambda answer: _meeting_address(str(answer.body["id"])))
