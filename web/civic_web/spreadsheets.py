"""Downloads as .xlsx (openpyxl): a report's table as a worksheet, with the figures as numbers.

The figures are the API's, as the page's table shows them; the workbook only lays them out (a few lines
saying what the sheet is, the column headings, the rows) so a spreadsheet can sum and chart them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from io import BytesIO
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
POUNDS = '"£"#,##0.00'


@dataclass(frozen=True)
class Sheet:
    name: str  # at most 31 characters (Excel's limit)
    lines: Sequence[str]  # what the sheet is, above the table
    head: Sequence[str]
    rows: Sequence[Sequence[Any]]
    number_format: str | None = POUNDS  # for the numbers in the rows


def workbook_of(sheets: Sequence[Sheet]) -> bytes:
    book = Workbook()
    book.remove(book.active)
    for sheet in sheets:
        ws = book.create_sheet(sheet.name[:31])
        for line in sheet.lines:
            ws.append([line])
        ws.cell(row=1, column=1).font = Font(bold=True, size=14)
        ws.append([])
        ws.append(list(sheet.head))
        head_row = ws.max_row
        for cell in ws[head_row]:
            cell.font = Font(bold=True)
        for row in sheet.rows:
            ws.append(list(row))
            if sheet.number_format:
                for cell in ws[ws.max_row]:
                    if isinstance(cell.value, (int, float)) and not isinstance(cell.value, bool):
                        cell.number_format = sheet.number_format
        ws.column_dimensions["A"].width = max([len(str(r[0])) for r in sheet.rows if r] + [12]) + 2
        for index in range(2, len(sheet.head) + 1):
            ws.column_dimensions[ws.cell(row=head_row, column=index).column_letter].width = 16
        ws.freeze_panes = ws.cell(row=head_row + 1, column=2)
    out = BytesIO()
    book.save(out)
    return out.getvalue()
