"""Benchmark: time to build a report draft for 30 and 1,000 granted projects.

Run: .venv/bin/python scripts/bench_report.py [--sizes 30 1000] [--repeat 3]

Builds overviews of the given sizes (openpyxl, into a temp dir), validates
them once, then times, after start-up (imports and the first render are
excluded): the breakdowns, the report context, the three charts and the Word
rendering. As a baseline measured in the same run it times python-docx
writing a plain document with the same project table (no template, no
charts), so the ratio shows what the template and charts cost.
Target from the issue: under 3 s for 1,000 projects.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
import time
from pathlib import Path

import openpyxl
from docx import Document

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pagt_xl import load_pact, run_validation  # noqa: E402
from pagt_xl.pipeline import run_breakdowns  # noqa: E402
from pagt_xl.report import render_report  # noqa: E402

HEADER = [
    "År", "Sagsnr.", "Runde", "Projekttitel", "Indsatsområde", "Type", "Kort resumé", "Ansøgt beløb",
    "Afgørelse", "Støttebeløb", "Status", "Fremdrift", "Virkemidler", "Partnere", "Mål grundskole",
    "Mål ungdomsuddannelse", "Læring",
]  # fmt: skip
THEMES = ["1. De potentielle STEM'ere", "2. Flere piger og kvinder i STEM", "STEM kompetencer til alle"]
TYPES = ["Kompetenceopbygning", "Motiverende", "Interessevækkelse", "Strategisk vidensopbygning"]
INSTRUMENTS = ["Møder med rollemodeller", "Virksomhedsbesøg", "Vejledning og informationstiltag for elever"]


def make_overview(path: Path, n: int) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Ansøgninger"
    ws.append(HEADER)
    for i in range(n):
        year = 2019 + i % 5
        ws.append([
            year, f"{year}-{i:05d}", "Åben runde", f"Projekt nr. {i} om STEM v/ Gymnasium {i % 40}",
            THEMES[i % 3], TYPES[i % 4], "Et kort resumé af projektet, som det står i ansøgningen. " * 2,
            300_000 + i, "Tilsagn", 300_000 + i, "Igangværende" if i % 3 else "Afsluttet", "God",
            "; ".join(INSTRUMENTS[: 1 + i % 3]), "Gymnasium; Grundskole", 100 + i % 50, 200 + i % 70,
            "Eleverne var engagerede." if i % 4 == 0 else None,
        ])  # fmt: skip
    wb.save(path)


def baseline(breakdowns, out: Path) -> None:
    doc = Document()
    rows = breakdowns.validation.table
    table = doc.add_table(rows=1, cols=5)
    for _, r in rows.iterrows():
        cells = table.add_row().cells
        cells[0].text, cells[1].text, cells[2].text = str(r["year"]), str(r["title"]), str(r["theme"])
        cells[3].text, cells[4].text = str(r["summary"]), str(r["project_type"])
    doc.save(str(out))


def best(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[30, 1000])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    pact = load_pact("nordjylland")
    with tempfile.TemporaryDirectory() as tmp:
        tmpdir = Path(tmp)
        print(f"{'projekter':>10} {'baseline (python-docx)':>24} {'rapportkladde':>14} {'forhold':>8}")
        for n in args.sizes:
            src = tmpdir / f"oversigt_{n}.xlsx"
            make_overview(src, n)
            validation = run_validation([src], pact)
            assert int(validation.table["has_error"].sum()) == 0, "benchmark data must be clean"

            def draft(validation=validation, n=n) -> None:
                render_report(run_breakdowns(validation), tmpdir / f"r_{n}.docx", report_date=dt.date(2024, 2, 15))

            draft()  # warm-up: imports, fonts, matplotlib caches
            t_report = best(draft, args.repeat)
            bd = run_breakdowns(validation)
            t_base = best(lambda bd=bd, n=n: baseline(bd, tmpdir / f"b_{n}.docx"), args.repeat)
            print(f"{n:>10} {t_base:>22.3f} s {t_report:>12.3f} s {t_report / t_base:>7.1f}×")
    return 0


if __name__ == "__main__":
    sys.exit(main())
