"""The one computation of the rows every figure counts, and of the totals over them (issue 22 item 2).

Every count and amount an output shows — validate's summary, the framework check, every breakdown,
the year table, the report, the breakdown workbook, JSON/CSV and the cell functions — is taken from a
:class:`Figures`: the same **counted rows** of the same validated table. A row is counted when it was
read without an error and has a year. So a granted row with an error, the second copy of an
application (``duplicate_application`` and ``duplicate_case_id`` are errors on the copy) and a row
that cannot be placed in a year are never counted; subtotal rows never are rows of the table (the
reader keeps them apart). How a figure is rounded for display is :mod:`pagt_xl.base.figures`; its
Danish text :mod:`pagt_xl.base.danish`.

Pure: a validated table (and the frameworks) in, plain numbers and views of the table out.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import pandas as pd

from pagt_xl.base.model import Decision, FrameworkYear


def counted_rows(table: pd.DataFrame) -> pd.Series:
    """The one rule for which rows count: no error (reading or rules) and a year. A boolean Series on ``table``."""
    return ~table["has_error"].astype(bool) & table["year"].notna()


@dataclass(frozen=True, eq=False)
class Figures:
    """The counted rows of a validated table (for a period, or every year) and the totals over them.

    ``table`` holds every row read in the figures' years (rows with errors included, for the lines that
    name what was left out); ``frameworks`` the framework years of those years. Computed once per
    validation (:attr:`pagt_xl.core.tables.Validation.figures`) and per period (:meth:`within`).
    """

    table: pd.DataFrame
    frameworks: tuple[FrameworkYear, ...] = ()
    #: the years the figures cover (first, last, inclusive); ``None``: every year in the data
    period: tuple[int, int] | None = None

    @classmethod
    def of(
        cls, table: pd.DataFrame, frameworks: tuple[FrameworkYear, ...] | list[FrameworkYear] = (),
        period: tuple[int, int] | None = None,
    ) -> Figures:  # fmt: skip
        """The figures of ``table`` and ``frameworks``, limited to ``period`` (``None``: every year)."""
        if period is not None:
            first, last = period
            table = table[(table["year"] >= first) & (table["year"] <= last)]
            frameworks = [f for f in frameworks if first <= f.year <= last]
        return cls(table, tuple(frameworks), period)

    def within(self, period: tuple[int, int] | None) -> Figures:
        """These figures limited to the years of ``period`` (``None``: these figures)."""
        return self if period is None else Figures.of(self.table, self.frameworks, period)

    # The masks and totals are kept (small); the row selections are made when asked for and not kept, so a
    # validation held in the add-in server's cache holds its table once (and the masks), as before.
    @cached_property
    def counted(self) -> pd.Series:
        """Which rows of :attr:`table` count (:func:`counted_rows`)."""
        return counted_rows(self.table)

    @cached_property
    def counted_grants(self) -> pd.Series:
        """Which rows of :attr:`table` are counted grants."""
        return self.counted & (self.table["decision"] == Decision.GRANTED)

    @property
    def rows(self) -> pd.DataFrame:
        """The counted rows: every decision (the year table's applications, rejections, pending)."""
        return self.table[self.counted]

    @property
    def granted(self) -> pd.DataFrame:
        """The counted rows with a grant (tilsagn): every breakdown's projects and kroner."""
        return self.table[self.counted_grants]

    @property
    def excluded(self) -> pd.DataFrame:
        """The rows read in the figures' years but not counted (an error, or no year)."""
        return self.table[~self.counted]

    @cached_property
    def applications(self) -> int:
        """Number of counted rows (applications of every decision)."""
        return int(self.counted.sum())

    @property
    def excluded_rows(self) -> int:
        """Rows read in the figures' years but not counted (an error, or no year)."""
        return len(self.table) - self.applications

    @cached_property
    def granted_projects(self) -> int:
        """Number of counted grants."""
        return int(self.counted_grants.sum())

    @cached_property
    def granted_total(self) -> int:
        """Kroner granted over the counted grants."""
        return int(self.table.loc[self.counted_grants, "granted"].fillna(0).sum())

    @cached_property
    def years(self) -> list[int]:
        """Every year with a counted row or a framework, in order: each is a row of the year table."""
        counted_years = self.table.loc[self.counted, "year"].unique()
        return sorted({int(y) for y in counted_years} | {f.year for f in self.frameworks})

    @cached_property
    def granted_by_year(self) -> dict[int, int]:
        """Kroner granted per year (counted grants), 0 for a year of :attr:`years` without grants."""
        sums = self.table.loc[self.counted_grants, ["year", "granted"]].groupby("year")["granted"].sum()
        by_year = {int(y): int(v) for y, v in sums.items()}
        return {y: by_year.get(y, 0) for y in self.years}

    @property
    def framework_by_year(self) -> dict[int, int]:
        """The framework (kr.) of each framework year."""
        return {f.year: f.amount for f in self.frameworks}
