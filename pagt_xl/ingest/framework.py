"""The yearly budget framework (økonomisk ramme) from a framework sheet."""

from __future__ import annotations

from pagt_xl.config import Pact
from pagt_xl.danish import DanishParseError, amount_unit_from_header, parse_amount, parse_year
from pagt_xl.ingest.grid import Grid, column_letter
from pagt_xl.ingest.headers import ColumnMap, alias_index, find_header, header_key
from pagt_xl.model import FrameworkYear, Issue, IssueCode, Severity, SourceRef


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
    """Framework years from a sheet; blank rows skipped, bad rows reported."""
    years: list[FrameworkYear] = []
    issues: list[Issue] = []
    year_col = cmap.fields["year"]
    amount_col = cmap.fields["amount"]
    round_cols = {f.split(":", 1)[1]: j for f, j in cmap.fields.items() if f.startswith("round:")}
    units = {j: amount_unit_from_header(cmap.headers.get(j, "")) for j in cmap.fields.values()}
    seen: dict[int, int] = {}
    for i in range(cmap.header_row + 1, len(grid.rows)):
        cells = grid.rows[i]
        row_no = i + 1
        raw_year = cells[year_col] if year_col < len(cells) else ""
        raw_amount = cells[amount_col] if amount_col < len(cells) else ""
        if raw_year in ("", None) and raw_amount in ("", None):
            continue

        def issue(
            col: int,
            message: str,
            value: object,
            code: IssueCode = IssueCode.BAD_FRAMEWORK_ROW,
            row_no: int = row_no,
        ) -> Issue:
            letter = column_letter(col)
            return Issue(
                file=grid.file,
                sheet=grid.sheet,
                cell=f"{letter}{row_no}",
                row=row_no,
                column=letter,
                code=code,
                severity=Severity.ERROR,
                message=message,
                value=str(value),
            )

        try:
            year = parse_year(raw_year)
        except DanishParseError as exc:
            if isinstance(raw_year, str) and header_key(raw_year).startswith(
                ("i alt", "ialt", "total", "sum", "samlet")
            ):
                continue  # a total row under the framework
            issues.append(issue(year_col, f"rammens år kan ikke læses: {exc}", raw_year))
            continue
        try:
            amount = parse_amount(raw_amount, units[amount_col])
        except DanishParseError as exc:
            issues.append(issue(amount_col, f"rammebeløbet kan ikke læses: {exc}", raw_amount))
            continue
        if year is None or amount is None:
            col = year_col if year is None else amount_col
            issues.append(issue(col, "rækken mangler år eller rammebeløb", raw_year if year is None else raw_amount))
            continue
        by_round: dict[str, int] = {}
        for key, j in round_cols.items():
            raw = cells[j] if j < len(cells) else ""
            try:
                value = parse_amount(raw, units[j])
            except DanishParseError as exc:
                issues.append(issue(j, f"rammen for runden kan ikke læses: {exc}", raw))
                continue
            if value is not None:
                by_round[key] = value
        if year in seen:
            issues.append(
                issue(
                    year_col,
                    f"året {year} står to gange i rammen (også række {seen[year]}); den første bruges",
                    raw_year,
                    IssueCode.DUPLICATE_FRAMEWORK_YEAR,
                )
            )
            continue
        seen[year] = row_no
        years.append(
            FrameworkYear(
                source=SourceRef(file=grid.file, sheet=grid.sheet, row=row_no),
                year=year,
                amount=amount,
                by_round=by_round,
                cell=f"{column_letter(amount_col)}{row_no}",
            )
        )
    return years, issues
