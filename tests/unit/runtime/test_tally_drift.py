"""A tally beside its records: where they differ (drift), what a recount adds, how it is put in words, and the
command that checks and recounts a service's tallies (parsing, which tallies, which settings)."""

from __future__ import annotations

import json

import pytest
from civic.cli import tallies as cli
from civic.cli.main import build_parser
from civic.settings import ServiceSettings
from civic.tallies import RECORDS, Comparison
from civic_property.repository import ESTATE
from civic_savings.repository import STATUS_COUNTS

COST = "annual_running_cost_pence"


def estate(kept: dict, counted: dict) -> Comparison:
    return Comparison("estate_by_status", "buildings", kept=kept, counted=counted)


def test_a_tally_equal_to_its_records_has_no_drift() -> None:
    same = {"in_use": {RECORDS: 2, COST: 900}, "closed": {RECORDS: 1, COST: 100}}
    found = estate(same, {status: dict(sums) for status, sums in same.items()})
    assert found.matches and found.drift == {} and found.corrections() == {} and found.describe() == []
    assert found.records_counted() == 3


def test_a_status_the_tally_lacks_or_has_too_many_of_is_drift_with_both_sides() -> None:
    found = estate({"in_use": {RECORDS: 3, COST: 900}},
                   {"in_use": {RECORDS: 2, COST: 900}, "closed": {RECORDS: 1, COST: 100}})
    assert found.drift == {
        "closed": ({RECORDS: 0, COST: 0}, {RECORDS: 1, COST: 100}),
        "in_use": ({RECORDS: 3, COST: 900}, {RECORDS: 2, COST: 900}),
    }
    assert found.corrections() == {"closed": {RECORDS: 1, COST: 100}, "in_use": {RECORDS: -1, COST: 0}}


def test_a_figure_alone_can_drift() -> None:
    # an amendment of the running cost by a replica that does not move the tally
    found = estate({"in_use": {RECORDS: 2, COST: 900}}, {"in_use": {RECORDS: 2, COST: 1_400}})
    assert found.corrections() == {"in_use": {RECORDS: 0, COST: 500}}


def test_a_status_of_zeros_is_the_same_as_none() -> None:
    # a tally's shards of a status every record has left add up to nothing: not drift
    found = estate({"in_use": {RECORDS: 2, COST: 900}, "closed": {RECORDS: 0, COST: 0}},
                   {"in_use": {RECORDS: 2, COST: 900}})
    assert found.matches
    # but a status of no records whose sums are not nothing is
    assert estate({"closed": {RECORDS: 0, COST: 70}}, {}).corrections() == {"closed": {RECORDS: 0, COST: -70}}


def test_drift_is_said_status_by_status() -> None:
    found = Comparison("status_counts", "initiatives", kept={"proposed": {RECORDS: 3}},
                       counted={"proposed": {RECORDS: 4}, "approved": {RECORDS: 1_200}})
    assert found.describe() == [
        "approved: tally 0 records; initiatives 1,200 records",
        "proposed: tally 3 records; initiatives 4 records",
    ]


def test_the_command_names_a_service_and_check_or_recount() -> None:
    args = build_parser().parse_args(["tallies", "check", "savings"])
    assert (args.tallies_command, args.service, args.json, args.func) == ("check", "savings", False, cli.cmd_tallies)
    args = build_parser().parse_args(["tallies", "recount", "property", "--json"])
    assert (args.tallies_command, args.service, args.json) == ("recount", "property", True)
    with pytest.raises(SystemExit):
        build_parser().parse_args(["tallies", "check", "payroll"])


def test_a_services_tallies_are_those_its_repository_declares() -> None:
    assert cli.tallies_of("savings") == [STATUS_COUNTS]
    assert cli.tallies_of("property") == [ESTATE]
    assert cli.tallies_of("comms") == []


def test_the_command_reads_the_services_own_settings(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    for name in ("CIVIC_SERVICE_NAME", "OTEL_SERVICE_NAME", "MONGODB_URL_FILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("MONGODB_URL", "mongodb://db.example:27017/?replicaSet=rs0")
    monkeypatch.setenv("MONGODB_DATABASE", "civic_property")
    settings = cli.settings_for("property")
    assert (settings.mongodb_url, settings.database_name()) == ("mongodb://db.example:27017/?replicaSet=rs0",
                                                                 "civic_property")
    # inside another service's pod it refuses, rather than write one service's tally into another's database
    monkeypatch.setenv("CIVIC_SERVICE_NAME", "savings")
    with pytest.raises(SystemExit, match="savings's"):
        cli.settings_for("property")


def test_without_a_configured_database_the_command_uses_the_local_stacks(monkeypatch: pytest.MonkeyPatch,
                                                                         tmp_path) -> None:
    for name in ("CIVIC_SERVICE_NAME", "OTEL_SERVICE_NAME", "MONGODB_URL", "MONGODB_URL_FILE", "MONGODB_DATABASE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("CIVIC_STATE_DIR", str(tmp_path))
    (tmp_path / "stack.json").write_text(json.dumps({"mongodb": {"savings": "mongodb://127.0.0.1:41001/"}}))
    settings = cli.settings_for("savings")
    assert (settings.mongodb_url, settings.database_name()) == ("mongodb://127.0.0.1:41001/", "civic_savings")


def test_the_check_interval_is_a_setting_and_never_negative(monkeypatch: pytest.MonkeyPatch) -> None:
    assert ServiceSettings().tally_check_seconds == 300
    monkeypatch.setenv("CIVIC_TALLY_CHECK_SECONDS", "600")
    assert ServiceSettings().tally_check_seconds == 600
    monkeypatch.setenv("CIVIC_TALLY_CHECK_SECONDS", "-1")
    with pytest.raises(ValueError):
        ServiceSettings()
