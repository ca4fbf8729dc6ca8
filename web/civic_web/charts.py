"""Charts drawn on the server as SVG: horizontal bars, stacked by series, beside the table that holds the data.

A chart is an image with a name and a description (``role="img"``, its ``<title>`` and ``<desc>``), so a
screen reader hears what it shows in words; the figures themselves are in the table beside it, which is the
data. Only presentation attributes are used (no ``style``), so the page's Content-Security-Policy holds, and
nothing needs JavaScript. Colours are GOV.UK Frontend's, each segment outlined in white so neighbours are
told apart by more than their colour, and the legend names every series.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

#: GOV.UK Frontend's colours, dark enough against white for graphics (WCAG 1.4.11)
COLOURS = ("#1d70b8", "#003078", "#00703c", "#4c2c92", "#d4351c", "#6f777b", "#912b88", "#85994b")
TEXT = "#0b0c0c"
WIDTH = 640
LABELS = 200  # the rows' labels, left of the bars
VALUES = 110  # the rows' totals, right of the bars
ROW = 26
BAR = 18
FONT = "system-ui, -apple-system, Segoe UI, Arial, sans-serif"


@dataclass(frozen=True)
class Bar:
    """One row of the chart: its label and one value per series (stacked left to right)."""

    label: str
    values: Sequence[float]
    total_text: str = ""


def bar_chart(*, chart_id: str, title: str, description: str, bars: Sequence[Bar], series: Sequence[str] = (),
              marker: tuple[float, str] | None = None, maximum: float | None = None,
              shorten: Callable[[str], str] | None = None) -> Markup:
    """A horizontal bar chart as inline SVG. ``series`` names the stacked parts (a legend when there are two or
    more); ``marker`` draws a labelled line at a value (a threshold, a target); ``maximum`` fixes the scale."""
    shorten = shorten or (lambda text: text if len(text) <= 28 else text[:27] + "…")
    keys = _legend(series) if len(series) > 1 else []
    legend_rows = keys[-1][1] // 22 + 1 if keys else 0
    top = legend_rows * 22 + (24 if marker else 8)
    height = top + len(bars) * ROW + 10
    biggest = max([sum(v for v in bar.values if v > 0) for bar in bars] + [marker[0] if marker else 0.0] + [0.0])
    scale_max = maximum if maximum else biggest
    span = WIDTH - LABELS - VALUES
    scale = span / scale_max if scale_max > 0 else 0.0
    # written with f-strings, every text escaped (numbers need none): Markup.format escapes each field through
    # string.Formatter, which took longer than the rest of a page's own work on a chart of a few dozen bars
    parts: list[str] = []
    for index, (key_x, key_y, name) in enumerate(keys):
        parts.append(f'<rect x="{key_x}" y="{key_y + 4}" width="14" height="14" fill="{COLOURS[index % len(COLOURS)]}"/>'
                     f'<text x="{key_x + 20}" y="{key_y + 16}" font-size="13" fill="{TEXT}">{escape(name)}</text>')
    for row, bar in enumerate(bars):
        y = top + row * ROW
        parts.append(f'<text x="{LABELS - 8}" y="{y + BAR - 4}" font-size="13" text-anchor="end" fill="{TEXT}">'
                     f"{escape(shorten(bar.label))}</text>")
        x = float(LABELS)
        for index, value in enumerate(bar.values):
            width = max(value, 0) * scale
            if width <= 0:
                continue
            parts.append(f'<rect x="{x:.1f}" y="{y}" width="{width:.1f}" height="{BAR}" '
                         f'fill="{COLOURS[index % len(COLOURS)]}" stroke="#ffffff" stroke-width="1"/>')
            x += width
        if bar.total_text:
            parts.append(f'<text x="{x + 6:.1f}" y="{y + BAR - 4}" font-size="13" fill="{TEXT}">'
                         f"{escape(bar.total_text)}</text>")
    parts.append(f'<line x1="{LABELS}" y1="{top - 4}" x2="{LABELS}" y2="{height - 6}" stroke="{TEXT}" stroke-width="1"/>')
    if marker and scale:
        at = LABELS + marker[0] * scale
        parts.append(f'<line x1="{at:.1f}" y1="{top - 6}" x2="{at:.1f}" y2="{height - 6}" stroke="{TEXT}" stroke-width="2" '
                     f'stroke-dasharray="6 4"/><text x="{at:.1f}" y="{top - 10}" font-size="13" text-anchor="middle" '
                     f'fill="{TEXT}">{escape(marker[1])}</text>')
    ident = escape(chart_id)
    svg = (f'<svg class="civic-chart" id="{ident}" role="img" aria-labelledby="{ident}-title {ident}-desc" '
           f'viewBox="0 0 {WIDTH} {height}" width="100%" font-family="{escape(FONT)}" '
           f'xmlns="http://www.w3.org/2000/svg"><title id="{ident}-title">{escape(title)}</title>'
           f'<desc id="{ident}-desc">{escape(description)}</desc>{"".join(parts)}</svg>')
    return Markup(svg)  # noqa: S704 (every text in it escaped above, every number a number)


def _legend(series: Sequence[str]) -> list[tuple[int, int, str]]:
    """Where each series' key goes: (x, y, name), side by side, on as many lines as they need."""
    keys: list[tuple[int, int, str]] = []
    x = y = 0
    for name in series:
        width = 20 + len(name) * 8 + 24  # the swatch, the name at about 8 pixels a letter, a gap
        if x and x + width > WIDTH:
            x, y = 0, y + 22
        keys.append((x, y, name))
        x += width
    return keys
