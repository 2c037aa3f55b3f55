"""Reading the round's assessment columns (issue 16) into typed values, with an issue for each cell that
cannot be read. Readers read, rules judge: whether the assessment holds together (an amount without a
recommendation, a partial one without an amount), the weighted score and the memo's checks are
:mod:`pagt_xl.core.round`'s.

The columns are the ones the overview reader left unmapped whose header is one of the pact's
``[assessment]`` headers: a score per criterion, "Indstilling" (ja/nej/delvis), "Indstillet beløb",
"Begrundelse" and "Særligt tema". Every value keeps its cell; numbers and amounts are parsed by
:mod:`pagt_xl.base.danish`.
"""

from __future__ import annotations

from typing import Any

from pagt_xl.base.config import Pact
from pagt_xl.base.danish import DanishParseError, amount_unit_from_header, header_key, parse_amount, parse_number
from pagt_xl.base.model import CellProblem, Issue, IssueCode, Severity, column_letter
from pagt_xl.core.tables import AssessmentCells, SheetRead

#: recommendation keys that mark an application as one of the year's special theme
_SPECIAL_YES = ("yes", "partial")


def _text(value: object) -> str:
    if value is None or isinstance(value, CellProblem):
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split())


def _nice(number: float) -> str:
    return f"{number:g}".replace(".", ",")


def read_assessments(sheet: SheetRead, pact: Pact) -> list[AssessmentCells]:
    """Each record's assessment columns of ``sheet`` (in record order); ``[]`` when the sheet has none."""
    fields = pact.assessment.header_fields()
    columns = [(j, name, sheet.columns.headers.get(j, "")) for j in sheet.unmapped_cells
               if (name := fields.get(header_key(sheet.columns.headers.get(j, "")))) is not None]  # fmt: skip
    if not columns:
        return []
    rows = sheet.records["row"]
    out = []
    for pos, row in enumerate(rows):
        read = AssessmentCells()
        for j, name, header in columns:
            cell = read.cells.setdefault(name, f"{column_letter(j)}{int(row)}")
            raw = sheet.unmapped_cells[j][pos]
            if raw is None or (isinstance(raw, str) and not raw.strip()):
                continue
            _read_cell(read, name, header, raw, pact, sheet, cell)
        out.append(read)
    return out


def _read_cell(read: AssessmentCells, name: str, header: str, raw: Any, pact: Pact, sheet: SheetRead,
               cell: str) -> None:  # fmt: skip
    """One assessment cell into ``read`` (a value, or an issue at ``cell``)."""
    rules = pact.assessment

    def bad(code: IssueCode, message: str) -> None:
        read.issues.append(Issue.at(code, Severity.ERROR, message, file=sheet.file, sheet=sheet.sheet, cell=cell,
                                    value=raw))  # fmt: skip

    if name.startswith("score:"):
        key = name.removeprefix("score:")
        try:
            score = None if isinstance(raw, CellProblem) else parse_number(raw)
        except DanishParseError:
            score = None
        if score is None or not rules.score_min <= score <= rules.score_max:
            criterion = next(c.name for c in rules.criteria if c.key == key)
            bad(IssueCode.ASSESSMENT_BAD_SCORE,
                f"'{_text(raw) or raw}' er ikke en score for {criterion}; skriv et tal fra "
                f"{_nice(rules.score_min)} til {_nice(rules.score_max)} (eller lad feltet stå tomt)")  # fmt: skip
        else:
            read.scores[key] = score
    elif name == "recommended":
        try:
            amount = None if isinstance(raw, CellProblem) else parse_amount(raw, amount_unit_from_header(header))
        except DanishParseError:
            amount = None
        if amount is None or amount < 0:
            bad(IssueCode.ASSESSMENT_BAD_AMOUNT,
                f"'{_text(raw) or raw}' er ikke et indstillet beløb; skriv fx 250.000 eller 1,3 mio. kr.")  # fmt: skip
        else:
            read.recommended = amount
    elif name == "recommendation":
        key = rules.recommendation_matcher.match(_text(raw)).key
        if key is None:
            bad(IssueCode.ASSESSMENT_UNKNOWN_RECOMMENDATION,
                f"indstillingen '{_text(raw)}' er ukendt; skriv Ja, Nej eller Delvis")  # fmt: skip
        else:
            read.recommendation = key
    elif name == "reason":
        read.reason = _text(raw)
    elif name == "special":
        text = _text(raw)
        if text:
            read.special = rules.recommendation_matcher.match(text).key in _SPECIAL_YES
