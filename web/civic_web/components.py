"""GOV.UK Frontend's components that most pages use, written in Python: the HTML of govuk-frontend-jinja's
macros, without Jinja's macro machinery.

Templates call ``govukTable({...})`` as ever: :func:`civic_web.layout.environment` gives every template these
functions under the macros' names. A macro call in Jinja imports its template, makes a context, calls a
nested macro for each set of attributes and reads every option by a failed attribute lookup first; a table
does all of that for each of its cells, and the page template's header and navigation on every page, so on the
busiest pages rendering took longer than the API calls it showed (``make bench``, issue 18). These functions
write the same elements, attributes and text in the same order; only the whitespace between elements may
differ (where a macro writes some, so do they), which a browser does not show.
``tests/unit/web/test_web_components.py`` holds each one to its macro, option by option.

Each function reads the options its macro reads, as Jinja would (a missing one is nothing, ``None`` prints
``None``); anything else (a call block's ``caller``, a summary card, an input's ``beforeInput``, options that
are not dicts) is handed to the macro itself, so no page can get different HTML from a shape not tested here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from jinja2 import Environment, Undefined
from markupsafe import Markup, escape

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


def attributes(given: Any) -> str:
    """govuk-frontend-jinja's ``govukAttributes``: a string as it is; a mapping as `` name="value"`` pairs, an
    optional one left out when empty and written bare when ``True``."""
    if isinstance(given, str):
        return given
    if not isinstance(given, Mapping) or not given:
        return ""
    written = []
    for name, value in given.items():
        if isinstance(value, Mapping) and _given(value.get("val", _NOTHING)) and value.get("val") is not None \
                and len(value):
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


# ---------------------------------------------------------------- the components


def table(params: Any) -> str:
    out = [f'<table class="govuk-table{_classes(_get(params, "classes"))}"{attributes(_get(params, "attributes"))}>\n']
    caption = _get(params, "caption")
    if caption:
        out.append(f'<caption class="govuk-table__caption{_classes(_get(params, "captionClasses"))}">'
                   f"{_esc(caption)}</caption>\n")
    head = _get(params, "head")
    if head:
        out.append('<thead class="govuk-table__head">\n<tr class="govuk-table__row">\n')
        for item in head:
            out.append(_cell('<th scope="col" class="govuk-table__header', "th", " govuk-table__header--", item))
        out.append("</tr>\n</thead>\n")
    out.append('<tbody class="govuk-table__body">\n')
    header_first = _get(params, "firstCellIsHeader")
    for row in _get(params, "rows") or ():
        if not row:
            continue
        out.append('<tr class="govuk-table__row">\n')
        first = True
        for cell in row:
            if first and header_first:
                out.append(_cell('<th scope="row" class="govuk-table__header', "th", None, cell))
            else:
                out.append(_cell('<td class="govuk-table__cell', "td", " govuk-table__cell--", cell))
            first = False
        out.append("</tr>\n")
    out.append("</tbody>\n</table>\n")
    return "".join(out)


def _cell(opening: str, tag: str, format_class: str | None, cell: Any) -> str:
    """A table's cell (or heading): the one piece of a page written hundreds of times, so read straight from its
    dict (a template's literal); anything else is the macro's."""
    if type(cell) is not dict:
        raise _ForTheMacro
    get = cell.get
    html = get("html")
    shown_format = get("format") if format_class is not None else None
    classes, colspan, rowspan, given = get("classes"), get("colspan"), get("rowspan"), get("attributes")
    return "".join((
        opening,
        f"{format_class}{_esc(shown_format)}" if shown_format else "",
        f" {_esc(classes)}" if classes else "",
        '"',
        f' colspan="{_esc(colspan)}"' if colspan else "",
        f' rowspan="{_esc(rowspan)}"' if rowspan else "",
        attributes(given) if given else "",
        ">",
        _safe(html) if html else _esc(get("text", _NOTHING)),
        f"</{tag}>\n",
    ))


def summary_list(params: Any) -> str:
    if _get(params, "card"):
        raise _ForTheMacro
    rows = _get(params, "rows") or ()
    any_actions = any(_actions_of(row) for row in rows)
    out = [f'<dl class="govuk-summary-list{_classes(_get(params, "classes"))}"{attributes(_get(params, "attributes"))}>\n']
    for row in rows:
        if not row:
            continue
        actions = _actions_of(row)
        no_actions = " govuk-summary-list__row--no-actions" if any_actions and not actions else ""
        key, value = _get(row, "key"), _get(row, "value")
        out.append(f'<div class="govuk-summary-list__row{no_actions}{_classes(_get(row, "classes"))}">\n'
                   f'<dt class="govuk-summary-list__key{_classes(_get(key, "classes"))}">\n'
                   f"{_content(key, trim=True)}\n</dt>\n"
                   f'<dd class="govuk-summary-list__value{_classes(_get(value, "classes"))}">\n'
                   f"{_content(value, trim=True)}\n</dd>\n")
        if actions:
            out.append(f'<dd class="govuk-summary-list__actions{_classes(_get(_get(row, "actions"), "classes"))}">\n')
            if len(actions) == 1:
                out.append(_action_link(actions[0]))
            else:
                out.append('<ul class="govuk-summary-list__actions-list">\n')
                for action in actions:
                    out.append(f'<li class="govuk-summary-list__actions-list-item">\n{_action_link(action)}\n</li>\n')
                out.append("</ul>\n")
            out.append("\n</dd>\n")
        out.append("</div>\n")
    out.append("</dl>")
    return "".join(out)


def _actions_of(row: Any) -> Any:
    actions = _get(row, "actions")
    return (_get(actions, "items") or None) if actions else None


def _action_link(action: Any) -> str:
    hidden = _get(action, "visuallyHiddenText")
    return (f'<a class="govuk-link{_classes(_get(action, "classes"))}" href="{_esc(_get(action, "href"))}"'
            f'{attributes(_get(action, "attributes"))}>{_content(action)}'
            + (f'<span class="govuk-visually-hidden"> {_esc(hidden)}</span>' if hidden else "") + "</a>")


def button(params: Any) -> str:
    classes = "govuk-button" + (f" {_get(params, 'classes')}" if _get(params, "classes") else "")
    start = _get(params, "isStartButton")
    if start:
        classes += " govuk-button--start"
    ident = _get(params, "id")
    common = (f' class="{_esc(classes)}" data-module="govuk-button"{attributes(_get(params, "attributes"))}'
              + (f' id="{_esc(ident)}"' if ident else ""))
    icon = _START_ICON if start else ""
    href = _get(params, "href")
    if href:
        return (f'<a href="{_esc(href)}" role="button" draggable="false"{common}>\n'
                f"{_content(params, trim=True)}{icon}\n</a>")
    kind, value, name = _get(params, "type"), _get(params, "value"), _get(params, "name")
    prevent = _get(params, "preventDoubleClick")
    return ("<button type=\"" + str(_esc(kind if kind else "submit")) + '"'
            + (f' value="{_esc(value)}"' if value else "") + (f' name="{_esc(name)}"' if name else "")
            + (' disabled aria-disabled="true"' if _get(params, "disabled") else "")
            + (f' data-prevent-double-click="{_esc(str(prevent).lower())}"' if _given(prevent) else "")
            + f"{common}>\n{_content(params, trim=True)}{icon}\n</button>")


_START_ICON = ('\n<svg class="govuk-button__start-icon" xmlns="http://www.w3.org/2000/svg" width="17.5" height="19" '
               'viewBox="0 0 33 40" aria-hidden="true" focusable="false">\n'
               '<path fill="currentColor" d="M0 0h13l20 20-20 20H0l20-20z"/>\n</svg>')


def _label(options: Any, for_id: Any) -> str:
    """govukLabel, as an input or a select writes it for its field."""
    html, text = _get(options, "html"), _get(options, "text")
    if not (html or text):
        return ""
    label = (f'<label class="govuk-label{_classes(_get(options, "classes"))}"{attributes(_get(options, "attributes"))}'
             + (f' for="{_esc(for_id)}"' if for_id else "") + f">\n{_content(options, trim=True)}\n</label>")
    if _get(options, "isPageHeading"):
        return f'<h1 class="govuk-label-wrapper">\n{label}\n</h1>'
    return label


def _hint(options: Any, ident: str) -> str:
    return (f'<div id="{_esc(ident)}" class="govuk-hint{_classes(_get(options, "classes"))}"'
            f'{attributes(_get(options, "attributes"))}>\n{_content(options, trim=True)}\n</div>')


def _error_message(options: Any, ident: str) -> str:
    hidden = _get(options, "visuallyHiddenText")
    if not _given(hidden):
        hidden = "Error"
    message = _content(options, trim=True)
    return (f'<p id="{_esc(ident)}" class="govuk-error-message{_classes(_get(options, "classes"))}"'
            f'{attributes(_get(options, "attributes"))}>\n'
            + (f'<span class="govuk-visually-hidden">{_esc(hidden)}:</span> {message}' if hidden else str(message))
            + "\n</p>")


def _field(params: Any, for_id: Any, described_by: Any) -> tuple[str, Any]:
    """A field's form group opening, label, hint and error message; and its aria-describedby."""
    group = _get(params, "formGroup")
    error = _get(params, "errorMessage")
    out = [f'<div class="govuk-form-group{" govuk-form-group--error" if error else ""}'
           f'{_classes(_get(group, "classes") if group else None)}"'
           f'{attributes(_get(group, "attributes") if group else _NOTHING)}>\n']
    label = _get(params, "label")
    out.append(_label({"html": _get(label, "html"), "text": _get(label, "text"), "classes": _get(label, "classes"),
                       "isPageHeading": _get(label, "isPageHeading"), "attributes": _get(label, "attributes")},
                      for_id) + "\n")
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
    element = "<input" + attributes({
        "class": classes, "id": ident, "name": _get(params, "name"), "type": _get(params, "type") or "text",
        "spellcheck": {"value": str(spellcheck).lower() if spellcheck in (True, False) else False, "optional": True},
        "value": {"value": _get(params, "value"), "optional": True},
        "disabled": {"value": _get(params, "disabled"), "optional": True},
        "aria-describedby": {"value": described_by, "optional": True},
        "autocomplete": {"value": _get(params, "autocomplete"), "optional": True},
        "autocapitalize": {"value": _get(params, "autocapitalize"), "optional": True},
        "pattern": {"value": _get(params, "pattern"), "optional": True},
        "inputmode": {"value": _get(params, "inputmode"), "optional": True},
    }) + attributes(_get(params, "attributes")) + ">"
    prefix, suffix = _get(params, "prefix"), _get(params, "suffix")
    has_prefix = bool(prefix and (_get(prefix, "text") or _get(prefix, "html")))
    has_suffix = bool(suffix and (_get(suffix, "text") or _get(suffix, "html")))
    if has_prefix or has_suffix:
        wrapper = _get(params, "inputWrapper")
        element = (f'<div class="govuk-input__wrapper{_classes(_get(wrapper, "classes") if wrapper else None)}"'
                   f'{attributes(_get(wrapper, "attributes") if wrapper else _NOTHING)}>\n'
                   + (_affix(prefix, "prefix") + "\n" if has_prefix else "") + element + "\n"
                   + (_affix(suffix, "suffix") + "\n" if has_suffix else "") + "</div>")
    return opening + element + "\n</div>\n"


def _affix(affix: Any, kind: str) -> str:
    return (f'<div class="govuk-input__{kind}{_classes(_get(affix, "classes"))}" aria-hidden="true"'
            f'{attributes(_get(affix, "attributes"))}>{_content(affix, trim=True)}</div>')


def select(params: Any) -> str:
    group = _get(params, "formGroup")
    if group and (_get(group, "beforeInput") or _get(group, "afterInput")):
        raise _ForTheMacro
    ident = _get(params, "id") or _get(params, "name")
    opening, described_by = _field(params, ident, _get(params, "describedBy") or "")
    error = _get(params, "errorMessage")
    out = [opening, f'<select class="govuk-select{_classes(_get(params, "classes"))}'
                    f'{" govuk-select--error" if error else ""}" id="{_esc(ident)}" name="{_esc(_get(params, "name"))}"'
                    + (" disabled" if _get(params, "disabled") else "")
                    + (f' aria-describedby="{_esc(described_by)}"' if described_by else "")
                    + f'{attributes(_get(params, "attributes"))}>\n']
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
        shown = (str(value).lower() if isinstance(value, bool) else value)
        given = get("attributes")
        out.append("".join(("<option", f' value="{_esc(shown)}"' if _given(value) else "", " selected" if selected else "",
                            " disabled" if get("disabled") else "", attributes(given) if given else "", ">",
                            _esc(get("text", _NOTHING)), "</option>\n")))
    out.append("</select>\n</div>\n")
    return "".join(out)


def pagination(params: Any) -> str:
    if isinstance(params, Mapping) and "items" in params:
        raise _ForTheMacro  # numbered pages: the macro
    previous, following = _get(params, "previous"), _get(params, "next")
    block = bool(following or previous)
    out = [f'<nav class="govuk-pagination{" govuk-pagination--block" if block else ""}{_classes(_get(params, "classes"))}"'
           f' aria-label="{_esc(_get(params, "landmarkLabel") or "Pagination")}"'
           f'{attributes(_get(params, "attributes"))}>\n']
    if previous and _get(previous, "href"):
        out.append(_arrow_link(previous, "prev", block))
    if following and _get(following, "href"):
        out.append(_arrow_link(following, "next", block))
    out.append("</nav>\n")
    return "".join(out)


_ARROWS = {
    "prev": '<svg class="govuk-pagination__icon govuk-pagination__icon--prev" xmlns="http://www.w3.org/2000/svg" '
            'height="13" width="15" aria-hidden="true" focusable="false" viewBox="0 0 15 13">\n<path d="m6.5938-0.0078125'
            '-6.7266 6.7266 6.7441 6.4062 1.377-1.449-4.1856-3.9768h12.896v-2h-12.984l4.2931-4.293-1.414-1.414z"></path>'
            "\n</svg>",
    "next": '<svg class="govuk-pagination__icon govuk-pagination__icon--next" xmlns="http://www.w3.org/2000/svg" '
            'height="13" width="15" aria-hidden="true" focusable="false" viewBox="0 0 15 13">\n<path d="m8.107-0.0078125'
            '-1.4136 1.414 4.2926 4.293h-12.986v2h12.896l-4.1855 3.9766 1.377 1.4492 6.7441-6.4062-6.7246-6.7266z"></path>'
            "\n</svg>",
}
_ARROW_WORDS = {"prev": 'Previous<span class="govuk-visually-hidden"> page</span>',
                "next": 'Next<span class="govuk-visually-hidden"> page</span>'}


def _arrow_link(link: Any, kind: str, block: bool) -> str:
    words = _content(link, trim=True) if (_get(link, "html") or _get(link, "text")) else _ARROW_WORDS[kind]
    label = _get(link, "labelText")
    decorated = " govuk-pagination__link-title--decorated" if block and not label else ""
    arrow = _ARROWS[kind]
    return (f'<div class="govuk-pagination__{kind}">\n<a class="govuk-link govuk-pagination__link" '
            f'href="{_esc(_get(link, "href"))}" rel="{kind}"{attributes(_get(link, "attributes"))}>\n'
            + (arrow + "\n" if block or kind == "prev" else "")
            + f'<span class="govuk-pagination__link-title{decorated}">\n{words}\n</span>\n'
            + (f'<span class="govuk-visually-hidden">:</span>\n<span class="govuk-pagination__link-label">'
               f"{_esc(label)}</span>\n" if label and block else "")
            + (arrow + "\n" if not block and kind == "next" else "")
            + "</a>\n</div>\n")


def service_navigation(params: Any) -> str:
    menu = _get(params, "menuButtonText") or "Menu"
    navigation_id = _get(params, "navigationId") or "navigation"
    slots = _get(params, "slots")
    start, end = (_get(slots, "start"), _get(slots, "end")) if slots else (None, None)
    nav_start, nav_end = (_get(slots, "navigationStart"), _get(slots, "navigationEnd")) if slots else (None, None)
    common = (f'class="govuk-service-navigation{_classes(_get(params, "classes"))}"\ndata-module="govuk-service-navigation"'
              + (attributes(_get(params, "attributes")) if _get(params, "attributes") else ""))
    inner = ['<div class="govuk-width-container">\n', _safe(start) if start else "",
             '<div class="govuk-service-navigation__container">\n']
    name = _get(params, "serviceName")
    if name:
        url = _get(params, "serviceUrl")
        inner.append('<span class="govuk-service-navigation__service-name">\n'
                     + (f'<a href="{_esc(url)}" class="govuk-service-navigation__link">\n{_esc(name)}\n</a>' if url
                        else f'<span class="govuk-service-navigation__text">{_esc(name)}</span>')
                     + "\n</span>\n")
    items = [item for item in (_get(params, "navigation") or ()) if item]
    collapse = _get(params, "collapseNavigationOnMobile")
    if not _given(collapse):
        collapse = len(items) > 1
    if items or nav_start or nav_end:
        button_label = _get(params, "menuButtonLabel")
        inner.append(f'<nav aria-label="{_esc(_get(params, "navigationLabel") or menu)}" '
                     f'class="govuk-service-navigation__wrapper{_classes(_get(params, "navigationClasses"))}">\n')
        if collapse:
            inner.append('<button type="button" class="govuk-service-navigation__toggle '
                         f'govuk-js-service-navigation-toggle" aria-controls="{_esc(navigation_id)}"'
                         + (f' aria-label="{_esc(button_label)}"' if button_label and button_label != menu else "")
                         + f' hidden aria-hidden="true">\n{_esc(menu)}\n</button>\n')
        inner.append(f'<ul class="govuk-service-navigation__list" id="{_esc(navigation_id)}" >\n'
                     + (_safe(nav_start) if nav_start else "") + "\n")
        for item in items:
            lit = _get(item, "active") or _get(item, "current")
            words = _content(item)
            if lit:
                words = f'<strong class="govuk-service-navigation__active-fallback">{words}</strong>'
            current = (f' aria-current="{"page" if _get(item, "current") else "true"}"' if lit else "")
            inner.append(f'<li class="govuk-service-navigation__item'
                         f'{" govuk-service-navigation__item--active" if lit else ""}">\n')
            if _get(item, "href"):
                inner.append(f'<a class="govuk-service-navigation__link" href="{_esc(_get(item, "href"))}"{current}'
                             + (attributes(_get(item, "attributes")) if _get(item, "attributes") else "")
                             + f">\n{words}\n</a>\n")
            elif _get(item, "html") or _get(item, "text"):
                inner.append(f'<span class="govuk-service-navigation__text"{current}>\n{words}\n</span>\n')
            inner.append("</li>\n")
        inner.append((_safe(nav_end) if nav_end else "") + "</ul>\n</nav>\n")
    inner.append("</div>\n" + (_safe(end) if end else "") + "</div>")
    content = "".join(inner)
    if name or start or end:
        return (f'\n<section aria-label="{_esc(_get(params, "ariaLabel") or "Service information")}" {common}>\n'
                f"{content}\n</section>\n")
    return f"\n<div {common}>\n{content}\n</div>\n"


def generic_header(params: Any) -> str:
    space = _get(params, "_namespace")
    if not _given(space):
        space = "govuk-generic"
    space = _esc(space)
    return (f'\n<div class="{space}-header{_classes(_get(params, "classes"))}"{attributes(_get(params, "attributes"))}>\n'
            f'<div class="{space}-header__container '
            f'{_esc(_get(params, "containerClasses") or "govuk-width-container")}">\n'
            f'<div class="{space}-header__logo">\n<a href="{_esc(_get(params, "url") or "/")}" '
            f'class="{space}-header__homepage-link">\n{_content(params, "logoHtml", "logoText")}\n</a>\n</div>\n</div>\n'
            "</div>\n")


def warning_text(params: Any) -> str:
    return (f'<div class="govuk-warning-text{_classes(_get(params, "classes"))}"{attributes(_get(params, "attributes"))}>\n'
            '<span class="govuk-warning-text__icon" aria-hidden="true">!</span>\n<strong class="govuk-warning-text__text">\n'
            f'<span class="govuk-visually-hidden">{_esc(_get(params, "iconFallbackText") or "Warning")}</span>\n'
            f"{_content(params)}\n</strong>\n</div>\n")


def tag(params: Any) -> str:
    return (f'<strong class="govuk-tag{_classes(_get(params, "classes"))}"{attributes(_get(params, "attributes"))}>\n'
            f"{_content(params, trim=True)}\n</strong>\n")


def details(params: Any) -> str:
    ident = _get(params, "id")
    return ("<details" + (f' id="{_esc(ident)}"' if ident else "")
            + f' class="govuk-details{_classes(_get(params, "classes"))}"{attributes(_get(params, "attributes"))}'
            + (" open" if _get(params, "open") else "") + '>\n<summary class="govuk-details__summary">\n'
            '<span class="govuk-details__summary-text">\n'
            f'{_content(params, "summaryHtml", "summaryText", trim=True)}\n</span>\n</summary>\n'
            f'<div class="govuk-details__text">\n{_content(params)}\n</div>\n</details>\n')


def inset_text(params: Any) -> str:
    ident = _get(params, "id")
    return ("<div" + (f' id="{_esc(ident)}"' if ident else "")
            + f' class="govuk-inset-text{_classes(_get(params, "classes"))}"{attributes(_get(params, "attributes"))}>\n'
            f"{_content(params, trim=True)}\n</div>\n")


def notification_banner(params: Any) -> str:
    kind = _get(params, "type")
    success = kind == "success"
    role = _get(params, "role") or ("alert" if success else "region")
    title_html, title_text = _get(params, "titleHtml"), _get(params, "titleText")
    title = _safe(title_html) if title_html else _esc(title_text) if title_text else ("Success" if success
                                                                                         else "Important")
    title_id = _esc(_get(params, "titleId") or "govuk-notification-banner-title")
    level = _esc(_get(params, "titleHeadingLevel") or 2)
    auto_focus = _get(params, "disableAutoFocus")
    html, text = _get(params, "html"), _get(params, "text")
    if html:
        content = f"{_safe(html).strip()}\n"
    elif text:  # the text trimmed, then escaped (``params.text | trim``)
        trimmed = _safe(text).strip() if hasattr(text, "__html__") else _esc(str(text).strip())
        content = f'<p class="govuk-notification-banner__heading">\n{trimmed}\n</p>\n'
    else:
        content = ""
    return (f'<div class="govuk-notification-banner{f" govuk-notification-banner--{_esc(kind)}" if success else ""}'
            f'{_classes(_get(params, "classes"))}" role="{_esc(role)}" aria-labelledby="{title_id}" '
            'data-module="govuk-notification-banner"'
            + (f' data-disable-auto-focus="{_esc(str(auto_focus).lower())}"' if _given(auto_focus) else "")
            + f'{attributes(_get(params, "attributes"))}>\n<div class="govuk-notification-banner__header">\n'
            f'<h{level} class="govuk-notification-banner__title" id="{title_id}">\n{title}\n</h{level}>\n</div>\n'
            f'<div class="govuk-notification-banner__content">\n{content}</div>\n</div>\n')


def error_summary(params: Any) -> str:
    auto_focus = _get(params, "disableAutoFocus")
    out = [f'<div class="govuk-error-summary{_classes(_get(params, "classes"))}"'
           + (f' data-disable-auto-focus="{_esc(str(auto_focus).lower())}"' if _given(auto_focus) else "")
           + f'{attributes(_get(params, "attributes"))} data-module="govuk-error-summary">\n<div role="alert">\n'
           f'<h2 class="govuk-error-summary__title">\n{_content(params, "titleHtml", "titleText", trim=True)}\n</h2>\n'
           '<div class="govuk-error-summary__body">\n']
    if _get(params, "descriptionHtml") or _get(params, "descriptionText"):
        out.append(f'<p>\n{_content(params, "descriptionHtml", "descriptionText", trim=True)}\n</p>\n')
    errors = _get(params, "errorList")
    if _given(errors) and len(errors):
        out.append('<ul class="govuk-list govuk-error-summary__list">\n')
        for item in errors:
            href = _get(item, "href")
            if href:
                out.append(f'<li>\n<a href="{_esc(href)}"{attributes(_get(item, "attributes"))}>'
                           f"{_content(item, trim=True)}</a>\n</li>\n")
            else:
                out.append(f"<li>\n{_content(item, trim=True)}\n</li>\n")
        out.append("</ul>\n")
    out.append("</div>\n</div>\n</div>\n")
    return "".join(out)


#: the macro's name -> (its component's folder, the function that writes it)
COMPONENTS: dict[str, tuple[str, Callable[[Any], str]]] = {
    "govukTable": ("table", table),
    "govukSummaryList": ("summary-list", summary_list),
    "govukButton": ("button", button),
    "govukInput": ("input", input_),
    "govukSelect": ("select", select),
    "govukPagination": ("pagination", pagination),
    "govukServiceNavigation": ("service-navigation", service_navigation),
    "govukGenericHeader": ("generic-header", generic_header),
    "govukWarningText": ("warning-text", warning_text),
    "govukTag": ("tag", tag),
    "govukDetails": ("details", details),
    "govukInsetText": ("inset-text", inset_text),
    "govukNotificationBanner": ("notification-banner", notification_banner),
    "govukErrorSummary": ("error-summary", error_summary),
}


def macro_of(env: Environment, name: str, folder: str) -> Any:
    """govuk-frontend-jinja's own macro for a component."""
    return getattr(env.get_template(f"govuk_frontend_jinja/components/{folder}/macro.html").module, name)


def component(env: Environment, name: str) -> Callable[..., Markup]:
    """What a template calls by the macro's ``name``: this module's function, or the macro for what it leaves
    to the macro (a call block, options it does not read)."""
    folder, write = COMPONENTS[name]
    macro = macro_of(env, name, folder)

    def call(params: Any = _NOTHING, *args: Any, **kwargs: Any) -> Markup:
        answer: Markup
        if args or kwargs:  # a call block's caller, or more than the options: the macro's business
            answer = macro(params, *args, **kwargs)
            return answer
        try:
            written = write(params)
        except _ForTheMacro:
            answer = macro(params)
            return answer
        # HTML: every text and attribute value in it escaped above, every html option as the macro takes it
        return Markup(written)  # noqa: S704

    call.__name__ = call.__qualname__ = name
    call.__doc__ = f"GOV.UK Frontend's {folder} component ({write.__module__}.{write.__name__})."
    return call
