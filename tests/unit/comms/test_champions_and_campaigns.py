"""Change champion coverage (seed 003: 332 champions, 71 more needed), campaigns and media coverage."""

from __future__ import annotations

from datetime import date

import pytest
from civic.errors import Invalid
from civic_comms import demo as seed
from civic_comms.briefing.domain import MediaCoverage
from civic_comms.champions.domain import REQUIRED, TO_EXPLORE, CouncilService, champion_coverage, service_key
from civic_comms.content.domain import Campaign


def test_seed_figures_332_champions_and_71_more_needed() -> None:
    # eight councils' services: 250 covered by 332 champions between them, 71 with none
    covered = [CouncilService(f"Service {i}", f"Directorate {i % 8}") for i in range(250)]
    uncovered = [CouncilService(f"Gap {i}", f"Directorate {i % 8}") for i in range(71)]
    champions = [s.name for s in covered] + [covered[i].name for i in range(82)]
    assert len(champions) == 332
    report = champion_coverage(covered + uncovered, champions)
    assert report.champions == 332
    assert report.services == 321 and report.covered == 250
    assert report.champions_needed == 71
    assert report.coverage_percentage == 77.9
    assert {s.name for s in report.uncovered} == {s.name for s in uncovered}


def test_services_to_explore_are_not_in_the_gap() -> None:
    # seed 003: "8 services require further exploration to agree if Change Champion representation is
    # required e.g. service is currently outsourced"
    covered = [CouncilService(f"Service {i}", "People") for i in range(57)]
    gaps = [CouncilService(f"Gap {i}", "Place") for i in range(71)]
    explore = [CouncilService(f"Outsourced {i}", "Corporate", TO_EXPLORE) for i in range(8)]
    champions = [covered[i % 57].name for i in range(332)]
    report = champion_coverage(covered + gaps + explore, champions)
    assert (report.champions, report.champions_needed, len(report.to_explore)) == (332, 71, 8)
    assert (report.services, report.covered) == (136, 57)
    assert report.coverage_percentage == 44.5  # 57 of the 128 services that need a champion
    # a champion appointed to a service still to explore covers it
    report = champion_coverage(covered + gaps + explore, [*champions, "outsourced 0"])
    assert (report.covered, len(report.to_explore), report.champions_needed) == (58, 7, 71)


def test_the_seeded_champions_give_the_papers_figures() -> None:
    services = [CouncilService(s["name"], s["directorate"], s["representation"]) for s in seed.council_services()]
    report = champion_coverage(services, [c["service"] for c in seed.champions()])
    assert (report.champions, report.champions_needed, len(report.to_explore)) == (332, 71, 8)
    assert {c["council"] for c in seed.champions()} == {seed.COUNTY, *seed.DISTRICTS}  # all 8 councils


def test_a_service_representation_is_required_or_to_explore() -> None:
    assert CouncilService.register(" Waste  Collection ", "Place").representation == REQUIRED
    with pytest.raises(Invalid) as caught:
        CouncilService.register("Waste", "Place", "maybe")
    assert caught.value.errors == [{"field": "representation", "message": "must be one of required, to_explore"}]


def test_names_match_without_case_or_spacing_and_gap_is_sorted() -> None:
    services = [
        CouncilService("Waste Collection", "Place"),
        CouncilService("Libraries", "People"),
        CouncilService("Adult Social Care", "People"),
        CouncilService("Planning", "Place"),
    ]
    report = champion_coverage(services, ["waste  collection", "LIBRARIES", "Unregistered service"])
    assert [s.name for s in report.uncovered] == ["Adult Social Care", "Planning"]
    assert report.champions == 3
    assert service_key("  Waste   Collection ") == "waste collection"


def test_no_services() -> None:
    report = champion_coverage([], [])
    assert (report.services, report.champions_needed, report.coverage_percentage) == (0, 0, 0.0)


def test_campaign_rules() -> None:
    campaign = Campaign.plan(
        id="c",
        title="City Status bid",
        objectives=["Raise awareness", " "],
        starts_on=date(2021, 9, 1),
        ends_on=date(2021, 12, 8),
        owner="amira",
    )
    assert campaign.objectives == ["Raise awareness"]
    with pytest.raises(Invalid):
        Campaign.plan(
            id="c",
            title="x",
            objectives=["a"],
            starts_on=date(2021, 9, 2),
            ends_on=date(2021, 9, 1),
            owner="amira",
        )
    with pytest.raises(Invalid):
        Campaign.plan(
            id="c",
            title="x",
            objectives=[],
            starts_on=date(2021, 9, 1),
            ends_on=date(2021, 9, 1),
            owner="amira",
        )


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"sentiment": "glowing"}, "sentiment"),
        ({"url": "javascript:alert(1)"}, "url"),
        ({"outlet": ""}, "outlet"),
    ],
)
def test_media_coverage_rules(overrides: dict[str, object], field: str) -> None:
    fields: dict[str, object] = {
        "id": "m",
        "outlet": "BBC Northampton",
        "headline": "Council bids for city status",
        "published_on": date(2021, 12, 1),
        "sentiment": "positive",
        "logged_by": "amira",
    }
    fields.update(overrides)
    with pytest.raises(Invalid) as refusal:
        MediaCoverage.log(**fields)  # type: ignore[arg-type]
    assert refusal.value.errors[0]["field"] == field
