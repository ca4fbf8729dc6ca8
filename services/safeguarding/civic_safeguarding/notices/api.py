"""HTTP <-> decision notices (published by the decisions flows, read here). Translation only."""

from __future__ import annotations

from typing import Annotated, Any

from civic.http import Id, IsoDate, Paging, Rt
from fastapi import Query

from civic_safeguarding.http import AreaRouter, Reader
from civic_safeguarding.notices import service

router = AreaRouter()


@router.get("/boards/{board_id}/decision-notices")
async def list_decision_notices(
    board_id: Id,
    page: Paging,
    caller: Reader,
    rt: Rt,
    start: Annotated[IsoDate | None, Query(alias="from", description="decided on or after this day")] = None,
    end: Annotated[IsoDate | None, Query(alias="to", description="decided on or before this day, not before from")] = None,
) -> dict[str, Any]:
    return await service.list_notices(rt, board_id, page, start, end)


router.record("/decision-notices/{decision_notice_id}", "get_decision_notice", service.NOTICE_RECORDS.one)
