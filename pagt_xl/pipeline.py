"""The one orchestrator the adapters (CLI, Excel, scheduled runs) call."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from pagt_xl.config import Pact
from pagt_xl.ingest import Overview, read_workbooks
from pagt_xl.model import Decision, Issue, Severity
from pagt_xl.validate import validate

_SEVERITY_ORDER = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}


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
        return sum(1 for i in self.issues if i.severity is severity)

    @property
    def has_errors(self) -> bool:
        """Whether any error was found (data or input)."""
        return any(i.severity is Severity.ERROR for i in self.issues)

    def granted(self) -> pd.DataFrame:
        """Granted applications without errors."""
        t = self.table
        return t[(t["decision"] == Decision.GRANTED) & ~t["has_error"]]


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


def run_validation(paths: list[Path | str], pact: Pact) -> Validation:
    """Read every input, apply the pact's rules, return table and all issues."""
    overview = read_workbooks(paths, pact)
    rule_issues = validate(overview, pact)
    issues = sorted([*overview.fatal, *overview.issues, *rule_issues], key=_sort_key)
    return Validation(pact=pact, overview=overview, issues=issues)
