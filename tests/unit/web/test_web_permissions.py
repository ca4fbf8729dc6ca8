"""What an officer's scopes let the pages show and offer: never what the API would refuse for scope."""

from __future__ import annotations

import pytest
from civic.auth import ALL_SCOPES
from civic_web.officers import DEMO_OFFICERS
from civic_web.permissions import Permissions

LIFECYCLE_FROM_PROPOSED = ["approved", "rejected"]
FROM_APPROVED = ["in_delivery", "slipped", "undeliverable"]


def test_approving_and_rejecting_are_offered_only_with_savings_approve() -> None:
    keeper = Permissions.of(["savings:read", "savings:write"])
    approver = Permissions.of(["savings:read", "savings:write", "savings:approve"])
    assert keeper.initiative_moves(LIFECYCLE_FROM_PROPOSED) == []
    assert approver.initiative_moves(LIFECYCLE_FROM_PROPOSED) == ["approved", "rejected"]
    # the other moves need only savings:write, in the order the API lists them
    assert keeper.initiative_moves(FROM_APPROVED) == FROM_APPROVED


def test_nothing_is_offered_without_savings_write_even_with_approve() -> None:
    reader = Permissions.of(["savings:read", "savings:approve"])
    assert reader.initiative_moves(["approved", *FROM_APPROVED]) == []
    assert not reader.may_propose_initiative


def test_only_the_moves_the_api_says_the_state_allows_are_offered() -> None:
    approver = Permissions.of(ALL_SCOPES)
    assert approver.initiative_moves([]) == []  # delivered or undeliverable: final
    assert approver.initiative_moves(["delivered"]) == ["delivered"]


def test_the_navigation_shows_the_sections_the_officer_may_read() -> None:
    assert Permissions.of(["savings:read"]).sections() == [("Savings", "/savings/initiatives")]
    assert Permissions.of(["property:read", "property:write"]).sections() == [("Property", "/property/buildings")]
    assert Permissions.of(["ops"]).sections() == [("Operations", "/operations/traces")]  # the operators' own
    assert not Permissions.of(["savings:read", "property:read"]).may_operate


def test_changes_to_progress_and_the_estate_are_offered_only_with_the_services_write_scope() -> None:
    assert Permissions.of(["savings:read", "savings:write"]).may_record_progress
    assert not Permissions.of(["savings:read", "property:write"]).may_record_progress
    assert Permissions.of(["property:read", "property:write"]).may_change_estate
    assert not Permissions.of(["property:read", "savings:write"]).may_change_estate


@pytest.mark.parametrize("officer", DEMO_OFFICERS, ids=lambda o: o.key)
def test_every_demo_officer_has_only_the_platforms_scopes(officer: object) -> None:
    scopes = officer.scopes  # type: ignore[attr-defined]
    assert scopes and set(scopes) <= set(ALL_SCOPES)
    # a scope that refines a service's (approve, confidential) comes with that service's read and write
    for scope in scopes:
        service, _, action = scope.partition(":")
        if action in ("approve", "confidential"):
            assert {f"{service}:read", f"{service}:write"} <= set(scopes), officer


def test_the_roles_the_issue_names_are_all_there() -> None:
    roles = {o.role for o in DEMO_OFFICERS}
    assert roles == {"Finance officer", "Programme approver", "Estates officer", "Board business manager",
                     "Board business manager (confidential access)", "Comms officer", "Comms approver", "Operator"}
    approvers = [o for o in DEMO_OFFICERS if "savings:approve" in o.scopes]
    assert [o.role for o in approvers] == ["Programme approver"]
    assert [o.role for o in DEMO_OFFICERS if "safeguarding:confidential" in o.scopes] == [
        "Board business manager (confidential access)"]
