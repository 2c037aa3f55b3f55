"""The one orchestrator the adapters (CLI, Excel buttons, scheduled runs) call.

:func:`run_job` runs the whole job — read and validate the overviews, compute
the breakdowns, review the applicants' budgets, write the breakdown workbook,
the budget overview, the issue files and the report draft — from one
:class:`JobSpec`. The adapters (``demo``, ``report``, ``run``, the *Lav
statusrapport* button) only build the spec and show the :class:`JobResult`.
:func:`run_validation` and :func:`run_breakdowns` are the two first steps on
their own, for commands that need no more (``validate``, ``breakdown``, cell
functions).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from pagt_xl.base import _gc
from pagt_xl.base.config import Pact
from pagt_xl.base.errors import ErrorCode, RequestError
from pagt_xl.base.model import Issue, IssueCode, Severity
from pagt_xl.core.breakdown import Breakdown, breakdown_by, breakdowns_by, cross_checks, grant_extremes, year_table
from pagt_xl.core.checks import Check
from pagt_xl.core.results import Breakdowns, BudgetRun, GivingJob, GoalRun, JobResult, LedgerRun, RoundJob
from pagt_xl.core.tables import BudgetReview, Overview, Validation
from pagt_xl.core.validate import validate
from pagt_xl.ingest import read_grid_books, read_workbooks
from pagt_xl.ingest.grid import Grid, isolated_reads
from pagt_xl.outputs.files import check_outputs, inputs_protected

if TYPE_CHECKING:
    import pandas as pd

_SEVERITY_ORDER = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}


def _sort_key(issue: Issue) -> tuple[object, ...]:
    return (
        issue.file or "",
        issue.sheet or "",
        issue.row if issue.row is not None else -1,
        len(issue.column or ""),
        issue.column or "",
        _SEVERITY_ORDER[issue.severity],
        issue.code.value,
    )


def run_validation(
    paths: list[Path | str], pact: Pact, *, password: str | None = None, isolate: bool = False
) -> Validation:
    """Read every input, apply the pact's rules, return table and all issues.

    ``password`` opens password-protected workbooks (the same password for all). ``isolate``: each
    file is read in a child process of its own (:func:`pagt_xl.ingest.grid.isolated_reads`), so a
    reader that aborts on one file makes that file unreadable (in ``fatal``), not the run.
    The cyclic garbage collector is paused meanwhile (:mod:`pagt_xl.base._gc`): the
    table's objects are many, live on and form no cycles (100,000 rows: 0.3–1.7 s).
    """
    with _gc.paused(), isolated_reads(isolate):
        return _validated(read_workbooks(paths, pact, password=password), pact)


def run_validation_grids(books: list[tuple[str, list[Grid]]], pact: Pact) -> Validation:
    """:func:`run_validation` for sheets already in memory: (book name, grids) pairs."""
    with _gc.paused():
        return _validated(read_grid_books(books, pact), pact)


@dataclass
class PactChoice:
    """The pact a run uses, and the Danish line that says how it was chosen (``None``: it was given)."""

    pact: Pact
    note: str | None = None


def choose_pact(name: str | None, paths: list[Path | str]) -> PactChoice:
    """The pact named (a shipped name or a .toml path), else the one the files' own words point to.

    Without a name, every shipped pact is scored against the first rows of the files
    (:func:`pagt_xl.ingest.choose.pact_scores`: themes, types, rounds and headers only one pact has);
    the pact with the clearly highest score is chosen, else the default
    (:func:`pagt_xl.base.names.default_pact_name`). ``note`` names the choice and how to change it;
    it is ``None`` for a named pact, and when no file could be read (reading them says why).
    """
    from pagt_xl.base.config import load_pact
    from pagt_xl.base.names import available_pacts, default_pact_name

    if name:
        return PactChoice(load_pact(name))
    from pagt_xl.ingest import given_files
    from pagt_xl.ingest.choose import pact_scores

    pacts = [load_pact(n) for n in available_pacts()]
    files = given_files(list(paths))[0]
    scores = pact_scores(files, pacts) if files else None
    ranked = sorted(scores.scores.items(), key=lambda kv: -kv[1]) if scores else []
    if ranked and ranked[0][1] > 0 and (len(ranked) == 1 or ranked[0][1] >= 2 * ranked[1][1] + 1):
        key = ranked[0][0]
        pact = next(p for p in pacts if p.key == key)
        words = ", ".join(f"'{w}'" for w in scores.found[key]) if scores else ""
        note = (
            f"pagt: {pact.name} ({pact.key}), valgt ud fra filens egne ord ({words} …); "
            "angiv --pact NAVN for en anden"
        )
        return PactChoice(pact, note)
    default = load_pact(default_pact_name())
    if scores is None or not scores.readable:
        return PactChoice(default)
    return PactChoice(
        default,
        f"pagt: {default.name} ({default.key}), standardpagten — filen viser ikke tydeligt, hvilken pagt den hører "
        f"til; angiv --pact NAVN ({', '.join(available_pacts())}) eller en .toml-fil",
    )


def _validated(overview: Overview, pact: Pact) -> Validation:
    judged = validate(overview, pact)
    issues = sorted([*overview.fatal, *overview.issues, *judged.issues], key=_sort_key)
    # the validation's overview is the reader's with the judged table (a copy: the reader's is not changed),
    # so a validation holds one table
    validated = dataclasses.replace(overview, table=judged.table)
    return Validation(pact, validated, issues, judged.table, judged.checks, judged.figures)


#: Breakdowns computed for the workbook and the report (target groups when the columns exist).
STANDARD_KEYS = ("theme", "type", "round", "institution_type", "status", "progress", "target_group", "applicant")


def run_breakdowns(
    validation: Validation,
    *,
    stated: dict[str, int] | None = None,
    stated_source: str = "",
    period: tuple[int, int] | None = None,
    keys: Iterable[str] | None = None,
) -> Breakdowns:
    """The standard breakdowns (or those in ``keys``) plus the year table and cross-checks.

    ``period`` limits the figures to the years ``first..last`` (inclusive;
    one year: ``(y, y)``); ``None``: every year in the data. ``stated`` are
    figures from an earlier report (:func:`pagt_xl.core.breakdown.stated_figures`
    keys) checked against the computed ones. ``keys``: only these breakdowns
    (``"year"`` and the :data:`STANDARD_KEYS` that the data has), e.g. ``["theme"]``
    for one table; ``None``: all of them (the workbook and the report need all).
    The year table, the extremes and the checks of what was computed come either way.
    """
    pact = validation.pact
    if period is not None and period[0] > period[1]:
        raise RequestError(f"perioden {period[0]}-{period[1]} slutter før den begynder", code=ErrorCode.BAD_PERIOD)
    figures = validation.figures.within(period)
    wanted = ["year", *(k for k in STANDARD_KEYS if _key_available(validation, k))]
    if keys is not None:
        asked = set(keys) | ({"theme", "type"} if stated else set())  # what stated figures are checked against
        wanted = [k for k in wanted if k in asked]
    result = dict(zip(wanted, breakdowns_by(figures, pact, [[k] for k in wanted]), strict=True))
    years = year_table(figures, pact)
    checks = cross_checks(figures, pact, result, years, _overview_checks(validation, period), stated, stated_source)
    return Breakdowns(validation, result, years, grant_extremes(figures), checks, period, figures)


def _overview_checks(validation: Validation, period: tuple[int, int] | None) -> list[Check]:
    """The validation's checks that speak of the period: framework years in it; subtotal rows for every year only
    (a subtotal row covers the rows of its sheet, whatever the period)."""
    if period is None:
        return list(validation.checks)
    first, last = period
    return [
        c
        for c in validation.checks
        if c.code is IssueCode.FRAMEWORK_EXCEEDED and c.year is not None and first <= c.year <= last
    ]


def breakdown_for(result: Breakdowns, by: list[str]) -> Breakdown:
    """The breakdown by ``by`` (one key or two crossed) over the same counted rows and period as ``result``.

    One key that ``result`` already holds is taken from it; otherwise it is computed. Raises
    :class:`~pagt_xl.base.errors.RequestError` for keys that cannot be crossed (a target group with another key).
    """
    if len(by) == 1 and by[0] in result.breakdowns:
        return result.breakdowns[by[0]]
    return breakdown_by(result.figures, result.validation.pact, by)


def _key_available(validation: Validation, key: str) -> bool:
    pact = validation.pact
    if key == "type":
        return bool(pact.project_types)
    if key == "round":
        return bool(pact.rounds)
    column = {"status": "status", "progress": "progress", "applicant": "applicant"}.get(key)
    if column is not None:
        return bool(validation.table[column].notna().any())
    if key == "target_group":
        cols = ["target_primary", "target_youth", "target_higher", "target_professionals"]
        return bool(validation.table[cols].notna().any().any())
    return True


# -- the whole job ---------------------------------------------------------------------------------
@dataclass
class JobOutputs:
    """Where each output goes; ``None``: not written. Every file is written atomically."""

    issues_csv: Path | None = None
    issues_json: Path | None = None
    breakdown_workbook: Path | None = None
    budget_workbook: Path | None = None
    report: Path | None = None
    #: the commitment ledger on its own (issue 25): accounts, years, entries, issues
    ledger_workbook: Path | None = None

    def __post_init__(self) -> None:
        for name, value in vars(self).items():
            if value is not None:
                setattr(self, name, Path(value))


@dataclass
class JobSpec:
    """One job: which inputs, which pact and period, which outputs.

    ``inputs`` are workbook paths; ``validation`` is an input already read and
    validated (the Excel buttons, which cache it), used instead of ``inputs``.
    ``period`` limits the figures to the years ``first..last``; ``None``: every
    year in the data. ``budgets`` are budget files or folders (none: no budget
    review). ``report_date`` dates the draft and is the as-of date of the
    underspend rule. ``template`` is the Word template (``None``: the shipped one).
    """

    pact: Pact
    inputs: list[Path | str] = field(default_factory=list)
    validation: Validation | None = None
    password: str | None = None
    #: go on with the readable inputs when some cannot be read (scheduled runs); when ``False``
    #: the job stops after reading (the issue files are still written)
    skip_unreadable: bool = False
    period: tuple[int, int] | None = None
    stated: dict[str, int] | None = None
    stated_source: str = ""
    budgets: list[Path | str] = field(default_factory=list)
    report_date: dt.date = field(default_factory=dt.date.today)
    #: the date underspend is judged at; ``None``: the period's last day or ``report_date``, whichever is earlier
    as_of: dt.date | None = None
    template: Path | None = None
    outputs: JobOutputs = field(default_factory=JobOutputs)
    #: the breakdowns to compute (see :func:`run_breakdowns`); ``None``: all. A job that writes the
    #: breakdown workbook or the report computes all of them anyway.
    breakdown_keys: tuple[str, ...] | None = None
    #: goal workbooks (Målopfølgning/Aktiviteter, issue 17); none: no goal follow-up
    goals: list[Path | str] = field(default_factory=list)
    #: ledger workbooks (Udbetalinger, issue 25); none: no ledger
    payments: list[Path | str] = field(default_factory=list)
    #: read each input file (overviews, budgets, goal files) in a child process of its own, so that one
    #: file the reader aborts on is that file's issue and the job goes on (scheduled runs)
    isolate: bool = False
    #: the issue CSV's form (:data:`pagt_xl.outputs.files.CSV_DIALECTS`): "dansk" for Excel, "maskine" for scripts
    csv_dialect: str = "dansk"

    def __post_init__(self) -> None:
        if self.template is not None:
            self.template = Path(self.template)

    def steps(self) -> list[str]:
        """The Danish progress lines of the steps this job will run, in order."""
        out = self.outputs
        n = len(self.inputs) if self.validation is None else len(self.validation.overview.files)
        planned = [
            (True, f"Læser og validerer {n} projektmappe(r)"),
            (bool(self.goals), "Læser målopfølgningen"),
            (bool(self.payments), "Læser og kontrollerer udbetalingerne"),
            (bool(out.issues_csv or out.issues_json), "Skriver fejllisten (CSV og JSON)"),
            (True, "Beregner fordelinger og kontrol"),
            (out.breakdown_workbook is not None, "Skriver fordelingsprojektmappen"),
            (bool(self.budgets), "Læser og kontrollerer budgetskemaer"),
            (out.report is not None, "Skriver rapportkladden (Word)"),
        ]
        return [text for wanted, text in planned if wanted]


#: Called with each step's Danish line (from :meth:`JobSpec.steps`) before the step runs.
Progress = Callable[[str], None]


def run_job(spec: JobSpec, progress: Progress | None = None) -> JobResult:
    """Run the whole job of ``spec``; return what was read, found and written.

    Inputs that cannot be read are reported in ``result.fatal``; the job then
    stops after writing the issue files, unless ``spec.skip_unreadable`` lets it
    go on with the rest (and something could be read). A report template is
    checked before anything is read, so a bad template stops the job
    (:class:`~pagt_xl.report.TemplateProblem`) before any work is done. Raises
    :class:`~pagt_xl.base.errors.RequestError` for a period that ends before it begins.

    No output may be one of the job's inputs (:func:`job_inputs`): such a job stops with
    :class:`~pagt_xl.outputs.files.OutputIsInput` before anything is read or written.

    The writers are imported inside the steps that use them: the cell functions
    import this module and need neither xlsxwriter nor the Word libraries.
    """
    inputs = job_inputs(spec)
    check_outputs(vars(spec.outputs).values(), inputs)
    with inputs_protected(inputs), isolated_reads(spec.isolate):
        return _run_job(spec, progress)


def job_inputs(spec: JobSpec) -> list[Path | str | None]:
    """Every file a job reads: overviews, budget files and folders, goal and ledger files, the template, the pact."""
    return [*spec.inputs, *spec.budgets, *spec.goals, *spec.payments, spec.template, _pact_file(spec.pact)]


def _pact_file(pact: Pact) -> str | None:
    """The pact's own TOML file (a shipped one or the user's), ``None`` when it was not read from a file."""
    return pact.source if pact.source.endswith(".toml") else None


def _run_job(spec: JobSpec, progress: Progress | None) -> JobResult:
    steps = iter(spec.steps())

    def step() -> None:
        text = next(steps)
        if progress is not None:
            progress(text)

    if spec.outputs.report is not None:
        _check_report_template(spec.template)
    step()
    validation = _validate_inputs(spec)
    result = JobResult(validation)
    note = period_issue(validation, spec.period)
    if note is not None and not validation.fatal:
        result.notes.append(note)
    if spec.outputs.report is not None:
        result.template_issues = _template_issues([spec.template])
    if spec.goals:  # before the issue files, which carry the goal issues too
        step()
        last = spec.period[1] if spec.period else None  # the report's period ends the follow-up
        result.goals = follow_goals(spec.goals, spec.pact, validation, year=last, password=spec.password)
    if spec.payments:  # before the issue files too
        step()
        result.ledger = follow_ledger(spec.payments, spec.pact, validation, password=spec.password)
    if spec.outputs.issues_csv or spec.outputs.issues_json:
        step()
        _write_issue_files(result.issues, spec.outputs, result, spec.csv_dialect)
    if validation.fatal and (validation.table.empty or not spec.skip_unreadable):
        return result
    step()
    whole = spec.outputs.breakdown_workbook is not None or spec.outputs.report is not None
    result.breakdowns = run_breakdowns(
        validation,
        stated=spec.stated,
        stated_source=spec.stated_source,
        period=spec.period,
        keys=None if whole else spec.breakdown_keys,
    )
    if spec.outputs.breakdown_workbook is not None:
        step()
        _write_breakdown_workbook(result, spec.outputs.breakdown_workbook)
    if spec.budgets:
        step()
        result.budgets = _review_budgets(spec, validation, result)
        if result.ledger is not None:
            _add_repayments_due(result.ledger, result.budgets)
    if result.ledger is not None and spec.outputs.ledger_workbook is not None:
        _write_ledger_workbook(result.ledger, spec.outputs.ledger_workbook, result)
    if spec.outputs.report is not None:
        step()
        _write_report(spec, result)
    return result


def period_issue(validation: Validation, period: tuple[int, int] | None) -> Issue | None:
    """An ``empty_period`` warning when the overview has no application in the year or period asked for."""
    if period is None:
        return None
    first, last = period
    years = validation.table["year"]
    if bool(((years >= first) & (years <= last)).fillna(False).any()):
        return None
    asked = str(first) if first == last else f"{first}-{last}"
    present = sorted({int(y) for y in years.dropna()})
    has = (
        f"oversigten har ansøgninger fra {present[0]}" + (f"-{present[-1]}" if present[-1] != present[0] else "")
        if present
        else "oversigten har ingen ansøgninger med år"
    )
    return Issue.at(
        IssueCode.EMPTY_PERIOD,
        Severity.WARNING,
        f"ingen ansøgninger i {asked}; {has} — tallene for {asked} er tomme. Tjek året (--year/--period)",
        file=validation.overview.files[0] if len(validation.overview.files) == 1 else None,
        value=asked,
    )


def _validate_inputs(spec: JobSpec) -> Validation:
    if spec.validation is not None:
        return spec.validation
    return run_validation(spec.inputs, spec.pact, password=spec.password)


def _check_report_template(template: Path | None) -> None:
    from pagt_xl.report import check_template, default_template  # the Word libraries load only for reports

    check_template(template or default_template())


def _template_issues(templates: list[Path | None]) -> list[Issue]:
    """Warnings for what is taken out of the drafts of user templates (``None``: a shipped one, which is clean)."""
    from pagt_xl.report.sandbox import template_hazards

    return [issue for t in templates if t is not None for issue in template_hazards(Path(t))]


def _write_issue_files(issues: list[Issue], outputs: JobOutputs, result: JobResult, dialect: str) -> None:
    from pagt_xl.outputs.files import atomic_write, csv_bytes, issues_csv, issues_json

    if outputs.issues_csv is not None:
        data = csv_bytes(issues_csv(issues, dialect), dialect)
        atomic_write(outputs.issues_csv, lambda tmp: tmp.write_bytes(data))
        result.outputs["issues_csv"] = outputs.issues_csv
    if outputs.issues_json is not None:
        text = issues_json(issues)
        atomic_write(outputs.issues_json, lambda tmp: tmp.write_text(text, encoding="utf-8"))
        result.outputs["issues_json"] = outputs.issues_json


def _write_breakdown_workbook(result: JobResult, path: Path) -> None:
    from pagt_xl.outputs.workbooks import write_breakdown_workbook

    assert result.breakdowns is not None
    ledger = result.ledger.ledger if result.ledger else None
    write_breakdown_workbook(result.breakdowns, path, goals=result.goals.follow_up if result.goals else None,
                             ledger=ledger)  # fmt: skip
    result.outputs["breakdown_workbook"] = path


def review_budgets(
    paths: list[Path | str],
    pact: Pact,
    overview: pd.DataFrame | None,
    *,
    as_of: dt.date | None = None,
    progress: Callable[[int, int, Path], None] | None = None,
) -> BudgetReview:
    """Read the budget workbooks in ``paths`` (files or folders) and judge them: each form's own checks and,
    when an overview table is given, the checks against it (:func:`pagt_xl.core.budget.review_budgets`).

    ``as_of`` is the underspend date (``None``: today); ``progress(done, total, path)`` is called after each
    file is read. A file that cannot be read as a budget is an issue (``review.fatal``); the others are read.
    """
    from pagt_xl.core.budget import review_budgets as judge
    from pagt_xl.ingest.budget import read_budget_files

    reads, path_issues, files = read_budget_files(paths, pact, progress=progress)
    return judge(reads, path_issues, files, pact, overview, as_of=as_of)


def _review_budgets(spec: JobSpec, validation: Validation, result: JobResult) -> BudgetReview:
    from pagt_xl.outputs.workbooks import write_budget_workbook

    review = review_budgets(list(spec.budgets), spec.pact, validation.table, as_of=_as_of(spec, result))
    if spec.outputs.budget_workbook is not None:
        write_budget_workbook(review.records, review.issues, spec.outputs.budget_workbook, pact=spec.pact)
        result.outputs["budget_workbook"] = spec.outputs.budget_workbook
    return review


def run_budgets(
    paths: list[Path | str],
    pact: Pact,
    *,
    overview: list[Path | str] | None = None,
    as_of: dt.date | None = None,
    password: str | None = None,
    workbook: Path | None = None,
    progress: Callable[[int, int, Path], None] | None = None,
) -> BudgetRun:
    """Read and check the applicants' budget forms (files or folders); write the budget overview to ``workbook``.

    ``overview``: application overviews to hold the budgets against (``None`` or empty: none); when
    one cannot be read, the budgets are not read and ``result.overview.fatal`` says why. ``as_of``
    dates the underspend rule (``None``: today). ``progress(done, total, path)`` is called after each file.
    """
    validation = run_validation(list(overview), pact, password=password) if overview else None
    run = BudgetRun(overview=validation)
    if validation is not None and validation.fatal:
        return run
    table = validation.table if validation is not None else None
    run.review = review_budgets(list(paths), pact, table, as_of=as_of or dt.date.today(), progress=progress)
    if workbook is not None:
        from pagt_xl.outputs.workbooks import write_budget_workbook

        write_budget_workbook(run.review.records, run.review.issues, workbook, pact=pact)
        run.outputs["budget_workbook"] = Path(workbook)
    return run


def _as_of(spec: JobSpec, result: JobResult) -> dt.date:
    """The underspend date: ``spec.as_of``, else the period's last day or the report date, whichever is earlier."""
    if spec.as_of is not None:
        return spec.as_of
    from pagt_xl.report.context import default_as_of  # pure, but lives with the report it dates

    assert result.breakdowns is not None
    return default_as_of(result.breakdowns, spec.report_date)


def _write_report(spec: JobSpec, result: JobResult) -> None:
    from pagt_xl.report import render_report

    assert result.breakdowns is not None and spec.outputs.report is not None
    underspend = result.budgets.underspend if result.budgets is not None else None
    render_report(
        result.breakdowns,
        spec.outputs.report,
        template=spec.template,
        report_date=spec.report_date,
        underspend=underspend,
        as_of=_as_of(spec, result),
        budget_issues=result.budgets.issues if result.budgets is not None else None,
        goals=result.goals.follow_up if result.goals is not None else None,
        ledger=result.ledger.ledger if result.ledger is not None else None,
    )
    result.outputs["report"] = spec.outputs.report


# -- the application round: memo and decision letters (issue 16) ---------------------------------------
def round_key(pact: Pact, text: str | None) -> str | None:
    """A round's key from its key or any of its names ("aaben", "Åben runde"); ``None`` for none.

    Raises :class:`~pagt_xl.base.errors.RequestError` (``unknown_round``) naming the pact's rounds when
    ``text`` is not one of them.
    """
    if not text:
        return None
    if any(r.key == text for r in pact.rounds):
        return text
    key = pact.round_matcher.match(text).key
    if key is None:
        names = ", ".join(f"{r.key} ({r.name})" for r in pact.rounds)
        raise RequestError(f"ukendt runde '{text}'; {pact.name} har: {names}", code=ErrorCode.UNKNOWN_ROUND)
    return key


def run_memo(
    pact: Pact,
    year: int,
    *,
    inputs: list[Path | str] | None = None,
    validation: Validation | None = None,
    round_name: str | None = None,
    out: Path | None = None,
    template: Path | None = None,
    budgets: list[Path | str] | None = None,
    report_date: dt.date | None = None,
    password: str | None = None,
    case_number: str | None = None,
    payments: list[Path | str] | None = None,
) -> RoundJob:
    """Read (or take) the overview, assess the round of ``year`` and write the memo draft to ``out``.

    ``round_name`` is a round's key or name (``None``: every round of the year); ``budgets`` are the
    applicants' budget forms (files or folders) for the budget checks; ``payments`` the ledger
    workbooks (issue 25), whose money returned in ``year`` adds to the remaining framework;
    ``case_number`` is the memo's own case number (``None``: a writing prompt in the memo). The template is
    checked before anything is read. Raises :class:`~pagt_xl.base.errors.RequestError` for an unknown round.
    When an input cannot be read, nothing is written and ``result.validation.fatal`` says why. ``out`` may
    not be an input (:class:`~pagt_xl.outputs.files.OutputIsInput`, before anything is read).
    """
    from pagt_xl.core.round import assess_round

    key = round_key(pact, round_name)
    check_outputs([out], [*(inputs or []), *(budgets or []), *(payments or []), template, _pact_file(pact)])
    if out is not None:
        from pagt_xl.report.memo import check_memo_template

        check_memo_template(template)
    validation = validation or run_validation(list(inputs or []), pact, password=password)
    job = RoundJob(validation)
    if validation.fatal:
        return job
    job.notes = [n for n in [period_issue(validation, (year, year))] if n is not None]
    if out is not None:
        job.template_issues = _template_issues([template])
    date = report_date or dt.date.today()
    records = None
    if budgets:
        job.budgets = review_budgets(list(budgets), pact, validation.table, as_of=date)
        records = job.budgets.records
    returned = 0
    if payments:
        job.ledger = follow_ledger(list(payments), pact, validation, password=password)
        ledger = job.ledger.ledger
        returned = next((y.returned for y in ledger.years if y.year == year), 0) if ledger is not None else 0
    job.round = assess_round(validation, year, key, budgets=records, returned=returned)
    if out is not None:
        from pagt_xl.report.memo import render_memo

        excluded = sum(1 for a in job.round.applications if a.has_error)
        render_memo(job.round, out, template=template, report_date=date, budgets_checked=records is not None,
                    excluded_rows=excluded, case_number=case_number)  # fmt: skip
        job.outputs["memo"] = Path(out)
    return job


def run_letters(
    pact: Pact,
    year: int,
    folder: Path,
    *,
    inputs: list[Path | str] | None = None,
    validation: Validation | None = None,
    round_name: str | None = None,
    letter_date: dt.date | None = None,
    grant_template: Path | None = None,
    rejection_template: Path | None = None,
    password: str | None = None,
    draft: bool = False,
    overwrite: bool = False,
) -> RoundJob:
    """One decision letter per application of ``year`` with a decision (tilsagn or afslag) into ``folder``.

    Existing letters are not overwritten (``skipped``) unless ``overwrite`` (the old one is kept as a dated
    copy, ``replaced``). Rows with errors, and rejections or partial grants without a reason, get no letter
    (``failed``, with an issue) — the latter are written as KLADDE with ``draft``. The pact's missing letter
    texts are warnings (``letter_text_missing``). Raises :class:`~pagt_xl.base.errors.RequestError` for an
    unknown round; the templates are checked first.
    """
    from pagt_xl.core.round import decided
    from pagt_xl.report.letters import check_letter_templates, missing_pact_texts, write_letters

    key = round_key(pact, round_name)
    check_letter_templates(grant_template, rejection_template)
    with inputs_protected([*(inputs or []), grant_template, rejection_template, _pact_file(pact)]):
        validation = validation or run_validation(list(inputs or []), pact, password=password)
        job = RoundJob(validation)
        if validation.fatal:
            return job
        job.notes = [n for n in [period_issue(validation, (year, year))] if n is not None]
        job.template_issues = _template_issues([grant_template, rejection_template])
        job.letters, job.letter_issues = write_letters(
            decided(validation, year, key), pact, Path(folder), letter_date=letter_date,
            grant_template=grant_template, rejection_template=rejection_template, draft=draft, overwrite=overwrite,
        )  # fmt: skip
        if job.letters:
            job.letter_issues = missing_pact_texts(pact) + job.letter_issues
    return job


# -- goal tracking and action-plan follow-up (issue 17) ---------------------------
def run_goals(
    paths: list[Path | str],
    pact: Pact,
    *,
    overview: list[Path | str] | None = None,
    year: int | None = None,
    password: str | None = None,
) -> GoalRun:
    """Read the goal workbooks (and the overviews, to derive and check case numbers), follow every goal up.

    ``overview`` ``None`` or empty: nothing derived, case numbers not checked.
    ``year`` ``None``: up to the last year in the data. A file that cannot be
    read is in ``fatal`` (and ``issues``); the others are still used.
    """
    validation = run_validation(list(overview), pact, password=password) if overview else None
    run = follow_goals(paths, pact, validation, year=year, password=password)
    if validation is not None and validation.fatal:  # an overview that cannot be read: reported here too
        run.fatal = [*run.fatal, *validation.fatal]
        run.issues = sorted([*run.issues, *validation.fatal], key=_sort_key)
    return run


def follow_goals(
    paths: list[Path | str],
    pact: Pact,
    validation: Validation | None,
    *,
    year: int | None = None,
    password: str | None = None,
) -> GoalRun:
    """:func:`run_goals` with the overview already read and validated (``None``: no overview).

    The overview's own issues are not repeated in the result; ``fatal`` holds the goal files not read.
    """
    from pagt_xl.base.errors import InputError
    from pagt_xl.core.goals import follow_up
    from pagt_xl.ingest import _fatal_issue, given_files
    from pagt_xl.ingest.goals import read_goal_grids
    from pagt_xl.ingest.grid import read_grids

    books: list[tuple[str, list[Grid]]] = []
    files, skipped, fatal = given_files(list(paths))  # folders and patterns expanded, lock files set aside
    for p in files:
        try:
            books.append((str(p), read_grids(Path(p), str(p), password=password)))
        except InputError as exc:
            fatal.append(_fatal_issue(str(p), exc))
    data = read_goal_grids(books, pact)
    table = validation.table if validation is not None else None
    result = follow_up(pact, data.figures, data.activities, table, year=year)
    issues = sorted([*fatal, *skipped, *data.issues, *result.issues], key=_sort_key)
    return GoalRun(pact=pact, follow_up=result, issues=issues, fatal=fatal, sheets=data.sheets)


# -- after the decision: the commitment ledger (issue 25) -------------------------------------------------------
def run_ledger(
    paths: list[Path | str],
    pact: Pact,
    *,
    overview: list[Path | str] | None = None,
    budgets: list[Path | str] | None = None,
    as_of: dt.date | None = None,
    password: str | None = None,
) -> LedgerRun:
    """Read the ledger workbooks and match them to the overview; compute every grant's account and check it.

    ``overview`` ``None`` or empty: the ledger workbooks are the overview too (a workbook with both an
    overview and an *Udbetalinger* sheet). ``budgets`` (files or folders) give the spending for the
    repayments due from underspend (judged as of ``as_of``, ``None``: today). When the overview cannot
    be read, ``ledger`` is ``None`` and ``fatal`` says why.
    """
    validation = run_validation(list(overview or paths), pact, password=password)
    if validation.fatal and validation.table.empty:
        from pagt_xl.core.ledger import LedgerInput

        fatal = sorted(validation.fatal, key=_sort_key)
        return LedgerRun(pact, None, LedgerInput([], [], [str(p) for p in paths]), fatal, fatal)
    run = follow_ledger(paths, pact, validation, password=password)
    if validation.fatal:
        run.fatal = [*validation.fatal, *run.fatal]
        run.issues = sorted([*run.issues, *validation.fatal], key=_sort_key)
    if budgets:
        run.budgets = review_budgets(list(budgets), pact, validation.table, as_of=as_of)
        _add_repayments_due(run, run.budgets)
    return run


def follow_ledger(
    paths: list[Path | str], pact: Pact, validation: Validation, *, password: str | None = None
) -> LedgerRun:
    """:func:`run_ledger` with the overview already read and validated; the overview's own issues are not
    repeated, its final-report column's are."""
    from pagt_xl.core.ledger import build_ledger
    from pagt_xl.ingest.payments import read_final_reports, read_ledger

    read = read_ledger(list(paths), pact, password=password)
    reports, report_issues = read_final_reports(validation.overview, pact)
    ledger = build_ledger(validation, read.entries, final_reports=reports)
    issues = sorted([*read.issues, *report_issues, *ledger.issues], key=_sort_key)
    return LedgerRun(pact, ledger, read, issues, list(read.fatal))


def _add_repayments_due(run: LedgerRun, budgets: BudgetReview) -> None:
    """Add the repayments due from underspend (the budgets' spending against what was paid) to the run."""
    from pagt_xl.core.ledger import repayments_due

    if run.ledger is None:
        return
    found = repayments_due(run.ledger.accounts, budgets.records)
    run.ledger.issues.extend(found)
    run.issues = sorted([*run.issues, *found], key=_sort_key)


def _write_ledger_workbook(run: LedgerRun, path: Path, result: JobResult) -> None:
    from pagt_xl.outputs.workbooks import write_ledger_workbook

    if run.ledger is not None:
        write_ledger_workbook(run.ledger, run.read.entries, run.issues, path)
        result.outputs["ledger_workbook"] = path


# -- open data: 360Giving (issue 25) ------------------------------------------------------------------------------
def run_giving(
    paths: list[Path | str],
    pact: Pact,
    out: Path,
    *,
    prefix: str,
    modified: dt.datetime,
    payments: list[Path | str] | None = None,
    funder_id: str = "",
    funder_name: str = "",
    password: str | None = None,
) -> GivingJob:
    """Read and validate the overviews, and write their grants as 360Giving data (JSON and xlsx) into ``out``.

    ``payments`` (ledger workbooks) add the amount disbursed. Files are named
    ``360giving_<pact>.json``/``.xlsx``. When an input cannot be read, or no grant can be published, nothing
    is written.
    """
    from pagt_xl.core.opendata import giving_data
    from pagt_xl.ingest.opendata import read_grant_details
    from pagt_xl.outputs.workbooks import write_giving_files

    validation = run_validation(list(paths), pact, password=password)
    job = GivingJob(validation)
    if validation.fatal:
        return job
    if payments:
        job.ledger = follow_ledger(list(payments), pact, validation, password=password)
        if job.ledger.fatal:
            return job
    details, detail_issues = read_grant_details(validation.overview, pact)
    job.data = giving_data(validation, prefix=prefix, modified=modified, funder_id=funder_id,
                           funder_name=funder_name, ledger=job.ledger.ledger if job.ledger else None,
                           details=details)  # fmt: skip
    job.issues = sorted([*detail_issues, *job.data.issues, *(job.ledger.issues if job.ledger else [])], key=_sort_key)
    if job.data.grants:  # a package without grants is not 360Giving data (the schema asks for one at least)
        job.outputs = write_giving_files(job.data, Path(out), f"360giving_{pact.key}")
    return job
