"""Content and its approval workflow, the channels and audiences it goes out to, and campaigns.

Plain Python: stdlib and ``civic.errors`` only. Times are timezone-aware datetimes (UTC at rest); the
caller passes ``now`` so the rules are testable without a clock.

Sign-offs: content may need another body's sign-off before it is approved (``requires_approval_by``).
Most bodies' sign-offs are recorded by the comms team (``Content.record_sign_off``). The safeguarding
board authorises its own media communications (seed 003): its sign-off is the board's decision, taken in
safeguarding and naming the content item (``authorises_content_id``), and comms records it from that
decision's event (``Content.record_board_authorisation``); a comms caller cannot record it (403).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from civic.errors import FieldErrors, Forbidden, Invalid, Refused

from civic_comms.domain import SYSTEM_AUTHOR, aware_time, required_text

# --- channels and audiences -------------------------------------------------------------------

FIXED_CHANNELS = (
    "website",
    "press_release",
    "intranet",
    "staff_briefing",
    "councillor_briefing",
    "chief_executive_blog",
    "teams",
    "email_bulletin",
)
SOCIAL_PREFIX = "social:"
#: a social network is named after the prefix: social:tiktok, social:instagram, social:x
SOCIAL_NETWORK = r"[a-z][a-z0-9_-]{0,29}"
_SOCIAL_NAME = re.compile(f"^{SOCIAL_NETWORK}$")

AUDIENCES = ("residents", "staff", "councillors", "partners", "media")


def check_channels(channels: Sequence[str], field_name: str = "channels") -> list[str]:
    """The channels in the council's fixed vocabulary, duplicates dropped, order kept."""
    if not channels:
        raise Invalid.at(field_name, "empty", "Name at least one channel.")
    errors = FieldErrors()
    for i, channel in enumerate(channels):
        if channel in FIXED_CHANNELS:
            continue
        if channel.startswith(SOCIAL_PREFIX) and _SOCIAL_NAME.match(channel[len(SOCIAL_PREFIX) :]):
            continue
        errors.add(
            f"{field_name}.{i}",
            f"unknown channel {channel!r}; use one of {', '.join(FIXED_CHANNELS)} "
            "or social:<network> (e.g. social:tiktok)",
        )
    errors.raise_if_any("Some channels are not ones the council publishes on.")
    return list(dict.fromkeys(channels))


def check_audience(audience: str | Sequence[str], field_name: str = "audience") -> list[str]:
    values = [audience] if isinstance(audience, str) else list(audience)
    if not values:
        raise Invalid.at(field_name, "empty", "Name at least one audience.")
    errors = FieldErrors(
        {
            "field": f"{field_name}.{i}",
            "message": f"unknown audience {a!r}; use one of {', '.join(AUDIENCES)}",
        }
        for i, a in enumerate(values)
        if a not in AUDIENCES
    )
    errors.raise_if_any("Some audiences are not known.")
    return list(dict.fromkeys(values))


# --- content ----------------------------------------------------------------------------------

DRAFT, IN_REVIEW, APPROVED, SCHEDULED, PUBLISHED = "draft", "in_review", "approved", "scheduled", "published"
CONTENT_STATUSES = (DRAFT, IN_REVIEW, APPROVED, SCHEDULED, PUBLISHED)

#: where content can go from each status; back to draft is a rejection (or withdrawal) with a reason
CONTENT_MOVES: dict[str, tuple[str, ...]] = {
    DRAFT: (IN_REVIEW,),
    IN_REVIEW: (APPROVED, DRAFT),
    APPROVED: (SCHEDULED, PUBLISHED, DRAFT),
    SCHEDULED: (PUBLISHED, DRAFT),
    PUBLISHED: (),
}
#: what a transition may ask for: every status a step leads to (draft too: going back, with a reason)
CONTENT_TARGETS = tuple(s for s in CONTENT_STATUSES if any(s in moves for moves in CONTENT_MOVES.values()))


#: the body that authorises the safeguarding board's media communications
SAFEGUARDING_BOARD = "safeguarding_board"
#: bodies whose sign-off is their own decision, recorded from its event: never by a comms caller
SIGNED_OFF_BY_THEIR_DECISION = (SAFEGUARDING_BOARD,)
#: the outcomes of a board decision that say yes
IN_FAVOUR = ("carried", "agreed")


@dataclass(frozen=True)
class SignOff:
    body: str
    signed_by: str
    signed_at: datetime
    #: for a board's sign-off: the board's decision that gave it (None for one the comms team recorded)
    decision_id: str | None = None
    board_id: str | None = None
    decided_on: date | None = None


@dataclass(frozen=True)
class BoardAuthorisation:
    """A decision of the safeguarding board that names a content item it authorises for publication."""

    decision_id: str
    board_id: str
    board_name: str
    outcome: str  # carried | not_carried | agreed
    decided_on: date

    @property
    def in_favour(self) -> bool:
        return self.outcome in IN_FAVOUR


@dataclass(frozen=True)
class Move:
    """One step of the content's history, kept for the audit trail."""

    from_status: str
    to_status: str
    by: str
    at: datetime
    reason: str | None = None


@dataclass
class Content:
    id: str
    title: str
    body: str
    channels: list[str]
    audience: list[str]
    author: str
    status: str = DRAFT
    campaign_id: str | None = None
    publish_at: datetime | None = None
    requires_approval_by: str | None = None
    sign_offs: list[SignOff] = field(default_factory=list)
    history: list[Move] = field(default_factory=list)
    approved_by: str | None = None
    approved_at: datetime | None = None
    published_at: datetime | None = None
    rejection_reason: str | None = None
    #: set on drafts written in reaction to another service's event: one draft per source
    source_key: str | None = None

    @classmethod
    def draft(
        cls,
        *,
        id: str,
        title: str,
        body: str,
        channels: Sequence[str],
        audience: str | Sequence[str],
        author: str,
        campaign_id: str | None = None,
        publish_at: datetime | None = None,
        requires_approval_by: str | None = None,
        source_key: str | None = None,
    ) -> Content:
        return cls(
            id=id,
            title=required_text(title, "title", 300),
            body=required_text(body, "body", 100_000),
            channels=check_channels(channels),
            audience=check_audience(audience),
            author=author,
            campaign_id=campaign_id,
            publish_at=aware_time(publish_at, "publish_at") if publish_at else None,
            requires_approval_by=_approving_body(requires_approval_by),
            source_key=source_key,
        )

    # the queries the workflow asks
    @property
    def missing_sign_off(self) -> str | None:
        """The body whose sign-off is still needed, if any."""
        if self.requires_approval_by and not any(s.body == self.requires_approval_by for s in self.sign_offs):
            return self.requires_approval_by
        return None

    def edit(
        self,
        *,
        title: str | None = None,
        body: str | None = None,
        channels: Sequence[str] | None = None,
        audience: str | Sequence[str] | None = None,
        publish_at: datetime | None = None,
        campaign_id: str | None = None,
    ) -> None:
        """Only a draft changes: what was reviewed or approved is what goes out."""
        if self.status != DRAFT:
            raise Refused(
                f"This content is {self.status}; only a draft can be edited. "
                "Send it back to draft (with a reason) first.",
                current_status=self.status,
            )
        # check every field before changing any, so a refused edit leaves the draft as it was
        new_title = required_text(title, "title", 300) if title is not None else self.title
        new_body = required_text(body, "body", 100_000) if body is not None else self.body
        new_channels = check_channels(channels) if channels is not None else self.channels
        new_audience = check_audience(audience) if audience is not None else self.audience
        new_publish_at = aware_time(publish_at, "publish_at") if publish_at is not None else self.publish_at
        self.title, self.body, self.channels, self.audience = new_title, new_body, new_channels, new_audience
        self.publish_at = new_publish_at
        self.campaign_id = campaign_id if campaign_id is not None else self.campaign_id

    def record_sign_off(self, body: str, signed_by: str, now: datetime) -> SignOff:
        """A sign-off the comms team records for the body named (never a board's: see below)."""
        body = required_text(body, "body", 100)
        if body in SIGNED_OFF_BY_THEIR_DECISION:
            raise Forbidden(
                f"The {body!r} sign-off cannot be recorded here: the board authorises its own media "
                "communications. The board records a decision in safeguarding that authorises this content "
                f"(authorises_content_id: {self.id!r}), at a meeting (POST /v1/meetings/{{meeting_id}}/items/"
                "{item_id}/decision) or between meetings by the chair with the statutory partners (POST "
                "/v1/boards/{board_id}/decisions); comms records the sign-off from that decision.",
                body=body,
                authorises_content_id=self.id,
            )
        signed_by = required_text(signed_by, "signed_by", 200)
        if self.requires_approval_by is None:
            raise Refused("This content needs no other body's sign-off.")
        if body != self.requires_approval_by:
            raise Refused(
                f"This content needs the sign-off of {self.requires_approval_by!r}, not {body!r}.",
                requires_approval_by=self.requires_approval_by,
            )
        if self.status == PUBLISHED:
            raise Refused("This content is already published; a sign-off can no longer be recorded.")
        if not self.missing_sign_off:
            raise Refused(f"The sign-off of {body!r} is already recorded.")
        sign_off = SignOff(body=body, signed_by=signed_by, signed_at=now)
        self.sign_offs.append(sign_off)
        return sign_off

    def record_board_authorisation(self, decision: BoardAuthorisation, now: datetime) -> SignOff | None:
        """The safeguarding board's sign-off, from the board's decision authorising this content.

        None when this decision's sign-off is already recorded (its event came again): nothing changes.
        Refused, changing nothing, when the decision did not say yes, the content needs no board's
        sign-off (none, or another body's), is already published, or has the board's sign-off already
        (from another decision).
        """
        if any(s.decision_id == decision.decision_id for s in self.sign_offs):
            return None
        if not decision.in_favour:
            raise Refused(
                f"The board's decision {decision.decision_id!r} was {decision.outcome.replace('_', ' ')}: "
                "it authorises nothing.",
                outcome=decision.outcome,
            )
        if self.requires_approval_by != SAFEGUARDING_BOARD:
            needed = (
                f"the sign-off of {self.requires_approval_by!r}, not the safeguarding board's"
                if self.requires_approval_by
                else "no other body's sign-off"
            )
            raise Refused(f"This content needs {needed}.", requires_approval_by=self.requires_approval_by)
        if self.status == PUBLISHED:
            raise Refused("This content is already published; a sign-off can no longer be recorded.")
        if not self.missing_sign_off:
            raise Refused(f"The sign-off of {SAFEGUARDING_BOARD!r} is already recorded.")
        sign_off = SignOff(
            body=SAFEGUARDING_BOARD,
            signed_by=decision.board_name,
            signed_at=now,
            decision_id=decision.decision_id,
            board_id=decision.board_id,
            decided_on=decision.decided_on,
        )
        self.sign_offs.append(sign_off)
        return sign_off

    def move(
        self,
        to: str,
        *,
        by: str,
        may_approve: bool,
        now: datetime,
        reason: str | None = None,
        publish_at: datetime | None = None,
    ) -> None:
        """One step of the workflow. Raises before changing anything when the step is not allowed."""
        if to not in CONTENT_STATUSES:
            raise Invalid.at("to", f"one of {', '.join(CONTENT_STATUSES)}", f"Unknown status {to!r}.")
        allowed = CONTENT_MOVES[self.status]
        if to not in allowed:
            where = ", ".join(allowed) if allowed else "nowhere: it is final"
            raise Refused(
                f"Content that is {self.status} cannot go to {to}; it can go to {where}.",
                current_status=self.status,
                allowed=list(allowed),
            )
        reason = reason.strip() if reason else None
        if to == DRAFT:
            if not reason:
                raise Invalid.at("reason", "required when returning to draft", "Say why the content goes back to draft.")
            self.rejection_reason = reason
            self.approved_by = self.approved_at = None  # a changed draft must be approved again
        elif to == APPROVED:
            self._check_approver(by, may_approve)
            self._check_sign_off("approved")
            self.approved_by, self.approved_at = by, now
            self.rejection_reason = None
        elif to == SCHEDULED:
            self._check_sign_off("scheduled")
            when = aware_time(publish_at, "publish_at") if publish_at else self.publish_at
            if when is None:
                raise Invalid.at(
                    "publish_at", "required to schedule",
                    "Say when to publish: publish_at is needed to schedule content.",
                )
            if when <= now:
                raise Invalid.at(
                    "publish_at", "must be in the future",
                    f"publish_at {when.isoformat()} is not in the future.",
                )
            self.publish_at = when
        elif to == PUBLISHED:
            self._check_sign_off("published")
            self.published_at = now
        self.history.append(Move(self.status, to, by, now, reason))
        self.status = to

    def publish_when_due(self, now: datetime) -> bool:
        """The scheduler's step: a scheduled item whose time has come is published."""
        if self.status != SCHEDULED or self.publish_at is None or self.publish_at > now:
            return False
        self.move(PUBLISHED, by=SYSTEM_AUTHOR, may_approve=False, now=now)
        return True

    def _check_approver(self, by: str, may_approve: bool) -> None:
        if not may_approve:
            raise Forbidden(
                "Approving content needs the comms:approve scope.", required_scope="comms:approve"
            )
        # four eyes: the author never approves their own words
        if by == self.author:
            raise Forbidden("You wrote this content; someone else with comms:approve must approve it.")

    def _check_sign_off(self, step: str) -> None:
        missing = self.missing_sign_off
        if missing in SIGNED_OFF_BY_THEIR_DECISION:
            raise Refused(
                f"This content needs the sign-off of {missing!r} before it can be {step}: the board gives it "
                f"by a decision in safeguarding that authorises this content (authorises_content_id: "
                f"{self.id!r}).",
                requires_approval_by=missing,
            )
        if missing:
            raise Refused(
                f"This content needs the sign-off of {missing!r} before it can be {step}: "
                f"record it with POST /v1/content/{self.id}/sign-offs.",
                requires_approval_by=missing,
            )


def _approving_body(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip()
    if not re.fullmatch(r"[a-z][a-z0-9_]{1,63}", value):
        raise Invalid.at(
            "requires_approval_by", "e.g. safeguarding_board",
            "requires_approval_by names a body in lower case with underscores, e.g. safeguarding_board.",
        )
    return value


# --- campaigns --------------------------------------------------------------------------------


@dataclass
class Campaign:
    id: str
    title: str
    objectives: list[str]
    starts_on: date
    ends_on: date
    owner: str
    description: str | None = None

    @classmethod
    def plan(
        cls,
        *,
        id: str,
        title: str,
        objectives: Sequence[str],
        starts_on: date,
        ends_on: date,
        owner: str,
        description: str | None = None,
    ) -> Campaign:
        if ends_on < starts_on:
            raise Invalid.at("ends_on", "before starts_on", "A campaign cannot end before it starts.")
        cleaned = [o.strip() for o in objectives if o.strip()]
        if not cleaned:
            raise Invalid.at("objectives", "empty", "Give the campaign at least one objective.")
        return cls(
            id=id,
            title=required_text(title, "title", 300),
            objectives=cleaned,
            starts_on=starts_on,
            ends_on=ends_on,
            owner=owner,
            description=description.strip() if description else None,
        )
