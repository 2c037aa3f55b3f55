"""Build the applicants' budget form and filled-in sample budgets (deterministic: same bytes every run).

Run: .venv/bin/python scripts/make_budget_workbooks.py [--form FILE] [--samples DIR]

* pagt_xl/templates/budgetskema.xlsx: the form (drop-down list of cost categories, locked
  formula cells for the totals, Danish labels and instructions).
* workbooks/budgetter/*.xlsx: budgets for eight of the Nordjylland sample projects,
  taken from workbooks/nordjylland_ansoegninger_2019-2023.xlsx, some with realistic
  faults: an operations (Drift) line, lines that do not add up to a total typed by
  hand, a drifted layout (rows inserted, a category renamed), an underspend, an
  amount sought that differs from the overview, and one file that is not a
  workbook at all.
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

from pagt_xl.base.config import default_budget_rules  # noqa: E402

FORM = ROOT / "pagt_xl" / "templates" / "budgetskema.xlsx"
SAMPLES = ROOT / "workbooks" / "budgetter"
OVERVIEW = ROOT / "workbooks" / "nordjylland_ansoegninger_2019-2023.xlsx"
YEARS = (2024, 2025, 2026)
LINES = 12
KR = '#,##0 "kr."'


def write_form(path: Path, data: dict[str, Any] | None = None, *, drift: bool = False) -> None:
    """The form, empty or filled with ``data``. ``drift``: rows inserted, totals typed, a category renamed."""
    data = data or {}
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    wb.set_properties({"title": "Budgetskema – Teknologipagtens pulje", "author": "pagt_xl",
                       "created": dt.datetime(2024, 1, 1)})  # fmt: skip
    bold = wb.add_format({"bold": True})
    title = wb.add_format({"bold": True, "font_size": 14, "font_color": "#1F4E79"})
    head = wb.add_format({"bold": True, "bg_color": "#1F4E79", "font_color": "#FFFFFF", "text_wrap": True})
    inp = wb.add_format({"locked": False, "bg_color": "#FFF9E6", "border": 1})
    inp_kr = wb.add_format({"locked": False, "bg_color": "#FFF9E6", "border": 1, "num_format": KR})
    inp_date = wb.add_format({"locked": False, "bg_color": "#FFF9E6", "border": 1, "num_format": "dd-mm-yyyy"})
    calc_kr = wb.add_format({"bold": True, "num_format": KR, "bg_color": "#E7EEF7", "border": 1})
    note = wb.add_format({"italic": True, "font_color": "#595959", "text_wrap": True})
    ws = wb.add_worksheet("Budget")
    ws.set_column(0, 0, 30)
    ws.set_column(1, 1, 44)
    ws.set_column(2, 2 + len(YEARS) + 1, 16)
    r0 = 2 if drift else 0  # drifted forms: a logo/title block inserted at the top
    if drift:
        ws.write(0, 0, "EUC Nordvest – projektøkonomi", title)
    ws.write(r0, 0, "Budgetskema – Teknologipagtens pulje", title)
    ws.merge_range(r0 + 1, 0, r0 + 1, 5,
                   "Udfyld de gule felter. Vælg kategori i listen. Puljen støtter udvikling, ikke drift: "
                   "driftsudgifter kan ikke medtages. Totaler beregnes automatisk.", note)  # fmt: skip
    ident = [("Sagsnr.", "case_id", inp), ("Projekttitel", "title", inp), ("Tovholder (ansøger)", "applicant", inp),
             ("År", "year", inp), ("Projektstart", "start", inp_date), ("Projektslut", "end", inp_date)]  # fmt: skip
    r = r0 + 3
    for label, key, fmt in ident:
        ws.write(r, 0, label, bold)
        value = data.get(key)
        if isinstance(value, dt.date):
            ws.write_datetime(r, 1, dt.datetime(value.year, value.month, value.day), fmt)
        elif value is None:
            ws.write_blank(r, 1, None, fmt)
        else:
            ws.write(r, 1, value, fmt)
        r += 1
    r += 1
    header = r
    ws.write_row(header, 0, ["Kategori", "Beskrivelse", "Budget (kr.)", *[f"Forbrug {y}" for y in YEARS],
                             "Forbrug i alt"], head)  # fmt: skip
    lines: list[tuple[str, str, int, dict[int, int]]] = data.get("lines", [])
    first = header + 1
    for i in range(LINES):
        row = first + i
        cat, desc, amount, spent = lines[i] if i < len(lines) else ("", "", None, {})
        ws.write(row, 0, cat, inp) if cat else ws.write_blank(row, 0, None, inp)
        ws.write(row, 1, desc, inp) if desc else ws.write_blank(row, 1, None, inp)
        ws.write_number(row, 2, amount, inp_kr) if amount is not None else ws.write_blank(row, 2, None, inp_kr)
        for j, y in enumerate(YEARS):
            if y in spent:
                ws.write_number(row, 3 + j, spent[y], inp_kr)
            else:
                ws.write_blank(row, 3 + j, None, inp_kr)
        a, b = xlsxwriter.utility.xl_rowcol_to_cell(row, 3), xlsxwriter.utility.xl_rowcol_to_cell(row, 2 + len(YEARS))
        ws.write_formula(row, 3 + len(YEARS), f"=SUM({a}:{b})", calc_kr, sum(spent.values()))
    last = first + LINES - 1
    ws.data_validation(first, 0, last, 0, {"validate": "list", "source": list(default_budget_rules().categories),
                                           "error_title": "Ukendt kategori",
                                           "error_message": "Vælg en kategori fra listen."})  # fmt: skip
    total_row = last + 1
    ws.write(total_row, 0, "Udgifter i alt", bold)
    total = sum(x[2] or 0 for x in lines)
    stated = data.get("stated_total", total)
    for j in range(2, 4 + len(YEARS)):
        col_cells = [xlsxwriter.utility.xl_rowcol_to_cell(first, j), xlsxwriter.utility.xl_rowcol_to_cell(last, j)]
        if j == 2:
            value = stated
        elif j < 3 + len(YEARS):
            value = sum(x[3].get(YEARS[j - 3], 0) for x in lines)
        else:
            value = sum(sum(x[3].values()) for x in lines)
        if drift and j == 2:
            ws.write_number(total_row, j, value, calc_kr)  # typed by hand
        else:
            ws.write_formula(total_row, j, f"=SUM({col_cells[0]}:{col_cells[1]})", calc_kr, value)
    r = total_row + 2
    ws.write(r, 0, "Finansiering", title)
    fin = [("Egenfinansiering (kr.)", "own"), ("Partnerfinansiering (kr.)", "partner"),
           ("Ansøgt fra puljen (kr.)", "sought")]  # fmt: skip
    if drift:
        fin = [fin[2], fin[0], fin[1]]  # the block was rearranged
    fin_first = r + 1
    for k, (label, key) in enumerate(fin):
        ws.write(fin_first + k, 0, label, bold)
        v = data.get(key)
        if isinstance(v, str):
            ws.write_string(fin_first + k, 1, v, inp)  # amounts typed as text by applicants
        elif v is not None:
            ws.write_number(fin_first + k, 1, v, inp_kr)
        else:
            ws.write_blank(fin_first + k, 1, None, inp_kr)
    fin_total = fin_first + len(fin)
    ws.write(fin_total, 0, "Finansiering i alt", bold)
    fin_sum = sum(v for _, k in fin if isinstance(v := data.get(k), int))
    a, b = f"B{fin_first + 1}", f"B{fin_total}"
    ws.write_formula(fin_total, 1, f"=SUM({a}:{b})", calc_kr, fin_sum)
    ws.write(fin_total + 1, 0, "Difference (finansiering − udgifter)", bold)
    ws.write_formula(fin_total + 1, 1, f"=B{fin_total + 1}-C{total_row + 1}", calc_kr, fin_sum - stated)
    ws.write(fin_total + 3, 0, "Bevilget fra puljen (kr.)", bold)
    g = data.get("granted")
    ws.write_number(fin_total + 3, 1, g, inp_kr) if g is not None else ws.write_blank(fin_total + 3, 1, None, inp_kr)
    ws.write(fin_total + 3, 2, "Udfyldes af sekretariatet ved tilsagn.", note)
    ws.protect("", {"format_columns": True, "format_rows": True, "select_locked_cells": True,
                    "select_unlocked_cells": True})  # fmt: skip
    wb.close()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(fixed_zip(buf.getvalue()))


def _projects() -> dict[str, dict[str, Any]]:
    from pagt_xl import load_pact, run_validation

    t = run_validation([OVERVIEW], load_pact("nordjylland")).table
    g = t[t["decision"] == "tilsagn"]
    return {r["case_id"]: r for _, r in g.iterrows() if isinstance(r["case_id"], str)}


def _budget(p: dict[str, Any], *, spent_share: float, extra: list[tuple[str, str, int, dict[int, int]]] | None = None,
            sought: int | None = None, rename: str | None = None) -> dict[str, Any]:  # fmt: skip
    applied, granted = int(p["applied"]), int(p["granted"])
    own = round(applied * 0.25, -3)
    total = applied + own
    shares = [("Løn og timer", "Lærer- og projektledertimer", 0.55), ("Materialer og udstyr", "Udstyr til forløb", 0.2),
              ("Transport", "Elevtransport til virksomheder", 0.1), ("Kommunikation", "Formidling og konference", 0.1)]  # fmt: skip
    lines = []
    rest = total
    for k, (cat, desc, share) in enumerate(shares):
        amount = rest if k == len(shares) - 1 else round(total * share, -3)
        rest -= amount
        lines.append([cat, desc, amount, {}])
    spent_total = round(granted * spent_share)
    for line in lines:
        portion = round(spent_total * line[2] / total)
        line[3] = {2024: portion // 2, 2025: portion - portion // 2} if portion else {}
    if rename:
        lines[0][0] = rename
    out_lines = [tuple(x) for x in lines] + (extra or [])
    return {"case_id": p["case_id"], "title": p["title"], "applicant": p["applicant"], "year": int(p["year"]),
            "start": p["period_start"], "end": p["period_end"], "lines": out_lines, "own": int(own), "partner": 0,
            "sought": applied if sought is None else sought, "granted": granted}  # fmt: skip


def write_samples(folder: Path) -> list[Path]:
    """Eight filled budgets (some with faults) and one file that is not a workbook."""
    p = _projects()
    specs: list[tuple[str, dict[str, Any], bool]] = [
        ("2023-05_LamSTEM_Nord+.xlsx", _budget(p["2023-05"], spent_share=0.95), False),
        ("2023-04_Klar_Parat_Gymnasiestart.xlsx", _budget(p["2023-04"], spent_share=0.9), False),
        ("2022-04_Talstaerk.xlsx", _budget(p["2022-04"], spent_share=0.97), False),
        # operations are not funded
        ("2023-07_Nordjysk_Science_Dyst.xlsx",
         _budget(p["2023-07"], spent_share=0.9, extra=[("Drift", "Husleje til lokaler", 60_000, {})]), False),
        # underspend: the period is over, little spent
        ("2022-03_Samarbejdsmodel.xlsx", _budget(p["2022-03"], spent_share=0.2), False),
        # sought differs from the overview's applied amount
        ("2023-08_Proev_kraefter.xlsx", _budget(p["2023-08"], spent_share=0.85, sought=725_000), False),
        # drifted layout: rows inserted, a category renamed, totals typed by hand
        ("2023-11_Sammenhaeng_EUX.xlsx", _budget(p["2023-11"], spent_share=0.88, rename="Lønudgifter"), True),
    ]
    # lines that do not add up to the total typed by hand (drifted form with a wrong total)
    wrong = _budget(p["2023-12"], spent_share=0.92)
    wrong["stated_total"] = sum(x[2] for x in wrong["lines"]) + 10_000
    specs.append(("2023-12_Synergier_paa_EUX.xlsx", wrong, True))
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, data, drift in specs:
        write_form(folder / name, data, drift=drift)
        written.append(folder / name)
    note = folder / "2023-13_Talstaerk_2.0.xlsx"
    note.write_bytes(b"Budget sendes senere. Mvh. Vesthimmerlands Gymnasium\n")  # e-mailed text saved as .xlsx
    written.append(note)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--form", type=Path, default=FORM)
    parser.add_argument("--samples", type=Path, default=SAMPLES)
    args = parser.parse_args(argv)
    write_form(args.form)
    files = write_samples(args.samples)
    print(f"Skrevet: {args.form} og {len(files)} eksempelbudgetter i {args.samples}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
