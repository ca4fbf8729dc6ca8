"""FieldErrors: every broken rule of a request collected, then raised as one Invalid (422)."""

from __future__ import annotations

import pytest
from civic.errors import FieldErrors, Invalid


def test_nothing_collected_raises_nothing() -> None:
    errors = FieldErrors()
    errors.raise_if_any("never said")
    assert not errors and errors == []


def test_every_entry_is_raised_at_once_in_the_order_found() -> None:
    errors = FieldErrors()
    errors.add("name", "must not be blank")
    errors.append({"field": "desks", "message": "must not be negative"})  # a helper that appends to a list
    errors += [{"field": "town", "message": "must not be blank"}]
    with pytest.raises(Invalid) as caught:
        errors.raise_if_any("The building has invalid fields.")
    assert caught.value.detail == "The building has invalid fields."
    assert caught.value.status == 422
    assert caught.value.errors == [
        {"field": "name", "message": "must not be blank"},
        {"field": "desks", "message": "must not be negative"},
        {"field": "town", "message": "must not be blank"},
    ]
    assert type(caught.value.errors) is list  # a plain list in the problem body


def test_without_a_detail_the_detail_names_every_field() -> None:
    with pytest.raises(Invalid) as caught:
        FieldErrors.of("profile.0.year", "is not a financial year").raise_if_any()
    assert caught.value.detail == "The request has invalid fields: profile.0.year is not a financial year."
    errors = FieldErrors({"field": f, "message": "blank"} for f in ("name", "service"))
    with pytest.raises(Invalid, match=r"^The request has invalid fields: name blank; service blank\.$"):
        errors.raise_if_any()
