"""Output files: the breakdown workbook (xlsxwriter), atomic writes, Office lock-file guard.

Text from the input is always written with ``write_string`` into a workbook
created with ``strings_to_formulas=False``: a title such as ``=HYPERLINK(...)``
or ``+45 1234`` is stored as a text cell, never as a formula (OWASP formula
injection).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import stat
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import xlsxwriter

from pagt_xl.breakdown import KEY_LABELS, Breakdown
from pagt_xl.errors import ErrorCode, PagtError
from pagt_xl.goals import FollowUp
from pagt_xl.results import Breakdowns

KR_FORMAT = '#,##0 "kr."'
PCT_FORMAT = "0 %"
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
SEVERITY_DA = {"error": "Fejl", "warning": "Advarsel", "info": "Info"}


class OutputLocked(PagtError):
    """The output file is open in Office (a lock file exists next to it)."""

    default_code = ErrorCode.OUTPUT_LOCKED


class OutputUnwritable(PagtError):
    """The output cannot be written there (a folder, no permission, a read-only or full drive)."""

    default_code = ErrorCode.OUTPUT_UNWRITABLE


ISSUE_FIELDS = ("file", "sheet", "cell", "row", "column", "code", "severity", "message", "value")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_text(value: object) -> object:
    """A text cell that Excel will not run as a formula (OWASP: prefix ``'`` to = + - @ tab CR).

    The one guard for every CSV we write and every cell the button scripts write.
    Only text is touched: numbers (a negative amount too), dates and ``None`` are returned as they are.
    """
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


#: the former name, kept for callers (xl/scripts.py's ``_formula_safe``)
csv_safe = safe_text


def write_csv(rows: Iterable[Mapping[str, Any] | Sequence[Any]], columns: Sequence[str]) -> str:
    """The one CSV writer: a header row of ``columns``, then ``rows``; every text cell goes through :func:`safe_text`.

    A row is a mapping (missing keys are empty) or a sequence in the order of ``columns``;
    ``None`` and NaN are written as empty cells, numbers as numbers.
    """
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow([safe_text(c) for c in columns])
    for row in rows:
        values = [row.get(c) for c in columns] if isinstance(row, Mapping) else list(row)
        writer.writerow(["" if _blank(v) else safe_text(v) for v in values])
    return buf.getvalue()


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, float) and value != value)


def issues_csv(issues: list[Any]) -> str:
    """Issues as CSV (comma separated, header row); text from the input is formula-safe."""
    return write_csv((issue.model_dump(mode="json") for issue in issues), ISSUE_FIELDS)


def issues_json(issues: list[Any]) -> str:
    """Issues as a JSON array of objects with :data:`ISSUE_FIELDS` (UTF-8 text, indented)."""
    return json.dumps([i.model_dump(mode="json") for i in issues], ensure_ascii=False, indent=2)


def office_lock(path: Path) -> Path | None:
    """The Office lock file (``~$name``) of ``path`` if one exists, else ``None``."""
    for candidate in (path.with_name("~$" + path.name), path.with_name("~$" + path.name[2:])):
        if candidate.exists():
            return candidate
    return None


def _umask() -> int:
    """The process's umask (reading it means setting it, so it is set straight back)."""
    mask = os.umask(0o077)
    os.umask(mask)
    return mask


def atomic_write(path: Path, write: Any) -> None:
    """Call ``write(tmp_path)`` and move the result into place; never leave a half file.

    The file gets the permissions of a file made with ``open(path, "w")``: 0666 minus the umask.

    Raises :class:`OutputLocked` if the target is open in Excel or Word, and
    :class:`OutputUnwritable` if it is a folder or cannot be written there (the
    target is then left as it was).
    """
    path = Path(path)
    lock = office_lock(path)
    if lock is not None:
        raise OutputLocked(f"{path}: filen er åben i Office ({lock.name}); luk den og prøv igen")
    if path.is_dir():
        raise OutputUnwritable(f"{path}: er en mappe; angiv et filnavn (fx {path.name}/resultat.xlsx)")
    if path.exists() and not path.stat().st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH):
        # os.replace swaps a read-only file away whenever the folder is writable (and root writes anything):
        # the read-only mark is the owner's "do not overwrite", so it is honoured
        raise OutputUnwritable(
            f"{path}: filen er skrivebeskyttet og overskrives ikke; "
            "vælg et andet filnavn eller fjern skrivebeskyttelsen"
        )
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".pagt-", suffix=path.suffix, dir=path.parent)
    except OSError as exc:
        reason = exc.strerror or exc.__class__.__name__
        raise OutputUnwritable(f"{path}: kan ikke skrives i {path.parent} ({reason}); vælg en anden mappe") from None
    os.close(fd)
    try:
        write(Path(tmp))
        # mkstemp makes the file 0600; outputs go on shared drives, so give it the mode
        # open(path, "w") would (0666 minus the umask), after ``write`` in case it re-created the file
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise OutputUnwritable(f"{path}: kan ikke skrives ({exc.strerror or exc}); intet er ændret") from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_breakdown_workbook(result: Breakdowns, path: Path, *, goals: FollowUp | None = None) -> None:
    """Write the breakdown workbook: year table, one sheet per breakdown, Kontrol and Fejl.

    ``goals``: the goal follow-up, written as a "Målopfølgning" sheet; ``None``: no such sheet.
    """
    atomic_write(Path(path), lambda tmp: _write(result, tmp, Path(path), goals))


def _write(result: Breakdowns, path: Path, out: Path, goals: FollowUp | None = None) -> None:
    wb = xlsxwriter.Workbook(
        str(path), {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}
    )
    fmt = {
        "kr": wb.add_format({"num_format": KR_FORMAT}),
        "pct": wb.add_format({"num_format": PCT_FORMAT}),
        "int": wb.add_format({"num_format": "#,##0"}),
        "title": wb.add_format({"bold": True, "font_size": 14}),
        "wrap": wb.add_format({"text_wrap": True, "valign": "top"}),
        "bad": wb.add_format({"font_color": "#9C0006", "bg_color": "#FFC7CE"}),
        "good": wb.add_format({"font_color": "#006100", "bg_color": "#C6EFCE"}),
    }
    pact = result.validation.pact
    _year_sheet(wb, result, fmt)
    for key, b in result.breakdowns.items():
        if key == "year":
            continue
        _breakdown_sheet(wb, SHEET_NAMES.get(key, key), b, fmt, pact.name)
    _checks_sheet(wb, result, fmt)
    if goals is not None:
        goals_sheet(wb, goals, fmt)
    _issues_sheet(wb, result, fmt, out)
    wb.close()


def _table(
    ws: Any,
    first_row: int,
    columns: list[tuple[str, str, Any]],
    rows: list[list[Any]],
    name: str,
    total: list[Any] | None = None,
) -> int:
    """Write an Excel Table (ListObject). columns: (header, kind, format). Returns the last row index."""
    last_row = first_row + max(len(rows), 1) + (1 if total else 0)
    for i, row in enumerate(rows, start=first_row + 1):
        _write_row(ws, i, row, columns)
    if total:
        _write_row(ws, first_row + len(rows) + 1, total, columns)
    ws.add_table(
        first_row,
        0,
        last_row if rows or total else first_row + 1,
        len(columns) - 1,
        {
            "name": name,
            "columns": [{"header": h} for h, _, _ in columns],
            "style": "Table Style Medium 2",
            "autofilter": True,
        },
    )
    for j, (header, kind, _) in enumerate(columns):
        width = max([len(header)] + [len(str(r[j])) for r in rows[:200] if r[j] is not None]) + 2
        ws.set_column(j, j, min(max(width, 10 if kind != "text" else 14), 60))
    ws.freeze_panes(first_row + 1, 0)
    return last_row


def _write_row(ws: Any, i: int, row: list[Any], columns: list[tuple[str, str, Any]]) -> None:
    for j, value in enumerate(row):
        kind, f = columns[j][1], columns[j][2]
        if value is None:
            ws.write_blank(i, j, None, f)
        elif kind == "date":
            ws.write_datetime(i, j, value, f)
        elif kind == "text" or isinstance(value, str):
            ws.write_string(i, j, str(value), f)
        else:
            ws.write_number(i, j, value, f)


def _year_sheet(wb: Any, result: Breakdowns, fmt: dict[str, Any]) -> None:
    ws = wb.add_worksheet("Årstabel")
    ws.write_string(0, 0, f"{result.validation.pact.name}: ansøgninger og udmøntning pr. år", fmt["title"])
    yt = result.years
    columns: list[tuple[str, str, Any]] = [
        ("År", "num", None),
        ("Ansøgninger", "num", fmt["int"]),
        ("Afslag", "num", fmt["int"]),
        ("Tilsagn", "num", fmt["int"]),
        ("Afventer", "num", fmt["int"]),
    ]
    keys = ["year", "applications", "rejected", "granted_projects", "pending"]
    for key, name in yt.rounds:
        columns.append((name, "num", fmt["kr"]))
        keys.append(f"round_{key}")
    columns += [
        ("Støttebeløb i alt", "num", fmt["kr"]),
        ("Økonomisk ramme", "num", fmt["kr"]),
        ("Udnyttelse", "num", fmt["pct"]),
        ("Kumuleret udmøntning", "num", fmt["kr"]),
    ]
    keys += ["granted", "framework", "utilisation", "cumulative"]
    rows = [[r.get(k) for k in keys] for r in yt.rows]
    total = [yt.total.get(k) for k in keys]
    last = _table(ws, 2, columns, rows, "Aarstabel", total)
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
        chart.set_y_axis({"num_format": "#,##0"})
        ws.insert_chart(last + 2, 0, chart)


def _breakdown_sheet(wb: Any, name: str, b: Breakdown, fmt: dict[str, Any], pact_name: str) -> None:
    ws = wb.add_worksheet(name[:31])
    key = b.by[0]
    ws.write_string(0, 0, f"{pact_name}: støtte fordelt på {KEY_LABELS[key].lower()}", fmt["title"])
    if key == "target_group":
        columns = [
            ("Målgruppe", "text", None),
            ("Projekter", "num", fmt["int"]),
            ("Deltagere (mål)", "num", fmt["int"]),
            ("Støttebeløb", "num", fmt["kr"]),
            ("Andel af deltagere", "num", fmt["pct"]),
        ]
        rows = [[r["target_group"], r["projects"], r["participants"], r["granted"], r["share"]] for r in b.rows]
        _table(ws, 2, columns, rows, "Maalgrupper")
        return
    columns = [
        (KEY_LABELS[key], "text", fmt["wrap"] if key == "theme" else None),
        ("Antal projekter", "num", fmt["int"]),
        ("Støttebeløb", "num", fmt["kr"]),
        ("Andel af samlet støtte", "num", fmt["pct"]),
    ]
    rows = [[str(r[key]), r["projects"], r["granted"], r["share"]] for r in b.rows]
    total = ["I alt", b.total["projects"], b.total["granted"], b.total["share"]]
    last = _table(ws, 2, columns, rows, "Fordeling_" + key, total)
    chart_type = CHARTS.get(key)
    if chart_type and rows:
        chart = wb.add_chart({"type": chart_type})
        chart.add_series(
            {
                "name": "Støttebeløb",
                "categories": [ws.name, 3, 0, 2 + len(rows), 0],
                "values": [ws.name, 3, 2, 2 + len(rows), 2],
                "data_labels": {"percentage": True} if chart_type == "pie" else {"value": False},
            }
        )
        chart.set_title({"name": f"Støtte fordelt på {KEY_LABELS[key].lower()}"})
        ws.insert_chart(last + 2, 0, chart, {"x_scale": 1.4, "y_scale": 1.2})


def _checks_sheet(wb: Any, result: Breakdowns, fmt: dict[str, Any]) -> None:
    ws = wb.add_worksheet("Kontrol")
    ws.write_string(0, 0, "Kontrol: tal der skal stemme", fmt["title"])
    columns = [
        ("Kontrol", "text", None),
        ("Resultat", "text", None),
        ("Forventet", "num", fmt["int"]),
        ("Beregnet", "num", fmt["int"]),
        ("Kilde", "text", None),
        ("Beregnet ud fra", "text", None),
    ]
    rows = [[c.name, c.result, c.expected, c.actual, c.source, c.computed_from] for c in result.checks]
    last = _table(ws, 2, columns, rows, "Kontrol")
    ws.conditional_format(3, 1, last, 1, {"type": "cell", "criteria": "==", "value": '"AFVIGER"', "format": fmt["bad"]})
    ws.conditional_format(3, 1, last, 1, {"type": "cell", "criteria": "==", "value": '"OK"', "format": fmt["good"]})


def _issues_sheet(wb: Any, result: Breakdowns, fmt: dict[str, Any], out: Path) -> None:
    ws = wb.add_worksheet("Fejl")
    ws.write_string(0, 0, "Fejl og advarsler i kildedata", fmt["title"])
    columns = [
        ("Alvor", "text", None),
        ("Fil", "text", None),
        ("Ark", "text", None),
        ("Celle", "text", None),
        ("Kode", "text", None),
        ("Besked", "text", fmt["wrap"]),
        ("Værdi", "text", None),
    ]
    issues = result.validation.issues
    rows = [[SEVERITY_DA[i.severity.value], i.file, i.sheet, i.cell, i.code.value, i.message, i.value] for i in issues]
    _table(ws, 2, columns, rows, "Fejl")
    ws.set_column(5, 5, 80)
    for r, issue in enumerate(issues, start=3):
        target = _cell_link(issue, out)
        if target is not None:
            ws.write_url(r, 3, target, string=issue.cell, tip="Åbn kildecellen")


def _cell_link(issue: Any, out: Path) -> str | None:
    """An ``external:`` link to the issue's cell, relative to the output's folder; ``None`` when there is none.

    The sheet name is quoted as Excel does (``'Kim''s ark'``); ``#`` and ``%`` in the file name are
    percent-encoded, because the first ``#`` starts the location in the sheet.
    """
    if not (issue.file and issue.sheet and issue.cell and Path(issue.file).exists()):
        return None
    source = Path(issue.file).resolve()
    try:
        rel = os.path.relpath(source, Path(out).resolve().parent)
    except ValueError:  # another drive on Windows: no relative path exists
        rel = str(source)
    rel = rel.replace("%", "%25").replace("#", "%23")
    sheet = issue.sheet.replace("'", "''")
    target = f"external:{rel}#'{sheet}'!{issue.cell}"
    return target if len(target) < 2000 else None


def write_budget_workbook(records: list[Any], issues: list[Any], path: Path, *, pact: Any = None) -> None:
    """The consolidated budgets: "Budgetter", "Kategorier" and "Fejl" sheets (written atomically).

    ``pact`` orders the categories as its ``[budgets]`` does; ``None``: the common order.
    """
    from pagt_xl.budget import budget_table, spending_by_category

    def write(tmp: Path) -> None:
        wb = xlsxwriter.Workbook(
            str(tmp), {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}
        )
        kr = wb.add_format({"num_format": KR_FORMAT})
        pct = wb.add_format({"num_format": PCT_FORMAT})
        date = wb.add_format({"num_format": "dd-mm-yyyy"})
        title = wb.add_format({"bold": True, "font_size": 14})
        wrap = wb.add_format({"text_wrap": True, "valign": "top"})
        ws = wb.add_worksheet("Budgetter")
        ws.write_string(0, 0, "Projektbudgetter (samlet)", title)
        table = budget_table(records)
        columns = [
            ("Fil", "text", None), ("Sagsnr.", "text", None), ("Projekttitel", "text", None),
            ("Tovholder", "text", None), ("År", "num", None), ("Start", "date", date), ("Slut", "date", date),
            ("Udgifter i alt", "num", kr), ("Angivet total", "num", kr), ("Ansøgt fra puljen", "num", kr),
            ("Egenfinansiering", "num", kr), ("Partnerfinansiering", "num", kr), ("Medfinansiering", "num", pct),
            ("Bevilget", "num", kr), ("Forbrugt", "num", kr), ("Forbrugt andel", "num", pct),
        ]  # fmt: skip
        rows = []
        for rec in table.itertuples(index=False):
            values = list(rec)
            values[0] = Path(values[0]).name
            rows.append([None if (v is None or (isinstance(v, float) and v != v)) else v for v in values])
        for r in rows:
            for j in (5, 6):
                if r[j] is not None:
                    r[j] = dt.datetime(r[j].year, r[j].month, r[j].day)
        _table(ws, 2, columns, rows, "Budgetter")
        ws2 = wb.add_worksheet("Kategorier")
        ws2.write_string(0, 0, "Budget og forbrug pr. kategori", title)
        cats = spending_by_category(records, pact)
        cat_rows = [[k, v["budget"], v["spent"]] for k, v in cats.items()]
        _table(ws2, 2, [("Kategori", "text", None), ("Budget", "num", kr), ("Forbrugt", "num", kr)],
                      cat_rows, "Kategorier")  # fmt: skip
        ws3 = wb.add_worksheet("Fejl")
        ws3.write_string(0, 0, "Fejl og advarsler i budgetterne", title)
        issue_rows = [[SEVERITY_DA[i.severity.value], Path(i.file or "").name, i.sheet, i.cell, i.code.value,
                       i.message, i.value] for i in issues]  # fmt: skip
        _table(ws3, 2, [("Alvor", "text", None), ("Fil", "text", None), ("Ark", "text", None),
                               ("Celle", "text", None), ("Kode", "text", None), ("Besked", "text", wrap),
                               ("Værdi", "text", None)], issue_rows, "Budgetfejl")  # fmt: skip
        ws3.set_column(5, 5, 80)
        wb.close()

    atomic_write(Path(path), write)


# -- goal follow-up (issue 17) -----------------------------------------------------
def write_goals_workbook(result: FollowUp, issues: list[Any], path: Path) -> None:
    """The goal follow-up on its own: a "Målopfølgning" sheet and a "Fejl" sheet (written atomically)."""
    atomic_write(Path(path), lambda tmp: _write_goals(result, issues, tmp, Path(path)))


def _write_goals(result: FollowUp, issues: list[Any], path: Path, out: Path) -> None:
    wb = xlsxwriter.Workbook(
        str(path), {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}
    )
    fmt = {
        "title": wb.add_format({"bold": True, "font_size": 14}),
        "wrap": wb.add_format({"text_wrap": True, "valign": "top"}),
        "int": wb.add_format({"num_format": "#,##0"}),
    }
    goals_sheet(wb, result, fmt)
    ws = wb.add_worksheet("Fejl")
    ws.write_string(0, 0, "Fejl og advarsler i målopfølgningen", fmt["title"])
    columns = [("Alvor", "text", None), ("Fil", "text", None), ("Ark", "text", None), ("Celle", "text", None),
               ("Kode", "text", None), ("Besked", "text", fmt["wrap"]), ("Værdi", "text", None)]  # fmt: skip
    rows = [[SEVERITY_DA[i.severity.value], i.file, i.sheet, i.cell, i.code.value, i.message, i.value] for i in issues]
    _table(ws, 2, columns, rows, "Fejl")
    ws.set_column(5, 5, 80)
    for r, issue in enumerate(issues, start=3):
        target = _cell_link(issue, out)
        if target is not None:
            ws.write_url(r, 3, target, string=issue.cell, tip="Åbn kildecellen")
    wb.close()


def goals_sheet(wb: Any, result: FollowUp, fmt: dict[str, Any]) -> None:
    """A "Målopfølgning" sheet: each indicator year against the path to the target, then each activity goal per year."""
    from pagt_xl.goals import activity_target_text

    ws = wb.add_worksheet("Målopfølgning")
    until = f" til og med {result.year}" if result.year is not None else ""
    ws.write_string(0, 0, f"Målopfølgning{until} (basisår = indeks 100)", fmt["title"])
    one = wb.add_format({"num_format": "0.0"})
    cols: list[tuple[str, str, Any]] = [
        ("Indikator", "text", None), ("År", "num", None), ("Antal", "num", fmt["int"]), ("Indeks", "num", one),
        ("Sti (indeks)", "num", one), ("Sti (antal)", "num", fmt["int"]), ("Status", "text", None),
        ("Afvigelse (indekspoint)", "num", one), ("Afvigelse (%)", "num", one),
        ("Nødvendig stigning pr. år", "num", fmt["int"]), ("Kilde", "text", None),
    ]  # fmt: skip
    rows = [
        [ind.name, y.year, y.value, y.index, y.path_index, y.path_value, "på sporet" if y.on_track else "bagud",
         y.gap_points, y.gap_percent, y.needed_per_year, y.data_source]
        for ind in result.indicators for y in ind.years
    ]  # fmt: skip
    last = 1
    if result.indicators:
        last = _table(ws, 2, cols, [[safe_text(v) for v in r] for r in rows], "Indikatorer")
    acols: list[tuple[str, str, Any]] = [
        ("Indsatsområde", "text", None), ("Aktivitet", "text", None), ("År", "num", None), ("Udført", "num", None),
        ("Mål pr. år", "text", None), ("Nået", "text", None), ("Aktiviteter", "text", fmt["wrap"]),
    ]  # fmt: skip
    arows = [
        [act.area, act.kind, a.year, a.done, activity_target_text(a), "ja" if a.met else "nej",
         "; ".join(a.activities)]
        for act in result.activities for a in act.years
    ]  # fmt: skip
    if result.activities:
        first = last + 3 if result.indicators else 2
        ws.write_string(first - 1, 0, "Handlingsplanens aktivitetsmål", fmt["title"])
        _table(ws, first, acols, [[safe_text(v) for v in r] for r in arows], "Aktivitetsmaal")
    if not result.indicators and not result.activities:
        ws.write_string(2, 0, "Pagten har ingen mål i sin konfiguration.")
