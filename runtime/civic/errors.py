"""Refusals the domain and the service layer raise; the HTTP edge turns them into problem details.

Plain Python on purpose: domain modules import this and nothing else from the runtime.
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """Base of every expected refusal. ``status`` is the HTTP status the edge answers with, ``title`` and
    ``type_slug`` the problem details' title and type; a kind of refusal states the three in its class
    line (``class Refused(DomainError, status=409, title=..., type_slug="refused")``)."""

    status = 400
    title = "Bad request"
    type_slug = "bad-request"

    def __init_subclass__(cls, *, status: int | None = None, title: str | None = None,
                          type_slug: str | None = None, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        # a subclass of a kind (a service's own refusal) keeps what its kind says unless it says otherwise
        cls.status = status or cls.status
        cls.title = title or cls.title
        cls.type_slug = type_slug or cls.type_slug

    def __init__(self, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = extra


class Invalid(DomainError, status=422, title="Validation failed", type_slug="validation-failed"):
    """The request is well-formed but its content breaks a validation rule."""

    def __init__(self, detail: str, errors: list[dict[str, Any]] | None = None, **extra: Any) -> None:
        super().__init__(detail, **extra)
        self.errors = errors or []

    @classmethod
    def at(cls, field: str, message: str, detail: str) -> Invalid:
        """One field breaks a rule: ``raise Invalid.at("reason", "required", "Say why.")``, its ``errors``
        the one ``{"field", "message"}`` entry (:class:`FieldErrors` collects several)."""
        return cls(detail, errors=[{"field": field, "message": message}])


class FieldErrors(list[dict[str, Any]]):
    """The fields of a request that break a rule, collected so every one is reported at once.

    ``errors = FieldErrors()``, ``errors.add("profile.0.year", "must look like 2023/24")`` for each
    broken rule, then ``errors.raise_if_any("The initiative cannot be proposed as given.")``: one
    :class:`Invalid` (422) listing them all, or nothing when there are none. It is a list of
    ``{"field", "message"}`` entries, so a helper that appends to a list can fill it too.
    """

    @classmethod
    def of(cls, field: str, message: str) -> FieldErrors:
        """One broken rule, e.g. ``FieldErrors.of("reason", "is required").raise_if_any()``."""
        errors = cls()
        errors.add(field, message)
        return errors

    def add(self, field: str, message: str) -> None:
        self.append({"field": field, "message": message})

    def add_if(self, field: str, problem: str | None) -> str | None:
        """Add ``field``'s problem when it has one (what a check answering "why not, or None" said), e.g.
        ``errors.add_if("year", year_problem(value))``; returns the problem."""
        if problem:
            self.add(field, problem)
        return problem

    def raise_if_any(self, detail: str | None = None) -> None:
        """Raise one :class:`Invalid` holding every entry; ``detail`` defaults to one naming them all."""
        if self:
            if detail is None:
                detail = "The request has invalid fields: " + "; ".join(f"{e['field']} {e['message']}" for e in self) + "."
            raise Invalid(detail, errors=list(self))


class NotFound(DomainError, status=404, title="Not found", type_slug="not-found"):
    """No record of that kind has that id."""

    def __init__(self, kind: str, id: str) -> None:
        super().__init__(f"No {kind} with id {id!r}.", kind=kind, id=id)


class Refused(DomainError, status=409, title="Refused by a rule of the domain", type_slug="refused"):
    """A rule of the domain refuses the action (wrong state, inquorate meeting, no capacity)."""


class PreconditionFailed(DomainError, status=412, title="Precondition failed", type_slug="precondition-failed"):
    """If-Match named a version that is no longer current."""


class Forbidden(DomainError, status=403, title="Forbidden", type_slug="forbidden"):
    """The caller may not do this (a scope or a role it lacks)."""


class Unauthorised(DomainError, status=401, title="Unauthorised", type_slug="unauthorised"):
    """The caller has not shown who it is (no token, or one that does not hold)."""


class Unavailable(DomainError, status=503, title="Service unavailable", type_slug="unavailable"):
    """A dependency (database, broker) cannot be reached: try again later."""
