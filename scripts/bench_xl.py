"""Benchmark: server-side latency of PAGT.FORDELING over 10,000 rows and of the Valider button.

Run: .venv/bin/python scripts/bench_xl.py [--rows 10000] [--repeat 5]

Times the functions in-process, as xlwings Server runs them (the HTTP layer is
not included): PAGT.FORDELING on a new range (first call: parse + validate +
breakdown) and on the same range again (recalculation: content-hash cache),
and the Valider script on the shipped sample workbook through
``xw.Book(json=...)``. Baseline, measured in the same run: a plain pandas
groupby-sum over the same 10,000 rows. Targets: under 100 ms and under 1 s.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import pandas as pd  # noqa: E402
import xlwings as xw  # noqa: E402

from pagt_xl.xl import core, functions, scripts  # noqa: E402
from pagt_xl.xl.payload import book_payload  # noqa: E402

HEADER = ["År", "Runde", "Projekttitel", "Indsatsområde", "Type", "Ansøgt beløb", "Afgørelse", "Støttebeløb"]
THEMES = ["1. De potentielle STEM'ere", "Flere piger og kvinder i STEM", "STEM kompetencer til alle"]
TYPES = ["Kompetenceopbygning", "Motiverende", "Interessevækkelse"]


def make_range(n: int, seed: int = 0) -> list[list[object]]:
    rows: list[list[object]] = [HEADER]
    for i in range(n):
        granted = i % 3 != 0
        amount = 100_000 + (i * 7919 + seed) % 900_000
        rows.append([2019 + i % 5, "Åben runde", f"Projekt {seed}-{i} v/ Skole {i % 50}", THEMES[i % 3], TYPES[i % 3],
                     amount, "Tilsagn" if granted else "Afslag", amount if granted else None])  # fmt: skip
    return rows


def median_ms(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times) * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    functions.fordeling(make_range(50, seed=-1), "tema")  # warm-up: imports, pact loading

    ranges = iter([make_range(args.rows, seed=s) for s in range(args.repeat)])
    cold = median_ms(lambda: functions.fordeling(next(ranges), "tema"), args.repeat)
    data = make_range(args.rows)
    functions.fordeling(data, "tema")
    warm = median_ms(lambda: functions.fordeling(data, "tema"), args.repeat)
    df = pd.DataFrame(data[1:], columns=data[0])
    granted = df["Afgørelse"] == "Tilsagn"
    base = median_ms(lambda: df[granted].groupby("Indsatsområde")["Støttebeløb"].sum(), args.repeat)

    payload = book_payload(ROOT / "workbooks" / "nordjylland_ansoegninger_2019-2023.xlsx")
    core._CACHE.clear()

    def valider() -> None:
        scripts.valider(xw.Book(json=payload))

    valider()
    t_valider = median_ms(valider, args.repeat)
    print(f"pandas groupby (baseline), {args.rows} rækker: {base:8.1f} ms")
    print(f"PAGT.FORDELING, nyt område ({args.rows} rækker): {cold:8.1f} ms  ({cold / base:.0f}× baseline)")
    print(f"PAGT.FORDELING, genberegning (cache):      {warm:8.1f} ms  ({warm / base:.1f}× baseline)")
    print(f"Valider-knappen på eksempelprojektmappen:  {t_valider:8.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
