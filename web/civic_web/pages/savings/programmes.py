"""A programme's page: its investment (the cost of change, line by line) against the savings it buys, as the
API reckons the payback, and its monthly highlight reports (issued, kept as the board saw them, or generated
now), each printable. An officer who keeps the programme (``savings:write``) records and changes investment
lines and issues a month's report; everyone who reads savings sees the rest."""

from __future__ import annotations

import asyncio
from functools import partial
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import FormData

from civic_web.gateway import Refused
from civic_web.layout import link
from civic_web.pages import ask, first, form_at, gateway_of, in_address, page_at, render, segment
from civic_web.pages.forms import as_filled, boxes_typed, new_record_page, pounds_typed, send, send_change, send_new
from civic_web.pages.savings.programme import AMOUNT, keeps_programme
from civic_web.pages.savings.section import PROGRAMME, reads
from civic_web.refusals import Refusal
from civic_web.sessions import SignedInOfficer
from civic_web.vocabulary import body_choices, pounds, words_for

router = APIRouter(include_in_schema=False)

#: the API's name -> (the form field's id, what it is called), on a new line's form and a line's change
LINE_FIELDS = {
    "category": ("category", "Category"),
    "year": ("year", "Financial year"),
    "amount_pence": ("amount", "Cost"),
    "description": ("description", "Description"),
}
#: the categories if the API's description does not answer (the finance report's order)
CATEGORIES = ("pilots", "transformation", "other", "staff")
MONTH_FIELD = {"month": ("month", "Month")}


def programme_address(name: str) -> str:
    return f"/savings/programmes/{segment(name)}"


def _lines_api(name: str, line_id: str | None = None) -> str:
    lines = f"{PROGRAMME}/programmes/{segment(name)}/investment"
    return f"{lines}/{segment(line_id)}" if line_id else lines


async def _categories(request: Request) -> list[str]:
    document = await gateway_of(request).document()
    return body_choices(document, f"{PROGRAMME}/programmes/{{name}}/investment", "post", "category") or list(CATEGORIES)


# ---------------------------------------------------------------- the programme: payback and investment


def _payback_rows(payback: dict[str, Any]) -> list[list[dict[str, Any]]]:
    """The payback by year, as GOV.UK's table (built here: a cell in the template cost a dozen calls)."""
    money = ("investment_pence", "savings_pence", "net_benefit_pence", "cumulative_net_benefit_pence", "cost_avoided_pence")
    rows = [
        [{"text": row["year"]}, *({"text": pounds(row.get(key)), "format": "numeric"} for key in money)]
        for row in payback.get("years", [])
    ]
    rows.append(
        [
            {"text": "Total", "classes": "govuk-!-font-weight-bold"},
            *(
                {"text": pounds(payback.get(key)), "format": "numeric", "classes": "govuk-!-font-weight-bold"}
                for key in ("investment_pence", "savings_pence", "net_benefit_pence")
            ),
            {"text": ""},
            {"text": pounds(payback.get("cost_avoided_pence")), "format": "numeric", "classes": "govuk-!-font-weight-bold"},
        ]
    )
    return rows


def _line_rows(name: str, lines: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    return [
        [
            {
                "html": link(
                    f"/savings/programmes/{in_address(name)}/investment/{in_address(line.get('id', ''))}",
                    words_for(line.get("category")),
                )
            },
            {"text": line.get("year")},
            {"text": pounds(line.get("amount_pence")), "format": "numeric"},
            {"text": line.get("description") or ""},
        ]
        for line in lines
    ]


async def _programme_page(request: Request, officer: SignedInOfficer, name: str) -> Response:
    payback, lines = await asyncio.gather(
        ask(request, officer, f"{PROGRAMME}/reports/payback/{segment(name)}"),
        ask(request, officer, _lines_api(name), {"limit": "100"}),
    )
    return render(
        request,
        "savings/programme.html",
        {
            "name": name,
            "payback": payback.body,
            "payback_rows": _payback_rows(payback.body),
            "line_rows": _line_rows(name, lines.body.get("items", [])),
            "more_lines": bool(lines.body.get("next_cursor")),
        },
    )


page_at(router, "/programmes/{name}", page=_programme_page, shown_to=reads)


async def _new_line_form(request: Request, officer: SignedInOfficer, name: str) -> dict[str, Any]:
    return {"name": name, "categories": await _categories(request)}


_new_line_page = new_record_page("savings/investment_new.html", _new_line_form)


def _line_body(typed: dict[str, str]) -> tuple[dict[str, Any], dict[str, str]]:
    """A line's body from its boxes, and what the page could not read (an amount that is not one)."""
    pence, not_read = pounds_typed(typed["amount"], "amount", "Cost", AMOUNT)
    body: dict[str, Any] = {
        "category": typed["category"] or None,
        "year": typed["year"] or None,
        "description": typed["description"] or None,
    }
    if pence is not None:
        body["amount_pence"] = pence
    return body, not_read


@form_at(router, "/programmes/{name}/investment/new", page=_new_line_page, may=keeps_programme)
async def record_line(request: Request, officer: SignedInOfficer, form: FormData, name: str) -> Response:
    typed = boxes_typed(form, ("category", "year", "amount", "description"))
    body, not_read = _line_body(typed)
    body = {key: value for key, value in body.items() if value is not None}
    return await send_new(
        request,
        officer,
        _lines_api(name),
        body,
        form=form,
        typed=typed,
        page=partial(_new_line_page, request, officer, name),
        fields=LINE_FIELDS.get,
        not_read=not_read,
        done=lambda answer: (
            f"{pounds(answer.body.get('amount_pence'))} of "
            f"{words_for(answer.body.get('category')).lower()} in "
            f"{answer.body.get('year')} is recorded."
        ),
        then=programme_address(name) + "#investment",
    )


async def _line_page(
    request: Request,
    officer: SignedInOfficer,
    name: str,
    line_id: str,
    *,
    refusal: Refusal | None = None,
    typed: dict[str, str] | None = None,
) -> Response:
    """An investment line as it is now (after someone else's change too), with its change form for an officer who
    keeps the programme, filled as typed after a refusal."""
    answer, categories = await asyncio.gather(ask(request, officer, _lines_api(name, line_id)), _categories(request))
    line = answer.body
    if typed is None:
        typed = {
            "category": line.get("category", ""),
            "year": line.get("year", ""),
            "amount": pounds(line.get("amount_pence")).removeprefix("£"),
            "description": line.get("description") or "",
        }
    return render(
        request,
        "savings/investment_line.html",
        {
            "name": name,
            "line": line,
            "version": answer.version or "",
            "categories": categories,
            "typed": typed,
        },
        refusal,
    )


@form_at(router, "/programmes/{name}/investment/{line_id}", page=_line_page, may=keeps_programme, shown_to=reads)
async def change_line(request: Request, officer: SignedInOfficer, form: FormData, name: str, line_id: str) -> Response:
    typed = boxes_typed(form, ("category", "year", "amount", "description"))
    body, not_read = _line_body(typed)
    if "amount_pence" not in body and not not_read:  # an emptied amount: the API says it cannot be emptied
        body["amount_pence"] = None
    return await send_change(
        request,
        officer,
        _lines_api(name, line_id),
        body,
        method="PATCH",
        form=form,
        page=partial(_line_page, request, officer, name, line_id),
        typed=typed,
        fields=LINE_FIELDS.get,
        not_read=not_read,
        done="The investment line is changed.",
        then=programme_address(name) + "#investment",
    )


# ---------------------------------------------------------------- highlight reports


def _reports_api(name: str, month: str | None = None) -> str:
    reports = f"{PROGRAMME}/programmes/{segment(name)}/highlight-reports"
    return f"{reports}/{segment(month)}" if month else reports


async def _reports_page(
    request: Request,
    officer: SignedInOfficer,
    name: str,
    *,
    refusal: Refusal | None = None,
    typed: dict[str, str] | None = None,
) -> Response:
    month = first(request.query_params.get("month"))
    if month and refusal is None:  # "Read a month's report": the month's own address
        return RedirectResponse(f"/savings/programmes/{segment(name)}/highlight-reports/{segment(month)}", 303)
    cursor = first(request.query_params.get("cursor"))
    answer = await ask(request, officer, _reports_api(name), {"limit": "24", **({"cursor": cursor} if cursor else {})})
    issued = answer.body.get("items", [])
    return render(
        request,
        "savings/highlight_reports.html",
        {
            "name": name,
            "rows": [
                [
                    {
                        "html": link(
                            f"/savings/programmes/{in_address(name)}/highlight-reports/{in_address(r.get('month', ''))}",
                            r.get("month", ""),
                        )
                    },
                    {"text": words_for(r.get("rag")) or "Not rated"},
                    {"text": r.get("issued_by") or ""},
                ]
                for r in issued
            ],
            "next_page": f"?cursor={in_address(answer.body['next_cursor'])}" if answer.body.get("next_cursor") else None,
            "first_page": "?" if cursor else None,
            **as_filled(typed, None),
        },
        refusal,
    )


@form_at(router, "/programmes/{name}/highlight-reports", page=_reports_page, may=keeps_programme, shown_to=reads)
async def issue_report(request: Request, officer: SignedInOfficer, form: FormData, name: str) -> Response:
    typed = boxes_typed(form, ("month",))
    month = typed["month"]
    not_read = {} if month else {"month": "Enter the month to issue, like 2024-05"}

    async def again(refusal: Refusal) -> Response:
        return await _reports_page(request, officer, name, refusal=refusal, typed=typed)

    return await send(
        request,
        officer,
        _reports_api(name, month) + "/issue",
        {},
        fields=MONTH_FIELD.get,
        again=again,
        not_read=not_read,
        done=f"The highlight report for {month} is issued and kept as it is now.",
        then=f"/savings/programmes/{segment(name)}/highlight-reports/{segment(month)}",
    )


async def _report_page(request: Request, officer: SignedInOfficer, name: str, month: str) -> Response:
    try:
        report = (await ask(request, officer, _reports_api(name, month))).body
    except Refused as refused:
        if refused.status not in (400, 422):
            raise
        return render(request, "savings/highlight_report.html", {"name": name, "month": month, "report": None})
    return render(request, "savings/highlight_report.html", {"name": name, "month": month, "report": report})


page_at(router, "/programmes/{name}/highlight-reports/{month}", page=_report_page, shown_to=reads)
