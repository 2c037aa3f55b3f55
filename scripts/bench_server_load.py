"""Bounded load test of the add-in server on 127.0.0.1: concurrent clients mixing cell-function and script calls.

Run: .venv/bin/python scripts/bench_server_load.py [--clients 20] [--requests 50] [--workers 1]

Starts `python -m pagt_xl.xl.serve` (XLWINGS_LICENSE_KEY=noncommercial) on a free
port, then N clients each send M requests, alternating PAGT.FORDELING over the
sample overview, PAGT.BELOEB, and the Valider script on the sample workbook, in
the exact body format the xlwings JavaScript client sends. Prints errors,
throughput and latency percentiles. Baseline in the same run: GET /manifest.xml
(the cheapest endpoint) under the same load. Then, one client alone: the
recalculation of PAGT.FORDELING over a 10,000-row range (1.2 MB of JSON, HTTP
included) against the same baseline, flagged over 1 s (the limit the test suite
used to assert). Exit code 1 if any request failed or the recalculation is over 1 s.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path

import httpx
from _server import running_server

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from pagt_xl.xl.payload import book_payload  # noqa: E402

SAMPLE = ROOT / "workbooks" / "nordjylland_ansoegninger_2019-2023.xlsx"


def call(func: str, *args: object) -> dict[str, object]:
    return {"client": "Office.js", "func_name": func, "args": [a if isinstance(a, list) else [[a]] for a in args],
            "caller_address": "Ark1!B2", "session_id": "load", "culture_info_name": "da-DK",
            "date_format": "dd-mm-yyyy", "version": "0.37.8", "runtime": "1.4"}  # fmt: skip


async def run_load(base: str, clients: int, requests: int, mode: str) -> tuple[list[float], int, float]:
    payload = book_payload(SAMPLE)
    data = payload["sheets"][0]["values"][3:]
    jobs = [
        ("POST", "/xlwings/custom-functions-call", call("fordeling", data, "tema")),
        ("POST", "/xlwings/custom-functions-call", call("beloeb", "1,3 mio. kr.")),
        ("POST", "/xlwings/custom-scripts-call/valider", payload),
    ]
    latencies: list[float] = []
    errors = 0

    async def client(i: int) -> None:
        nonlocal errors
        async with httpx.AsyncClient(base_url=base, timeout=60) as http:
            for k in range(requests):
                method, url, body = jobs[(i + k) % len(jobs)] if mode == "mixed" else ("GET", "/manifest.xml", None)
                t = time.perf_counter()
                try:
                    r = await http.request(method, url, json=body)
                    ok = r.status_code == 200
                except httpx.HTTPError:
                    ok = False
                latencies.append(time.perf_counter() - t)
                errors += not ok

    start = time.perf_counter()
    await asyncio.gather(*(client(i) for i in range(clients)))
    return latencies, errors, time.perf_counter() - start


RECALC_LIMIT = 1.0  # seconds for a recalculation of a 10,000-row range over HTTP


def recalculation(base: str, repeat: int = 5) -> tuple[float, float]:
    """Median seconds of GET /manifest.xml and of a repeated 10,000-row PAGT.FORDELING call, one client."""
    themes = ["1. De potentielle STEM'ere", "Flere piger og kvinder i STEM", "STEM kompetencer til alle"]
    header = ["År", "Sagsnr.", "Runde", "Projekttitel", "Indsatsområde", "Type", "Ansøgt beløb", "Afgørelse",
              "Støttebeløb"]  # fmt: skip
    data = [header] + [[2019 + i % 5, str(i), "Åben runde", f"P{i} v/ S{i % 30}", themes[i % 3], "Motiverende",
                        500_000, "Tilsagn", 400_000] for i in range(10_000)]  # fmt: skip
    body = call("fordeling", data, "år")
    with httpx.Client(base_url=base, timeout=60) as http:
        first = http.post("/xlwings/custom-functions-call", json=body).json()["result"][-1]
        assert first == ["I alt", 10_000, 4_000_000_000, 1.0], first

        def median(method: str, url: str, json_body: object) -> float:
            times = []
            for _ in range(repeat):
                t = time.perf_counter()
                http.request(method, url, json=json_body).raise_for_status()
                times.append(time.perf_counter() - t)
            return statistics.median(times)

        return median("GET", "/manifest.xml", None), median("POST", "/xlwings/custom-functions-call", body)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--requests", type=int, default=50)
    args = parser.parse_args()
    with running_server() as base:
        total = args.clients * args.requests
        print(f"{args.clients} klienter × {args.requests} forespørgsler = {total} pr. kørsel")
        failed = 0
        for mode, label in (("manifest", "GET /manifest.xml (baseline)"), ("mixed", "celle-funktioner + Valider")):
            lat, errors, wall = asyncio.run(run_load(base, args.clients, args.requests, mode))
            lat.sort()
            p95 = lat[int(0.95 * (len(lat) - 1))] * 1000
            print(f"{label:<32} fejl {errors:>3}  {total / wall:7.1f} req/s  median {statistics.median(lat) * 1000:7.1f} ms"
                  f"  p95 {p95:7.1f} ms")  # fmt: skip
            failed += errors
        manifest, recalc = recalculation(base)
        flag = "  OVER GRÆNSEN" if recalc > RECALC_LIMIT else ""
        print(f"{'genberegning 10.000 rækker (1 klient)':<32} {recalc * 1000:7.1f} ms  "
              f"{recalc / manifest:6.1f}× GET /manifest.xml ({manifest * 1000:.1f} ms){flag}")  # fmt: skip
        return 1 if failed or recalc > RECALC_LIMIT else 0


if __name__ == "__main__":
    sys.exit(main())
