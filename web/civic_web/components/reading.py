"""GOV.UK Frontend's macros' options as Jinja reads them in a macro (a missing one is nothing, ``None``
prints ``None``), and what each component writes of them: text escaped, HTML as given, classes, attributes."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from jinja2 import Undefined
from markupsafe import escape

#: what an option that is not there reads as in Jinja: falsy, and printed as nothing
_NOTHING = Undefined()


class _ForTheMacro(Exception):
    """Options this module does not write: the macro does."""


def _get(options: Any, name: str) -> Any:
    """``options.name`` as Jinja reads it in a macro (a dict's key; a missing one is nothing)."""
    if type(options) is dict:
        return options.get(name, _NOTHING)
    if isinstance(options, Undefined):
        raise _ForTheMacro  # Jinja raises on an attribute of something undefined: let it say so
    if isinstance(options, Mapping):
        return options.get(name, _NOTHING)
    raise _ForTheMacro


def _given(value: Any) -> bool:
    """Not Jinja's undefined (``x is not undefined``): None is given."""
    return not isinstance(value, Undefined)


def _esc(value: Any) -> str:
    """``{{ value }}`` with autoescape, as a string: markupsafe's entities (Markup as it is, nothing for undefined,
    None as ``None``)."""
    return str(escape(value))


def _safe(value: Any) -> str:
    """``value | safe``: the HTML as it is (what ``Markup(value)`` holds)."""
    return str(value.__html__()) if hasattr(value, "__html__") else str(value)


def _content(options: Any, html: str = "html", text: str = "text", trim: bool = False) -> str:
    """``options.html | safe if options.html else options.text``; the HTML trimmed where the macro trims it
    (``options.html | safe | trim``), the text never."""
    given = _get(options, html)
    if given:
        return _safe(given).strip() if trim else _safe(given)
    return _esc(_get(options, text))


def _classes(value: Any) -> str:
    """`` {{ classes }}`` when there are any (``{%- if params.classes %} {{ params.classes }}{% endif %}``)."""
    return f" {_esc(value)}" if value else ""


def _opening(element: str, block: str, options: Any, identified: bool = False) -> str:
    """How most macros open their element: ``<element class="block {classes}" {attributes}``, its ``id`` first
    where the macro writes one (``identified``), left open for what the component adds before its ``>``."""
    ident = _get(options, "id") if identified else None
    return (
        f"<{element}"
        + (f' id="{_esc(ident)}"' if ident else "")
        + f' class="{block}{_classes(_get(options, "classes"))}"{attributes(_get(options, "attributes"))}'
    )


def attributes(given: Any) -> str:
    """govuk-frontend-jinja's ``govukAttributes``: a string as it is; a mapping as `` name="value"`` pairs, an
    optional one left out when empty and written bare when ``True``."""
    if isinstance(given, str):
        return given
    if not isinstance(given, Mapping) or not given:
        return ""
    written = []
    for name, value in given.items():
        if isinstance(value, Mapping) and _given(value.get("val", _NOTHING)) and value.get("val") is not None and len(value):
            value = value["val"]
        if isinstance(value, Mapping):
            shown, optional = value.get("value", _NOTHING), value.get("optional", _NOTHING)
        else:
            shown, optional = (str(value).lower() if isinstance(value, bool) else value), False
        if optional is True and shown is True:
            written.append(f" {_esc(name)}")
        elif (optional is True and _given(shown) and shown is not None and shown is not False) or optional is not True:
            written.append(f' {_esc(name)}="{_esc(shown)}"')
    return "".join(written)
