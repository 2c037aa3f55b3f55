"""Applicants' budget workbooks: read (label-driven, tolerant of drifted layouts), check, consolidate.

A budget workbook is the applicant's filled-in ``pagt_xl/templates/budgetskema.xlsx``:
identification (Sagsnr., Projekttitel, Tovholder, År, Projektstart/-slut),
cost lines by category with optional spending per year ("Forbrug 2024" ...),
co-financing and the amount sought. Everything is found by its Danish label,
not by a fixed cell, so inserted rows, moved blocks, renamed categories
(aliases) and totals typed by hand are read as they are. The words (labels,
headers, categories and their spellings, operations categories) are the
pact's ``[budgets]`` settings (defaults in ``pacts/_common.toml``). Each value keeps its
cell, and every fault is an :class:`~pagt_xl.base.model.Issue` with file, sheet and
cell. One bad file never stops the others.

A budget laid out by year in columns (under a merged "Budget (kr.)" header, with an "I alt" column or
not) is read per year; a header's unit ("Beløb (t.kr.)") is applied; a category cell merged down over
several lines covers each of them; identification on a cover sheet in front of the budget is used.

Underspend rule (``budget_underspend_risk``), as of a date ``as_of`` (or the spending header's own date,
"Forbrug pr. 31.12.2025", when that is earlier):
``elapsed = clamp((as_of - start) / (end - start), 0, 1)`` in days and
``spent = spent_to_date / granted``; the project is at risk when
``spent < elapsed - margin`` (``margin`` = ``[budgets] underspend_margin`` in
the pact file, default 0.25). A budget laid out by year is judged against its own plan instead:
``planned`` = the years before ``as_of`` in full plus ``as_of``'s year by the days gone, as a share of
the budget, and the project is at risk when ``spent < planned - margin`` (a project on its plan is never
at risk). Exactly at the threshold is not a risk. The rule
is applied in one place, :func:`spending_status`; both the issue and the
review's :class:`~pagt_xl.core.results.UnderspendNote` come from its result.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd

from pagt_xl.base.config import BudgetRules, Pact, default_budget_rules
from pagt_xl.base.danish import (
    case_key,
    format_amount,
    format_percent,
    normalize_name,
)
from pagt_xl.base.model import Decision, Issue, IssueCode, Severity
from pagt_xl.core.tables import BudgetRecord, UnderspendNote


def _record_issue(rec: BudgetRecord, key: str, code: IssueCode, severity: Severity, message: str,
                  value: Any = None) -> Issue:  # fmt: skip
    """An issue at the cell of a form field (``key`` in ``rec.cells``), else about the sheet (then no value)."""
    cell = rec.cells.get(key)
    return Issue.at(code, severity, message, file=rec.file, sheet=rec.sheet, cell=cell,
                    value=value if cell else None)  # fmt: skip


def check_budget(rec: BudgetRecord, pact: Pact, *, as_of: dt.date | None = None) -> list[Issue]:
    """The checks that need only the budget itself and the pact's rules."""
    return _check_budget(rec, pact, as_of=as_of)[0]


def _check_budget(rec: BudgetRecord, pact: Pact, *, as_of: dt.date | None) -> tuple[list[Issue], UnderspendNote | None]:
    """:func:`check_budget`, plus the spending status against the form's grant (``None``: not judged)."""
    issues: list[Issue] = []
    rules = pact.budgets
    if not rec.case_id and not rec.title:
        issues.append(_record_issue(rec, "title", IssueCode.BUDGET_MISSING_VALUE, Severity.ERROR,
                                    "skemaet mangler både sagsnummer og projekttitel"))  # fmt: skip
    if rec.sought is None:
        issues.append(_record_issue(rec, "sought", IssueCode.BUDGET_MISSING_VALUE, Severity.ERROR,
                                    "beløbet ansøgt fra puljen mangler"))  # fmt: skip
    if rec.stated_total is not None and rec.stated_total != rec.total_cost:
        issues.append(_record_issue(
            rec, "total", IssueCode.BUDGET_TOTAL_MISMATCH, Severity.ERROR,
            f"budgetlinjerne summer til {format_amount(rec.total_cost)}, men 'Udgifter i alt' er "
            f"{format_amount(rec.stated_total)}", rec.stated_total))  # fmt: skip
    issues.extend(_operations_issues(rec, rules))
    if rules.min_cofinancing_share is not None and rec.total_cost > 0:
        share = rec.cofinancing / rec.total_cost
        if share < rules.min_cofinancing_share:
            issues.append(_record_issue(
                rec, "own", IssueCode.BUDGET_COFINANCING_LOW, Severity.WARNING,
                f"medfinansiering er {format_percent(share)} af budgettet; pagten kræver mindst "
                f"{format_percent(rules.min_cofinancing_share)}", rec.cofinancing))  # fmt: skip
    issues.extend(_costs_outside_period(rec))
    status = None
    if rec.granted is not None:
        found, status = _check_spending(rec, rec.granted, margin=rules.underspend_margin, as_of=as_of)
        issues.extend(found)
    return issues, status


def _costs_outside_period(rec: BudgetRecord) -> list[Issue]:
    """Spending (or a budget laid out by year) in a year outside the project period: a warning at the cell."""
    if rec.start is None or rec.end is None:
        return []
    out = []
    period = f"{rec.start.year}-{rec.end.year}" if rec.start.year != rec.end.year else str(rec.start.year)
    for line in rec.lines:
        for what, amounts, cells in (("forbrug", line.spent, line.spent_cells),
                                     ("budget", line.budget_years, line.budget_cells)):  # fmt: skip
            for year, amount in sorted(amounts.items()):
                if amount > 0 and not rec.start.year <= year <= rec.end.year:
                    message = (f"{what} i {year} på {format_amount(amount)} ligger uden for projektperioden "
                               f"{period} ({line.raw_category or line.category or 'budgetlinjen'})")  # fmt: skip
                    out.append(Issue.at(IssueCode.BUDGET_COST_OUTSIDE_PERIOD, Severity.WARNING, message,
                                        file=rec.file, sheet=rec.sheet, cell=cells.get(year) or line.cell,
                                        value=amount))  # fmt: skip
    return out


def planned_share(rec: BudgetRecord, as_of: dt.date) -> float | None:
    """The share of a budget laid out by year that is planned to be spent by ``as_of``: the years before in
    full, ``as_of``'s year by the days gone; ``None`` when the budget is not laid out by year."""
    plan: dict[int, int] = {}
    for line in rec.lines:
        for year, amount in line.budget_years.items():
            plan[year] = plan.get(year, 0) + amount
    total = sum(plan.values())
    if not plan or total <= 0:
        return None
    year_start = dt.date(as_of.year, 1, 1)
    gone = ((as_of - year_start).days + 1) / ((dt.date(as_of.year, 12, 31) - year_start).days + 1)
    done = sum(a for y, a in plan.items() if y < as_of.year) + plan.get(as_of.year, 0) * gone
    return min(1.0, max(0.0, done / total))


def _operations_issues(rec: BudgetRecord, rules: BudgetRules) -> list[Issue]:
    """Operations lines: an operations category, or an operations keyword in the category cell (errors), or in
    the description only (warnings: a person judges "el" in "el-komponenter"). Whole words only."""
    issues = []
    for line in rec.lines:
        if line.amount <= 0:
            continue
        if line.category in rules.operations:
            why, severity = f"under '{line.category}'", Severity.ERROR
        elif word := rules.operations_keyword(line.raw_category):
            why, severity = f"under '{line.raw_category}' (nøgleord '{word}')", Severity.ERROR
        elif word := rules.operations_keyword(line.description):
            why, severity = f"under '{line.raw_category}' (nøgleord '{word}' i beskrivelsen)", Severity.WARNING
        else:
            continue
        message = f"puljen støtter ikke driftsopgaver: {format_amount(line.amount)} {why}" + (
            f" ({line.description})" if line.description else ""
        )
        issues.append(Issue.at(IssueCode.BUDGET_OPERATIONS, severity, message, file=rec.file,
                               sheet=rec.sheet, cell=line.cell, value=line.amount))  # fmt: skip
    return issues


def elapsed_share(start: dt.date, end: dt.date, as_of: dt.date) -> float:
    """Share (0..1) of the project period that has passed on ``as_of`` (days, clamped)."""
    total = (end - start).days
    if total <= 0:
        return 1.0 if as_of >= end else 0.0
    return min(1.0, max(0.0, (as_of - start).days / total))


def underspend_risk(spent: int, granted: int, start: dt.date, end: dt.date, as_of: dt.date, margin: float) -> bool:
    """The underspend rule: spent share below the elapsed share minus ``margin`` (equal is no risk)."""
    if granted <= 0:
        return False
    return _below(spent / granted, elapsed_share(start, end, as_of), margin)


def _below(spent_share: float, elapsed: float, margin: float) -> bool:
    return spent_share < elapsed - margin - 1e-12


def spending_status(rec: BudgetRecord, granted: int, *, margin: float, as_of: dt.date) -> UnderspendNote | None:
    """Spending to date against ``granted`` (kr.) on ``as_of``: the one place the underspend rule is applied.

    ``None`` when there is nothing to judge: nothing granted or no spending
    lines filled in. ``elapsed_share`` is ``None`` when the form has no period;
    an overspent budget is never at risk of underspending.
    """
    if granted <= 0 or not any(line.spent for line in rec.lines):
        return None
    spent_share = rec.spent / granted
    if rec.start is None or rec.end is None:
        return UnderspendNote(at_risk=False, spent_share=spent_share)
    if rec.spent_as_of is not None:  # the figures are made up to this date: judge the project there
        as_of = min(as_of, rec.spent_as_of)
    elapsed = elapsed_share(rec.start, rec.end, as_of)
    planned = planned_share(rec, as_of)
    expected = planned if planned is not None else elapsed
    at_risk = rec.spent <= granted and _below(spent_share, expected, margin)
    return UnderspendNote(at_risk=at_risk, spent_share=spent_share, elapsed_share=elapsed, planned_share=planned)


def _check_spending(rec: BudgetRecord, granted: int, *, margin: float,
                    as_of: dt.date | None) -> tuple[list[Issue], UnderspendNote | None]:  # fmt: skip
    """Overspend and underspend-risk issues against ``granted``, and the spending status they come from."""
    issues: list[Issue] = []
    spent = rec.spent
    if spent > granted:
        issues.append(_record_issue(
            rec, "granted", IssueCode.BUDGET_OVERSPENT, Severity.ERROR,
            f"forbruget {format_amount(spent)} overstiger bevillingen {format_amount(granted)}", spent))  # fmt: skip
    status = spending_status(rec, granted, margin=margin, as_of=as_of or dt.date.today())
    if status is not None and status.elapsed_share is None and spent <= granted:
        issues.append(_period_missing(rec))
    if status is not None and status.at_risk:
        message = f"risiko for underforbrug: {_risk_text(status)}"
        issues.append(_record_issue(rec, "granted", IssueCode.BUDGET_UNDERSPEND_RISK, Severity.WARNING, message,
                                    spent))  # fmt: skip
    return issues, status


def _period_missing(rec: BudgetRecord) -> Issue:
    """The underspend check was skipped: the form has a grant and spending but no readable period."""
    unread = [k for k in ("period", "start", "end") if k in rec.unreadable]
    if unread:
        key, why = unread[0], "projektperioden kunne ikke læses"
    else:
        key = next((k for k in ("period", "start", "end") if k in rec.cells), "granted")
        missing = [name for k, name in (("start", "startdato"), ("end", "slutdato")) if getattr(rec, k) is None]
        why = f"projektperioden mangler ({' og '.join(missing)})"
    message = f"tjekket for underforbrug er sprunget over: {why}; udfyld Projektstart og Projektslut"
    return _record_issue(rec, key, IssueCode.BUDGET_PERIOD_MISSING, Severity.WARNING, message)


def _risk_text(status: UnderspendNote) -> str:
    if status.planned_share is not None:
        planned = format_percent(status.planned_share)
        return f"forbrugt {format_percent(status.spent_share)} af bevillingen, men budgettet planlagde {planned} brugt"
    elapsed = format_percent(status.elapsed_share or 0.0)
    return f"forbrugt {format_percent(status.spent_share)} af bevillingen, men {elapsed} af projektperioden er gået"


def check_against_overview(records: list[BudgetRecord], table: pd.DataFrame, pact: Pact,
                           *, as_of: dt.date | None = None) -> list[Issue]:  # fmt: skip
    """Match budgets to the overview (case number, else year + title) and compare amounts.

    Sought ≠ applied is a warning with both figures; a budget without a match is
    reported; spending is checked against the overview's grant when the form has none.
    """
    return _check_against_overview(records, table, pact, as_of=as_of)[0]


def _check_against_overview(records: list[BudgetRecord], table: pd.DataFrame, pact: Pact, *,
                            as_of: dt.date | None) -> tuple[list[Issue], list[UnderspendNote | None]]:  # fmt: skip
    """:func:`check_against_overview`, plus each record's spending status against the overview's grant."""
    issues: list[Issue] = []
    statuses: list[UnderspendNote | None] = []
    by_case = {case_key(c): i for i, c in table["case_id"].items() if isinstance(c, str) and c.strip()}
    by_title = {
        (int(y), normalize_name(str(t))): i
        for i, (y, t) in table[["year", "title"]].iterrows()
        if isinstance(t, str) and not pd.isna(y)
    }
    for rec in records:
        statuses.append(None)
        idx = by_case.get(case_key(rec.case_id)) if rec.case_id else None
        if idx is None and rec.year is not None and rec.title:
            idx = by_title.get((rec.year, normalize_name(rec.title)))
        if idx is None:
            issues.append(_record_issue(
                rec, "case_id" if rec.case_id else "title", IssueCode.BUDGET_NOT_IN_OVERVIEW, Severity.WARNING,
                "budgettet passer ikke til nogen ansøgning i oversigten (sagsnr. eller år + titel)"))  # fmt: skip
            continue
        row = table.loc[idx]
        applied = row["applied"]
        if rec.sought is not None and not pd.isna(applied) and int(applied) != rec.sought:
            issues.append(_record_issue(
                rec, "sought", IssueCode.BUDGET_APPLIED_MISMATCH, Severity.WARNING,
                f"ansøgt fra puljen er {format_amount(rec.sought)} i budgettet, men {format_amount(int(applied))} "
                f"i oversigten ({row['file']} › {row['sheet']} række {int(row['row'])})", rec.sought))  # fmt: skip
        if rec.granted is None and row["decision"] == Decision.GRANTED and not pd.isna(row["granted"]):
            found, statuses[-1] = _check_spending(rec, int(row["granted"]), margin=pact.budgets.underspend_margin,
                                                  as_of=as_of)  # fmt: skip
            issues.extend(found)
    return issues, statuses


BUDGET_COLUMNS = ("file", "case_id", "title", "applicant", "year", "start", "end", "total_cost", "stated_total",
                  "sought", "own", "partner", "cofinancing_share", "granted", "spent", "spent_share")  # fmt: skip


def budget_table(records: list[BudgetRecord]) -> pd.DataFrame:
    """The consolidated budget table: one row per workbook."""
    rows = []
    for r in records:
        total = r.total_cost
        rows.append({
            "file": r.file, "case_id": r.case_id, "title": r.title, "applicant": r.applicant, "year": r.year,
            "start": r.start, "end": r.end, "total_cost": total, "stated_total": r.stated_total,
            "sought": r.sought, "own": r.own, "partner": r.partner,
            "cofinancing_share": r.cofinancing / total if total else None, "granted": r.granted,
            "spent": r.spent, "spent_share": r.spent / r.granted if r.granted else None,
        })  # fmt: skip
    return pd.DataFrame(rows, columns=list(BUDGET_COLUMNS))


def spending_by_category(records: list[BudgetRecord], pact: Pact | None = None) -> dict[str, dict[str, int]]:
    """Budget and spending per cost category over all budgets (kr.), in the pact's category order.

    ``pact=None`` uses the categories of ``_common.toml``; categories the list
    does not know come last, in order of first appearance.
    """
    rules = pact.budgets if pact is not None else default_budget_rules()
    out: dict[str, dict[str, int]] = {c: {"budget": 0, "spent": 0} for c in rules.categories}
    for r in records:
        for line in r.lines:
            if line.category:
                sums = out.setdefault(line.category, {"budget": 0, "spent": 0})
                sums["budget"] += line.amount
                sums["spent"] += sum(line.spent.values())
    return {k: v for k, v in out.items() if v["budget"] or v["spent"]}


LINE_COLUMNS = ("file", "case_id", "title", "row", "category", "description", "budget", "spent", "remaining",
                "spent_share")  # fmt: skip


def budget_lines(records: list[BudgetRecord]) -> pd.DataFrame:
    """Budget against actuals per cost line (kr.): one row per line of every budget, with its spending to date,
    what is left of its budget (negative: overspent) and the share spent (``None`` for a line without budget)."""
    rows = []
    for r in records:
        for line in r.lines:
            spent = sum(line.spent.values())
            rows.append({
                "file": r.file, "case_id": r.case_id, "title": r.title, "row": line.row,
                "category": line.category or line.raw_category, "description": line.description,
                "budget": line.amount, "spent": spent, "remaining": line.amount - spent,
                "spent_share": spent / line.amount if line.amount else None,
            })  # fmt: skip
    return pd.DataFrame(rows, columns=list(LINE_COLUMNS))
