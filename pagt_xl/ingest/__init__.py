"""Ingestion: workbook files → typed applications table, framework, subtotals, issues.

Layers: ``guard`` (is it safe to open?) → ``grid`` (cells with coordinates) →
``headers`` (find and map the header row) → ``overview``/``framework`` (typed
rows + issues). :func:`read_workbooks` is the entry point.
"""

from __future__ import annotations

import hashlib
import re
import stat
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from pagt_xl.base._gc import collector_paused
from pagt_xl.base.config import Pact
from pagt_xl.base.danish import header_key
from pagt_xl.base.errors import ErrorCode, InputError
from pagt_xl.base.model import FrameworkYear, Issue, IssueCode, Severity, column_letter
from pagt_xl.core.tables import ColumnMap, Overview, SheetRead, Subtotal
from pagt_xl.ingest.framework import find_framework_header, is_framework_sheet_name, read_framework
from pagt_xl.ingest.grid import Grid, read_grids
from pagt_xl.ingest.headers import find_header, map_columns, pact_header_index
from pagt_xl.ingest.overview import FIELD_LABELS, TABLE_COLUMNS, read_overview

__all__ = ["TABLE_COLUMNS", "Overview", "SheetRead", "Subtotal", "read_workbooks"]

#: An overview header row must map at least this many fields.
MIN_OVERVIEW_FIELDS = 3


def read_workbooks(paths: list[Path | str], pact: Pact, *, password: str | None = None) -> Overview:
    """Read and combine overview (and framework) sheets from several files.

    A file that cannot be read at all is not an exception here: it becomes a
    ``file_unreadable``/``no_header_row`` issue in ``fatal`` so that the other
    files are still read; adapters decide whether to stop (the CLI exits 2).
    """
    files, skipped, missing = given_files(paths)
    unique, duplicates = _unique_files(files)
    overview = _combine([(str(p), lambda p=p: read_grids(Path(p), str(p), password)) for p in unique], pact)
    overview.issues[:0] = [*skipped, *duplicates]
    overview.fatal[:0] = missing
    if not unique and skipped and not missing:
        overview.fatal.append(
            Issue.at(
                IssueCode.FILE_UNREADABLE,
                Severity.ERROR,
                "der er kun Office-låsefiler blandt filerne, ingen projektmapper at læse; angiv selve projektmappen",
                file=str(skipped[0].file),
            )
        )
    return overview


def given_files(paths: list[Path | str]) -> tuple[list[Path | str], list[Issue], list[Issue]]:
    """Files, folders and patterns (:func:`pagt_xl.ingest.inputs.collect_inputs`) → the files to read,
    a ``skipped_file`` info per Office lock file, and a fatal issue per pattern or folder without workbooks.

    A plain path is kept as given (a missing file is reported when it is read).
    """
    from pagt_xl.base.names import is_lock_file
    from pagt_xl.ingest.inputs import Inputs, collect_inputs, is_pattern

    files: list[Path | str] = []
    found = Inputs()
    for p in paths:
        if Path(p).is_dir() or (is_pattern(str(p)) and not Path(p).exists()):
            more = collect_inputs([p])
            files.extend(more.files)
            found.lock_files += more.lock_files
            found.unmatched += more.unmatched
            found.empty_folders += more.empty_folders
        elif is_lock_file(str(p)):
            found.lock_files.append(Path(p))
        else:
            files.append(p)  # as given: the name in every issue is the one the person typed
    skipped = [
        Issue.at(
            IssueCode.SKIPPED_FILE,
            Severity.INFO,
            f"{p.name} er en Office-låsefil (filen er åben i Excel eller LibreOffice), ikke en projektmappe; "
            "den er sprunget over",
            file=str(p),
        )
        for p in found.lock_files
    ]
    missing = [
        Issue.at(
            IssueCode.FILE_UNREADABLE,
            Severity.ERROR,
            f"{text}: ingen projektmapper matcher mønsteret; ret stien eller mønsteret",
            file=text,
        )
        for text in found.unmatched
    ]
    missing += [
        Issue.at(
            IssueCode.FILE_UNREADABLE,
            Severity.ERROR,
            f"{folder}: mappen indeholder ingen projektmapper (.xlsx, .xlsm, .xls, .ods)",
            file=str(folder),
        )
        for folder in found.empty_folders
    ]
    return files, skipped, missing


def _unique_files(paths: list[Path | str]) -> tuple[list[Path | str], list[Issue]]:
    """The paths without repeats, and a ``duplicate_file`` info for each repeat.

    A repeat is the same file by its resolved path (another spelling, a symlink) or
    a regular file with the same bytes (a "- kopi" copy); sizes are compared first,
    so only files of equal size are hashed (sha256). A path that cannot be looked
    at is kept: reading it reports what is wrong.
    """
    kept: list[Path | str] = []
    issues: list[Issue] = []
    by_path: dict[Path, str] = {}
    by_size: dict[int, list[tuple[Path, str]]] = {}
    digests: dict[Path, str | None] = {}
    for p in paths:
        name = str(p)
        try:
            resolved = Path(p).resolve()
            st = resolved.stat()
        except (OSError, RuntimeError, ValueError):
            kept.append(p)
            continue
        first = by_path.get(resolved)
        how = "er den samme fil som"
        if first is None and stat.S_ISREG(st.st_mode):
            for other, other_name in by_size.get(st.st_size, []):
                if _digest(other, digests) is not None and _digest(other, digests) == _digest(resolved, digests):
                    first, how = other_name, "har samme indhold som"
                    break
        if first is not None:
            issues.append(
                Issue.at(
                    IssueCode.DUPLICATE_FILE,
                    Severity.INFO,
                    f"{how} {first} og er kun læst én gang (dens ansøgninger tælles ikke to gange)",
                    file=name,
                    value=first,
                )
            )
            continue
        by_path[resolved] = name
        if stat.S_ISREG(st.st_mode):
            by_size.setdefault(st.st_size, []).append((resolved, name))
        kept.append(p)
    return kept, issues


def _digest(path: Path, cache: dict[Path, str | None]) -> str | None:
    """sha256 of a file's bytes (``None`` when it cannot be read), computed once per path."""
    if path not in cache:
        try:
            with path.open("rb") as f:
                cache[path] = hashlib.file_digest(f, "sha256").hexdigest()
        except OSError:
            cache[path] = None
    return cache[path]


def read_grid_books(books: list[tuple[str, list[Grid]]], pact: Pact) -> Overview:
    """Like :func:`read_workbooks`, for sheets already in memory (e.g. from Excel through xlwings).

    ``books`` is a list of (book name, grids); each grid's ``file`` names the book.
    """
    return _combine([(name, lambda g=grids: g) for name, grids in books], pact)


def _combine(sources: list[tuple[str, Callable[[], list[Grid]]]], pact: Pact) -> Overview:
    with collector_paused():
        return _combine_sources(sources, pact)


def _combine_sources(sources: list[tuple[str, Callable[[], list[Grid]]]], pact: Pact) -> Overview:
    issues: list[Issue] = []
    fatal: list[Issue] = []
    frameworks: list[FrameworkYear] = []
    sheets: list[SheetRead] = []
    files: list[str] = []
    for name, load in sources:
        files.append(name)
        try:
            if not _read_file(load(), pact, issues, frameworks, sheets):
                raise InputError(
                    f"{name}: ingen ark med genkendelige kolonneoverskrifter "
                    "(forventede fx År, Projekttitel, Indsatsområde, Afgørelse, Støttebeløb)",
                    file=name,
                    code=ErrorCode.NO_HEADER_ROW,
                )
        except InputError as exc:
            fatal.append(_fatal_issue(name, exc))
    subtotals = [sub for s in sheets for sub in s.subtotals]
    return Overview(_build_table(sheets), issues, frameworks, subtotals, sheets, files, fatal)


def _fatal_issue(name: str, exc: InputError) -> Issue:
    """The issue standing for a file that could not be read; its code follows the exception's code."""
    code = IssueCode.NO_HEADER_ROW if exc.code is ErrorCode.NO_HEADER_ROW else IssueCode.FILE_UNREADABLE
    return Issue.at(code, Severity.ERROR, str(exc), file=name, sheet=exc.sheet)


def _read_file(
    grids: list[Grid], pact: Pact, issues: list[Issue], frameworks: list[FrameworkYear], sheets: list[SheetRead]
) -> bool:
    """Read every sheet of one file into ``issues``/``frameworks``/``sheets``; False when no sheet was usable."""
    index = pact_header_index(pact)
    found = False
    for grid in grids:
        if _is_empty(grid):
            continue
        if not grid.visible:
            issues.append(_hidden_sheet_issue(grid, pact))
            if not pact.overview.read_hidden_sheets:
                continue
        cmap = find_header(grid.rows, index, {"title", "theme", "decision", "granted"})
        fw_map = _framework_map(grid, cmap, pact)
        if fw_map is not None:
            years, fw_issues = read_framework(grid, fw_map)
            frameworks.extend(years)
            issues.extend(fw_issues)
        elif cmap is None or len(cmap.fields) < MIN_OVERVIEW_FIELDS:
            issues.append(_sheet_issue(grid, "arket har ingen genkendelig overskriftsrække og er ikke læst"))
            continue
        else:
            context = context_year(grid, cmap, pact)
            if _is_list_sheet(grid, cmap, pact, context):
                issues.append(_list_sheet_issue(grid, cmap))
                continue
            read = _read_overview_sheet(grid, cmap, pact, context)
            issues.extend(read.issues)
            sheets.append(read)
        found = True
    return found


def _hidden_sheet_issue(grid: Grid, pact: Pact) -> Issue:
    """The one ``hidden_sheet`` info naming a hidden sheet: not read, or read because the pact or a flag says so."""
    how = "meget skjult (kan kun vises med VBA)" if grid.very_hidden else "skjult"
    if pact.overview.read_hidden_sheets:
        message = (
            f"arket er {how}, men læst som de synlige ark ([overview] read_hidden_sheets eller --skjulte-ark); "
            "dets ansøgninger tælles med"
        )
    else:
        message = (
            f"arket er {how} og er ikke læst; dets indhold tælles ikke med — vis arket i Excel, hvis det "
            "indeholder ansøgninger, eller kør med --skjulte-ark"
        )
    return grid.issue(IssueCode.HIDDEN_SHEET, Severity.INFO, message, value=grid.sheet)


def _is_list_sheet(grid: Grid, cmap: ColumnMap, pact: Pact, context: ContextYear | None) -> bool:
    """Whether a sheet with recognised headers is a list of choices (a drop-down source), not an overview.

    It lacks a required column of the pact, and has no title and no amount in any row: a column of
    decision words under "Afgørelse" and of themes under "Indsatsområde" is a list, not applications.
    """
    missing = [f for f in pact.columns.required if f not in cmap.fields and not (f == "year" and context)]
    if not missing:
        return False
    body = grid.rows[cmap.header_row + 1 :]
    for f in ("title", "applied", "granted"):
        j = cmap.fields.get(f)
        if j is None:
            continue
        for r in body:
            v = r[j] if j < len(r) else ""
            if f == "title" and isinstance(v, str) and v.strip():
                return False
            if f != "title" and isinstance(v, int | float) and not isinstance(v, bool) and v:
                return False
    return True


def _list_sheet_issue(grid: Grid, cmap: ColumnMap) -> Issue:
    words: list[str] = []
    for j in sorted(cmap.headers):
        for r in grid.rows[cmap.header_row + 1 :]:
            v = r[j] if j < len(r) else ""
            if isinstance(v, str) and v.strip() and v.strip() not in words:
                words.append(v.strip())
            if len(words) >= 4:
                break
        if len(words) >= 4:
            break
    shown = ", ".join(words) + (" …" if words else "")
    message = (
        "arket er en liste med valgmuligheder"
        + (f" ({shown})" if words else "")
        + ", ikke en ansøgningsoversigt (ingen titler eller beløb, og pagtens kolonner mangler); det er ikke læst"
    )
    return grid.issue(IssueCode.LIST_SHEET, Severity.INFO, message, value=grid.sheet)


def _is_empty(grid: Grid) -> bool:
    return not grid.rows or all(all(c == "" or c is None for c in r) for r in grid.rows)


def _sheet_issue(grid: Grid, message: str) -> Issue:
    """A sheet that is not read (hidden, or without a header row)."""
    return grid.issue(IssueCode.SHEET_IGNORED, Severity.INFO, message)


def _framework_map(grid: Grid, cmap: ColumnMap | None, pact: Pact) -> ColumnMap | None:
    """The framework columns when the sheet holds the framework rather than applications, else ``None``.

    A sheet with framework headers is a framework sheet when its name says so or
    when it has no overview header row with a title column.
    """
    fw_map = find_framework_header(grid, pact)
    if fw_map is None:
        return None
    if is_framework_sheet_name(grid.sheet, pact) or cmap is None or "title" not in cmap.fields:
        return fw_map
    return None


def _read_overview_sheet(grid: Grid, cmap: ColumnMap, pact: Pact, context: ContextYear | None = None) -> SheetRead:
    """An overview sheet's rows with its column issues first; all rows flagged when a required column is missing."""
    cmap = _decision_from_status(grid, cmap, pact)
    sheet_issues = _column_issues(grid, cmap, pact, context)
    read = read_overview(
        grid,
        cmap,
        pact,
        context_year=context.year if context else None,
        year_source=context.source if context else "",
    )
    if any(i.code is IssueCode.MISSING_COLUMN for i in sheet_issues):
        read.row_errors = [True] * len(read.row_errors)
    read.issues[:0] = sheet_issues
    if not read.records["row"]:
        header_row_no = cmap.header_row + 1
        read.issues.append(
            grid.issue(
                IssueCode.NO_APPLICATIONS,
                Severity.WARNING,
                f"arket har en overskriftsrække (række {header_row_no}), men ingen ansøgninger under den",
                row=header_row_no,
            )
        )
    hidden = _hidden_lines_issue(grid, cmap, read)
    if hidden is not None:
        read.issues.append(hidden)
    return read


def _hidden_lines_issue(grid: Grid, cmap: ColumnMap, read: SheetRead) -> Issue | None:
    """One ``hidden_rows_columns`` info for a sheet whose hidden rows or columns hold something: they are read."""
    body_rows = [r for r in grid.hidden_rows if r >= cmap.header_row and _has_content(grid.rows[r])]
    columns = [j for j in grid.hidden_columns if any(j < len(r) and not _blank(r[j]) for r in grid.rows)]
    if not body_rows and not columns:
        return None
    parts = []
    if body_rows:
        applications = set(read.records["row"]) & {r + 1 for r in body_rows}
        counted = f" ({len(applications)} ansøgning{'er' if len(applications) != 1 else ''})" if applications else ""
        parts.append(f"skjulte rækker: {_ranges([r + 1 for r in body_rows])}{counted}")
    if columns:
        named = [column_letter(j) + (f" '{cmap.headers[j]}'" if j in cmap.headers else "") for j in columns]
        parts.append(f"skjulte kolonner: {', '.join(named[:12])}" + (" …" if len(named) > 12 else ""))
    message = (
        f"{'; '.join(parts)}. De er læst og talt med som de synlige — vis dem i Excel for at se, hvad tallene "
        "omfatter"
    )
    return grid.issue(IssueCode.HIDDEN_ROWS_COLUMNS, Severity.INFO, message)


def _blank(v: object) -> bool:
    return v is None or (isinstance(v, str) and not v.strip())


def _has_content(row: list[object]) -> bool:
    return any(not _blank(v) for v in row)


def _ranges(numbers: list[int]) -> str:
    """"5, 7-9" for [5, 7, 8, 9] (sorted), at most 12 ranges shown."""
    runs: list[list[int]] = []
    for n in numbers:
        if runs and n == runs[-1][1] + 1:
            runs[-1][1] = n
        else:
            runs.append([n, n])
    text = ", ".join(str(a) if a == b else f"{a}-{b}" for a, b in runs[:12])
    return text + (" …" if len(runs) > 12 else "")


def _decision_from_status(grid: Grid, cmap: ColumnMap, pact: Pact) -> ColumnMap:
    """Use a "Status" column as the decision when there is no decision column and its values are decisions."""
    if "decision" in cmap.fields or "status" not in cmap.fields:
        return cmap
    j = cmap.fields["status"]
    values = [r[j] for r in grid.rows[cmap.header_row + 1 :] if j < len(r) and isinstance(r[j], str) and r[j].strip()]
    if values and sum(pact.decision_matcher.match(v).key is not None for v in values) * 2 > len(values):
        fields = dict(cmap.fields)
        fields["decision"] = fields.pop("status")
        return ColumnMap(cmap.header_row, fields, cmap.headers, cmap.units, cmap.unmapped, cmap.duplicates)
    return cmap


def _column_issues(grid: Grid, cmap: ColumnMap, pact: Pact, context: ContextYear | None = None) -> list[Issue]:
    """Missing required columns, the same field in two columns, columns without a known header."""
    out: list[Issue] = []
    header_row_no = cmap.header_row + 1
    for f in pact.columns.required:
        if f == "year" and context is not None:
            continue  # the sheet's name or title gives the year
        if f == "year" and "year" not in cmap.fields and pact.overview.year_from != "column":
            where = "arkets navn" if pact.overview.year_from == "sheet_name" else "en titel over overskriftsrækken"
            shown = f" '{grid.sheet}'" if pact.overview.year_from == "sheet_name" else ""
            out.append(
                grid.issue(
                    IssueCode.MISSING_COLUMN,
                    Severity.ERROR,
                    f"arket har ingen År-kolonne, og {where}{shown} har intet årstal (pagten: [overview] year_from = "
                    f'"{pact.overview.year_from}"); arkets rækker tælles ikke med — skriv året i {where}',
                    row=header_row_no,
                )
            )
            continue
        if f not in cmap.fields:
            aliases = ", ".join(pact.columns.aliases.get(f, [])[:4])
            out.append(
                grid.issue(
                    IssueCode.MISSING_COLUMN,
                    Severity.ERROR,
                    f"kolonnen '{FIELD_LABELS.get(f, f)}' mangler i overskriftsrække {header_row_no} "
                    f"(kendte overskrifter: {aliases}); arkets rækker tælles ikke med",
                    row=header_row_no,
                )
            )
    for f, kept, ignored in cmap.duplicates:
        letter = column_letter(ignored)
        out.append(
            grid.issue(
                IssueCode.DUPLICATE_COLUMN,
                Severity.WARNING,
                f"'{FIELD_LABELS.get(f, f)}' står i to kolonner; kolonne {column_letter(kept)} bruges, "
                f"kolonne {letter} ignoreres",
                row=header_row_no,
                column=letter,
                value=cmap.headers.get(ignored),
            )
        )
    assessed = pact.assessment.header_fields()  # the round's assessment columns are read by pagt_xl.core.round
    unknown = [j for j in cmap.unmapped if header_key(cmap.headers[j]) not in assessed
               and header_key(cmap.headers[j]) not in _read_elsewhere(pact)]  # fmt: skip
    if unknown:
        names = ", ".join(f"{column_letter(j)} '{cmap.headers[j]}'" for j in unknown)
        out.append(
            grid.issue(
                IssueCode.UNMAPPED_COLUMNS,
                Severity.INFO,
                f"kolonner uden kendt betydning er ikke læst: {names}",
                row=header_row_no,
            )
        )
    return out


@dataclass(frozen=True)
class ContextYear:
    """The year a sheet's name or title gives, and where it was found (Danish, for messages)."""

    year: int
    source: str


_YEAR_IN_TEXT = re.compile(r"(?<!\d)((?:19|20)\d\d)(?!\d)")


def context_year(grid: Grid, cmap: ColumnMap, pact: Pact) -> ContextYear | None:
    """The year of a sheet by ``[overview] year_from``: from its name or from a title cell above its header row.

    ``None`` for ``year_from = "column"``, or when the name or title holds no year, or two
    ("2019-2023" gives no one year).
    """
    how = pact.overview.year_from
    if how == "sheet_name":
        years = set(_YEAR_IN_TEXT.findall(grid.sheet))
        if len(years) == 1:
            return ContextYear(int(years.pop()), f"arkets navn '{grid.sheet}'")
        return None
    if how == "title":
        for i, row in enumerate(grid.rows[: cmap.header_row]):
            for j, v in enumerate(row):
                if isinstance(v, str) and len(years := set(_YEAR_IN_TEXT.findall(v))) == 1:
                    text = " ".join(v.split())[:60]
                    return ContextYear(int(years.pop()), f"titlen i {column_letter(j)}{i + 1} '{text}'")
    return None


def _read_elsewhere(pact: Pact) -> frozenset[str]:
    """Normalised headers of overview columns other readers take (issue 25: the final-report column read by
    :mod:`pagt_xl.ingest.payments`, the CVR and decision-date columns of the open-data export)."""
    data = pact.opendata
    return pact.payments.final_report_keys | {header_key(h) for h in [*data.cvr_headers, *data.award_date_headers]}


def _build_table(sheets: list[SheetRead]) -> pd.DataFrame:
    columns: dict[str, list[object]] = {c: [] for c in TABLE_COLUMNS}
    errors: list[bool] = []
    for s in sheets:
        for c in TABLE_COLUMNS:
            columns[c].extend(s.records[c])
        errors.extend(s.row_errors)
    df = pd.DataFrame(columns, columns=list(TABLE_COLUMNS))
    for c in ("year", "applied", "granted", "target_primary", "target_youth", "target_higher", "target_professionals"):
        df[c] = pd.array(columns[c], dtype="Int64")
    df["row"] = df["row"].astype("int64")
    df["has_error"] = pd.Series(errors, dtype=bool)
    return df


# Re-exported for callers that map a single row of cells (cell functions).
__all__ += ["ColumnMap", "map_columns"]
