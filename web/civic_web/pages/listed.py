"""A list page of the API's: its filters (query parameters the API takes, as the page's boxes), one page of the
API's items at a time by its cursor, and a filter the API refuses said on its box."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from fastapi import Request

from civic_web.gateway import Refused
from civic_web.pages import ask, first
from civic_web.refusals import Refusal, refusal_from
from civic_web.sessions import SignedInOfficer


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
