"""The savings register's initiatives in the council's own terms: what they describe, their lifecycle,
actuals and RAG status, and the building whose closure realises a planned saving.

Plain Python: no web framework, no database, no event schemas. Methods change the model and append
to its history; the service layer turns that into documents and events. The arithmetic of the saving by
year (its profile, a slip, what a closure books) is in ``figures.py``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, NotRequired, TypedDict, Unpack

from civic.calendar import date_of
from civic.errors import FieldErrors, Invalid, Refused

from civic_savings.domain import MAX_REASON, cleaned, text_problem
from civic_savings.initiatives import figures as saving
from civic_savings.programme.domain import CATEGORIES, THEMES

STATUSES = ("proposed", "approved", "in_delivery", "slipped", "delivered", "undeliverable", "rejected")
RAG_STATUSES = ("green", "amber", "red")

# Which lifecycle moves are allowed. Delivered, undeliverable and rejected are final.
TRANSITIONS: dict[str, frozenset[str]] = {
    "proposed": frozenset({"approved", "rejected"}),
    "approved": frozenset({"in_delivery", "slipped", "undeliverable"}),
    "in_delivery": frozenset({"delivered", "slipped", "undeliverable"}),
    "slipped": frozenset({"in_delivery", "delivered", "slipped", "undeliverable"}),
    "delivered": frozenset(),
    "undeliverable": frozenset(),
    "rejected": frozenset(),
}
#: the statuses an initiative ends in: its delivery plan is over (its open milestones are dropped)
FINAL = frozenset(status for status, moves in TRANSITIONS.items() if not moves)
#: the moves only the holder of ``savings:approve`` may make (the Star Chamber decides on a proposal)
DECISIONS = frozenset({"approved", "rejected"})
#: the moves that need a reason, and what the reason is asked to say
REASONS_NEEDED = {"undeliverable": "say why it cannot be delivered", "rejected": "say why the proposal is rejected"}

# Actuals can be recorded once an initiative is approved, and corrected after delivery.
RECORDS_ACTUALS = frozenset({"approved", "in_delivery", "slipped", "delivered"})

# Savings from closing or disposing of a building no initiative planned are recorded under this programme.
BUILDING_PROGRAMME = "Property rationalisation"
BUILDING_DIRECTORATE = "Corporate Services"
#: the fields that name the building an initiative plans to close (its saving is that closure's)
BUILDING_FIELDS = ("building_id", "building_name", "building_town")
#: the fields that describe an initiative, each with whether it is required
DESCRIPTIVE = {"title": True, "directorate": True, "owner": False, "programme": False}


def building_key(name: str, town: str) -> str:
    """A building as property tells one from another: its name in its town, without case or extra spaces
    (property refuses a second building of the same name in the same town)."""
    return f"{' '.join(name.split()).casefold()}|{' '.join(town.split()).casefold()}"


def _building_errors(building_id: Any, name: Any, town: Any) -> FieldErrors:
    """The building an initiative plans: by property's id, or by name and town until the id is known."""
    errors = FieldErrors()
    for field_name, value in (("building_id", building_id), ("building_name", name), ("building_town", town)):
        errors.add_if(field_name, text_problem(value, required=False))
    if (name is None) != (town is None):
        missing = "building_town" if town is None else "building_name"
        errors.add(missing, "is required with the other: a building is named by its name and its town")
    return errors


# ---------------------------------------------------------------- the initiative


class LeftTheEstate(TypedDict):
    """A building closed or disposed of, as its saving is booked (whether an initiative planned it or not): the
    facts of property's event, who books it (``by``: the event's type) and when (``now``)."""

    building_id: str
    building_name: str
    town: str | None
    on: date
    annual_running_cost_pence: int
    by: str
    now: datetime
    event_id: NotRequired[str | None]


def _realisation(left: LeftTheEstate, booked: dict[str, int], *, planned: bool) -> dict[str, Any]:
    return saving.realisation(
        left["building_id"], left["building_name"], left["on"], left["annual_running_cost_pence"], booked,
        left["by"], left.get("event_id"), planned=planned,
    )  # fmt: skip


@dataclass
class Initiative:
    id: str
    title: str
    directorate: str
    theme: str
    category: str
    profile: dict[str, int]  # year -> planned pence, in year order
    owner: str | None = None
    programme: str | None = None
    status: str = "proposed"
    actuals: dict[str, int] = field(default_factory=dict)  # year -> delivered pence
    rag: str | None = None
    rag_reason: str | None = None
    approved_by: str | None = None
    approved_on: date | None = None
    undeliverable_reason: str | None = None
    rejected_by: str | None = None
    rejected_on: date | None = None
    rejection_reason: str | None = None
    #: the building whose closure is this initiative's saving: property's id, or its name and town until
    #: the closure event tells the id (then both are kept)
    building_id: str | None = None
    building_name: str | None = None
    building_town: str | None = None
    #: the closure (or disposal) that realised the saving, once: {building_id, building_name, on,
    #: annual_running_cost_pence, by_year: {year: pence}, event_id, event_type, planned}; ``planned`` is
    #: False when the closure made this initiative (no initiative planned the building)
    realisation: dict[str, Any] | None = None
    slippages: list[dict[str, Any]] = field(default_factory=list)
    history: list[dict[str, Any]] = field(default_factory=list)

    # ---- creation

    @classmethod
    def propose(
        cls,
        *,
        id: str,
        title: Any,
        directorate: Any,
        theme: Any,
        category: Any,
        profile: Any,
        owner: Any = None,
        programme: Any = None,
        rag: Any = None,
        rag_reason: Any = None,
        building_id: Any = None,
        building_name: Any = None,
        building_town: Any = None,
        by: str,
        now: datetime,
    ) -> Initiative:
        """A new proposal. ``building_id`` (or ``building_name`` with ``building_town``) names the building
        whose closure it plans: that closure, when property reports it, realises this initiative's saving."""
        errors = _field_errors(
            {"title": title, "directorate": directorate, "owner": owner, "programme": programme,
             "theme": theme, "category": category}
        )  # fmt: skip
        errors += _rag_errors(rag, rag_reason)
        errors += _building_errors(building_id, building_name, building_town)
        try:
            planned = saving.check_profile(profile)
        except Invalid as exc:
            errors += exc.errors
            planned = {}
        errors.raise_if_any()
        initiative = cls(
            id=id,
            title=title.strip(),
            directorate=directorate.strip(),
            theme=theme,
            category=category,
            profile=planned,
            owner=owner.strip() if owner else None,
            programme=programme.strip() if programme else None,
            rag=rag,
            rag_reason=rag_reason,
            building_id=cleaned(building_id),
            building_name=cleaned(building_name),
            building_town=cleaned(building_town),
        )
        initiative._note(now, by, "status", to="proposed")
        return initiative

    @classmethod
    def building_saving(cls, *, id: str, **left: Unpack[LeftTheEstate]) -> Initiative:
        """A realised saving no initiative planned: the closed or disposed building's annual running cost,
        booked by the closure rule (``figures.closure_saving``: the part-year in the closure year, the
        rest of the full amount in the next), planned and delivered."""
        booked = saving.closure_booking(left["annual_running_cost_pence"], left["on"])
        name, town = left["building_name"], left["town"]
        where = f" ({town})" if town else ""
        initiative = cls(
            id=id,
            title=f"Rationalisation of buildings: {name}{where}",
            directorate=BUILDING_DIRECTORATE,
            theme="redesign_reorganisation",
            category="transformation",
            profile=dict(booked),
            owner="Estates",
            programme=BUILDING_PROGRAMME,
            status="delivered",
            actuals=dict(booked),
            building_id=left["building_id"],
            building_name=name,
            building_town=town,
        )
        initiative.realisation = _realisation(left, booked, planned=False)
        initiative._note(left["now"], left["by"], "status", to="delivered", reason=f"building {name} left the estate")
        return initiative

    # ---- reading

    @property
    def planned_pence(self) -> int:
        return sum(self.profile.values())

    @property
    def delivered_pence(self) -> int:
        return sum(self.actuals.values())

    def unmet(self, year: str) -> int:
        return saving.unmet(self.profile, self.actuals, year)

    @property
    def building_key(self) -> str | None:
        """The building it names by name and town (as property tells buildings apart), if it does."""
        if self.building_name is None or self.building_town is None:
            return None
        return building_key(self.building_name, self.building_town)

    @property
    def made_by_closure(self) -> bool:
        """Whether a closure made this initiative (no initiative had planned the building)."""
        return self.realisation is not None and not self.realisation.get("planned", False)

    def plans(self, building_id: str, name: str, town: str | None) -> bool:
        """Whether this initiative's saving is the closure of that building: named by its id, or (with no id
        yet) by its name and town."""
        if self.building_id is not None:
            return self.building_id == building_id
        return town is not None and self.building_key == building_key(name, town)

    # ---- a planned building's closure

    def realise(self, **left: Unpack[LeftTheEstate]) -> dict[str, int]:
        """The closure of the building this initiative plans: its saving, booked by the closure rule
        (``figures.closure_saving``), is added to the actuals of its years (a year the profile did not
        have joins it with nothing planned), whatever the status; the building's id is kept. Once: a
        second closure or disposal of the building is refused. Returns the amounts booked, by year."""
        if self.realisation is not None:
            raise Refused(
                f"The saving of {self.realisation.get('building_name') or 'this building'} is already realised.",
                realised_on=self.realisation.get("on"),
            )
        booked = saving.closure_booking(left["annual_running_cost_pence"], left["on"])
        self.profile, self.actuals = saving.book(self.profile, self.actuals, booked)
        self.building_id = left["building_id"]
        if self.building_name is None:
            self.building_name, self.building_town = left["building_name"], left["town"]
        self.realisation = _realisation(left, booked, planned=True)
        self._note(
            left["now"], left["by"], "realised", building_id=left["building_id"], building_name=left["building_name"],
            on=left["on"].isoformat(), realised_pence=sum(booked.values()),
        )  # fmt: skip
        return booked

    # ---- lifecycle

    def transition(
        self,
        to: str,
        *,
        by: str,
        now: datetime,
        reason: str | None = None,
        to_year: str | None = None,
        from_year: str | None = None,
    ) -> dict[str, Any] | None:
        """Move along the lifecycle. Returns the slippage for a slip, else None."""
        if to not in STATUSES:
            raise Invalid.at(
                "to", f"must be one of {', '.join(STATUSES)}",
                f"{to!r} is not a status; use one of {', '.join(STATUSES)}",
            )
        if reason is not None:
            problem = text_problem(reason, required=False, limit=MAX_REASON)
            if problem:
                FieldErrors.of("reason", problem).raise_if_any()
        if to not in TRANSITIONS[self.status]:
            allowed = sorted(TRANSITIONS[self.status])
            raise Refused(
                f"An initiative that is {self.status} cannot become {to}"
                + (f"; it can become {', '.join(allowed)}." if allowed else "; that is a final state."),
                current_status=self.status,
                allowed=allowed,
            )
        if to == "slipped":
            return self._slip(to_year, from_year, by=by, now=now, reason=reason)
        if to in REASONS_NEEDED and not reason:
            FieldErrors.of("reason", f"is required: {REASONS_NEEDED[to]}").raise_if_any()
        if to == "delivered":
            saving.check_delivered(self.profile, self.actuals, self.status)
        if to == "undeliverable":
            self.undeliverable_reason = reason
        if to == "rejected":
            self.rejected_by, self.rejected_on, self.rejection_reason = by, date_of(now), reason
        if to == "approved":
            self.approved_by = by
            self.approved_on = date_of(now)  # the council's date at that moment
        self._note(now, by, "status", frm=self.status, to=to, reason=reason)
        self.status = to
        return None

    def _slip(
        self, to_year: str | None, from_year: str | None, *, by: str, now: datetime, reason: str | None
    ) -> dict[str, Any]:
        self.profile, from_year, amount = saving.slip(self.profile, self.actuals, to_year, from_year)
        slippage = {"from_year": from_year, "to_year": to_year, "amount_pence": amount, "on": date_of(now)}
        self.slippages.append(dict(slippage, reason=reason))
        self._note(
            now, by, "status", frm=self.status, to="slipped", reason=reason,
            from_year=from_year, to_year=to_year, amount_pence=amount,
        )  # fmt: skip
        self.status = "slipped"
        return slippage

    def record_actual(self, year: Any, delivered_pence: Any, *, by: str, now: datetime) -> None:
        saving.check_actual(self.profile, year, delivered_pence)
        if self.status not in RECORDS_ACTUALS:
            raise Refused(
                f"Actuals cannot be recorded for an initiative that is {self.status}.",
                current_status=self.status,
            )
        previous = self.actuals.get(year)
        if previous == delivered_pence:
            return  # the same figure again is no change
        self.actuals[year] = delivered_pence
        self.actuals = dict(sorted(self.actuals.items()))
        self._note(now, by, "actual", year=year, delivered_pence=delivered_pence, previous_pence=previous)

    def set_rag(self, rag: Any, reason: Any, *, by: str, now: datetime) -> None:
        _rag_errors(rag, reason).raise_if_any()
        if (rag, reason) == (self.rag, self.rag_reason):
            return
        self._note(now, by, "rag", frm=self.rag, to=rag, reason=reason)
        self.rag, self.rag_reason = rag, reason

    def amend(self, changes: dict[str, Any], *, by: str, now: datetime) -> None:
        """Edit descriptive fields; theme, category and profile only while still proposed; the building it
        plans (``building_id``, or ``building_name`` with ``building_town``; null to forget it) until its
        closure has realised the saving."""
        errors = FieldErrors()
        planning = ("theme", "category", "profile")
        linking = {name: changes[name] for name in BUILDING_FIELDS if name in changes}
        if linking:
            errors += _building_errors(
                linking.get("building_id", self.building_id),
                linking.get("building_name", self.building_name),
                linking.get("building_town", self.building_town),
            )
        for name, value in changes.items():
            if name in BUILDING_FIELDS:
                continue
            if name in DESCRIPTIVE or name in ("theme", "category"):
                errors += _field_errors({name: value})
            elif name not in planning:
                errors.add(name, "cannot be changed here")
        profile = None
        if "profile" in changes:
            try:
                profile = saving.check_profile(changes["profile"])
            except Invalid as exc:
                errors += exc.errors
        errors.raise_if_any()
        replanned = [name for name in planning if name in changes]
        if replanned and self.status != "proposed":
            raise Refused(
                f"{', '.join(replanned)} can only change while the initiative is proposed; it is "
                f"{self.status}. Record actuals or slip the saving instead.",
                current_status=self.status,
            )
        if self.made_by_closure and "programme" in changes:
            raise Refused("A building's saving stays in the property rationalisation programme.")
        if linking and self.realisation is not None:
            raise Refused(
                f"The closure of {self.realisation.get('building_name') or 'its building'} has realised this "
                "saving: the building it names no longer changes.",
                building_id=self.building_id,
            )
        before = {name: getattr(self, name) for name in changes}
        for name, value in changes.items():
            if name == "profile":
                self.profile = profile or {}
            elif name in BUILDING_FIELDS:
                setattr(self, name, cleaned(value))
            elif name in DESCRIPTIVE:
                setattr(self, name, cleaned(value))
            else:
                setattr(self, name, value)
        after = {name: getattr(self, name) for name in changes}
        if before != after:
            self._note(
                now, by, "amended", fields=sorted(name for name in changes if before[name] != after[name])
            )

    def _note(self, now: datetime, by: str, kind: str, *, frm: str | None = None, to: str | None = None,
              **details: Any) -> None:  # fmt: skip
        entry: dict[str, Any] = {"at": now, "by": by, "kind": kind}
        if frm is not None:
            entry["from"] = frm
        if to is not None:
            entry["to"] = to
        entry.update({k: v for k, v in details.items() if v is not None})
        self.history.append(entry)


def _field_errors(fields: dict[str, Any]) -> FieldErrors:
    """What is wrong with the descriptive fields, theme and category given (name -> value)."""
    errors = FieldErrors()
    for name, value in fields.items():
        if name in DESCRIPTIVE:
            errors.add_if(name, text_problem(value, required=DESCRIPTIVE[name]))
        elif name == "theme" and value not in THEMES:
            errors.add("theme", f"must be one of {', '.join(THEMES)}")
        elif name == "category" and value not in CATEGORIES:
            errors.add("category", f"must be one of {', '.join(CATEGORIES)}")
    return errors


def _rag_errors(rag: Any, reason: Any) -> FieldErrors:
    errors = FieldErrors()
    if rag is not None and rag not in RAG_STATUSES:
        errors.add("rag", f"must be one of {', '.join(RAG_STATUSES)}")
    if reason is not None:
        errors.add_if("rag_reason", text_problem(reason, required=False, limit=MAX_REASON))
    if rag in ("amber", "red") and not reason:
        errors.add("rag_reason", f"is required when the status is {rag}")
    return errors

