"""Button scripts for Excel, written once with xlwings' ``script`` decorator.

*Valider*, *Beregn fordelinger* and *Lav statusrapport* each take the calling
workbook (``book: xw.Book``): through xlwings Server (task-pane buttons, Excel
on the web and desktop) and through the classic macros of
``workbooks/pagt_xl_desktop.xlsm`` (:mod:`pagt_xl.xl.desktop`).

They read the application overview from the book's own sheets with the core's
header detection, and write results into sheets of their own, which they
recognise by :data:`MARKER` in A1 and clear on the next run. They never change
the staff's cells, except for colouring faulty cells (``Markér fejl``). A
problem is shown in a message box in Danish, never as a traceback.

Settings (optional): a sheet "Indstillinger" with names in column A and values
in column B: ``Pagt`` (nordjylland/midtjylland) and ``Markér fejl`` (ja/nej).
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import secrets
import time
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any

import xlwings as xw
from xlwings import script

from pagt_xl.base.config import Pact
from pagt_xl.base.danish import format_amount
from pagt_xl.base.errors import PagtError
from pagt_xl.base.figures import percent_fraction
from pagt_xl.base.issue_texts import describe
from pagt_xl.base.model import Issue, Severity
from pagt_xl.core.breakdown import KEY_LABELS, Breakdown
from pagt_xl.core.results import Breakdowns
from pagt_xl.core.tables import Validation
from pagt_xl.ingest.grid import Grid
from pagt_xl.ingest.guard import column_index
from pagt_xl.outputs.files import csv_safe, office_lock
from pagt_xl.outputs.workbooks import KR_FORMAT, PCT_FORMAT, SHEET_NAMES
from pagt_xl.pipeline import JobOutputs, JobSpec, run_breakdowns, run_job
from pagt_xl.xl._data import CellError, grid_from_values, pact_named, validate_grids
from pagt_xl.xl.core import SEVERITY_DA
from pagt_xl.xl.settings import ServerSettings, current_settings, public_base_url

logger = logging.getLogger(__name__)

ISSUES_SHEET = "Valideringsfejl"
YEAR_SHEET = "Årstabel"
CHECKS_SHEET = "Kontrol"
REPORT_SHEET = "Statusrapport"
MEMO_SHEET = "Indstilling"
LETTERS_SHEET = "Breve"
YEAR_SETTING = "år"
ROUND_SETTING = "runde"
SETTINGS_SHEET = "Indstillinger"
PACT_SETTING = "pagt"
MARK_SETTING = "markér fejl"
#: Every sheet the scripts write starts with this text in A1 (how they know a sheet is theirs).
MARKER = "Lavet af pagt_xl"
ISSUES_HEADER = ["Ark", "Celle", "Alvor", "Kode", "Beskrivelse", "Besked", "Værdi", "Markeret celle"]
#: the header of a sheet written before the descriptions were added: its marks are cleared too
_OLD_ISSUES_HEADER = ["Ark", "Celle", "Alvor", "Kode", "Besked", "Værdi", "Markeret celle"]
#: Fill colours of marked cells: light red for errors, light yellow for warnings.
MARK_COLOURS = {Severity.ERROR: "#FFC7CE", Severity.WARNING: "#FFEB9C"}
HEADER_FILL = "#1F4E79"
#: Names of the downloads on the server: report drafts and memos (``statusrapport_<pact>_<yyyymmdd>_<random>.docx``,
#: ``indstillingsnotat_...docx``) and the decision letters as one zip (``breve_<pact>_<yyyymmdd>_<random>.zip``).
REPORT_NAME = re.compile(
    r"^(?:(?:statusrapport|indstillingsnotat)_[a-z0-9]+_\d{8}_[A-Za-z0-9_-]{16,}\.docx"
    r"|breve_[a-z0-9]+_\d{8}_[A-Za-z0-9_-]{16,}\.zip)$"
)
#: Most cells ``Range.set_colors`` takes in one call.
_COLOUR_CHUNK = 10_000
_CELL = re.compile(r"^([A-Z]{1,3})([1-9][0-9]{0,6})$")
_NO = {"nej", "no", "n", "false", "falsk", "0", "fra", "off"}


class Formula(str):
    """A formula the scripts write on purpose; every other text is written as text."""

    __slots__ = ()


# -- reading the book --------------------------------------------------------------------------
def _sheet_named(book: Any, name: str) -> Any:
    """The sheet called ``name`` (Excel compares sheet names without case), ``None`` if absent."""
    for sheet in book.sheets:
        if sheet.name.casefold() == name.casefold():
            return sheet
    return None


def _first_value(sheet: Any) -> Any:
    try:
        return sheet["A1"].value
    except Exception:  # an engine that cannot read a cell: treat the sheet as the staff's
        return None


def is_own_sheet(sheet: Any) -> bool:
    """Whether a sheet was written by these scripts (its A1 starts with :data:`MARKER`)."""
    value = _first_value(sheet)
    return isinstance(value, str) and value.startswith(MARKER)


def settings(book: Any) -> dict[str, str]:
    """The "Indstillinger" sheet as {lower-case name: value}; empty when there is none."""
    sheet = _sheet_named(book, SETTINGS_SHEET)
    if sheet is None:
        return {}
    values = sheet.used_range.options(ndim=2).value or []
    out = {}
    for row in values:
        if len(row) > 1 and isinstance(row[0], str) and row[0].strip():
            out[row[0].strip().lower()] = "" if row[1] is None else str(row[1]).strip()
    return out


def marking_on(options: dict[str, str]) -> bool:
    """Whether faulty cells are coloured (``Markér fejl`` = ja, the default)."""
    value = options.get(MARK_SETTING, options.get("marker fejl", "ja"))
    return value.strip().lower() not in _NO


def book_grids(book: Any) -> list[Grid]:
    """The staff's sheets as grids that keep their Excel addresses (own and settings sheets left out)."""
    grids = []
    for sheet in book.sheets:
        if sheet.name.casefold() == SETTINGS_SHEET.casefold() or is_own_sheet(sheet):
            continue
        used = sheet.used_range
        values = used.options(ndim=2, err_to_str=True).value
        if not values:
            continue
        grids.append(
            grid_from_values(
                values,
                book=book.name,
                sheet=sheet.name,
                first_row=used.row,
                first_column=used.column,
                visible=_visible(sheet),
            )
        )
    return grids


def _visible(sheet: Any) -> bool:
    try:
        return bool(sheet.visible)
    except Exception:
        return True


def validate_book(book: Any) -> tuple[Validation, dict[str, str]]:
    """Validate the overview in the book's own sheets; also returns the settings."""
    options = settings(book)
    pact = pact_named(options.get(PACT_SETTING))
    return validate_grids(book.name, book_grids(book), pact), options


def _require_overview(validation: Validation) -> None:
    if validation.fatal:
        raise CellError(
            "fandt ingen ansøgningsoversigt i projektmappen: intet ark har en overskriftsrække med fx "
            "År, Projekttitel, Indsatsområde, Afgørelse og Støttebeløb"
        )


# -- writing -----------------------------------------------------------------------------------
def _stamp() -> str:
    return dt.datetime.now().strftime("%d.%m.%Y kl. %H.%M")


def own_sheet(book: Any, name: str) -> Any:
    """The sheet ``name`` to write into: cleared if it is ours, new if missing.

    A sheet of that name that the staff made themselves is never touched: the
    results then go to "``name`` (pagt_xl)". Own sheets are cleared, not
    deleted, so formulas elsewhere that refer to them keep working.
    """
    for candidate in (name, f"{name} (pagt_xl)"[:31]):
        sheet = _sheet_named(book, candidate)
        if sheet is None:
            return book.sheets.add(candidate, after=book.sheets[len(book.sheets) - 1])
        if is_own_sheet(sheet):
            sheet.clear()
            return sheet
    raise CellError(f"arkene '{name}' og '{name} (pagt_xl)' findes allerede; omdøb et af dem")


def _formula_safe(value: Any) -> Any:
    """A value to write: text from the input is shown as text, never run as a formula (OWASP)."""
    if isinstance(value, str) and not isinstance(value, Formula):
        return csv_safe(value)
    return value


def _title(sheet: Any, title: str) -> None:
    sheet["A1"].value = f"{MARKER} {_stamp()}: {title}"
    sheet["A1"].font.bold = True


def write_table(
    sheet: Any, first_row: int, header: list[str], rows: list[list[Any]], formats: dict[int, str] | None = None
) -> None:
    """A header row (white on blue) and rows from ``first_row`` (1-based), with number formats per column."""
    width = len(header)
    sheet.range((first_row, 1)).value = [header, *[[_formula_safe(v) for v in r] for r in rows]]
    head = sheet.range((first_row, 1), (first_row, width))
    head.color = HEADER_FILL
    head.font.bold = True
    head.font.color = "#FFFFFF"
    if rows:
        for j, fmt in (formats or {}).items():
            sheet.range((first_row + 1, j + 1), (first_row + len(rows), j + 1)).number_format = fmt
    sheet.range((first_row, 1), (first_row + len(rows), width)).columns.autofit()


def _link(sheet: str, cell: str | None) -> str:
    """``=HYPERLINK("#'Ark'!E34","E34")`` for a cell address, else the text as it is."""
    if not cell or not _CELL.match(cell):
        return cell or ""
    quoted = sheet.replace("'", "''").replace('"', '""')
    return Formula(f'=HYPERLINK("#\'{quoted}\'!{cell}","{cell}")')


def _previous_marks(book: Any) -> set[tuple[str, str]]:
    """(sheet, cell) of the cells the last Valider run coloured (its column "Markeret celle")."""
    sheet = _sheet_named(book, ISSUES_SHEET)
    if sheet is None or not is_own_sheet(sheet):
        return set()
    values = sheet.used_range.options(ndim=2).value or []
    for i, row in enumerate(values):
        for header in (ISSUES_HEADER, _OLD_ISSUES_HEADER):
            if row[: len(header)] == header:
                m = len(header) - 1  # "Markeret celle" is the last column
                return {
                    (str(r[0]), str(r[m]))
                    for r in values[i + 1 :]
                    if len(r) > m and isinstance(r[m], str) and _CELL.match(r[m]) and r[0]
                }
    return set()


def colour_cells(book: Any, colours: dict[tuple[str, str], str | None]) -> int:
    """Set fill colours ({(sheet, cell): "#RRGGBB", or ``None`` for no fill}), one call per column block.

    Cells in between keep their fill. Returns the number of cells coloured or cleared.
    """
    names = {s.name for s in book.sheets}
    by_column: dict[tuple[str, int], dict[int, str | None]] = {}
    for (sheet, cell), colour in colours.items():
        m = _CELL.match(cell)
        if sheet not in names or m is None:
            continue
        by_column.setdefault((sheet, column_index(m.group(1))), {})[int(m.group(2))] = colour
    done = 0
    for (sheet, col), rows in sorted(by_column.items()):
        ordered = sorted(rows)
        start = 0
        while start < len(ordered):
            first = ordered[start]
            end = start
            while end + 1 < len(ordered) and ordered[end + 1] - first < _COLOUR_CHUNK:
                end += 1
            last = ordered[end]
            matrix = [[rows.get(r, ...)] for r in range(first, last + 1)]
            book.sheets[sheet].range((first, col), (last, col)).set_colors(matrix)
            done += end - start + 1
            start = end + 1
    return done


def _markable(issue: Issue) -> bool:
    return issue.severity in MARK_COLOURS and bool(issue.sheet) and bool(issue.cell and _CELL.match(issue.cell))


def write_issues(book: Any, validation: Validation, *, mark: bool = True) -> Any:
    """Fill the "Valideringsfejl" sheet with every issue and (un)colour the faulty cells."""
    previous = _previous_marks(book)
    marks: dict[tuple[str, str], str] = {}
    if mark:
        for i in validation.issues:
            if _markable(i):
                key = (str(i.sheet), str(i.cell))
                if key not in marks or i.severity is Severity.ERROR:  # an error's colour wins
                    marks[key] = MARK_COLOURS[i.severity]
    rows = []
    for i in validation.issues:
        marked = (str(i.sheet), str(i.cell)) in marks
        value = "" if i.value is None else str(i.value)
        row = [i.sheet or "", _link(i.sheet or "", i.cell), SEVERITY_DA[i.severity], i.code.value, describe(i.code),
               i.message, value]  # fmt: skip
        rows.append([*row, i.cell if marked else ""])
    sheet = own_sheet(book, ISSUES_SHEET)
    _title(sheet, "fejl og advarsler i ansøgningsoversigten")
    counts = {s: validation.count(s) for s in Severity}
    sheet["A2"].value = (
        f"{counts[Severity.ERROR]} fejl, {counts[Severity.WARNING]} advarsler, {counts[Severity.INFO]} info. "
        + ("Rækker med fejl tælles ikke med i fordelingerne. " if counts[Severity.ERROR] else "")
        + ("Fejlceller er farvet røde, advarsler gule." if mark else "Markering af celler er slået fra.")
    )
    write_table(sheet, 4, ISSUES_HEADER, rows or [["", "", "", "", "", "Ingen fejl eller advarsler", "", ""]])
    stale: dict[tuple[str, str], str | None] = {key: None for key in previous if key not in marks}
    colour_cells(book, {**stale, **marks})
    return sheet


# -- breakdowns --------------------------------------------------------------------------------
def _none_as_empty(value: Any) -> Any:
    return "" if value is None else value


def _year_rows(result: Breakdowns) -> tuple[list[str], list[list[Any]], dict[int, str]]:
    yt = result.years
    header = ["År", "Ansøgninger", "Afslag", "Tilsagn", "Afventer", "Trukket tilbage"]
    keys = ["year", "applications", "rejected", "granted_projects", "pending", "withdrawn"]
    for key, name in yt.rounds:
        header.append(name)
        keys.append(f"round_{key}")
    if yt.total.get("round_none"):
        header.append("Uden runde")
        keys.append("round_none")
    money_from = len(header)
    header += ["Støttebeløb i alt", "Økonomisk ramme", "Udnyttelse", "Kumuleret udmøntning"]
    keys += ["granted", "framework", "utilisation", "cumulative"]
    rows = [[_none_as_empty(r.get(k)) for k in keys] for r in [*yt.rows, yt.total]]
    formats = {j: KR_FORMAT for j in range(6, len(header))} | {money_from + 2: PCT_FORMAT}
    return header, rows, formats


def _breakdown_rows(b: Breakdown) -> tuple[list[str], list[list[Any]], dict[int, str]]:
    key = b.by[0]
    if key == "target_group":
        header = ["Målgruppe", "Projekter", "Deltagere (mål)", "Støttebeløb", "Andel af deltagere"]
        rows = [
            [r["target_group"], r["projects"], r["participants"], r["granted"], percent_fraction(r["percent"])]
            for r in b.rows
        ]
        t = b.total
        rows.append(["I alt", t["projects"], t["participants"], t["granted"], percent_fraction(t["percent"])])
        return header, rows, {3: KR_FORMAT, 4: PCT_FORMAT}
    header = [KEY_LABELS[key], "Antal projekter", "Støttebeløb", "Andel af samlet støtte"]
    rows = [[_none_as_empty(r[key]), r["projects"], r["granted"], percent_fraction(r["percent"])] for r in b.rows]
    rows.append(["I alt", b.total["projects"], b.total["granted"], percent_fraction(b.total["percent"])])
    return header, rows, {2: KR_FORMAT, 3: PCT_FORMAT}


def write_breakdowns(book: Any, result: Breakdowns) -> list[str]:
    """Write "Årstabel", one sheet per breakdown and "Kontrol". Returns the names of the sheets written."""
    pact = result.validation.pact
    excluded = result.validation.excluded_rows
    note = f"{excluded} række(r) med fejl er ikke talt med; se {ISSUES_SHEET} (knappen Valider)." if excluded else ""
    written = []
    sheet = own_sheet(book, YEAR_SHEET)
    _title(sheet, f"{pact.name}: ansøgninger og udmøntning pr. år")
    sheet["A2"].value = note
    write_table(sheet, 4, *_year_rows(result))
    written.append(sheet.name)
    for key, b in result.breakdowns.items():
        if key == "year":
            continue
        sheet = own_sheet(book, SHEET_NAMES.get(key, KEY_LABELS[key])[:31])
        _title(sheet, f"{pact.name}: støtte fordelt på {KEY_LABELS[key].lower()}")
        sheet["A2"].value = note
        write_table(sheet, 4, *_breakdown_rows(b))
        written.append(sheet.name)
    sheet = own_sheet(book, CHECKS_SHEET)
    _title(sheet, "tal der skal stemme")
    checks = result.checks
    header = ["Kontrol", "Resultat", "Forventet", "Beregnet", "Kilde", "Beregnet ud fra"]
    rows = [
        [c.name, c.result, _none_as_empty(c.expected), _none_as_empty(c.actual), c.source, c.computed_from]
        for c in checks
    ]
    write_table(sheet, 4, header, rows)
    if checks:
        sheet.range((5, 2), (4 + len(checks), 2)).set_colors([["#C6EFCE" if c.ok else "#FFC7CE"] for c in checks])
    written.append(sheet.name)
    return written


# -- report ------------------------------------------------------------------------------------
def public_url(settings: ServerSettings | None = None) -> str:
    """Base URL of the server for links: ``PAGT_XL_PUBLIC_URL`` or ``XLWINGS_HOSTNAME``, else the request's own.

    ``settings``: ``None`` means :func:`~pagt_xl.xl.settings.current_settings`
    (see :func:`~pagt_xl.xl.settings.public_base_url`).
    """
    return public_base_url(settings)


def report_target(
    book: Any, pact: Pact, *, settings: ServerSettings | None = None, today: dt.date | None = None
) -> tuple[Path, str | None]:
    """Where the draft goes, and its download URL on the server (``None`` on the desktop).

    Server (``settings.report_dir`` set, ``PAGT_XL_REPORT_DIR``): a new unguessable
    name in that folder, offered as ``<public URL>/pagt/rapporter/<name>``.
    Desktop: next to the workbook as ``<workbook>_statusrapport.docx``.
    ``settings``: ``None`` means :func:`~pagt_xl.xl.settings.current_settings`;
    ``today``: ``None`` means today's date.
    """
    return download_target(book, pact, "statusrapport", settings=settings, today=today)


def download_target(
    book: Any,
    pact: Pact,
    kind: str,
    suffix: str = ".docx",
    *,
    settings: ServerSettings | None = None,
    today: dt.date | None = None,
) -> tuple[Path, str | None]:
    """Where an output of ``kind`` goes (``statusrapport``, ``indstillingsnotat``, ``breve``), and its URL.

    Server: ``<kind>_<pact>_<yyyymmdd>_<random><suffix>`` in the report folder, offered as a download link.
    Desktop: ``<workbook>_<kind><suffix>`` next to the workbook (``suffix`` ``""``: a folder), no link.
    """
    settings = settings or current_settings()
    day = today or dt.date.today()
    if settings.report_dir is not None:
        name = f"{kind}_{pact.key}_{day:%Y%m%d}_{secrets.token_urlsafe(18)}{suffix or '.zip'}"
        return settings.report_dir / name, f"{public_url(settings)}/pagt/rapporter/{name}"
    if settings.on_server:
        raise CellError("serveren mangler en mappe til rapporter: sæt PAGT_XL_REPORT_DIR og start den igen")
    fullname = Path(book.fullname)
    if not fullname.parent.name and not fullname.is_absolute():
        raise CellError("gem projektmappen først; Word-filerne gemmes ved siden af den")
    target = fullname.with_name(f"{fullname.stem}_{kind}{suffix}")
    if suffix and office_lock(target) is not None:
        raise CellError(f"'{target.name}' er åben i Word; luk den og klik igen")
    return target, None


def remove_old_reports(
    folder: Path, max_age_days: float | None = None, *, settings: ServerSettings | None = None
) -> int:
    """Delete drafts older than ``max_age_days`` from the server's folder; returns how many.

    ``max_age_days``: ``None`` means ``settings.report_max_age_days``
    (``PAGT_XL_REPORT_MAX_AGE_DAYS``, default 7); ``settings``: ``None`` means
    :func:`~pagt_xl.xl.settings.current_settings`.
    """
    days = max_age_days if max_age_days is not None else (settings or current_settings()).report_max_age_days
    limit = time.time() - days * 86400
    removed = 0
    for path in folder.glob("*_*"):
        if REPORT_NAME.match(path.name) and path.is_file() and path.stat().st_mtime < limit:
            path.unlink(missing_ok=True)
            removed += 1
    return removed


# -- the buttons -------------------------------------------------------------------------------
def _shows_errors(fn: Callable[[Any], None]) -> Callable[[Any], None]:
    """Show a problem in a Danish message box instead of failing with a traceback."""

    @wraps(fn)
    def wrapper(book: xw.Book) -> None:
        try:
            fn(book)
        except PagtError as exc:
            _alert(book, str(exc).removeprefix("#PAGT: "))
        except Exception:
            logger.exception("pagt_xl: %s failed", fn.__name__)
            _alert(book, "der skete en uventet fejl; prøv igen, eller kontakt sekretariatet")

    return wrapper


def _alert(book: Any, message: str) -> None:
    text = message[:1].upper() + message[1:]
    try:
        book.app.alert(text, title="Teknologipagt", mode="critical")
    except Exception:  # no way to show it: log it at least
        logger.error("pagt_xl: %s", text)


@script
@_shows_errors
def valider(book: xw.Book) -> None:
    """Valider: fejl og advarsler i arket "Valideringsfejl"; fejlceller farves."""
    validation, options = validate_book(book)
    write_issues(book, validation, mark=marking_on(options))


@script
@_shows_errors
def beregn_fordelinger(book: xw.Book) -> None:
    """Beregn fordelinger: årstabel, fordelinger og kontrol som ark i projektmappen."""
    validation, _ = validate_book(book)
    _require_overview(validation)
    write_breakdowns(book, run_breakdowns(validation))


@script
@_shows_errors
def lav_statusrapport(book: xw.Book) -> None:
    """Lav statusrapport: en Word-kladde ud fra projektmappens oversigt."""
    validation, _ = validate_book(book)
    _require_overview(validation)
    target, url = report_target(book, validation.pact)
    if url is not None:
        target.parent.mkdir(parents=True, exist_ok=True)
        remove_old_reports(target.parent)
    run_job(JobSpec(pact=validation.pact, validation=validation, outputs=JobOutputs(report=target)))
    sheet = own_sheet(book, REPORT_SHEET)
    _title(sheet, "statusrapport (kladde)")
    link = url or str(target)
    excluded = validation.excluded_rows
    note = "Alle rækker er talt med."
    if excluded:
        note = f"{excluded} række(r) med fejl er ikke talt med; se {ISSUES_SHEET}."
    opener = Formula(f'=HYPERLINK("{link}","Åbn rapportkladden")') if '"' not in link else link
    sheet["A3"].value = [[opener], [link], [note]]


# -- the application round (issue 16) -------------------------------------------------------------
def round_choice(validation: Validation, options: dict[str, str]) -> tuple[int, str | None]:
    """The round's year and round from "Indstillinger" (``År``, ``Runde``); without ``År`` the latest year."""
    text = options.get(YEAR_SETTING, options.get("aar", "")).strip()
    if text:
        try:
            return int(float(text)), options.get(ROUND_SETTING) or None
        except ValueError:
            raise CellError(f"arket Indstillinger: År '{text}' er ikke et år; skriv fx 2024") from None
    years = validation.table["year"].dropna()
    if years.empty:
        raise CellError("oversigten har ingen år; skriv rundens år i arket Indstillinger (År)")
    return int(years.max()), options.get(ROUND_SETTING) or None


def _round_job_error(exc: ValueError) -> CellError:
    return CellError(str(exc))


def _link_cell(url: str, text: str) -> Any:
    return Formula(f'=HYPERLINK("{url}","{text}")') if '"' not in url else url


@script
@_shows_errors
def lav_indstilling(book: xw.Book) -> None:
    """Lav indstilling: indstillingsnotatet (Word-kladde) for rundens år, med kontrollerne i arket Indstilling."""
    from pagt_xl.pipeline import run_memo

    validation, options = validate_book(book)
    _require_overview(validation)
    year, round_name = round_choice(validation, options)
    target, url = download_target(book, validation.pact, "indstillingsnotat")
    if url is not None:
        target.parent.mkdir(parents=True, exist_ok=True)
        remove_old_reports(target.parent)
    try:
        job = run_memo(validation.pact, year, validation=validation, round_name=round_name, out=target)
    except ValueError as exc:
        raise _round_job_error(exc) from None
    r = job.round
    assert r is not None
    sheet = own_sheet(book, MEMO_SHEET)
    _title(sheet, f"indstillingsnotat {year} (kladde)")
    link = url or str(target)
    errors = sum(1 for i in r.issues if i.severity is Severity.ERROR)
    lines = [
        [_link_cell(link, "Åbn indstillingsnotatet")],
        [link],
        [f"{len(r.applications)} ansøgninger, ansøgt {format_amount(r.applied_total)}; indstillet "
         f"{len(r.recommended)} for {format_amount(r.recommended_total)}."],
        ["Restramme: " + (format_amount(r.remaining) if r.remaining is not None else "ingen ramme for året")],
        ["Kontrol: alle kontroller bestået." if not errors else f"Kontrol: {errors} fejl; se tabellen nedenfor."],
    ]  # fmt: skip
    sheet["A3"].value = lines
    rows = [
        [i.sheet or "", _link(i.sheet or "", i.cell), SEVERITY_DA[i.severity], i.code.value, i.message]
        for i in r.issues
    ]
    write_table(sheet, 9, ["Ark", "Celle", "Alvor", "Kode", "Besked"], rows or [["", "", "", "", "Ingen afvigelser"]])


@script
@_shows_errors
def lav_breve(book: xw.Book) -> None:
    """Lav breve: tilsagns- og afslagsbreve (Word) efter Regionsrådets beslutning, listet i arket Breve."""
    import tempfile
    import zipfile

    from pagt_xl.outputs.files import atomic_write
    from pagt_xl.pipeline import run_letters

    validation, options = validate_book(book)
    _require_overview(validation)
    year, round_name = round_choice(validation, options)
    pact = validation.pact
    on_server = current_settings().report_dir is not None
    target, url = download_target(book, pact, "breve", ".zip" if on_server else "")
    try:
        if url is None:
            job = run_letters(pact, year, target, validation=validation, round_name=round_name)
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            remove_old_reports(target.parent)
            with tempfile.TemporaryDirectory(dir=target.parent, prefix=".breve-") as tmp:
                job = run_letters(pact, year, Path(tmp), validation=validation, round_name=round_name)

                def write_zip(path: Path) -> None:
                    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
                        for letter in sorted(Path(tmp).glob("*.docx")):
                            z.write(letter, letter.name)

                atomic_write(target, write_zip)
    except ValueError as exc:
        raise _round_job_error(exc) from None
    sheet = own_sheet(book, LETTERS_SHEET)
    _title(sheet, f"breve efter afgørelsen {year}")
    link = url or str(target)
    counts = {k: sum(1 for o in job.letters if o.status == k) for k in ("written", "skipped", "failed")}
    sheet["A3"].value = [
        [_link_cell(link, "Hent brevene (zip)" if url else "Åbn mappen med brevene")],
        [link],
        [f"{counts['written']} skrevet, {counts['skipped']} fandtes allerede (ikke overskrevet), "
         f"{counts['failed']} ikke dannet."],
    ]  # fmt: skip
    status = {"written": "skrevet", "skipped": "fandtes allerede", "failed": "ikke dannet"}
    rows = [[o.case_id, o.title, o.kind, status[o.status], Path(o.path).name] for o in job.letters]
    # an afslag without reasons is an error (no letter); a text the pact file lacks is a warning (a KLADDE)
    rows += [["", i.message, "", "fejl" if i.severity.value == "error" else "advarsel", i.cell or ""]
             for i in job.letter_issues]  # fmt: skip
    write_table(
        sheet, 7, ["Sagsnr.", "Projekt", "Brev", "Status", "Fil"], rows or [["", "Ingen afgørelser", "", "", ""]]
    )


# -- the commitment ledger (issue 25) ------------------------------------------------------------------------
LEDGER_SHEET = "Udbetalt og tilbageført"
LEDGER_HEADER = ["Sagsnr.", "Projekt", "År", "Bevilget", "Udbetalt", "Tilbageholdt", "Mangler", "Tilbagebetalt",
                 "Nedsat/bortfaldet", "Endeligt beløb"]  # fmt: skip
LEDGER_YEAR_HEADER = ["År", "Økonomisk ramme", "Tilsagn", "Udbetalt", "Tilbageført", "Restramme"]


@script
@_shows_errors
def udbetalinger(book: xw.Book) -> None:
    """Udbetalinger: udbetalt, tilbageholdt, mangler og tilbageført pr. bevilling og restrammen pr. år, ud fra
    projektmappens ark Udbetalinger og oversigt, i arket "Udbetalt og tilbageført"; fejl med celle."""
    from pagt_xl.core.ledger import account_rows, build_ledger, year_rows
    from pagt_xl.ingest.payments import read_final_reports, read_ledger_books

    validation, _ = validate_book(book)
    _require_overview(validation)
    pact = validation.pact
    read = read_ledger_books([(book.name, book_grids(book))], pact)
    if not read.sheets:
        raise CellError("fandt ingen udbetalinger i projektmappen: intet ark har en overskriftsrække med Sagsnr., "
                        "Dato og Beløb (skabelon: udbetalinger.xlsx)")  # fmt: skip
    reports, report_issues = read_final_reports(validation.overview, pact)
    ledger = build_ledger(validation, read.entries, final_reports=reports)
    issues = [*read.issues, *report_issues, *ledger.issues]
    sheet = own_sheet(book, LEDGER_SHEET)
    _title(sheet, "udbetalt og tilbageført pr. bevilling (kr.)")
    errors = sum(1 for i in issues if i.severity is Severity.ERROR)
    sheet["A2"].value = (f"{len(read.entries)} posteringer; udbetalt {format_amount(ledger.paid)}, tilbageholdt "
                         f"{format_amount(ledger.held_back)}, mangler {format_amount(ledger.owed)}, tilbageført "
                         f"{format_amount(ledger.returned)}. {errors} fejl.")  # fmt: skip
    keys = ["granted", "paid", "held_back", "owed", "repaid", "reduced", "final"]
    rows = [[r["case_id"] or "", r["title"], r["year"], *[r[k] for k in keys]] for r in account_rows(ledger)]
    write_table(sheet, 4, LEDGER_HEADER, rows or [["", "Ingen bevillinger", "", *[0] * len(keys)]],
                {j: KR_FORMAT for j in range(3, 3 + len(keys))})  # fmt: skip
    first = 4 + len(rows) + 3
    years = [[y["year"] if y["year"] is not None else "I alt", _none_as_empty(y["framework"]), y["commitments"],
              y["payments"], y["returned"], _none_as_empty(y["remaining"])] for y in year_rows(ledger)]  # fmt: skip
    write_table(sheet, first, LEDGER_YEAR_HEADER, years, {j: KR_FORMAT for j in range(1, 6)})
    shown = [[i.sheet or "", _link(i.sheet or "", i.cell), SEVERITY_DA[i.severity], i.code.value, i.message]
             for i in issues]  # fmt: skip
    write_table(sheet, first + len(years) + 3, ["Ark", "Celle", "Alvor", "Kode", "Besked"],
                shown or [["", "", "", "", "Ingen fejl eller advarsler"]])  # fmt: skip


#: The buttons: caption → script (task pane, desktop workbook).
BUTTONS: dict[str, Callable[[Any], None]] = {
    "Valider": valider,
    "Beregn fordelinger": beregn_fordelinger,
    "Lav statusrapport": lav_statusrapport,
    "Lav indstilling": lav_indstilling,
    "Lav breve": lav_breve,
    "Udbetalinger": udbetalinger,
}

__all__ = ["BUTTONS", "beregn_fordelinger", "lav_breve", "lav_indstilling", "lav_statusrapport", "udbetalinger",
           "valider"]
