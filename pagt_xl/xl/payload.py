"""A real .xlsx as the JSON payload xlwings' Office.js client sends for a script call.

Tests and the benchmark drive the button scripts exactly as Excel would,
without Excel: ``xw.Book(json=book_payload(path))``. The format follows the
client in ``xlwings_server/static/js/custom-scripts/index.js``: per sheet the
values from A1 to the last used cell (``""`` for empty cells), the cached
results of formulas (Excel sends what it shows), dates as
``Date.toISOString()`` strings (``"2023-03-01T00:00:00.000Z"``), defined
names and Excel tables with their addresses.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from pagt_xl.base.model import column_letter

#: The client's version string; xlwings only checks it for non-Office.js clients.
CLIENT_VERSION = "0.37.8"
_EPOCH = dt.datetime(1899, 12, 30)


def iso_date(value: dt.datetime | dt.date | dt.time | dt.timedelta) -> str:
    """A date or time as JavaScript's ``Date.toISOString()`` writes it (UTC, milliseconds, ``Z``)."""
    if isinstance(value, dt.timedelta):
        value = _EPOCH + value
    elif isinstance(value, dt.time):
        value = dt.datetime.combine(_EPOCH.date(), value)
    elif not isinstance(value, dt.datetime):
        value = dt.datetime(value.year, value.month, value.day)
    if value.tzinfo is not None:
        value = value.astimezone(dt.UTC).replace(tzinfo=None)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


def cell_value(value: Any) -> Any:
    """One cell as the client sends it: ``""`` when empty, dates as ISO strings, the rest unchanged."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime | dt.date | dt.time | dt.timedelta):
        return iso_date(value)
    return value


def used_bounds(ws: Any) -> tuple[int, int, int, int] | None:
    """(first row, first column, last row, last column), 1-based, of the cells holding a value.

    ``None`` for an empty sheet. Like the client, formatting-only cells do not count.
    """
    cells = [(c.row, c.column) for row in ws.iter_rows() for c in row if c.value is not None and c.value != ""]
    if not cells:
        return None
    rows, cols = [r for r, _ in cells], [c for _, c in cells]
    return min(rows), min(cols), max(rows), max(cols)


def _tables(ws: Any) -> list[dict[str, Any]]:
    out = []
    for table in ws.tables.values():
        first, last = table.ref.split(":")
        header_rows = table.headerRowCount if table.headerRowCount is not None else 1
        totals = bool(table.totalsRowCount)
        first_col = "".join(ch for ch in first if ch.isalpha())
        last_col = "".join(ch for ch in last if ch.isalpha())
        top, bottom = int(first[len(first_col) :]), int(last[len(last_col) :])
        style = table.tableStyleInfo
        body_top, body_bottom = top + (1 if header_rows else 0), bottom - (1 if totals else 0)
        out.append(
            {
                "name": table.displayName,
                "range_address": table.ref,
                "row_count": bottom - top + 1,
                "column_count": len(table.tableColumns),
                "columns": [c.name for c in table.tableColumns],
                "header_row_range_address": f"{first_col}{top}:{last_col}{top}" if header_rows else None,
                "data_body_range_address": f"{first_col}{body_top}:{last_col}{body_bottom}",
                "total_row_range_address": f"{first_col}{bottom}:{last_col}{bottom}" if totals else None,
                "show_headers": bool(header_rows),
                "show_totals": totals,
                "table_style": style.name if style is not None else None,
                "show_autofilter": table.autoFilter is not None,
                "show_table_style_first_column": bool(style and style.showFirstColumn),
                "show_table_style_last_column": bool(style and style.showLastColumn),
                "show_table_style_row_stripes": bool(style and style.showRowStripes),
                "show_table_style_column_stripes": bool(style and style.showColumnStripes),
            }
        )
    return out


def _names(wb: Any) -> list[dict[str, Any]]:
    """Workbook-scoped defined names that refer to one range on one sheet."""
    index = {ws.title: i for i, ws in enumerate(wb.worksheets)}
    out = []
    for name, defined in wb.defined_names.items():
        destinations = list(defined.destinations) if defined.type == "RANGE" else []
        if len(destinations) != 1 or destinations[0][0] not in index:
            continue
        sheet, ref = destinations[0]
        out.append(
            {
                "name": name,
                "refers_to": "=" + defined.attr_text,
                "type": "Range",
                "sheet_index": index[sheet],
                "address": ref.replace("$", ""),
                "scope_sheet_name": None,
                "scope_sheet_index": None,
                "book_scope": True,
            }
        )
    return out


def book_payload(path: Path | str, *, active_sheet_index: int = 0, selection: str = "A1") -> dict[str, Any]:
    """The script-call payload for the workbook at ``path``."""
    import openpyxl  # only the tests and the benchmark need this module

    wb = openpyxl.load_workbook(path, data_only=True)
    sheets = []
    for ws in wb.worksheets:
        bounds = used_bounds(ws)
        if bounds is not None:
            first_row, first_col, last_row, last_col = bounds
            values = [[cell_value(ws.cell(r, c).value) for c in range(1, last_col + 1)] for r in range(1, last_row + 1)]
            used = f"{column_letter(first_col - 1)}{first_row}:{column_letter(last_col - 1)}{last_row}"
            shape = (last_row - first_row + 1, last_col - first_col + 1)
        else:
            values, used, shape = [[""]], None, (0, 0)
        sheets.append(
            {
                "name": ws.title,
                "visibility": "Visible" if ws.sheet_state == "visible" else "Hidden",
                "used_range_address": used,
                "used_range_row_count": shape[0],
                "used_range_column_count": shape[1],
                "values": values,
                "pictures": [],
                "shapes": [],
                "charts": [],
                "tables": _tables(ws),
                "pivot_tables": [],
            }
        )
    return {
        "client": "Office.js",
        "version": CLIENT_VERSION,
        "book": {
            "name": Path(path).name,
            "active_sheet_index": active_sheet_index,
            "selection": selection,
            "calculation": "Automatic",
        },
        "names": _names(wb),
        "sheets": sheets,
    }
