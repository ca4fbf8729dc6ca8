"""The councillor briefing, ISO weeks, and the drafts written in reaction to other services."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from civic.errors import Invalid
from civic_comms.briefing.domain import (
    IsoWeek,
    compose,
    item_from_media,
    long_date,
    pounds,
    press_release_for_annual_report,
    staff_notice_for_closure,
    staff_notice_for_move,
)
from civic_comms.content.domain import Content
from civic_comms.handlers import BRIEFED_EVENTS, briefing_item
from civic_contracts import REGISTRY
from civic_contracts.property import MovePlanned


@pytest.mark.parametrize(
    ("text", "monday", "sunday"),
    [
        ("2026-W48", date(2026, 11, 23), date(2026, 11, 29)),
        ("2026-W01", date(2025, 12, 29), date(2026, 1, 4)),
        ("2020-W53", date(2020, 12, 28), date(2021, 1, 3)),
    ],
)
def test_iso_weeks(text: str, monday: date, sunday: date) -> None:
    week = IsoWeek.parse(text)
    assert (week.monday, week.sunday, str(week)) == (monday, sunday, text)


@pytest.mark.parametrize(
    "text",
    [
        "2026-48",
        "2026-W0",
        "2026-W00",
        "2026-W54",
        "2021-W53",
        "W48-2026",
        "2026w48",
        "",
    ],
)
def test_malformed_weeks(text: str) -> None:
    with pytest.raises(Invalid):
        IsoWeek.parse(text)


def test_week_of_a_moment_is_in_council_time() -> None:
    # Sunday 29 Nov 2026 23:30 UTC is still Sunday in London (GMT): week 48
    assert str(IsoWeek.of(datetime(2026, 11, 29, 23, 30, tzinfo=UTC))) == "2026-W48"
    # Sunday 28 Jun 2026 23:30 UTC is Monday 00:30 in London (BST): week 27
    assert str(IsoWeek.of(datetime(2026, 6, 28, 23, 30, tzinfo=UTC))) == "2026-W27"
    week = IsoWeek.parse("2026-W27")
    assert week.starts_at == datetime(2026, 6, 28, 23, tzinfo=UTC)


@pytest.mark.parametrize(
    ("pence", "text"),
    [
        (1_753_000_000, "£17,530,000"),
        (14_534_050, "£145,340.50"),
        (0, "£0"),
        (-46_800_000, "-£468,000"),
    ],
)
def test_pounds(pence: int, text: str) -> None:
    assert pounds(pence) == text


DATA = {
    "property.building.closure_planned": {
        "building_id": "b1",
        "name": "Lodge Road",
        "town": "Daventry",
        "closure_date": "2023-03-31",
        "teams": [
            {"team_id": "t1", "name": "Revenues", "directorate": "Finance"},
            {"team_id": "t2", "name": "Planning", "directorate": "Place"},
        ],
    },
    "property.building.closed": {
        "building_id": "b1",
        "name": "Lodge Road",
        "town": "Daventry",
        "closed_on": "2023-03-31",
        "annual_running_cost_pence": 25_000_000,
        "annual_carbon_kg": 41_000,
    },
    "property.building.disposed": {
        "building_id": "b1",
        "name": "Lodge Road",
        "town": "Daventry",
        "disposed_on": "2023-09-01",
        "method": "sale",
        "receipt_pence": 120_000_000,
        "annual_running_cost_pence": 25_000_000,
        "annual_carbon_kg": 41_000,
    },
    "savings.initiative.delivered": {
        "initiative_id": "i1",
        "title": "Rationalisation of buildings: Lodge Road",
        "theme": "redesign_reorganisation",
        "directorate": "Corporate",
        "programme": "Property rationalisation",
        "delivered_pence": 25_000_000,
    },
    "savings.initiative.saving_realised": {
        "initiative_id": "i3",
        "title": "Rationalisation of buildings: office estate plan",
        "theme": "redesign_reorganisation",
        "directorate": "Place",
        "programme": "LGR",
        "building_id": "b1",
        "building_name": "Lodge Road",
        "realised_on": "2023-03-31",
        "annual_running_cost_pence": 50_000_000,
        "realised": [{"year": "2023/24", "amount_pence": 50_000_000}],
        "realised_pence": 50_000_000,
        "delivered_pence": 200_000_000,
    },
    "savings.initiative.slipped": {
        "initiative_id": "i2",
        "title": "Digital contact",
        "theme": "technology_innovation",
        "directorate": "Corporate",
        "programme": None,
        "from_year": "2023/24",
        "to_year": "2024/25",
        "amount_pence": 46_800_000,
    },
    "savings.target.passed": {
        "name": "LGR",
        "target_pence": 1_753_000_000,
        "delivered_pence": 1_252_900_000,
        "anticipated_pence": 2_147_400_000,
    },
    "safeguarding.decision.recorded": {
        "decision_id": "d1",
        "board_id": "sab",
        "board_name": "Northamptonshire Safeguarding Adults Board",
        "meeting_id": None,
        "item_title": "Adopt the strategic plan",
        "method": "between_meetings",
        "outcome": "agreed",
        "decided_on": "2026-11-24",
        "requires_ratification": True,
    },
    "safeguarding.annual_report.published": {
        "annual_report_id": "ar1",
        "board_id": "sab",
        "board_name": "Northamptonshire Safeguarding Adults Board",
        "year": "2025/26",
        "title": "Keeping adults safe",
        "published_on": "2026-11-25",
    },
    "savings.programme.payback_moved": {
        "programme": "LGR",
        "payback_year": "2024/25",
        "previous_payback_year": "2023/24",
        "investment_pence": 2_269_700_000,
        "savings_pence": 3_400_300_000,
    },
    "savings.risk.raised_to_red": {
        "risk_id": "r1",
        "kind": "risk",
        "programme": "LGR",
        "likelihood": 4,
        "impact": 5,
        "score": 20,
        "previous_rating": "amber",
    },
    "savings.milestone.missed": {
        "milestone_id": "m1",
        "initiative_id": "i1",
        "programme": "LGR",
        "title": "Staff consultation closes",
        "due_on": "2026-11-20",
        "days_overdue": 4,
    },
    "property.lease.break_flagged": {
        "building_id": "b1",
        "name": "The Forum",
        "town": "Towcester",
        "building_status": "in_use",
        "landlord": "Moat Lane Estates",
        "annual_rent_pence": 18_500_000,
        "expires_on": "2031-03-31",
        "flagged_on": "2026-11-24",
        "days_until": 270,
        "break_on": "2027-08-21",
        "notice_months": 6,
        "notice_by": "2027-02-21",
    },
    "property.lease.expiry_flagged": {
        "building_id": "b2",
        "name": "Lodge Road",
        "town": "Daventry",
        "building_status": "in_use",
        "landlord": "Daventry Properties",
        "annual_rent_pence": 4_000_000,
        "expires_on": "2028-03-31",
        "flagged_on": "2026-11-24",
        "days_until": 493,
    },
}
#: each event as the handlers receive it: parsed into its contract model
EVENTS = {event_type: REGISTRY[event_type].model_validate(data) for event_type, data in DATA.items()}


def test_every_briefed_event_has_words() -> None:
    assert set(EVENTS) == set(BRIEFED_EVENTS)
    at = datetime(2026, 11, 24, 10, tzinfo=UTC)
    for event_type, data in EVENTS.items():
        item = briefing_item(data, at)
        assert item.headline and item.section == event_type.split(".")[0]


def test_briefing_words_carry_the_figures() -> None:
    at = datetime(2026, 11, 24, 10, tzinfo=UTC)
    closed = briefing_item(EVENTS["property.building.closed"], at)
    assert closed.headline == "Lodge Road (Daventry) closed on 31 March 2023."
    assert "£250,000 a year" in (closed.detail or "")
    target = briefing_item(EVENTS["savings.target.passed"], at)
    # seed: £34,003k against £17,530k inherited, exceeding it by £16,473k
    assert target.detail == (
        "Delivered £12,529,000 and anticipated £21,474,000: £16,473,000 above the target."
    )
    slipped = briefing_item(EVENTS["savings.initiative.slipped"], at)
    assert "£468,000 moved from 2023/24 to 2024/25" in slipped.headline
    realised = briefing_item(EVENTS["savings.initiative.saving_realised"], at)
    assert realised.headline == (
        "Savings realised: Lodge Road left the estate on 31 March 2023, realising £500,000 a year of "
        "Rationalisation of buildings: office estate plan (Place)."
    )
    assert realised.detail == "Delivered so far: £2,000,000."
    decision = briefing_item(EVENTS["safeguarding.decision.recorded"], at)
    assert "agreed between meetings" in decision.headline
    assert decision.detail == "To be ratified at the board's next meeting."


def test_the_programme_offices_signals_are_briefed_with_their_figures() -> None:
    at = datetime(2026, 11, 24, 10, tzinfo=UTC)
    payback = briefing_item(EVENTS["savings.programme.payback_moved"], at)
    assert payback.headline == "The LGR programme's investment now pays back in 2024/25 (was 2023/24)."
    assert payback.detail == "Invested £22,697,000 against savings of £34,003,000."
    never = REGISTRY["savings.programme.payback_moved"].model_validate(
        {**DATA["savings.programme.payback_moved"], "payback_year": None})
    assert "no longer pays back" in briefing_item(never, at).headline
    red = briefing_item(EVENTS["savings.risk.raised_to_red"], at)
    assert red.headline == "A risk in the LGR programme has been rated red."
    assert red.detail.startswith("Likelihood 4 and impact 5 out of 5 (score 20). It was amber.")
    lease = briefing_item(EVENTS["property.lease.break_flagged"], at)
    assert lease.section == "property"
    assert lease.headline == (
        "The lease of The Forum (Towcester) can be broken on 21 August 2027, notice to be served by 21 February 2027."
    )
    assert lease.detail == "Landlord Moat Lane Estates; rent £185,000 a year; the lease ends on 31 March 2031."
    ends = briefing_item(EVENTS["property.lease.expiry_flagged"], at)
    assert ends.headline == "The lease of Lodge Road (Daventry) ends on 31 March 2028."


def test_a_missed_milestone_is_briefed_without_its_owner() -> None:
    at = datetime(2026, 11, 24, 10, tzinfo=UTC)
    item = briefing_item(EVENTS["savings.milestone.missed"], at)
    assert item.section == "savings"
    assert item.headline == (
        "A milestone of the LGR programme is overdue: Staff consultation closes, due on 20 November 2026."
    )
    assert item.detail == "4 days overdue and still planned. The initiative's delivery plan has the detail."
    alone = REGISTRY["savings.milestone.missed"].model_validate(
        {**DATA["savings.milestone.missed"], "programme": None, "days_overdue": 1})
    words = briefing_item(alone, at)
    assert words.headline.startswith("A milestone of a savings initiative is overdue: ")
    assert words.detail.startswith("1 day overdue")


def test_compose_keeps_every_section_and_orders_items() -> None:
    week = IsoWeek.parse("2026-W48")
    media = item_from_media(
        "Northampton Chronicle", "City status bid gathers pace", "positive", date(2026, 11, 23)
    )
    items = [
        {
            "id": "2",
            "section": "property",
            "headline": "later",
            "occurred_at": datetime(2026, 11, 26, tzinfo=UTC),
        },
        {
            "id": "1",
            "section": "property",
            "headline": "earlier",
            "occurred_at": datetime(2026, 11, 24, tzinfo=UTC),
        },
        {"id": "3", "section": media.section, "headline": media.headline, "occurred_at": media.occurred_at},
    ]
    briefing = compose(week, items)
    assert (briefing["week"], briefing["from"], briefing["to"]) == ("2026-W48", "2026-11-23", "2026-11-29")
    assert [i["headline"] for i in briefing["sections"]["property"]] == ["earlier", "later"]
    assert briefing["sections"]["savings"] == [] and briefing["items"] == 3
    assert briefing["sections"]["media"][0]["headline"] == (
        "Northampton Chronicle: \u2018City status bid gathers pace\u2019"
    )


def test_staff_notice_for_a_planned_closure_names_the_teams() -> None:
    notice = staff_notice_for_closure(EVENTS["property.building.closure_planned"])
    assert notice.source_key == "property.building.closure_planned:b1"
    assert notice.channels == ("intranet", "staff_briefing") and notice.audience == ("staff",)
    assert "Revenues (Finance)" in notice.body and "Planning (Place)" in notice.body
    assert notice.title == "Staff notice: Lodge Road closes on 31 March 2023"
    empty = staff_notice_for_closure(EVENTS["property.building.closure_planned"].model_copy(update={"teams": []}))
    assert "No teams" in empty.body


def test_staff_notice_for_a_move() -> None:
    notice = staff_notice_for_move(
        MovePlanned.model_validate({
            "move_id": "m1",
            "team_id": "t2",
            "team_name": "Planning",
            "directorate": "Place",
            "from_building_id": "b1",
            "from_building_name": "One Angel Square",
            "to_building_id": "b3",
            "to_building_name": "The Forum",
            "planned_for": "2023-10-02",
        })
    )
    assert notice.source_key == "property.move.planned:m1"
    assert "Planning" in notice.title and "The Forum" in notice.title and "2 October 2023" in notice.title


def test_press_release_draft_needs_the_board() -> None:
    release = press_release_for_annual_report(EVENTS["safeguarding.annual_report.published"])
    assert release.requires_approval_by == "safeguarding_board"
    assert "press_release" in release.channels
    # the draft is valid content as it stands
    content = Content.draft(
        id="c",
        title=release.title,
        body=release.body,
        channels=release.channels,
        audience=release.audience,
        author="civic-comms",
        requires_approval_by=release.requires_approval_by,
    )
    assert content.missing_sign_off == "safeguarding_board"


def test_long_date() -> None:
    assert long_date("2023-03-01") == "1 March 2023"
