"""Button scripts for Excel (xlwings): Valider, Beregn fordelinger, Lav statusrapport.

Each takes the calling workbook (``book: xw.Book``): on Excel for the web and
desktop through the xlwings Server add-in (``@script``), and on a desktop with
local Python through the macros in ``workbooks/pagt_xl_desktop.xlsm`` (see
:mod:`pagt_xl.xl.desktop`). They read the application overview from the
book's sheets, never change the staff's data cells (except marking faulty
cells, which can be switched off), and write their results into sheets of
their own, replacing them on every run.

Settings live in an optional sheet "Indstillinger" (column A: name, column B:
value): ``Pagt`` (nordjylland/midtjylland), ``Markér fejl`` (ja/nej).
"""

from __future__ import annotations

import os
import re
import uuid
from pathlib import Path
from typing import Any

import xlwings as xw
from xlwings import script

from pagt_xl.breakdown import KEY_LABELS, Breakdown
from pagt_xl.config import Pact
from pagt_xl.ingest.grid import Grid, column_letter
from pagt_xl.model import Severity
from pagt_xl.pipeline import Breakdowns, Validation, run_breakdowns, run_validation_grids
from pagt_xl.xl.core import SEVERITY_DA, pact_for

ISSUES_SHEET = "Valideringsfejl"
SETTINGS_SHEET = "Indstillinger"
REPORT_SHEET = "Statusrapport"
BREAKDOWN_SHEETS = {
    "theme": "Indsatsområder",
    "type": "Projekttyper",
    "round": "Runder",
    "institution_type": "Institutionstyper",
    "status": "Status",
    "progress": "Fremdrift",
}
OWN_SHEETS = {ISSUES_SHEET, SETTINGS_SHEET, REPORT_SHEET, "Årstabel", "Kontrol", *BREAKDOWN_SHEETS.values()}
KR = '#,##0 "kr."'
PCT = "0 %"
MARK = {Severity.ERROR: (255, 199, 206), Severity.WARNING: (255, 235, 156)}
_CELL = re.compile(r"^[A-Z]{1,3}[0-9]{1,7}$")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _text(value: Any) -> Any:
    """Input text written so that Excel shows it as text, never as a formula."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def settings(book: Any) -> dict[str, str]:
    """The "Indstillinger" sheet as a dict (lower-case names); empty when there is none."""
    names = [s.name for s in book.sheets]
    if SETTINGS_SHEET not in names:
        return {}
    values = book.sheets[SETTINGS_SHEET].used_range.value
    if not isinstance(values, list):
        return {}
    rows = values if values and isinstance(values[0], list) else [values]
    return {str(r[0]).strip().lower(): str(r[1]).strip() for r in rows if len(r) > 1 and r[0] not in (None, "")}


def _grids(book: Any) -> list[Grid]:
    grids = []
    for sheet in book.sheets:
        if sheet.name in OWN_SHEETS:
            continue
        used = sheet.used_range
        values = used.value
        if values is None:
            continue
        if not isinstance(values, list):
            values = [[values]]
        elif values and not isinstance(values[0], list):
            values = [values] if used.shape[0] == 1 else [[v] for v in values]
        # anchor at A1 so that issue addresses are the sheet's own
        top, left = used.row - 1, used.column - 1
        rows = [[""] * (left + len(values[0]))] * top + [
            [""] * left + ["" if v is None else v for v in r] for r in values
        ]
        grids.append(Grid(file=book.name, sheet=sheet.name, rows=rows))
    return grids


def validate_book(book: Any) -> tuple[Validation, Pact]:
    """Validate the application overview in the book's own sheets."""
    pact = pact_for(settings(book).get("pagt"))
    return run_validation_grids([(book.name, _grids(book))], pact), pact


def _replace_sheet(book: Any, name: str) -> Any:
    if name in [s.name for s in book.sheets]:
        book.sheets[name].delete()
    return book.sheets.add(name, after=book.sheets[len(book.sheets) - 1])


def _link(sheet: str, cell: str | None) -> str:
    if not cell or not _CELL.match(cell):
        return ""
    quoted = sheet.replace("'", "''").replace('"', '""')
    return f'=HYPERLINK("#\'{quoted}\'!{cell}","{cell}")'


def write_issues(book: Any, validation: Validation, *, mark: bool = True) -> Any:
    """Replace the "Valideringsfejl" sheet with the issues and (optionally) mark faulty cells."""
    sheet = _replace_sheet(book, ISSUES_SHEET)
    rows: list[list[Any]] = [["Ark", "Celle", "Alvor", "Kode", "Besked", "Værdi"]]
    for i in validation.issues:
        rows.append(
            [
                _text(i.sheet or ""),
                _link(i.sheet or "", i.cell) or (i.cell or ""),
                SEVERITY_DA[i.severity],
                i.code.value,
                _text(i.message),
                _text("" if i.value is None else str(i.value)),
            ]
        )
    if len(rows) == 1:
        rows.append(["", "", "", "", "Ingen fejl eller advarsler", ""])
    sheet["A1"].value = rows
    sheet["A1:F1"].color = (31, 78, 121)
    sheet["A1:F1"].font.bold = True
    sheet["A1:F1"].font.color = (255, 255, 255)
    if mark:
        data_sheets = {s.name for s in book.sheets}
        for i in validation.issues:
            if i.severity in MARK and i.sheet in data_sheets and i.cell and _CELL.match(i.cell):
                book.sheets[i.sheet][i.cell].color = MARK[i.severity]
    return sheet


@script
def valider(book: xw.Book) -> None:
    """Valider: fejl og advarsler i arket "Valideringsfejl", fejlceller markeres."""
    validation, _ = validate_book(book)
    mark = settings(book).get("markér fejl", "ja").lower() not in ("nej", "no", "false", "0")
    write_issues(book, validation, mark=mark)


def _write_table(book: Any, name: str, header: list[str], rows: list[list[Any]], formats: dict[int, str]) -> Any:
    sheet = _replace_sheet(book, name)
    sheet["A1"].value = [header, *rows]
    last = column_letter(len(header) - 1)
    sheet[f"A1:{last}1"].color = (31, 78, 121)
    sheet[f"A1:{last}1"].font.bold = True
    sheet[f"A1:{last}1"].font.color = (255, 255, 255)
    n = len(rows) + 1
    for j, fmt in formats.items():
        col = column_letter(j)
        sheet[f"{col}2:{col}{n}"].number_format = fmt
    return sheet


def _breakdown_rows(b: Breakdown, key: str) -> list[list[Any]]:
    rows = [[_text(r[key]), r["projects"], r["granted"], r["share"]] for r in b.rows]
    rows.append(["I alt", b.total["projects"], b.total["granted"], b.total.get("share", 1.0)])
    return rows


def write_breakdowns(book: Any, result: Breakdowns) -> list[str]:
    """Write the year table, one sheet per breakdown and "Kontrol" into the book. Returns the sheet names."""
    years = result.years
    header = ["År", "Ansøgninger", "Afslag", "Tilsagn", "Afventer", *[n for _, n in years.rounds]]
    header += ["Bevilget i alt", "Ramme", "Udnyttelse", "Kumuleret"]
    keys = ["year", "applications", "rejected", "granted_projects", "pending", *[f"round_{k}" for k, _ in years.rounds]]
    keys += ["granted", "framework", "utilisation", "cumulative"]
    rows = [["" if r.get(k) is None else r.get(k) for k in keys] for r in [*years.rows, years.total]]
    r0 = 5 + len(years.rounds)
    fmts = {j: KR for j in range(5, r0 + 2)} | {r0 + 2: PCT, r0 + 3: KR}
    written = [_write_table(book, "Årstabel", header, rows, fmts).name]
    for key, name in BREAKDOWN_SHEETS.items():
        if key in result.breakdowns:
            b = result.breakdowns[key]
            hdr = [KEY_LABELS[key], "Projekter", "Støttebeløb", "Andel"]
            written.append(_write_table(book, name, hdr, _breakdown_rows(b, key), {2: KR, 3: PCT}).name)
    checks = [[_text(c.name), c.expected, c.actual, c.result, _text(c.source)] for c in result.checks]
    written.append(
        _write_table(book, "Kontrol", ["Kontrol", "Forventet", "Beregnet", "Resultat", "Kilde"], checks, {}).name
    )
    return written


@script
def beregn_fordelinger(book: xw.Book) -> None:
    """Beregn fordelinger: årstabel, fordelinger og kontrol som ark i projektmappen."""
    validation, _ = validate_book(book)
    write_breakdowns(book, run_breakdowns(validation))


def report_target(book: Any, pact: Pact) -> tuple[Path, str | None]:
    """Where the draft goes: the server's report folder (with a download URL) or next to the workbook."""
    folder = os.environ.get("PAGT_XL_REPORT_DIR")
    if folder:
        name = f"statusrapport_{pact.key}_{uuid.uuid4().hex[:12]}.docx"
        base = os.environ.get("PAGT_XL_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/")
        return Path(folder) / name, f"{base}/pagt/rapporter/{name}"
    fullname = Path(book.fullname)
    return fullname.with_name(f"{fullname.stem}_statusrapport.docx"), None


@script
def lav_statusrapport(book: xw.Book) -> None:
    """Lav statusrapport: en Word-kladde ud fra projektmappens oversigt."""
    from pagt_xl.report import render_report

    validation, pact = validate_book(book)
    target, url = report_target(book, pact)
    render_report(run_breakdowns(validation), target)
    sheet = _replace_sheet(book, REPORT_SHEET)
    link = url or str(target)
    excluded = int(validation.table["has_error"].sum())
    sheet["A1"].value = [
        ["Rapportkladde"],
        [f'=HYPERLINK("{link}","Åbn rapportkladden")' if '"' not in link else link],
        [f"{excluded} række(r) med fejl indgår ikke; se Valideringsfejl." if excluded else "Alle rækker indgår."],
    ]
