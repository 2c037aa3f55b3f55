"""Typed application rows (and subtotal rows) from an overview sheet.

Each converter turns a raw cell value into a typed value or an issue. Values
repeat a lot in real sheets (themes, decisions, years), so converters cache
their results per raw value; this is what keeps 100k rows fast.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pagt_xl.config import Pact
from pagt_xl.danish import (
    AmountUnit,
    DanishParseError,
    NameMatcher,
    parse_amount,
    parse_date,
    parse_period,
    parse_year,
    split_title_applicant,
)
from pagt_xl.ingest.grid import CellProblem, Grid, column_letter
from pagt_xl.ingest.headers import ColumnMap
from pagt_xl.model import Decision, Issue, IssueCode, Severity

#: Columns of the applications table, in order. ``row`` is the 1-based Excel row.
TABLE_COLUMNS: tuple[str, ...] = (
    "file",
    "sheet",
    "row",
    "year",
    "case_id",
    "round",
    "title",
    "applicant",
    "theme",
    "project_type",
    "summary",
    "applied",
    "decision",
    "granted",
    "period_start",
    "period_end",
    "status",
    "progress",
    "institution_type",
    "partners",
    "instruments",
    "notes",
    "target_primary",
    "target_youth",
    "target_higher",
    "target_professionals",
)

TEXT_FIELDS = ("case_id", "title", "applicant", "summary", "institution_type", "partners", "instruments", "notes")
AMOUNT_FIELDS = ("applied", "granted")
TARGET_FIELDS = ("target_primary", "target_youth", "target_higher", "target_professionals")

#: Display names (Danish) of fields, for messages.
FIELD_LABELS: dict[str, str] = {
    "year": "År",
    "case_id": "Sagsnr.",
    "round": "Runde",
    "title": "Projekttitel",
    "applicant": "Ansøger",
    "theme": "Indsatsområde",
    "project_type": "Projekttype",
    "summary": "Kort resumé",
    "applied": "Ansøgt beløb",
    "decision": "Afgørelse",
    "granted": "Støttebeløb",
    "period": "Projektperiode",
    "period_start": "Start",
    "period_end": "Slut",
    "status": "Status",
    "progress": "Fremdrift",
    "institution_type": "Institutionstype",
    "partners": "Partnere",
    "instruments": "Virkemidler",
    "notes": "Læring",
    "target_primary": "Mål grundskole",
    "target_youth": "Mål ungdomsuddannelse",
    "target_higher": "Mål videregående",
    "target_professionals": "Mål fagpersoner",
}

_BLANK = object()


@dataclass
class Subtotal:
    """A subtotal or total row as found in a sheet."""

    file: str
    sheet: str
    row: int
    label: str
    year: int | None
    granted: int | None
    applied: int | None
    cells: dict[str, str]
    #: number of application rows of this sheet read before this one
    position: int


@dataclass
class SheetRead:
    """What was read from one overview sheet."""

    file: str
    sheet: str
    columns: ColumnMap
    records: dict[str, list[Any]]
    subtotals: list[Subtotal] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    #: per record index: True when a parse error was found in that row
    row_errors: list[bool] = field(default_factory=list)

    def cell(self, field_name: str, row: int) -> str | None:
        """A1 address of a field in an Excel row, ``None`` when the column is absent."""
        j = self.columns.fields.get(field_name)
        return None if j is None else f"{column_letter(j)}{row}"


class _Bad:
    """A conversion failure: issue code, severity and Danish message."""

    __slots__ = ("code", "message", "severity")

    def __init__(self, code: IssueCode, message: str, severity: Severity = Severity.ERROR):
        self.code = code
        self.message = message
        self.severity = severity


def _is_blank(value: object) -> bool:
    return value is None or value == "" or (isinstance(value, str) and not value.strip())


def _raw_text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime) and value.time() == dt.time():
        return value.date().isoformat()
    return str(value)


def _text(value: object) -> str:
    if value.__class__ is str:
        return " ".join(value.split())  # type: ignore[union-attr]
    return " ".join(_raw_text(value).split())


def _matcher_converter(
    matcher: NameMatcher, code: IssueCode, noun: str, known: list[str], names: dict[str, str] | None = None
) -> Callable[[object], object]:
    """``noun`` is the Danish indefinite noun ("indsatsområde"); ``names`` maps keys to display names."""

    def convert(value: object) -> object:
        text = _text(value)
        m = matcher.match(text)
        if m.key is not None:
            return m.key
        if m.candidates:
            options = " eller ".join(f"'{(names or {}).get(k, k)}'" for k in m.candidates)
            return _Bad(
                IssueCode.AMBIGUOUS_NAME,
                f"{noun} '{text}' er afkortet og tvetydig: kan være {options}; skriv hele navnet",
            )
        return _Bad(code, f"ukendt {noun} '{text}'; forventede en af: {'; '.join(known)}")

    return convert


def build_converters(pact: Pact, columns: ColumnMap) -> dict[str, Callable[[object], object]]:
    """One converter per mapped field: raw value → typed value or :class:`_Bad`."""
    conv: dict[str, Callable[[object], object]] = {}
    for f in columns.fields:
        if f in TEXT_FIELDS:
            conv[f] = _text
        elif f == "year":
            conv[f] = _year
        elif f in AMOUNT_FIELDS:
            conv[f] = _amount_converter(columns.units.get(f, AmountUnit.KR), FIELD_LABELS[f])
        elif f in TARGET_FIELDS:
            conv[f] = _count
        elif f in ("period_start", "period_end"):
            conv[f] = _date
        elif f == "period":
            conv[f] = _period
        elif f == "theme":
            conv[f] = _matcher_converter(
                pact.theme_matcher,
                IssueCode.UNKNOWN_THEME,
                "indsatsområde",
                [t.name for t in pact.themes],
                {t.key: t.name for t in pact.themes},
            )
        elif f == "project_type":
            conv[f] = _matcher_converter(
                pact.type_matcher,
                IssueCode.UNKNOWN_TYPE,
                "projekttype",
                [t.name for t in pact.project_types],
                {t.key: t.name for t in pact.project_types},
            )
        elif f == "round":
            conv[f] = _matcher_converter(
                pact.round_matcher, IssueCode.UNKNOWN_ROUND, "runde", [r.name for r in pact.rounds]
            )
        elif f == "decision":
            conv[f] = _decision_converter(pact)
        elif f == "status":
            conv[f] = _matcher_converter(
                pact.status_matcher, IssueCode.UNKNOWN_STATUS, "status", [v[0] for v in pact.statuses.values()]
            )
        elif f == "progress":
            conv[f] = _matcher_converter(
                pact.progress_matcher,
                IssueCode.UNKNOWN_PROGRESS,
                "fremdriftsvurdering",
                ["god", "acceptabel", "langsom"],
            )
    return conv


def _year(value: object) -> object:
    try:
        return parse_year(value)
    except DanishParseError as exc:
        return _Bad(IssueCode.BAD_YEAR, f"årstallet kan ikke læses: {exc}")


#: Larger amounts (kr.) or counts are typing errors; they would also overflow 64-bit sums.
MAX_AMOUNT = 10**12


def _amount_converter(unit: AmountUnit, label: str) -> Callable[[object], object]:
    def convert(value: object) -> object:
        try:
            amount = parse_amount(value, unit)
        except DanishParseError as exc:
            return _Bad(IssueCode.BAD_AMOUNT, f"{label}: {exc}")
        if amount is not None and amount < 0:
            return _Bad(IssueCode.NEGATIVE_AMOUNT, f"{label} er negativt ({amount} kr.); forventede et beløb ≥ 0")
        if amount is not None and amount > MAX_AMOUNT:
            shown = f"{amount:,}".replace(",", ".")
            return _Bad(IssueCode.BAD_AMOUNT, f"{label}: {shown} kr. er urealistisk stort; tjek cellen")
        return amount

    return convert


def _count(value: object) -> object:
    try:
        n = parse_amount(value)
    except DanishParseError:
        return _Bad(IssueCode.BAD_AMOUNT, f"'{_text(value)}' er ikke et antal; forventede et helt tal")
    if n is not None and n < 0:
        return _Bad(IssueCode.NEGATIVE_AMOUNT, f"antallet er negativt ({n})")
    if n is not None and n > MAX_AMOUNT:
        return _Bad(IssueCode.BAD_AMOUNT, f"antallet {n} er urealistisk stort; tjek cellen")
    return n


def _date(value: object) -> object:
    try:
        return parse_date(value)
    except DanishParseError as exc:
        return _Bad(IssueCode.BAD_DATE, f"datoen kan ikke læses: {exc}")


def _period(value: object) -> object:
    try:
        return parse_period(value)
    except DanishParseError as exc:
        return _Bad(IssueCode.BAD_PERIOD, f"projektperioden kan ikke læses: {exc}")


def _decision_converter(pact: Pact) -> Callable[[object], object]:
    inner = _matcher_converter(
        pact.decision_matcher,
        IssueCode.UNKNOWN_DECISION,
        "afgørelse",
        ["Tilsagn", "Afslag", "Afventer", "Trukket"],
    )

    def convert(value: object) -> object:
        key = inner(value)
        if isinstance(key, _Bad):
            return key
        return Decision[str(key).upper()]

    return convert


def _subtotal_pattern(pact: Pact) -> re.Pattern[str]:
    labels = "|".join(re.escape(label) for label in sorted(pact.subtotal_labels, key=len, reverse=True))
    return re.compile(rf"^\s*(?:{labels})\b[\s:.-]*((?:19|20)\d\d)?\b", re.IGNORECASE)


def read_overview(grid: Grid, columns: ColumnMap, pact: Pact) -> SheetRead:
    """Typed rows from one overview sheet whose header row is already known."""
    converters = build_converters(pact, columns)
    caches: dict[str, dict[object, object]] = {f: {} for f in converters}
    fields = list(converters)
    field_cols = [(f, columns.fields[f], converters[f], caches[f]) for f in fields]
    letters = {f: column_letter(j) for f, j in columns.fields.items()}
    records: dict[str, list[Any]] = {c: [] for c in TABLE_COLUMNS}
    result = SheetRead(grid.file, grid.sheet, columns, records)
    issues = result.issues
    subtotal_re = _subtotal_pattern(pact)
    first_cols = sorted(columns.fields.values())[:3]
    title_col = columns.fields.get("title")
    year_col = columns.fields.get("year")
    merged_year = _merged_values(grid, year_col) if year_col is not None else {}
    mapped_cols = sorted(set(columns.fields.values()))
    width = max(mapped_cols) + 1
    key_fields = {"year", "title", "applied", "granted", "decision", "theme"}
    produced = set(columns.fields) | ({"applicant"} if "title" in columns.fields else set())
    if "period" in produced or "decision" in produced:
        produced |= {"period_start", "period_end", "decision"}
    plain_amounts = {
        f for f in (*AMOUNT_FIELDS, *TARGET_FIELDS) if columns.units.get(f, AmountUnit.KR) is AmountUnit.KR
    }
    out_columns = [(c, records[c]) for c in TABLE_COLUMNS[3:] if c in produced]

    for i in range(columns.header_row + 1, len(grid.rows)):
        cells = grid.rows[i]
        row_no = i + 1
        if len(cells) < width:
            cells = list(cells) + [""] * (width - len(cells))
        filled = [j for j in mapped_cols if (v := cells[j]) != "" and v is not None]
        if not filled:
            if any(not _is_blank(c) for c in cells):
                issues.append(
                    Issue(
                        file=grid.file,
                        sheet=grid.sheet,
                        cell=None,
                        row=row_no,
                        column=None,
                        code=IssueCode.SKIPPED_ROW,
                        severity=Severity.INFO,
                        message="rækken har kun værdier i kolonner uden kendt overskrift og er sprunget over",
                    )
                )
            continue
        # subtotal / total rows
        label_match = None
        for j in first_cols:
            v = cells[j]
            if v.__class__ is str and v:
                label_match = subtotal_re.match(v)
                if label_match:
                    break
        if label_match:
            result.subtotals.append(
                _subtotal(grid, cells, row_no, label_match, columns, converters, issues, len(records["row"]))
            )
            continue
        if len(filled) == 1 and filled[0] != title_col and _looks_like_note(cells[filled[0]]):
            issues.append(
                Issue(
                    file=grid.file,
                    sheet=grid.sheet,
                    cell=f"{column_letter(filled[0])}{row_no}",
                    row=row_no,
                    column=column_letter(filled[0]),
                    code=IssueCode.SKIPPED_ROW,
                    severity=Severity.INFO,
                    message="rækken ligner en note (kun én tekst, ingen titel) og er sprunget over",
                    value=_text(cells[filled[0]])[:200],
                )
            )
            continue
        values: dict[str, Any] = {}
        row_error = False
        for f, j, convert, cache in field_cols:
            raw = cells[j]
            if raw == "" or raw is None:
                if f == "year" and row_no in merged_year:
                    raw = merged_year[row_no]
                else:
                    continue
            if raw.__class__ is CellProblem:
                row_error = True
                issues.append(_problem_issue(grid, raw, letters[f], row_no, f))
                continue
            if raw.__class__ is float and f in plain_amounts and 0 <= raw <= MAX_AMOUNT and raw.is_integer():
                values[f] = int(raw)  # the common case: a whole number of kroner
                continue
            try:
                typed = cache[raw]  # every value calamine returns is hashable
            except KeyError:
                typed = cache[raw] = _BLANK if _is_blank(raw) else convert(raw)
            if typed is _BLANK:
                continue
            if typed.__class__ is _Bad:
                row_error = row_error or typed.severity is Severity.ERROR
                issues.append(
                    Issue(
                        file=grid.file,
                        sheet=grid.sheet,
                        cell=f"{letters[f]}{row_no}",
                        row=row_no,
                        column=letters[f],
                        code=typed.code,
                        severity=typed.severity,
                        message=typed.message,
                        value=_raw_text(raw),
                    )
                )
                continue
            values[f] = typed
        # a row with only a text in one column, and no title/year/amount: a note
        if not values.keys() & key_fields and not row_error:
            issues.append(
                Issue(
                    file=grid.file,
                    sheet=grid.sheet,
                    cell=None,
                    row=row_no,
                    column=None,
                    code=IssueCode.SKIPPED_ROW,
                    severity=Severity.INFO,
                    message="rækken ligner en note (ingen år, titel, tema, afgørelse eller beløb) og er sprunget over",
                    value=" | ".join(_text(c) for c in cells if not _is_blank(c))[:200],
                )
            )
            continue
        title = values.get("title")
        if title is not None and not values.get("applicant"):
            title, applicant = split_title_applicant(title)
            values["title"] = title
            if applicant:
                values["applicant"] = applicant
        elif title is not None:
            values["title"] = split_title_applicant(title)[0]
        period = values.pop("period", None)
        if period is not None:
            values.setdefault("period_start", period.start)
            values.setdefault("period_end", period.end)
        row_error = _check_required(grid, values, row_no, columns, pact, issues, letters, title_col) or row_error
        records["row"].append(row_no)
        for c, column in out_columns:
            column.append(values.get(c))
        result.row_errors.append(row_error)
    n = len(records["row"])
    records["file"].extend([grid.file] * n)
    records["sheet"].extend([grid.sheet] * n)
    for c in TABLE_COLUMNS[3:]:
        if c not in produced:
            records[c].extend([None] * n)
    return result


def _problem_issue(grid: Grid, raw: CellProblem, letter: str, row_no: int, field_name: str) -> Issue:
    label = FIELD_LABELS.get(field_name, field_name)
    if raw.kind == "error":
        code, message = (
            IssueCode.EXCEL_ERROR,
            f"{label}: cellen indeholder Excel-fejlen {raw.text}; ret formlen eller værdien i Excel",
        )
    else:
        code, message = (
            IssueCode.FORMULA_WITHOUT_VALUE,
            f"{label}: cellen har en formel uden gemt resultat (filen er gemt af et program, der ikke beregner "
            "formler); værdien mangler og er ikke regnet som 0 — åbn filen i Excel og gem den igen",
        )
    return Issue(
        file=grid.file,
        sheet=grid.sheet,
        cell=f"{letter}{row_no}",
        row=row_no,
        column=letter,
        code=code,
        severity=Severity.ERROR,
        message=message,
        value=str(raw),
    )


def _looks_like_note(value: object) -> bool:
    return (
        isinstance(value, str) and len(value.strip()) > 6 and any(ch.isalpha() for ch in value) and " " in value.strip()
    )


def _check_required(
    grid: Grid,
    values: dict[str, Any],
    row_no: int,
    columns: ColumnMap,
    pact: Pact,
    issues: list[Issue],
    letters: dict[str, str],
    title_col: int | None,
) -> bool:
    """Missing values in required columns that exist in the sheet. Returns True on error."""
    error = False
    for f in ("year", "title", "theme"):
        if f in columns.fields and f not in values and not _already_reported(issues, letters.get(f), row_no):
            issues.append(
                Issue(
                    file=grid.file,
                    sheet=grid.sheet,
                    cell=f"{letters[f]}{row_no}",
                    row=row_no,
                    column=letters[f],
                    code=IssueCode.MISSING_VALUE,
                    severity=Severity.ERROR,
                    message=f"{FIELD_LABELS[f]} mangler; hver ansøgning skal have {FIELD_LABELS[f].lower()}",
                )
            )
            error = True
    if "decision" in columns.fields and "decision" not in values:
        letter = letters["decision"]
        if _already_reported(issues, letter, row_no):
            return True
        if values.get("granted"):
            issues.append(
                Issue(
                    file=grid.file,
                    sheet=grid.sheet,
                    cell=f"{letter}{row_no}",
                    row=row_no,
                    column=letter,
                    code=IssueCode.MISSING_VALUE,
                    severity=Severity.ERROR,
                    message="Afgørelse mangler, men der står et støttebeløb; skriv 'Tilsagn' eller 'Afslag'",
                )
            )
            error = True
        else:
            values["decision"] = Decision.PENDING
    return error


def _already_reported(issues: list[Issue], letter: str | None, row_no: int) -> bool:
    if letter is None:
        return False
    cell = f"{letter}{row_no}"
    for issue in reversed(issues[-8:]):
        if issue.row != row_no:
            break
        if issue.cell == cell:
            return True
    return False


def _subtotal(
    grid: Grid,
    cells: list[Any],
    row_no: int,
    m: re.Match[str],
    columns: ColumnMap,
    converters: dict[str, Callable[[object], object]],
    issues: list[Issue],
    position: int,
) -> Subtotal:
    label = m.group(0).strip()
    year = int(m.group(1)) if m.group(1) else None
    amounts: dict[str, int | None] = {}
    cell_refs: dict[str, str] = {}
    for f in AMOUNT_FIELDS:
        j = columns.fields.get(f)
        if j is None:
            amounts[f] = None
            continue
        cell_refs[f] = f"{column_letter(j)}{row_no}"
        raw = cells[j]
        typed = converters[f](raw) if not _is_blank(raw) else None
        if isinstance(typed, _Bad):
            issues.append(
                Issue(
                    file=grid.file,
                    sheet=grid.sheet,
                    cell=cell_refs[f],
                    row=row_no,
                    column=column_letter(j),
                    code=typed.code,
                    severity=Severity.WARNING,
                    message=f"sumrækken '{label}': {typed.message}",
                    value=_raw_text(raw),
                )
            )
            typed = None
        amounts[f] = typed  # type: ignore[assignment]
    return Subtotal(
        grid.file, grid.sheet, row_no, label, year, amounts["granted"], amounts["applied"], cell_refs, position
    )


def _merged_values(grid: Grid, col: int) -> dict[int, object]:
    """1-based row → value for cells of column ``col`` covered by a vertical merge."""
    out: dict[int, object] = {}
    for (r0, c0), (r1, c1) in grid.merged:
        if c0 <= col <= c1 and r1 > r0 and r0 < len(grid.rows) and c0 < len(grid.rows[r0]):
            value = grid.rows[r0][c0]
            for r in range(r0 + 1, r1 + 1):
                out[r + 1] = value
    return out
