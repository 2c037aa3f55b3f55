"""Benchmark through HTTP: 20 formulas over one 10,000×21 overview, sending the range vs. a PAGT.DATA handle.

Run: .venv/bin/python scripts/bench_xl_handles.py [--rows 10000] [--formulas 20]

Starts the real add-in server (``python -m pagt_xl.xl.serve``) on 127.0.0.1 and
posts the bodies Excel's JavaScript sends, one after another (as in a
recalculation of one Excel instance). Baseline, measured in the same run: the
same formulas each sending the whole range (about 4 MB of JSON each). Then:
1 PAGT.DATA call with the range + the same formulas with the handle; and
PAGT.FORDELING over a new range of the same size (server already warm).
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

import httpx
from _server import running_server

ROOT = Path(__file__).resolve().parent.parent
HEADER = ["År", "Sagsnr.", "Runde", "Projekttitel", "Indsatsområde", "Type", "Ansøgt beløb", "Afgørelse", "Støttebeløb"]
EXTRA = [f"Note {i}" for i in range(1, 13)]  # 21 columns, as the sample overview has
THEMES = ["1. De potentielle STEM'ere", "Flere piger og kvinder i STEM", "STEM kompetencer til alle"]


def make_range(n: int, seed: int = 0) -> list[list[Any]]:
    rows: list[list[Any]] = [HEADER + EXTRA]
    for i in range(n):
        granted = i % 3 != 0
        amount = float(100_000 + (i * 7919 + seed) % 900_000)
        rows.append([float(2019 + i % 5), f"{seed}-{i}", "Åben runde", f"Projekt {seed}-{i} v/ Skole {i % 50}",
                     THEMES[i % 3], "Motiverende", amount, "Tilsagn" if granted else "Afslag",
                     amount if granted else "", *(f"tekst {i % 97}" for _ in EXTRA)])  # fmt: skip
    return rows


def body(func_name: str, *args: Any) -> bytes:
    return json.dumps({"client": "Office.js", "func_name": func_name,
                       "args": [a if isinstance(a, list) else [[a]] for a in args],
                       "caller_address": f"[bench.xlsx]Ark1!{func_name}", "session_id": "bench",
                       "culture_info_name": "da-DK", "date_format": "dd-mm-yyyy", "version": "0.37.8",
                       "runtime": "1.4"}).encode()  # fmt: skip


def formulas(data: Any, count: int) -> list[bytes]:
    """``count`` PAGT.BEVILGET formulas over ``data``: per year, theme and year×theme."""
    filters: list[tuple[Any, ...]] = [()] + [(y,) for y in range(2019, 2024)] + [(None, t) for t in THEMES]
    filters += [(y, t) for y in range(2019, 2024) for t in THEMES]
    return [body("bevilget", data, *filters[i % len(filters)]) for i in range(count)]


def post_all(client: httpx.Client, url: str, bodies: list[bytes]) -> tuple[float, list[Any]]:
    start = time.perf_counter()
    results = []
    for b in bodies:
        r = client.post(url, content=b, headers={"content-type": "application/json"})
        assert r.status_code == 200, r.text
        results.append(r.json()["result"])
    return time.perf_counter() - start, results


def main() -> int:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--formulas", type=int, default=20)
    args = parser.parse_args()
    with running_server(PAGT_XL_MAX_BODY=str(64 * 1024 * 1024)) as base:
        url = f"{base}/xlwings/custom-functions-call"
        with httpx.Client(timeout=120) as client:
            post_all(client, url, [body("fordeling", make_range(50, seed=-1), "tema")])  # warm-up
            n, k = args.rows, args.formulas
            data = make_range(n)
            size_mb = len(formulas(data, 1)[0]) / 1e6
            baseline, expected = post_all(client, url, formulas(data, k))
            again, _ = post_all(client, url, formulas(data, k))  # a second recalculation: content cache warm
            data2 = make_range(n, seed=1)
            start = time.perf_counter()
            r = client.post(url, content=body("data", data2), headers={"content-type": "application/json"})
            made = time.perf_counter() - start
            key = r.json()["result"][0][0]["properties"]["object_handle_cache_key"]["basicValue"]
            with_handle, got = post_all(client, url, formulas(key, k))
            with_handle_again, _ = post_all(client, url, formulas(key, k))
            for e, g in zip(post_all(client, url, formulas(data2, k))[1], got, strict=True):
                assert e == g, (e, g)
            new_ranges = [make_range(n, seed=s) for s in range(10, 15)]
            fordeling = sorted(post_all(client, url, [body("fordeling", d, "tema")])[0] for d in new_ranges)[2]
    assert expected
    print(f"{n} rækker × 21 kolonner, {k} PAGT.BEVILGET-formler, HTTP, rigtig server ({size_mb:.1f} MB pr. område)")
    print(f"  baseline: {k} kald der hver sender området (første gang)  {baseline * 1000:8.0f} ms")
    print(f"  baseline: {k} kald der hver sender området (genberegning) {again * 1000:8.0f} ms")
    print(f"  PAGT.DATA(område), ét kald                                 {made * 1000:8.0f} ms")
    total = made + with_handle
    print(f"  {k} kald med håndtaget                                     {with_handle * 1000:8.0f} ms")
    print(f"  PAGT.DATA + {k} kald (hele genberegningen)                  {total * 1000:8.0f} ms"
          f"  = {baseline / total:5.1f}× hurtigere end baseline (første)")  # fmt: skip
    print(f"  {k} kald med håndtaget (genberegning, kun formlerne)        {with_handle_again * 1000:8.0f} ms"
          f"  = {again / with_handle_again:5.1f}× hurtigere end baseline (genberegning)")  # fmt: skip
    print(f"  PAGT.FORDELING over et NYT område (median af 5, HTTP)      {fordeling * 1000:8.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
