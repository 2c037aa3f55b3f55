"""Turn a real .xlsx into the JSON payload the xlwings Office.js client sends for a script call.

Used by the tests and the benchmark to drive the button scripts exactly as Excel
would, without Excel: ``xw.Book(json=book_payload(path))``.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.utils import get_column_letter


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.isoformat() + ("" if value.tzinfo else ".000Z")
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day).isoformat() + ".000Z"
    return value


def book_payload(path: Path, *, active_sheet_index: int = 0, version: str = "0.37.8") -> dict[str, Any]:
    """The script-call payload for the workbook at ``path`` (values as Excel shows them: cached results)."""
    wb = openpyxl.load_workbook(path, data_only=True, read_only=False)
    sheets = []
    for ws in wb.worksheets:
        max_row, max_col = ws.max_row, ws.max_column
        empty = max_row == 1 and max_col == 1 and ws.cell(1, 1).value is None
        values = (
            [[""]]
            if empty
            else [[_cell(ws.cell(r, c).value) for c in range(1, max_col + 1)] for r in range(1, max_row + 1)]
        )
        sheets.append(
            {
                "name": ws.title,
                "values": values,
                "used_range_address": None if empty else f"A1:{get_column_letter(max_col)}{max_row}",
                "pictures": [],
                "tables": [],
            }
        )
    return {
        "client": "Office.js",
        "version": version,
        "book": {"name": Path(path).name, "active_sheet_index": active_sheet_index, "selection": "A1"},
        "names": [],
        "sheets": sheets,
    }
