"""A table and a summary list, as ``govukTable`` and ``govukSummaryList`` write them."""

from __future__ import annotations

from typing import Any

from civic_web.components.reading import _NOTHING, _classes, _content, _esc, _ForTheMacro, _get, _opening, _safe, attributes


def table(params: Any) -> str:
    out = [_opening("table", "govuk-table", params) + ">\n"]
    caption = _get(params, "caption")
    if caption:
        out.append(
            f'<caption class="govuk-table__caption{_classes(_get(params, "captionClasses"))}">{_esc(caption)}</caption>\n'
        )
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
    return "".join(
        (
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
        )
    )


def summary_list(params: Any) -> str:
    if _get(params, "card"):
        raise _ForTheMacro
    rows = _get(params, "rows") or ()
    any_actions = any(_actions_of(row) for row in rows)
    out = [_opening("dl", "govuk-summary-list", params) + ">\n"]
    for row in rows:
        if not row:
            continue
        actions = _actions_of(row)
        no_actions = " govuk-summary-list__row--no-actions" if any_actions and not actions else ""
        key, value = _get(row, "key"), _get(row, "value")
        out.append(
            f'<div class="govuk-summary-list__row{no_actions}{_classes(_get(row, "classes"))}">\n'
            f'<dt class="govuk-summary-list__key{_classes(_get(key, "classes"))}">\n'
            f"{_content(key, trim=True)}\n</dt>\n"
            f'<dd class="govuk-summary-list__value{_classes(_get(value, "classes"))}">\n'
            f"{_content(value, trim=True)}\n</dd>\n"
        )
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
    return (
        f'<a class="govuk-link{_classes(_get(action, "classes"))}" href="{_esc(_get(action, "href"))}"'
        f"{attributes(_get(action, 'attributes'))}>{_content(action)}"
        + (f'<span class="govuk-visually-hidden"> {_esc(hidden)}</span>' if hidden else "")
        + "</a>"
    )
