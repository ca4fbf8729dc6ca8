"""The records a board keeps, read and changed the same way whatever they record.

Members, meetings, decisions, SARs, budgets, sub-groups, annual reports and disputes are each a
document in a collection of their own, carrying the `board_id` of the board that keeps them (a
board is one too, read and changed the same way, though no board keeps it).
Reading them is the same for every kind (the board's records a page at a time, one record by its
id), and so are the first and last steps of every change (load it, checking If-Match; save it over
what was loaded), the whole of a change that only applies one of the model's rules. Each kind says
what differs: its collection, its model, how a 404 names it and its API form. The rules stay in the
areas' domain.py, the use cases in their service.py.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from civic import documents
from civic.documents import resource
from civic.http import Page, paginate
from civic.service import Runtime
from civic.uow import UnitOfWork

from civic_safeguarding.repository import BOARDS, Source, insert_model, loaded, save_model, to_model

T = TypeVar("T")
#: a stored document -> what the API answers with
View = Callable[[dict[str, Any]], dict[str, Any]]
#: a stored document and the caller's clearance -> what the API answers with
ClearedView = Callable[[dict[str, Any], bool], dict[str, Any]]


def withheld_view(confidential_fields: Iterable[str]) -> ClearedView:
    """The API form of a record holding confidential details: `(doc, confidential)`; without `confidential`
    (the caller's clearance) the `confidential_fields` are withheld and the form says so."""
    fields = tuple(confidential_fields)

    def view(doc: dict[str, Any], confidential: bool) -> dict[str, Any]:
        shown = resource(doc)
        if not confidential:
            for key in fields:
                shown.pop(key, None)
            shown["confidential_withheld"] = True
        return shown

    return view


@dataclass(frozen=True)
class Records(Generic[T]):
    """One kind of record: where it is kept, what it is, how a 404 names it, how the API shows it, and the
    keys its document keeps beside the model's fields (`derived` from the model, for queries), which every
    insert and save writes anew."""

    collection: str
    model: type[T]
    kind: str
    view: View = resource
    derived: Callable[[T], dict[str, Any]] | None = None
    #: a kind holding confidential details: its API form for a caller cleared for them or not
    cleared_view: ClearedView | None = None

    async def of_board(
        self,
        rt: Runtime,
        board_id: str,
        page: Page,
        *,
        where: dict[str, Any] | None = None,
        view: View | None = None,
    ) -> dict[str, Any]:
        """The board's records (those `where` picks out, if given), a page at a time, in the API form
        (`view` when this page needs another); NotFound when there is no such board."""
        await documents.load(rt.db, BOARDS, board_id, kind="board")
        query = {"board_id": board_id, **(where or {})}
        return await paginate(rt.db[self.collection], query, page, transform=view or self.view)

    async def one(self, rt: Runtime, id: str, *, view: View | None = None) -> dict[str, Any]:
        """One record by its id, in the API form (or `view`'s); NotFound naming the kind."""
        return (view or self.view)(await documents.load(rt.db, self.collection, id, kind=self.kind))

    def shown(self, confidential: bool) -> View:
        """The API form for a caller cleared for the confidential details (`confidential`) or not."""
        cleared = self.cleared_view
        if cleared is None:
            return self.view
        return lambda doc: cleared(doc, confidential)

    async def of_board_shown(self, rt: Runtime, board_id: str, page: Page, confidential: bool) -> dict[str, Any]:
        """The board's records a page at a time, as a caller cleared (`confidential`) or not is shown them."""
        return await self.of_board(rt, board_id, page, view=self.shown(confidential))

    async def one_shown(self, rt: Runtime, id: str, confidential: bool) -> dict[str, Any]:
        """One record by its id, as a caller cleared (`confidential`) or not is shown it."""
        return await self.one(rt, id, view=self.shown(confidential))

    async def load(self, source: Source, id: str, expected: int | None = None) -> tuple[dict[str, Any], T]:
        """The stored document and the model made from it; PreconditionFailed when If-Match (`expected`)
        names another version."""
        doc = await loaded(source, self.collection, id, self.kind, expected)
        return doc, to_model(self.model, doc)

    async def change(self, rt: Runtime, id: str, expected: int | None, rule: Callable[[T], object]) -> dict[str, Any]:
        """One record changed by one of its model's rules, `rule`, that needs nothing else read and
        announces nothing, in its own unit of work: loaded (If-Match), changed, saved. The saved document."""

        async def work(uow: UnitOfWork) -> dict[str, Any]:
            doc, model = await self.load(uow, id, expected)
            rule(model)
            return await self.save(uow, doc, model)

        saved: dict[str, Any] = await rt.transaction(work)
        return saved

    async def insert(self, uow: UnitOfWork, model: T, **extra: Any) -> dict[str, Any]:
        return await insert_model(uow, self.collection, model, **self._derived(model), **extra)

    async def save(self, uow: UnitOfWork, loaded: dict[str, Any], model: T, **extra: Any) -> dict[str, Any]:
        """Save the changed model over the document it was loaded from (`extra`: keys beside it)."""
        return await save_model(uow, self.collection, loaded, model, **self._derived(model), **extra)

    def _derived(self, model: T) -> dict[str, Any]:
        return self.derived(model) if self.derived else {}
