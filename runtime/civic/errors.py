"""Refusals the domain and the service layer raise; the HTTP edge turns them into problem details.

Plain Python on purpose: domain modules import this and nothing else from the runtime.
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """Base of every expected refusal. ``status`` is the HTTP status the edge answers with."""

    status = 400
    title = "Bad request"
    type_slug = "bad-request"

    def __init__(self, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = extra


class Invalid(DomainError):
    """The request is well-formed but its content breaks a validation rule (422)."""

    status = 422
    title = "Validation failed"
    type_slug = "validation-failed"

    def __init__(self, detail: str, errors: list[dict[str, Any]] | None = None, **extra: Any) -> None:
        super().__init__(detail, **extra)
        self.errors = errors or []


class NotFound(DomainError):
    status = 404
    title = "Not found"
    type_slug = "not-found"

    def __init__(self, kind: str, id: str) -> None:
        super().__init__(f"No {kind} with id {id!r}.", kind=kind, id=id)


class Refused(DomainError):
    """A rule of the domain refuses the action (wrong state, inquorate meeting, no capacity): 409."""

    status = 409
    title = "Refused by a rule of the domain"
    type_slug = "refused"


class PreconditionFailed(DomainError):
    """If-Match named a version that is no longer current (412)."""

    status = 412
    title = "Precondition failed"
    type_slug = "precondition-failed"


class Forbidden(DomainError):
    status = 403
    title = "Forbidden"
    type_slug = "forbidden"


class Unauthorised(DomainError):
    status = 401
    title = "Unauthorised"
    type_slug = "unauthorised"


class Unavailable(DomainError):
    """A dependency (database, broker) cannot be reached: try again later (503)."""

    status = 503
    title = "Service unavailable"
    type_slug = "unavailable"
