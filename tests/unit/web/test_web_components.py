"""GOV.UK Frontend's components written in Python (civic_web.components) against govuk-frontend-jinja's own
macros: for every option the pages use, and those around them, the same elements, attributes and text; only
the amount of whitespace between elements may differ (a browser shows any run of it as one space), never
whether there is any. A shape a function does not write goes to the macro, so it is the macro's HTML."""

from __future__ import annotations

import re
from typing import Any

import pytest
from civic_web.assets import Assets
from civic_web.components import COMPONENTS, _esc, attributes, macro_of
from civic_web.layout import STATIC, environment
from jinja2 import Environment
from markupsafe import Markup, escape

ODD = 'Tom & "Jerry" <b>'
ATTRIBUTES: list[Any] = [
    {"id": "x", "data-n": 3},
    {"aria-hidden": True, "hidden": {"value": True, "optional": True}, "gone": {"value": None, "optional": True},
     "off": {"value": False, "optional": True}, "empty": "", "none": None, "odd": ODD},
    ' data-raw="as it is"',
    None,
    {},
]

CASES: dict[str, list[dict[str, Any]]] = {
    "govukTable": [
        {"rows": []},
        {"caption": "Boards", "captionClasses": "govuk-table__caption--m", "head": [{"text": "Name"}, {"text": "Area"}],
         "rows": [[{"text": "One"}, {"text": None}], [{"html": Markup('<a href="/x">x</a>')}, {"text": ODD}]]},
        {"firstCellIsHeader": True, "classes": "extra", "attributes": {"id": "t"},
         "head": [{"text": "Theme"}, {"text": "2023/24", "format": "numeric", "classes": "c", "colspan": 2,
                                      "rowspan": 1, "attributes": {"data-y": "1"}}],
         "rows": [[{"text": "Total", "classes": "govuk-!-font-weight-bold"},
                   {"text": "£1,000", "format": "numeric", "colspan": 2, "attributes": {"data-z": ODD}}],
                  [], None, [{"text": 12}, {"html": "<em>7</em>", "rowspan": 3}]]},
        {"caption": Markup("<span>safe</span>"), "head": [{"html": "<b>h</b>"}], "rows": [[{}]]},
        *({"rows": [[{"text": "a", "attributes": a}]], "attributes": a} for a in ATTRIBUTES),
    ],
    "govukSummaryList": [
        {"rows": [{"key": {"text": "Planned"}, "value": {"text": "£10"}},
                  {"key": {"text": ODD}, "value": {"html": Markup("  <p>two</p>\n  <p>lines</p>  ")}}]},
        {"classes": "govuk-summary-list--no-border", "attributes": {"id": "s"},
         "rows": [{"key": {"text": "A", "classes": "k"}, "value": {"text": None, "classes": "v"}, "classes": "r",
                   "actions": {"items": [{"href": "/change", "text": "Change", "visuallyHiddenText": "the name"}]}},
                  {"key": {"text": "B"}, "value": {"text": "b"}},
                  {"key": {"text": "C"}, "value": {"text": "c"},
                   "actions": {"classes": "ac", "items": [{"href": "/1", "text": "One", "classes": "l"},
                                                          {"href": "/2", "html": "<b>Two</b>", "attributes": {"x": 1}}]}},
                  None]},
        {"rows": []},
        {"card": {"title": {"text": "A card"}}, "rows": [{"key": {"text": "A"}, "value": {"text": "a"}}]},
    ],
    "govukButton": [
        {"text": "Save"},
        {"text": ODD, "classes": "govuk-button--secondary", "attributes": {"id": "show-report"}},
        {"text": "Propose", "href": "/savings/initiatives/new", "classes": "govuk-button--secondary"},
        {"html": Markup("  <span>Go</span> "), "isStartButton": True, "href": "/start"},
        {"text": "Start", "isStartButton": True, "id": "b1", "name": "step", "value": "approved", "type": "submit",
         "disabled": True, "preventDoubleClick": True},
        {"text": "x", "preventDoubleClick": False, "type": "button", "classes": 'a&"b'},
        {"text": "x", "preventDoubleClick": None},
        *({"text": "a", "attributes": a} for a in ATTRIBUTES),
    ],
    "govukInput": [
        {"id": "years", "name": "years", "label": {"text": "Financial years"}, "value": "2023/24",
         "hint": {"text": "Separated by commas"}, "spellcheck": False, "errorMessage": None},
        {"id": "directorate", "name": "directorate", "label": {"text": "Directorate"}, "value": "",
         "spellcheck": False, "errorMessage": {"text": "Directorate is required"}},
        {"name": "programme", "label": {"text": "Programme", "classes": "govuk-label--s", "isPageHeading": True,
                                        "attributes": {"data-l": 1}},
         "hint": {"html": Markup("<b>For example</b>, LGR"), "classes": "h", "attributes": {"data-h": 2}},
         "value": ODD, "spellcheck": True, "type": "number", "classes": "govuk-input--width-10", "inputmode": "decimal",
         "autocomplete": "off", "autocapitalize": "none", "pattern": "[0-9]*", "disabled": True, "describedBy": "more",
         "errorMessage": {"html": "<i>wrong</i>", "classes": "e", "visuallyHiddenText": "Problem",
                          "attributes": {"data-e": 1}},
         "formGroup": {"classes": "civic-inline", "attributes": {"data-g": 1}}, "attributes": {"data-i": 1}},
        {"id": "cost", "name": "cost", "label": {"text": "Cost"}, "prefix": {"text": "£"}, "suffix": {"text": "per year",
                                                                                                   "classes": "s"},
         "inputWrapper": {"classes": "w", "attributes": {"data-w": 1}}, "value": 12, "spellcheck": 1},
        {"id": "p", "name": "p", "label": {"text": "P"}, "prefix": {"html": Markup(" <b>£</b> ")}},
        {"id": "p", "name": "p", "label": {"html": Markup("<b>L</b>")}, "prefix": {}, "value": None,
         "errorMessage": {"text": "x", "visuallyHiddenText": ""}},
        {"id": "q", "name": "q", "label": {}},
        {"id": "q", "name": "q", "label": {"text": "Q"}, "formGroup": {"beforeInput": {"text": "Before"}}},
    ],
    "govukSelect": [
        {"id": "category", "name": "category", "label": {"text": "Category"}, "classes": "civic-full-width",
         "items": [{"value": "", "text": "Any", "selected": True}, {"value": "lgr", "text": "LGR", "selected": False}],
         "errorMessage": None},
        {"id": "status", "name": "status", "label": {"text": "Status"}, "value": "approved", "describedBy": "d",
         "hint": {"text": "The status"}, "errorMessage": {"text": "Choose one"}, "disabled": True,
         "attributes": {"data-s": 1},
         "items": [{"text": "approved"}, {"value": "approved", "text": ODD}, {"value": True, "text": "yes"},
                   {"value": "approved", "text": "not this one", "selected": False},
                   {"value": 3, "text": "three", "disabled": True, "attributes": {"data-o": 1}}, None, {}]},
        {"name": "n", "label": {"text": "N"}, "items": []},
        {"name": "n", "label": {"text": "N"}},
        {"name": "n", "label": {"text": "N"}, "formGroup": {"classes": "g", "afterInput": {"text": "after"}},
         "items": [{"value": "a", "text": "A"}]},
    ],
    "govukPagination": [
        {"next": {"href": "?cursor=abc", "labelText": "More initiatives"}, "landmarkLabel": "Pages of initiatives"},
        {"previous": {"href": "?", "labelText": "First page"}, "next": {"href": "?cursor=x", "labelText": ODD},
         "landmarkLabel": "Pages", "classes": "p", "attributes": {"data-p": 1}},
        {"previous": {"href": "/p", "text": "Back", "attributes": {"data-a": 1}},
         "next": {"href": "/n", "html": "<b>On</b>"}},
        {"previous": None, "next": {"href": ""}},
        {},
        {"items": [{"number": 1, "href": "/1", "current": True}, {"ellipsis": True}],
         "next": {"href": "/2"}},
    ],
    "govukServiceNavigation": [
        {"serviceName": "Transformation programme", "serviceUrl": "/", "navigationLabel": "Menu",
         "navigation": [{"text": "Home", "href": "/", "current": True, "active": True},
                        {"text": "Savings", "href": "/savings/initiatives", "current": False, "active": True},
                        {"text": "Property", "href": "/property/buildings", "current": False, "active": False}],
         "slots": {"end": Markup('<div class="civic-officer">Priya</div>')}},
        {"serviceName": "Transformation programme", "serviceUrl": "/", "navigation": [], "navigationLabel": "Menu",
         "slots": {"end": ""}},
        {"serviceName": ODD, "navigation": [{"text": "Only", "href": "/only", "attributes": {"data-n": 1}}, None,
                                             {"html": "<b>span</b>", "current": True}, {"text": ""}],
         "classes": "c", "attributes": {"data-s": 1}, "menuButtonText": "Pages", "menuButtonLabel": "Show pages",
         "navigationId": "nav", "navigationClasses": "nc", "ariaLabel": "Our service",
         "collapseNavigationOnMobile": True,
         "slots": {"start": "<i>start</i>", "navigationStart": "<li>s</li>", "navigationEnd": "<li>e</li>"}},
        {"navigation": [{"text": "A", "href": "/a"}, {"text": "B", "href": "/b"}], "collapseNavigationOnMobile": False},
        {"navigation": [{"text": "A", "href": "/a"}], "collapseNavigationOnMobile": None, "menuButtonLabel": "Menu"},
        {},
    ],
    "govukGenericHeader": [
        {"logoText": "West Northamptonshire Council", "url": "/", "classes": "civic-header"},
        {"logoHtml": Markup("<b>Council</b>"), "containerClasses": "c", "attributes": {"data-h": 1}},
        {"logoText": ODD, "_namespace": "govuk"},
        {},
    ],
    "govukWarningText": [
        {"text": "Some of the programme's figures could not be read."},
        {"html": Markup("<b>Careful</b>"), "iconFallbackText": "Note", "classes": "w", "attributes": {"data-w": 1}},
        {"text": ODD},
    ],
    "govukTag": [
        {"text": "Approved"},
        {"text": ODD, "classes": "govuk-tag--green", "attributes": {"data-t": 1}},
        {"html": Markup("  <b>Red</b>  ")},
        {"text": None},
    ],
    "govukDetails": [
        {"summaryText": "How the report is worked out", "text": "By theme."},
        {"summaryHtml": Markup(" <b>Help</b> "), "html": Markup("<p>Body</p>"), "id": "d", "open": True,
         "classes": "x", "attributes": {"data-d": 1}},
        {"summaryText": ODD, "text": ODD},
    ],
    "govukInsetText": [
        {"text": "Nothing was changed."},
        {"html": Markup(" <p>Some</p> "), "id": "i", "classes": "c", "attributes": {"data-i": 1}},
    ],
    "govukNotificationBanner": [
        {"text": "The initiative is approved.", "type": "success", "titleText": "Done"},
        {"text": "You are signed in.", "type": None, "titleText": "Important"},
        {"html": Markup(" <p>Hi</p> "), "titleHtml": Markup("<b>T</b>"), "role": "status", "titleId": "tid",
         "titleHeadingLevel": 3, "disableAutoFocus": True, "classes": "c", "attributes": {"data-b": 1}},
        {"text": ODD, "type": "success"},
        {"type": "other"},
        {"text": "  spaced  ", "disableAutoFocus": False},
    ],
    "govukErrorSummary": [
        {"titleText": "There is a problem", "errorList": [{"text": "Enter a year", "href": "#years"}]},
        {"titleHtml": Markup(" <b>Problem</b> "), "descriptionText": ODD, "classes": "c", "disableAutoFocus": False,
         "attributes": {"data-e": 1},
         "errorList": [{"html": Markup("<b>one</b>"), "href": "#one", "attributes": {"data-x": 1}},
                       {"text": "not linked"}, {"html": " <i>two</i> "}]},
        {"titleText": "T", "descriptionHtml": "<p>d</p>", "errorList": []},
        {"titleText": "T"},
    ],
}


def collapsed(html: str) -> str:
    """As a browser shows it: any run of whitespace between and inside elements as one space."""
    return re.sub(r"\s+", " ", str(html))


@pytest.fixture(scope="module")
def env() -> Environment:
    return environment(Assets.of(STATIC))


@pytest.mark.parametrize(("name", "params"), [(name, p) for name, cases in CASES.items() for p in cases],
                         ids=[f"{name}-{i}" for name, cases in CASES.items() for i, _ in enumerate(cases)])
def test_a_component_writes_what_its_macro_writes(env: Environment, name: str, params: dict[str, Any]) -> None:
    folder, _ = COMPONENTS[name]
    written = env.globals[name](params)
    assert isinstance(written, Markup)
    assert collapsed(written) == collapsed(macro_of(env, name, folder)(params))


def test_every_component_the_pages_are_given_is_tested_here(env: Environment) -> None:
    assert set(CASES) == set(COMPONENTS)
    for name in COMPONENTS:
        assert env.globals[name].__name__ == name  # the Python one, not the macro


@pytest.mark.parametrize("given", ATTRIBUTES)
def test_attributes_as_govuk_frontend_writes_them(env: Environment, given: Any) -> None:
    macro = env.get_template("govuk_frontend_jinja/macros/attributes.html").module.govukAttributes  # type: ignore[attr-defined]
    assert attributes(given) == str(macro(given))


def test_a_call_block_is_the_macros(env: Environment) -> None:
    page = env.from_string('{% call govukDetails({"summaryText": "More"}) %}<p>Inside</p>{% endcall %}')
    assert "<p>Inside</p>" in page.render()
    assert collapsed(page.render()) == collapsed(env.from_string(
        '{% from "govuk_frontend_jinja/components/details/macro.html" import govukDetails as d %}'
        '{% call d({"summaryText": "More"}) %}<p>Inside</p>{% endcall %}').render())


def test_from_a_template_as_from_python(env: Environment) -> None:
    # a template's dict literal, its none and a missing variable, as the pages write them
    page = env.from_string('{{ govukTable({"rows": [[{"text": none}, {"text": missing}, {"text": 1 + 1}]]}) }}')
    assert collapsed(page.render()) == collapsed(
        '<table class="govuk-table"> <tbody class="govuk-table__body"> <tr class="govuk-table__row"> '
        '<td class="govuk-table__cell">None</td> <td class="govuk-table__cell"></td> '
        '<td class="govuk-table__cell">2</td> </tr> </tbody> </table> ')


@pytest.mark.parametrize("text", ["plain", "", "a & b", "<script>", 'it\'s "quoted"', "&amp;", "£1,000 > £900",
                                  Markup("<b>safe</b>"), 12, None, 1.5, True])
def test_text_is_escaped_as_markupsafe_escapes_it(text: Any) -> None:
    assert _esc(text) == str(escape(text))
