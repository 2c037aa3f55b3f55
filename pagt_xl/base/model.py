"""Core data models: issues (errors as data) and the typed rows read from workbooks.

Everything here is plain data: no I/O, no printing. Amounts are whole kroner
(``int``); ``None`` always means "not given in the source".
"""

from __future__ import annotations

import re
from enum import StrEnum
from functools import lru_cache

from pydantic import BaseModel, ConfigDict, Field

_CELL = re.compile(r"^([A-Z]{1,3})([1-9][0-9]*)$")
#: characters of a raw cell value an issue carries at most (issue 12, guards: outputs echo an excerpt)
MAX_ECHO = 200


class Severity(StrEnum):
    """How bad an issue is. ``error`` makes ``validate`` exit with code 1."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


class IssueCode(StrEnum):
    """Stable, English issue codes. Scripts and tests depend on these values."""

    # whole file / sheet
    FILE_UNREADABLE = "file_unreadable"
    NO_HEADER_ROW = "no_header_row"
    MISSING_COLUMN = "missing_column"
    UNMAPPED_COLUMNS = "unmapped_columns"
    SKIPPED_ROW = "skipped_row"
    SHEET_IGNORED = "sheet_ignored"
    DUPLICATE_COLUMN = "duplicate_column"
    NO_APPLICATIONS = "no_applications"
    # cell parsing
    BAD_AMOUNT = "bad_amount"
    BAD_YEAR = "bad_year"
    BAD_DATE = "bad_date"
    BAD_PERIOD = "bad_period"
    MISSING_VALUE = "missing_value"
    UNKNOWN_THEME = "unknown_theme"
    UNKNOWN_TYPE = "unknown_type"
    UNKNOWN_ROUND = "unknown_round"
    UNKNOWN_DECISION = "unknown_decision"
    UNKNOWN_PROGRESS = "unknown_progress"
    UNKNOWN_STATUS = "unknown_status"
    AMBIGUOUS_NAME = "ambiguous_name"
    # pact rules
    GRANTED_ABOVE_APPLIED = "granted_above_applied"
    REJECTED_WITH_AMOUNT = "rejected_with_amount"
    GRANTED_WITHOUT_AMOUNT = "granted_without_amount"
    ROUND_CAP_EXCEEDED = "round_cap_exceeded"
    FRAMEWORK_EXCEEDED = "framework_exceeded"
    THEME_NOT_OPEN = "theme_not_open"
    YEAR_OUTSIDE_PACT = "year_outside_pact"
    DUPLICATE_TITLE = "duplicate_title"
    SUBTOTAL_MISMATCH = "subtotal_mismatch"
    NEGATIVE_AMOUNT = "negative_amount"
    PERIOD_REVERSED = "period_reversed"
    EXCEL_ERROR = "excel_error"
    FORMULA_WITHOUT_VALUE = "formula_without_value"
    # amounts and theme numbers (issue 12, items 1 and 8)
    AMBIGUOUS_AMOUNT = "ambiguous_amount"
    IMPLAUSIBLE_AMOUNT = "implausible_amount"
    UNIT_MISMATCH = "unit_mismatch"
    THEME_NUMBER_MISMATCH = "theme_number_mismatch"
    # framework sheets
    BAD_FRAMEWORK_ROW = "bad_framework_row"
    DUPLICATE_FRAMEWORK_YEAR = "duplicate_framework_year"
    # applicants' budget workbooks (pagt_xl.core.budget)
    BUDGET_FORM_NOT_FOUND = "budget_form_not_found"
    BUDGET_MISSING_VALUE = "budget_missing_value"
    BUDGET_BAD_AMOUNT = "budget_bad_amount"
    BUDGET_UNKNOWN_CATEGORY = "budget_unknown_category"
    BUDGET_TOTAL_MISMATCH = "budget_total_mismatch"
    BUDGET_OPERATIONS = "budget_operations"
    BUDGET_APPLIED_MISMATCH = "budget_applied_mismatch"
    BUDGET_NOT_IN_OVERVIEW = "budget_not_in_overview"
    BUDGET_COFINANCING_LOW = "budget_cofinancing_low"
    BUDGET_OVERSPENT = "budget_overspent"
    BUDGET_UNDERSPEND_RISK = "budget_underspend_risk"
    # applicants' own budget layouts (issue 12 item 5, pagt_xl.core.budget)
    BUDGET_PERIOD_MISSING = "budget_period_missing"
    BUDGET_NO_FILES = "budget_no_files"
    # issue 12 items 2-3 (rows): subtotal rows that look like applications, duplicated files and rows
    AMBIGUOUS_SUBTOTAL = "ambiguous_subtotal"
    DUPLICATE_FILE = "duplicate_file"
    DUPLICATE_CASE_ID = "duplicate_case_id"
    DUPLICATE_APPLICATION = "duplicate_application"
    #: two spellings of one title or applicant, one edit apart (issue 24; pagt_xl.core.similar_names)
    SIMILAR_NAME = "similar_name"
    # -- goal tracking and action-plan follow-up (issue 17, pagt_xl.ingest.goals, pagt_xl.core.goals) --
    GOAL_SHEET_NOT_FOUND = "goal_sheet_not_found"
    GOAL_BAD_VALUE = "goal_bad_value"
    GOAL_UNKNOWN_INDICATOR = "goal_unknown_indicator"
    GOAL_DUPLICATE_FIGURE = "goal_duplicate_figure"
    GOAL_BASELINE_MISSING = "goal_baseline_missing"
    GOAL_YEAR_MISSING = "goal_year_missing"
    GOAL_UNKNOWN_KIND = "goal_unknown_kind"
    GOAL_UNKNOWN_AREA = "goal_unknown_area"
    GOAL_UNKNOWN_CASE = "goal_unknown_case"

    # ---- the application round: assessment columns and the checks before the memo is signed (issue 16,
    # pagt_xl.core.round). A separate block: other work adds codes above.
    ASSESSMENT_BAD_SCORE = "assessment_bad_score"
    ASSESSMENT_BAD_AMOUNT = "assessment_bad_amount"
    ASSESSMENT_UNKNOWN_RECOMMENDATION = "assessment_unknown_recommendation"
    ASSESSMENT_AMOUNT_WITHOUT_RECOMMENDATION = "assessment_amount_without_recommendation"
    ASSESSMENT_PARTIAL_WITHOUT_AMOUNT = "assessment_partial_without_amount"
    ROUND_NO_FRAMEWORK = "round_no_framework"
    ROUND_NO_APPLICATIONS = "round_no_applications"
    RECOMMENDED_OVER_FRAMEWORK = "recommended_over_framework"
    RECOMMENDED_ABOVE_APPLIED = "recommended_above_applied"
    RECOMMENDED_ABOVE_CAP = "recommended_above_cap"
    RECOMMENDED_THEME_NOT_OPEN = "recommended_theme_not_open"
    RECOMMENDED_BUDGET_OPERATIONS = "recommended_budget_operations"
    RECOMMENDED_BUDGET_MISMATCH = "recommended_budget_mismatch"
    RECOMMENDED_TWICE = "recommended_twice"
    LETTER_NO_AMOUNT = "letter_no_amount"
    LETTER_ROW_HAS_ERRORS = "letter_row_has_errors"
    # lawful letters (issue 24, pagt_xl.report.letters)
    LETTER_NO_REASON = "letter_no_reason"
    LETTER_INTERNAL_WORDING = "letter_internal_wording"
    LETTER_MISSING_DATA = "letter_missing_data"
    LETTER_TEXT_MISSING = "letter_text_missing"

    # ---- cross-checks of the figures (issue 22 item 3, pagt_xl.core.checks): a check that fails is an issue
    # with one of these codes (framework years and subtotal rows use framework_exceeded and subtotal_mismatch)
    BREAKDOWN_SUM_MISMATCH = "breakdown_sum_mismatch"
    BREAKDOWN_COUNT_MISMATCH = "breakdown_count_mismatch"
    YEAR_TABLE_MISMATCH = "year_table_mismatch"
    STATED_FIGURE_MISMATCH = "stated_figure_mismatch"
    # ---- after the decision: the commitment ledger and budget against actuals (issue 25,
    # pagt_xl.ingest.payments, pagt_xl.core.ledger, pagt_xl.core.budget). A separate block.
    LEDGER_SHEET_NOT_FOUND = "ledger_sheet_not_found"
    LEDGER_MISSING_VALUE = "ledger_missing_value"
    LEDGER_BAD_AMOUNT = "ledger_bad_amount"
    LEDGER_BAD_DATE = "ledger_bad_date"
    LEDGER_UNKNOWN_KIND = "ledger_unknown_kind"
    LEDGER_UNKNOWN_CASE = "ledger_unknown_case"
    LEDGER_NOT_GRANTED = "ledger_not_granted"
    LEDGER_DUPLICATE_ENTRY = "ledger_duplicate_entry"
    LEDGER_PAID_ABOVE_GRANTED = "ledger_paid_above_granted"
    LEDGER_REPAID_ABOVE_PAID = "ledger_repaid_above_paid"
    LEDGER_HELD_BACK_PAID = "ledger_held_back_paid"
    LEDGER_OUTSIDE_PERIOD = "ledger_outside_period"
    LEDGER_FINISHED_OWED = "ledger_finished_owed"
    LEDGER_REPAYMENT_DUE = "ledger_repayment_due"
    LEDGER_BAD_FINAL_REPORT = "ledger_bad_final_report"
    LEDGER_NO_FINAL_REPORT_COLUMN = "ledger_no_final_report_column"
    BUDGET_COST_OUTSIDE_PERIOD = "budget_cost_outside_period"
    OPENDATA_GRANT_SKIPPED = "opendata_grant_skipped"
    OPENDATA_BAD_VALUE = "opendata_bad_value"
    # ---- a user-edited Word template's hazards, removed from every draft it makes (issue 21 item 7,
    # pagt_xl.report.sandbox)
    TEMPLATE_MACROS_REMOVED = "template_macros_removed"
    TEMPLATE_REMOTE_TEMPLATE_REMOVED = "template_remote_template_removed"
    TEMPLATE_DDE_FIELD_REMOVED = "template_dde_field_removed"

    # ---- what is read, and how (issue 23: hidden content, house-style rows, context years, keys, inputs).
    # A separate block: other work adds codes above.
    HIDDEN_SHEET = "hidden_sheet"
    HIDDEN_ROWS_COLUMNS = "hidden_rows_columns"
    LIST_SHEET = "list_sheet"
    YEAR_MISMATCH = "year_mismatch"
    GRANTED_ZERO = "granted_zero"
    MIXED_SCRIPT = "mixed_script"
    DECISIONS_DO_NOT_ADD_UP = "decisions_do_not_add_up"
    SKIPPED_FILE = "skipped_file"
    EMPTY_PERIOD = "empty_period"


class Issue(BaseModel):
    """One fault found in the input, pointing at the cell a person can click.

    ``sheet``/``cell``/``row``/``column`` are ``None`` only when the issue
    concerns a whole file (or a whole sheet, for ``cell``/``row``/``column``).
    ``value`` is the raw cell value as read, rendered as text.
    """

    model_config = ConfigDict(frozen=True)

    file: str | None
    sheet: str | None = None
    cell: str | None = None
    row: int | None = None
    column: str | None = None
    code: IssueCode
    severity: Severity
    message: str
    value: str | None = None

    def location(self) -> str:
        """Human-readable place: ``fil.xlsx › Ark › C7``."""
        parts = [p for p in (self.file, self.sheet, self.cell) if p]
        return " › ".join(parts) if parts else "-"

    @classmethod
    def at(
        cls,
        code: IssueCode,
        severity: Severity,
        message: str,
        *,
        file: str | None,
        sheet: str | None = None,
        row: int | None = None,
        column: str | None = None,
        cell: str | None = None,
        value: object = None,
    ) -> Issue:
        """The one way to build an issue: at a cell, a row, a sheet or a whole file.

        ``row`` is the 1-based Excel row and ``column`` its letter; give either
        both (the cell is derived) or ``cell`` ("C7", split into column and
        row); leave them out for an issue about a whole sheet or file.
        ``value`` is the raw cell value; ``None`` and ``""`` are stored as ``None``.
        """
        if cell is not None:
            m = _CELL.match(cell)
            if m is None:
                raise ValueError(f"not an A1 cell address: {cell!r}")
            column, row = m.group(1), int(m.group(2))
        elif column is not None and row is not None:
            cell = f"{column}{row}"
        text = None if value is None or value == "" else str(value)
        if text is not None and len(text) > MAX_ECHO:  # outputs echo an excerpt of a cell, never all of it
            excerpt = text[: MAX_ECHO - 1] + "…"
            message = message.replace(text, excerpt)
            text = excerpt
        if len(message) > 4 * MAX_ECHO:
            message = message[: 4 * MAX_ECHO - 1] + "…"
        return cls(
            file=file, sheet=sheet, cell=cell, row=row, column=column, code=code, severity=severity,
            message=message, value=text,
        )  # fmt: skip


class Decision(StrEnum):
    """The decision on an application."""

    GRANTED = "tilsagn"
    REJECTED = "afslag"
    PENDING = "afventer"
    WITHDRAWN = "trukket"


class SourceRef(BaseModel):
    """Where a row came from: file path (as given), sheet name, 1-based Excel row."""

    model_config = ConfigDict(frozen=True)

    file: str
    sheet: str
    row: int


class FrameworkYear(BaseModel):
    """The budget framework (økonomisk ramme) of one year, whole kroner.

    ``by_round`` maps round key → amount when the framework sheet splits it.
    """

    model_config = ConfigDict(frozen=True)

    source: SourceRef
    year: int
    amount: int
    by_round: dict[str, int] = Field(default_factory=dict)
    cell: str | None = None


class CellProblem:
    """A cell whose value is not a value: an Excel error (``#REF!``) or a formula saved without its result."""

    __slots__ = ("kind", "text")

    def __init__(self, kind: str, text: str) -> None:
        self.kind = kind  # "error" or "formula"
        self.text = text

    def __repr__(self) -> str:
        return f"CellProblem({self.kind!r}, {self.text!r})"

    def __str__(self) -> str:
        return self.text if self.kind == "error" else f"={self.text}"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, CellProblem) and (self.kind, self.text) == (other.kind, other.text)

    def __hash__(self) -> int:
        return hash((self.kind, self.text))


@lru_cache(maxsize=4096)
def column_letter(index0: int) -> str:
    """Excel column letters for a 0-based column index (0 → ``"A"``, 26 → ``"AA"``).

    Same result as openpyxl's ``get_column_letter(index0 + 1)`` (a test checks every
    column); not imported from there because ``openpyxl.utils.cell`` loads all of
    openpyxl (0.1-0.3 s), which a validation run otherwise never imports.
    """
    n = index0 + 1
    letters = ""
    while n:
        n, rem = divmod(n - 1, 26)
        letters = chr(65 + rem) + letters
    return letters
