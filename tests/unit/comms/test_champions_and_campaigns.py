"""Change champion coverage (seed 003: 332 champions, 71 more needed), campaigns and media coverage."""

from __future__ import annotations

from datetime import date

import pytest
from civic.errors import Invalid
from civic_comms.briefing.domain import MediaCoverage
from civic_comms.champions.domain import CouncilService, champion_coverage, service_key
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
