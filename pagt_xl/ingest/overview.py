"""Typed application rows (and subtotal rows) from an overview sheet.

Each converter turns a raw cell value into a typed value or an issue. Values
repeat a lot in real sheets (themes, decisions, years), so converters cache
their results per raw value; this is what keeps 100k rows fast.

**A subtotal is a row that behaves like one.** A row whose first mapped
columns hold a text starting with a subtotal word of the pact ("I alt",
"Total", "Sum", "Samlet", …) is a subtotal only when

* it fills no other field than the year and the amounts (no decision, no
  applicant — neither in its column nor as "v/ …" in the title —, no case
  number, theme, type, round …), and
* its label is a bare label ("I alt", "I alt 2020", "Total:") — its amounts
  are then checked against the rows it covers, a wrong sum being a
  ``subtotal_mismatch`` — or, for a longer text ("Samlet for tema 1"), its
  stated amounts equal the sums of the rows it covers.

A row with a decision, an applicant or a case number and a longer title is an
application whatever its title starts with ("Samlet indsats for piger i STEM").
Every other row with a subtotal word is in between: it is read as an
application (money is never dropped silently) and reported as
``ambiguous_subtotal`` (warning) at its title cell.
"""

from __future__ import annotations

import datetime as dt
import operator
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from pagt_xl.base.config import COLUMN_FIELDS, AmountBounds, Pact
from pagt_xl.base.danish import (
    AmbiguousAmount,
    AmountUnit,
    DanishParseError,
    NameMatcher,
    format_amount,
    parse_amount,
    parse_date,
    parse_period,
    parse_year,
    split_title_applicant,
)
from pagt_xl.base.model import CellProblem, Decision, Issue, IssueCode, Severity, column_letter
from pagt_xl.core.tables import ColumnMap, SheetRead, Subtotal, covered_rows
from pagt_xl.ingest.grid import Grid

#: Columns of the applications table, in order. ``row`` is the 1-based Excel row.
TABLE_COLUMNS: tuple[str, ...] = (
    "file",
    "sheet",
    "row",
    # every field a header may map to, but "period": a period cell is split into period_start/period_end
    *(f for f in COLUMN_FIELDS if f != "period"),
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


class _Bad:
    """A conversion failure: issue code, severity and Danish message.

    ``value`` is the typed value the row keeps despite the issue (a warning such as
    ``theme_number_mismatch``); ``_BLANK`` (the default) means the row gets no value.
    """

    __slots__ = ("code", "message", "severity", "value")

    def __init__(
        self, code: IssueCode, message: str, severity: Severity = Severity.ERROR, value: object = _BLANK
    ) -> None:
        self.code = code
        self.message = message
        self.severity = severity
        self.value = value


def _is_blank(value: object) -> bool:
    return value is None or value == "" or (isinstance(value, str) and not value.strip())


def _raw_text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime) and value.time() == dt.time():
        return value.date().isoformat()
    return str(value)


def _collapsed_text(value: object) -> str:
    if value.__class__ is str:
        return " ".join(value.split())  # type: ignore[union-attr]
    return " ".join(_raw_text(value).split())


def _matcher_converter(
    matcher: NameMatcher, code: IssueCode, noun: str, known: list[str], names: dict[str, str] | None = None
) -> Callable[[object], object]:
    """``noun`` is the Danish indefinite noun ("indsatsområde"); ``names`` maps keys to display names."""

    def convert(value: object) -> object:
        text = _collapsed_text(value)
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
            conv[f] = _collapsed_text
        elif f == "year":
            conv[f] = _year
        elif f in AMOUNT_FIELDS:
            conv[f] = _amount_converter(columns.units.get(f, AmountUnit.KR), FIELD_LABELS[f], pact.amounts)
        elif f in TARGET_FIELDS:
            conv[f] = _count
        elif f in ("period_start", "period_end"):
            conv[f] = _date
        elif f == "period":
            conv[f] = _period
        elif f == "theme":
            conv[f] = _theme_converter(pact)
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


def _amount_converter(unit: AmountUnit, label: str, bounds: AmountBounds | None = None) -> Callable[[object], object]:
    """Whole kroner from a cell of a column in ``unit``; ambiguous, unreadable or negative values are issues.

    With ``bounds``, a value in a t.kr./mio. kr. column that is too large in that
    unit but plausible as kroner ("250000" under "(mio. kr.)") is ``unit_mismatch``;
    :func:`read_overview` folds those into one issue per column.
    """

    def convert(value: object) -> object:
        try:
            amount = parse_amount(value, unit)
        except AmbiguousAmount as exc:
            return _Bad(IssueCode.AMBIGUOUS_AMOUNT, f"{label}: {exc}")
        except DanishParseError as exc:
            return _Bad(IssueCode.BAD_AMOUNT, f"{label}: {exc}")
        if amount is not None and amount < 0:
            return _Bad(IssueCode.NEGATIVE_AMOUNT, f"{label} er negativt ({amount} kr.); forventede et beløb ≥ 0")
        if bounds is not None and amount is not None and unit is not AmountUnit.KR and amount > bounds.max_grant:
            as_kroner = _as_kroner(value)
            if as_kroner is not None and bounds.fits(as_kroner):
                return _Bad(
                    IssueCode.UNIT_MISMATCH,
                    f"{label}: '{_collapsed_text(value)}' i {unit.label} er {format_amount(amount)}, "
                    f"men passer som {format_amount(as_kroner)}",
                )
        if amount is not None and amount > MAX_AMOUNT:
            return _Bad(IssueCode.BAD_AMOUNT, f"{label}: {format_amount(amount)} er urealistisk stort; tjek cellen")
        return amount

    return convert


def _as_kroner(value: object) -> int | None:
    """``value`` read in kroner, ``None`` when it cannot be read so."""
    try:
        return parse_amount(value, AmountUnit.KR)
    except DanishParseError:
        return None


def _fold_unit_mismatches(grid: Grid, result: SheetRead) -> None:
    """One ``unit_mismatch`` issue per column, at its header cell, instead of one per cell (in place).

    The cells' rows keep their error (the values are not counted); the issue
    names how many cells and the first few.
    """
    by_column: dict[str, list[Issue]] = {}
    for issue in result.issues:
        # a subtotal row's mismatch stays its own warning: a large total may fit both units
        if issue.code is IssueCode.UNIT_MISMATCH and issue.severity is Severity.ERROR and issue.column is not None:
            by_column.setdefault(issue.column, []).append(issue)
    if not by_column:
        return
    columns = result.columns
    header_row = columns.header_row + 1
    folded: dict[str, Issue] = {}
    for letter, found in by_column.items():
        j = next(j for j, h in columns.headers.items() if column_letter(j) == letter)
        field_name = next((f for f, c in columns.fields.items() if c == j), "")
        unit = columns.units.get(field_name, AmountUnit.KR)
        cells = ", ".join(i.cell or "" for i in found[:5]) + (" …" if len(found) > 5 else "")
        n = len(found)
        folded[letter] = grid.issue(
            IssueCode.UNIT_MISMATCH,
            Severity.ERROR,
            f"kolonnen '{columns.headers[j]}' er i {unit.label}, men {n} {'celle' if n == 1 else 'celler'} "
            f"({cells}) har beløb i kroner-størrelse (fx {found[0].message.split(': ', 1)[-1]}); "
            f"{'den er' if n == 1 else 'de er'} ikke talt med — ret overskriftens enhed eller beløbene",
            row=header_row,
            column=letter,
            value=columns.headers[j],
        )
    out: list[Issue] = []
    for issue in result.issues:
        if issue.code is IssueCode.UNIT_MISMATCH and issue.severity is Severity.ERROR and issue.column in folded:
            if issue is by_column[issue.column][0]:
                out.append(folded[issue.column])
            continue
        out.append(issue)
    result.issues[:] = out


def _count(value: object) -> object:
    try:
        n = parse_amount(value)
    except DanishParseError:
        return _Bad(IssueCode.BAD_AMOUNT, f"'{_collapsed_text(value)}' er ikke et antal; forventede et helt tal")
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


_THEME_NUMBER = re.compile(r"^\s*(\d{1,2})\s*[.)]|^\s*(\d{1,2})\s+-\s+")


def _theme_converter(pact: Pact) -> Callable[[object], object]:
    """Theme key by name; a number in front that contradicts the name ("3. De potentielle STEM'ere"
    where that theme is number 1) is ``theme_number_mismatch`` (warning) and the row keeps the
    theme the name says: a name is specific, a number is one keystroke from another."""
    inner = _matcher_converter(
        pact.theme_matcher,
        IssueCode.UNKNOWN_THEME,
        "indsatsområde",
        [t.name for t in pact.themes],
        {t.key: t.name for t in pact.themes},
    )
    by_number = {t.number: t for t in pact.themes if t.number is not None}
    numbers = {t.key: t.number for t in by_number.values()}

    def convert(value: object) -> object:
        key = inner(value)
        if key.__class__ is _Bad or not numbers:
            return key
        text = _collapsed_text(value)
        m = _THEME_NUMBER.match(text)
        own = numbers.get(str(key))
        if m is None or own is None or int(m.group(1) or m.group(2)) == own:
            return key
        n = int(m.group(1) or m.group(2))
        other = by_number.get(n)
        named = pact.theme(str(key))
        numbered = f"tema {n} er '{other.name}'" if other else f"der er intet tema {n}"
        return _Bad(
            IssueCode.THEME_NUMBER_MISMATCH,
            f"indsatsområdet '{text}' har nummer {n}, men navnet er tema {own} '{named.name}' ({numbered}); "
            f"rækken er talt under tema {own} efter navnet — ret nummeret eller navnet",
            Severity.WARNING,
            value=key,
        )

    return convert


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


@dataclass
class _Layout:
    """What :func:`read_overview` works out once per sheet, before its row loop."""

    columns: ColumnMap
    #: (field, 0-based column, converter, cache of converted raw values) per mapped field
    field_cols: list[tuple[str, int, Callable[[object], object], dict[object, object]]]
    converters: dict[str, Callable[[object], object]]
    letters: dict[str, str]
    subtotal_re: re.Pattern[str]
    #: the columns where a subtotal label may stand: every label column (title, year, case number,
    #: round, applicant, theme, type) and the first three mapped columns, in sheet order
    first_cols: list[int]
    title_col: int | None
    #: 1-based row → year for rows covered by a vertically merged year cell
    merged_year: dict[int, object]
    #: the year the sheet's name or title gives (``[overview] year_from``), for rows without their own
    context_year: int | None
    mapped_cols: list[int]
    width: int
    #: table columns this sheet fills (the others are all None)
    produced: set[str]
    #: amount/count fields in whole kroner, where a whole float can be taken as is
    plain_amounts: set[str]


#: A row with at least one of these is an application; without any it is a note.
_KEY_FIELDS = frozenset({"year", "title", "applied", "granted", "decision", "theme"})
#: Columns whose text may be a subtotal's label ("Sum 2023" in the round column).
_LABEL_FIELDS = frozenset({"year", "case_id", "round", "title", "applicant", "theme", "project_type"})
#: Fields whose values have a pattern (a year, an amount, a decision word, a known name ...): a row under
#: the header with none of them matching is a notes row.
_PATTERN_FIELDS = frozenset({"year", "applied", "granted", "decision", "theme", "round", "project_type",
                             "period", "period_start", "period_end", "status", "progress", *TARGET_FIELDS})  # fmt: skip


def _layout(grid: Grid, columns: ColumnMap, pact: Pact, context_year: int | None = None) -> _Layout:
    converters = build_converters(pact, columns)
    year_col = columns.fields.get("year")
    mapped_cols = sorted(set(columns.fields.values()))
    produced = set(columns.fields) | ({"applicant"} if "title" in columns.fields else set())
    if context_year is not None:
        produced.add("year")
    if "period" in produced or "decision" in produced:
        produced |= {"period_start", "period_end", "decision"}
    return _Layout(
        columns=columns,
        field_cols=[(f, columns.fields[f], convert, {}) for f, convert in converters.items()],
        converters=converters,
        letters={f: column_letter(j) for f, j in columns.fields.items()},
        subtotal_re=_subtotal_pattern(pact),
        first_cols=sorted(
            set(sorted(columns.fields.values())[:3]) | {j for f, j in columns.fields.items() if f in _LABEL_FIELDS}
        ),
        title_col=columns.fields.get("title"),
        merged_year=_merged_values(grid, year_col) if year_col is not None else {},
        context_year=context_year,
        mapped_cols=mapped_cols,
        width=max(mapped_cols) + 1,
        produced=produced,
        plain_amounts={
            f for f in (*AMOUNT_FIELDS, *TARGET_FIELDS) if columns.units.get(f, AmountUnit.KR) is AmountUnit.KR
        },
    )


def read_overview(
    grid: Grid, columns: ColumnMap, pact: Pact, *, context_year: int | None = None, year_source: str = ""
) -> SheetRead:
    """Typed rows from one overview sheet whose header row is already known.

    ``context_year`` is the year the sheet's name or title gives (``[overview] year_from``;
    ``year_source`` says where, in Danish, for messages): the year of every row without a
    year of its own; a row whose year cell differs from it is ``year_mismatch`` (warning).

    Each row below the header is blank, a subtotal row, a note, or an
    application. The sheet is read column by column: each mapped column is
    converted once per distinct raw value (:func:`_convert_column`) and the rows
    are classified from the converted columns. Only rows that need a closer look
    (blank, one filled cell, a subtotal word in front, a value with an issue, a
    missing required value) take the row-by-row path (:func:`_is_application_row`,
    :func:`_convert_row`, :func:`_check_required`); every other row is an
    application without issues and is taken straight from the columns.
    """
    layout = _layout(grid, columns, pact, context_year)
    records: dict[str, list[Any]] = {c: [] for c in TABLE_COLUMNS}
    result = SheetRead(grid.file, grid.sheet, columns, records)
    start = columns.header_row + 1
    body = grid.rows[start:]
    n = len(body)
    width = layout.width
    if n and min(map(len, body)) < width:
        body = [r if len(r) >= width else [*r, *[""] * (width - len(r))] for r in body]
    raw_cols = _columns(body, layout.mapped_cols)
    merged: list[int] = []  # rows whose empty year cell takes the value of a merged cell above
    year_col = columns.fields.get("year")
    if year_col is not None and layout.merged_year:
        year_raw = raw_cols[year_col] = list(raw_cols[year_col])
        for row_no, value in layout.merged_year.items():
            k = row_no - 1 - start
            if 0 <= k < n and (year_raw[k] == "" or year_raw[k] is None):
                year_raw[k] = value
                merged.append(k)
    if year_col is not None and context_year is not None:  # an empty year cell is the sheet's year
        year_raw = raw_cols[year_col] = [context_year if v == "" or v is None else v for v in raw_cols[year_col]]
    clean: dict[str, list[Any]] = {}
    codes: dict[str, np.ndarray] = {}
    for f, j, convert, cache in layout.field_cols:
        clean[f], codes[f] = _convert_column(raw_cols[j], f, convert, cache, layout)
    if year_col is None and context_year is not None:
        clean["year"] = [context_year] * n
    special = _special_rows(layout, raw_cols, codes, n)
    special[merged] = True  # the row-by-row path counts such a row's filled cells without the merged year
    _read_rows(grid, layout, body, start, clean, special, result)
    for j in columns.unmapped:  # each record's raw cell in the columns the pact does not map (the round's)
        result.unmapped_cells[j] = [_cell(grid.rows[r - 1], j) for r in records["row"]]
    _fold_unit_mismatches(grid, result)
    if context_year is not None and year_col is not None:
        _report_year_mismatches(grid, layout, context_year, year_source, result)
    _fill_sheet_columns(grid, records, layout.produced)
    return result


def _report_year_mismatches(grid: Grid, layout: _Layout, year: int, source: str, result: SheetRead) -> None:
    """A ``year_mismatch`` warning at each year cell whose year differs from the sheet's (the cell's year counts)."""
    letter = layout.letters["year"]
    for row_no, y in zip(result.records["row"], result.records["year"], strict=True):
        if y is not None and y != year:
            result.issues.append(
                grid.issue(
                    IssueCode.YEAR_MISMATCH,
                    Severity.WARNING,
                    f"året i cellen ({y}) passer ikke med {source} ({year}); rækken tælles under {y} — "
                    "ret året, eller flyt rækken til arket for sit år",
                    row=row_no,
                    column=letter,
                    value=y,
                )
            )


def _cell(cells: Sequence[Any], j: int) -> Any:
    return cells[j] if j < len(cells) else ""


def _columns(body: list[list[Any]], wanted: list[int]) -> dict[int, Sequence[Any]]:
    """The ``wanted`` columns of rows wide enough for all of them.

    One transposition reads each row once (the rows of a big sheet are spread over
    memory); picking column by column is quicker only when few columns are wanted.
    """
    if body and len(wanted) * 3 >= min(map(len, body)):
        transposed = list(zip(*body, strict=False))  # as many columns as the shortest row, ≥ the width
        return {j: transposed[j] for j in wanted}  # tuples, not copied: a million-row sheet has enough copies
    return {j: list(map(operator.itemgetter(j), body)) for j in wanted}


#: Codes :func:`_convert_column` gives each cell: a value, blank text ("  "), an empty cell, an issue.
_VALUE, _BLANK_TEXT, _EMPTY, _ISSUE = 0, 1, 2, 3
_NUMBER_TYPES = frozenset({int, float, bool})


def _convert_one(
    raw: object, convert: Callable[[object], object], cache: dict[object, object], plain: bool, text: bool
) -> tuple[object, int]:
    """One raw value as :func:`_convert_row` converts it: (typed value or ``None``, code)."""
    if raw == "" or raw is None:
        return None, _EMPTY
    if raw.__class__ is CellProblem:
        return None, _ISSUE
    if plain and raw.__class__ is float and 0 <= raw <= MAX_AMOUNT and raw.is_integer():  # type: ignore[operator]
        return int(raw), _VALUE  # type: ignore[call-overload]
    if text and raw.__class__ is str:
        collapsed = " ".join(raw.split())  # type: ignore[attr-defined]
        return (collapsed, _VALUE) if collapsed else (None, _BLANK_TEXT)
    try:
        typed = cache[raw]
    except KeyError:
        typed = cache[raw] = _BLANK if _is_blank(raw) else convert(raw)
    if typed is _BLANK:
        return None, _BLANK_TEXT
    if typed.__class__ is _Bad:
        return None, _ISSUE
    return typed, _VALUE


def _convert_column(
    raw: Sequence[Any], f: str, convert: Callable[[object], object], cache: dict[object, object], layout: _Layout
) -> tuple[list[Any], np.ndarray]:
    """A column's typed values (``None`` where there is none) and a code per cell (``_VALUE`` ...).

    Each distinct raw value is converted once; a column of mostly distinct texts or
    whole kroner (titles, amounts) is converted in one sweep instead. Values of different types that compare equal
    (``1.0 == True``) would share one conversion, so a column that mixes number
    types is converted cell by cell (with the same cache, as the row path does).
    """
    n = len(raw)
    plain = f in layout.plain_amounts
    text = convert is _collapsed_text
    try:
        distinct: set[Any] | None = set(raw)
    except TypeError:  # an unhashable value (only from in-memory grids)
        distinct = None
    if text and distinct is not None and len(distinct) * 4 > n:  # mostly unique texts: one sweep
        out = [" ".join(v.split()) if v.__class__ is str else _BLANK for v in raw]
        rest = [k for k, t in enumerate(out) if not t or t is _BLANK]
    elif plain and distinct is not None and len(distinct) * 4 > n:
        out = [int(v) if v.__class__ is float and 0 <= v <= MAX_AMOUNT and v.is_integer() else _BLANK for v in raw]
        rest = [k for k, t in enumerate(out) if t is _BLANK]
    else:
        if distinct is not None and (
            _NUMBER_TYPES.isdisjoint(map(type, distinct)) or len(_NUMBER_TYPES.intersection(map(type, raw))) <= 1
        ):
            memo = {v: _convert_one(v, convert, cache, plain, text) for v in distinct}
            typed = {v: t for v, (t, _) in memo.items()}
            if all(c == _VALUE for _, c in memo.values()):
                return list(map(typed.__getitem__, raw)), np.zeros(n, np.int8)
            code = {v: c for v, (_, c) in memo.items()}
            return list(map(typed.__getitem__, raw)), np.fromiter(map(code.__getitem__, raw), np.int8, n)
        out = [_BLANK] * n
        rest = list(range(n))
    codes = np.zeros(n, np.int8)  # _VALUE
    for k in rest:
        out[k], codes[k] = _convert_one(raw[k], convert, cache, plain, text)
    return out, codes


def _special_rows(
    layout: _Layout, raw_cols: dict[int, Sequence[Any]], codes: dict[str, np.ndarray], n: int
) -> np.ndarray:
    """Rows that take the row-by-row path: fewer than two filled cells, a subtotal word in front,
    a value with an issue, no key field, or a missing year, title, theme or decision."""
    filled = np.zeros(n, np.int16)
    by_col = {layout.columns.fields[f]: c for f, c in codes.items()}
    for c in by_col.values():
        filled += c != _EMPTY
    special = filled < 2
    key_present = np.zeros(n, bool)
    for f, c in codes.items():
        special |= c == _ISSUE
        if f in _KEY_FIELDS:
            key_present |= c == _VALUE
        if f in ("year", "title", "theme", "decision"):
            special |= c != _VALUE
    special |= ~key_present
    match = layout.subtotal_re.match
    for j in layout.first_cols:
        col = raw_cols[j]
        try:
            words = {v for v in set(col) if v.__class__ is str and v and match(v)}  # each distinct text once
        except TypeError:  # an unhashable value (only from in-memory grids)
            words = None
        if words is None or words:
            special[[k for k, v in enumerate(col) if v.__class__ is str and v and match(v)]] = True
    return special


def _read_rows(
    grid: Grid,
    layout: _Layout,
    body: list[list[Any]],
    start: int,
    clean: dict[str, list[Any]],
    special: np.ndarray,
    result: SheetRead,
) -> None:
    """Fill ``result.records``: special rows row by row (in sheet order, as they were always read),
    the other rows from the converted columns."""
    issues = result.issues
    columns = layout.columns
    ordinary = ~special
    ordinary_before = np.cumsum(ordinary) - ordinary
    accepted: dict[int, tuple[dict[str, Any], bool]] = {}

    def before(field_name: str, k: int) -> list[Any]:
        """The records of ``field_name`` read before body row ``k``."""
        rows = sorted([*np.flatnonzero(ordinary[:k]).tolist(), *accepted])
        col = clean.get(field_name)
        return [accepted[r][0].get(field_name) if r in accepted else (col[r] if col else None) for r in rows]

    for k in np.flatnonzero(special).tolist():
        cells = body[k]
        row_no = start + k + 1
        position = int(ordinary_before[k]) + len(accepted)
        if not _is_application_row(grid, layout, cells, row_no, result, position, lambda f, k=k: before(f, k)):
            continue
        values, row_error = _convert_row(grid, layout, cells, row_no, issues)
        own = values.keys() - ({"year"} if _year_given_by_sheet(layout, cells, row_no) else set())
        if own.isdisjoint(_KEY_FIELDS) and not row_error:
            issues.append(
                _row_issue(
                    grid,
                    row_no,
                    "rækken ligner en note (ingen år, titel, tema, afgørelse eller beløb) og er sprunget over",
                    " | ".join(_collapsed_text(c) for c in cells if not _is_blank(c))[:200],
                )
            )
            continue
        _complete(values)
        row_error = _check_required(grid, values, row_no, columns, issues, layout.letters) or row_error
        accepted[k] = (values, row_error)
    keep = ordinary.copy()
    keep[list(accepted)] = True
    rows = np.flatnonzero(keep).tolist()
    take = _taker(rows)
    table = _ordinary_values(layout, clean, len(body))
    records = result.records
    records["row"] = [start + k + 1 for k in rows]
    for c in TABLE_COLUMNS[3:]:
        if c not in layout.produced:
            continue
        col = table.get(c)
        if col is None:
            col = [None] * len(body)
        elif accepted:
            col = list(col)
        for k, (values, _) in accepted.items():
            col[k] = values.get(c)
        records[c] = take(col)
    result.row_errors = [accepted[k][1] if k in accepted else False for k in rows] if accepted else [False] * len(rows)


def _taker(rows: list[int]) -> Callable[[list[Any]], list[Any]]:
    """A function that picks ``rows`` (indexes) from a list, fast."""
    if not rows:
        return lambda col: []
    if len(rows) == 1:
        return lambda col: [col[rows[0]]]
    get = operator.itemgetter(*rows)
    return lambda col: list(get(col))


def _ordinary_values(layout: _Layout, clean: dict[str, list[Any]], n: int) -> dict[str, list[Any]]:
    """The table columns for rows without issues: converted values, the title split from its applicant,
    a period split into start and end (what :func:`_complete` does row by row)."""
    table = {f: col for f, col in clean.items() if f != "period"}
    title = clean.get("title")
    if title is not None:
        applicant = clean.get("applicant") or [None] * n
        titles: list[Any] = []
        applicants: list[Any] = []
        for t, a in zip(title, applicant, strict=True):
            if t is not None:
                t, split = _split_collapsed(t)
                if not a and split:
                    a = split
            titles.append(t)
            applicants.append(a)
        table["title"], table["applicant"] = titles, applicants
    period = clean.get("period")
    if period is not None:
        for f, attr in (("period_start", "start"), ("period_end", "end")):
            own = clean.get(f)
            table[f] = [
                (o if o is not None else (getattr(p, attr) if p is not None else None))
                for o, p in zip(own or [None] * n, period, strict=True)
            ]
    return table


def _split_collapsed(text: str) -> tuple[str, str | None]:
    """:func:`split_title_applicant` of a collapsed text (single spaces), the same result, faster."""
    if "<" in text or "\u0130" in text:  # tags; the one letter whose lower case is longer ("İ")
        return split_title_applicant(text)
    k, upper = text.rfind("v/"), text.rfind("V/")
    if upper > k:
        k = upper
    if k <= 0 or not text[k - 1].isspace():
        return text, None
    title = text[:k].strip().rstrip(",;-–").strip()
    applicant = text[k + 2 :].strip().rstrip(".,;").strip()
    if not title or not applicant:
        return text, None
    return title, applicant


def _row_issue(grid: Grid, row_no: int, message: str, value: object = None, column: str | None = None) -> Issue:
    """A row that is skipped (not an application); ``column`` names the cell that made it look like one."""
    return grid.issue(IssueCode.SKIPPED_ROW, Severity.INFO, message, row=row_no, column=column, value=value)


def _is_application_row(
    grid: Grid,
    layout: _Layout,
    cells: list[Any],
    row_no: int,
    result: SheetRead,
    position: int,
    before: Callable[[str], list[Any]],
) -> bool:
    """Whether a row may be an application; blank rows are skipped, subtotal rows and notes recorded in ``result``."""
    filled = [j for j in layout.mapped_cols if (v := cells[j]) != "" and v is not None]
    if not filled:
        if any(not _is_blank(c) for c in cells):
            result.issues.append(
                _row_issue(grid, row_no, "rækken har kun værdier i kolonner uden kendt overskrift og er sprunget over")
            )
        return False
    for j in layout.first_cols:
        v = cells[j]
        if v.__class__ is str and v and (label_match := layout.subtotal_re.match(v)):
            return _labelled_row_is_application(grid, layout, cells, row_no, result, position, j, label_match, before)
    if position == 0 and _is_notes_row(layout, cells):  # before the first application (a totals row may be above)
        message = (
            "rækken under overskriften ligner en vejledning eller note (tekst uden år, beløb, afgørelse eller "
            "kendt navn) og er sprunget over"
        )
        value = " | ".join(_collapsed_text(cells[j]) for j in filled)[:200]
        result.issues.append(_row_issue(grid, row_no, message, value, column_letter(filled[0])))
        return False
    if len(filled) == 1 and filled[0] != layout.title_col and _looks_like_note(cells[filled[0]]):
        message = "rækken ligner en note (kun én tekst, ingen titel) og er sprunget over"
        value = _collapsed_text(cells[filled[0]])[:200]
        result.issues.append(_row_issue(grid, row_no, message, value, column_letter(filled[0])))
        return False
    return True


def _convert_row(
    grid: Grid, layout: _Layout, cells: list[Any], row_no: int, issues: list[Issue]
) -> tuple[dict[str, Any], bool]:
    """The typed values of an application row, and whether a value had an error (reported in ``issues``).

    The hot loop: whole kroner as floats are taken directly, and every other raw
    value is converted once per sheet (``cache``).
    """
    values: dict[str, Any] = {}
    row_error = False
    merged_year = layout.merged_year
    plain_amounts = layout.plain_amounts
    for f, j, convert, cache in layout.field_cols:
        raw = cells[j]
        if raw == "" or raw is None:
            if f == "year" and row_no in merged_year:
                raw = merged_year[row_no]
            elif f == "year" and layout.context_year is not None:
                raw = layout.context_year
            else:
                continue
        if raw.__class__ is CellProblem:
            row_error = True
            issues.append(_problem_issue(grid, raw, layout.letters[f], row_no, f))
            continue
        if raw.__class__ is float and f in plain_amounts and 0 <= raw <= MAX_AMOUNT and raw.is_integer():
            values[f] = int(raw)  # the common case: a whole number of kroner
            continue
        if convert is _collapsed_text and raw.__class__ is str:
            # titles and case numbers are mostly unique: caching them would only cost; blank text is no value
            text = " ".join(raw.split())
            if text:
                values[f] = text
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
                grid.issue(
                    typed.code,
                    typed.severity,
                    typed.message,
                    row=row_no,
                    column=layout.letters[f],
                    value=_raw_text(raw),
                )
            )
            if typed.value is not _BLANK:  # a warning that keeps the value
                values[f] = typed.value
            continue
        values[f] = typed
    if layout.context_year is not None and "year" not in layout.columns.fields:
        values["year"] = layout.context_year
    return values, row_error


def _year_given_by_sheet(layout: _Layout, cells: list[Any], row_no: int) -> bool:
    """Whether a row's year comes from a merged cell or the sheet's name or title, not its own cell."""
    j = layout.columns.fields.get("year")
    if j is None:
        return layout.context_year is not None
    return _is_blank(cells[j]) and (row_no in layout.merged_year or layout.context_year is not None)


def _complete(values: dict[str, Any]) -> None:
    """Split "title v/ applicant" and a period into start and end, in place."""
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


def _fill_sheet_columns(grid: Grid, records: dict[str, list[Any]], produced: set[str]) -> None:
    """File and sheet name for every record; ``None`` in the table columns this sheet does not have."""
    n = len(records["row"])
    records["file"].extend([grid.file] * n)
    records["sheet"].extend([grid.sheet] * n)
    for c in TABLE_COLUMNS[3:]:
        if c not in produced:
            records[c].extend([None] * n)


def _problem_issue(grid: Grid, raw: CellProblem, letter: str, row_no: int, field_name: str) -> Issue:
    """The issue for an Excel error value or a formula saved without its result."""
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
    return grid.issue(code, Severity.ERROR, message, row=row_no, column=letter, value=str(raw))


def _is_notes_row(layout: _Layout, cells: list[Any]) -> bool:
    """Whether a row holds only text, and none of it reads as a year, an amount, a decision or a known name
    in its column ("udfyldes af sekretariatet", "kr.", "Tilsagn/Afslag"): instructions under the header."""
    text = False
    for f, j in layout.columns.fields.items():
        v = cells[j]
        if _is_blank(v):
            continue
        if v.__class__ is not str:
            return False  # a number, a date, an error value: data
        if f in _PATTERN_FIELDS:
            typed = layout.converters[f](v)  # None: no value ("kr." alone)
            if typed is not None and (typed.__class__ is not _Bad or typed.value is not _BLANK):  # type: ignore[union-attr]
                return False
        text = text or any(ch.isalpha() for ch in v)
    return text


def _looks_like_note(value: object) -> bool:
    return (
        isinstance(value, str) and len(value.strip()) > 6 and any(ch.isalpha() for ch in value) and " " in value.strip()
    )


def _check_required(
    grid: Grid,
    values: dict[str, Any],
    row_no: int,
    columns: ColumnMap,
    issues: list[Issue],
    letters: dict[str, str],
) -> bool:
    """Missing values in required columns that exist in the sheet. Returns True on error.

    A missing decision means pending, unless there is a granted amount.
    """
    error = False
    for f in ("year", "title", "theme"):
        if f in columns.fields and f not in values and not _already_reported(issues, letters.get(f), row_no):
            issues.append(
                grid.issue(
                    IssueCode.MISSING_VALUE,
                    Severity.ERROR,
                    f"{FIELD_LABELS[f]} mangler; hver ansøgning skal have {FIELD_LABELS[f].lower()}",
                    row=row_no,
                    column=letters[f],
                )
            )
            error = True
    if "decision" in columns.fields and "decision" not in values:
        letter = letters["decision"]
        if _already_reported(issues, letter, row_no):
            return True
        if values.get("granted"):
            issues.append(
                grid.issue(
                    IssueCode.MISSING_VALUE,
                    Severity.ERROR,
                    "Afgørelse mangler, men der står et støttebeløb; skriv 'Tilsagn' eller 'Afslag'",
                    row=row_no,
                    column=letter,
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


#: A value in one of these fields makes a row an application, whatever its title starts with.
_APPLICATION_MARKERS = ("decision", "applicant", "case_id")
#: The fields a subtotal row may fill besides its label.
_SUBTOTAL_FIELDS = frozenset({"year", "applied", "granted"})


def _labelled_row_is_application(
    grid: Grid,
    layout: _Layout,
    cells: list[Any],
    row_no: int,
    result: SheetRead,
    position: int,
    j: int,
    m: re.Match[str],
    before: Callable[[str], list[Any]],
) -> bool:
    """Whether a row starting with a subtotal word is an application (see the module docstring for the rule).

    A subtotal is recorded in ``result``; a row in between is reported as ``ambiguous_subtotal``.
    ``before(field)`` gives that field of the applications read before this row.
    """
    text: str = cells[j]
    bare = not any(ch.isalpha() for ch in text[m.end() :])
    fields = layout.columns.fields
    others = [f for f, c in fields.items() if c != j and f not in _SUBTOTAL_FIELDS and not _is_blank(cells[c])]
    if j == layout.title_col and "applicant" not in others and split_title_applicant(text)[1]:
        others.append("applicant")
    if others and not bare and any(f in _APPLICATION_MARKERS for f in others):
        return True  # a project whose title starts with a subtotal word
    if others:
        names = ", ".join(FIELD_LABELS.get(f, f) for f in others)
        _report_ambiguous(grid, layout, row_no, j, text, f"den har også {names} udfyldt", result.issues)
        return True
    sub, sub_issues = _subtotal(grid, cells, row_no, m, layout, position)
    if not bare:
        stated = {f: v for f in AMOUNT_FIELDS if (v := getattr(sub, f)) is not None}
        previous = result.subtotals[-1].position if result.subtotals else 0
        read = {f: before(f) for f in ("year", *stated)}
        idx = covered_rows(sub.year, position, previous, read["year"])
        sums = {f: sum(v for k in idx if (v := read[f][k]) is not None) for f in stated}
        if not stated or sub_issues or sums != stated:
            reason = (
                "den angiver intet beløb"
                if not stated
                else f"beløbet passer ikke med summen af de {len(idx)} rækker over den"
            )
            _report_ambiguous(grid, layout, row_no, j, text, reason, result.issues)
            return True
    result.subtotals.append(sub)
    result.issues.extend(sub_issues)
    return False


def _report_ambiguous(
    grid: Grid, layout: _Layout, row_no: int, j: int, text: str, reason: str, issues: list[Issue]
) -> None:
    """A row that starts with a subtotal word but is read as an application, reported at its title cell."""
    col = layout.title_col if layout.title_col is not None else j
    issues.append(
        grid.issue(
            IssueCode.AMBIGUOUS_SUBTOTAL,
            Severity.WARNING,
            f"rækken begynder med et sumord ('{_collapsed_text(text)[:60]}'), men {reason}; den er læst som en "
            "ansøgning — er det en sumrække, så lad kun sumordet og beløbene stå og tjek summen",
            row=row_no,
            column=column_letter(col),
            value=_collapsed_text(text)[:200],
        )
    )


def _subtotal(
    grid: Grid,
    cells: list[Any],
    row_no: int,
    m: re.Match[str],
    layout: _Layout,
    position: int,
) -> tuple[Subtotal, list[Issue]]:
    """A subtotal row and its issues; an unreadable amount in it is a warning and counts as absent."""
    label = m.group(0).strip()
    year = int(m.group(1)) if m.group(1) else None
    amounts: dict[str, int | None] = {}
    cell_refs: dict[str, str] = {}
    issues: list[Issue] = []
    for f in AMOUNT_FIELDS:
        j = layout.columns.fields.get(f)
        if j is None:
            amounts[f] = None
            continue
        letter = column_letter(j)
        cell_refs[f] = f"{letter}{row_no}"
        raw = cells[j]
        typed = layout.converters[f](raw) if not _is_blank(raw) else None
        if isinstance(typed, _Bad):
            issues.append(
                grid.issue(
                    typed.code,
                    Severity.WARNING,
                    f"sumrækken '{label}': {typed.message}",
                    row=row_no,
                    column=letter,
                    value=_raw_text(raw),
                )
            )
            typed = None
        amounts[f] = typed  # type: ignore[assignment]
    sub = Subtotal(
        grid.file, grid.sheet, row_no, label, year, amounts["granted"], amounts["applied"], cell_refs, position
    )
    return sub, issues


def _merged_values(grid: Grid, col: int) -> dict[int, object]:
    """1-based row → value for cells of column ``col`` covered by a vertical merge."""
    out: dict[int, object] = {}
    for (r0, c0), (r1, c1) in grid.merged:
        if c0 <= col <= c1 and r1 > r0 and r0 < len(grid.rows) and c0 < len(grid.rows[r0]):
            value = grid.rows[r0][c0]
            for r in range(r0 + 1, r1 + 1):
                out[r + 1] = value
    return out
