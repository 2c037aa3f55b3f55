"""Build the ledger form and the Nordjylland sample ledger (deterministic: same bytes every run).

Run: .venv/bin/python scripts/make_payment_workbooks.py [--form FILE] [--sample FILE]

* pagt_xl/templates/udbetalinger.xlsx: the form (issue 25). One row per payment or return:
  Sagsnr., Dato, Type (a drop-down list: Rate, Slutrate, Tilbagebetaling, Bortfald/nedsættelse),
  Beløb (kr.), Note; and a sheet "Vejledning" explaining the kinds.
* workbooks/udbetalinger_nordjylland.xlsx: a made-up ledger for the shipped Nordjylland sample
  (workbooks/nordjylland_ansoegninger_2019-2023.xlsx), up to the overview's date (15 February 2024).
  Every grant is paid in yearly rates, one for each calendar year of its project period, the first
  45 days after the project starts (rates dated after the overview's date or the period are not yet
  paid); 10 % is held back. A finished project whose final report is
  approved ("Slutrapport godkendt") gets the held-back part two weeks after the approval. One
  repayment: "Halvdags STEM-konference" pays 35.000 kr. back after its final accounts. One held-back
  part: "Et fælles naturvidenskabeligt rekrutteringsunivers på sporet" ended in 2023 and waits for
  its final report, so its 10 % is still held back.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import sys
from pathlib import Path
from typing import Any

import xlsxwriter

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
from _reproducible import fixed_zip  # noqa: E402

sys.path.insert(0, str(ROOT))

from pagt_xl.core.ledger import KIND_LABELS, EntryKind, retention_of  # noqa: E402

FORM = ROOT / "pagt_xl" / "templates" / "udbetalinger.xlsx"
SAMPLE = ROOT / "workbooks" / "udbetalinger_nordjylland.xlsx"
OVERVIEW = ROOT / "workbooks" / "nordjylland_ansoegninger_2019-2023.xlsx"
#: the overview's date: nothing in the sample ledger is later
UPDATED = dt.date(2024, 2, 15)
HEADER = ["Sagsnr.", "Dato", "Type", "Beløb (kr.)", "Note"]
ROWS = 500
KR = '#,##0 "kr."'
#: the one repayment of the sample (case title → amount, date, note)
REPAYMENT = ("Halvdags STEM-konference", 35_000, dt.date(2023, 5, 10), "Uforbrugte midler efter slutregnskabet")

Entry = tuple[str, dt.date, str, int, str]


def write_ledger(path: Path, entries: list[Entry] | None = None, *, title: str = "") -> None:
    """The form, empty or filled with ``entries`` (case number, date, kind label, amount, note)."""
    entries = entries or []
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_numbers": False, "strings_to_formulas": False})
    wb.set_properties({"title": "Udbetalinger – Teknologipagtens pulje", "author": "pagt_xl",
                       "created": dt.datetime(2024, 1, 1)})  # fmt: skip
    big = wb.add_format({"bold": True, "font_size": 14, "font_color": "#1F4E79"})
    head = wb.add_format({"bold": True, "bg_color": "#1F4E79", "font_color": "#FFFFFF", "border": 1})
    note = wb.add_format({"italic": True, "font_color": "#595959", "text_wrap": True, "valign": "top"})
    inp = wb.add_format({"locked": False, "bg_color": "#FFF9E6", "border": 1})
    inp_date = wb.add_format({"locked": False, "bg_color": "#FFF9E6", "border": 1, "num_format": "dd-mm-yyyy"})
    inp_kr = wb.add_format({"locked": False, "bg_color": "#FFF9E6", "border": 1, "num_format": KR})
    ws = wb.add_worksheet("Udbetalinger")
    for j, width in enumerate((12, 13, 24, 16, 48)):
        ws.set_column(j, j, width)
    ws.write(0, 0, title or "Udbetalinger – Teknologipagtens pulje", big)
    ws.merge_range(1, 0, 1, 4, "Én række pr. udbetaling eller tilbageførsel. Sagsnummeret skal stå i "
                   "ansøgningsoversigten. Beløb skrives positivt; typen siger, hvilken vej pengene går. "
                   "Se arket Vejledning.", note)  # fmt: skip
    ws.set_row(1, 32)
    ws.write_row(3, 0, HEADER, head)
    kinds = list(KIND_LABELS.values())
    for i in range(max(ROWS, len(entries))):
        r = 4 + i
        case, date, kind, amount, text = entries[i] if i < len(entries) else ("", None, "", None, "")
        ws.write_string(r, 0, case, inp) if case else ws.write_blank(r, 0, None, inp)
        if date is not None:
            ws.write_datetime(r, 1, dt.datetime(date.year, date.month, date.day), inp_date)
        else:
            ws.write_blank(r, 1, None, inp_date)
        ws.write_string(r, 2, kind, inp) if kind else ws.write_blank(r, 2, None, inp)
        ws.write_number(r, 3, amount, inp_kr) if amount is not None else ws.write_blank(r, 3, None, inp_kr)
        ws.write_string(r, 4, text, inp) if text else ws.write_blank(r, 4, None, inp)
    last = 4 + max(ROWS, len(entries)) - 1
    ws.data_validation(4, 2, last, 2, {"validate": "list", "source": kinds, "error_title": "Ukendt type",
                                       "error_message": "Vælg Rate, Slutrate, Tilbagebetaling eller "
                                                        "Bortfald/nedsættelse."})  # fmt: skip
    amount_rule = {"validate": "decimal", "criteria": ">", "value": 0, "error_title": "Beløb",
                   "error_message": "Skriv beløbet positivt i kr."}  # fmt: skip
    ws.data_validation(4, 3, last, 3, amount_rule)
    date_rule = {"validate": "date", "criteria": ">", "value": dt.date(2000, 1, 1), "error_title": "Dato",
                 "error_message": "Skriv en dato, fx 15-03-2024."}  # fmt: skip
    ws.data_validation(4, 1, last, 1, date_rule)
    ws.freeze_panes(4, 0)
    guide = wb.add_worksheet("Vejledning")
    guide.set_column(0, 0, 100)
    lines = [
        ("Sådan udfylder du udbetalingerne", big),
        ("Sagsnr.: sagens nummer, som det står i ansøgningsoversigten (fx 2023-05).", note),
        ("Dato: dagen for udbetalingen eller tilbageførslen.", note),
        ("Type Rate: en udbetaling til projektet (1. rate, 2. rate ...).", note),
        ("Type Slutrate: den tilbageholdte del, der udbetales, når slutrapporten er godkendt.", note),
        ("Type Tilbagebetaling: penge, projektet betaler tilbage (fx uforbrugte midler).", note),
        ("Type Bortfald/nedsættelse: en bevilling, der nedsættes, bortfalder eller trækkes tilbage, "
         "før pengene er udbetalt.", note),
        ("Penge, der kommer tilbage (tilbagebetaling og bortfald), går tilbage til puljen i det år, de "
         "kommer tilbage, og øger restrammen.", note),
        ("Kontrol: pagt-xl udbetalinger UDBETALINGER.xlsx --overview OVERSIGT.xlsx", note),
    ]
    for i, (text, fmt) in enumerate(lines):
        guide.write_string(i, 0, text, fmt)
    ws.protect("", {"format_columns": True, "format_rows": True, "select_locked_cells": True,
                    "select_unlocked_cells": True, "insert_rows": True, "delete_rows": True,
                    "sort": True, "autofilter": True})  # fmt: skip
    ws.activate()
    wb.close()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(fixed_zip(buf.getvalue()))


def _sample_overview() -> tuple[Any, dict[str, dt.date | None]]:
    """The sample overview validated, and case key → the approval date of its final report (``None``: not yet)."""
    from pagt_xl import load_pact, run_validation
    from pagt_xl.ingest.payments import read_final_reports

    validation = run_validation([OVERVIEW], load_pact("nordjylland"))
    reports, _ = read_final_reports(validation.overview, validation.pact)
    return validation, {k: (r.date if r.approved else None) for k, r in (reports or {}).items()}


def sample_entries() -> list[Entry]:
    """The made-up ledger of the Nordjylland sample (see the module docstring)."""
    from pagt_xl.core.ledger import case_key

    validation, reports = _sample_overview()
    share = validation.pact.payments.held_back_share
    t = validation.table
    granted = t[(t["decision"] == "tilsagn") & ~t["has_error"]].sort_values("case_id")
    out: list[Entry] = []
    for _, r in granted.iterrows():
        case, amount = str(r["case_id"]), int(r["granted"])
        start, end = r["period_start"], r["period_end"]
        payable = amount - retention_of(amount, share)
        years = end.year - start.year + 1
        rates = [payable // years] * (years - 1) + [payable - payable // years * (years - 1)]
        dates = [start + dt.timedelta(days=45 + 365 * k) for k in range(years)]
        due = [(d, a) for d, a in zip(dates, rates, strict=True) if d <= min(UPDATED, end)]
        for k, (d, a) in enumerate(due, start=1):
            out.append((case, d, KIND_LABELS[EntryKind.RATE], a, f"{k}. rate"))
        approved = reports.get(case_key(case))
        if approved is not None and (paid_on := approved + dt.timedelta(days=14)) <= UPDATED:
            for k, a in enumerate(rates[len(due):], start=len(due) + 1):  # rates not yet paid: with the final one
                out.append((case, paid_on, KIND_LABELS[EntryKind.RATE], a, f"{k}. rate"))
            out.append((case, paid_on, KIND_LABELS[EntryKind.FINAL], amount - payable,
                        "Tilbageholdt del efter godkendt slutrapport"))  # fmt: skip
        if r["title"] == REPAYMENT[0]:
            out.append((case, REPAYMENT[2], KIND_LABELS[EntryKind.REPAYMENT], REPAYMENT[1], REPAYMENT[3]))
    return sorted(out, key=lambda e: (e[1], e[0]))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--form", type=Path, default=FORM)
    parser.add_argument("--sample", type=Path, default=SAMPLE)
    args = parser.parse_args(argv)
    write_ledger(args.form)
    write_ledger(args.sample, sample_entries(), title="Udbetalinger – Nordjysk Teknologipagt (eksempel)")
    print(f"Skrevet: {args.form} og {args.sample}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
