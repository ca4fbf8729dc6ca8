"""The server-drawn SVG charts (an image named in words, escaped text, bars to scale) and the .xlsx downloads
(the figures as numbers, formatted as pounds)."""

from __future__ import annotations

import re
from io import BytesIO

from civic_web.charts import Bar, bar_chart
from civic_web.spreadsheets import POUNDS, Sheet, workbook_of
from openpyxl import load_workbook


def test_a_chart_is_an_image_named_by_its_title_and_description() -> None:
    svg = str(bar_chart(chart_id="c", title="Savings by theme", description="Two themes, £3 in all.",
                        bars=[Bar("A", [1, 2], "£3")], series=["2021/22", "2022/23"]))
    assert svg.startswith('<svg class="civic-chart" id="c" role="img" aria-labelledby="c-title c-desc"')
    assert '<title id="c-title">Savings by theme</title>' in svg and '<desc id="c-desc">Two themes, £3 in all.</desc>' in svg
    assert "style=" not in svg  # presentation attributes only: the pages' Content-Security-Policy holds
    # two series: a legend naming both
    assert ">2021/22</text>" in svg and ">2022/23</text>" in svg


def test_text_in_a_chart_is_escaped() -> None:
    svg = str(bar_chart(chart_id="c", title="<b>", description="a & b", bars=[Bar("<script>", [1], "<i>")]))
    assert "<script>" not in svg and "&lt;script&gt;" in svg and "&lt;b&gt;" in svg and "a &amp; b" in svg


def test_bars_are_to_scale_stacked_and_nothing_is_drawn_for_zero_or_less() -> None:
    svg = str(bar_chart(chart_id="c", title="t", description="d",
                        bars=[Bar("big", [30, 10]), Bar("half", [20, 0]), Bar("none", [0, -5])], series=["x", "y"]))
    widths = [float(w) for w in re.findall(r'<rect x="[0-9.]+" y="[0-9.]+" width="([0-9.]+)" height="18"', svg)]
    assert len(widths) == 3  # big: two parts, half: one, none: nothing
    assert widths[0] == 3 * widths[1] and widths[2] == 2 * widths[1]


def test_a_marker_and_a_fixed_scale() -> None:
    svg = str(bar_chart(chart_id="c", title="t", description="d", bars=[Bar("day", [50])], maximum=100,
                        marker=(40, "Under-used below 40%")))
    assert "Under-used below 40%" in svg and 'stroke-dasharray="6 4"' in svg
    [width] = [float(w) for w in re.findall(r'width="([0-9.]+)" height="18"', svg)]
    [at] = [float(x) for x in re.findall(r'<line x1="([0-9.]+)" y1="[0-9.]+" x2="[0-9.]+" y2="[0-9.]+" stroke="#0b0c0c" '
                                         r'stroke-width="2"', svg)]
    assert abs((at - 200) / width - 0.8) < 0.01  # the marker at 40 of a 100 scale, the bar at 50


def test_a_workbook_holds_the_figures_as_numbers_in_pounds() -> None:
    data = workbook_of([Sheet("Planned", ["Planned savings", "Filters: none"], ["Theme", "2021/22", "Total"],
                              [["Demand & Prevention", 3_744_000, 3_744_000], ["Total", 45_000.5, 45_000.5]])])
    sheet = load_workbook(BytesIO(data))["Planned"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Planned savings" and rows[3] == ("Theme", "2021/22", "Total")
    assert rows[4] == ("Demand & Prevention", 3_744_000, 3_744_000) and rows[5] == ("Total", 45_000.5, 45_000.5)
    assert sheet.cell(row=5, column=2).number_format == POUNDS
    assert sheet.cell(row=5, column=1).number_format == "General"  # text stays text
