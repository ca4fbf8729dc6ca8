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

from collections.abc import Callable
from typing import Any

from jinja2 import Environment
from markupsafe import Markup

from civic_web.components.form_fields import button, input_, select
from civic_web.components.messages import details, error_summary, inset_text, notification_banner, tag, warning_text
from civic_web.components.navigation import generic_header, pagination, service_navigation
from civic_web.components.reading import _NOTHING, _esc, _ForTheMacro, attributes
from civic_web.components.tables import summary_list, table

__all__ = ["COMPONENTS", "_esc", "attributes", "component", "macro_of", "tag"]

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
