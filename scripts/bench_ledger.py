"""Benchmark: the commitment ledger (issue 25) against a plain python-calamine read of the same ledger.

Builds an overview of ``N`` grants and a ledger of ``4 N`` entries (xlsxwriter: rates, final rates,
repayments and reductions, dates as date cells and as Danish text, amounts as numbers and as text),
then times in this run, best of ``--repeat``:

* baseline: ``CalamineWorkbook.from_path(ledger).get_sheet_by_name("Udbetalinger").to_python()``
* read:     ``read_ledger([ledger], pact)`` (guard + grid + tolerant reading of every cell)
* whole:    ``run_ledger([ledger], pact, overview=[overview])`` (also reads and validates the overview,
            matches every entry, computes every account and year, runs every check)

and prints the times and the ratios to the baseline. Usage::

    .venv/bin/python scripts/bench_ledger.py [--sizes 1000 10000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import datetime as dt
import tempfile
import time
from pathlib import Path

import xlsxwriter
from python_calamine import CalamineWorkbook

from pagt_xl import load_pact
from pagt_xl.ingest.payments import read_ledger
from pagt_xl.pipeline import run_ledger

KINDS = ("Rate", "Rate", "Slutrate", "Tilbagebetaling", "Bortfald/nedsættelse")


def build(folder: Path, n: int) -> tuple[Path, Path]:
    """An overview of ``n`` granted applications and a ledger of ``4 n`` entries."""
    overview, ledger = folder / f"oversigt_{n}.xlsx", folder / f"udbetalinger_{n}.xlsx"
    wb = xlsxwriter.Workbook(str(overview))
    ws = wb.add_worksheet("Ansøgninger")
    ws.write_row(0, 0, ["År", "Sagsnr.", "Projekttitel", "Indsatsområde", "Ansøgt beløb", "Afgørelse", "Støttebeløb",
                        "Projektperiode", "Status"])  # fmt: skip
    for i in range(n):
        year = 2019 + i % 5
        ws.write_row(i + 1, 0, [year, f"{year}-{i:05d}", f"Projekt {i} v/EUC Nord", "STEM-kompetencer til alle",
                                500_000, "Tilsagn", 400_000, f"{year}-{year + 2}", "Igangværende"])  # fmt: skip
    wb.close()
    wb = xlsxwriter.Workbook(str(ledger))
    ws = wb.add_worksheet("Udbetalinger")
    ws.write_row(0, 0, ["Sagsnr.", "Dato", "Type", "Beløb (kr.)", "Note"])
    date_format = wb.add_format({"num_format": "dd-mm-yyyy"})
    r = 1
    for i in range(n):
        year = 2019 + i % 5
        for k in range(4):
            ws.write_string(r, 0, f"{year}-{i:05d}")
            day = dt.datetime(year + k // 2, 3 + k, 1)
            if k % 2:
                ws.write_string(r, 1, f"{day.day}. marts {day.year}" if day.month == 3 else day.strftime("%d.%m.%Y"))
            else:
                ws.write_datetime(r, 1, day, date_format)
            ws.write_string(r, 2, KINDS[(i + k) % len(KINDS)])
            if k == 1:
                ws.write_string(r, 3, "40.000 kr.")
            else:
                ws.write_number(r, 3, 40_000)
            r += 1
    wb.close()
    return overview, ledger


def best(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000])
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    pact = load_pact("nordjylland")
    print(f"{'grants':>8} {'entries':>8} {'calamine':>9} {'read':>8} {'whole':>8} {'read/cal':>9} {'whole/cal':>10}")
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.sizes:
            row = _measure(*build(Path(tmp), n), pact, args.repeat)
            print(f"{n:>8} {4 * n:>8} {row[0]:>8.3f}s {row[1]:>7.3f}s {row[2]:>7.3f}s {row[1] / row[0]:>9.1f} "
                  f"{row[2] / row[0]:>10.1f}")  # fmt: skip


def _measure(overview: Path, ledger: Path, pact: object, repeat: int) -> tuple[float, float, float]:
    """Best times of the calamine read, our read and the whole ledger run."""
    base = best(lambda: CalamineWorkbook.from_path(str(ledger)).get_sheet_by_name("Udbetalinger").to_python(), repeat)
    read = best(lambda: read_ledger([ledger], pact), repeat)  # type: ignore[arg-type]
    whole = best(lambda: run_ledger([ledger], pact, overview=[overview]), repeat)  # type: ignore[arg-type]
    return base, read, whole

if __name__ == "__main__":
    main()
