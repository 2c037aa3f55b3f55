"""Bounded load test of the add-in server on 127.0.0.1 with authentication on: p95 latency against baselines.

Run: .venv/bin/python scripts/bench_server_load.py [--clients 10] [--requests 20]

Starts two `python -m pagt_xl.xl.serve` processes on free ports (XLWINGS_LICENSE_KEY=noncommercial):
one with the token provider and one personal key (PAGT_XL_TOKENS_FILE), as a small site runs it, and
one with --insecure-local (no authentication) for the baseline of the same call. Each load is
CLIENTS concurrent clients × REQUESTS requests (default 10 × 20 = 200), in the exact body format
the xlwings JavaScript client sends. Measured in the same run, printed with p50/p95 and the p95 ratio
against the first baseline:

* baseline: GET /static/js/auth.js, unauthenticated (a static file through every layer of ours);
* GET /manifest.xml (rendered per request, unauthenticated);
* PAGT.BELØB without authentication (--insecure-local server) and with the key: the cost of auth;
* the mixed load with the key: PAGT.FORDELING over the sample overview, PAGT.BELØB and the Valider script.

Then, one client alone: the recalculation of PAGT.FORDELING over a 10,000-row range (1.2 MB of
JSON, HTTP and authentication included), flagged over 1 s. Exit code 1 if any request failed
or the recalculation is over 1 s.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx
from _server import BENCH_KEY, running_server, token_env

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from pagt_xl.xl.payload import book_payload  # noqa: E402

SAMPLE = ROOT / "workbooks" / "nordjylland_ansoegninger_2019-2023.xlsx"
AUTH = {"Authorization": f"Bearer {BENCH_KEY}"}
Job = tuple[str, str, object]


def call(func: str, *args: object) -> dict[str, object]:
    return {"client": "Office.js", "func_name": func, "args": [a if isinstance(a, list) else [[a]] for a in args],
            "caller_address": "Ark1!B2", "session_id": "load", "culture_info_name": "da-DK",
            "date_format": "dd-mm-yyyy", "version": "0.37.8", "runtime": "1.4"}  # fmt: skip


async def run_load(base: str, clients: int, requests: int, jobs: list[Job], headers: dict[str, str]) -> tuple[list[float], int, float]:
    """Latencies (s), failed requests and wall time of ``clients`` × ``requests`` requests cycling over ``jobs``."""
    latencies: list[float] = []
    errors = 0

    async def client(i: int) -> None:
        nonlocal errors
        async with httpx.AsyncClient(base_url=base, timeout=60, headers=headers) as http:
            for k in range(requests):
                method, url, body = jobs[(i + k) % len(jobs)]
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
    """Median seconds of GET /static/js/auth.js and of a repeated, authenticated 10,000-row PAGT.FORDELING call."""
    themes = ["1. De potentielle STEM'ere", "Flere piger og kvinder i STEM", "STEM kompetencer til alle"]
    header = ["År", "Sagsnr.", "Runde", "Projekttitel", "Indsatsområde", "Type", "Ansøgt beløb", "Afgørelse",
              "Støttebeløb"]  # fmt: skip
    data = [header] + [[2019 + i % 5, str(i), "Åben runde", f"P{i} v/ S{i % 30}", themes[i % 3], "Motiverende",
                        500_000, "Tilsagn", 400_000] for i in range(10_000)]  # fmt: skip
    body = call("fordeling", data, "år")
    with httpx.Client(base_url=base, timeout=60) as http:
        first = http.post("/xlwings/custom-functions-call", json=body, headers=AUTH).json()["result"][-1]
        assert first[0] == "I alt" and first[1]["basicValue"] == 10_000, first

        def median(method: str, url: str, json_body: object, headers: dict[str, str]) -> float:
            times = []
            for _ in range(repeat):
                t = time.perf_counter()
                http.request(method, url, json=json_body, headers=headers).raise_for_status()
                times.append(time.perf_counter() - t)
            return statistics.median(times)

        return median("GET", "/static/js/auth.js", None, {}), median("POST", "/xlwings/custom-functions-call", body, AUTH)


def p95(latencies: list[float]) -> float:
    ordered = sorted(latencies)
    return ordered[int(0.95 * (len(ordered) - 1))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=10)
    parser.add_argument("--requests", type=int, default=20)
    args = parser.parse_args()
    payload = book_payload(SAMPLE)
    data = payload["sheets"][0]["values"][3:]
    mixed: list[Job] = [
        ("POST", "/xlwings/custom-functions-call", call("fordeling", data, "tema")),
        ("POST", "/xlwings/custom-functions-call", call("beloeb", "1,3 mio. kr.")),
        ("POST", "/xlwings/custom-scripts-call/valider", payload),
    ]
    beloeb: list[Job] = [("POST", "/xlwings/custom-functions-call", call("beloeb", "1,3 mio. kr."))]
    total = args.clients * args.requests
    folder = Path(tempfile.mkdtemp(prefix="pagt_xl_load_"))
    failed = 0
    with running_server(**token_env(folder)) as base, running_server("--insecure-local") as open_base:
        print(f"{args.clients} klienter × {args.requests} forespørgsler = {total} pr. kørsel (godkendelse: personlig nøgle)")
        loads = [
            ("GET /static/js/auth.js (baseline)", base, [("GET", "/static/js/auth.js", None)], {}),
            ("GET /manifest.xml", base, [("GET", "/manifest.xml", None)], {}),
            ("PAGT.BELØB uden godkendelse", open_base, beloeb, {}),
            ("PAGT.BELØB med nøgle", base, beloeb, AUTH),
            ("blandet med nøgle (FORDELING, BELØB, Valider)", base, mixed, AUTH),
        ]
        baseline = None
        for label, url, jobs, headers in loads:
            asyncio.run(run_load(url, 2, 3, jobs, headers))  # warm-up: first imports, caches
            lat, errors, wall = asyncio.run(run_load(url, args.clients, args.requests, jobs, headers))
            high = p95(lat)
            baseline = baseline or high
            print(f"{label:<48} fejl {errors:>3}  {total / wall:7.1f} req/s  p50 {statistics.median(lat) * 1000:7.1f} ms"
                  f"  p95 {high * 1000:7.1f} ms  ({high / baseline:5.1f}× baseline p95)")  # fmt: skip
            failed += errors
        static, recalc = recalculation(base)
        flag = "  OVER GRÆNSEN" if recalc > RECALC_LIMIT else ""
        print(f"{'genberegning 10.000 rækker med nøgle (1 klient)':<48} {recalc * 1000:7.1f} ms  "
              f"{recalc / static:6.1f}× GET /static/js/auth.js ({static * 1000:.1f} ms){flag}")  # fmt: skip
        return 1 if failed or recalc > RECALC_LIMIT else 0


if __name__ == "__main__":
    sys.exit(main())
