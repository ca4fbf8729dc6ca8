"""A button, a text input and a select, with their label, hint and error message, as ``govukButton``,
``govukInput`` and ``govukSelect`` write them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from civic_web.components.reading import _NOTHING, _classes, _content, _esc, _ForTheMacro, _get, _given, attributes


def button(params: Any) -> str:
    classes = "govuk-button" + (f" {_get(params, 'classes')}" if _get(params, "classes") else "")
    start = _get(params, "isStartButton")
    if start:
        classes += " govuk-button--start"
    ident = _get(params, "id")
    common = f' class="{_esc(classes)}" data-module="govuk-button"{attributes(_get(params, "attributes"))}' + (
        f' id="{_esc(ident)}"' if ident else ""
    )
    icon = _START_ICON if start else ""
    href = _get(params, "href")
    if href:
        return f'<a href="{_esc(href)}" role="button" draggable="false"{common}>\n{_content(params, trim=True)}{icon}\n</a>'
    kind, value, name = _get(params, "type"), _get(params, "value"), _get(params, "name")
    prevent = _get(params, "preventDoubleClick")
    return (
        '<button type="'
        + str(_esc(kind if kind else "submit"))
        + '"'
        + (f' value="{_esc(value)}"' if value else "")
        + (f' name="{_esc(name)}"' if name else "")
        + (' disabled aria-disabled="true"' if _get(params, "disabled") else "")
        + (f' data-prevent-double-click="{_esc(str(prevent).lower())}"' if _given(prevent) else "")
        + f"{common}>\n{_content(params, trim=True)}{icon}\n</button>"
    )


_START_ICON = (
    '\n<svg class="govuk-button__start-icon" xmlns="http://www.w3.org/2000/svg" width="17.5" height="19" '
    'viewBox="0 0 33 40" aria-hidden="true" focusable="false">\n'
    '<path fill="currentColor" d="M0 0h13l20 20-20 20H0l20-20z"/>\n</svg>'
)


def _label(options: Any, for_id: Any) -> str:
    """govukLabel, as an input or a select writes it for its field."""
    html, text = _get(options, "html"), _get(options, "text")
    if not (html or text):
        return ""
    label = (
        f'<label class="govuk-label{_classes(_get(options, "classes"))}"{attributes(_get(options, "attributes"))}'
        + (f' for="{_esc(for_id)}"' if for_id else "")
        + f">\n{_content(options, trim=True)}\n</label>"
    )
    if _get(options, "isPageHeading"):
        return f'<h1 class="govuk-label-wrapper">\n{label}\n</h1>'
    return label


def _hint(options: Any, ident: str) -> str:
    return (
        f'<div id="{_esc(ident)}" class="govuk-hint{_classes(_get(options, "classes"))}"'
        f"{attributes(_get(options, 'attributes'))}>\n{_content(options, trim=True)}\n</div>"
    )


def _error_message(options: Any, ident: str) -> str:
    hidden = _get(options, "visuallyHiddenText")
    if not _given(hidden):
        hidden = "Error"
    message = _content(options, trim=True)
    return (
        f'<p id="{_esc(ident)}" class="govuk-error-message{_classes(_get(options, "classes"))}"'
        f"{attributes(_get(options, 'attributes'))}>\n"
        + (f'<span class="govuk-visually-hidden">{_esc(hidden)}:</span> {message}' if hidden else str(message))
        + "\n</p>"
    )


def _field(params: Any, for_id: Any, described_by: Any) -> tuple[str, Any]:
    """A field's form group opening, label, hint and error message; and its aria-describedby."""
    group = _get(params, "formGroup")
    error = _get(params, "errorMessage")
    out = [
        f'<div class="govuk-form-group{" govuk-form-group--error" if error else ""}'
        f'{_classes(_get(group, "classes") if group else None)}"'
        f"{attributes(_get(group, 'attributes') if group else _NOTHING)}>\n"
    ]
    label = _get(params, "label")
    out.append(
        _label(
            {
                "html": _get(label, "html"),
                "text": _get(label, "text"),
                "classes": _get(label, "classes"),
                "isPageHeading": _get(label, "isPageHeading"),
                "attributes": _get(label, "attributes"),
            },
            for_id,
        )
        + "\n"
    )
    hint = _get(params, "hint")
    if hint:
        hint_id = f"{for_id}-hint"
        described_by = f"{described_by} {hint_id}" if described_by else hint_id
        out.append(_hint(hint, hint_id) + "\n")
    if error:
        error_id = f"{for_id}-error"
        described_by = f"{described_by} {error_id}" if described_by else error_id
        out.append(_error_message(error, error_id) + "\n")
    return "".join(out), described_by


def input_(params: Any) -> str:
    group = _get(params, "formGroup")
    if group and (_get(group, "beforeInput") or _get(group, "afterInput")):
        raise _ForTheMacro
    ident = _get(params, "id") or _get(params, "name")
    opening, described_by = _field(params, ident, _get(params, "describedBy") or _NOTHING)
    classes = "govuk-input" + (f" {_get(params, 'classes')}" if _get(params, "classes") else "")
    if _get(params, "errorMessage"):
        classes += " govuk-input--error"
    spellcheck = _get(params, "spellcheck")
    element = (
        "<input"
        + attributes(
            {
                "class": classes,
                "id": ident,
                "name": _get(params, "name"),
                "type": _get(params, "type") or "text",
                "spellcheck": {"value": str(spellcheck).lower() if spellcheck in (True, False) else False, "optional": True},
                "value": {"value": _get(params, "value"), "optional": True},
                "disabled": {"value": _get(params, "disabled"), "optional": True},
                "aria-describedby": {"value": described_by, "optional": True},
                "autocomplete": {"value": _get(params, "autocomplete"), "optional": True},
                "autocapitalize": {"value": _get(params, "autocapitalize"), "optional": True},
                "pattern": {"value": _get(params, "pattern"), "optional": True},
                "inputmode": {"value": _get(params, "inputmode"), "optional": True},
            }
        )
        + attributes(_get(params, "attributes"))
        + ">"
    )
    prefix, suffix = _get(params, "prefix"), _get(params, "suffix")
    has_prefix = bool(prefix and (_get(prefix, "text") or _get(prefix, "html")))
    has_suffix = bool(suffix and (_get(suffix, "text") or _get(suffix, "html")))
    if has_prefix or has_suffix:
        wrapper = _get(params, "inputWrapper")
        element = (
            f'<div class="govuk-input__wrapper{_classes(_get(wrapper, "classes") if wrapper else None)}"'
            f"{attributes(_get(wrapper, 'attributes') if wrapper else _NOTHING)}>\n"
            + (_affix(prefix, "prefix") + "\n" if has_prefix else "")
            + element
            + "\n"
            + (_affix(suffix, "suffix") + "\n" if has_suffix else "")
            + "</div>"
        )
    return opening + element + "\n</div>\n"


def _affix(affix: Any, kind: str) -> str:
    return (
        f'<div class="govuk-input__{kind}{_classes(_get(affix, "classes"))}" aria-hidden="true"'
        f"{attributes(_get(affix, 'attributes'))}>{_content(affix, trim=True)}</div>"
    )


def select(params: Any) -> str:
    group = _get(params, "formGroup")
    if group and (_get(group, "beforeInput") or _get(group, "afterInput")):
        raise _ForTheMacro
    ident = _get(params, "id") or _get(params, "name")
    opening, described_by = _field(params, ident, _get(params, "describedBy") or "")
    error = _get(params, "errorMessage")
    out = [
        opening,
        f'<select class="govuk-select{_classes(_get(params, "classes"))}'
        f'{" govuk-select--error" if error else ""}" id="{_esc(ident)}" name="{_esc(_get(params, "name"))}"'
        + (" disabled" if _get(params, "disabled") else "")
        + (f' aria-describedby="{_esc(described_by)}"' if described_by else "")
        + f"{attributes(_get(params, 'attributes'))}>\n",
    ]
    chosen = _get(params, "value")
    for item in (params.get("items") or ()) if isinstance(params, Mapping) and "items" in params else ():
        if not item:
            continue
        if type(item) is not dict:
            raise _ForTheMacro
        get = item.get
        value = get("value", _NOTHING)
        effective = value if _given(value) else get("text", _NOTHING)
        selected = get("selected")
        if not selected:  # default(..., true): the value chosen, unless the item says False
            selected = (effective == chosen and selected is not False) if chosen else False
        shown = str(value).lower() if isinstance(value, bool) else value
        given = get("attributes")
        out.append(
            "".join(
                (
                    "<option",
                    f' value="{_esc(shown)}"' if _given(value) else "",
                    " selected" if selected else "",
                    " disabled" if get("disabled") else "",
                    attributes(given) if given else "",
                    ">",
                    _esc(get("text", _NOTHING)),
                    "</option>\n",
                )
            )
        )
    out.append("</select>\n</div>\n")
    return "".join(out)
