"""The savings domain: financial years, amounts, profiles, the lifecycle, actuals, targets."""

from __future__ import annotations

import copy
from datetime import UTC, date, datetime

import pytest
from civic.calendar import financial_year_of
from civic.errors import Invalid, Refused
from civic_savings.domain import amount_problem, financial_year, year_of, year_problem
from civic_savings.initiatives.domain import STATUSES, TRANSITIONS, Initiative
from civic_savings.initiatives.figures import check_profile
from civic_savings.programme.domain import Target

NOW = datetime(2023, 5, 17, 10, 0, tzinfo=UTC)


def propose(**overrides: object) -> Initiative:
    fields: dict[str, object] = {
        "id": "i1",
        "title": "Contract consolidation",
        "directorate": "Corporate Services",
        "theme": "buying_commissioning",
        "category": "transformation",
        "profile": [
            {"year": "2022/23", "planned_pence": 100_000},
            {"year": "2023/24", "planned_pence": 50_000},
        ],
        "programme": "LGR",
    }
    fields.update(overrides)
    return Initiative.propose(**fields, by="officer", now=NOW)  # type: ignore[arg-type]


def deliver_in_full(initiative: Initiative) -> None:
    """What each year of the profile delivered, recorded (delivered needs its actuals)."""
    for year, planned in initiative.profile.items():
        initiative.record_actual(year, planned, by="officer", now=NOW)


def walk(initiative: Initiative, *steps: str) -> Initiative:
    for step in steps:
        if step == "delivered":
            deliver_in_full(initiative)
        initiative.transition(
            step, by="officer", now=NOW, reason="because" if step in ("undeliverable", "rejected") else None
        )
    return initiative


# ---------------------------------------------------------------- financial years


@pytest.mark.parametrize("year", ["2000/01", "2021/22", "2023/24", "2098/99", "2099/00"])
def test_accepted_years(year: str) -> None:
    assert year_problem(year) is None
    assert financial_year(year) == year


@pytest.mark.parametrize(
    "year",
    ["2023/25", "2023-24", "2023/2024", "23/24", "1999/00", "2100/01", "", None, 2023, "2023/24 ", "abcd/ef"],
)
def test_refused_years(year: object) -> None:
    assert year_problem(year) is not None
    with pytest.raises(Invalid) as caught:
        financial_year(year, "profile.0.year")
    assert caught.value.errors[0]["field"] == "profile.0.year"


def test_year_of_is_the_council_calendars_financial_year() -> None:
    """April to March, as the calendar counts it: its cases are in tests/unit/runtime/test_calendar.py."""
    assert year_of is financial_year_of


@pytest.mark.parametrize(
    ("amount", "ok"),
    [
        (0, True),
        (1, True),
        (10**12, True),
        (10**12 + 1, False),
        (-1, False),
        (1.5, False),
        (100.0, False),
        ("100", False),
        (True, False),
        (None, False),
    ],
)
def test_amounts_are_whole_non_negative_pence(amount: object, ok: bool) -> None:
    assert (amount_problem(amount) is None) is ok


# ---------------------------------------------------------------- profiles and proposing


def test_profile_is_sorted_by_year() -> None:
    profile = check_profile(
        [{"year": "2024/25", "planned_pence": 2}, {"year": "2022/23", "planned_pence": 1}]
    )
    assert list(profile) == ["2022/23", "2024/25"]


@pytest.mark.parametrize(
    ("profile", "field"),
    [
        ([], "profile"),
        (None, "profile"),
        (
            [{"year": "2023/24", "planned_pence": 1}, {"year": "2023/24", "planned_pence": 2}],
            "profile.1.year",
        ),
        ([{"year": "2023/25", "planned_pence": 1}], "profile.0.year"),
        ([{"year": "1999/00", "planned_pence": 1}], "profile.0.year"),
        ([{"year": "2023/24", "planned_pence": -5}], "profile.0.planned_pence"),
        ([{"year": "2023/24", "planned_pence": 2.5}], "profile.0.planned_pence"),
        ([{"year": "2023/24"}], "profile.0.planned_pence"),
        (["2023/24"], "profile.0"),
    ],
)
def test_bad_profiles_name_the_field(profile: object, field: str) -> None:
    with pytest.raises(Invalid) as caught:
        check_profile(profile)
    assert field in [e["field"] for e in caught.value.errors]


def test_propose_records_everything() -> None:
    initiative = propose(owner="Head of Procurement", rag="amber", rag_reason="supplier slow")
    assert initiative.status == "proposed"
    assert initiative.planned_pence == 150_000
    assert initiative.delivered_pence == 0
    assert initiative.history == [{"at": NOW, "by": "officer", "kind": "status", "to": "proposed"}]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"theme": "efficiency"}, "theme"),
        ({"category": "other"}, "category"),
        ({"title": "  "}, "title"),
        ({"title": None}, "title"),
        ({"directorate": ""}, "directorate"),
        ({"title": "x" * 201}, "title"),
        ({"rag": "blue"}, "rag"),
        ({"rag": "red"}, "rag_reason"),  # red needs a reason
        ({"programme": ""}, "programme"),
    ],
)
def test_propose_refuses_bad_fields(overrides: dict[str, object], field: str) -> None:
    with pytest.raises(Invalid) as caught:
        propose(**overrides)
    assert field in [e["field"] for e in caught.value.errors]


def test_propose_reports_every_bad_field_at_once() -> None:
    with pytest.raises(Invalid) as caught:
        propose(theme="x", category="y", profile=[{"year": "2023/25", "planned_pence": -1}])
    assert {e["field"] for e in caught.value.errors} == {
        "theme",
        "category",
        "profile.0.year",
        "profile.0.planned_pence",
    }


# ---------------------------------------------------------------- lifecycle


def test_happy_path_records_who_and_when() -> None:
    initiative = walk(propose(), "approved", "in_delivery", "delivered")
    assert initiative.status == "delivered"
    assert initiative.approved_by == "officer"
    assert initiative.approved_on == date(2023, 5, 17)
    assert [h.get("to") for h in initiative.history if h["kind"] == "status"] == [
        "proposed", "approved", "in_delivery", "delivered",
    ]  # fmt: skip


# every pair (from, to) that is not in the table is refused, and refusing changes nothing
_PATHS = {
    "proposed": [],
    "approved": ["approved"],
    "in_delivery": ["approved", "in_delivery"],
    "slipped": ["approved", "in_delivery", "slipped"],
    "delivered": ["approved", "in_delivery", "delivered"],
    "undeliverable": ["approved", "undeliverable"],
    "rejected": ["rejected"],
}


def _at(status: str) -> Initiative:
    initiative = propose()
    for step in _PATHS[status]:
        if step == "delivered":
            deliver_in_full(initiative)
        initiative.transition(step, by="o", now=NOW, reason="why", to_year="2024/25")
    assert initiative.status == status
    return initiative


@pytest.mark.parametrize(
    ("frm", "to"), [(f, t) for f in STATUSES for t in STATUSES if t not in TRANSITIONS[f]]
)
def test_disallowed_transitions_are_refused_and_change_nothing(frm: str, to: str) -> None:
    initiative = _at(frm)
    before = copy.deepcopy(initiative)
    with pytest.raises(Refused) as caught:
        initiative.transition(to, by="o", now=NOW, reason="why", to_year="2025/26")
    assert frm in caught.value.detail
    assert initiative == before


@pytest.mark.parametrize(("frm", "to"), [(f, t) for f in STATUSES for t in sorted(TRANSITIONS[f])])
def test_allowed_transitions(frm: str, to: str) -> None:
    initiative = _at(frm)
    if to == "slipped" and frm == "slipped":
        to_year = "2025/26"  # the first slip already moved 2022/23 into 2024/25
    else:
        to_year = "2024/25"
    if to == "delivered":
        deliver_in_full(initiative)
    initiative.transition(to, by="o", now=NOW, reason="why", to_year=to_year)
    assert initiative.status == to


def test_unknown_status_is_invalid() -> None:
    with pytest.raises(Invalid):
        propose().transition("cancelled", by="o", now=NOW)


def test_undeliverable_needs_a_reason() -> None:
    initiative = walk(propose(), "approved")
    with pytest.raises(Invalid) as caught:
        initiative.transition("undeliverable", by="o", now=NOW)
    assert caught.value.errors[0]["field"] == "reason"
    assert initiative.status == "approved"
    initiative.transition("undeliverable", by="o", now=NOW, reason="demand outstripped it")
    assert initiative.undeliverable_reason == "demand outstripped it"


# ---------------------------------------------------------------- slipping


def test_slip_moves_the_unmet_part_of_the_earliest_year() -> None:
    initiative = walk(propose(), "approved", "in_delivery")
    initiative.record_actual("2022/23", 60_000, by="o", now=NOW)
    slip = initiative.transition("slipped", by="o", now=NOW, to_year="2024/25", reason="profile issue")
    assert slip == {"from_year": "2022/23", "to_year": "2024/25", "amount_pence": 40_000, "on": NOW.date()}
    assert initiative.profile == {"2022/23": 60_000, "2023/24": 50_000, "2024/25": 40_000}
    assert initiative.planned_pence == 150_000  # slipping moves a saving, it does not lose it
    assert initiative.status == "slipped"
    assert initiative.slippages[0]["reason"] == "profile issue"
    assert initiative.history[-1]["amount_pence"] == 40_000


def test_slip_into_a_year_already_in_the_profile_adds_to_it() -> None:
    initiative = walk(propose(), "approved")
    initiative.transition("slipped", by="o", now=NOW, to_year="2023/24", from_year="2022/23")
    assert initiative.profile == {"2022/23": 0, "2023/24": 150_000}


@pytest.mark.parametrize(
    ("to_year", "from_year", "error"),
    [
        (None, None, Invalid),  # where to?
        ("2024/26", None, Invalid),
        ("2023/24", "2023/25", Invalid),
        ("2022/23", None, Refused),  # nothing before 2022/23
        ("2022/23", "2023/24", Refused),  # backwards
        ("2023/24", "2023/24", Refused),  # same year
        ("2025/26", "2019/20", Refused),  # not in profile
    ],
)
def test_bad_slips_change_nothing(to_year: str | None, from_year: str | None, error: type[Exception]) -> None:
    initiative = walk(propose(), "approved", "in_delivery")
    before = copy.deepcopy(initiative)
    with pytest.raises(error):
        initiative.transition("slipped", by="o", now=NOW, to_year=to_year, from_year=from_year)
    assert initiative == before


def test_nothing_to_slip_when_delivered_in_full() -> None:
    initiative = walk(propose(), "approved", "in_delivery")
    initiative.record_actual("2022/23", 100_000, by="o", now=NOW)
    initiative.record_actual("2023/24", 50_000, by="o", now=NOW)
    with pytest.raises(Refused, match="Nothing to slip"):
        initiative.transition("slipped", by="o", now=NOW, to_year="2024/25")
    with pytest.raises(Refused, match="delivered in full"):
        initiative.transition("slipped", by="o", now=NOW, to_year="2024/25", from_year="2022/23")


# ---------------------------------------------------------------- actuals


def test_actuals_replace_the_year_and_allow_over_delivery() -> None:
    initiative = walk(propose(), "approved", "in_delivery")
    initiative.record_actual("2022/23", 30_000, by="o", now=NOW)
    initiative.record_actual("2022/23", 130_000, by="o", now=NOW)
    assert initiative.actuals == {"2022/23": 130_000}
    assert initiative.unmet("2022/23") == 0
    assert initiative.history[-1] == {
        "at": NOW,
        "by": "o",
        "kind": "actual",
        "year": "2022/23",
        "delivered_pence": 130_000,
        "previous_pence": 30_000,
    }


@pytest.mark.parametrize(
    ("year", "amount", "error", "field"),
    [
        ("2021/22", 1, Invalid, "year"),  # outside the profile
        ("2021/23", 1, Invalid, "year"),
        ("2022/23", -1, Invalid, "delivered_pence"),
        ("2022/23", 1.5, Invalid, "delivered_pence"),
    ],
)
def test_bad_actuals_change_nothing(year: str, amount: object, error: type[Exception], field: str) -> None:
    initiative = walk(propose(), "approved")
    before = copy.deepcopy(initiative)
    with pytest.raises(error) as caught:
        initiative.record_actual(year, amount, by="o", now=NOW)
    assert field in [e["field"] for e in caught.value.errors]  # type: ignore[attr-defined]
    assert initiative == before


@pytest.mark.parametrize("status", ["proposed", "undeliverable"])
def test_no_actuals_before_approval_or_after_failure(status: str) -> None:
    initiative = _at(status)
    with pytest.raises(Refused):
        initiative.record_actual("2023/24", 1, by="o", now=NOW)


# ---------------------------------------------------------------- RAG and amendments


def test_rag_change_is_recorded_once() -> None:
    initiative = propose()
    initiative.set_rag("red", "demand rising", by="o", now=NOW)
    initiative.set_rag("red", "demand rising", by="o", now=NOW)
    assert (initiative.rag, initiative.rag_reason) == ("red", "demand rising")
    assert [h["kind"] for h in initiative.history] == ["status", "rag"]


def test_amend_profile_only_while_proposed() -> None:
    initiative = propose()
    initiative.amend({"profile": [{"year": "2023/24", "planned_pence": 5}], "title": "New"}, by="o", now=NOW)
    assert initiative.profile == {"2023/24": 5}
    assert initiative.title == "New"
    walk(initiative, "approved")
    before = copy.deepcopy(initiative)
    with pytest.raises(Refused):
        initiative.amend({"profile": [{"year": "2023/24", "planned_pence": 9}]}, by="o", now=NOW)
    with pytest.raises(Invalid):
        initiative.amend({"theme": "nope"}, by="o", now=NOW)
    with pytest.raises(Invalid):
        initiative.amend({"status": "delivered"}, by="o", now=NOW)
    assert initiative == before
    initiative.amend({"owner": "Someone"}, by="o", now=NOW)
    assert initiative.owner == "Someone"


# ---------------------------------------------------------------- building savings


def closure(initiative: Initiative | None = None, *, on: date = date(2023, 3, 31), cost: int = 12_345_600,
            building_id: str = "bld-1", name: str = "Lodge Road", town: str = "Daventry") -> Initiative:  # fmt: skip
    """What the closure handler does: realise the planning initiative's saving, or make one."""
    if initiative is None:
        return Initiative.building_saving(
            id="b", building_id=building_id, building_name=name, town=town, on=on,
            annual_running_cost_pence=cost, by="event", now=NOW, event_id="ev-1",
        )  # fmt: skip
    initiative.realise(
        building_id=building_id, building_name=name, town=town, on=on, annual_running_cost_pence=cost,
        by="property.building.closed", now=NOW, event_id="ev-1",
    )  # fmt: skip
    return initiative


def test_a_building_no_initiative_planned_is_a_new_delivered_saving() -> None:
    # closed on 31 March 2023: it ran that day, so nothing of 2022/23 is saved; the full amount from 2023/24
    initiative = closure()
    assert initiative.status == "delivered"
    assert "Lodge Road" in initiative.title
    assert initiative.theme == "redesign_reorganisation"
    assert initiative.profile == initiative.actuals == {"2023/24": 12_345_600}
    assert initiative.building_id == "bld-1"
    assert initiative.made_by_closure and initiative.realisation is not None
    assert initiative.realisation["realised_pence"] == 12_345_600


def test_a_mid_year_closure_books_the_part_year_then_the_rest() -> None:
    # closed 30 September 2023: 183 of 2023/24's 366 days saved, the rest of the year's cost in 2024/25
    initiative = closure(on=date(2023, 9, 30), cost=36_600)
    assert initiative.profile == initiative.actuals == {"2023/24": 18_300, "2024/25": 18_300}
    assert initiative.delivered_pence == 36_600  # the annual running cost, once


def test_a_closure_realises_the_initiative_that_named_its_building() -> None:
    plan = walk(
        propose(
            theme="redesign_reorganisation", building_name="Lodge  Road", building_town="daventry",
            profile=[{"year": "2022/23", "planned_pence": 150_000_000}, {"year": "2023/24", "planned_pence": 600_000_000}],
        ),
        "approved", "in_delivery",
    )  # fmt: skip
    plan.record_actual("2022/23", 150_000_000, by="officer", now=NOW)
    assert plan.plans("bld-1", "Lodge Road", "Daventry") and not plan.plans("bld-1", "Lodge Road", "Towcester")
    closure(plan, cost=50_000_000)
    # the saving is recorded against the plan: 2023/24 delivered, the planned figures unchanged
    assert plan.actuals == {"2022/23": 150_000_000, "2023/24": 50_000_000}
    assert plan.profile == {"2022/23": 150_000_000, "2023/24": 600_000_000}
    assert plan.status == "in_delivery" and plan.building_id == "bld-1"
    assert plan.realisation is not None and plan.realisation["planned"] and not plan.made_by_closure
    assert plan.realisation["by_year"] == [{"year": "2023/24", "amount_pence": 50_000_000}]
    assert plan.history[-1]["kind"] == "realised"
    with pytest.raises(Refused):  # once: a disposal after the closure realises nothing more
        closure(plan, cost=50_000_000)
    with pytest.raises(Refused):  # and the building it names no longer changes
        plan.amend({"building_id": "other"}, by="officer", now=NOW)


def test_a_realised_year_the_plan_did_not_have_joins_it_with_nothing_planned() -> None:
    plan = walk(propose(building_id="bld-1"), "approved")
    closure(plan, on=date(2024, 9, 30), cost=36_500)  # 2024/25 has 365 days: 182 after 30 September
    assert plan.actuals == {"2024/25": 18_200, "2025/26": 18_300}
    assert plan.profile == {"2022/23": 100_000, "2023/24": 50_000, "2024/25": 0, "2025/26": 0}
    assert plan.planned_pence == 150_000  # what was planned stays what was planned


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"building_name": "Lodge Road"}, "building_town"),
        ({"building_town": "Daventry"}, "building_name"),
        ({"building_id": " "}, "building_id"),
        ({"building_name": "x" * 201, "building_town": "Daventry"}, "building_name"),
    ],
)
def test_a_building_is_named_by_its_id_or_by_its_name_and_town(fields: dict[str, str], field: str) -> None:
    with pytest.raises(Invalid) as caught:
        propose(**fields)
    assert field in [e["field"] for e in caught.value.errors]


def test_the_building_a_plan_names_can_change_until_its_closure() -> None:
    plan = walk(propose(), "approved", "in_delivery")
    plan.amend({"building_name": "Lodge Road", "building_town": "Daventry"}, by="officer", now=NOW)
    assert plan.building_key == "lodge road|daventry"
    plan.amend({"programme": "Office estate"}, by="officer", now=NOW)  # a plan's programme is its own
    plan.amend({"building_name": None, "building_town": None}, by="officer", now=NOW)
    assert plan.building_key is None


def test_a_closures_own_saving_stays_in_the_rationalisation_programme() -> None:
    with pytest.raises(Refused):
        closure().amend({"programme": "LGR"}, by="officer", now=NOW)


# ---------------------------------------------------------------- targets


def test_target_passes_once_per_amount() -> None:
    target = Target.set(None, "LGR", 1_753_000_000, "inherited")
    assert not target.check(1_000_000_000, 500_000_000, date(2023, 1, 1))
    assert target.check(1_252_900_000, 2_147_400_000, date(2023, 2, 1))
    assert target.passed_on == date(2023, 2, 1)
    assert not target.check(1_252_900_000, 2_147_400_000, date(2023, 3, 1))  # already passed
    Target.set(target, "LGR", 4_000_000_000, None)  # a new, higher target can pass again
    assert not target.is_passed()
    assert target.check(3_000_000_000, 1_000_000_000, date(2023, 4, 1))


@pytest.mark.parametrize(
    ("name", "amount", "field"),
    [("", 1, "name"), (" LGR", 1, "name"), ("LGR", -1, "amount_pence"), ("LGR", 1.5, "amount_pence")],
)
def test_bad_targets(name: str, amount: object, field: str) -> None:
    with pytest.raises(Invalid) as caught:
        Target.set(None, name, amount, None)
    assert caught.value.errors[0]["field"] == field
