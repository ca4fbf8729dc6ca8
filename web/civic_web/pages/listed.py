"""A list page of the API's: its filters (query parameters the API takes, as the page's boxes), one page of the
API's items at a time by its cursor, and a filter the API refuses said on its box; and a register (the RAID log,
the shared services), such a list whose records have a kind and a status, as its pages show them."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import Response

from civic_web.gateway import Refused
from civic_web.layout import link
from civic_web.pages import ask, first, gateway_of, in_address, render
from civic_web.refusals import Refusal, refusal_from
from civic_web.sessions import SignedInOfficer
from civic_web.vocabulary import body_choices, parameter_choices, words_for


@dataclass
class Listed:
    """What a list page shows: the filters as chosen, the items, the links to the first and next pages, and
    the refusal of a filter."""

    chosen: dict[str, str]
    items: list[dict[str, Any]] = field(default_factory=list)
    next_page: str | None = None
    first_page: str | None = None
    refusal: Refusal | None = None

    @property
    def filtered(self) -> bool:
        return any(self.chosen.values())

    def context(self) -> dict[str, Any]:
        """The template's names for it: chosen, filtered, next_page, first_page."""
        return {"chosen": self.chosen, "filtered": self.filtered, "next_page": self.next_page,
                "first_page": self.first_page}  # fmt: skip


async def listed(request: Request, officer: SignedInOfficer, path: str, filters: Mapping[str, str],
                 page_size: int) -> Listed:  # fmt: skip
    """One page of the API's list at ``path``, filtered by the page's query (``filters``: the API's parameter ->
    what its box is called)."""
    chosen = {name: first(request.query_params.get(name)) for name in filters}
    cursor = first(request.query_params.get("cursor"))
    query = {name: value for name, value in chosen.items() if value}
    found = Listed(chosen)
    try:
        asked = {"limit": str(page_size), **query, **({"cursor": cursor} if cursor else {})}
        page = (await ask(request, officer, path, asked)).body
    except Refused as refused:
        found.refusal = refusal_from(refused.problem, lambda n: (n, filters[n]) if n in filters else None, refused.status)
        return found
    found.items = page.get("items", [])
    if page.get("next_cursor"):
        found.next_page = f"?{urlencode({**query, 'cursor': page['next_cursor']})}"
    if cursor:
        found.first_page = f"?{urlencode(query)}"
    return found


@dataclass(frozen=True)
class Register:
    """A register's list page and the choices its forms offer: its records listed at ``path`` by ``filters``, each
    with a kind (as the API's new record at ``kinds_at`` takes it) and a status (as the list's filter takes it);
    ``kinds`` and ``statuses`` when the API's description does not answer. Its table's rows start with the record
    (its ``named_by`` field, a link to its page under ``address``) and its kind, then its own ``columns``."""

    path: str
    kinds_at: str
    filters: Mapping[str, str]
    kinds: tuple[str, ...]
    statuses: tuple[str, ...]
    template: str
    address: str
    named_by: str
    columns: Callable[[dict[str, Any]], list[dict[str, Any]]]
    page_size: int = 50

    def rows(self, records: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
        return [[{"html": link(f"{self.address}/{in_address(r.get('id', ''))}", r.get(self.named_by, ""))},
                 {"text": words_for(r.get("kind"))}, *self.columns(r)] for r in records]  # fmt: skip

    async def choices(self, request: Request) -> dict[str, list[str]]:
        """The kinds and statuses its forms and filters offer, as the API describes them."""
        document = await gateway_of(request).document()
        return {
            "kinds": body_choices(document, self.kinds_at, "post", "kind") or list(self.kinds),
            "statuses": parameter_choices(document, self.path, "get", "status") or list(self.statuses),
        }

    async def page(self, request: Request, officer: SignedInOfficer) -> Response:
        """The list page: one page of the records as filtered, a refused filter said on its box."""
        found, choices = await asyncio.gather(
            listed(request, officer, self.path, self.filters, self.page_size), self.choices(request)
        )
        return render(request, self.template, {**choices, **found.context(), "rows": self.rows(found.items)}, found.refusal)
