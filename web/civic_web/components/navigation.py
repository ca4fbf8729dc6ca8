"""Moving between pages: pagination, the service's navigation and the generic header, as ``govukPagination``,
``govukServiceNavigation`` and ``govukGenericHeader`` write them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from civic_web.components.reading import _classes, _content, _esc, _ForTheMacro, _get, _given, _safe, attributes


def pagination(params: Any) -> str:
    if isinstance(params, Mapping) and "items" in params:
        raise _ForTheMacro  # numbered pages: the macro
    previous, following = _get(params, "previous"), _get(params, "next")
    block = bool(following or previous)
    out = [
        f'<nav class="govuk-pagination{" govuk-pagination--block" if block else ""}{_classes(_get(params, "classes"))}"'
        f' aria-label="{_esc(_get(params, "landmarkLabel") or "Pagination")}"'
        f"{attributes(_get(params, 'attributes'))}>\n"
    ]
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
_ARROW_WORDS = {
    "prev": 'Previous<span class="govuk-visually-hidden"> page</span>',
    "next": 'Next<span class="govuk-visually-hidden"> page</span>',
}


def _arrow_link(link: Any, kind: str, block: bool) -> str:
    words = _content(link, trim=True) if (_get(link, "html") or _get(link, "text")) else _ARROW_WORDS[kind]
    label = _get(link, "labelText")
    decorated = " govuk-pagination__link-title--decorated" if block and not label else ""
    arrow = _ARROWS[kind]
    return (
        f'<div class="govuk-pagination__{kind}">\n<a class="govuk-link govuk-pagination__link" '
        f'href="{_esc(_get(link, "href"))}" rel="{kind}"{attributes(_get(link, "attributes"))}>\n'
        + (arrow + "\n" if block or kind == "prev" else "")
        + f'<span class="govuk-pagination__link-title{decorated}">\n{words}\n</span>\n'
        + (
            f'<span class="govuk-visually-hidden">:</span>\n<span class="govuk-pagination__link-label">'
            f"{_esc(label)}</span>\n"
            if label and block
            else ""
        )
        + (arrow + "\n" if not block and kind == "next" else "")
        + "</a>\n</div>\n"
    )


def service_navigation(params: Any) -> str:
    menu = _get(params, "menuButtonText") or "Menu"
    navigation_id = _get(params, "navigationId") or "navigation"
    slots = _get(params, "slots")
    start, end = (_get(slots, "start"), _get(slots, "end")) if slots else (None, None)
    nav_start, nav_end = (_get(slots, "navigationStart"), _get(slots, "navigationEnd")) if slots else (None, None)
    common = (
        f'class="govuk-service-navigation{_classes(_get(params, "classes"))}"\ndata-module="govuk-service-navigation"'
        + (attributes(_get(params, "attributes")) if _get(params, "attributes") else "")
    )
    inner = [
        '<div class="govuk-width-container">\n',
        _safe(start) if start else "",
        '<div class="govuk-service-navigation__container">\n',
    ]
    name = _get(params, "serviceName")
    if name:
        url = _get(params, "serviceUrl")
        inner.append(
            '<span class="govuk-service-navigation__service-name">\n'
            + (
                f'<a href="{_esc(url)}" class="govuk-service-navigation__link">\n{_esc(name)}\n</a>'
                if url
                else f'<span class="govuk-service-navigation__text">{_esc(name)}</span>'
            )
            + "\n</span>\n"
        )
    items = [item for item in (_get(params, "navigation") or ()) if item]
    collapse = _get(params, "collapseNavigationOnMobile")
    if not _given(collapse):
        collapse = len(items) > 1
    if items or nav_start or nav_end:
        button_label = _get(params, "menuButtonLabel")
        inner.append(
            f'<nav aria-label="{_esc(_get(params, "navigationLabel") or menu)}" '
            f'class="govuk-service-navigation__wrapper{_classes(_get(params, "navigationClasses"))}">\n'
        )
        if collapse:
            inner.append(
                '<button type="button" class="govuk-service-navigation__toggle '
                f'govuk-js-service-navigation-toggle" aria-controls="{_esc(navigation_id)}"'
                + (f' aria-label="{_esc(button_label)}"' if button_label and button_label != menu else "")
                + f' hidden aria-hidden="true">\n{_esc(menu)}\n</button>\n'
            )
        inner.append(
            f'<ul class="govuk-service-navigation__list" id="{_esc(navigation_id)}" >\n'
            + (_safe(nav_start) if nav_start else "")
            + "\n"
        )
        for item in items:
            lit = _get(item, "active") or _get(item, "current")
            words = _content(item)
            if lit:
                words = f'<strong class="govuk-service-navigation__active-fallback">{words}</strong>'
            current = f' aria-current="{"page" if _get(item, "current") else "true"}"' if lit else ""
            inner.append(
                f'<li class="govuk-service-navigation__item{" govuk-service-navigation__item--active" if lit else ""}">\n'
            )
            if _get(item, "href"):
                inner.append(
                    f'<a class="govuk-service-navigation__link" href="{_esc(_get(item, "href"))}"{current}'
                    + (attributes(_get(item, "attributes")) if _get(item, "attributes") else "")
                    + f">\n{words}\n</a>\n"
                )
            elif _get(item, "html") or _get(item, "text"):
                inner.append(f'<span class="govuk-service-navigation__text"{current}>\n{words}\n</span>\n')
            inner.append("</li>\n")
        inner.append((_safe(nav_end) if nav_end else "") + "</ul>\n</nav>\n")
    inner.append("</div>\n" + (_safe(end) if end else "") + "</div>")
    content = "".join(inner)
    if name or start or end:
        return (
            f'\n<section aria-label="{_esc(_get(params, "ariaLabel") or "Service information")}" {common}>\n'
            f"{content}\n</section>\n"
        )
    return f"\n<div {common}>\n{content}\n</div>\n"


def generic_header(params: Any) -> str:
    space = _get(params, "_namespace")
    if not _given(space):
        space = "govuk-generic"
    space = _esc(space)
    return (
        f'\n<div class="{space}-header{_classes(_get(params, "classes"))}"{attributes(_get(params, "attributes"))}>\n'
        f'<div class="{space}-header__container '
        f'{_esc(_get(params, "containerClasses") or "govuk-width-container")}">\n'
        f'<div class="{space}-header__logo">\n<a href="{_esc(_get(params, "url") or "/")}" '
        f'class="{space}-header__homepage-link">\n{_content(params, "logoHtml", "logoText")}\n</a>\n</div>\n</div>\n'
        "</div>\n"
    )
