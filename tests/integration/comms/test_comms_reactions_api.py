"""Reactions to the other services' events: briefing items, staff notices, the press release that
waits for the safeguarding board; each once per event id and once per source."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

import pytest
from civic_contracts import Envelope
from civic_contracts.property import (
    AffectedTeam,
    BuildingClosed,
    BuildingClosurePlanned,
    LeaseBreakFlagged,
    MovePlanned,
)
from civic_contracts.safeguarding import AnnualReportPublished, DecisionRecorded
from civic_contracts.savings import (
    InitiativeDelivered,
    InitiativeSlipped,
    MilestoneMissed,
    PaybackMoved,
    RiskRaisedToRed,
    TargetPassed,
)

from tests.conftest import first_version

from .conftest import problem

pytestmark = pytest.mark.integration

WEEK_48 = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)  # a Wednesday in 2026-W48


def envelope(data, at=WEEK_48):
    wrapped = Envelope.wrap(data, source=f"/civic/{data.event_type.split('.')[0]}")
    return wrapped.model_copy(update={"time": at})


def ident(prefix):
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


async def test_building_closure_shows_in_that_weeks_briefing(deliver, author):
    building = ident("b")
    closed = envelope(
        BuildingClosed(
            building_id=building,
            name=f"Lodge Road {building}",
            town="Daventry",
            closed_on=date(2026, 11, 25),
            annual_running_cost_pence=25_000_000,
            annual_carbon_kg=41_000,
        )
    )
    assert await deliver("comms", closed) == "applied"
    assert await deliver("comms", closed) == "duplicate"  # redelivery: no second item
    briefing = (await author.get("/v1/briefings/2026-W48")).json()
    mine = [i for i in briefing["sections"]["property"] if building in i["headline"]]
    assert len(mine) == 1
    assert "closed on 25 November 2026" in mine[0]["headline"]
    assert "£250,000 a year" in mine[0]["detail"]
    other = (await author.get("/v1/briefings/2026-W47")).json()
    assert not [i for i in other["sections"]["property"] if building in i["headline"]]


async def test_savings_and_safeguarding_items(deliver, author):
    tag = ident("x")
    events = [
        InitiativeDelivered(
            initiative_id=ident("i"),
            title=f"Buildings {tag}",
            theme="redesign_reorganisation",
            directorate="Place",
            programme="LGR",
            delivered_pence=50_000_000,
        ),
        InitiativeSlipped(
            initiative_id=ident("i"),
            title=f"Digital {tag}",
            theme="technology_innovation",
            directorate="Corporate",
            from_year="2023/24",
            to_year="2024/25",
            amount_pence=46_800_000,
        ),
        TargetPassed(
            name=f"LGR {tag}",
            target_pence=1_753_000_000,
            delivered_pence=1_252_900_000,
            anticipated_pence=2_147_400_000,
        ),
        DecisionRecorded(
            decision_id=ident("d"),
            board_id="sab",
            board_name=f"Adults Board {tag}",
            meeting_id=None,
            item_title="Strategic plan",
            method="vote",
            outcome="carried",
            decided_on=date(2026, 11, 25),
            requires_ratification=False,
        ),
    ]
    for data in events:
        assert await deliver("comms", envelope(data)) == "applied"
    briefing = (await author.get("/v1/briefings/2026-W48")).json()
    savings = [i["headline"] for i in briefing["sections"]["savings"] if tag in i["headline"]]
    assert len(savings) == 3
    assert any("£16,473,000 above the target" in (i["detail"] or "") for i in briefing["sections"]["savings"])
    assert [i for i in briefing["sections"]["safeguarding"] if tag in i["headline"]]


async def test_closure_planned_drafts_one_staff_notice_naming_the_teams(deliver, author, db):
    building = ident("b")
    data = BuildingClosurePlanned(
        building_id=building,
        name=f"County Hall {building}",
        town="Northampton",
        closure_date=date(2027, 3, 31),
        teams=[
            AffectedTeam(team_id="t1", name="Revenues", directorate="Finance"),
            AffectedTeam(team_id="t2", name="Planning", directorate="Place"),
        ],
    )
    assert await deliver("comms", envelope(data)) == "applied"
    # another event about the same closure (a re-plan): still one draft for the source
    assert await deliver("comms", envelope(data)) == "applied"
    drafts = (
        await db["content"].find({"source_key": f"property.building.closure_planned:{building}"}).to_list()
    )
    assert len(drafts) == 1
    notice = drafts[0]
    assert notice["status"] == "draft" and notice["channels"] == ["intranet", "staff_briefing"]
    assert notice["audience"] == ["staff"] and "Revenues (Finance)" in notice["body"]
    assert "Planning (Place)" in notice["body"]


async def test_the_programme_offices_signals_reach_the_briefing_once(deliver, author):
    """A payback year moving, a red risk and a lease break in sight become items in their week's briefing,
    once each however often delivered."""
    tag = ident("po")
    events = [
        PaybackMoved(programme=f"LGR {tag}", payback_year="2024/25", previous_payback_year="2023/24",
                     investment_pence=2_269_700_000, savings_pence=3_400_300_000),
        RiskRaisedToRed(risk_id=ident("r"), kind="issue", programme=f"LGR {tag}", likelihood=5, impact=4,
                        score=20, previous_rating="amber"),
        LeaseBreakFlagged(building_id=ident("b"), name=f"The Forum {tag}", town="Towcester", building_status="in_use",
                          landlord="Moat Lane Estates", annual_rent_pence=18_500_000, expires_on=date(2031, 3, 31),
                          flagged_on=date(2026, 11, 25), days_until=269, break_on=date(2027, 8, 21),
                          notice_months=6, notice_by=date(2027, 2, 21)),
    ]
    for data in events:
        event = envelope(data)
        assert await deliver("comms", event) == "applied"
        assert await deliver("comms", event) == "duplicate"  # redelivered: no second item
    briefing = (await author.get("/v1/briefings/2026-W48")).json()
    savings = [i["headline"] for i in briefing["sections"]["savings"] if tag in i["headline"]]
    assert sorted(savings) == sorted([
        f"The LGR {tag} programme's investment now pays back in 2024/25 (was 2023/24).",
        f"An issue in the LGR {tag} programme has been rated red.",
    ])
    [lease] = [i for i in briefing["sections"]["property"] if tag in i["headline"]]
    assert lease["headline"].endswith("can be broken on 21 August 2027, notice to be served by 21 February 2027.")


async def test_a_missed_milestone_reaches_the_briefing_once(deliver, author):
    """A milestone announced missed becomes one item in its week's briefing however often delivered."""
    tag = ident("ms")
    event = envelope(MilestoneMissed(milestone_id=ident("m"), initiative_id=ident("i"), programme=f"LGR {tag}",
                                     title="Staff consultation closes", due_on=date(2026, 11, 20), days_overdue=5))
    assert await deliver("comms", event) == "applied"
    assert await deliver("comms", event) == "duplicate"  # redelivered: no second item
    briefing = (await author.get("/v1/briefings/2026-W48")).json()
    [item] = [i for i in briefing["sections"]["savings"] if tag in i["headline"]]
    assert item["headline"] == (
        f"A milestone of the LGR {tag} programme is overdue: Staff consultation closes, due on 20 November 2026.")
    assert item["detail"].startswith("5 days overdue")


async def test_move_planned_drafts_a_staff_notice(deliver, db):
    move = ident("m")
    data = MovePlanned(
        move_id=move,
        team_id="t2",
        team_name="Planning",
        directorate="Place",
        from_building_id="b1",
        from_building_name="One Angel Square",
        to_building_id="b3",
        to_building_name="The Forum",
        planned_for=date(2027, 1, 4),
    )
    await deliver("comms", envelope(data))
    notice = await db["content"].find_one({"source_key": f"property.move.planned:{move}"})
    assert notice and "The Forum" in notice["title"] and notice["audience"] == ["staff"]


async def test_annual_report_press_release_waits_for_the_board(deliver, author, approver, move, outbox, db):
    report = ident("ar")
    data = AnnualReportPublished(
        annual_report_id=report,
        board_id="sab",
        board_name="Safeguarding Adults Board",
        year="2025/26",
        title="Keeping adults safe",
        published_on=date(2026, 11, 25),
    )
    await deliver("comms", envelope(data))
    release = await db["content"].find_one({"source_key": f"safeguarding.annual_report.published:{report}"})
    assert release["requires_approval_by"] == "safeguarding_board" and release["author"] == "civic-comms"
    cid = release["_id"]
    assert (await move(author, cid, "in_review")).status_code == 200
    problem(await move(approver, cid, "approved"), 409)
    problem(await move(approver, cid, "published"), 409)
    assert (await author.get(f"/v1/content/{cid}")).json()["status"] == "in_review"
    assert await outbox(cid) == []
    # the board authorises its press release by a decision of its own, which comms hears of
    decision = ident("d")
    authorised = DecisionRecorded(
        decision_id=decision,
        board_id="sab",
        board_name="Safeguarding Adults Board",
        meeting_id=None,
        item_title="Press release: annual report 2025/26",
        method="between_meetings",
        outcome="agreed",
        decided_on=date(2026, 11, 26),
        requires_ratification=True,
        authorises_content_id=cid,
    )
    assert await deliver("comms", envelope(authorised)) == "applied"
    [sign_off] = (await author.get(f"/v1/content/{cid}")).json()["sign_offs"]
    assert (sign_off["body"], sign_off["signed_by"], sign_off["decision_id"]) == (
        "safeguarding_board",
        "Safeguarding Adults Board",
        decision,
    )
    assert (await move(approver, cid, "approved")).status_code == 200
    assert (await move(approver, cid, "published")).status_code == 200
    assert await outbox(cid) == ["comms.content.approved", "comms.content.published"]
    briefing = (await author.get("/v1/briefings/2026-W48")).json()
    assert any("Keeping adults safe" in i["headline"] for i in briefing["sections"]["safeguarding"])


async def test_media_coverage_goes_into_its_week(author, db):
    outlet = ident("BBC Northampton")
    logged = await author.post(
        "/v1/media-coverage",
        json={
            "outlet": outlet,
            "headline": "Council bids for city status",
            "published_on": "2026-11-23",
            "sentiment": "positive",
        },
    )
    first_version(logged)
    briefing = (await author.get("/v1/briefings/2026-W48")).json()
    assert [i for i in briefing["sections"]["media"] if outlet in i["headline"]]
    before = await db["media_coverage"].count_documents({})
    problem(
        await author.post(
            "/v1/media-coverage",
            json={"outlet": outlet, "headline": "x", "published_on": "2026-11-23", "sentiment": "glowing"},
        ),
        422,
    )
    assert await db["media_coverage"].count_documents({}) == before


@pytest.mark.parametrize("week", ["2026-48", "2026-W54", "2021-W53", "W48"])
async def test_malformed_week_is_422(author, week):
    problem(await author.get(f"/v1/briefings/{week}"), 422)


async def send_to_property_topic(stack, key, *envelopes):
    """Each envelope, in order, onto property.events.v1 through the real broker, keyed by ``key``."""
    from aiokafka import AIOKafkaProducer

    producer = AIOKafkaProducer(bootstrap_servers=stack.kafka_bootstrap(), acks="all")
    await producer.start()
    try:
        for wrapped in envelopes:
            await producer.send_and_wait(
                "property.events.v1", wrapped.model_dump_json(exclude_none=True).encode(), key=key.encode()
            )
    finally:
        await producer.stop()


async def test_the_same_event_twice_on_the_bus_makes_one_item(stack, author, db):
    """Through the real broker: the consumer's inbox drops the redelivered event id."""
    from tests.conftest import eventually

    building = ident("b")
    data = BuildingClosed(
        building_id=building,
        name=f"Bus House {building}",
        town="Towcester",
        closed_on=date(2026, 11, 25),
        annual_running_cost_pence=1_000_000,
        annual_carbon_kg=900,
    )
    wrapped = envelope(data)
    await send_to_property_topic(stack, building, wrapped, wrapped)
    inbox_query = {"headline": {"$regex": building}}

    async def stored() -> int:
        return int(await db["briefing_items"].count_documents(inbox_query))

    await eventually(stored, timeout=30)
    # a later event on the same key comes after both copies: once it is in, both were handled
    later = envelope(
        BuildingClosed(
            building_id=building,
            name=f"Bus House {building} again",
            town="Towcester",
            closed_on=date(2026, 11, 26),
            annual_running_cost_pence=1,
            annual_carbon_kg=1,
        )
    )
    await send_to_property_topic(stack, building, later)

    async def both() -> bool:
        return await stored() == 2

    await eventually(both, timeout=30)
    assert await db["briefing_items"].count_documents({"source_event_id": wrapped.id}) == 1
