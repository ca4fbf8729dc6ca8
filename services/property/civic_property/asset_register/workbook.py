"""The register as an Excel workbook (openpyxl): the published headings in the first row, one asset a row, the
map reference as numbers and the UPRN as text (twelve digits stay exact and are not shown in exponent form).

Text is written as text, never as a formula (a name starting with "=" is a name), without the control characters
a worksheet cannot hold (the JSON and CSV keep them)."""

from __future__ import annotations

from io import BytesIO
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

from civic_property.asset_register.figures import COLUMNS, cells

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SHEET = "Land and building assets"


def as_workbook(report: dict[str, Any]) -> bytes:
    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.title = SHEET
    ws.append([heading for _, heading in COLUMNS])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for asset in report["assets"]:
        ws.append([ILLEGAL_CHARACTERS_RE.sub("", v) if isinstance(v, str) else v for v in cells(asset)])
        for cell in ws[ws.max_row]:
            if isinstance(cell.value, str):
                cell.data_type = "s"
    for index, (_, heading) in enumerate(COLUMNS, start=1):
        ws.column_dimensions[ws.cell(row=1, column=index).column_letter].width = max(14, min(len(heading) + 2, 40))
    ws.freeze_panes = "A2"
    out = BytesIO()
    book.save(out)
    return out.getvalue()
