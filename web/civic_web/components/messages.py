"""What a page says to the officer: a warning, a tag, details, inset text, a notification banner and the
error summary, as their macros write them."""

from __future__ import annotations

from typing import Any

from civic_web.components.reading import _classes, _content, _esc, _get, _given, _opening, _safe, attributes


def warning_text(params: Any) -> str:
    return (
        _opening("div", "govuk-warning-text", params)
        + '>\n<span class="govuk-warning-text__icon" aria-hidden="true">!</span>\n'
        '<strong class="govuk-warning-text__text">\n'
        f'<span class="govuk-visually-hidden">{_esc(_get(params, "iconFallbackText") or "Warning")}</span>\n'
        f"{_content(params)}\n</strong>\n</div>\n"
    )


def tag(params: Any) -> str:
    return _opening("strong", "govuk-tag", params) + f">\n{_content(params, trim=True)}\n</strong>\n"


def details(params: Any) -> str:
    return (
        _opening("details", "govuk-details", params, identified=True)
        + (" open" if _get(params, "open") else "")
        + '>\n<summary class="govuk-details__summary">\n'
        '<span class="govuk-details__summary-text">\n'
        f"{_content(params, 'summaryHtml', 'summaryText', trim=True)}\n</span>\n</summary>\n"
        f'<div class="govuk-details__text">\n{_content(params)}\n</div>\n</details>\n'
    )


def inset_text(params: Any) -> str:
    return _opening("div", "govuk-inset-text", params, identified=True) + f">\n{_content(params, trim=True)}\n</div>\n"


def notification_banner(params: Any) -> str:
    kind = _get(params, "type")
    success = kind == "success"
    role = _get(params, "role") or ("alert" if success else "region")
    title_html, title_text = _get(params, "titleHtml"), _get(params, "titleText")
    title = _safe(title_html) if title_html else _esc(title_text) if title_text else ("Success" if success else "Important")
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
    return (
        f'<div class="govuk-notification-banner{f" govuk-notification-banner--{_esc(kind)}" if success else ""}'
        f'{_classes(_get(params, "classes"))}" role="{_esc(role)}" aria-labelledby="{title_id}" '
        'data-module="govuk-notification-banner"'
        + (f' data-disable-auto-focus="{_esc(str(auto_focus).lower())}"' if _given(auto_focus) else "")
        + f'{attributes(_get(params, "attributes"))}>\n<div class="govuk-notification-banner__header">\n'
        f'<h{level} class="govuk-notification-banner__title" id="{title_id}">\n{title}\n</h{level}>\n</div>\n'
        f'<div class="govuk-notification-banner__content">\n{content}</div>\n</div>\n'
    )


def error_summary(params: Any) -> str:
    auto_focus = _get(params, "disableAutoFocus")
    out = [
        f'<div class="govuk-error-summary{_classes(_get(params, "classes"))}"'
        + (f' data-disable-auto-focus="{_esc(str(auto_focus).lower())}"' if _given(auto_focus) else "")
        + f'{attributes(_get(params, "attributes"))} data-module="govuk-error-summary">\n<div role="alert">\n'
        f'<h2 class="govuk-error-summary__title">\n{_content(params, "titleHtml", "titleText", trim=True)}\n</h2>\n'
        '<div class="govuk-error-summary__body">\n'
    ]
    if _get(params, "descriptionHtml") or _get(params, "descriptionText"):
        out.append(f"<p>\n{_content(params, 'descriptionHtml', 'descriptionText', trim=True)}\n</p>\n")
    errors = _get(params, "errorList")
    if _given(errors) and len(errors):
        out.append('<ul class="govuk-list govuk-error-summary__list">\n')
        for item in errors:
            href = _get(item, "href")
            if href:
                out.append(
                    f'<li>\n<a href="{_esc(href)}"{attributes(_get(item, "attributes"))}>'
                    f"{_content(item, trim=True)}</a>\n</li>\n"
                )
            else:
                out.append(f"<li>\n{_content(item, trim=True)}\n</li>\n")
        out.append("</ul>\n")
    out.append("</div>\n</div>\n</div>\n")
    return "".join(out)
