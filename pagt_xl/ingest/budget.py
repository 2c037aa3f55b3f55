"""Reading applicants' budget workbooks into :class:`~pagt_xl.core.tables.BudgetRecord` (the form is found
tolerantly: see :mod:`pagt_xl.core.budget` for the rules that judge it)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from pagt_xl.base.config import BudgetRules, Pact
from pagt_xl.base.danish import (
    AmountUnit,
    DanishParseError,
    amount_unit_from_header,
    format_amount,
    header_key,
    parse_amount,
    parse_date,
    parse_period,
    parse_year,
)
from pagt_xl.base.errors import InputError
from pagt_xl.base.model import Issue, IssueCode, Severity, column_letter
from pagt_xl.core.budget import _check_against_overview, _check_budget
from pagt_xl.core.tables import BudgetRecord, BudgetReview, CostLine, UnderspendNote
from pagt_xl.ingest.grid import Grid, read_grids

#: the form fields that hold amounts (kr.)
_AMOUNT_FIELDS = ("own", "partner", "sought", "granted")

#: the largest amount read as real (kr.)
_MAX_AMOUNT = 10**12

def _stripped_text(v: Any) -> str:
    """A cell value as stripped text; whole-number floats without ".0", blank cells as ""."""
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip()

def _is_blank(v: Any) -> bool:
    return v in ("", None)

def _at(row: list[Any], j: int) -> Any:
    """The value in column ``j`` of a grid row (``""`` beyond its end)."""
    return row[j] if j < len(row) else ""

#: header rows tried per sheet (a sheet may explain the form before the real table)
_MAX_HEADER_CANDIDATES = 5

#: a category followed by a note: "Andet: el og varme", "Andet (husleje)", "Andet - rengøring"
_CATEGORY_WITH_NOTE = re.compile(r"^\s*([^:(]+?)\s*(?::|\(| - | – )\s*\S")

#: a date written "1/3 2023" or "1/3-2023" (day/month year), as applicants type them in a period
_SLASH_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})[ ./-]*(\d{4})$")

#: what separates the two dates of a period in one cell
_PERIOD_SEPARATOR = re.compile(r"\s+(?:-|–|—|til)\s+|\s*[–—]\s*", re.IGNORECASE)


@dataclass(frozen=True)
class _CostHeader:
    """The cost table's header row (0-based grid indexes)."""

    row: int
    category: int
    amount: int
    description: int | None
    #: column → year of the spending columns ("Forbrug 2024", "Afholdt i 2024" ...)
    spending: dict[int, int]
    #: the unit of the amount column's header ("Beløb (t.kr.)": thousands) and of each spending column's
    unit: AmountUnit = AmountUnit.KR
    spending_units: dict[int, AmountUnit] = field(default_factory=dict)
    #: column → year, when the budget is laid out by year in columns under the amount header (a row of years
    #: below it, "Budget (kr.)" merged over them); ``total`` is that block's "I alt" column, if it has one
    years: dict[int, int] = field(default_factory=dict)
    total: int | None = None
    #: the grid row of the first cost line (below the row of years, when there is one)
    first_line: int = 0
    #: the date the spending figures are made up to ("Forbrug pr. 31.12.2025"); ``None``: not given
    status_date: dt.date | None = None


def _cost_headers(grid: Grid, words: BudgetRules) -> list[_CostHeader]:
    """The rows (of the first 200) with a category and an amount header, top down (at most a few)."""
    found: list[_CostHeader] = []
    for i, row in enumerate(grid.rows[:200]):
        cols: dict[str, int] = {}
        spending: dict[int, int] = {}
        dates: list[dt.date] = []
        for j, v in enumerate(row):
            if not isinstance(v, str) or not v.strip():
                continue
            role = words.cost_header_index.get(header_key(v))
            if role is not None:
                cols.setdefault(role, j)
            elif (year := words.spending_year(v)) is not None:
                spending[j] = year
                if (date := words.spending_date(v)) is not None:
                    dates.append(date)
        if "category" in cols and "amount" in cols:
            amount = cols["amount"]
            years, total = _year_columns(grid, i, amount, words)
            found.append(_CostHeader(
                i, cols["category"], amount, cols.get("description"), spending,
                unit=amount_unit_from_header(str(row[amount])),
                spending_units={j: amount_unit_from_header(str(row[j])) for j in spending},
                years=years, total=total, first_line=i + (2 if years else 1),
                status_date=max(dates) if dates else None,
            ))  # fmt: skip
            if len(found) >= _MAX_HEADER_CANDIDATES:
                break
    return found


def _as_year(v: Any) -> int | None:
    """A year header cell (2024, 2024.0, "2024", "År 2024"); ``None`` otherwise."""
    if isinstance(v, bool):
        return None
    if isinstance(v, int | float) and float(v).is_integer() and 1990 <= int(v) <= 2100:
        return int(v)
    m = re.fullmatch(r"\s*(?:år\s+)?((?:19|20)\d\d)\s*", v, re.IGNORECASE) if isinstance(v, str) else None
    return int(m.group(1)) if m else None


def _year_columns(grid: Grid, i: int, amount: int, words: BudgetRules) -> tuple[dict[int, int], int | None]:
    """The budget's years as columns under the amount header at grid row ``i``: a row of years right below it,
    from the amount column on (over the header's merged cells, else as far as the years go), with an optional
    "I alt" column. ``({}, None)`` when the row below holds no years there."""
    if i + 1 >= len(grid.rows):
        return {}, None
    below, header = grid.rows[i + 1], grid.rows[i]
    span = next((range(c0, c1 + 1) for (r0, c0), (r1, c1) in grid.merged if r0 == i and c0 == amount and c1 > c0),
                None)  # fmt: skip
    if span is None:  # not merged: the columns right of the amount column whose header cell is blank
        end = amount + 1
        while end < len(below) and _is_blank(_at(header, end)) and not _is_blank(below[end]):
            end += 1
        span = range(amount, end)
    years: dict[int, int] = {}
    total = None
    total_words = {header_key(w) for w in words.labels.total}
    for j in span:
        v = _at(below, j)
        if (year := _as_year(v)) is not None:
            years[j] = year
        elif isinstance(v, str) and header_key(v) in total_words:
            total = j
    return (years, total) if years else ({}, None)


class _FormReader:
    """Reads one sheet holding a budget form into a :class:`BudgetRecord`, collecting issues."""

    def __init__(self, grid: Grid, header: _CostHeader, words: BudgetRules) -> None:
        self.grid = grid
        self.header = header
        self.words = words
        self.record = BudgetRecord(file=grid.file, sheet=grid.sheet, spent_as_of=header.status_date)
        self.issues: list[Issue] = []
        #: grid row → the row of the category cell merged down over it (one category over several lines)
        self.merged_category: dict[int, int] = {
            r: r0 for (r0, c0), (r1, c1) in grid.merged if c0 <= header.category <= c1 and r1 > r0
            for r in range(r0 + 1, r1 + 1)
        }  # fmt: skip

    def issue(self, i: int, j: int, code: IssueCode, message: str, value: Any = None) -> None:
        """An error at grid row ``i``, column ``j`` (0-based, converted to Excel's row and letter)."""
        self.issues.append(Issue.at(code, Severity.ERROR, message, file=self.grid.file, sheet=self.grid.sheet,
                                    row=i + 1, column=column_letter(j), value=value))  # fmt: skip

    def amount(self, v: Any, i: int, j: int, label: str, unit: AmountUnit = AmountUnit.KR) -> int | None:
        """An amount in kroner (``unit``: the header's); ``None`` (and an issue) when unreadable, negative or
        absurdly large."""
        try:
            value = parse_amount(v, unit)
        except DanishParseError as exc:
            self.issue(i, j, IssueCode.BUDGET_BAD_AMOUNT, f"{label}: {exc}", v)
            return None
        if value is not None and (value < 0 or value > _MAX_AMOUNT):
            self.issue(i, j, IssueCode.BUDGET_BAD_AMOUNT, f"{label}: beløbet er negativt eller urealistisk stort", v)
            return None
        return value

    def read(self) -> BudgetRecord:
        """The record: labelled fields above and below the cost table, then the cost lines."""
        self.read_cost_lines(self.read_fields())
        return self.record

    # -- labelled fields ----------------------------------------------------
    def read_fields(self) -> int | None:
        """Read every labelled field once (first label wins); returns the total row below the table."""
        total_row = None
        for i, row in enumerate(self.grid.rows):
            if self.header.row <= i < self.header.first_line:  # the header (and its row of years)
                continue
            found = self._new_label(i, row)
            if found is None:
                continue
            j, key, label = found
            if key == "total":
                total_row = i
                self._read_total(i, row)
            else:
                self._read_field(i, row, j, key, label)
        return total_row

    def _new_label(self, i: int, row: list[Any]) -> tuple[int, str, str] | None:
        """The first label in the row, left of the amount column, of a field not read yet.

        A financing label followed by names ("Medfinansiering fra partner (firma)")
        counts only as the row's first text, so a description inside the cost
        table is never taken for a label.
        """
        first = True
        for j, v in enumerate(row[: self.header.amount + 1]):
            if not isinstance(v, str) or not v.strip():
                continue
            key = self.words.label_field(v) if first else self.words.label_index.get(header_key(v))
            first = False
            if key is None or key in self.record.cells or (key == "total" and i < self.header.row):
                continue
            return j, key, v.strip()
        return None

    def _read_total(self, i: int, row: list[Any]) -> None:
        """The stated total, in the amount column of the total row (by year: its "I alt" column, else the years
        summed)."""
        h = self.header
        col = h.total if h.total is not None else h.amount
        self.record.cells["total"] = f"{column_letter(col)}{i + 1}"
        if h.years and h.total is None:
            values = [self.amount(v, i, j, "Udgifter i alt", h.unit) for j in h.years
                      if not _is_blank(v := _at(row, j))]  # fmt: skip
            if values and None not in values:
                self.record.stated_total = sum(v for v in values if v is not None)
            return
        value = _at(row, col)
        if not _is_blank(value):
            self.record.stated_total = self.amount(value, i, col, "Udgifter i alt", h.unit)

    def _read_field(self, i: int, row: list[Any], j: int, key: str, label: str) -> None:
        """The value right of a label (within 5 cells), converted by field."""
        if key == "period":
            self._read_period(i, row, j, label)
            return
        value, k = _value_right_of(row, j)
        if (
            key in _AMOUNT_FIELDS
            and k is not None
            and k > j + 1
            and isinstance(value, str)
            and not re.search(r"\d", value)
        ):
            value, k = None, None  # the amount cell is empty; a note further right ("Udfyldes af ...")
        rec = self.record
        if k is None:
            rec.cells.setdefault(key, f"{column_letter(j + 1)}{i + 1}")  # where the value belongs
            return
        rec.cells[key] = f"{column_letter(k)}{i + 1}"
        try:
            if key in _AMOUNT_FIELDS:
                setattr(rec, key, self.amount(value, i, k, label, amount_unit_from_header(label)))
            elif key == "year":
                rec.year = parse_year(value)
            elif key in ("start", "end"):
                setattr(rec, key, parse_date(value))
            else:
                setattr(rec, key, _stripped_text(value))
        except DanishParseError as exc:
            rec.unreadable.add(key)
            self.issue(i, k, IssueCode.BUDGET_BAD_AMOUNT, f"{label}: {exc}", value)

    def _read_period(self, i: int, row: list[Any], j: int, label: str) -> None:
        """The project period right of its label: one cell ("01.03.2023–28.02.2025") or two (start, end).

        Dates from the start/end labels are kept when the form has both.
        """
        rec = self.record
        value, k = _value_right_of(row, j)
        if k is None:
            rec.cells.setdefault("period", f"{column_letter(j + 1)}{i + 1}")
            return
        rec.cells["period"] = f"{column_letter(k)}{i + 1}"
        try:
            start = _single_date(value)
            if start is not None:  # two cells: the end is the next date right of the start ("til" between)
                end = None
                for m in range(k + 1, min(len(row), k + 4)):
                    if (end := _single_date(row[m])) is not None:
                        break
                if end is None:
                    raise DanishParseError(f"'{_stripped_text(value)}' er kun projektets start; slutdatoen mangler")
            else:
                start, end = _parse_period_cell(value)
            if end < start:
                raise DanishParseError(f"'{_stripped_text(value)}': perioden slutter før den begynder")
        except DanishParseError as exc:
            rec.unreadable.add("period")
            self.issue(i, k, IssueCode.BUDGET_BAD_AMOUNT, f"{label}: {exc}", value)
            return
        rec.start = rec.start or start
        rec.end = rec.end or end

    # -- cost lines ---------------------------------------------------------
    def read_cost_lines(self, total_row: int | None) -> None:
        """Cost lines from below the header to the total row; without one, to three empty rows in a row."""
        blank_run = 0
        end = total_row if total_row is not None else len(self.grid.rows)
        for i in range(self.header.first_line, end):
            row = self.grid.rows[i]
            if self._is_blank_line(row):
                blank_run += 1
                if total_row is None and blank_run >= 3:
                    break
                continue
            blank_run = 0
            if self._ends_costs(row):
                break
            self._read_cost_line(i, row)

    def _ends_costs(self, row: list[Any]) -> bool:
        """A total or financing row (own, partner, sought, granted ...) ends the cost lines: never a cost."""
        for v in row[: self.header.amount]:
            if isinstance(v, str) and v.strip():
                key = self.words.label_field(v)
                return key is not None and key not in ("case_id", "title", "applicant", "year")
        return False

    def _description(self, row: list[Any]) -> str:
        col = self.header.description
        return _stripped_text(row[col]) if col is not None and col < len(row) else ""

    def _is_blank_line(self, row: list[Any]) -> bool:
        h = self.header
        spent = any(not _is_blank(_at(row, j)) for j in [*h.spending, *h.years])
        no_cost = _is_blank(_at(row, h.category)) and _is_blank(_at(row, h.amount))
        return no_cost and not spent and not self._description(row)

    def _read_cost_line(self, i: int, row: list[Any]) -> None:
        h = self.header
        category = self._category(i, row)  # first: its issue comes before the amounts' issues
        by_year, budget_cells = self._budget_years(i, row)
        if h.years:
            amount = self._line_total(i, row, by_year)
        else:
            value = _at(row, h.amount)
            amount = self.amount(value, i, h.amount, "Budget", h.unit) if not _is_blank(value) else 0
        spent: dict[int, int] = {}
        spent_cells: dict[int, str] = {}
        for j, year in h.spending.items():
            raw = _at(row, j)
            unit = h.spending_units.get(j, AmountUnit.KR)
            if not _is_blank(raw) and (sv := self.amount(raw, i, j, f"Forbrug {year}", unit)) is not None:
                spent[year] = spent.get(year, 0) + sv
                spent_cells.setdefault(year, f"{column_letter(j)}{i + 1}")
        cell = f"{column_letter(h.category)}{i + 1}"
        raw = _stripped_text(self._category_cell(i, row))
        self.record.lines.append(CostLine(category, self._description(row), amount or 0, spent, i + 1, cell, raw,
                                          by_year, spent_cells, budget_cells))  # fmt: skip

    def _budget_years(self, i: int, row: list[Any]) -> tuple[dict[int, int], dict[int, str]]:
        """The line's budget per year, when the budget is laid out by year (else empty)."""
        by_year: dict[int, int] = {}
        cells: dict[int, str] = {}
        for j, year in self.header.years.items():
            raw = _at(row, j)
            if not _is_blank(raw) and (v := self.amount(raw, i, j, f"Budget {year}", self.header.unit)) is not None:
                by_year[year] = v
                cells[year] = f"{column_letter(j)}{i + 1}"
        return by_year, cells

    def _line_total(self, i: int, row: list[Any], by_year: dict[int, int]) -> int:
        """A by-year line's budget: its "I alt" cell, else its years summed (an "I alt" that is not their sum
        is reported, and the "I alt" is used)."""
        h = self.header
        summed = sum(by_year.values())
        raw = _at(row, h.total) if h.total is not None else ""
        if h.total is None or _is_blank(raw):
            return summed
        total = self.amount(raw, i, h.total, "Budget i alt", h.unit)
        if total is None:
            return summed
        if by_year and total != summed:
            message = (f"budgetlinjens år summer til {format_amount(summed)}, men 'I alt' er "
                       f"{format_amount(total)}")  # fmt: skip
            self.issue(i, h.total, IssueCode.BUDGET_TOTAL_MISMATCH, message, raw)
        return total

    def _category_cell(self, i: int, row: list[Any]) -> Any:
        """The line's category cell; a blank cell under a category merged down over several lines takes its value."""
        raw = _at(row, self.header.category)
        if _is_blank(raw) and i in self.merged_category:
            return _at(self.grid.rows[self.merged_category[i]], self.header.category)
        return raw

    def _category(self, i: int, row: list[Any]) -> str | None:
        """The canonical category of a cost line; ``None`` (and an issue) when blank or unknown."""
        raw = self._category_cell(i, row)
        code = IssueCode.BUDGET_UNKNOWN_CATEGORY
        if _is_blank(raw):
            self.issue(i, self.header.category, code, "budgetlinjen mangler en kategori")
            return None
        text = _stripped_text(raw)
        category = self.words.category_matcher.match(text).key
        if category is None and (m := _CATEGORY_WITH_NOTE.match(text)):  # "Andet: el, varme og rengøring"
            category = self.words.category_matcher.match(m.group(1)).key
        if category is None:
            known = ", ".join(self.words.categories)
            message = f"ukendt kategori '{_stripped_text(raw)}'; brug en af: {known}"
            self.issue(i, self.header.category, code, message, raw)
        return category


def _single_date(value: Any) -> dt.date | None:
    """``value`` as one date (a date cell, "01.03.2023", "1/3 2023"); ``None`` when it is not one date."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    if m := _SLASH_DATE.match(text):
        try:
            return dt.date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
        except ValueError:
            return None
    if not re.fullmatch(r"\d{1,2}\.\d{1,2}\.\d{2,4}|\d{4}-\d{1,2}-\d{1,2}|\d{1,2}\. ?[^\W\d]+ \d{4}", text):
        return None
    try:
        return parse_date(text)
    except DanishParseError:
        return None


def _parse_period_cell(value: Any) -> tuple[dt.date, dt.date]:
    """A period in one cell: what :func:`~pagt_xl.base.danish.parse_period` reads, and "1/3 2023 - 28/2 2025"."""
    try:
        period = parse_period(value)
    except DanishParseError:
        period = None
        if isinstance(value, str):  # day/month dates, which parse_period does not know
            parts = _PERIOD_SEPARATOR.split(value.strip())
            dates = [_single_date(p) for p in parts] if len(parts) == 2 else []
            if len(dates) == 2 and dates[0] is not None and dates[1] is not None:
                return dates[0], dates[1]
        raise
    if period is None:
        raise DanishParseError("projektperioden er tom")
    return period.start, period.end


def _value_right_of(row: list[Any], j: int) -> tuple[Any, int | None]:
    """The first non-blank value within 5 cells right of column ``j``, and its column."""
    for k in range(j + 1, min(len(row), j + 6)):
        if not _is_blank(row[k]):
            return row[k], k
    return None, None


def read_budget_grid(grid: Grid, pact: Pact) -> tuple[BudgetRecord | None, list[Issue]]:
    """Read one sheet as a budget form with the pact's words; ``None`` if the sheet has no cost table.

    When several rows look like the cost table's header, the one with the best
    table below it is read (see :func:`_form_score`).
    """
    best = _best_form(grid, pact)
    return (best[1], best[2]) if best is not None else (None, [])


def _form_score(rec: BudgetRecord) -> tuple[int, int, int]:
    """How much a read sheet looks like a budget: cost lines of a known category with an amount, then
    labelled fields found, then cost lines at all."""
    known = sum(1 for line in rec.lines if line.category is not None and line.amount > 0)
    return known, len(rec.cells), len(rec.lines)


def _best_form(grid: Grid, pact: Pact) -> tuple[tuple[int, int, int], BudgetRecord, list[Issue]] | None:
    """The best reading of one sheet (score, record, issues); ``None`` when it has no cost table."""
    best = None
    for header in _cost_headers(grid, pact.budgets):
        reader = _FormReader(grid, header, pact.budgets)
        rec = reader.read()
        score = _form_score(rec)
        if best is None or score > best[0]:
            best = (score, rec, reader.issues)
    return best


def read_budget_workbook(
    path: Path | str, pact: Pact, *, as_of: dt.date | None = None
) -> tuple[BudgetRecord | None, list[Issue]]:
    """Read one budget workbook (the visible sheet with the best cost table). Unreadable → ``None`` and an issue.

    ``as_of`` is the date for the underspend rule (``None``: today).
    """
    rec, issues, _ = _read_workbook(path, pact, as_of=as_of)
    return rec, issues


def _read_workbook(
    path: Path | str, pact: Pact, *, as_of: dt.date | None
) -> tuple[BudgetRecord | None, list[Issue], UnderspendNote | None]:
    """:func:`read_budget_workbook`, plus the spending status against the form's own grant."""
    name = str(path)
    try:
        grids = read_grids(Path(path), name)
    except InputError as exc:
        return None, [Issue.at(IssueCode.FILE_UNREADABLE, Severity.ERROR, str(exc), file=name)], None
    best = None
    for grid in grids:  # the sheet with the best cost table, wherever it stands (a notes sheet may come first)
        if not grid.visible:
            continue
        found = _best_form(grid, pact)
        if found is not None and (best is None or found[0] > best[0]):
            best = found
    if best is not None:
        _, rec, issues = best
        issues = issues + _cover_fields(grids, rec, pact.budgets)
        checked, status = _check_budget(rec, pact, as_of=as_of)
        return rec, issues + checked, status
    message = f"{name}: intet budgetskema fundet (forventede en tabel med Kategori og Budget)"
    return None, [Issue.at(IssueCode.BUDGET_FORM_NOT_FOUND, Severity.ERROR, message, file=name)], None


#: the identification a cover sheet in front of the budget may hold
_IDENTIFICATION = ("case_id", "title", "applicant", "year", "start", "end")


def _cover_fields(grids: list[Grid], rec: BudgetRecord, words: BudgetRules) -> list[Issue]:
    """Identification missing from the budget sheet, taken from the workbook's other visible sheets (a cover
    sheet with Sagsnr., Projekttitel, Projektperiode in front of the budget); the issues of the cells taken."""
    issues: list[Issue] = []
    for grid in grids:
        if not any(getattr(rec, k) is None for k in _IDENTIFICATION):
            break
        if not grid.visible or grid.sheet == rec.sheet:
            continue
        width = max((len(r) for r in grid.rows[:200]), default=0)
        reader = _FormReader(grid, _CostHeader(-1, 0, max(width - 1, 0), None, {}, first_line=-1), words)
        reader.read_fields()
        cover = reader.record
        taken = [k for k in _IDENTIFICATION if getattr(rec, k) is None and getattr(cover, k) is not None]
        for k in taken:
            setattr(rec, k, getattr(cover, k))
        cells = {cover.cells[k] for k in (*_IDENTIFICATION, "period") if k in cover.cells}
        issues.extend(i for i in reader.issues if i.cell in cells)
    return issues


def _expand(paths: list[Path | str]) -> tuple[list[Path], list[Issue]]:
    """The files of ``paths`` (:func:`pagt_xl.ingest.inputs.collect_inputs`: folders read whole, patterns
    expanded, Office lock files and hidden files skipped), a ``skipped_file`` info per lock file, and an issue
    (``budget_no_files``) for each folder without files and each pattern that matches nothing."""
    from pagt_xl.ingest.inputs import collect_inputs

    found = collect_inputs(list(paths), folder_suffixes=set())
    issues: list[Issue] = []
    for folder in found.empty_folders:
        message = f"{folder}: mappen indeholder ingen budgetskemaer; læg de udfyldte skemaer (.xlsx) i mappen"
        issues.append(Issue.at(IssueCode.BUDGET_NO_FILES, Severity.ERROR, message, file=str(folder)))
    for pattern in found.unmatched:
        message = f"{pattern}: ingen budgetskemaer matcher mønsteret; ret stien eller mønsteret"
        issues.append(Issue.at(IssueCode.BUDGET_NO_FILES, Severity.ERROR, message, file=pattern))
    for lock in found.lock_files:
        message = f"{lock.name} er en Office-låsefil (filen er åben), ikke et budgetskema; den er sprunget over"
        issues.append(Issue.at(IssueCode.SKIPPED_FILE, Severity.INFO, message, file=str(lock)))
    return found.files, issues


def read_budgets(paths: list[Path | str], pact: Pact, *, progress: Callable[[int, int, Path], None] | None = None,
                 as_of: dt.date | None = None) -> BudgetReview:  # fmt: skip
    """Read and check every budget workbook in ``paths`` (files or folders); a bad file is reported, the rest read.

    ``progress(done, total, path)`` is called after each file; ``as_of`` is the
    date for the underspend rule (``None``: today).
    """
    return review_budgets(paths, pact, None, as_of=as_of, progress=progress)


def _underspend_notes(records: list[BudgetRecord], form: list[UnderspendNote | None],
                      overview: list[UnderspendNote | None]) -> dict[str, UnderspendNote]:  # fmt: skip
    """Case number (or title) → spending status, for projects with spending to date.

    ``form`` holds each record's status against the grant on the form, ``overview``
    against the overview's grant (only for forms without one); from the overview
    only projects at risk are noted.
    """
    notes: dict[str, UnderspendNote] = {}
    for rec, own, other in zip(records, form, overview, strict=True):
        key = rec.case_id or rec.title
        if not key:
            continue
        if other is not None and other.at_risk:
            notes[key] = other
        elif own is not None:
            notes[key] = own
    return notes


def review_budgets(
    paths: list[Path | str],
    pact: Pact,
    overview: pd.DataFrame | None,
    *,
    as_of: dt.date | None = None,
    progress: Callable[[int, int, Path], None] | None = None,
) -> BudgetReview:
    """Read the budgets and, when an overview table is given, check them against it.

    The review's ``issues`` are the files' issues followed by the overview
    checks'; ``underspend`` is keyed by case number, else title.
    """
    files, issues = _expand(paths)
    if not paths:
        issues.append(Issue.at(IssueCode.BUDGET_NO_FILES, Severity.ERROR, "ingen budgetskemaer angivet", file=None))
    records: list[BudgetRecord] = []
    form_statuses: list[UnderspendNote | None] = []
    for n, path in enumerate(files, start=1):
        rec, found, status = _read_workbook(path, pact, as_of=as_of)
        if rec is not None:
            records.append(rec)
            form_statuses.append(status)
        issues.extend(found)
        if progress is not None:
            progress(n, len(files), path)
    overview_statuses: list[UnderspendNote | None] = [None] * len(records)
    if overview is not None:
        found, overview_statuses = _check_against_overview(records, overview, pact, as_of=as_of)
        issues.extend(found)
    underspend = _underspend_notes(records, form_statuses, overview_statuses)
    return BudgetReview(records, issues, [str(f) for f in files], underspend)
