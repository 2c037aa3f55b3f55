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

import xlsxwriter

from pagt_xl.base.danish import danish_sort_key, format_amount, format_number, format_share
from pagt_xl.base.figures import percent_fraction, whole_percent
from pagt_xl.base.issue_texts import describe
from pagt_xl.core.breakdown import KEY_LABELS, Breakdown
from pagt_xl.core.goals import FollowUp
from pagt_xl.core.results import Breakdowns
from pagt_xl.outputs.files import SEVERITY_DA, atomic_write, blank_cell, safe_text

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


def write_breakdown_workbook(result: Breakdowns, path: Path, *, goals: FollowUp | None = None) -> None:
    """Write the breakdown workbook: year table, one sheet per breakdown, Kontrol, Målopfølgning and Fejl.

    Every sheet prints on A4 landscape, one page wide, with the table's header row repeated; chart
    value axes are in millions; columns are as wide as their longest formatted value; shares are
    the breakdown's rounded ``percent`` (:mod:`pagt_xl.base.figures`), so the workbook shows the figures
    the report and the command line show. ``goals``: the goal follow-up, written as a
    "Målopfølgning" sheet; ``None``: no such sheet.
    """
    atomic_write(Path(path), lambda tmp: _write(result, tmp, Path(path), goals))


def _new_workbook(path: Path) -> tuple[Any, dict[str, Any]]:
    """A workbook that stores input text as text (never formulas, links or numbers), and our cell formats.

    The formats are keyed by the kinds of :func:`_table`'s columns, plus title and OK/warning/error fills.
    """
    wb = xlsxwriter.Workbook(
        str(path), {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}
    )
    fmts = {
        "kr": wb.add_format({"num_format": KR_FORMAT}),
        "pct": wb.add_format({"num_format": PCT_FORMAT}),
        "int": wb.add_format({"num_format": "#,##0"}),
        "dec": wb.add_format({"num_format": "0.0"}),
        "date": wb.add_format({"num_format": "dd-mm-yyyy"}),
        "wrap": wb.add_format({"text_wrap": True, "valign": "top"}),
        "year": None,
        "text": None,
        "title": wb.add_format({"bold": True, "font_size": 14}),
        "bad": wb.add_format({"font_color": "#9C0006", "bg_color": "#FFC7CE"}),
        "good": wb.add_format({"font_color": "#006100", "bg_color": "#C6EFCE"}),
        "warn": wb.add_format({"font_color": "#9C5700", "bg_color": "#FFEB9C"}),
    }
    return wb, fmts


def _write(result: Breakdowns, path: Path, out: Path, goals: FollowUp | None = None) -> None:
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
    _issues_sheet(wb, fmts, result.validation.issues, out, "Fejl", "Fejl og advarsler i kildedata", "Fejl")
    wb.close()
    forward_slash_links(path)


#: Widest a column gets (characters); longer text wraps (``wrap`` columns) or runs over.
MAX_WIDTH = 60


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
    """Width (characters) for a column: its longest formatted value or its header with the filter button."""
    longest = max((len(display_text(v, kind)) for v in values), default=0)
    width = max(len(header) + 4, longest + 2, 8)
    return min(width, MAX_WIDTH)


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
    the header row repeated. Returns the last row index and the column widths.
    """
    last_row = first_row + max(len(rows), 1) + (1 if total else 0)
    for i, row in enumerate(rows, start=first_row + 1):
        _write_row(ws, i, row, columns, fmts)
    if total:
        _write_row(ws, first_row + len(rows) + 1, total, columns, fmts)
    ws.add_table(
        first_row,
        0,
        last_row if rows or total else first_row + 1,
        len(columns) - 1,
        {
            "name": name,
            "columns": [{"header": h} for h, _ in columns],
            "style": "Table Style Medium 2",
            "autofilter": True,
        },
    )
    widths = []
    for j, (header, kind) in enumerate(columns):
        width = column_width(header, [r[j] for r in [*rows, *([total] if total else [])]], kind)
        ws.set_column(j, j, width)
        widths.append(width)
    wrapped = [j for j, (_, kind) in enumerate(columns) if kind == "wrap"]
    for i, row in enumerate([*rows, *([total] if total else [])], start=first_row + 1):
        # a row as tall as its most wrapped cell: LibreOffice does not grow rows of wrapped text itself
        lines = max((wrapped_lines(row[j], widths[j]) for j in wrapped), default=1)
        if lines > 1:
            ws.set_row(i, _ROW_HEIGHT * lines)
    ws.freeze_panes(first_row + 1, 0)
    _print_setup(ws, first_row)
    return last_row, widths


def _print_setup(ws: Any, header_row: int) -> None:
    """A4 landscape, one page wide (as many pages down as needed), the header row on every page, page numbers."""
    ws.set_paper(PAPER_A4)
    ws.set_landscape()
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(header_row)
    ws.set_margins(left=0.5, right=0.5, top=0.75, bottom=0.75)
    ws.set_footer("&L&A&RSide &P af &N")


def _write_row(ws: Any, i: int, row: list[Any], columns: list[tuple[str, str]], fmts: dict[str, Any]) -> None:
    for j, value in enumerate(row):
        kind = columns[j][1]
        f = fmts[kind]
        if value is None:
            ws.write_blank(i, j, None, f)
        elif kind == "date":
            ws.write_datetime(i, j, value, f)
        elif kind in ("text", "wrap") or isinstance(value, str):
            ws.write_string(i, j, str(value), f)
        else:
            ws.write_number(i, j, value, f)


def _insert_chart(ws: Any, chart: Any, row: int, widths: list[float], size: tuple[int, int]) -> None:
    """Put ``chart`` (``size`` in pixels) below the table at ``row`` and print it with the table, never cut.

    The print area runs to the chart's last row and column, so LibreOffice (which prints the used cells)
    prints the whole chart too, on the same page width as the table.
    """
    ws.insert_chart(row, 0, chart, {"x_scale": size[0] / 480, "y_scale": size[1] / 288})
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
    ]
    keys = ["year", "applications", "rejected", "granted_projects", "pending"]
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
        _insert_chart(ws, chart, last + 2, widths, (672, 346))


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
        _table(ws, fmts, 2, columns, rows, "Maalgrupper", total)
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
        _insert_chart(ws, chart, last + 2, widths, (672, 346))


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
        ("Kode", "text"),
    ]
    # each check by its Danish line; its code (the issue code it fails with) in the last column
    rows = [[c.name, c.result, c.expected, c.actual, c.source, c.computed_from, c.code.value] for c in result.checks]
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
) -> None:
    """The issues, each with its code's Danish description and a link to its source cell.

    ``file_names``: show each file by its name only (a folder of budgets), else as it was given.
    """
    ws = wb.add_worksheet(sheet)
    ws.write_string(0, 0, title, fmts["title"])
    columns = [
        ("Alvor", "text"),
        ("Fil", "text"),
        ("Ark", "text"),
        ("Celle", "text"),
        ("Kode", "text"),
        ("Beskrivelse", "wrap"),
        ("Besked", "wrap"),
        ("Værdi", "wrap"),
    ]
    rows = [
        [SEVERITY_DA[i.severity.value], Path(i.file).name if file_names and i.file else i.file, i.sheet, i.cell,
         i.code.value, describe(i.code), i.message, i.value]
        for i in issues
    ]  # fmt: skip
    _table(ws, fmts, 2, columns, rows, table_name)
    for r, issue in enumerate(issues, start=3):
        target = _cell_link(issue, out)
        if target is not None:
            ws.write_url(r, 3, target, string=issue.cell, tip="Åbn kildecellen")


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


def forward_slash_links(path: Path) -> None:
    """Store the workbook's links to other files with forward slashes (``../data/oversigt.xlsx``).

    xlsxwriter stores them with backslashes (``..\\data\\oversigt.xlsx``), which only Excel on Windows
    follows; forward slashes work in Excel on every system and in LibreOffice. Rewrites the sheets'
    relationship parts of the workbook at ``path`` in place; nothing else changes.
    """
    with zipfile.ZipFile(path) as z:
        parts = [(info, z.read(info)) for info in z.infolist()]

    def fix(m: re.Match[bytes]) -> bytes:
        return b'Target="' + m.group(1).replace(b"\\", b"/") + b'"' + m.group(2)

    fixed = [
        (info, _EXTERNAL_TARGET.sub(fix, data) if info.filename.startswith("xl/worksheets/_rels/") else data)
        for info, data in parts
    ]
    if fixed == parts:
        return
    with zipfile.ZipFile(path, "w") as z:
        for info, data in fixed:
            z.writestr(info, data)


def _cell_link(issue: Any, out: Path) -> str | None:
    """An ``external:`` link to the issue's cell, relative to the output's folder; ``None`` when there is none.

    The path has forward slashes; the sheet name is quoted as Excel does (``'Kim''s ark'``); ``#`` and
    ``%`` in the file name are percent-encoded, because the first ``#`` starts the location in the sheet.
    """
    if not (issue.file and issue.sheet and issue.cell and Path(issue.file).exists()):
        return None
    rel = relative_link_path(str(Path(issue.file).resolve()), str(Path(out).resolve().parent))
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


def write_budget_workbook(records: list[Any], issues: list[Any], path: Path, *, pact: Any = None) -> None:
    """The budget overview: "Budgetter" (one row per file, a status, a totals row), "Kategorier" and "Fejl".

    Every file given is a row: a budget's status is OK, Advarsler or Fejl; a file that could not be read
    as a budget is "Kan ikke læses". ``pact`` orders the categories as its ``[budgets]`` does;
    ``None``: the common order. Written atomically, printed like the breakdown workbook.
    """
    from pagt_xl.core.budget import budget_table, spending_by_category

    def write(tmp: Path) -> None:
        wb, fmts = _new_workbook(tmp)
        ws = wb.add_worksheet("Budgetter")
        ws.write_string(0, 0, "Projektbudgetter (samlet)", fmts["title"])
        table = budget_table(records)
        columns = [
            ("Fil", "text"), ("Status", "text"), ("Sagsnr.", "text"), ("Projekttitel", "wrap"),
            ("Tovholder", "text"), ("År", "year"), ("Start", "date"), ("Slut", "date"),
            ("Udgifter i alt", "kr"), ("Angivet total", "kr"), ("Ansøgt fra puljen", "kr"),
            ("Egenfinansiering", "kr"), ("Partnerfinansiering", "kr"), ("Medfinansiering", "pct"),
            ("Bevilget", "kr"), ("Forbrugt", "kr"), ("Forbrugt andel", "pct"),
        ]  # fmt: skip
        statuses, unreadable = budget_statuses(records, issues)
        rows = []
        for rec, status in zip(table.itertuples(index=False), statuses, strict=True):
            values = [None if blank_cell(v) else v for v in rec]
            values[0] = Path(values[0]).name
            for j in (5, 6):
                if values[j] is not None:
                    values[j] = dt.datetime(values[j].year, values[j].month, values[j].day)
            rows.append([values[0], status, *values[1:]])
        rows += [[Path(f).name, BUDGET_STATUS["unreadable"], *[None] * (len(columns) - 2)] for f in unreadable]
        rows.sort(key=lambda r: danish_sort_key(r[0]))
        total = _budget_total(records, len(columns))
        last, _ = _table(ws, fmts, 2, columns, rows, "Budgetter", total)
        for text, f in ((BUDGET_STATUS["error"], "bad"), (BUDGET_STATUS["unreadable"], "bad"),
                        (BUDGET_STATUS["warning"], "warn"), (BUDGET_STATUS["ok"], "good")):  # fmt: skip
            ws.conditional_format(3, 1, last, 1, {"type": "cell", "criteria": "==", "value": f'"{text}"',
                                                  "format": fmts[f]})  # fmt: skip
        ws2 = wb.add_worksheet("Kategorier")
        ws2.write_string(0, 0, "Budget og forbrug pr. kategori", fmts["title"])
        cats = spending_by_category(records, pact)
        cat_rows = [[k, v["budget"], v["spent"]] for k, v in cats.items()]
        cat_total = ["I alt", sum(v["budget"] for v in cats.values()), sum(v["spent"] for v in cats.values())]
        _table(ws2, fmts, 2, [("Kategori", "text"), ("Budget", "kr"), ("Forbrugt", "kr")], cat_rows, "Kategorier",
               cat_total if cat_rows else None)  # fmt: skip
        _issues_sheet(
            wb, fmts, issues, Path(path), "Fejl", "Fejl og advarsler i budgetterne", "Budgetfejl", file_names=True
        )
        wb.close()
        forward_slash_links(tmp)

    atomic_write(Path(path), write)


def _budget_total(records: list[Any], width: int) -> list[Any]:
    """The totals row of the budget overview: sums of the amounts, the shares of those sums."""

    def total(attr: str) -> int:
        return sum(v for r in records if (v := getattr(r, attr)) is not None)

    cost, granted, spent = total("total_cost"), total("granted"), total("spent")
    cofinancing = sum(r.cofinancing for r in records)
    row: list[Any] = [None] * width
    row[0] = "I alt"
    row[1] = f"{len(records)} budgetter"
    row[8:17] = [
        cost, total("stated_total"), total("sought"), total("own"), total("partner"),
        cofinancing / cost if cost else None, granted, spent, spent / granted if granted else None,
    ]  # fmt: skip
    return row


# -- goal follow-up (issue 17) -----------------------------------------------------
def write_goals_workbook(result: FollowUp, issues: list[Any], path: Path) -> None:
    """The goal follow-up on its own: a "Målopfølgning" sheet and a "Fejl" sheet (written atomically)."""
    atomic_write(Path(path), lambda tmp: _write_goals(result, issues, tmp, Path(path)))


def _write_goals(result: FollowUp, issues: list[Any], path: Path, out: Path) -> None:
    wb, fmts = _new_workbook(path)
    goals_sheet(wb, fmts, result)
    _issues_sheet(wb, fmts, issues, out, "Fejl", "Fejl og advarsler i målopfølgningen", "Fejl")
    wb.close()
    forward_slash_links(path)


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
    if result.indicators:
        last, _ = _table(ws, fmts, 2, cols, rows, "Indikatorer")
    acols = [
        ("Indsatsområde", "text"), ("Aktivitet", "text"), ("År", "year"), ("Udført", "int"), ("Mål pr. år", "text"),
        ("Nået", "text"), ("Aktiviteter", "wrap"),
    ]  # fmt: skip
    arows = [
        [act.area, act.kind, a.year, a.done, activity_target_text(a), "ja" if a.met else "nej",
         safe_text("; ".join(a.activities))]
        for act in result.activities for a in act.years
    ]  # fmt: skip
    if result.activities:
        first = last + 3 if result.indicators else 2
        ws.write_string(first - 1, 0, "Handlingsplanens aktivitetsmål", fmts["title"])
        _table(ws, fmts, first, acols, arows, "Aktivitetsmaal")
    if not result.indicators and not result.activities:
        ws.write_string(2, 0, "Pagten har ingen mål i sin konfiguration.")


_EXTERNAL_TARGET = re.compile(rb'Target="([^"]*)"(\s+TargetMode="External")')


_FATAL_BUDGET_CODES = ("file_unreadable", "budget_form_not_found")
