"""Occupancy readings in bulk: a CSV file of readings (building_id, date, occupied_desks), sent to the API as
it is. The API reads it and imports the whole file or none of it; a refusal lists every bad row by its line
in the file, so the officer can put the file right and send it again."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.datastructures import FormData, UploadFile

from civic_web.gateway import Answer, Upload
from civic_web.pages import form_at, render
from civic_web.pages.forms import attempt_of, send
from civic_web.pages.property.section import API, changes
from civic_web.refusals import Refusal
from civic_web.sessions import SignedInOfficer
from civic_web.vocabulary import day, words_for

router = APIRouter(include_in_schema=False)

HERE = "/property/occupancy/import"
#: what a column of the file is called on the page
COLUMN_WORDS = {"building_id": "building", "date": "date", "occupied_desks": "desks occupied"}


async def _import_page(request: Request, officer: SignedInOfficer, *, refusal: Refusal | None = None,
                       attempt: str | None = None) -> Response:
    return render(request, "property/import.html", {"attempt": attempt or uuid.uuid4().hex}, refusal)


def _by_line(problem: dict[str, Any]) -> dict[str, Any]:
    """Every bad row's problem against the file, by its line and column, after the API's sentence."""
    lines = []
    for error in problem.get("errors") or ():
        if not isinstance(error, dict):
            continue
        column = str(error.get("field") or "")
        named = COLUMN_WORDS.get(column) or words_for(column).lower()
        where = f"line {error['line']}, {named}: " if error.get("line") else ""
        lines.append({"field": "file", "message": where + str(error.get("message", ""))})
    return {**problem, "errors": lines}


@form_at(router, "/occupancy/import", page=_import_page, may=changes)
async def import_readings(request: Request, officer: SignedInOfficer, form: FormData) -> Response:
    chosen = form.get("file")
    content = await chosen.read() if isinstance(chosen, UploadFile) else b""
    attempt = attempt_of(form)

    async def again(refusal: Refusal) -> Response:
        # the field's own message is the API's whole sentence (how many rows, which lines); the summary lists them
        detail = refusal.problem.get("detail")
        if detail and "file" in refusal.fields:
            refusal.fields["file"] = str(detail)
        return await _import_page(request, officer, refusal=refusal, attempt=attempt)

    def done(answer: Answer) -> str:
        found = answer.body
        return (f"{found.get('imported')} readings imported for {found.get('buildings')} buildings, from "
                f"{day(found.get('from'))} to {day(found.get('to'))}: {found.get('created')} new, "
                f"{found.get('replaced')} correcting earlier readings.")

    return await send(request, officer, f"{API}/occupancy/import", Upload(content, "text/csv"),
                      headers={"Idempotency-Key": attempt}, fields=lambda name: ("file", "") if name == "file" else None,
                      reworded=_by_line, again=again, done=done, then=HERE)
