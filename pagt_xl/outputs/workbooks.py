"""The workbooks we write (xlsxwriter): breakdowns, budgets, goals.

Text from the input is always written with ``write_string`` into a workbook
created with ``strings_to_formulas=False``: a title such as ``=HYPERLINK(...)``
or ``+45 1234`` is stored as a text cell, never as a formula (OWASP formula
injection).
"""

from __future__ import annotations

import datetime as dt
import os
import re
import textwrap
import zipfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pandas as pd
import xlsxwriter

from pagt_xl.base.danish import danish_sort_key, format_amount, format_decimal, format_number
from pagt_xl.base.figures import format_millions, format_share, percent_fraction, whole_percent
from pagt_xl.base.issue_texts import describe
from pagt_xl.core.breakdown import KEY_LABELS, Breakdown
from pagt_xl.core.goals import FollowUp
from pagt_xl.core.ledger import Ledger, LedgerEntry
from pagt_xl.core.results import Breakdowns
from pagt_xl.outputs.files import SEVERITY_DA, atomic_write, safe_text

#: Excel's default row height in points (rows of wrapped text) and in pixels (placing charts on the page)
_ROW_HEIGHT, _DEFAULT_ROW_PX = 15, 20

KR_FORMAT = '#,##0 "kr."'


PCT_FORMAT = "0 %"


#: chart value axes in millions: the two trailing commas divide by 1.000.000 (Excel and LibreOffice alike)
MIO_AXIS_FORMAT = '#,##0.0,," mio."'


#: A4 (xlsxwriter's paper code 9)
PAPER_A4 = 9


SHEET_NAMES = {
    "theme": "Indsatsområder",
    "type": "Projekttyper",
    "round": "Runder",
    "institution_type": "Institutionstyper",
    "status": "Status",
    "progress": "Fremdrift",
    "target_group": "Målgrupper",
    "applicant": "Ansøgere",
}


CHARTS = {"theme": "pie", "type": "bar", "year": "column"}


def write_breakdown_workbook(
    result: Breakdowns,
    path: Path,
    *,
    goals: FollowUp | None = None,
    absolute_links: bool = False,
    ledger: Ledger | None = None,
) -> None:
    """Write the breakdown workbook: year table, one sheet per breakdown, Kontrol, Målopfølgning and Fejl.

    Every sheet prints on A4 landscape, one page wide, with the table's header row repeated; chart
    value axes are in millions; columns are as wide as their longest formatted value; shares are
    the breakdown's rounded ``percent`` (:mod:`pagt_xl.base.figures`), so the workbook shows the figures
    the report and the command line show. ``goals``: the goal follow-up, written as a
    "Målopfølgning" sheet; ``None``: no such sheet. ``absolute_links``: the Fejl sheet links to the
    source files by their full path instead of relative to the workbook's folder. ``ledger``: the
    commitment ledger (issue 25), written as an "Udbetalinger" sheet; ``None``: no such sheet.
    """
    atomic_write(Path(path), lambda tmp: _write(result, tmp, Path(path), goals, absolute_links, ledger))


def _new_workbook(path: Path) -> tuple[Any, dict[str, Any]]:
    """A workbook that stores input text as text (never formulas, links or numbers), and our cell formats.

    The formats are keyed by the kinds of :func:`_table`'s columns, plus title and OK/warning/error fills.
    """
    wb = xlsxwriter.Workbook(
        str(path), {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}
    )
    # every cell of a table top-aligned: in a row made tall by wrapped text, a label sits beside its numbers
    kinds = {
        "kr": {"num_format": KR_FORMAT},
        "pct": {"num_format": PCT_FORMAT},
        "int": {"num_format": "#,##0"},
        "dec": {"num_format": "0.0"},
        "date": {"num_format": "dd-mm-yyyy"},
        "wrap": {"text_wrap": True},
        "year": {"num_format": "0"},
        "text": {},
    }
    fmts = {kind: wb.add_format({**spec, "valign": "top"}) for kind, spec in kinds.items()}
    # the totals row, below the Table (so that sorting or filtering the Table never moves it)
    fmts.update({f"total_{kind}": wb.add_format({**spec, "valign": "top", "bold": True, "top": 1})
                 for kind, spec in kinds.items()})  # fmt: skip
    fmts.update({
        "title": wb.add_format({"bold": True, "font_size": 14}),
        "note": wb.add_format({"italic": True, "text_wrap": True, "valign": "top"}),
        "header": wb.add_format({"bold": True, "text_wrap": True, "valign": "top", "font_color": "#FFFFFF"}),
        "link": wb.add_format({"font_color": "#0563C1", "underline": 1, "valign": "top"}),
        "bad": wb.add_format({"font_color": "#9C0006", "bg_color": "#FFC7CE"}),
        "good": wb.add_format({"font_color": "#006100", "bg_color": "#C6EFCE"}),
        "warn": wb.add_format({"font_color": "#9C5700", "bg_color": "#FFEB9C"}),
    })
    wb.set_properties({"title": "pagt_xl", "comments": "Skrevet af pagt_xl"})
    return wb, fmts


def _write(result: Breakdowns, path: Path, out: Path, goals: FollowUp | None, absolute_links: bool,
           ledger: Ledger | None = None) -> None:  # fmt: skip
    wb, fmts = _new_workbook(path)
    pact = result.validation.pact
    _year_sheet(wb, fmts, result)
    for key, b in result.breakdowns.items():
        if key == "year":
            continue
        _breakdown_sheet(wb, fmts, SHEET_NAMES.get(key, key), b, pact.name)
    _checks_sheet(wb, fmts, result)
    if goals is not None:
        goals_sheet(wb, fmts, goals)
    if ledger is not None:
        ledger_sheet(wb, fmts, ledger)
    _issues_sheet(wb, fmts, result.validation.issues, out, "Fejl", "Fejl og advarsler i kildedata", "Fejl",
                  absolute_links=absolute_links)  # fmt: skip
    wb.close()
    finish_package(path)


#: Widest a column gets (characters); longer text wraps (``wrap`` columns) or runs over.
MAX_WIDTH = 60
#: Narrower caps for the long-text columns of the wide sheets, so that each prints one A4 page wide at a
#: legible size (≥ 8 pt in LibreOffice; 17 columns on one sheet printed at 3-6 pt): the text wraps instead.
WRAP_WIDTHS = {"Fil": 20, "Projekttitel": 28, "Tovholder": 20, "Beskrivelse": 32, "Besked": 36, "Værdi": 16}
#: A header wraps onto a second line rather than widening its column beyond this (characters)
HEADER_WIDTH = 12


def display_text(value: Any, kind: str) -> str:
    """How a value of a column of ``kind`` reads in the cell (Danish Excel), to size the column by.

    ``kr``: "23.231.178 kr."; ``int``: "1.234"; ``pct`` (a fraction): "19 %"; ``date``: "15-02-2024";
    text: its longest line.
    """
    if value is None:
        return ""
    if kind == "kr" and isinstance(value, int | float):
        return format_amount(round(value))
    if kind == "int" and isinstance(value, int | float):
        return format_number(round(value))
    if kind == "pct" and isinstance(value, int | float):
        return format_share(whole_percent(value))
    if kind == "date":
        return "00-00-0000"
    return max(str(value).splitlines() or [""], key=len)


def column_width(header: str, values: Iterable[Any], kind: str) -> float:
    """Width (characters) for a column: its longest formatted value or its header with the filter button,
    at most :data:`MAX_WIDTH` (a wrapped column named in :data:`WRAP_WIDTHS`: at most its cap there)."""
    longest = max((len(display_text(v, kind)) for v in values), default=0)
    # the header (and its filter button) wraps: long words still fit on a line of their own
    header_width = max(min(len(header), HEADER_WIDTH), *(len(w) for w in header.split())) + 3
    width = max(header_width, longest + 2, 8)
    cap = WRAP_WIDTHS.get(header, MAX_WIDTH) if kind in ("wrap", "value") else MAX_WIDTH
    return min(width, cap)


def wrapped_lines(value: Any, width: float) -> int:
    """How many lines a wrapped text cell of ``width`` characters takes (words are not split)."""
    if value is None:
        return 1
    per_line = max(int(width) - 2, 10)
    return sum(max(len(textwrap.wrap(line, per_line)), 1) for line in str(value).splitlines() or [""])


def _table(
    ws: Any,
    fmts: dict[str, Any],
    first_row: int,
    columns: list[tuple[str, str]],
    rows: list[list[Any]],
    name: str,
    total: list[Any] | None = None,
) -> tuple[int, list[float]]:
    """Write an Excel Table (ListObject) with its header at ``first_row``. columns: (header, kind).

    A kind is one of ``text``, ``wrap``, ``year``, ``int``, ``kr``, ``pct`` (a fraction) or ``date``.
    Columns get the width of their longest formatted value; the sheet prints one page wide with
    the header row repeated. ``total`` is written in bold on the row right below the Table, outside it:
    sorting or filtering the Table never moves it and it is never counted as data. Returns the last row
    index (the totals row when there is one) and the column widths.
    """
    last_data = first_row + max(len(rows), 1)
    last_row = last_data + (1 if total else 0)
    for i, row in enumerate(rows, start=first_row + 1):
        _write_row(ws, i, row, columns, fmts)
    if total:
        _write_row(ws, last_data + 1, total, columns, fmts, prefix="total_")
    ws.add_table(
        first_row,
        0,
        last_data,
        len(columns) - 1,
        {
            "name": name,
            "columns": [{"header": h, "header_format": fmts["header"]} for h, _ in columns],
            "style": "Table Style Medium 2",
            "autofilter": True,
        },
    )
    widths = []
    for j, (header, kind) in enumerate(columns):
        width = column_width(header, [r[j] for r in [*rows, *([total] if total else [])]], kind)
        ws.set_column(j, j, width)
        widths.append(width)
    wrapped = [j for j, (_, kind) in enumerate(columns) if kind in ("wrap", "value")]
    for i, row in enumerate([*rows, *([total] if total else [])], start=first_row + 1):
        # a row as tall as its most wrapped cell: LibreOffice does not grow rows of wrapped text itself
        lines = max((wrapped_lines(row[j], widths[j]) for j in wrapped), default=1)
        if lines > 1:
            ws.set_row(i, _ROW_HEIGHT * lines)
    header_lines = max(wrapped_lines(h, w - 2) for (h, _), w in zip(columns, widths, strict=True))
    if header_lines > 1:  # beside the filter button
        ws.set_row(first_row, _ROW_HEIGHT * header_lines)
    ws.freeze_panes(first_row + 1, 0)
    _print_setup(ws, first_row)
    return last_row, widths


def _print_setup(ws: Any, header_row: int) -> None:
    """A4 landscape, one page wide (as many pages down as needed), the header row on every page, page numbers."""
    ws.set_paper(PAPER_A4)
    ws.set_landscape()
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(header_row)
    ws.set_margins(left=0.3, right=0.3, top=0.6, bottom=0.6)
    ws.set_footer("&L&A&RSide &P af &N")


def _write_row(
    ws: Any, i: int, row: list[Any], columns: list[tuple[str, str]], fmts: dict[str, Any], *, prefix: str = ""
) -> None:
    """One row of a table; ``prefix`` ``"total_"`` for the totals row's formats. A ``value`` column's
    number (an issue's value read from a number cell) is written as a number, text as text."""
    for j, value in enumerate(row):
        kind = columns[j][1]
        f = fmts[prefix + ("wrap" if kind == "value" else kind)]
        if kind == "value":
            value = _typed_value(value)
        if value is None:
            ws.write_blank(i, j, None, f)
        elif kind == "date":
            ws.write_datetime(i, j, value, f)
        elif kind in ("text", "wrap") or isinstance(value, str):
            ws.write_string(i, j, str(value), f)
        else:
            ws.write_number(i, j, value, f)


_PLAIN_NUMBER = re.compile(r"-?(?:0|[1-9]\d{0,14})(?:\.\d{1,12})?")


def _typed_value(value: Any) -> Any:
    """An issue's value as a number when it is one as Python writes a number cell's value (``"1300000"``,
    ``"0.5"``); anything else — "1.300.000 kr.", a case number "2023-05", a leading zero — stays text."""
    if isinstance(value, str) and _PLAIN_NUMBER.fullmatch(value):
        number = float(value)
        return int(number) if "." not in value else number
    return value


def _insert_chart(ws: Any, chart: Any, row: int, widths: list[float], size: tuple[int, int], alt: str) -> None:
    """Put ``chart`` (``size`` in pixels) below the table at ``row`` and print it with the table, never cut.

    ``alt``: the chart's alternative text (Danish), read by screen readers. The print area runs to the
    chart's last row and column, so LibreOffice (which prints the used cells) prints the whole chart too,
    on the same page width as the table.
    """
    ws.insert_chart(row, 0, chart, {"x_scale": size[0] / 480, "y_scale": size[1] / 288, "description": alt})
    px, cols = 0.0, 0
    while px < size[0]:
        width = widths[cols] if cols < len(widths) else 8.43
        px += int(width * 7 + 5)
        cols += 1
    last_row = row + -(-size[1] // _DEFAULT_ROW_PX)
    ws.print_area(0, 0, last_row, max(cols, len(widths)) - 1)


def _mio_axis(name: str) -> dict[str, Any]:
    """A value axis in millions of kroner ("6,0 mio." in Danish Excel), with its title."""
    return {"num_format": MIO_AXIS_FORMAT, "name": name, "major_gridlines": {"visible": True}}


def _year_sheet(wb: Any, fmts: dict[str, Any], result: Breakdowns) -> None:
    ws = wb.add_worksheet("Årstabel")
    ws.write_string(0, 0, f"{result.validation.pact.name}: ansøgninger og udmøntning pr. år", fmts["title"])
    yt = result.years
    columns: list[tuple[str, str]] = [
        ("År", "year"),
        ("Ansøgninger", "int"),
        ("Afslag", "int"),
        ("Tilsagn", "int"),
        ("Afventer", "int"),
        ("Trukket tilbage", "int"),
    ]
    keys = ["year", "applications", "rejected", "granted_projects", "pending", "withdrawn"]
    for key, name in yt.rounds:
        columns.append((name, "kr"))
        keys.append(f"round_{key}")
    columns += [
        ("Støttebeløb i alt", "kr"),
        ("Økonomisk ramme", "kr"),
        ("Udnyttelse", "pct"),
        ("Kumuleret udmøntning", "kr"),
    ]
    keys += ["granted", "framework", "utilisation", "cumulative"]

    def value(row: dict[str, Any], key: str) -> Any:
        v = row.get(key)
        # one ratio, rounded once as the report and the command line round it (half up, whole percent)
        return percent_fraction(whole_percent(v)) if key == "utilisation" and v is not None else v

    rows = [[value(r, k) for k in keys] for r in yt.rows]
    total = [value(yt.total, k) for k in keys]
    last, widths = _table(ws, fmts, 2, columns, rows, "Aarstabel", total)
    if rows:
        chart = wb.add_chart({"type": "column"})
        chart.add_series(
            {
                "name": "Støttebeløb",
                "categories": ["Årstabel", 3, 0, 2 + len(rows), 0],
                "values": ["Årstabel", 3, keys.index("granted"), 2 + len(rows), keys.index("granted")],
            }
        )
        if any(r["framework"] for r in yt.rows):
            chart.add_series(
                {
                    "name": "Økonomisk ramme",
                    "categories": ["Årstabel", 3, 0, 2 + len(rows), 0],
                    "values": ["Årstabel", 3, keys.index("framework"), 2 + len(rows), keys.index("framework")],
                }
            )
        chart.set_title({"name": "Støttebeløb og ramme pr. år"})
        chart.set_y_axis(_mio_axis("mio. kr."))
        chart.set_legend({"position": "bottom"})
        alt = "Søjlediagram over støttebeløb pr. år: " + "; ".join(
            f"{r['year']}: {format_millions(r['granted'] or 0)} mio. kr." for r in yt.rows
        )
        _insert_chart(ws, chart, last + 2, widths, (672, 346), alt)


def _breakdown_sheet(wb: Any, fmts: dict[str, Any], name: str, b: Breakdown, pact_name: str) -> None:
    ws = wb.add_worksheet(name[:31])
    key = b.by[0]
    ws.write_string(0, 0, f"{pact_name}: støtte fordelt på {KEY_LABELS[key].lower()}", fmts["title"])
    if key == "target_group":
        columns = [
            ("Målgruppe", "text"),
            ("Projekter", "int"),
            ("Deltagere (mål)", "int"),
            ("Støttebeløb", "kr"),
            ("Andel af deltagere", "pct"),
        ]
        rows = [
            [r["target_group"], r["projects"], r["participants"], r["granted"], percent_fraction(r["percent"])]
            for r in b.rows
        ]
        t = b.total
        total = ["I alt", t["projects"], t["participants"], t["granted"], percent_fraction(t["percent"])]
        last, _ = _table(ws, fmts, 2, columns, rows, "Maalgrupper", total)
        _sum_note(ws, fmts, last, rows, b.total)
        return
    columns = [
        (KEY_LABELS[key], "wrap" if key == "theme" else "text"),
        ("Antal projekter", "int"),
        ("Støttebeløb", "kr"),
        ("Andel af samlet støtte", "pct"),
    ]
    # the share is the breakdown's rounded percent (largest remainder): the column adds up to 100 %
    rows = [[str(r[key]), r["projects"], r["granted"], percent_fraction(r["percent"])] for r in b.rows]
    total = ["I alt", b.total["projects"], b.total["granted"], percent_fraction(b.total["percent"])]
    last, widths = _table(ws, fmts, 2, columns, rows, "Fordeling_" + key, total)
    last = _sum_note(ws, fmts, last, rows, b.total)
    chart_type = CHARTS.get(key)
    if chart_type and rows:
        chart = wb.add_chart({"type": chart_type})
        series: dict[str, Any] = {
            "name": "Støttebeløb",
            "categories": [ws.name, 3, 0, 2 + len(rows), 0],
            "values": [ws.name, 3, 2, 2 + len(rows), 2],
        }
        if chart_type == "pie":
            # the table's own rounded shares as labels, not Excel's own percentages (which may differ by one)
            series["data_labels"] = {
                "value": True,
                "position": "best_fit",
                "custom": [{"value": format_share(r["percent"])} for r in b.rows],
            }
        chart.add_series(series)
        chart.set_title({"name": f"Støtte fordelt på {KEY_LABELS[key].lower()}"})
        if chart_type == "bar":  # a bar chart's value axis is its x axis
            chart.set_x_axis(_mio_axis("mio. kr."))
            chart.set_y_axis({"reverse": True, "crossing": "max"})  # top to bottom as in the table, axis below
            chart.set_legend({"none": True})
        elif chart_type == "column":
            chart.set_y_axis(_mio_axis("mio. kr."))
            chart.set_legend({"none": True})
        kind = {"pie": "Cirkeldiagram", "bar": "Liggende søjlediagram", "column": "Søjlediagram"}[chart_type]
        alt = f"{kind} over støtte fordelt på {KEY_LABELS[key].lower()}: " + "; ".join(
            f"{r[key]}: {format_millions(r['granted'])} mio. kr. ({format_share(r['percent'])})" for r in b.rows
        )
        _insert_chart(ws, chart, last + 2, widths, (672, 346), alt)


def _sum_note(ws: Any, fmts: dict[str, Any], last: int, rows: list[list[Any]], total: dict[str, Any]) -> int:
    """A note under a table whose projects column adds up to more than its total (a project counted in
    several groups: target groups, partner types); returns the last row used."""
    counted = sum(r[1] or 0 for r in rows)
    if counted <= (total.get("projects") or 0):
        return last
    ws.merge_range(last + 1, 0, last + 1, 3, (
        f"Bemærk: et projekt kan tælle med i flere rækker, så kolonnen Projekter summer til {format_number(counted)}, "
        f"mens I alt er de {format_number(total['projects'])} forskellige projekter."
    ), fmts["note"])  # fmt: skip
    ws.set_row(last + 1, _ROW_HEIGHT * 2)
    return last + 1


def _checks_sheet(wb: Any, fmts: dict[str, Any], result: Breakdowns) -> None:
    ws = wb.add_worksheet("Kontrol")
    ws.write_string(0, 0, "Kontrol: tal der skal stemme", fmts["title"])
    columns = [
        ("Kontrol", "wrap"),
        ("Resultat", "text"),
        ("Forventet", "int"),
        ("Beregnet", "int"),
        ("Kilde", "wrap"),
        ("Beregnet ud fra", "wrap"),
    ]
    rows = [[c.name, c.result, c.expected, c.actual, c.source, c.computed_from] for c in result.checks]
    last, _ = _table(ws, fmts, 2, columns, rows, "Kontrol")
    ws.conditional_format(
        3, 1, last, 1, {"type": "cell", "criteria": "==", "value": '"AFVIGER"', "format": fmts["bad"]}
    )
    ws.conditional_format(3, 1, last, 1, {"type": "cell", "criteria": "==", "value": '"OK"', "format": fmts["good"]})


def _issues_sheet(
    wb: Any,
    fmts: dict[str, Any],
    issues: list[Any],
    out: Path,
    sheet: str,
    title: str,
    table_name: str,
    *,
    file_names: bool = False,
    absolute_links: bool = False,
) -> None:
    """The issues, each with its code's Danish description and a link to its source cell.

    ``file_names``: show each file by its name only (a folder of budgets), else as it was given.
    ``absolute_links``: link to the source files by their full path, else relative to ``out``'s folder.
    """
    ws = wb.add_worksheet(sheet)
    ws.write_string(0, 0, title, fmts["title"])
    columns = [
        ("Alvor", "text"),
        ("Fil", "wrap"),
        ("Ark", "text"),
        ("Celle", "text"),
        ("Kode", "text"),
        ("Beskrivelse", "wrap"),
        ("Besked", "wrap"),
        ("Værdi", "value"),
    ]
    rows = [
        [SEVERITY_DA[i.severity.value], Path(i.file).name if file_names and i.file else i.file, i.sheet, i.cell,
         i.code.value, describe(i.code), i.message, i.value]
        for i in issues
    ]  # fmt: skip
    _table(ws, fmts, 2, columns, rows, table_name)
    for r, issue in enumerate(issues, start=3):
        target = _cell_link(issue, out, absolute=absolute_links)
        if target is not None:
            ws.write_url(r, 3, target, fmts["link"], string=issue.cell, tip="Åbn kildecellen")


def relative_link_path(source: str, folder: str, pathmod: Any = os.path) -> str:
    """``source`` relative to ``folder``, with forward slashes (as Excel stores links on every system).

    ``pathmod`` is :mod:`os.path` (or :mod:`ntpath`/:mod:`posixpath`, to test the other system's rules).
    On Windows a file on another drive has no relative path: it is given in full, with forward slashes
    (the workbook stores it as a ``file:///`` URL).
    """
    try:
        rel = pathmod.relpath(source, folder)
    except ValueError:  # another drive on Windows
        return source.replace("\\", "/")
    return rel.replace("\\", "/") if pathmod.sep == "\\" else rel


def finish_package(path: Path) -> None:
    """Two fixes xlsxwriter cannot make, in the written workbook at ``path`` (in place; nothing else changes).

    * Links to other files with forward slashes (``../data/oversigt.xlsx``): xlsxwriter stores them with
      backslashes (``..\\data\\oversigt.xlsx``), which only Excel on Windows follows; forward slashes
      work in Excel on every system and in LibreOffice.
    * Charts in Danish: xlsxwriter writes every chart's language as en-US (``<c:lang>`` and each text
      run), so Excel would check and hyphenate their Danish titles as English.
    """
    with zipfile.ZipFile(path) as z:
        parts = [(info, z.read(info)) for info in z.infolist()]

    def fix(m: re.Match[bytes]) -> bytes:
        return b'Target="' + m.group(1).replace(b"\\", b"/") + b'"' + m.group(2)

    def fixed_part(name: str, data: bytes) -> bytes:
        if name.startswith("xl/worksheets/_rels/"):
            return _EXTERNAL_TARGET.sub(fix, data)
        if name.startswith("xl/charts/chart"):
            return data.replace(b'<c:lang val="en-US"/>', b'<c:lang val="da-DK"/>').replace(
                b'lang="en-US"', b'lang="da-DK"'
            )
        return data

    fixed = [(info, fixed_part(info.filename, data)) for info, data in parts]
    if fixed == parts:
        return
    with zipfile.ZipFile(path, "w") as z:
        for info, data in fixed:
            z.writestr(info, data)


def _cell_link(issue: Any, out: Path, *, absolute: bool = False) -> str | None:
    """An ``external:`` link to the issue's cell, relative to the output's folder (``absolute``: the source's
    full path, which still works when the workbook is mailed or moved); ``None`` when there is none.

    The path has forward slashes; the sheet name is quoted as Excel does (``'Kim''s ark'``); ``#`` and
    ``%`` in the file name are percent-encoded, because the first ``#`` starts the location in the sheet.
    """
    if not (issue.file and issue.sheet and issue.cell and Path(issue.file).exists()):
        return None
    source = str(Path(issue.file).resolve())
    rel = source.replace("\\", "/") if absolute else relative_link_path(source, str(Path(out).resolve().parent))
    rel = rel.replace("%", "%25").replace("#", "%23")
    sheet = issue.sheet.replace("'", "''")
    target = f"external:{rel}#'{sheet}'!{issue.cell}"
    return target if len(target) < 2000 else None


#: The status of each budget in the budget overview.
BUDGET_STATUS = {"ok": "OK", "warning": "Advarsler", "error": "Fejl", "unreadable": "Kan ikke læses"}


def budget_statuses(records: list[Any], issues: list[Any]) -> tuple[list[str], list[str]]:
    """Each record's status (:data:`BUDGET_STATUS`), and the files that could not be read as budgets at all.

    A budget with an error is "Fejl", with only warnings "Advarsler"; a file that is no budget form or
    no workbook is "Kan ikke læses" — never the same as a budget that is blank.
    """
    worst: dict[str, str] = {}
    unreadable: list[str] = []
    for i in issues:
        if i.file is None:
            continue
        if i.code.value in _FATAL_BUDGET_CODES:
            if i.file not in unreadable:
                unreadable.append(i.file)
        elif i.severity.value == "error":
            worst[i.file] = "error"
        elif i.severity.value == "warning":
            worst.setdefault(i.file, "warning")
    return [BUDGET_STATUS[worst.get(r.file, "ok")] for r in records], unreadable


#: The budget overview's two sheets, (header, kind, column of :func:`pagt_xl.core.budget.budget_table`): one
#: A4 page wide each at a legible size (17 columns on one sheet printed at 5-6 pt). ``None``: the status.
BUDGET_SHEETS: dict[str, list[tuple[str, str, str | None]]] = {
    "Budgetter": [
        ("Fil", "wrap", "file"), ("Status", "text", None), ("Sagsnr.", "text", "case_id"),
        ("Projekttitel", "wrap", "title"), ("Udgifter i alt", "kr", "total_cost"),
        ("Ansøgt fra puljen", "kr", "sought"), ("Bevilget", "kr", "granted"), ("Forbrugt", "kr", "spent"),
        ("Forbrugt andel", "pct", "spent_share"),
    ],
    "Finansiering": [
        ("Fil", "wrap", "file"), ("Sagsnr.", "text", "case_id"), ("Tovholder", "wrap", "applicant"),
        ("År", "year", "year"), ("Start", "date", "start"), ("Slut", "date", "end"),
        ("Angivet total", "kr", "stated_total"), ("Egenfinansiering", "kr", "own"),
        ("Partnerfinansiering", "kr", "partner"), ("Medfinansiering", "pct", "cofinancing_share"),
    ],
}  # fmt: skip


def write_budget_workbook(
    records: list[Any], issues: list[Any], path: Path, *, pact: Any = None, absolute_links: bool = False
) -> None:
    """The budget overview: "Budgetter" (one row per file, a status, a totals row), "Finansiering" (period and
    co-financing), "Kategorier" and "Fejl".

    Every file given is a row: a budget's status is OK, Advarsler or Fejl; a file that could not be read
    as a budget is "Kan ikke læses". ``pact`` orders the categories as its ``[budgets]`` does;
    ``None``: the common order. ``absolute_links``: the Fejl sheet links to the budgets by their full path
    (the workbook can be mailed within the organisation) instead of relative to the output's folder.
    Written atomically, printed like the breakdown workbook.
    """
    from pagt_xl.core.budget import budget_table, spending_by_category

    def write(tmp: Path) -> None:
        wb, fmts = _new_workbook(tmp)
        table = budget_table(records)
        statuses, unreadable = budget_statuses(records, issues)
        totals = _budget_totals(records)
        for sheet, spec in BUDGET_SHEETS.items():
            ws = wb.add_worksheet(sheet)
            title = "Projektbudgetter (samlet)" if sheet == "Budgetter" else "Projektperiode og finansiering"
            ws.write_string(0, 0, title, fmts["title"])
            columns = [(h, kind) for h, kind, _ in spec]
            rows = []
            for rec, status in zip(table.to_dict("records"), statuses, strict=True):
                rows.append([status if key is None else _budget_cell(rec, key) for _, _, key in spec])
            rows += [[Path(f).name, *([BUDGET_STATUS["unreadable"]] if spec[1][2] is None else [None]),
                      *[None] * (len(spec) - 2)] for f in unreadable]  # fmt: skip
            rows.sort(key=lambda r: danish_sort_key(r[0]))
            total = [totals.get(key) for _, _, key in spec]
            total[0] = "I alt"
            if spec[1][2] is None:
                total[1] = f"{format_number(len(records))} budgetter"
            last, _ = _table(ws, fmts, 2, columns, rows, sheet, total)
            if spec[1][2] is None:
                for text, f in ((BUDGET_STATUS["error"], "bad"), (BUDGET_STATUS["unreadable"], "bad"),
                                (BUDGET_STATUS["warning"], "warn"), (BUDGET_STATUS["ok"], "good")):  # fmt: skip
                    ws.conditional_format(3, 1, last - 1, 1, {"type": "cell", "criteria": "==",
                                                              "value": f'"{text}"', "format": fmts[f]})  # fmt: skip
        ws2 = wb.add_worksheet("Kategorier")
        ws2.write_string(0, 0, "Budget og forbrug pr. kategori", fmts["title"])
        cats = spending_by_category(records, pact)
        cat_rows = [[k, v["budget"], v["spent"]] for k, v in cats.items()]
        cat_total = ["I alt", sum(v["budget"] for v in cats.values()), sum(v["spent"] for v in cats.values())]
        _table(ws2, fmts, 2, [("Kategori", "text"), ("Budget", "kr"), ("Forbrugt", "kr")], cat_rows, "Kategorier",
               cat_total if cat_rows else None)  # fmt: skip
        _budget_lines_sheet(wb, fmts, records)
        _issues_sheet(wb, fmts, issues, Path(path), "Fejl", "Fejl og advarsler i budgetterne", "Budgetfejl",
                      file_names=True, absolute_links=absolute_links)  # fmt: skip
        wb.close()
        finish_package(tmp)

    atomic_write(Path(path), write)


def _budget_lines_sheet(wb: Any, fmts: dict[str, Any], records: list[Any]) -> None:
    """"Linjer": budget against actuals per cost line (issue 25), with what is left of each line's budget."""
    from pagt_xl.core.budget import budget_lines

    ws = wb.add_worksheet("Linjer")
    ws.write_string(0, 0, "Budget mod forbrug pr. budgetlinje", fmts["title"])
    columns = [("Fil", "wrap"), ("Sagsnr.", "text"), ("Række", "int"), ("Kategori", "text"), ("Beskrivelse", "wrap"),
               ("Budget", "kr"), ("Forbrugt", "kr"), ("Rest af budget", "kr"), ("Forbrugt andel", "pct")]  # fmt: skip
    table = budget_lines(records)
    rows = [[Path(r.file).name, r.case_id, r.row, r.category, safe_text(r.description), r.budget, r.spent,
             r.remaining, None if r.spent_share is None or r.spent_share != r.spent_share else r.spent_share]
            for r in table.itertuples(index=False)]  # fmt: skip
    total = ["I alt", None, None, None, None, int(table["budget"].sum()), int(table["spent"].sum()),
             int(table["remaining"].sum()), None] if rows else None  # fmt: skip
    _table(ws, fmts, 2, columns, rows, "Linjer", total)


def _budget_cell(rec: dict[str, Any], key: str) -> Any:
    """A budget table value as a cell: the file by its name, dates as datetimes, a missing value blank."""
    v = rec[key]
    if v is None or (isinstance(v, float) and v != v) or v is pd.NA:
        return None
    if key == "file":
        return Path(v).name
    if key in ("start", "end"):
        return dt.datetime(v.year, v.month, v.day)
    return v


def _budget_totals(records: list[Any]) -> dict[str, Any]:
    """The totals of the budget overview: sums of the amounts, the shares of those sums."""

    def total(attr: str) -> int:
        return sum(v for r in records if (v := getattr(r, attr)) is not None)

    cost, granted, spent = total("total_cost"), total("granted"), total("spent")
    cofinancing = sum(r.cofinancing for r in records)
    return {
        "total_cost": cost, "stated_total": total("stated_total"), "sought": total("sought"), "own": total("own"),
        "partner": total("partner"), "cofinancing_share": cofinancing / cost if cost else None, "granted": granted,
        "spent": spent, "spent_share": spent / granted if granted else None,
    }  # fmt: skip


# -- goal follow-up (issue 17) -----------------------------------------------------
def write_goals_workbook(result: FollowUp, issues: list[Any], path: Path, *, absolute_links: bool = False) -> None:
    """The goal follow-up on its own: a "Målopfølgning" sheet with a chart per indicator and a "Fejl" sheet
    (written atomically; ``absolute_links`` as for :func:`write_breakdown_workbook`)."""
    atomic_write(Path(path), lambda tmp: _write_goals(result, issues, tmp, Path(path), absolute_links))


def _write_goals(result: FollowUp, issues: list[Any], path: Path, out: Path, absolute_links: bool) -> None:
    wb, fmts = _new_workbook(path)
    goals_sheet(wb, fmts, result)
    _issues_sheet(wb, fmts, issues, out, "Fejl", "Fejl og advarsler i målopfølgningen", "Fejl",
                  absolute_links=absolute_links)  # fmt: skip
    wb.close()
    finish_package(path)


def goals_sheet(wb: Any, fmts: dict[str, Any], result: FollowUp) -> None:
    """A "Målopfølgning" sheet: each indicator year against the path to the target, then each activity goal per year."""
    from pagt_xl.core.goals import activity_target_text

    ws = wb.add_worksheet("Målopfølgning")
    until = f" til og med {result.year}" if result.year is not None else ""
    ws.write_string(0, 0, f"Målopfølgning{until} (basisår = indeks 100)", fmts["title"])
    cols = [
        ("Indikator", "text"), ("År", "year"), ("Antal", "int"), ("Indeks", "dec"), ("Sti (indeks)", "dec"),
        ("Sti (antal)", "int"), ("Status", "text"), ("Afvigelse (indekspoint)", "dec"), ("Afvigelse (%)", "dec"),
        ("Nødvendig stigning pr. år", "int"), ("Kilde", "wrap"),
    ]  # fmt: skip
    rows = [
        [ind.name, y.year, y.value, y.index, y.path_index, y.path_value, "på sporet" if y.on_track else "bagud",
         y.gap_points, y.gap_percent, y.needed_per_year, safe_text(y.data_source)]
        for ind in result.indicators for y in ind.years
    ]  # fmt: skip
    last = 1
    acols = [
        ("Indsatsområde", "text"), ("Aktivitet", "text"), ("År", "year"), ("Udført", "int"), ("Mål pr. år", "text"),
        ("Nået", "text"), ("Aktiviteter", "wrap"),
    ]  # fmt: skip
    arows = [
        [act.area, act.kind, a.year, a.done, activity_target_text(a),
         ("ja" if a.met else "nej") if a.has_target else "–", safe_text("; ".join(a.activities))]
        for act in result.activities for a in act.years
    ]  # fmt: skip
    widths: list[float] = []
    if result.indicators:
        last, widths = _table(ws, fmts, 2, cols, rows, "Indikatorer")
    if result.activities:
        first = last + 3 if result.indicators else 2
        ws.write_string(first - 1, 0, "Handlingsplanens aktivitetsmål", fmts["title"])
        last, awidths = _table(ws, fmts, first, acols, arows, "Aktivitetsmaal")
        widths = [max(a, b) for a, b in zip(widths, awidths, strict=False)] or awidths
    if not result.indicators and not result.activities:
        ws.write_string(2, 0, "Pagten har ingen mål i sin konfiguration.")
    _goal_charts(wb, ws, result, last + 2, widths)


def _goal_charts(wb: Any, ws: Any, result: FollowUp, row: int, widths: list[float]) -> None:
    """A line chart per indicator below the tables: its index against the path to the target, by year.

    The series point into the "Indikatorer" Table (header on row 3): one indicator's years are consecutive.
    """
    first = 3
    for ind in result.indicators:
        n = len(ind.years)
        if n == 0:
            continue
        chart = wb.add_chart({"type": "line"})
        for name, col in (("Indeks", 3), ("Sti mod målet (indeks)", 4)):
            chart.add_series({
                "name": name,
                "categories": [ws.name, first, 1, first + n - 1, 1],
                "values": [ws.name, first, col, first + n - 1, col],
                "marker": {"type": "circle"} if col == 3 else {"type": "none"},
                "line": {"dash_type": "dash"} if col == 4 else {},
            })  # fmt: skip
        chart.set_title({"name": ind.name})
        chart.set_y_axis({"name": "Indeks (basisår = 100)", "num_format": "0", "major_gridlines": {"visible": True}})
        chart.set_x_axis({"name": "År"})
        chart.set_legend({"position": "bottom"})
        latest = ind.years[-1]
        alt = (
            f"Linjediagram for {ind.name}: indeks pr. år mod stien til målet. Senest {latest.year}: indeks "
            f"{format_decimal(latest.index, 1)} mod stiens {format_decimal(latest.path_index, 1)}, "
            + ("på sporet." if latest.on_track else "bagud.")
        )
        _insert_chart(ws, chart, row, widths, (672, 346), alt)
        row += -(-346 // _DEFAULT_ROW_PX) + 2
        first += n


# -- the commitment ledger (issue 25) ------------------------------------------------------------------
#: Danish labels of a grant's status in the ledger tables
_STATUS_DA = {"ongoing": "Igangværende", "finished": "Afsluttet", "not_started": "Ikke startet"}
LEDGER_SHEET = "Udbetalinger"


def ledger_sheet(wb: Any, fmts: dict[str, Any], ledger: Ledger) -> None:
    """An "Udbetalinger" sheet: each grant's money (granted, paid, held back, owed, repaid, reduced, final),
    then each year's commitments, payments, returned money and remaining framework."""
    from pagt_xl.core.ledger import account_rows, year_rows

    ws = wb.add_worksheet(LEDGER_SHEET)
    share = ledger.pact.payments.held_back_share
    held = f"; {whole_percent(share)} % holdes tilbage til slutrapporten er godkendt" if share else ""
    ws.write_string(0, 0, f"{ledger.pact.name}: udbetalt og tilbageført pr. bevilling (kr.{held})", fmts["title"])
    columns = [
        ("Sagsnr.", "text"), ("Projekt", "wrap"), ("År", "year"), ("Status", "text"), ("Bevilget", "kr"),
        ("Udbetalt", "kr"), ("Tilbageholdt", "kr"), ("Mangler at blive udbetalt", "kr"), ("Tilbagebetalt", "kr"),
        ("Nedsat/bortfaldet", "kr"), ("Endeligt beløb", "kr"), ("Slutrapport godkendt", "text"),
    ]  # fmt: skip
    keys = ["granted", "paid", "held_back", "owed", "repaid", "reduced", "final"]
    rows = []
    for r in account_rows(ledger):
        report = {"nej": "nej", None: ""}.get(r["final_report"], r["final_report"])
        if report and report not in ("ja", "nej"):
            report = dt.date.fromisoformat(report).strftime("%d-%m-%Y")
        rows.append([r["case_id"], r["title"], r["year"], _STATUS_DA.get(r["status"] or "", r["status"]),
                     *[r[k] for k in keys], report])  # fmt: skip
    total = ["I alt", f"{format_number(len(rows))} bevillinger", None, None,
             *[sum(r[4 + k] for r in rows) for k in range(len(keys))], None]  # fmt: skip
    last, _ = _table(ws, fmts, 2, columns, rows, "Udbetalinger", total if rows else None)
    first = last + 3
    ws.write_string(first - 1, 0, "Pr. år: tilsagn, udbetalinger, tilbageførte midler og restramme (kr.)",
                    fmts["title"])  # fmt: skip
    ycols = [("År", "year"), ("Økonomisk ramme", "kr"), ("Tilsagn", "kr"), ("Udbetalt", "kr"),
             ("Tilbagebetalt", "kr"), ("Nedsat/bortfaldet", "kr"), ("Tilbageført i alt", "kr"),
             ("Restramme", "kr")]  # fmt: skip
    yrows = [[y["year"], y["framework"], y["commitments"], y["payments"], y["repaid"], y["reduced"], y["returned"],
              y["remaining"]] for y in year_rows(ledger)]  # fmt: skip
    body, ytotal = yrows[:-1], yrows[-1]
    ytotal[0] = "I alt"
    last, _ = _table(ws, fmts, first, ycols, body, "Udbetalinger_aar", ytotal)
    ws.write_string(last + 2, 0, "Restramme = økonomisk ramme − tilsagn + tilbageførte midler (tilbagebetalt, "
                    "nedsat eller bortfaldet, i det år pengene kom tilbage).", fmts["note"])  # fmt: skip


def write_ledger_workbook(ledger: Ledger, entries: list[LedgerEntry], issues: list[Any], path: Path, *,
                          absolute_links: bool = False) -> None:  # fmt: skip
    """The commitment ledger on its own: "Udbetalinger" (grants and years), "Posteringer" (every entry read,
    with its source row) and "Fejl" (written atomically; ``absolute_links`` as for the breakdown workbook)."""
    from pagt_xl.core.ledger import KIND_LABELS

    def write(tmp: Path) -> None:
        wb, fmts = _new_workbook(tmp)
        ledger_sheet(wb, fmts, ledger)
        ws = wb.add_worksheet("Posteringer")
        ws.write_string(0, 0, "Posteringerne, som de er læst", fmts["title"])
        columns = [("Sagsnr.", "text"), ("Dato", "date"), ("Type", "text"), ("Beløb", "kr"), ("Note", "wrap"),
                   ("Fil", "wrap"), ("Ark", "text"), ("Række", "int")]  # fmt: skip
        rows = [[e.case_id, dt.datetime(e.date.year, e.date.month, e.date.day), KIND_LABELS[e.kind], e.amount,
                 safe_text(e.note), Path(e.file).name, e.sheet, e.row]
                for e in sorted(entries, key=lambda e: (e.date, e.case_id, e.row))]  # fmt: skip
        _table(ws, fmts, 2, columns, rows, "Posteringer")
        _issues_sheet(wb, fmts, issues, Path(path), "Fejl", "Fejl og advarsler i udbetalingerne", "Fejl",
                      file_names=True, absolute_links=absolute_links)  # fmt: skip
        wb.close()
        finish_package(tmp)

    atomic_write(Path(path), write)


_EXTERNAL_TARGET = re.compile(rb'Target="([^"]*)"(\s+TargetMode="External")')


_FATAL_BUDGET_CODES = ("file_unreadable", "budget_form_not_found")


# -- open data: 360Giving (issue 25) ----------------------------------------------------------------------------
def write_giving_files(data: Any, folder: Path, stem: str) -> list[Path]:
    """The 360Giving package as ``stem.json`` and as the standard's spreadsheet ``stem.xlsx`` (sheet "grants",
    the standard's column titles) in ``folder``, each written atomically; returns both paths."""
    import json

    from pagt_xl.core.opendata import giving_rows

    folder.mkdir(parents=True, exist_ok=True)
    json_path, xlsx_path = folder / f"{stem}.json", folder / f"{stem}.xlsx"
    text = json.dumps(data.package, ensure_ascii=False, indent=2) + "\n"
    atomic_write(json_path, lambda tmp: tmp.write_text(text, encoding="utf-8"))
    rows = giving_rows(data)

    def write(tmp: Path) -> None:
        wb = xlsxwriter.Workbook(
            str(tmp), {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}
        )
        bold = wb.add_format({"bold": True})
        ws = wb.add_worksheet("grants")
        for j, title in enumerate(rows[0]):
            ws.write_string(0, j, title, bold)
            ws.set_column(j, j, max(12, min(40, len(title) + 2)))
        for i, row in enumerate(rows[1:], start=1):
            for j, value in enumerate(row):
                if value is None:
                    continue
                if isinstance(value, bool) or not isinstance(value, int | float):
                    ws.write_string(i, j, str(value))
                else:
                    ws.write_number(i, j, value)
        ws.freeze_panes(1, 0)
        wb.close()

    atomic_write(xlsx_path, write)
    return [json_path, xlsx_path]
