"""An API refusal (RFC 9457 problem details) as the GOV.UK error summary and the fields' own messages.

The API names every broken field (``errors``: ``{"field": "profile.0.year", "message": "..."}``); the page
says which of its form fields shows which API field and what the field is called, so the summary's links
go to the field the officer has to change. A refusal with no field (a rule about the whole thing, the
state it is in, someone else's change) is one line in the summary, in the API's own words.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

#: a form field for an API field: (the field's id on the page, what the field is called), or None
FieldOnPage = Callable[[str], tuple[str, str] | None]

STALE = ("Someone else changed this since you opened the page, so nothing was changed. "
         "It is shown below as it is now: check it and try again.")
TOO_LARGE = "What you sent is too large to take; nothing was changed."


@dataclass(frozen=True)
class Refusal:
    """What a page shows for a refusal: the summary's lines (text, and the link to the field when there is
    one) and each form field's own message; ``problem`` is the API's problem details, for what else it names."""

    status: int
    items: list[dict[str, str]] = field(default_factory=list)
    fields: dict[str, str] = field(default_factory=dict)
    problem: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)

    def message_for(self, field_id: str) -> dict[str, str] | None:
        """The GOV.UK ``errorMessage`` of a form field, or None when the refusal does not name it."""
        text = self.fields.get(field_id)
        return {"text": text} if text else None


#: request validation's own words (Pydantic's), as a sentence that follows the field's name
VALIDATION_WORDS = {"Field required": "is required", "Extra inputs are not permitted": "is not a field here"}


def _sentence(label: str, message: str) -> str:
    message = VALIDATION_WORDS.get(message.strip(), message.strip()).rstrip(".")
    if not label:
        return message[:1].upper() + message[1:]
    # the services' rules read on from the field ("must not be blank"); anything else stands apart
    return f"{label} {message}" if message[:1].islower() else f"{label}: {message}"


def refusal_from(problem: Mapping[str, Any], on_page: FieldOnPage, status: int | None = None) -> Refusal:
    """The summary and field messages for an API's problem details (or what the gateway answered)."""
    code = int(problem.get("status") or status or 0)
    detail = str(problem.get("detail") or problem.get("title") or "The request was refused; nothing was changed.")
    if code == 412 and "current_version" in problem:  # the version the page showed is no longer the current one
        return Refusal(code, [{"text": STALE}], problem=problem)
    if code == 413:
        return Refusal(code, [{"text": TOO_LARGE}], problem=problem)
    items: list[dict[str, str]] = []
    fields: dict[str, str] = {}
    errors = problem.get("errors")
    for error in errors if isinstance(errors, list) else ():
        if not isinstance(error, Mapping):
            continue
        name = str(error.get("field") or "")
        message = str(error.get("message") or "is not valid")
        found = on_page(name) if name else None
        if found is None:
            # a field the form does not show (or the whole request): the API's words, unlinked
            items.append({"text": _sentence(name.replace("_", " ").capitalize() if name else "", message)})
            continue
        field_id, label = found
        text = _sentence(label, message)
        items.append({"text": text, "href": f"#{field_id}"})
        fields.setdefault(field_id, text)  # one message per field, the first the API gave
    if not items:
        items.append({"text": detail})
    return Refusal(code, items, fields, problem)
