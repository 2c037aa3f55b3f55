"""The one orchestrator the adapters (CLI, Excel, scheduled runs) call."""

from __future__ import annotations

from pathlib import Path

from pagt_xl.breakdown import (
    breakdown_by,
    cross_checks,
    grant_extremes,
    year_table,
)
from pagt_xl.config import Pact
from pagt_xl.ingest import Overview, read_grid_books, read_workbooks
from pagt_xl.ingest.grid import Grid
from pagt_xl.model import Issue, Severity
from pagt_xl.results import Breakdowns, Validation
from pagt_xl.validate import subtotal_sums, validate

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


def run_validation(paths: list[Path | str], pact: Pact, *, password: str | None = None) -> Validation:
    """Read every input, apply the pact's rules, return table and all issues.

    ``password`` opens password-protected workbooks (the same password for all).
    """
    return _validated(read_workbooks(paths, pact, password=password), pact)


def run_validation_grids(books: list[tuple[str, list[Grid]]], pact: Pact) -> Validation:
    """:func:`run_validation` for sheets already in memory: (book name, grids) pairs."""
    return _validated(read_grid_books(books, pact), pact)


def _validated(overview: Overview, pact: Pact) -> Validation:
    rule_issues = validate(overview, pact)
    issues = sorted([*overview.fatal, *overview.issues, *rule_issues], key=_sort_key)
    return Validation(pact=pact, overview=overview, issues=issues)


#: Breakdowns computed for the workbook and the report (target groups when the columns exist).
STANDARD_KEYS = ("theme", "type", "round", "institution_type", "status", "progress", "target_group", "applicant")


def run_breakdowns(
    validation: Validation,
    *,
    year: int | None = None,
    stated: dict[str, int] | None = None,
    stated_source: str = "",
    period: tuple[int, int] | None = None,
) -> Breakdowns:
    """Every standard breakdown plus the year table and cross-checks.

    ``year`` limits the figures to one year, ``period`` to the years
    ``first..last`` (inclusive); ``None`` for both: every year in the data.
    """
    pact = validation.pact
    table = validation.table
    if year is not None:
        period = (year, year)
    if period is not None:
        first, last = period
        if first > last:
            raise ValueError(f"perioden {first}-{last} slutter før den begynder")
        table = table[(table["year"] >= first) & (table["year"] <= last)]
    keys = [k for k in STANDARD_KEYS if _key_available(validation, k)]
    result = {k: breakdown_by(table, pact, [k]) for k in ["year", *keys]}
    frameworks = [f for f in validation.overview.frameworks if period is None or period[0] <= f.year <= period[1]]
    years = year_table(table, pact, frameworks)
    subtotals = [] if period is not None else subtotal_sums(validation.overview)
    checks = cross_checks(table, pact, result, years, subtotals, stated, stated_source)
    return Breakdowns(validation, result, years, grant_extremes(table), checks, year, period)


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
