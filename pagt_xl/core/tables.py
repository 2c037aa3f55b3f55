"""The tables the readers produce and the rules work on: an overview's sheets, rows and subtotals, and the
applicants' budget records. Plain dataclasses and DataFrames, no I/O."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pandas as pd

from pagt_xl.base.danish import (
    AmountUnit,
)
from pagt_xl.base.model import Decision, FrameworkYear, Issue, IssueCode, Severity

if TYPE_CHECKING:
    from pagt_xl.base.config import Pact


@dataclass
class ColumnMap:
    """The columns of one sheet: field → 0-based column index, plus what was left over."""

    header_row: int  # 0-based index in the grid
    fields: dict[str, int]
    headers: dict[int, str]
    units: dict[str, AmountUnit] = field(default_factory=dict)
    unmapped: list[int] = field(default_factory=list)
    duplicates: list[tuple[str, int, int]] = field(default_factory=list)  # field, kept, ignored


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
    #: column index → each record's raw cell, for the columns the pact's overview headers do not map
    #: (the round's assessment columns, read by :mod:`pagt_xl.core.round`)
    unmapped_cells: dict[int, list[Any]] = field(default_factory=dict)


def covered_rows(
    year: int | None,
    position: int,
    previous: int,
    years: list[Any],
    *,
    following: int | None = None,
    stated: dict[str, int] | None = None,
    values: dict[str, list[Any]] | None = None,
) -> list[int]:
    """Record indexes a subtotal row covers, above or below it.

    ``position``: applications read before the subtotal; ``previous``: before the previous subtotal of the
    sheet (0 for the first); ``following``: before the next one (``None``: the sheet's end). The
    candidates, in this order: a label with a year covers that year's rows above it, else below it, else
    all of them; a label without one covers the rows since the previous subtotal, else the rows until the
    next one, else the whole sheet (a total right after another subtotal, a grand total above the data).
    With the subtotal's ``stated`` amounts and the records' ``values`` (field → one amount per record),
    the first candidate whose sums equal every stated amount is the one — a totals row above its block
    is matched against the block below, in either direction — else the first candidate (the one a
    mismatch is reported against).
    """
    end = len(years) if following is None else max(position, min(following, len(years)))
    if year is not None:
        above = [k for k, y in enumerate(years[:position]) if y == year]
        below = [k for k in range(position, end) if years[k] == year]
        every = [k for k, y in enumerate(years) if y == year]
    else:
        above = list(range(previous, position))
        below = list(range(position, end))
        every = list(range(len(years)))
    candidates = [c for c in (above, below) if c] + [every]
    if stated and values is not None:
        for idx in candidates:
            if all(sum(v for k in idx if (v := values[f][k]) is not None) == amount for f, amount in stated.items()):
                return idx
    return candidates[0]


@dataclass
class Overview:
    """Everything read from the input files, before pact rules are applied.

    ``table`` has one row per application (columns :data:`TABLE_COLUMNS` plus
    ``has_error``); amounts are nullable integers (whole kroner).
    ``fatal`` lists issues about files that could not be read at all.
    """

    table: pd.DataFrame
    issues: list[Issue]
    frameworks: list[FrameworkYear]
    subtotals: list[Subtotal]
    sheets: list[SheetRead]
    files: list[str]
    fatal: list[Issue] = field(default_factory=list)


@dataclass
class CostLine:
    """One cost line: category (canonical), description, budget and spending per year (kr.)."""

    category: str | None
    description: str
    amount: int
    spent: dict[int, int]
    row: int
    #: the A1 address of the line's category cell
    cell: str = ""
    #: the category cell as written ("Andet: el og varme")
    raw_category: str = ""
    #: the budget per year, when the form lays the budget out by year in columns (issue 25); else empty
    budget_years: dict[int, int] = field(default_factory=dict)
    #: year → the A1 address of the line's spending cell (or budget cell, for a year without spending column)
    spent_cells: dict[int, str] = field(default_factory=dict)
    budget_cells: dict[int, str] = field(default_factory=dict)


@dataclass
class BudgetRecord:
    """One budget workbook, read. Amounts in whole kroner; ``None`` where the form is blank."""

    file: str
    sheet: str
    case_id: str | None = None
    title: str | None = None
    applicant: str | None = None
    year: int | None = None
    start: dt.date | None = None
    end: dt.date | None = None
    lines: list[CostLine] = field(default_factory=list)
    stated_total: int | None = None
    own: int | None = None
    partner: int | None = None
    sought: int | None = None
    granted: int | None = None
    cells: dict[str, str] = field(default_factory=dict)
    #: form fields whose cell held a value that could not be read (an issue says why)
    unreadable: set[str] = field(default_factory=set)
    #: the date the spending figures are made up to, from a dated header ("Forbrug pr. 31.12.2025"); ``None``: not given
    spent_as_of: dt.date | None = None

    @property
    def total_cost(self) -> int:
        """Sum of the cost lines."""
        return sum(line.amount for line in self.lines)

    @property
    def spent(self) -> int:
        """Spending to date, over all lines and years."""
        return sum(sum(line.spent.values()) for line in self.lines)

    @property
    def cofinancing(self) -> int:
        """Own plus partner co-financing."""
        return (self.own or 0) + (self.partner or 0)


def count_severity(issues: list[Issue], severity: Severity) -> int:
    """Number of issues of one severity."""
    return sum(1 for i in issues if i.severity is severity)


@dataclass
class Validation:
    """Result of reading and validating inputs.

    ``issues`` holds every issue (reading and rules), sorted by file, sheet and
    row; ``fatal`` the files that could not be read at all (a subset of
    ``issues``).
    """

    pact: Pact
    overview: Overview
    issues: list[Issue]

    @property
    def table(self) -> pd.DataFrame:
        """The applications table (one row per application, ``has_error`` flags)."""
        return self.overview.table

    @property
    def fatal(self) -> list[Issue]:
        """Issues about inputs that could not be read."""
        return self.overview.fatal

    def count(self, severity: Severity) -> int:
        """Number of issues of a severity."""
        return count_severity(self.issues, severity)

    @property
    def has_errors(self) -> bool:
        """Whether any error was found (data or input)."""
        return any(i.severity is Severity.ERROR for i in self.issues)

    @property
    def excluded_rows(self) -> int:
        """Rows with errors: read and reported, but left out of every figure."""
        return int(self.table["has_error"].astype(bool).sum())

    def granted(self) -> pd.DataFrame:
        """Granted applications without errors."""
        t = self.table
        return t[(t["decision"] == Decision.GRANTED) & ~t["has_error"]]


@dataclass(frozen=True)
class UnderspendNote:
    """Underspend status of one granted project, for the report's progress table.

    ``spent_share`` is spending to date / amount granted; ``elapsed_share`` the
    share of the project period that has passed on the review date (``None``
    when the budget has no period). ``at_risk`` is the pact's underspend rule
    (see :mod:`pagt_xl.core.budget`).
    """

    at_risk: bool
    spent_share: float
    elapsed_share: float | None = None
    #: the share of the budget planned to be spent by the date, when the budget is laid out by year (issue 25);
    #: the rule then compares against it instead of the elapsed share
    planned_share: float | None = None


@dataclass
class BudgetReview:
    """Every budget read from a set of files, checked (against the overview when one was given).

    ``issues`` holds every issue of reading and checking; ``underspend`` maps a
    project's case number (or its title when it has none) to its
    :class:`UnderspendNote`, for projects with spending to date.
    """

    records: list[BudgetRecord]
    issues: list[Issue]
    files: list[str]
    underspend: dict[str, UnderspendNote] = field(default_factory=dict)

    @property
    def fatal(self) -> list[Issue]:
        """Issues about files that could not be read as budgets at all."""
        fatal_codes = (IssueCode.FILE_UNREADABLE, IssueCode.BUDGET_FORM_NOT_FOUND, IssueCode.BUDGET_NO_FILES)
        return [i for i in self.issues if i.code in fatal_codes]

    @property
    def has_errors(self) -> bool:
        """Whether any error was found."""
        return any(i.severity is Severity.ERROR for i in self.issues)
