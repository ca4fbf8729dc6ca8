"""An initiative's delivery plan: its milestones on the initiative's page, a new milestone's form, and a
milestone's page, where an officer who keeps the register records it done (with the evidence), drops it (with
the reason) or changes what it is, who owns it and when it is due. The overdue milestones of the register are a
report (``reports.py``)."""

from __future__ import annotations

from functools import partial
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from markupsafe import Markup
from starlette.datastructures import FormData

from civic_web import components
from civic_web.layout import link
from civic_web.pages import allowed, ask, first, form_at, in_address, render, segment
from civic_web.pages.forms import boxes_typed, date_boxes, date_typed, new_record_page, send_change, send_new
from civic_web.pages.savings.section import API, reads
from civic_web.refusals import Refusal
from civic_web.sessions import SignedInOfficer
from civic_web.vocabulary import day, words_for

router = APIRouter(include_in_schema=False)

#: a plan holds at most 100 milestones (the API's limit), so one page of the API is the whole plan
WHOLE_PLAN = "100"
#: the API's name -> (the form field's id, what it is called), on the new milestone's form
NEW_FIELDS = {"title": ("title", "Milestone"), "owner": ("owner", "Owner"), "due": ("due-day", "Due date")}
#: on a milestone's page, each form's fields are prefixed by what it does (two forms may name the same field)
STEP_FIELDS = {
    "complete": {"evidence": ("complete-evidence", "Evidence")},
    "drop": {"reason": ("drop-reason", "Reason")},
    "change": {"title": ("change-title", "Milestone"), "owner": ("change-owner", "Owner"),
               "due": ("change-due-day", "Due date")},
}
#: what each step sends to: the API's address under the milestone's, and the method
STEP_CALLS = {"complete": ("/completion", "POST"), "drop": ("/drop", "POST"), "change": ("", "PATCH")}
STATUS_TAGS = {"planned": "govuk-tag--blue", "done": "govuk-tag--green", "dropped": "govuk-tag--grey"}


def plans_delivery(officer: SignedInOfficer) -> None:
    """Milestones are the initiative's progress: added and moved on by whoever records its progress."""
    reads(officer)
    allowed(officer.permissions.may_record_progress)


def milestone_address(initiative_id: str, milestone_id: str) -> str:
    return f"/savings/initiatives/{segment(initiative_id)}/milestones/{segment(milestone_id)}"


def _api(initiative_id: str, milestone_id: str | None = None) -> str:
    plan = f"{API}/{segment(initiative_id)}/milestones"
    return f"{plan}/{segment(milestone_id)}" if milestone_id else plan


def status_tag(milestone: dict[str, Any]) -> Markup:
    """A milestone's status as a tag; a planned one past its due date says it is overdue."""
    if milestone.get("overdue"):
        return Markup(components.tag({"text": "Overdue", "classes": "govuk-tag--red"}))  # noqa: S704
    status = str(milestone.get("status", ""))
    return Markup(components.tag({"text": words_for(status), "classes": STATUS_TAGS.get(status, "")}))  # noqa: S704


async def plan_of(request: Request, officer: SignedInOfficer, initiative_id: str) -> list[dict[str, Any]]:
    """The initiative's milestones, in the order they were made."""
    found: list[dict[str, Any]] = (await ask(request, officer, _api(initiative_id), {"limit": WHOLE_PLAN})).body.get(
        "items", [])
    return found


def plan_rows(initiative_id: str, milestones: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """The delivery plan's table on the initiative's page, a row a milestone."""
    return [[
        {"html": link(f"/savings/initiatives/{in_address(initiative_id)}/milestones/{in_address(m.get('id', ''))}",
                      m.get("title", ""))},
        {"text": m.get("owner")},
        {"text": day(m.get("due"))},
        {"html": status_tag(m)},
        {"text": m.get("evidence") or m.get("dropped_reason") or ""},
    ] for m in milestones]


# ---------------------------------------------------------------- a new milestone
# (declared before the milestone's page, which would take "new")


async def _initiative(request: Request, officer: SignedInOfficer, initiative_id: str) -> dict[str, Any]:
    found: dict[str, Any] = (await ask(request, officer, f"{API}/{segment(initiative_id)}")).body
    return found


async def _new_form(request: Request, officer: SignedInOfficer, initiative_id: str) -> dict[str, Any]:
    return {"initiative": await _initiative(request, officer, initiative_id)}


_new_page = new_record_page("savings/milestone_new.html", _new_form)


@form_at(router, "/initiatives/{initiative_id}/milestones/new", page=_new_page, may=plans_delivery)
async def add_milestone(request: Request, officer: SignedInOfficer, form: FormData, initiative_id: str) -> Response:
    due, typed = date_typed(form, "due")
    typed |= boxes_typed(form, ("title", "owner"))
    body: dict[str, Any] = {name: typed[name] for name in ("title", "owner") if typed[name]}
    if due:
        body["due"] = due
    return await send_new(request, officer, _api(initiative_id), body, form=form, typed=typed,
                          page=partial(_new_page, request, officer, initiative_id), fields=NEW_FIELDS.get,
                          dates=("due",),
                          done=lambda answer: f"{answer.body.get('title', 'The milestone')} is in the delivery plan.",
                          then=f"/savings/initiatives/{segment(initiative_id)}#delivery-plan")


# ---------------------------------------------------------------- a milestone: done, dropped or changed


async def _milestone_page(request: Request, officer: SignedInOfficer, initiative_id: str, milestone_id: str, *,
                          refusal: Refusal | None = None, doing: str | None = None,
                          typed: dict[str, str] | None = None) -> Response:
    """The milestone as it is now (after a refusal too), with what the officer typed in the form they sent."""
    answer = await ask(request, officer, _api(initiative_id, milestone_id))
    milestone = answer.body
    initiative = await _initiative(request, officer, initiative_id)
    if typed is None or doing != "change":  # the change form starts from the milestone as it is
        shown = {"change-title": milestone.get("title", ""), "change-owner": milestone.get("owner", "")}
        shown |= date_boxes("change-due", milestone.get("due"))
        typed = {**shown, **(typed or {})}
    return render(request, "savings/milestone.html", {
        "milestone": milestone, "version": answer.version or "", "initiative": initiative,
        # an ended initiative lists no next statuses, and its plan no longer changes (the API's rule)
        "steps": bool(officer.permissions.may_record_progress and milestone.get("status") == "planned"
                      and initiative.get("next_statuses")),
        "doing": doing, "typed": typed, "status": status_tag(milestone),
    }, refusal)


@form_at(router, "/initiatives/{initiative_id}/milestones/{milestone_id}", page=_milestone_page, may=plans_delivery,
         shown_to=reads)
async def move_milestone(request: Request, officer: SignedInOfficer, form: FormData, initiative_id: str,
                         milestone_id: str) -> Response:
    """Record the milestone done with its evidence, drop it with the reason, or change it."""
    doing = first(form.get("doing"))
    if doing not in STEP_CALLS:
        doing = "change"
    path, method = STEP_CALLS[doing]
    body: dict[str, Any]
    if doing == "complete":
        typed = boxes_typed(form, ("complete-evidence",))
        body = {"evidence": typed["complete-evidence"]}
        done = "The milestone is done."
    elif doing == "drop":
        typed = boxes_typed(form, ("drop-reason",))
        body = {"reason": typed["drop-reason"]}
        done = "The milestone is dropped from the plan."
    else:
        due, typed = date_typed(form, "change-due")
        typed |= boxes_typed(form, ("change-title", "change-owner"))
        # every field as the form shows it: the ones the officer left as they were change nothing
        body = {"title": typed["change-title"], "owner": typed["change-owner"], **({"due": due} if due else {})}
        done = "The milestone is changed."
    return await send_change(request, officer, _api(initiative_id, milestone_id) + path, body, method=method,
                             form=form, page=partial(_milestone_page, request, officer, initiative_id, milestone_id),
                             typed=typed, which={"doing": doing}, dates=("change-due",),
                             fields=STEP_FIELDS[doing].get, done=done,
                             then=f"/savings/initiatives/{segment(initiative_id)}#delivery-plan")
