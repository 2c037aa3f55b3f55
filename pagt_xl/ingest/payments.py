"""Reading the commitment ledger (the *Udbetalinger* sheet) and the overview's final-report column.

The ledger is our form ``pagt_xl/templates/udbetalinger.xlsx`` or the staff's own sheet: a header row
with a case number, a date and an amount (``[payments.headers]`` in the pact file, defaults in
``pacts/_common.toml``), below it one row per payment or return. Read tolerantly:

* the kind column (``rate``, ``slutrate``, ``tilbagebetaling``, ``bortfald``; any spelling in
  ``[payments.kinds]``, "1. rate" is a rate) may be missing: a negative amount is then a repayment,
  a positive one a rate;
* two amount columns instead of one ("Udbetalt", "Tilbagebetalt") are read as a rate and a repayment;
* a unit in the amount header ("Beløb (t.kr.)") is applied; amounts and dates are parsed by
  :mod:`pagt_xl.base.danish`, so "1,3 mio. kr." and "15. marts 2024" are read as staff write them;
* total rows ("I alt") and blank rows are skipped; a sheet named like a ledger is read first, any
  other sheet whose header row has a case number, a date and an amount too.

Every cell that cannot be read is an :class:`~pagt_xl.base.model.Issue` at its cell; a file with no
ledger sheet is one issue (``ledger_sheet_not_found``) in ``fatal``. The rules (unknown case numbers,
paid above granted ...) are :mod:`pagt_xl.core.ledger`'s.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from pagt_xl.base.config import Pact
from pagt_xl.base.danish import (
    AmountUnit,
    DanishParseError,
    amount_unit_from_header,
    header_key,
    normalize_name,
    parse_amount,
    parse_date,
)
from pagt_xl.base.errors import InputError
from pagt_xl.base.model import CellProblem, Issue, IssueCode, Severity, column_letter
from pagt_xl.core.ledger import KIND_LABELS, EntryKind, FinalReport, LedgerEntry, LedgerInput, case_key
from pagt_xl.core.tables import ColumnMap, Overview
from pagt_xl.ingest.grid import Grid, read_grids
from pagt_xl.ingest.headers import HEADER_SEARCH_ROWS, alias_index, map_columns

#: the largest amount read as real (kr.)
_MAX_AMOUNT = 10**12
_AMOUNT_FIELDS = ("amount", "paid", "repaid")


def read_ledger(paths: list[Path | str], pact: Pact, *, password: str | None = None) -> LedgerInput:
    """Read every ledger workbook of ``paths``; a file that cannot be read is in ``fatal`` (the others are read)."""
    books: list[tuple[str, list[Grid]]] = []
    fatal: list[Issue] = []
    for p in paths:
        try:
            books.append((str(p), read_grids(Path(p), str(p), password=password)))
        except InputError as exc:
            fatal.append(Issue.at(IssueCode.FILE_UNREADABLE, Severity.ERROR, str(exc), file=str(p), sheet=exc.sheet))
    found = read_ledger_books(books, pact)
    found.fatal[:0] = fatal
    found.issues[:0] = fatal
    found.files[:0] = [str(p) for p in paths if str(p) not in found.files]
    return found


def read_ledger_books(books: list[tuple[str, list[Grid]]], pact: Pact) -> LedgerInput:
    """The ledger entries of workbooks already in memory: (book name, grids) pairs."""
    out = LedgerInput(entries=[], issues=[], files=[])
    index = alias_index(pact.payments.headers)
    named = {normalize_name(n) for n in pact.payments.sheet_names}
    for name, grids in books:
        out.files.append(name)
        ordered = sorted(grids, key=lambda g: normalize_name(g.sheet) not in named)  # named sheets first, stable
        read_any = False
        for grid in ordered:
            if not grid.visible:
                continue
            cmap = _ledger_header(grid, index)
            if cmap is None:
                continue
            read_any = True
            out.sheets.append((grid.file, grid.sheet))
            entries, issues = _read_sheet(grid, cmap, pact)
            out.entries.extend(entries)
            out.issues.extend(issues)
        if not read_any:
            headers = ", ".join(pact.payments.headers.get("case_id", [])[:1] + pact.payments.headers.get("date", [])[:1]
                                + pact.payments.headers.get("amount", [])[:1])  # fmt: skip
            issue = Issue.at(IssueCode.LEDGER_SHEET_NOT_FOUND, Severity.ERROR,
                             f"{name}: intet ark med udbetalinger (forventede en overskriftsrække med {headers}); "
                             "brug skabelonen udbetalinger.xlsx", file=name)  # fmt: skip
            out.fatal.append(issue)
            out.issues.append(issue)
    return out


def _ledger_header(grid: Grid, index: dict[str, str]) -> ColumnMap | None:
    """The best header row with a case number, a date and an amount column (``None``: not a ledger sheet)."""
    best: ColumnMap | None = None
    for i, row in enumerate(grid.rows[:HEADER_SEARCH_ROWS]):
        if sum(1 for c in row if isinstance(c, str) and c.strip()) < 3:
            continue
        cmap = map_columns(row, index, i)
        f = set(cmap.fields)
        if {"case_id", "date"} <= f and f & set(_AMOUNT_FIELDS) and (best is None or len(f) > len(best.fields)):
            best = cmap
    return best


def _text(value: Any) -> str:
    if value is None or isinstance(value, CellProblem):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return " ".join(str(value).split())


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


class _SheetReader:
    """One ledger sheet's rows → entries, with an issue at each cell that cannot be read."""

    def __init__(self, grid: Grid, cmap: ColumnMap, pact: Pact) -> None:
        self.grid, self.cmap, self.pact = grid, cmap, pact
        self.issues: list[Issue] = []
        self.entries: list[LedgerEntry] = []
        self.subtotals = {normalize_name(s) for s in pact.subtotal_labels}
        self.units = {f: amount_unit_from_header(cmap.headers.get(j)) for f, j in cmap.fields.items()}

    def cell(self, row: list[Any], fld: str) -> Any:
        j = self.cmap.fields.get(fld)
        return row[j] if j is not None and j < len(row) else None

    def address(self, i: int, fld: str) -> str:
        return f"{column_letter(self.cmap.fields[fld])}{i + 1}"

    def error(self, i: int, fld: str, code: IssueCode, message: str, value: Any = None,
              severity: Severity = Severity.ERROR) -> None:  # fmt: skip
        self.issues.append(Issue.at(code, severity, message, file=self.grid.file, sheet=self.grid.sheet,
                                    cell=self.address(i, fld), value=value))  # fmt: skip

    def read(self) -> None:
        for i in range(self.cmap.header_row + 1, len(self.grid.rows)):
            row = self.grid.rows[i]
            if all(_blank(v) for v in row) or self._is_total(row):
                continue
            self._read_row(i, row)

    def _is_total(self, row: list[Any]) -> bool:
        """A total row: its first text is a subtotal word of the pact ("I alt", "Total 2024", "Sum")."""
        text = next((normalize_name(v) for v in row if isinstance(v, str) and v.strip()), "")
        return any(text == s or text.startswith(s + " ") for s in self.subtotals)

    def _read_row(self, i: int, row: list[Any]) -> None:
        amounts = {f: self.cell(row, f) for f in _AMOUNT_FIELDS if f in self.cmap.fields}
        relevant = [self.cell(row, "case_id"), self.cell(row, "date"), *amounts.values()]
        if all(_blank(v) for v in relevant):  # only a note or the kind: not an entry
            return
        ok = True
        case = self.cell(row, "case_id")
        if isinstance(case, CellProblem):
            self.error(i, "case_id", IssueCode.LEDGER_MISSING_VALUE, f"sagsnummeret er ikke en værdi ({case})", case)
            ok = False
        elif _blank(case):
            self.error(i, "case_id", IssueCode.LEDGER_MISSING_VALUE, "sagsnummeret mangler; skriv sagens nummer fra "
                       "ansøgningsoversigten")  # fmt: skip
            ok = False
        date = self._date(i, row)
        ok = ok and date is not None
        kind = self._kind(i, row) if "kind" in self.cmap.fields else None
        if "kind" in self.cmap.fields and kind is None:
            ok = False
        found = [(f, v) for f in _AMOUNT_FIELDS if f in amounts and (v := self._amount(i, f, amounts[f])) is not None]
        if not found and all(_blank(v) for v in amounts.values()):
            where = next(iter(amounts))
            self.error(i, where, IssueCode.LEDGER_MISSING_VALUE, "beløbet mangler")
            return
        if not ok:
            return
        assert date is not None
        cells = {f: self.address(i, f) for f in ("case_id", "date", "kind", "note") if f in self.cmap.fields}
        note = _text(self.cell(row, "note"))
        for fld, value in found:
            entry_kind = self._entry_kind(i, fld, value, kind)
            if entry_kind is None:
                continue
            self.entries.append(LedgerEntry(
                file=self.grid.file, sheet=self.grid.sheet, row=i + 1, case_id=_text(case), date=date,
                kind=entry_kind, amount=abs(value), note=note, cells={**cells, "amount": self.address(i, fld)},
            ))  # fmt: skip

    def _date(self, i: int, row: list[Any]) -> dt.date | None:
        raw = self.cell(row, "date")
        if isinstance(raw, CellProblem):
            self.error(i, "date", IssueCode.LEDGER_BAD_DATE, f"datoen er ikke en værdi ({raw})", raw)
            return None
        if _blank(raw):
            self.error(i, "date", IssueCode.LEDGER_MISSING_VALUE, "datoen mangler; skriv datoen for udbetalingen")
            return None
        try:
            value = parse_date(raw)
        except DanishParseError as exc:
            self.error(i, "date", IssueCode.LEDGER_BAD_DATE, str(exc), raw)
            return None
        return value

    def _kind(self, i: int, row: list[Any]) -> EntryKind | None:
        raw = self.cell(row, "kind")
        if _blank(raw) or isinstance(raw, CellProblem):
            self.error(i, "kind", IssueCode.LEDGER_MISSING_VALUE, "typen mangler; skriv "
                       + ", ".join(KIND_LABELS.values()), raw if isinstance(raw, CellProblem) else None)  # fmt: skip
            return None
        match = self.pact.payments.kind_matcher.match(_text(raw))
        if match.key is None:
            self.error(i, "kind", IssueCode.LEDGER_UNKNOWN_KIND, f"ukendt type '{_text(raw)}'; brug "
                       + ", ".join(KIND_LABELS.values()), raw)  # fmt: skip
            return None
        return EntryKind(match.key)

    def _amount(self, i: int, fld: str, raw: Any) -> int | None:
        """The amount in kroner, signed; ``None`` when blank or unreadable (an issue says why) or 0 (a warning)."""
        if _blank(raw):
            return None
        if isinstance(raw, CellProblem):
            self.error(i, fld, IssueCode.LEDGER_BAD_AMOUNT, f"beløbet er ikke en værdi ({raw})", raw)
            return None
        try:
            value = parse_amount(raw, self.units.get(fld, AmountUnit.KR))
        except DanishParseError as exc:
            self.error(i, fld, IssueCode.LEDGER_BAD_AMOUNT, str(exc), raw)
            return None
        if value is None:
            return None
        if abs(value) > _MAX_AMOUNT:
            self.error(i, fld, IssueCode.LEDGER_BAD_AMOUNT, "beløbet er urealistisk stort", raw)
            return None
        if value == 0:
            self.error(i, fld, IssueCode.LEDGER_BAD_AMOUNT, "beløbet er 0 og tælles ikke med", raw, Severity.WARNING)
            return None
        return value

    def _entry_kind(self, i: int, fld: str, value: int, kind: EntryKind | None) -> EntryKind | None:
        """The kind of an amount: the kind column's, else by the column and the sign; a negative payment is refused."""
        if fld == "repaid":
            return EntryKind.REPAYMENT
        if kind is None:
            return EntryKind.REPAYMENT if value < 0 else EntryKind.RATE
        if value < 0 and kind in (EntryKind.RATE, EntryKind.FINAL):
            self.error(i, fld, IssueCode.LEDGER_BAD_AMOUNT, f"negativt beløb som {KIND_LABELS[kind].lower()}; "
                       "skriv penge, der kommer tilbage, som Tilbagebetaling eller Bortfald/nedsættelse",
                       value)  # fmt: skip
            return None
        return kind


def _read_sheet(grid: Grid, cmap: ColumnMap, pact: Pact) -> tuple[list[LedgerEntry], list[Issue]]:
    reader = _SheetReader(grid, cmap, pact)
    reader.read()
    return reader.entries, reader.issues


# -- the overview's final-report column ---------------------------------------------------------------------------
def read_final_reports(overview: Overview, pact: Pact) -> tuple[dict[str, FinalReport] | None, list[Issue]]:
    """Case key (:func:`~pagt_xl.core.ledger.case_key`) → the final-report cell of each application.

    The column is found by ``[payments] final_report_headers`` among the overview's columns the pact
    does not map otherwise. A date means approved that day; an approval word (Ja, Godkendt) approved
    at an unknown date; empty or a not-approved word (Nej, Afventer) not approved; anything else is a
    ``ledger_bad_final_report`` error at its cell (and counts as not approved). ``None``: no sheet has
    the column.
    """
    rules = pact.payments
    keys = rules.final_report_keys
    found = False
    out: dict[str, FinalReport] = {}
    issues: list[Issue] = []
    for sheet in overview.sheets:
        for j, raws in sheet.unmapped_cells.items():
            if header_key(sheet.columns.headers.get(j, "")) not in keys:
                continue
            found = True
            letter = column_letter(j)
            for pos, raw in enumerate(raws):
                case = sheet.records["case_id"][pos]
                if not isinstance(case, str) or not case.strip():
                    continue
                cell = f"{letter}{sheet.records['row'][pos]}"
                report = _final_report(raw, rules, sheet.file, sheet.sheet, cell, issues)
                out.setdefault(case_key(case), report)
    return (out if found else None), issues


def _final_report(raw: Any, rules: Any, file: str, sheet: str, cell: str, issues: list[Issue]) -> FinalReport:
    where = {"file": file, "sheet": sheet, "cell": cell}
    if isinstance(raw, dt.datetime):
        return FinalReport(True, raw.date(), **where)
    if isinstance(raw, dt.date):
        return FinalReport(True, raw, **where)
    text = _text(raw)
    if not text:
        return FinalReport(False, None, **where)
    key = rules.approval_matcher.match(text).key
    if key is not None:
        return FinalReport(key == "approved", None, **where)
    try:
        date = parse_date(text) if isinstance(raw, str) else None
    except DanishParseError:
        date = None
    if date is not None:
        return FinalReport(True, date, **where)
    words = ", ".join([*rules.approved_words[:2], *rules.not_approved_words[:1]])
    issues.append(Issue.at(IssueCode.LEDGER_BAD_FINAL_REPORT, Severity.ERROR,
                           f"'{text}' siger ikke, om slutrapporten er godkendt; skriv godkendelsesdatoen eller "
                           f"{words} (tom: ikke godkendt)", file=file, sheet=sheet, cell=cell, value=text))  # fmt: skip
    return FinalReport(False, None, **where)
