"""One kind of finding for the cross-checks (issue 22 item 3): a :class:`Check` carries its issue code.

A check compares a figure stated in the source (a subtotal row, a framework, an earlier report) or a
figure that must agree by construction (a breakdown's sum) with the one computed from the counted rows
(:mod:`pagt_xl.core.figures`). Every check, passed or failed, is listed in the breakdown workbook's
"Kontrol" sheet, the report's appendix and the JSON; a check that fails *is* an
:class:`~pagt_xl.base.model.Issue` with the check's code (:attr:`Check.finding`): the framework years and
subtotal rows are ``framework_exceeded`` and ``subtotal_mismatch``, in ``validate``'s issues and in
Kontrol alike, built once. ``name`` is the Danish line that says what is checked; the code's one-line
description is :func:`pagt_xl.base.issue_texts.describe`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pagt_xl.base.danish import format_number
from pagt_xl.base.model import Issue, IssueCode, Severity

#: what a check's computed figure comes from, unless it says otherwise
COUNTED_ROWS = "de validerede rækker"


@dataclass(frozen=True)
class Check:
    """One cross-check: the figure expected (stated, or a ceiling) against the one computed, with its code.

    ``subject`` says which one of its kind it is, for scripts and tests: a breakdown's key (``"theme"``), a
    framework year (``"2023"``), a subtotal's cell (``"J15"``), a stated figure's key (``"granted_total"``);
    ``""`` for the year table. ``relation`` ``"=="``: the figures must agree; ``"<="``: ``actual`` must not
    exceed ``expected``. ``finding`` is the issue when the check fails (``None`` when it holds).
    """

    code: IssueCode
    subject: str
    name: str
    expected: int | None
    actual: int | None
    source: str
    computed_from: str = COUNTED_ROWS
    relation: str = "=="
    finding: Issue | None = None
    #: the year a check is about (a framework year); ``None``: not one year
    year: int | None = None

    @property
    def ok(self) -> bool:
        """Whether the two figures agree (or ``actual`` is within the ceiling)."""
        return _holds(self.expected, self.actual, self.relation)

    @property
    def result(self) -> str:
        """``"OK"`` or ``"AFVIGER"``."""
        return "OK" if self.ok else "AFVIGER"

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "name": self.name,
            "code": self.code.value,
            "subject": self.subject,
            "result": self.result,
            "expected": self.expected,
            "actual": self.actual,
            "relation": self.relation,
            "source": self.source,
            "computed_from": self.computed_from,
        }


def _holds(expected: int | None, actual: int | None, relation: str) -> bool:
    if relation == "<=":
        return actual is not None and expected is not None and actual <= expected
    return expected == actual


def check(
    code: IssueCode,
    subject: str,
    name: str,
    expected: int | None,
    actual: int | None,
    *,
    source: str,
    computed_from: str = COUNTED_ROWS,
    relation: str = "==",
    finding: Callable[[], Issue] | None = None,
    year: int | None = None,
) -> Check:
    """A check, with its issue when it fails: ``finding()`` (the rule's own message and cell), else an issue
    about the figures that names both (a warning without a cell: a figure of the output, not of a cell)."""
    failed = None
    if not _holds(expected, actual, relation):
        if finding is not None:
            failed = finding()
        else:
            message = f"{name}: forventet {_shown(expected)}, beregnet {_shown(actual)} ({source})"
            failed = Issue.at(code, Severity.WARNING, message, file=None, value=expected)
    return Check(code, subject, name, expected, actual, source, computed_from, relation, failed, year)


def _shown(value: int | None) -> str:
    return "-" if value is None else format_number(int(value))
