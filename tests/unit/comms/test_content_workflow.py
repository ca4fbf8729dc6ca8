"""The content workflow: channels, four eyes, sign-offs, scheduling. No servers."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from civic.errors import Forbidden, Invalid, Refused
from civic_comms.content.domain import (
    APPROVED,
    DRAFT,
    FIXED_CHANNELS,
    IN_REVIEW,
    PUBLISHED,
    SCHEDULED,
    BoardAuthorisation,
    Content,
    check_audience,
    check_channels,
)

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def draft(**overrides: object) -> Content:
    fields: dict[str, object] = {
        "id": "c1",
        "title": "City Status bid: have your say",
        "body": "Back the bid.",
        "channels": ["website", "social:tiktok"],
        "audience": "residents",
        "author": "amira",
    }
    fields.update(overrides)
    return Content.draft(**fields)  # type: ignore[arg-type]


def approved(**overrides: object) -> Content:
    content = draft(**overrides)
    content.move(IN_REVIEW, by="amira", may_approve=False, now=NOW)
    content.move(APPROVED, by="ben", may_approve=True, now=NOW)
    return content


@pytest.mark.parametrize(
    "channel",
    [*FIXED_CHANNELS, "social:tiktok", "social:instagram", "social:x"],
)
def test_known_channels_are_accepted(channel: str) -> None:
    assert check_channels([channel]) == [channel]


@pytest.mark.parametrize("channel", ["fax", "social:", "social:TikTok", "Website", "social:has space", ""])
def test_unknown_channels_are_refused_naming_the_field(channel: str) -> None:
    with pytest.raises(Invalid) as refusal:
        check_channels(["website", channel])
    assert refusal.value.errors[0]["field"] == "channels.1"


def test_no_channels_and_duplicates() -> None:
    with pytest.raises(Invalid):
        check_channels([])
    assert check_channels(["website", "intranet", "website"]) == ["website", "intranet"]


def test_audience_single_or_list() -> None:
    assert check_audience("staff") == ["staff"]
    assert check_audience(["residents", "media"]) == ["residents", "media"]
    with pytest.raises(Invalid):
        check_audience(["aliens"])


def test_draft_validation() -> None:
    with pytest.raises(Invalid):
        draft(title="  ")
    with pytest.raises(Invalid):
        draft(publish_at=datetime(2026, 12, 1, 9, 0))  # no time zone
    with pytest.raises(Invalid):
        draft(requires_approval_by="Safeguarding Board!")


def test_happy_path_to_published() -> None:
    content = approved()
    assert content.approved_by == "ben"
    content.move(SCHEDULED, by="amira", may_approve=False, now=NOW, publish_at=NOW + timedelta(days=1))
    assert content.status == SCHEDULED
    assert not content.publish_when_due(NOW)  # not yet
    assert content.publish_when_due(NOW + timedelta(days=1))
    assert content.status == PUBLISHED
    assert content.published_at == NOW + timedelta(days=1)
    assert [m.to_status for m in content.history] == [IN_REVIEW, APPROVED, SCHEDULED, PUBLISHED]


# every move the workflow does not allow, from every status
ALLOWED = {
    DRAFT: {IN_REVIEW},
    IN_REVIEW: {APPROVED, DRAFT},
    APPROVED: {SCHEDULED, PUBLISHED, DRAFT},
    SCHEDULED: {PUBLISHED, DRAFT},
    PUBLISHED: set(),
}
STATUSES = [DRAFT, IN_REVIEW, APPROVED, SCHEDULED, PUBLISHED]


def in_status(status: str) -> Content:
    content = draft(publish_at=NOW + timedelta(days=2))
    path = {
        DRAFT: [],
        IN_REVIEW: [IN_REVIEW],
        APPROVED: [IN_REVIEW, APPROVED],
        SCHEDULED: [IN_REVIEW, APPROVED, SCHEDULED],
        PUBLISHED: [IN_REVIEW, APPROVED, PUBLISHED],
    }[status]
    for step in path:
        content.move(step, by="ben", may_approve=True, now=NOW) if step == APPROVED else content.move(
            step, by="amira", may_approve=False, now=NOW
        )
    return content


@pytest.mark.parametrize(("start", "to"), [(s, t) for s in STATUSES for t in STATUSES if t not in ALLOWED[s]])
def test_moves_not_in_the_workflow_are_refused_and_change_nothing(start: str, to: str) -> None:
    content = in_status(start)
    before = (content.status, len(content.history))
    with pytest.raises(Refused):
        content.move(to, by="ben", may_approve=True, now=NOW, reason="because")
    assert (content.status, len(content.history)) == before


def test_unknown_status_is_invalid() -> None:
    with pytest.raises(Invalid):
        draft().move("live", by="amira", may_approve=True, now=NOW)


def test_author_never_approves_own_content() -> None:
    content = draft()
    content.move(IN_REVIEW, by="amira", may_approve=False, now=NOW)
    with pytest.raises(Forbidden):
        content.move(APPROVED, by="amira", may_approve=True, now=NOW)
    assert content.status == IN_REVIEW and content.approved_by is None


def test_approval_needs_the_approve_scope() -> None:
    content = draft()
    content.move(IN_REVIEW, by="amira", may_approve=False, now=NOW)
    with pytest.raises(Forbidden):
        content.move(APPROVED, by="ben", may_approve=False, now=NOW)
    assert content.status == IN_REVIEW


def test_rejection_needs_a_reason_and_clears_approval() -> None:
    content = approved()
    with pytest.raises(Invalid):
        content.move(DRAFT, by="ben", may_approve=True, now=NOW, reason="  ")
    assert content.status == APPROVED
    content.move(DRAFT, by="ben", may_approve=True, now=NOW, reason="Wrong date for the event")
    assert content.status == DRAFT
    assert content.rejection_reason == "Wrong date for the event"
    assert content.approved_by is None


@pytest.mark.parametrize("publish_at", [NOW, NOW - timedelta(minutes=1), None])
def test_scheduling_needs_a_future_time(publish_at: datetime | None) -> None:
    content = approved()
    with pytest.raises(Invalid) as refusal:
        content.move(SCHEDULED, by="amira", may_approve=False, now=NOW, publish_at=publish_at)
    assert refusal.value.errors[0]["field"] == "publish_at"
    assert content.status == APPROVED and content.publish_at is None


def test_scheduling_uses_the_drafts_publish_at() -> None:
    content = approved(publish_at=NOW + timedelta(hours=3))
    content.move(SCHEDULED, by="amira", may_approve=False, now=NOW)
    assert content.publish_at == NOW + timedelta(hours=3)


BOARD = "safeguarding_board"


def board_decision(outcome: str = "carried", decision_id: str = "d1") -> BoardAuthorisation:
    return BoardAuthorisation(
        decision_id=decision_id,
        board_id="sab",
        board_name="Northamptonshire Safeguarding Adults Board",
        outcome=outcome,
        decided_on=date(2026, 11, 20),
    )


class TestSignOff:
    """A body's sign-off recorded by the comms team (any body but the safeguarding board)."""

    def in_review(self, body: str = "monitoring_officer") -> Content:
        content = draft(requires_approval_by=body, channels=["press_release"], author="civic-comms")
        content.move(IN_REVIEW, by="amira", may_approve=False, now=NOW)
        return content

    def test_approval_is_refused_until_the_body_signs_off(self) -> None:
        content = self.in_review()
        with pytest.raises(Refused) as refusal:
            content.move(APPROVED, by="ben", may_approve=True, now=NOW)
        assert refusal.value.extra["requires_approval_by"] == "monitoring_officer"
        assert "POST /v1/content/c1/sign-offs" in refusal.value.detail
        assert content.status == IN_REVIEW
        signed = content.record_sign_off("monitoring_officer", "Monitoring Officer", NOW)
        assert signed.decision_id is None and signed.signed_by == "Monitoring Officer"
        content.move(APPROVED, by="ben", may_approve=True, now=NOW)
        content.move(PUBLISHED, by="ben", may_approve=True, now=NOW)
        assert content.status == PUBLISHED

    def test_sign_off_by_another_body_does_not_count(self) -> None:
        content = self.in_review()
        with pytest.raises(Refused):
            content.record_sign_off("children_partnership", "Someone", NOW)
        assert content.sign_offs == [] and content.missing_sign_off == "monitoring_officer"

    def test_second_sign_off_and_none_needed(self) -> None:
        content = self.in_review()
        content.record_sign_off("monitoring_officer", "Chair", NOW)
        with pytest.raises(Refused):
            content.record_sign_off("monitoring_officer", "Chair", NOW)
        assert len(content.sign_offs) == 1
        with pytest.raises(Refused):
            draft().record_sign_off("monitoring_officer", "Chair", NOW)

    @pytest.mark.parametrize("needs", [BOARD, None, "monitoring_officer"])
    @pytest.mark.parametrize("body", [BOARD, f"  {BOARD} "])
    def test_the_boards_sign_off_is_never_recorded_by_a_comms_caller(self, needs: str | None, body: str) -> None:
        content = self.in_review(needs) if needs else draft()
        before = (list(content.sign_offs), content.status, content.missing_sign_off)
        with pytest.raises(Forbidden) as refusal:
            content.record_sign_off(body, "Independent Chair", NOW)
        assert "authorises_content_id" in refusal.value.detail and "/v1/boards/{board_id}/decisions" in refusal.value.detail
        assert refusal.value.extra["authorises_content_id"] == "c1"
        assert (content.sign_offs, content.status, content.missing_sign_off) == before


class TestBoardAuthorisation:
    """The safeguarding board's sign-off, from the board's own decision authorising the content."""

    def in_review(self) -> Content:
        return TestSignOff().in_review(BOARD)

    def test_the_boards_decision_is_its_sign_off_and_lets_approval_through(self) -> None:
        content = self.in_review()
        with pytest.raises(Refused) as refusal:
            content.move(APPROVED, by="ben", may_approve=True, now=NOW)
        assert "by a decision in safeguarding" in refusal.value.detail and "sign-offs" not in refusal.value.detail
        signed = content.record_board_authorisation(board_decision(), NOW)
        assert signed is not None and content.sign_offs == [signed]
        assert (signed.body, signed.signed_by, signed.signed_at) == (
            BOARD,
            "Northamptonshire Safeguarding Adults Board",
            NOW,
        )
        assert (signed.decision_id, signed.board_id, signed.decided_on) == ("d1", "sab", date(2026, 11, 20))
        assert content.missing_sign_off is None
        content.move(APPROVED, by="ben", may_approve=True, now=NOW)
        assert content.status == APPROVED

    @pytest.mark.parametrize("outcome", ["carried", "agreed"])
    def test_carried_or_agreed_authorises(self, outcome: str) -> None:
        content = self.in_review()
        assert content.record_board_authorisation(board_decision(outcome), NOW) is not None

    def test_the_same_decision_again_changes_nothing(self) -> None:
        content = self.in_review()
        content.record_board_authorisation(board_decision(), NOW)
        before = list(content.sign_offs)
        assert content.record_board_authorisation(board_decision(), NOW + timedelta(hours=1)) is None
        assert content.sign_offs == before

    def test_not_carried_authorises_nothing(self) -> None:
        content = self.in_review()
        with pytest.raises(Refused) as refusal:
            content.record_board_authorisation(board_decision("not_carried"), NOW)
        assert "not carried" in refusal.value.detail
        assert content.sign_offs == [] and content.missing_sign_off == BOARD

    def test_a_second_decision_is_refused(self) -> None:
        content = self.in_review()
        content.record_board_authorisation(board_decision(), NOW)
        with pytest.raises(Refused) as refusal:
            content.record_board_authorisation(board_decision(decision_id="d2"), NOW)
        assert "already recorded" in refusal.value.detail and len(content.sign_offs) == 1

    @pytest.mark.parametrize("needs", [None, "monitoring_officer"])
    def test_content_that_needs_no_boards_sign_off_is_refused(self, needs: str | None) -> None:
        content = TestSignOff().in_review(needs) if needs else draft()
        with pytest.raises(Refused) as refusal:
            content.record_board_authorisation(board_decision(), NOW)
        assert ("not the safeguarding board's" if needs else "no other body's sign-off") in refusal.value.detail
        assert content.sign_offs == []

    def test_published_content_is_refused(self) -> None:
        content = self.in_review()
        content.record_board_authorisation(board_decision(), NOW)
        content.move(APPROVED, by="ben", may_approve=True, now=NOW)
        content.move(PUBLISHED, by="ben", may_approve=True, now=NOW)
        with pytest.raises(Refused) as refusal:
            content.record_board_authorisation(board_decision(decision_id="d2"), NOW)
        assert "already published" in refusal.value.detail and len(content.sign_offs) == 1


def test_only_drafts_are_edited() -> None:
    content = draft()
    content.edit(title="New title", channels=["intranet"])
    assert (content.title, content.channels) == ("New title", ["intranet"])
    content.move(IN_REVIEW, by="amira", may_approve=False, now=NOW)
    with pytest.raises(Refused):
        content.edit(title="Sneaky change after review")
    assert content.title == "New title"


def test_edit_validates_before_changing() -> None:
    content = draft()
    with pytest.raises(Invalid):
        content.edit(title="Fine", channels=["carrier_pigeon"])
    assert content.title == "City Status bid: have your say"
