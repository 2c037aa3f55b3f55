"""Applicants' budget workbooks: read (label-driven, tolerant of drifted layouts), check, consolidate.

A budget workbook is the applicant's filled-in ``templates/budgetskema.xlsx``:
identification (Sagsnr., Projekttitel, Tovholder, År, Projektstart/-slut),
cost lines by category with optional spending per year ("Forbrug 2024" ...),
co-financing and the amount sought. Everything is found by its Danish label,
not by a fixed cell, so inserted rows, moved blocks, renamed categories
(aliases) and totals typed by hand are read as they are. Each value keeps its
cell, and every fault is an :class:`~pagt_xl.model.Issue` with file, sheet and
cell. One bad file never stops the others.

Underspend rule (``budget_underspend_risk``), as of a date ``as_of``:
``elapsed = clamp((as_of - start) / (end - start), 0, 1)`` in days and
``spent = spent_to_date / granted``; the project is at risk when
``spent < elapsed - margin`` (``margin`` = ``[budgets] underspend_margin`` in
the pact file, default 0.25). Exactly at the threshold is not a risk.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from pagt_xl.config import Pact
from pagt_xl.danish import (
    DanishParseError,
    NameMatcher,
    format_amount,
    format_percent,
    normalize_name,
    parse_amount,
    parse_date,
    parse_year,
)
from pagt_xl.errors import InputError
from pagt_xl.ingest.grid import Grid, column_letter, read_grids
from pagt_xl.ingest.headers import header_key
from pagt_xl.model import Decision, Issue, IssueCode, Severity

#: Cost categories of the form and the spellings read as each.
CATEGORIES: dict[str, tuple[str, ...]] = {
    "Løn og timer": ("Løn", "Lønudgifter", "Timer", "Løn/timer", "Personale", "Arbejdstimer"),
    "Materialer og udstyr": ("Materialer", "Udstyr", "Materiel", "Indkøb"),
    "Transport": ("Rejser", "Kørsel", "Transportudgifter"),
    "Eksterne ydelser": ("Konsulenter", "Ekstern bistand", "Eksterne konsulenter"),
    "Kommunikation": ("Formidling", "PR", "Markedsføring"),
    "Administration": ("Adm.", "Revision"),
    "Drift": ("Driftsudgifter", "Driftsopgaver", "Husleje"),
    "Andet": ("Øvrige", "Øvrigt", "Diverse", "Andre udgifter"),
}
LABELS: dict[str, tuple[str, ...]] = {
    "case_id": ("Sagsnr.", "Sagsnummer", "Journalnr.", "ID"),
    "title": ("Projekttitel", "Projektitel", "Titel", "Projektets titel"),
    "applicant": (
        "Tovholder",
        "Tovholder (ansøger)",
        "Tovholder/ansøger",
        "Ansøger",
        "Institution",
        "Ansøgende institution",
    ),
    "year": ("År", "Ansøgningsår", "Tilsagnsår"),
    "start": ("Projektstart", "Startdato", "Start", "Projektperiode start"),
    "end": ("Projektslut", "Slutdato", "Slut", "Projektperiode slut"),
    "own": ("Egenfinansiering", "Egen finansiering", "Egenfinansiering (kr.)"),
    "partner": ("Partnerfinansiering", "Partnerfinansiering (kr.)", "Medfinansiering fra partnere"),
    "sought": ("Ansøgt fra puljen", "Ansøgt beløb", "Ansøges fra puljen", "Ansøgt fra Teknologipagten"),
    "granted": ("Bevilget fra puljen", "Bevilget", "Støttebeløb", "Tilsagn"),
    "total": ("Udgifter i alt", "Budget i alt", "I alt", "Total"),
}
CATEGORY_HEADERS = ("Kategori", "Udgiftskategori", "Budgetpost", "Post")
AMOUNT_HEADERS = ("Budget", "Budget (kr.)", "Beløb", "Beløb (kr.)", "Budgetteret")
DESCRIPTION_HEADERS = ("Beskrivelse", "Specifikation", "Tekst")
_SPEND = re.compile(r"^forbrug (\d{4})$")
_INDEX = {header_key(a): key for key, aliases in LABELS.items() for a in aliases}
_CATEGORY_MATCHER = NameMatcher({k: (k, *v) for k, v in CATEGORIES.items()})


@dataclass
class CostLine:
    """One cost line: category (canonical), description, budget and spending per year (kr.)."""

    category: str | None
    description: str
    amount: int
    spent: dict[int, int]
    row: int
    #: the A1 address of the line's category cell
    cell: str = ""


@dataclass
class BudgetRecord:
    """One budget workbook, read. Amounts in whole kroner; ``None`` where the form is blank."""

    file: str
    sheet: str
    case_id: str | None = None
    title: str | None = None
    applicant: str | None = None
    year: int | None = None
    start: dt.date | None = None
    end: dt.date | None = None
    lines: list[CostLine] = field(default_factory=list)
    stated_total: int | None = None
    own: int | None = None
    partner: int | None = None
    sought: int | None = None
    granted: int | None = None
    cells: dict[str, str] = field(default_factory=dict)

    @property
    def total_cost(self) -> int:
        """Sum of the cost lines."""
        return sum(line.amount for line in self.lines)

    @property
    def spent(self) -> int:
        """Spending to date, over all lines and years."""
        return sum(sum(line.spent.values()) for line in self.lines)

    @property
    def cofinancing(self) -> int:
        """Own plus partner co-financing."""
        return (self.own or 0) + (self.partner or 0)


@dataclass
class BudgetResult:
    """Every budget read from a set of files, with all issues."""

    records: list[BudgetRecord]
    issues: list[Issue]
    files: list[str]

    @property
    def fatal(self) -> list[Issue]:
        """Issues about files that could not be read as budgets at all."""
        fatal_codes = (IssueCode.FILE_UNREADABLE, IssueCode.BUDGET_FORM_NOT_FOUND)
        return [i for i in self.issues if i.code in fatal_codes]

    @property
    def has_errors(self) -> bool:
        """Whether any error was found."""
        return any(i.severity is Severity.ERROR for i in self.issues)


def _issue(file: str, sheet: str | None, r: int | None, c: int | None, code: IssueCode, sev: Severity,
           message: str, value: Any = None) -> Issue:  # fmt: skip
    col = column_letter(c) if c is not None else None
    row = r + 1 if r is not None else None
    cell = f"{col}{row}" if col is not None and row is not None else None
    return Issue(file=file, sheet=sheet, cell=cell, row=row, column=col, code=code, severity=sev, message=message,
                 value=None if value in (None, "") else str(value))  # fmt: skip


def _text(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip()


def _right_value(row: list[Any], j: int) -> tuple[Any, int | None]:
    for k in range(j + 1, min(len(row), j + 6)):
        if row[k] not in ("", None):
            return row[k], k
    return None, None


def _find_cost_header(grid: Grid) -> tuple[int, dict[str, int], dict[int, int]] | None:
    cat_keys = {header_key(h) for h in CATEGORY_HEADERS}
    amt_keys = {header_key(h) for h in AMOUNT_HEADERS}
    desc_keys = {header_key(h) for h in DESCRIPTION_HEADERS}
    for i, row in enumerate(grid.rows[:200]):
        cols: dict[str, int] = {}
        spend: dict[int, int] = {}
        for j, v in enumerate(row):
            if not isinstance(v, str) or not v.strip():
                continue
            key = header_key(v)
            if key in cat_keys and "category" not in cols:
                cols["category"] = j
            elif key in amt_keys and "amount" not in cols:
                cols["amount"] = j
            elif key in desc_keys and "description" not in cols:
                cols["description"] = j
            elif m := _SPEND.match(normalize_name(v)):
                spend[j] = int(m.group(1))
        if "category" in cols and "amount" in cols:
            return i, cols, spend
    return None


def read_budget_grid(grid: Grid) -> tuple[BudgetRecord | None, list[Issue]]:
    """Read one sheet as a budget form; ``None`` if the sheet has no cost table."""
    f, s = grid.file, grid.sheet
    issues: list[Issue] = []
    header = _find_cost_header(grid)
    if header is None:
        return None, issues
    h, cols, spend_cols = header
    rec = BudgetRecord(file=f, sheet=s)

    def amount(v: Any, r: int, c: int, label: str) -> int | None:
        try:
            value = parse_amount(v)
        except DanishParseError as exc:
            issues.append(_issue(f, s, r, c, IssueCode.BUDGET_BAD_AMOUNT, Severity.ERROR, f"{label}: {exc}", v))
            return None
        if value is not None and (value < 0 or value > 10**12):
            issues.append(_issue(f, s, r, c, IssueCode.BUDGET_BAD_AMOUNT, Severity.ERROR,
                                 f"{label}: beløbet er negativt eller urealistisk stort", v))  # fmt: skip
            return None
        return value

    # labels above and below the cost table
    total_row = None
    for i, row in enumerate(grid.rows):
        if i == h:
            continue
        for j, v in enumerate(row[: cols["amount"] + 1]):
            if not isinstance(v, str) or not v.strip():
                continue
            key = _INDEX.get(header_key(v))
            if key is None or key in rec.cells:
                continue
            if key == "total" and i > h:
                total_row = i
                value = row[cols["amount"]] if cols["amount"] < len(row) else ""
                rec.cells["total"] = f"{column_letter(cols['amount'])}{i + 1}"
                if value not in ("", None):
                    rec.stated_total = amount(value, i, cols["amount"], "Udgifter i alt")
                break
            if key == "total":
                continue
            value, k = _right_value(row, j)
            if (
                key in ("own", "partner", "sought", "granted")
                and k is not None
                and k > j + 1
                and isinstance(value, str)
                and not re.search(r"\d", value)
            ):
                value, k = None, None  # the amount cell is empty; a note further right ("Udfyldes af ...")
            if k is None:
                rec.cells.setdefault(key, f"{column_letter(j + 1)}{i + 1}")  # where the value belongs
                break
            rec.cells[key] = f"{column_letter(k)}{i + 1}"
            try:
                if key in ("own", "partner", "sought", "granted"):
                    setattr(rec, key, amount(value, i, k, v.strip()))
                elif key == "year":
                    rec.year = parse_year(value)
                elif key in ("start", "end"):
                    setattr(rec, key, parse_date(value))
                else:
                    setattr(rec, key, _text(value))
            except DanishParseError as exc:
                code = IssueCode.BUDGET_BAD_AMOUNT
                issues.append(_issue(f, s, i, k, code, Severity.ERROR, f"{v.strip()}: {exc}", value))
            break

    # cost lines: from below the header to the total row (or the first fully empty stretch)
    end = total_row if total_row is not None else len(grid.rows)
    blank_run = 0
    for i in range(h + 1, end):
        row = grid.rows[i]
        cat_raw = row[cols["category"]] if cols["category"] < len(row) else ""
        amt_raw = row[cols["amount"]] if cols["amount"] < len(row) else ""
        desc = _text(row[cols["description"]]) if "description" in cols and cols["description"] < len(row) else ""
        spent_raw = {y: row[j] for j, y in spend_cols.items() if j < len(row) and row[j] not in ("", None)}
        if cat_raw in ("", None) and amt_raw in ("", None) and not spent_raw and not desc:
            blank_run += 1
            if total_row is None and blank_run >= 3:
                break
            continue
        blank_run = 0
        if isinstance(cat_raw, str) and _INDEX.get(header_key(cat_raw)) == "total":
            break
        category = None
        if cat_raw in ("", None):
            issues.append(_issue(f, s, i, cols["category"], IssueCode.BUDGET_UNKNOWN_CATEGORY, Severity.ERROR,
                                 "budgetlinjen mangler en kategori"))  # fmt: skip
        else:
            m = _CATEGORY_MATCHER.match(_text(cat_raw))
            category = m.key
            if category is None:
                issues.append(_issue(f, s, i, cols["category"], IssueCode.BUDGET_UNKNOWN_CATEGORY, Severity.ERROR,
                                     f"ukendt kategori '{_text(cat_raw)}'; brug en af: {', '.join(CATEGORIES)}",
                                     cat_raw))  # fmt: skip
        value = amount(amt_raw, i, cols["amount"], "Budget") if amt_raw not in ("", None) else 0
        spent = {}
        for j, y in spend_cols.items():
            if y in spent_raw:
                sv = amount(spent_raw[y], i, j, f"Forbrug {y}")
                if sv is not None:
                    spent[y] = sv
        cat_cell = f"{column_letter(cols['category'])}{i + 1}"
        rec.lines.append(CostLine(category, desc, value or 0, spent, i + 1, cat_cell))
    return rec, issues


def read_budget_workbook(
    path: Path | str, pact: Pact, *, as_of: dt.date | None = None
) -> tuple[BudgetRecord | None, list[Issue]]:
    """Read one budget workbook (first sheet with a cost table). Unreadable → ``None`` and an issue.

    ``as_of`` is the date for the underspend rule (``None``: today).
    """
    name = str(path)
    try:
        grids = read_grids(Path(path), name)
    except InputError as exc:
        return None, [Issue(file=name, code=IssueCode.FILE_UNREADABLE, severity=Severity.ERROR, message=str(exc))]
    for grid in grids:
        if not grid.visible:
            continue
        rec, issues = read_budget_grid(grid)
        if rec is not None:
            return rec, issues + check_budget(rec, pact, as_of=as_of)
    return None, [
        Issue(file=name, code=IssueCode.BUDGET_FORM_NOT_FOUND, severity=Severity.ERROR,
              message=f"{name}: intet budgetskema fundet (forventede en tabel med Kategori og Budget)")
    ]  # fmt: skip


def _cell_issue(rec: BudgetRecord, key: str, code: IssueCode, sev: Severity, message: str, value: Any = None) -> Issue:
    cell = rec.cells.get(key)
    if cell:
        m = re.match(r"([A-Z]+)(\d+)", cell)
        assert m is not None
        return Issue(file=rec.file, sheet=rec.sheet, cell=cell, row=int(m.group(2)), column=m.group(1), code=code,
                     severity=sev, message=message, value=None if value is None else str(value))  # fmt: skip
    return Issue(file=rec.file, sheet=rec.sheet, code=code, severity=sev, message=message)


def check_budget(rec: BudgetRecord, pact: Pact, *, as_of: dt.date | None = None) -> list[Issue]:
    """The checks that need only the budget itself and the pact's rules."""
    issues: list[Issue] = []
    rules = pact.budgets
    if not rec.case_id and not rec.title:
        issues.append(_cell_issue(rec, "title", IssueCode.BUDGET_MISSING_VALUE, Severity.ERROR,
                                  "skemaet mangler både sagsnummer og projekttitel"))  # fmt: skip
    if rec.sought is None:
        issues.append(_cell_issue(rec, "sought", IssueCode.BUDGET_MISSING_VALUE, Severity.ERROR,
                                  "beløbet ansøgt fra puljen mangler"))  # fmt: skip
    if rec.stated_total is not None and rec.stated_total != rec.total_cost:
        issues.append(_cell_issue(
            rec, "total", IssueCode.BUDGET_TOTAL_MISMATCH, Severity.ERROR,
            f"budgetlinjerne summer til {format_amount(rec.total_cost)}, men 'Udgifter i alt' er "
            f"{format_amount(rec.stated_total)}", rec.stated_total))  # fmt: skip
    excluded = {normalize_name(c) for c in rules.excluded_categories}
    for line in rec.lines:
        if line.category and normalize_name(line.category) in excluded and line.amount > 0:
            issues.append(Issue(
                file=rec.file, sheet=rec.sheet, cell=line.cell, row=line.row, column=line.cell.rstrip("0123456789"),
                code=IssueCode.BUDGET_OPERATIONS, severity=Severity.ERROR, value=str(line.amount),
                message=f"puljen støtter ikke driftsopgaver: {format_amount(line.amount)} under '{line.category}'"
                + (f" ({line.description})" if line.description else "")))  # fmt: skip
    if rules.min_cofinancing_share is not None and rec.total_cost > 0:
        share = rec.cofinancing / rec.total_cost
        if share < rules.min_cofinancing_share:
            issues.append(_cell_issue(
                rec, "own", IssueCode.BUDGET_COFINANCING_LOW, Severity.WARNING,
                f"medfinansiering er {format_percent(share)} af budgettet; pagten kræver mindst "
                f"{format_percent(rules.min_cofinancing_share)}", rec.cofinancing))  # fmt: skip
    granted = rec.granted if rec.granted is not None else None
    if granted is not None:
        issues.extend(spending_issues(rec, granted, margin=rules.underspend_margin, as_of=as_of))
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
    return spent / granted < elapsed_share(start, end, as_of) - margin - 1e-12


def spending_issues(rec: BudgetRecord, granted: int, *, margin: float, as_of: dt.date | None) -> list[Issue]:
    """Overspend and underspend risk for a budget against the amount granted."""
    issues: list[Issue] = []
    spent = rec.spent
    if spent > granted:
        issues.append(_cell_issue(
            rec, "granted", IssueCode.BUDGET_OVERSPENT, Severity.ERROR,
            f"forbruget {format_amount(spent)} overstiger bevillingen {format_amount(granted)}", spent))  # fmt: skip
    elif rec.start and rec.end and granted > 0 and any(line.spent for line in rec.lines):
        when = as_of or dt.date.today()
        if underspend_risk(spent, granted, rec.start, rec.end, when, margin):
            elapsed = format_percent(elapsed_share(rec.start, rec.end, when))
            message = (
                f"risiko for underforbrug: forbrugt {format_percent(spent / granted)} af bevillingen, men "
                f"{elapsed} af projektperioden er gået"
            )
            code = IssueCode.BUDGET_UNDERSPEND_RISK
            issues.append(_cell_issue(rec, "granted", code, Severity.WARNING, message, spent))
    return issues


def check_against_overview(records: list[BudgetRecord], table: pd.DataFrame, pact: Pact,
                           *, as_of: dt.date | None = None) -> list[Issue]:  # fmt: skip
    """Match budgets to the overview (case number, else year + title) and compare amounts.

    Sought ≠ applied is a warning with both figures; a budget without a match is
    reported; spending is checked against the overview's grant when the form has none.
    """
    issues: list[Issue] = []
    by_case = {str(c).strip(): i for i, c in table["case_id"].items() if isinstance(c, str) and c.strip()}
    by_title = {
        (int(y), normalize_name(str(t))): i
        for i, (y, t) in table[["year", "title"]].iterrows()
        if isinstance(t, str) and not pd.isna(y)
    }
    for rec in records:
        idx = by_case.get(rec.case_id or "")
        if idx is None and rec.year is not None and rec.title:
            idx = by_title.get((rec.year, normalize_name(rec.title)))
        if idx is None:
            issues.append(_cell_issue(
                rec, "case_id" if rec.case_id else "title", IssueCode.BUDGET_NOT_IN_OVERVIEW, Severity.WARNING,
                "budgettet passer ikke til nogen ansøgning i oversigten (sagsnr. eller år + titel)"))  # fmt: skip
            continue
        row = table.loc[idx]
        applied = row["applied"]
        if rec.sought is not None and not pd.isna(applied) and int(applied) != rec.sought:
            issues.append(_cell_issue(
                rec, "sought", IssueCode.BUDGET_APPLIED_MISMATCH, Severity.WARNING,
                f"ansøgt fra puljen er {format_amount(rec.sought)} i budgettet, men {format_amount(int(applied))} "
                f"i oversigten ({row['file']} › {row['sheet']} række {int(row['row'])})", rec.sought))  # fmt: skip
        if rec.granted is None and row["decision"] == Decision.GRANTED and not pd.isna(row["granted"]):
            issues.extend(spending_issues(rec, int(row["granted"]), margin=pact.budgets.underspend_margin, as_of=as_of))
    return issues


def _expand(paths: list[Path | str]) -> list[Path]:
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            out.extend(sorted(x for x in p.iterdir() if x.is_file() and not x.name.startswith(("~$", "."))))
        else:
            out.append(p)
    return out


def read_budgets(paths: list[Path | str], pact: Pact, *, progress: Callable[[int, int, Path], None] | None = None,
                 as_of: dt.date | None = None) -> BudgetResult:  # fmt: skip
    """Read every budget workbook in ``paths`` (files or folders); a bad file is reported, the rest read."""
    files = _expand(paths)
    records: list[BudgetRecord] = []
    issues: list[Issue] = []
    for n, path in enumerate(files, start=1):
        rec, found = read_budget_workbook(path, pact, as_of=as_of)
        if rec is not None:
            records.append(rec)
        issues.extend(found)
        if progress is not None:
            progress(n, len(files), path)
    return BudgetResult(records, issues, [str(f) for f in files])


def review_budgets(
    paths: list[Path | str],
    pact: Pact,
    overview: pd.DataFrame | None,
    *,
    as_of: dt.date | None = None,
    progress: Callable[[int, int, Path], None] | None = None,
) -> tuple[BudgetResult, list[Issue]]:
    """Read the budgets and, when an overview table is given, check them against it. Returns all issues."""
    result = read_budgets(paths, pact, progress=progress, as_of=as_of)
    issues = list(result.issues)
    if overview is not None:
        issues += check_against_overview(result.records, overview, pact, as_of=as_of)
    return result, issues


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


def spending_by_category(records: list[BudgetRecord]) -> dict[str, dict[str, int]]:
    """Budget and spending per cost category over all budgets (kr.)."""
    out: dict[str, dict[str, int]] = {c: {"budget": 0, "spent": 0} for c in CATEGORIES}
    for r in records:
        for line in r.lines:
            if line.category:
                out[line.category]["budget"] += line.amount
                out[line.category]["spent"] += sum(line.spent.values())
    return {k: v for k, v in out.items() if v["budget"] or v["spent"]}


def underspend_notes(records: list[BudgetRecord], issues: list[Issue]) -> dict[str, str]:
    """Case number (or title) → a short Danish note on underspend risk, for the report's progress table."""
    risky = {(i.file, i.sheet): i.message for i in issues if i.code is IssueCode.BUDGET_UNDERSPEND_RISK}
    notes: dict[str, str] = {}
    for r in records:
        key = r.case_id or r.title
        if not key:
            continue
        message = risky.get((r.file, r.sheet))
        if message is not None:
            notes[key] = "Ja – " + message.removeprefix("risiko for underforbrug: ")
        elif r.granted and any(line.spent for line in r.lines):
            notes[key] = f"Nej (forbrugt {format_percent(r.spent / r.granted)})"
    return notes
