"""Pages from templates: the Jinja environment (ours, then GOV.UK Frontend's macros, which every template has
without importing them) and what every page knows.

Every page gets the council's name, the signed-in officer and what their scopes allow, the session's form
token, the request's CSP nonce (for the one inline script GOV.UK Frontend's template needs), the messages
waiting for it, and ``asset(name)`` for a static file's fingerprinted address.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, PackageLoader, PrefixLoader, select_autoescape
from markupsafe import Markup, escape
from starlette.requests import Request
from starlette.responses import HTMLResponse

from civic_web import components
from civic_web.assets import Assets
from civic_web.permissions import Permissions
from civic_web.sessions import CSRF_FIELD, csrf_token, officer_of, told
from civic_web.vocabulary import day, happening, moment, move_words, options, pounds, words_for

HERE = Path(__file__).parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"


def govuk_frontend_folder() -> str:
    """``govuk-frontend/<version>``: the one vendored version of GOV.UK Frontend (web/README.md)."""
    (folder,) = [p for p in (STATIC / "govuk-frontend").iterdir() if p.is_dir()]
    return f"govuk-frontend/{folder.name}"


def link(href: str, text: object) -> Markup:
    """A GOV.UK link as HTML for a component's ``html`` option, the text escaped (a title is the officer's)."""
    # both escaped here, as Markup.format would (at a third of its cost: a register's table has a link a row)
    return Markup(f'<a class="govuk-link" href="{escape(href)}">{escape(text)}</a>')  # noqa: S704


#: GOV.UK Frontend's components the pages use: their macros are every template's own (as ``asset`` is), so no
#: template imports them
GOVUK_COMPONENTS = ("button", "checkboxes", "date-input", "details", "error-summary", "fieldset", "generic-header",
                    "input", "inset-text", "notification-banner", "pagination", "panel", "radios", "select",
                    "service-navigation", "summary-list", "table", "tag", "textarea", "warning-text")


#: what a plain dict has as attributes (``d.items``, ``d.get``): a template's ``d.items`` is the method, as ever
_DICT_ATTRIBUTES = frozenset(dir(dict))


class PageEnvironment(Environment):
    """Jinja's environment, reading ``d.key`` from a plain dict (every API answer, every component's options)
    without first raising and catching an AttributeError, which Jinja's own order costs on each lookup. The
    answer is the same: a plain dict has no attribute but its methods, which are still looked up first."""

    def getattr(self, obj: Any, attribute: str) -> Any:
        if type(obj) is dict and attribute not in _DICT_ATTRIBUTES:
            try:
                return obj[attribute]
            except KeyError:
                return self.undefined(obj=obj, name=attribute)
        return super().getattr(obj, attribute)


def environment(assets: Assets) -> Environment:
    # templates are the package's own files: read once, never checked for changes on each page (restart to see
    # an edited template)
    env = PageEnvironment(
        auto_reload=False,
        loader=ChoiceLoader([
            FileSystemLoader(TEMPLATES),
            PrefixLoader({"govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja")}),
        ]),
        autoescape=select_autoescape(("html",)),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["asset"] = assets.url
    env.globals["govuk_frontend"] = govuk_frontend_folder()
    env.filters["pounds"] = pounds
    env.filters["words"] = words_for
    env.filters["move_words"] = move_words
    env.filters["day"] = day
    env.filters["moment"] = moment
    env.filters["happening"] = happening
    env.globals["options"] = options
    env.globals["link"] = link
    for component in GOVUK_COMPONENTS:
        name = "govuk" + "".join(part.capitalize() for part in component.split("-"))  # date-input -> govukDateInput
        # the busiest components written in Python (the same HTML, civic_web.components), the rest the macros
        env.globals[name] = components.component(env, name) if name in components.COMPONENTS \
            else components.macro_of(env, name, component)
    return env


class Layout:
    def __init__(self, env: Environment, council_name: str, sign_in: str) -> None:
        self.env = env
        self.council_name = council_name
        self.sign_in = sign_in

    def render(self, request: Request, name: str, context: dict[str, Any] | None = None, status: int = 200) -> HTMLResponse:
        # the last-resort error page is answered outside the session's middleware: it shows no session
        has_session = "session" in request.scope
        officer = officer_of(request) if has_session else None
        page = {
            "request": request,
            "council_name": self.council_name,
            "officer": officer,
            "permissions": officer.permissions if officer else Permissions(frozenset()),
            "csrf_field": CSRF_FIELD,
            "csrf_token": csrf_token(request) if has_session else "",
            "cspNonce": request.scope.get("state", {}).get("csp_nonce", ""),
            "told": told(request) if has_session else [],
            "path": request.url.path,
            "sign_in_mode": self.sign_in,
            **(context or {}),
        }
        return HTMLResponse(self.env.get_template(name).render(page), status_code=status)
