"""Result types of a job: validation, breakdowns, budget review and the job as a whole.

Plain data shared by the core, the writers (:mod:`pagt_xl.outputs`,
:mod:`pagt_xl.report`) and the adapters. It lives apart from
:mod:`pagt_xl.pipeline` so that the writers never import the orchestrator:
imports point adapters → pipeline → writers → results → core.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pagt_xl.model import Decision, Issue, IssueCode, Severity

if TYPE_CHECKING:
    import pandas as pd

    from pagt_xl.breakdown import Breakdown, Check, YearTable
    from pagt_xl.budget import BudgetRecord
    from pagt_xl.config import Pact
    from pagt_xl.goals import FollowUp
    from pagt_xl.ingest import Overview
    from pagt_xl.round import RoundResult


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


@dataclass
class Breakdowns:
    """All key figures of a validated input: breakdowns, year table, extremes, cross-checks."""

    validation: Validation
    breakdowns: dict[str, Breakdown]
    years: YearTable
    extremes: dict[str, object]
    checks: list[Check]
    #: the years the figures cover (first, last); ``None``: every year in the data
    period: tuple[int, int] | None = None

    @property
    def year(self) -> int | None:
        """The one year the figures cover, ``None`` when they cover several (or every year)."""
        if self.period is not None and self.period[0] == self.period[1]:
            return self.period[0]
        return None


@dataclass(frozen=True)
class UnderspendNote:
    """Underspend status of one granted project, for the report's progress table.

    ``spent_share`` is spending to date / amount granted; ``elapsed_share`` the
    share of the project period that has passed on the review date (``None``
    when the budget has no period). ``at_risk`` is the pact's underspend rule
    (see :mod:`pagt_xl.budget`).
    """

    at_risk: bool
    spent_share: float
    elapsed_share: float | None = None


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


@dataclass
class GoalRun:
    """The goal workbooks read and followed up: every issue sorted; ``fatal``: files not read."""

    pact: Pact
    follow_up: FollowUp
    issues: list[Issue]
    fatal: list[Issue]
    sheets: list[tuple[str, str, str]]

    @property
    def has_errors(self) -> bool:
        """Whether any error was found."""
        return any(i.severity is Severity.ERROR for i in self.issues)


@dataclass
class JobResult:
    """What :func:`pagt_xl.pipeline.run_job` read, computed and wrote.

    ``breakdowns`` is ``None`` when nothing could be read (every input fatal);
    ``budgets`` is ``None`` when no budget files were given. ``outputs`` maps
    each output written (``"report"``, ``"breakdown_workbook"`` ...) to its path,
    in the order written.
    """

    validation: Validation
    breakdowns: Breakdowns | None = None
    budgets: BudgetReview | None = None
    outputs: dict[str, Path] = field(default_factory=dict)
    #: the goal follow-up (issue 17) when goal workbooks were given, with its own issues
    goals: GoalRun | None = None

    @property
    def issues(self) -> list[Issue]:
        """Every issue: the overview's, the goal workbooks', then the budgets'."""
        goals = self.goals.issues if self.goals else []
        return [*self.validation.issues, *goals, *(self.budgets.issues if self.budgets else [])]

    @property
    def fatal(self) -> list[Issue]:
        """Inputs that could not be read at all (overviews and budgets)."""
        goals = self.goals.fatal if self.goals else []
        return [*self.validation.fatal, *goals, *(self.budgets.fatal if self.budgets else [])]

    @property
    def has_errors(self) -> bool:
        """Whether any error was found in the overview, the goal workbooks or the budgets."""
        goals = bool(self.goals and self.goals.has_errors)
        return self.validation.has_errors or goals or bool(self.budgets and self.budgets.has_errors)

    def count(self, severity: Severity) -> int:
        """Number of issues of a severity, overview, goal workbooks and budgets together."""
        return count_severity(self.issues, severity)


# -- the application round (issue 16) -----------------------------------------------------------------
@dataclass
class RoundJob:
    """What :func:`pagt_xl.pipeline.run_memo` / :func:`~pagt_xl.pipeline.run_letters` read and wrote.

    ``round`` is ``None`` when nothing could be read (see ``validation.fatal``); ``budgets`` is
    ``None`` without budget files. ``letters`` holds one outcome per decided application
    (:class:`pagt_xl.report.memo.LetterOutcome`: written, skipped or failed); ``outputs`` the memo's
    path under ``"memo"``.
    """

    validation: Validation
    round: RoundResult | None = None
    budgets: BudgetReview | None = None
    letters: list[Any] = field(default_factory=list)
    letter_issues: list[Issue] = field(default_factory=list)
    outputs: dict[str, Path] = field(default_factory=dict)

    @property
    def issues(self) -> list[Issue]:
        """The round's issues: its checks and assessment cells, then the letters'."""
        return [*(self.round.issues if self.round else []), *self.letter_issues]

    @property
    def has_errors(self) -> bool:
        """Whether the overview, the round's checks or the letters have errors."""
        return self.validation.has_errors or any(i.severity is Severity.ERROR for i in self.issues)
