"""After the decision: the commitment ledger — what each grant has been paid, what is held back, still
owed and has come back, and the framework that is left when returned money is counted. Pure: no I/O.

The ledger is the staff's *Udbetalinger* sheet (``pagt_xl/templates/udbetalinger.xlsx``), read by
:mod:`pagt_xl.ingest.payments` into :class:`LedgerEntry` rows: a case number, a date, a kind and an
amount in whole kroner (always positive; the kind says which way the money goes):

* ``rate`` and ``slutrate`` are payments to the project (the final instalment is the held-back part);
* ``tilbagebetaling`` is money the project pays back (underspend), ``bortfald`` a grant reduced,
  withdrawn or lapsed before it was paid (*nedsættelse*, *frafald*, *bortfald*).

Per grant (:class:`GrantAccount`)::

    final    = granted - reduced - repaid        what the project gets in the end
    net paid = paid - repaid
    owed     = granted - reduced - paid          (never below 0; above that is an overpayment)
    held back = min(retention, owed) until the final report is approved, retention = share × (granted - reduced)

Per year and for the pact (:class:`LedgerYear`): commitments are the year's grants (the year table's
"granted": the ledger never changes them), payments and returned money (repaid + reduced) are counted
in the year of their date, and ``remaining = framework - commitments + returned``: money that comes back
returns to the pool in the year it comes back.

Only entries of granted applications without errors count in the figures; every other entry is an
issue at its cell, as is each check that fails (:func:`build_ledger`).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import TYPE_CHECKING, Any

import pandas as pd

from pagt_xl.base.danish import format_amount, format_date, format_percent
from pagt_xl.base.model import Decision, Issue, IssueCode, Severity, column_letter

if TYPE_CHECKING:
    from pagt_xl.base.config import Pact
    from pagt_xl.core.tables import BudgetRecord, Validation


class EntryKind(StrEnum):
    """The kind of a ledger entry. The values are the pact's ``[payments.kinds]`` keys."""

    RATE = "rate"
    FINAL = "slutrate"
    REPAYMENT = "tilbagebetaling"
    LAPSE = "bortfald"


#: Danish labels of the kinds (the form's drop-down list, the tables)
KIND_LABELS: dict[EntryKind, str] = {
    EntryKind.RATE: "Rate",
    EntryKind.FINAL: "Slutrate",
    EntryKind.REPAYMENT: "Tilbagebetaling",
    EntryKind.LAPSE: "Bortfald/nedsættelse",
}
PAYMENT_KINDS = frozenset({EntryKind.RATE, EntryKind.FINAL})
RETURN_KINDS = frozenset({EntryKind.REPAYMENT, EntryKind.LAPSE})


@dataclass(frozen=True)
class LedgerEntry:
    """One row of the ledger: a payment to a grant or money coming back from it.

    ``amount`` is positive whole kroner; ``row`` the 1-based Excel row; ``cells`` maps
    ``case_id``/``date``/``kind``/``amount``/``note`` to the A1 address each was read from.
    """

    file: str
    sheet: str
    row: int
    case_id: str
    date: dt.date
    kind: EntryKind
    amount: int
    note: str = ""
    cells: Mapping[str, str] = field(default_factory=dict, compare=False, hash=False)

    def issue(self, code: IssueCode, severity: Severity, message: str, where: str = "amount",
              value: object = None) -> Issue:  # fmt: skip
        """An issue at the cell this entry's ``where`` field was read from (else at its row)."""
        cell = self.cells.get(where)
        if cell is None:
            return Issue.at(code, severity, message, file=self.file, sheet=self.sheet, row=self.row, value=value)
        return Issue.at(code, severity, message, file=self.file, sheet=self.sheet, cell=cell, value=value)


@dataclass(frozen=True)
class FinalReport:
    """The overview's final-report cell for one grant: approved (on ``date`` when the cell is a date) or not."""

    approved: bool
    date: dt.date | None = None
    file: str | None = None
    sheet: str | None = None
    cell: str | None = None


@dataclass
class LedgerInput:
    """What the ledger reader produced: entries, every reading issue, and the files it could not read."""

    entries: list[LedgerEntry]
    issues: list[Issue]
    files: list[str]
    fatal: list[Issue] = field(default_factory=list)
    #: (file, sheet) of every sheet read as a ledger
    sheets: list[tuple[str, str]] = field(default_factory=list)


def case_key(value: object) -> str:
    """The matching key of a case number: text without spaces, case folded ("2019-01", " 2019 - 01" alike)."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return re.sub(r"\s+", "", str(value)).casefold() if value is not None else ""


def retention_of(amount: int, share: float) -> int:
    """The held-back part of ``amount`` kroner: ``share`` of it, rounded half up to whole kroner."""
    return int((Decimal(repr(float(share))) * amount).quantize(Decimal(1), rounding=ROUND_HALF_UP))


@dataclass(frozen=True)
class GrantAccount:
    """One grant's money after the decision (whole kroner; see the module docstring for the rules).

    ``final_report`` is ``None`` when the overview says nothing about it (no column, or an empty cell
    counts as not approved).
    """

    case_id: str | None
    title: str
    applicant: str | None
    year: int
    status: str | None
    start: dt.date | None
    end: dt.date | None
    granted: int
    paid: int
    repaid: int
    reduced: int
    retention: int
    final_report: FinalReport | None
    entries: tuple[LedgerEntry, ...]
    file: str
    sheet: str
    row: int

    @property
    def final(self) -> int:
        """What the project gets in the end: granted minus reductions and repayments."""
        return self.granted - self.reduced - self.repaid

    @property
    def net_paid(self) -> int:
        """Paid minus paid back."""
        return self.paid - self.repaid

    @property
    def owed(self) -> int:
        """Still to be paid: granted minus reductions minus payments (0 when overpaid)."""
        return max(0, self.granted - self.reduced - self.paid)

    @property
    def overpaid(self) -> int:
        """Paid above what the grant (after reductions) allows."""
        return max(0, self.paid - (self.granted - self.reduced))

    @property
    def returned(self) -> int:
        """Money back in the pool: repaid plus reduced."""
        return self.repaid + self.reduced

    @property
    def approved(self) -> bool:
        """Whether the final report is approved."""
        return self.final_report is not None and self.final_report.approved

    @property
    def held_back(self) -> int:
        """The part still held back until the final report is approved (0 once it is)."""
        return 0 if self.approved else min(self.retention, self.owed)


@dataclass(frozen=True)
class LedgerYear:
    """One year of the pact's money (``year`` ``None``: the total row), whole kroner.

    ``framework`` is ``None`` without a framework for the year; ``remaining`` then too.
    """

    year: int | None
    framework: int | None
    commitments: int
    payments: int
    repaid: int
    reduced: int

    @property
    def returned(self) -> int:
        """Money that came back: repaid plus reduced."""
        return self.repaid + self.reduced

    @property
    def remaining(self) -> int | None:
        """The framework left: framework minus commitments plus returned money."""
        return None if self.framework is None else self.framework - self.commitments + self.returned


@dataclass
class Ledger:
    """Every grant's account, the years, the pact's total and the checks' issues.

    ``issues`` are the matching and the rules' issues (the reader's own are in :class:`LedgerInput`);
    ``final_report_column``: whether the overview has a column saying the final report is approved.
    """

    pact: Pact
    accounts: list[GrantAccount]
    years: list[LedgerYear]
    total: LedgerYear
    issues: list[Issue]
    final_report_column: bool = False
    #: entries that were counted (of granted applications without errors)
    counted: int = 0

    def account(self, case_id: object) -> GrantAccount | None:
        """The account of a case number (``None``: no granted application has it)."""
        key = case_key(case_id)
        return next((a for a in self.accounts if a.case_id is not None and case_key(a.case_id) == key), None)

    @property
    def paid(self) -> int:
        """Paid to every grant (rates and final rates)."""
        return sum(a.paid for a in self.accounts)

    @property
    def net_paid(self) -> int:
        """Paid minus paid back."""
        return sum(a.net_paid for a in self.accounts)

    @property
    def owed(self) -> int:
        """Still owed to every grant."""
        return sum(a.owed for a in self.accounts)

    @property
    def held_back(self) -> int:
        """Held back until final reports are approved."""
        return sum(a.held_back for a in self.accounts)

    @property
    def returned(self) -> int:
        """Returned to the pool (repaid and reduced)."""
        return sum(a.returned for a in self.accounts)

    @property
    def has_errors(self) -> bool:
        """Whether a check found an error."""
        return any(i.severity is Severity.ERROR for i in self.issues)


# -- building the ledger ---------------------------------------------------------------------------------------
def _int(value: Any) -> int | None:
    try:
        return None if value is None or value != value else int(value)  # NA != NA
    except (TypeError, ValueError):
        return None


def _text(value: Any) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def _date(value: Any) -> dt.date | None:
    return value if isinstance(value, dt.date) else None


def _overview_cell(validation: Validation, file: str, sheet: str, row: int, fld: str) -> str | None:
    """The A1 address of field ``fld`` in an overview row (``None`` when the sheet has no such column)."""
    for s in validation.overview.sheets:
        if s.file == file and s.sheet == sheet and fld in s.columns.fields:
            return f"{column_letter(s.columns.fields[fld])}{row}"
    return None


def _account_issue(validation: Validation, a: GrantAccount, fld: str, code: IssueCode, severity: Severity,
                   message: str, value: object = None) -> Issue:  # fmt: skip
    cell = _overview_cell(validation, a.file, a.sheet, a.row, fld)
    if cell is None:
        return Issue.at(code, severity, message, file=a.file, sheet=a.sheet, row=a.row)
    return Issue.at(code, severity, message, file=a.file, sheet=a.sheet, cell=cell, value=value)


def _chronological(entries: Iterable[LedgerEntry]) -> list[LedgerEntry]:
    return sorted(entries, key=lambda e: (e.date, e.file, e.sheet, e.row))


def build_ledger(
    validation: Validation,
    entries: list[LedgerEntry],
    *,
    final_reports: Mapping[str, FinalReport] | None = None,
    budgets: list[BudgetRecord] | None = None,
) -> Ledger:
    """Match the entries to the overview's grants, compute every account and year, and check them.

    ``final_reports`` maps :func:`case_key` → the overview's final-report cell; ``None``: the overview
    has no such column (the held-back part is then not checked, and an info issue says so).
    ``budgets`` (the applicants' budgets with spending) let the ledger find repayments due from
    underspend; ``None``: not checked.
    """
    pact = validation.pact
    table = validation.table
    issues: list[Issue] = []
    by_case: dict[str, int] = {}
    for i, c in table["case_id"].items():
        if isinstance(c, str) and c.strip():
            by_case.setdefault(case_key(c), int(i))  # type: ignore[arg-type]
    # the few columns the matching needs, by row label (a DataFrame lookup per entry is 100x slower)
    rows_by_label = dict(zip(table.index, table[["decision", "granted", "has_error", "file", "sheet", "row"]]
                             .to_dict("records"), strict=True))  # fmt: skip
    attached: dict[int, list[LedgerEntry]] = {}
    seen: set[tuple[str, dt.date, EntryKind, int]] = set()
    for e in entries:
        key = case_key(e.case_id)
        idx = by_case.get(key)
        if idx is None:
            issues.append(e.issue(IssueCode.LEDGER_UNKNOWN_CASE, Severity.ERROR,
                                  f"sagsnummeret '{e.case_id}' findes ikke i ansøgningsoversigten; ret sagsnummeret",
                                  "case_id", e.case_id))  # fmt: skip
            continue
        row = rows_by_label[idx]
        if row["decision"] != Decision.GRANTED or _int(row["granted"]) is None:
            issues.append(e.issue(IssueCode.LEDGER_NOT_GRANTED, Severity.ERROR,
                                  f"sag {e.case_id} har ikke tilsagn i oversigten ({row['file']} › {row['sheet']} "
                                  f"række {int(row['row'])}); posten indgår ikke", "case_id", e.case_id))  # fmt: skip
            continue
        if bool(row["has_error"]):
            issues.append(e.issue(IssueCode.LEDGER_NOT_GRANTED, Severity.WARNING,
                                  f"sag {e.case_id} har fejl i oversigten ({row['file']} › {row['sheet']} række "
                                  f"{int(row['row'])}); posten indgår ikke, før rækken er rettet", "case_id",
                                  e.case_id))  # fmt: skip
            continue
        fingerprint = (key, e.date, e.kind, e.amount)
        if fingerprint in seen:
            issues.append(e.issue(IssueCode.LEDGER_DUPLICATE_ENTRY, Severity.WARNING,
                                  f"{KIND_LABELS[e.kind].lower()} på {format_amount(e.amount)} til sag {e.case_id} den "
                                  f"{format_date(e.date)} står også i en række over; slet den ene, hvis den er skrevet "
                                  "to gange (begge tælles med)", "amount", e.amount))  # fmt: skip
        seen.add(fingerprint)
        attached.setdefault(idx, []).append(e)
    share = pact.payments.held_back_share
    accounts = []
    granted_rows = table[(table["decision"] == Decision.GRANTED) & ~table["has_error"].astype(bool)]
    for idx, r in zip(granted_rows.index, granted_rows.to_dict("records"), strict=True):
        granted = _int(r["granted"])
        year = _int(r["year"])
        if granted is None or year is None:
            continue
        mine = _chronological(attached.get(int(idx), []))  # type: ignore[call-overload]
        case_id = _text(r["case_id"])
        reduced = sum(e.amount for e in mine if e.kind is EntryKind.LAPSE)
        accounts.append(GrantAccount(
            case_id=case_id, title=_text(r["title"]) or "", applicant=_text(r["applicant"]), year=year,
            status=_text(r["status"]), start=_date(r["period_start"]), end=_date(r["period_end"]), granted=granted,
            paid=sum(e.amount for e in mine if e.kind in PAYMENT_KINDS),
            repaid=sum(e.amount for e in mine if e.kind is EntryKind.REPAYMENT), reduced=reduced,
            retention=retention_of(max(granted - reduced, 0), share),
            final_report=(final_reports or {}).get(case_key(case_id)) if case_id else None,
            entries=tuple(mine), file=str(r["file"]), sheet=str(r["sheet"]), row=int(r["row"]),
        ))  # fmt: skip
    for a in accounts:
        issues.extend(_check_account(validation, a, share, final_reports is not None))
    if budgets is not None:
        issues.extend(repayments_due(accounts, budgets))
    if share > 0 and final_reports is None and entries:
        names = ", ".join(pact.payments.final_report_headers[:2]) or "Slutrapport godkendt"
        first = validation.overview.files[0] if validation.overview.files else None
        issues.append(Issue.at(IssueCode.LEDGER_NO_FINAL_REPORT_COLUMN, Severity.INFO,
                               f"oversigten har ingen kolonne om godkendt slutrapport ({names}); den tilbageholdte "
                               f"del ({format_percent(share)}) er ikke kontrolleret", file=first))  # fmt: skip
    years, total = ledger_years(validation, accounts)
    counted = sum(len(v) for v in attached.values())
    return Ledger(pact, accounts, years, total, issues, final_reports is not None, counted)


def ledger_years(validation: Validation, accounts: list[GrantAccount]) -> tuple[list[LedgerYear], LedgerYear]:
    """One :class:`LedgerYear` per year of a framework, a grant or an entry, and the total row."""
    frameworks = {f.year: f.amount for f in validation.overview.frameworks}
    commitments: dict[int, int] = {}
    for a in accounts:
        commitments[a.year] = commitments.get(a.year, 0) + a.granted
    flows: dict[int, dict[EntryKind, int]] = {}
    for a in accounts:
        for e in a.entries:
            by_kind = flows.setdefault(e.date.year, {})
            by_kind[e.kind] = by_kind.get(e.kind, 0) + e.amount
    years = sorted(set(frameworks) | set(commitments) | set(flows))
    rows = []
    for y in years:
        f = flows.get(y, {})
        rows.append(LedgerYear(
            year=y, framework=frameworks.get(y), commitments=commitments.get(y, 0),
            payments=f.get(EntryKind.RATE, 0) + f.get(EntryKind.FINAL, 0), repaid=f.get(EntryKind.REPAYMENT, 0),
            reduced=f.get(EntryKind.LAPSE, 0),
        ))  # fmt: skip
    known = [r.framework for r in rows if r.framework is not None]
    total = LedgerYear(
        year=None, framework=sum(known) if known else None, commitments=sum(r.commitments for r in rows),
        payments=sum(r.payments for r in rows), repaid=sum(r.repaid for r in rows),
        reduced=sum(r.reduced for r in rows),
    )  # fmt: skip
    return rows, total


# -- the checks -------------------------------------------------------------------------------------------------
def _check_account(validation: Validation, a: GrantAccount, share: float, column: bool) -> list[Issue]:
    """paid ≤ granted, repaid ≤ paid, the held-back part, the project period, finished but still owed."""
    out: list[Issue] = []
    case = a.case_id or a.title
    paid = reduced = repaid = 0
    over_found = repaid_found = False
    for e in a.entries:
        if e.kind in PAYMENT_KINDS:
            paid += e.amount
        elif e.kind is EntryKind.LAPSE:
            reduced += e.amount
        else:
            repaid += e.amount
        if not over_found and e.kind is not EntryKind.REPAYMENT and paid + reduced > a.granted:
            over_found = True
            what = f"udbetalt {format_amount(paid)}" + (f" og bortfaldet {format_amount(reduced)}" if reduced else "")
            out.append(e.issue(IssueCode.LEDGER_PAID_ABOVE_GRANTED, Severity.ERROR,
                               f"sag {case}: {what}, men bevilget {format_amount(a.granted)} — "
                               f"{format_amount(paid + reduced - a.granted)} for meget", "amount",
                               e.amount))  # fmt: skip
        if not repaid_found and e.kind is EntryKind.REPAYMENT and repaid > paid:
            repaid_found = True
            out.append(e.issue(IssueCode.LEDGER_REPAID_ABOVE_PAID, Severity.ERROR,
                               f"sag {case}: tilbagebetalt {format_amount(repaid)}, men kun udbetalt "
                               f"{format_amount(paid)} til og med {format_date(e.date)}", "amount",
                               e.amount))  # fmt: skip
    if share > 0 and column:
        out.extend(_held_back_issue(a, share))
    out.extend(_period_issues(a))
    if a.status == "finished" and a.owed > 0:
        why = "" if a.approved or share == 0 else " (slutrapporten er ikke godkendt)"
        out.append(_account_issue(validation, a, "status", IssueCode.LEDGER_FINISHED_OWED, Severity.WARNING,
                                  f"sag {case} er afsluttet, men {format_amount(a.owed)} af bevillingen er hverken "
                                  f"udbetalt eller bortfaldet{why}; udbetal slutraten eller registrér "
                                  "bortfald/nedsættelse", "Afsluttet"))  # fmt: skip
    return out


def repayments_due(accounts: Iterable[GrantAccount], budgets: Iterable[BudgetRecord]) -> list[Issue]:
    """Repayments due from underspend: a finished project (or one whose final report is approved) whose
    budget reports less spending than it has been paid (after repayments). The issue is at the budget's
    grant cell (else its total); budgets without spending figures are not judged."""
    records = {case_key(b.case_id): b for b in budgets if b.case_id}
    out = []
    for a in accounts:
        rec = records.get(case_key(a.case_id)) if a.case_id else None
        if rec is None or not (a.status == "finished" or a.approved) or not any(line.spent for line in rec.lines):
            continue
        spent = rec.spent
        if a.net_paid > spent:
            due = a.net_paid - spent
            cell = rec.cells.get("granted") or rec.cells.get("total")
            out.append(Issue.at(IssueCode.LEDGER_REPAYMENT_DUE, Severity.WARNING,
                                f"sag {a.case_id}: forbruget er {format_amount(spent)}, men der er udbetalt "
                                f"{format_amount(a.net_paid)} (efter tilbagebetalinger): {format_amount(due)} skal "
                                "betales tilbage til puljen", file=rec.file, sheet=rec.sheet, cell=cell,
                                value=spent if cell else None))  # fmt: skip
    return out


def _held_back_issue(a: GrantAccount, share: float) -> list[Issue]:
    """The held-back part paid before the final report is approved (the first payment that crosses the limit)."""
    fr = a.final_report
    approved, on = (fr.approved, fr.date) if fr is not None else (False, None)
    limit = max(a.granted - a.reduced, 0) - a.retention
    before = 0
    case = a.case_id or a.title
    when = f"godkendt {format_date(on)}" if approved and on else "ikke godkendt"
    for e in a.entries:
        if e.kind not in PAYMENT_KINDS or (approved and (on is None or e.date >= on)):
            continue
        before += e.amount
        if before > limit:
            return [e.issue(IssueCode.LEDGER_HELD_BACK_PAID, Severity.ERROR,
                            f"sag {case}: {format_amount(before)} er udbetalt før slutrapporten er godkendt, men "
                            f"{format_percent(share)} ({format_amount(a.retention)}) skal holdes tilbage til da "
                            f"(slutrapport: {when})", "amount", e.amount)]  # fmt: skip
        if e.kind is EntryKind.FINAL:
            return [e.issue(IssueCode.LEDGER_HELD_BACK_PAID, Severity.ERROR,
                            f"sag {case}: slutraten er udbetalt {format_date(e.date)}, før slutrapporten er godkendt "
                            f"(slutrapport: {when})", "kind", KIND_LABELS[e.kind])]  # fmt: skip
    return []


def _period_issues(a: GrantAccount) -> list[Issue]:
    """Payments outside the project period: a rate before its start or after its end, a final rate before its start."""
    if a.start is None or a.end is None:
        return []
    out = []
    case = a.case_id or a.title
    period = f"{format_date(a.start)}–{format_date(a.end)}"
    for e in a.entries:
        early = e.kind in PAYMENT_KINDS and e.date < a.start
        late = e.kind is EntryKind.RATE and e.date > a.end
        if early or late:
            out.append(e.issue(IssueCode.LEDGER_OUTSIDE_PERIOD, Severity.WARNING,
                               f"sag {case}: {KIND_LABELS[e.kind].lower()} den {format_date(e.date)} ligger "
                               f"{'før' if early else 'efter'} projektperioden {period}", "date",
                               e.date.isoformat()))  # fmt: skip
    return out


# -- tables for the outputs --------------------------------------------------------------------------------------
ACCOUNT_COLUMNS = ("case_id", "title", "applicant", "year", "status", "granted", "paid", "held_back", "owed",
                   "repaid", "reduced", "final", "net_paid", "final_report", "entries")  # fmt: skip
YEAR_COLUMNS = ("year", "framework", "commitments", "payments", "repaid", "reduced", "returned", "remaining")


def account_rows(ledger: Ledger) -> list[dict[str, Any]]:
    """One dict per grant (keys :data:`ACCOUNT_COLUMNS`), in case-number order; amounts in kroner."""
    rows = []
    for a in sorted(ledger.accounts, key=lambda a: (a.year, a.case_id or "", a.title)):
        fr = a.final_report
        report = None if fr is None else (fr.date.isoformat() if fr.date else ("ja" if fr.approved else "nej"))
        rows.append({
            "case_id": a.case_id, "title": a.title, "applicant": a.applicant, "year": a.year, "status": a.status,
            "granted": a.granted, "paid": a.paid, "held_back": a.held_back, "owed": a.owed, "repaid": a.repaid,
            "reduced": a.reduced, "final": a.final, "net_paid": a.net_paid, "final_report": report,
            "entries": len(a.entries),
        })  # fmt: skip
    return rows


def year_rows(ledger: Ledger) -> list[dict[str, Any]]:
    """One dict per year (keys :data:`YEAR_COLUMNS`) and the total row (``year`` ``None``)."""
    return [
        {"year": y.year, "framework": y.framework, "commitments": y.commitments, "payments": y.payments,
         "repaid": y.repaid, "reduced": y.reduced, "returned": y.returned, "remaining": y.remaining}
        for y in [*ledger.years, ledger.total]
    ]  # fmt: skip


def entries_frame(entries: list[LedgerEntry]) -> pd.DataFrame:
    """The entries as a table (file, sheet, row, case_id, date, kind, amount, note)."""
    return pd.DataFrame(
        [{"file": e.file, "sheet": e.sheet, "row": e.row, "case_id": e.case_id, "date": e.date,
          "kind": e.kind.value, "amount": e.amount, "note": e.note} for e in entries],
        columns=["file", "sheet", "row", "case_id", "date", "kind", "amount", "note"],
    )  # fmt: skip
