"""A form the officer sends: what they typed goes to the API, and the API's answer decides what they see next.

Every change on the pages takes the same round: the form's token checked (``sessions.posted_form``), the
body sent as the officer at the version the page showed (If-Match) or as one attempt (Idempotency-Key);
a refusal shows the form's page again with the GOV.UK error summary, each field's message and what the
officer typed (after someone else's change, the record as it is now instead); a change the API made is said
on the next page, after a redirect (303, so a reload sends nothing twice). What the page could not read itself
(an amount that is not one) is refused the same way without asking the API.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Iterable, Mapping
from typing import Any

from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import FormData

from civic_web.gateway import Answer, Refused
from civic_web.pages import ask, first, gateway_of, render, request_id
from civic_web.refusals import FieldOnPage, Refusal, refusal_from
from civic_web.sessions import SignedInOfficer, tell
from civic_web.vocabulary import pence_of

#: a date typed in GOV.UK's three boxes: (day, month, year) as the form names them after its prefix
DATE_PARTS = ("day", "month", "year")

#: the page again, with a refusal (its error summary and messages) and what the officer typed
ShownAgain = Callable[[Refusal], Awaitable[Response]]

#: a new record's form page, shown with ``refusal=``, ``typed=`` (the boxes as typed) and ``attempt=`` (the form's)
NewRecordPage = Callable[..., Awaitable[Response]]

#: a record's page shown again with ``refusal=`` and ``typed=`` (the boxes as typed, or None: the record as it is)
RecordPage = Callable[..., Awaitable[Response]]

#: what a form's page shows besides the form: ``context(request, officer, *the address's parts)`` (the board it is
#: for, the API's choices, ...)
PageContext = Callable[..., Awaitable[dict[str, Any]]]


def new_record_page(template: str, context: PageContext) -> NewRecordPage:
    """A new record's form page: ``template`` with what ``context`` gives and the form as filled
    (:func:`as_filled`), with the refusal's error summary when it is shown again."""

    async def page(request: Request, officer: SignedInOfficer, *address: str, refusal: Refusal | None = None,
                   typed: dict[str, str] | None = None, attempt: str | None = None, **parts: str) -> Response:
        shown = await context(request, officer, *address, **parts)
        return render(request, template, {**shown, **as_filled(typed, attempt)}, refusal)

    page.__name__ = getattr(context, "__name__", "page")
    return page


#: what a record's page shows besides the record, its version and its form: ``more(request, officer, record)``
RecordContext = Callable[[Request, SignedInOfficer, dict[str, Any]], Awaitable[dict[str, Any]]]


def record_page(template: str, name: str, path: Callable[..., str], more: RecordContext,
                as_typed: Callable[[dict[str, Any]], dict[str, str]] = lambda record: {}) -> RecordPage:
    """A record's page with its form: the record read at ``path(*the address's parts)``, shown by ``template`` as
    ``name`` with its ``version`` (the form's If-Match) and what ``more`` gives; the form as ``typed`` when it is
    shown again with a refusal, else as the record is (``as_typed``)."""

    async def page(request: Request, officer: SignedInOfficer, *address: str, refusal: Refusal | None = None,
                   typed: dict[str, str] | None = None, **parts: str) -> Response:
        answer = await ask(request, officer, path(*address, **parts))
        record: dict[str, Any] = answer.body
        return render(request, template, {
            name: record, "version": answer.version or "", "typed": typed if typed is not None else as_typed(record),
            **await more(request, officer, record),
        }, refusal)

    page.__name__ = getattr(more, "__name__", "page")
    return page


def at_version(form: FormData) -> dict[str, str]:
    """If-Match for the version of the record the page showed (nothing when it showed none)."""
    version = first(form.get("version"))
    return {"If-Match": f'"{version}"'} if version else {}


def boxes_typed(form: FormData, names: Iterable[str]) -> dict[str, str]:
    """The form's boxes ``names`` as the officer typed them ('' for one left empty or not sent)."""
    return {name: first(form.get(name)) for name in names}


def as_filled(typed: Mapping[str, str] | None, attempt: str | None) -> dict[str, Any]:
    """What a form's page is given of the form: its boxes as typed (empty on a first visit) and its attempt
    (a new one on a first visit, the same one when the page is shown again)."""
    return {"typed": typed or {}, "attempt": attempt or uuid.uuid4().hex}


def attempt_of(form: FormData) -> str:
    """The form's attempt, sent as its Idempotency-Key: a second click, or a retry after a lost answer, finds
    the first answer instead of making the thing twice (a refusal leaves the key free)."""
    return first(form.get("attempt")) or uuid.uuid4().hex


def date_typed(form: FormData, prefix: str) -> tuple[str | None, dict[str, str]]:
    """A date from GOV.UK's day, month and year boxes, as ISO for the API to judge (None when all are empty),
    and the boxes as typed."""
    typed = boxes_typed(form, (f"{prefix}-{part}" for part in DATE_PARTS))
    day, month, year = (typed[f"{prefix}-{part}"] for part in DATE_PARTS)
    if not (day or month or year):
        return None, typed
    return f"{year}-{month.zfill(2)}-{day.zfill(2)}", typed


def date_boxes(prefix: str, value: Any) -> dict[str, str]:
    """An ISO date as GOV.UK's three boxes show it (``<prefix>-day``, ...), for a form that starts from a record;
    nothing when there is no date."""
    parts = str(value or "")[:10].split("-")
    if len(parts) != 3:
        return {}
    return {f"{prefix}-day": parts[2].lstrip("0"), f"{prefix}-month": parts[1].lstrip("0"), f"{prefix}-year": parts[0]}


def step_typed(form: FormData, names: Iterable[str] = ()) -> tuple[dict[str, Any], dict[str, str]]:
    """A record's next step as its page's form sends it: the body (``to``, the step, and ``on``, its date, when one
    is typed in the ``on`` boxes) and the boxes as typed (the step, the date's and the step's own ``names``)."""
    on, typed = date_typed(form, "on")
    typed |= boxes_typed(form, ("to", *names))
    body: dict[str, Any] = {"to": typed["to"]}
    if on:
        body["on"] = on
    return body, typed


def unreadable(fields: Mapping[str, str]) -> Refusal:
    """The page's own refusal of what it could not read (field id -> message), before asking the API."""
    return Refusal(400, [{"text": text, "href": f"#{field}"} for field, text in fields.items()], dict(fields))


def pounds_typed(text: str, field_id: str, label: str, example: str) -> tuple[int | None, dict[str, str]]:
    """An amount typed in pounds as pence (None when nothing was typed), or the field's message when it is not
    an amount (``{field_id: "<label> must be an amount in pounds, like <example>"}``)."""
    if not text:
        return None, {}
    pence = pence_of(text)
    if pence is None:
        return None, {field_id: f"{label} must be an amount in pounds, like {example}"}
    return pence, {}


def on_date_input(refusal: Refusal, date_id: str) -> Refusal:
    """A refusal's message for a date shown on its input as a whole (the summary still links to its day box)."""
    if f"{date_id}-day" in refusal.fields:
        refusal.fields[date_id] = refusal.fields.pop(f"{date_id}-day")
    return refusal


async def send(request: Request, officer: SignedInOfficer, path: str, body: Any, *, fields: FieldOnPage,
               again: ShownAgain, done: str | Callable[[Answer], str], then: str | Callable[[Answer], str],
               method: str = "POST", headers: Mapping[str, str] | None = None,
               reworded: Callable[[dict[str, Any]], dict[str, Any]] | None = None,
               not_read: Mapping[str, str] | None = None) -> Response:
    """Send the form's body to the API's ``path`` as the officer. Refused, the page is shown ``again`` with the
    refusal (its fields found by ``fields``, the problem first ``reworded`` where the page says it better);
    done, the officer is told ``done`` and sent to ``then``. What the page could ``not_read`` itself (field id
    -> message) is refused without asking the API (:func:`unreadable`)."""
    if not_read:
        return await again(unreadable(not_read))
    gateway = gateway_of(request)
    sender = {"POST": gateway.post, "PUT": gateway.put, "PATCH": gateway.patch, "DELETE": gateway.delete}[method]
    try:
        answer = await sender(officer.token, path, body, headers=headers or {}, request_id=request_id(request))
    except Refused as refused:
        problem = reworded(refused.problem) if reworded else refused.problem
        return await again(refusal_from(problem, fields, refused.status))
    tell(request, done(answer) if callable(done) else done)
    return RedirectResponse(then(answer) if callable(then) else then, status_code=303)


async def send_new(request: Request, officer: SignedInOfficer, path: str, body: Any, *, form: FormData,
                   page: NewRecordPage, typed: dict[str, str], fields: FieldOnPage,
                   done: str | Callable[[Answer], str], then: str | Callable[[Answer], str],
                   dates: tuple[str, ...] = (), reworded: Callable[[dict[str, Any]], dict[str, Any]] | None = None,
                   not_read: Mapping[str, str] | None = None) -> Response:
    """A new record: the form's body sent once, as its attempt (the Idempotency-Key), with :func:`send`.
    Refused, its ``page`` again with the refusal (a message for one of the ``dates`` on that date's input),
    the boxes as ``typed`` and the same attempt, so sending it again cannot make the record twice."""
    attempt = attempt_of(form)

    async def again(refusal: Refusal) -> Response:
        for date_id in dates:
            refusal = on_date_input(refusal, date_id)
        return await page(refusal=refusal, typed=typed, attempt=attempt)

    return await send(request, officer, path, body, headers={"Idempotency-Key": attempt}, fields=fields, again=again,
                      done=done, then=then, reworded=reworded, not_read=not_read)


def record_again(page: RecordPage, typed: dict[str, str], *, dates: tuple[str, ...] = (),
                 which: Mapping[str, str | None] | None = None) -> ShownAgain:
    """A record's ``page`` again after a change to it is refused: with the refusal (a message for one of the
    ``dates`` on that date's input), the boxes as ``typed`` and ``which`` of its forms was sent, as the page names
    it (``{"doing": "change"}``). After someone else's change (412) it shows the record as it is now, as a first
    visit does: what was typed, sent again at the new version, would silently undo the other officer's change."""

    async def again(refusal: Refusal) -> Response:
        for date_id in dates:
            refusal = on_date_input(refusal, date_id)
        if refusal.status == 412:
            return await page(refusal=refusal, typed=None)
        return await page(refusal=refusal, typed=typed, **(which or {}))

    return again


async def send_change(request: Request, officer: SignedInOfficer, path: str, body: Any, *, form: FormData,
                      page: RecordPage, typed: dict[str, str], fields: FieldOnPage,
                      done: str | Callable[[Answer], str], then: str | Callable[[Answer], str],
                      dates: tuple[str, ...] = (), which: Mapping[str, str | None] | None = None,
                      method: str = "POST", reworded: Callable[[dict[str, Any]], dict[str, Any]] | None = None,
                      not_read: Mapping[str, str] | None = None) -> Response:
    """A change to a record at the version its page showed (If-Match), with :func:`send`. Refused, its ``page``
    again (:func:`record_again`) with the refusal and the boxes as ``typed``; after someone else's change (412)
    the page shows the record as it is now instead."""
    return await send(request, officer, path, body, method=method, headers=at_version(form), fields=fields,
                      again=record_again(page, typed, dates=dates, which=which), done=done, then=then,
                      reworded=reworded, not_read=not_read)


def no_fields(name: str) -> tuple[str, str] | None:
    """For a form with no fields of its own (a button): every refusal is a line in the summary."""
    return None


class Rows:
    """A form's repeated lines (an agenda's items, a consultation's questions, a budget's lines): the boxes
    ``<prefix>-<row>-<name>`` for ``count`` rows, sent as the API's list ``api`` of the lines filled in. A
    refusal of ``<api>.<n>.<name>`` is shown on the row it came from (empty rows are not sent, so the API's
    ``n`` is the n-th filled row)."""

    def __init__(self, api: str, prefix: str, labels: Mapping[str, str], count: int, row_word: str = "row") -> None:
        self.api, self.prefix, self.labels, self.count, self.row_word = api, prefix, labels, count, row_word
        self.sent: list[int] = []

    def typed(self, form: FormData, names: tuple[str, ...] | None = None) -> tuple[list[dict[str, str]], dict[str, str]]:
        """The rows filled in (each as {name: text}, for the fields ``names``, by default every labelled one) and
        every box as typed."""
        names = names or tuple(self.labels)
        lines: list[dict[str, str]] = []
        boxes: dict[str, str] = {}
        self.sent = []
        for row in range(self.count):
            line = {name: first(form.get(f"{self.prefix}-{row}-{name}")) for name in names}
            boxes |= {f"{self.prefix}-{row}-{name}": value for name, value in line.items()}
            if any(line.values()):
                lines.append(line)
                self.sent.append(row)
        return lines, boxes

    def field(self, name: str) -> tuple[str, str] | None:
        """The box on the page for the API's ``<api>.<n>.<name>``; the list as a whole on its first row."""
        head, _, rest = name.partition(".")
        if head != self.api:
            return None
        index, _, rest = rest.partition(".")
        part, whole = rest.partition(".")[0], next(iter(self.labels))
        if index.isdigit() and int(index) < len(self.sent):
            row = self.sent[int(index)]
            part = part if part in self.labels else whole
            return f"{self.prefix}-{row}-{part}", f"{self.labels[part]} in {self.row_word} {row + 1}"
        return f"{self.prefix}-0-{whole}", self.labels[whole]


def fields_of(fixed: Mapping[str, tuple[str, str]], *tables: Rows) -> FieldOnPage:
    """Where an API field is on a form of single fields (``fixed``: API name -> (field id, label)) and rows."""
    def on_page(name: str) -> tuple[str, str] | None:
        if name in fixed:
            return fixed[name]
        return next((found for table in tables if (found := table.field(name)) is not None), None)

    return on_page
