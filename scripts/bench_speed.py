"""Benchmark of issue 15's four rows: ours and the comparison in the same run, and their ratio.

Run: .venv/bin/python scripts/bench_speed.py [--rows 100000] [--repeat 3] [--only breakdown start cell report]

1. ``pagt-xl breakdown --by theme --format json`` over an overview of ``--rows``
   applications (in-process, ``pagt_xl.cli.commands.main``, output discarded) against
   ``pandas.read_excel(engine="calamine")`` + a groupby-sum of the granted amounts
   per theme. Goal: ≤ 1.3×.
2. ``pagt-xl --help`` and ``pagt-xl validate --help`` (subprocesses, the console
   script) against ``python -c pass``. Goal: ≤ 5×.
3. ``PAGT.FORDELING`` over a new 10,000-row range, cold (a range the server has
   not seen): server-side in-process as the app runs it (JSON decoding,
   xlwings' entry point, the collector paused, start-up frozen), and over HTTP
   against the real server; median and worst of ``--calls``. Comparison: a
   pandas groupby-sum of the same rows. Goal: ≤ 100 ms and no spikes.
4. A 1,000-project report draft in-process after start-up (breakdowns, context,
   charts, Word) against a plain docxtpl render of a 1,000-row table. The
   charts are drawn once per distinct figure: "drawn" clears that cache before
   each run, "kept" is a second report of the same figures. Goal: ≤ 3×.

Best of ``--repeat`` unless said otherwise. Not part of the test suite (no
timing assertions there); the machine's load makes single numbers noisy, the
ratios are measured in the same run.
"""

from __future__ import annotations

import os

# the cell-function rows run as on xlwings Server (set before xlwings is imported)
os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")
os.environ.setdefault("XLWINGS_ON_SERVER", "true")

import argparse
import contextlib
import io
import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))


def best(fn: Callable[[], object], repeat: int) -> float:
    """Fastest of ``repeat`` runs, in seconds."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def row(label: str, ours: float, base: float, base_label: str, goal: str, unit: str = "s") -> None:
    scale = 1000 if unit == "ms" else 1
    print(f"  {label:<58}{ours * scale:9.3f} {unit}  vs {base_label:<44}{base * scale:9.3f} {unit}"
          f"  {ours / base:6.2f}×  (mål {goal})")  # fmt: skip


# -- 1. breakdown ------------------------------------------------------------------------------------
def bench_breakdown(tmp: Path, rows: int, repeat: int) -> None:
    import pandas as pd
    from bench_validate import build

    from pagt_xl.cli.commands import main

    path = tmp / f"oversigt_{rows}.xlsx"
    build(path, rows)

    def ours() -> None:
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            main(["breakdown", str(path), "--by", "theme", "--format", "json"])

    def baseline() -> object:
        frame = pd.read_excel(path, engine="calamine", header=2)
        granted = frame[frame["Afgørelse"] == "Tilsagn"]
        return granted.groupby("Indsatsområde")["Støttebeløb (kr.)"].agg(["size", "sum"])

    ours()  # warm-up: imports, pact
    baseline()
    print(f"1. breakdown --by theme --format json, {rows} rækker (i processen, bedste af {repeat})")
    row(
        "pagt-xl breakdown", best(ours, repeat), best(baseline, repeat), "pandas.read_excel(calamine)+groupby", "≤ 1,3×"
    )


# -- 2. start-up -------------------------------------------------------------------------------------
def bench_start(repeat: int) -> None:
    script = Path(sys.executable).with_name("pagt-xl")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "pagt_xl"]

    def run(argv: list[str]) -> Callable[[], object]:
        return lambda: subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)

    n = max(repeat, 7)
    base = best(run([sys.executable, "-c", "pass"]), n)
    print(f"2. start (underprocesser, bedste af {n})")
    row("pagt-xl --help", best(run([*command, "--help"]), n), base, "python -c pass", "≤ 5×")
    row("pagt-xl validate --help", best(run([*command, "validate", "--help"]), n), base, "python -c pass", "≤ 5×")


# -- 3. PAGT.FORDELING, cold ---------------------------------------------------------------------------
def bench_cell(calls: int) -> None:
    import asyncio

    import httpx
    import pandas as pd
    import xlwings.server
    from _server import running_server
    from bench_xl import call_body, make_range

    from pagt_xl.base import _gc
    from pagt_xl.xl import functions

    loop = asyncio.new_event_loop()

    def server_call(body: bytes) -> None:
        with _gc.paused():  # as the app does around a function call (pagt_xl.xl.asgi)
            result = loop.run_until_complete(xlwings.server.custom_functions_call(json.loads(body), functions))
        assert result[-1][0] == "I alt", result[-1]

    server_call(call_body(make_range(50, seed=-1), "tema"))  # warm-up: imports, pact, regexes
    _gc.start_up()  # as the app does once it is imported
    data = make_range(10_000)
    frame = pd.DataFrame(data[1:], columns=data[0])

    def baseline() -> object:
        granted = frame[frame["Afgørelse"] == "Tilsagn"]
        return granted.groupby("Indsatsområde")["Støttebeløb"].agg(["size", "sum"])

    base = best(baseline, 7)

    def timed(fn: Callable[[bytes], object], bodies: list[bytes]) -> list[float]:
        out = []
        for body in bodies:
            start = time.perf_counter()
            fn(body)
            out.append(time.perf_counter() - start)
        return out

    inproc = timed(server_call, [call_body(make_range(10_000, seed=s), "tema") for s in range(1, calls + 1)])
    with running_server(PAGT_XL_MAX_BODY=str(64 * 1024 * 1024)) as url, httpx.Client(timeout=120) as client:
        endpoint = f"{url}/xlwings/custom-functions-call"

        def http_call(body: bytes) -> None:
            r = client.post(endpoint, content=body, headers={"content-type": "application/json"})
            assert r.status_code == 200 and r.json()["result"][-1][0] == "I alt", r.text[:200]

        http_call(call_body(make_range(50, seed=-2), "tema"))  # warm-up
        over_http = timed(http_call, [call_body(make_range(10_000, seed=s), "tema") for s in range(500, 500 + calls)])
    print(f"3. PAGT.FORDELING, nyt område på 10.000 rækker (median af {calls}; værst i parentes)")
    for label, times in (("i processen (JSON, xlwings, app'ens GC-opsætning)", inproc), ("over HTTP", over_http)):
        med = statistics.median(times)
        row(f"{label} (værst {max(times) * 1000:.0f} ms)", med, base, "pandas groupby-sum", "≤ 100 ms", unit="ms")
    loop.close()


# -- 4. report -----------------------------------------------------------------------------------------
def _docxtpl_table(path: Path) -> None:
    """A Word template with a header row and one ``{%tr for %}`` row of five fields (python-docx)."""
    from docx import Document

    doc = Document()
    table = doc.add_table(rows=4, cols=5)
    for cell, text in zip(table.rows[0].cells, ["År", "Titel", "Tema", "Resumé", "Type"], strict=True):
        cell.text = text
    table.rows[1].cells[0].text = "{%tr for p in projects %}"
    for cell, field in zip(table.rows[2].cells, ["year", "title", "theme", "summary", "type"], strict=True):
        cell.text = "{{ p." + field + " }}"
    table.rows[3].cells[0].text = "{%tr endfor %}"
    doc.save(str(path))


def bench_report(tmp: Path, projects: int, repeat: int) -> None:
    import datetime as dt

    from bench_report import make_overview
    from docxtpl import DocxTemplate

    from pagt_xl import load_pact, run_validation
    from pagt_xl.pipeline import run_breakdowns
    from pagt_xl.report import charts, render_report

    src = tmp / f"oversigt_{projects}.xlsx"
    make_overview(src, projects)
    validation = run_validation([src], load_pact("nordjylland"))
    table = validation.table
    rows = [
        {"year": int(r.year), "title": r.title, "theme": r.theme, "summary": r.summary, "type": r.project_type}
        for r in table.itertuples()
    ]
    template = tmp / "tabel.docx"
    _docxtpl_table(template)

    def baseline() -> None:
        tpl = DocxTemplate(str(template))
        tpl.render({"projects": rows})
        tpl.save(io.BytesIO())

    def ours() -> None:
        render_report(run_breakdowns(validation), tmp / "rapport.docx", report_date=dt.date(2024, 2, 15))

    def drawn() -> None:
        charts._share_png.cache_clear()
        charts._year_png.cache_clear()
        charts._count_png.cache_clear()
        ours()

    ours()  # warm-up: imports, fonts, matplotlib, the template check
    baseline()
    base = best(baseline, repeat)
    print(f"4. rapportkladde, {projects} projekter, efter start (i processen, bedste af {repeat})")
    row("rapportkladde, diagrammer tegnet", best(drawn, repeat), base, "docxtpl-tabel med samme rækker", "≤ 3×")
    row("rapportkladde, diagrammer gemt (samme tal igen)", best(ours, repeat), base, "docxtpl-tabel", "≤ 3×")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000, help="rows of the breakdown overview (100000)")
    parser.add_argument("--projects", type=int, default=1000, help="projects in the report (1000)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--calls", type=int, default=9, help="cold PAGT.FORDELING calls (9)")
    parser.add_argument("--only", nargs="+", choices=("breakdown", "start", "cell", "report"))
    args = parser.parse_args()
    parts = set(args.only or ("breakdown", "start", "cell", "report"))
    print(f"Python {sys.version.split()[0]}, {os.cpu_count()} kerner")
    with tempfile.TemporaryDirectory(prefix="pagt_xl_speed_") as name:
        tmp = Path(name)
        if "breakdown" in parts:
            bench_breakdown(tmp, args.rows, args.repeat)
        if "start" in parts:
            bench_start(args.repeat)
        if "cell" in parts:
            bench_cell(args.calls)
        if "report" in parts:
            bench_report(tmp, args.projects, args.repeat)
    return 0


if __name__ == "__main__":
    sys.exit(main())
