"""The yearly budget framework (økonomisk ramme) from a framework sheet."""

from __future__ import annotations

from pagt_xl.base.config import Pact
from pagt_xl.base.danish import (
    AmountUnit,
    DanishParseError,
    amount_unit_from_header,
    header_key,
    parse_amount,
    parse_year,
)
from pagt_xl.base.model import FrameworkYear, Issue, IssueCode, Severity, SourceRef, column_letter
from pagt_xl.core.tables import ColumnMap
from pagt_xl.ingest.grid import Grid
from pagt_xl.ingest.headers import alias_index, find_header


def framework_index(pact: Pact) -> dict[str, str]:
    """Header alias index for framework sheets: year, amount and one field per round."""
    aliases: dict[str, list[str]] = {
        "year": pact.framework.year_headers,
        "amount": pact.framework.amount_headers,
    }
    for r in pact.rounds:
        aliases[f"round:{r.key}"] = r.all_names()
    return alias_index(aliases)


def is_framework_sheet_name(name: str, pact: Pact) -> bool:
    """Whether a sheet's name says it holds the framework."""
    return header_key(name) in {header_key(n) for n in pact.framework.sheet_names}


def find_framework_header(grid: Grid, pact: Pact) -> ColumnMap | None:
    """Header row with a year and an amount column, or ``None``."""
    cmap = find_header(grid.rows, framework_index(pact), {"amount"})
    if cmap is None or "year" not in cmap.fields:
        return None
    return cmap


def read_framework(grid: Grid, cmap: ColumnMap) -> tuple[list[FrameworkYear], list[Issue]]:
    """Framework years from a sheet; blank rows and total rows skipped, bad rows reported.

    A year that appears twice is reported, and its first row is used.
    """
    years: list[FrameworkYear] = []
    issues: list[Issue] = []
    year_col = cmap.fields["year"]
    seen: dict[int, int] = {}
    for i in range(cmap.header_row + 1, len(grid.rows)):
        row_no = i + 1
        read, row_issues = _framework_row(grid, cmap, grid.rows[i], row_no)
        issues.extend(row_issues)
        if read is not None and read.year in seen:
            message = f"året {read.year} står to gange i rammen (også række {seen[read.year]}); den første bruges"
            raw_year = _cell(grid.rows[i], year_col)
            code = IssueCode.DUPLICATE_FRAMEWORK_YEAR
            issues.append(_framework_issue(grid, year_col, row_no, message, raw_year, code))
        elif read is not None:
            seen[read.year] = row_no
            years.append(read)
    return years, issues


def _cell(cells: list[object], j: int) -> object:
    return cells[j] if j < len(cells) else ""


def _framework_issue(
    grid: Grid, col: int, row_no: int, message: str, value: object, code: IssueCode = IssueCode.BAD_FRAMEWORK_ROW
) -> Issue:
    return grid.issue(
        code, Severity.ERROR, message, row=row_no, column=column_letter(col),
        value=str(value),
    )  # fmt: skip


def _framework_row(
    grid: Grid, cmap: ColumnMap, cells: list[object], row_no: int
) -> tuple[FrameworkYear | None, list[Issue]]:
    """One framework year and its issues; ``None`` for a blank or total row or one without a usable year and amount.

    A round's amount that cannot be read is reported and left out of ``by_round``; the year is still used.
    """
    year_col = cmap.fields["year"]
    amount_col = cmap.fields["amount"]
    raw_year = _cell(cells, year_col)
    raw_amount = _cell(cells, amount_col)
    if raw_year in ("", None) and raw_amount in ("", None):
        return None, []
    try:
        year = parse_year(raw_year)
    except DanishParseError as exc:
        if isinstance(raw_year, str) and header_key(raw_year).startswith(("i alt", "ialt", "total", "sum", "samlet")):
            return None, []  # a total row under the framework
        return None, [_framework_issue(grid, year_col, row_no, f"rammens år kan ikke læses: {exc}", raw_year)]
    try:
        amount = parse_amount(raw_amount, _unit(cmap, amount_col))
    except DanishParseError as exc:
        return None, [_framework_issue(grid, amount_col, row_no, f"rammebeløbet kan ikke læses: {exc}", raw_amount)]
    if year is None or amount is None:
        col = year_col if year is None else amount_col
        value = raw_year if year is None else raw_amount
        return None, [_framework_issue(grid, col, row_no, "rækken mangler år eller rammebeløb", value)]
    by_round: dict[str, int] = {}
    issues: list[Issue] = []
    for f, j in cmap.fields.items():
        if f.startswith("round:"):
            raw = _cell(cells, j)
            try:
                value = parse_amount(raw, _unit(cmap, j))
            except DanishParseError as exc:
                issues.append(_framework_issue(grid, j, row_no, f"rammen for runden kan ikke læses: {exc}", raw))
                continue
            if value is not None:
                by_round[f.split(":", 1)[1]] = value
    year_read = FrameworkYear(
        source=SourceRef(file=grid.file, sheet=grid.sheet, row=row_no),
        year=year,
        amount=amount,
        by_round=by_round,
        cell=f"{column_letter(amount_col)}{row_no}",
    )
    return year_read, issues


def _unit(cmap: ColumnMap, j: int) -> AmountUnit:
    return amount_unit_from_header(cmap.headers.get(j, ""))
