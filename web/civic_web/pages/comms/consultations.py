"""Consultations, a new one with its questions, and one's page with its results as the API counts them on each
visit (closed early with ``comms:write``); every response as the API's CSV or as a workbook (``spreadsheets.py``)."""

from __future__ import annotations

import asyncio
import csv
import io
from functools import partial
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from starlette.datastructures import FormData

from civic_web.pages import ask, form_at, gateway_of, page_at, render, request_id, segment, sent_to
from civic_web.pages.comms.section import API, get, may_draft, reads
from civic_web.pages.forms import Rows, as_filled, at_version, boxes_typed, date_typed, fields_of, no_fields, send, send_new
from civic_web.refusals import Refusal
from civic_web.sessions import SignedInOfficer, signed_in
from civic_web.spreadsheets import XLSX, Sheet, workbook_of
from civic_web.vocabulary import body_choices, item_choices

router = APIRouter(include_in_schema=False)


@router.get("/consultations")
async def consultations(request: Request, officer: SignedInOfficer = Depends(signed_in)) -> Response:
    reads(officer)
    page = (await get(request, officer, "/consultations", {"limit": "100"})).body
    return render(request, "comms/consultations.html", {"items": page.get("items", [])})


# ---------------------------------------------------------------- a new consultation
# (declared before /consultations/{consultation_id}, which would take "new")

QUESTION_ROWS = 5
CONSULTATION_FIELDS = {"title": ("title", "Title"), "description": ("description", "Description"),
                       "kind": ("kind", "Kind"), "opens_on": ("opens-day", "Opens"), "closes_on": ("closes-day", "Closes")}


def _questions() -> Rows:
    return Rows("questions", "question", {"text": "Question", "kind": "Kind of answer", "options": "Options",
                                          "required": "Must be answered"}, QUESTION_ROWS, row_word="question")


async def _new_consultation_page(request: Request, officer: SignedInOfficer, *, refusal: Refusal | None = None,
                                 typed: dict[str, str] | None = None, attempt: str | None = None) -> Response:
    document = await gateway_of(request).document()
    return render(request, "comms/new_consultation.html", {
        "kinds": body_choices(document, f"{API}/consultations", "post", "kind"),
        "question_kinds": item_choices(document, f"{API}/consultations", "post", "questions", "kind"),
        "question_rows": range(QUESTION_ROWS), **as_filled(typed, attempt),
    }, refusal)


@form_at(router, "/consultations/new", page=_new_consultation_page, may=may_draft)
async def create_consultation(request: Request, officer: SignedInOfficer, form: FormData) -> Response:
    opens_on, typed = date_typed(form, "opens")
    closes_on, typed_closes = date_typed(form, "closes")
    typed |= typed_closes | boxes_typed(form, ("title", "description", "kind"))
    questions = _questions()
    lines, boxes = questions.typed(form, ("text", "kind", "options", "required"))
    body: dict[str, Any] = {name: typed[name] for name in ("title", "description", "kind") if typed[name]}
    body |= {name: value for name, value in (("opens_on", opens_on), ("closes_on", closes_on)) if value}
    # a choice's options one a line, as the officer lists them; the API says which kinds take options
    body["questions"] = [{"text": line["text"], "kind": line["kind"], "required": line["required"] == "yes",
                          **({"options": [o.strip() for o in line["options"].splitlines() if o.strip()]}
                             if line["options"] else {})} for line in lines]
    return await send_new(request, officer, f"{API}/consultations", body, form=form, typed=typed | boxes,
                          page=partial(_new_consultation_page, request, officer), dates=("opens", "closes"),
                          fields=fields_of(CONSULTATION_FIELDS, questions),
                          done=lambda answer: f"{answer.body.get('title', 'The consultation')} is set up.",
                          then=lambda answer: f"/comms/consultations/{segment(str(answer.body['id']))}")


# ---------------------------------------------------------------- a consultation


async def _consultation_page(request: Request, officer: SignedInOfficer, consultation_id: str, *,
                             refusal: Refusal | None = None) -> Response:
    here = f"/consultations/{segment(consultation_id)}"
    found, results = await asyncio.gather(get(request, officer, here), get(request, officer, f"{here}/results"))
    return render(request, "comms/consultation.html", {
        "consultation": found.body, "version": found.version or "", "results": results.body,
    }, refusal)


page_at(router, "/consultations/{consultation_id}", page=_consultation_page, shown_to=reads)


@sent_to(router, "/consultations/{consultation_id}/close", may=may_draft)
async def close_consultation(request: Request, officer: SignedInOfficer, form: FormData, consultation_id: str) -> Response:
    """Close an open consultation now (it otherwise closes by itself when its time comes)."""

    async def again(refusal: Refusal) -> Response:
        return await _consultation_page(request, officer, consultation_id, refusal=refusal)

    return await send(request, officer, f"{API}/consultations/{segment(consultation_id)}/close", None,
                      headers=at_version(form), fields=no_fields, again=again,
                      done="The consultation is closed: it takes no more responses.",
                      then=f"/comms/consultations/{segment(consultation_id)}")


@router.get("/consultations/{consultation_id}/responses.csv")
async def responses_csv(consultation_id: str, request: Request, officer: SignedInOfficer = Depends(signed_in)) -> Response:
    """Every response, as the API writes it (CSV)."""
    reads(officer)
    got = await gateway_of(request).download(officer.token, f"{API}/consultations/{segment(consultation_id)}/responses.csv",
                                             request_id(request))
    return Response(got.content, media_type=got.media_type, headers={
        "Content-Disposition": f'attachment; filename="consultation-{consultation_id[:64]}-responses.csv"'})


@router.get("/consultations/{consultation_id}/responses.xlsx")
async def responses_xlsx(consultation_id: str, request: Request, officer: SignedInOfficer = Depends(signed_in)) -> Response:
    """Every response as a workbook: the API's CSV, laid out as a worksheet (one row a response)."""
    reads(officer)
    here = f"{API}/consultations/{segment(consultation_id)}"
    found, got = await asyncio.gather(
        ask(request, officer, here),
        gateway_of(request).download(officer.token, f"{here}/responses.csv", request_id(request)))
    rows = list(csv.reader(io.StringIO(got.content.decode("utf-8-sig"))))
    head, rows = (rows[0], rows[1:]) if rows else ([], [])
    title = str(found.body.get("title", "Consultation"))
    sheet = Sheet("Responses", [title, f"{len(rows)} responses, as recorded on the platform"], head, rows,
                  number_format=None)
    return Response(workbook_of([sheet]), media_type=XLSX, headers={
        "Content-Disposition": f'attachment; filename="consultation-{consultation_id[:64]}-responses.xlsx"'})
