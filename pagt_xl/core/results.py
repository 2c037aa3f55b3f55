"""Result types of a job: breakdowns, goal runs, the job and the round as a whole.

Plain data (no I/O) shared by the writers (:mod:`pagt_xl.outputs`, :mod:`pagt_xl.report`), the
orchestrator and the adapters. It lives in :mod:`pagt_xl.core` rather than beside
:mod:`pagt_xl.pipeline` because the writers below the pipeline need these types: a results module
above them would make every writer import upwards.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pagt_xl.base.model import Issue, IssueCode, Severity
from pagt_xl.core.figures import Figures
from pagt_xl.core.tables import BudgetReview, Validation, count_severity

if TYPE_CHECKING:
    from pagt_xl.base.config import Pact
    from pagt_xl.core.breakdown import Breakdown, ProjectCounts, YearTable
    from pagt_xl.core.checks import Check
    from pagt_xl.core.goals import FollowUp
    from pagt_xl.core.ledger import Ledger, LedgerInput
    from pagt_xl.core.opendata import GivingData
    from pagt_xl.core.round import RoundResult


@dataclass
class Breakdowns:
    """All key figures of a validated input: breakdowns, year table, extremes, cross-checks.

    Every one is computed from ``figures`` (the counted rows of the period), so they agree.
    """

    validation: Validation
    breakdowns: dict[str, Breakdown]
    years: YearTable
    extremes: dict[str, object]
    checks: list[Check]
    #: the years the figures cover (first, last); ``None``: every year in the data
    period: tuple[int, int] | None = None
    #: the counted rows of the period and their totals; ``None``: the validation's (every year)
    figures: Figures = None  # type: ignore[assignment]

    def __post_init__(self) -> None:
        if self.figures is None:
            self.figures = self.validation.figures.within(self.period)

    @cached_property
    def counts(self) -> ProjectCounts:
        """Projects per partner type and instrument, and the ongoing projects' progress (for the report)."""
        from pagt_xl.core.breakdown import project_counts

        return project_counts(self.figures, self.validation.pact)

    @property
    def year(self) -> int | None:
        """The one year the figures cover, ``None`` when they cover several (or every year)."""
        if self.period is not None and self.period[0] == self.period[1]:
            return self.period[0]
        return None


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
class LedgerRun:
    """The ledger workbooks read and matched to the overview (issue 25).

    ``ledger`` is ``None`` when the overview could not be read (see ``fatal``); ``issues`` are the
    reader's, the final-report column's and the checks', sorted; ``fatal`` the files not read at all.
    ``budgets`` is the budget review used for the repayments due (``None``: none given).
    """

    pact: Pact
    ledger: Ledger | None
    read: LedgerInput
    issues: list[Issue]
    fatal: list[Issue]
    budgets: BudgetReview | None = None

    @property
    def has_errors(self) -> bool:
        """Whether any error was found in the ledger or by its checks."""
        return any(i.severity is Severity.ERROR for i in self.issues)


@dataclass
class GivingJob:
    """What :func:`pagt_xl.pipeline.run_giving` read and wrote: the 360Giving data and the files (issue 25).

    ``data`` is ``None`` when nothing could be read (see ``validation.fatal``). ``issues`` are the export's
    own (grants left out, unreadable CVR numbers or decision dates) and the ledger's.
    """

    validation: Validation
    data: GivingData | None = None
    ledger: LedgerRun | None = None
    issues: list[Issue] = field(default_factory=list)
    outputs: list[Path] = field(default_factory=list)

    @property
    def fatal(self) -> list[Issue]:
        """Inputs that could not be read (overviews and ledger workbooks)."""
        return [*self.validation.fatal, *(self.ledger.fatal if self.ledger else [])]


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
    #: the commitment ledger (issue 25) when ledger workbooks were given, with its own issues
    ledger: LedgerRun | None = None
    #: issues about the job's own choices: a period without applications (``empty_period``)
    notes: list[Issue] = field(default_factory=list)
    #: what was taken out of the report's Word template (macros, an outside template, DDE fields)
    template_issues: list[Issue] = field(default_factory=list)

    @property
    def issues(self) -> list[Issue]:
        """Every issue: the job's notes, the overview's, the goal workbooks', the ledger's, the budgets', then the
        template's."""
        goals = self.goals.issues if self.goals else []
        ledger = self.ledger.issues if self.ledger else []
        budgets = self.budgets.issues if self.budgets else []
        return [*self.notes, *self.validation.issues, *goals, *ledger, *budgets, *self.template_issues]

    @property
    def empty_period(self) -> bool:
        """Whether the year or period asked for has no applications (a warning; the command exits 1)."""
        return any(i.code is IssueCode.EMPTY_PERIOD for i in self.notes)

    @property
    def fatal(self) -> list[Issue]:
        """Inputs that could not be read at all (overviews, goal and ledger workbooks, budgets)."""
        goals = self.goals.fatal if self.goals else []
        ledger = self.ledger.fatal if self.ledger else []
        return [*self.validation.fatal, *goals, *ledger, *(self.budgets.fatal if self.budgets else [])]

    @property
    def has_errors(self) -> bool:
        """Whether any error was found in the overview, the goal or ledger workbooks or the budgets."""
        goals = bool(self.goals and self.goals.has_errors)
        ledger = bool(self.ledger and self.ledger.has_errors)
        return self.validation.has_errors or goals or ledger or bool(self.budgets and self.budgets.has_errors)

    def count(self, severity: Severity) -> int:
        """Number of issues of a severity, overview, goal workbooks and budgets together."""
        return count_severity(self.issues, severity)


@dataclass
class BudgetRun:
    """What :func:`pagt_xl.pipeline.run_budgets` read and wrote.

    ``overview`` is the validated overview the budgets were held against (``None``: none given);
    ``review`` is ``None`` when that overview could not be read (see ``overview.fatal``).
    """

    overview: Validation | None = None
    review: BudgetReview | None = None
    outputs: dict[str, Path] = field(default_factory=dict)

    @property
    def fatal(self) -> list[Issue]:
        """Inputs that could not be read: overviews, then budget files."""
        return [*(self.overview.fatal if self.overview else []), *(self.review.fatal if self.review else [])]


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
    #: the commitment ledger (issue 25) when ledger workbooks were given: its returned money adds to the framework
    ledger: LedgerRun | None = None
    #: a year without applications (``empty_period``)
    notes: list[Issue] = field(default_factory=list)
    #: what was taken out of the Word templates (macros, an outside template, DDE fields)
    template_issues: list[Issue] = field(default_factory=list)

    @property
    def issues(self) -> list[Issue]:
        """The round's issues: the year's note, its checks and assessment cells, the letters', then the templates'."""
        return [*self.notes, *(self.round.issues if self.round else []), *self.letter_issues, *self.template_issues]

    @property
    def empty_period(self) -> bool:
        """Whether the year has no applications at all (a warning; the command exits 1)."""
        return any(i.code is IssueCode.EMPTY_PERIOD for i in self.notes)

    @property
    def has_errors(self) -> bool:
        """Whether the overview, the round's checks or the letters have errors."""
        return self.validation.has_errors or any(i.severity is Severity.ERROR for i in self.issues)
