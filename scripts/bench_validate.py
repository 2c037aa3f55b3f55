"""Benchmark: ``validate`` against a plain python-calamine read of the same file.

Builds overviews of 1k/10k/100k application rows (xlsxwriter, realistic mix of
Danish text amounts, theme spellings, subtotal rows), then times in this run:

* baseline: ``CalamineWorkbook.from_path(p).get_sheet_by_name(s).to_python()``
* pipeline: ``run_validation([p], pact)`` (read + guard + parse + rules)
* cli:      ``pagt-xl validate p --format json`` as a subprocess (incl. start-up)

and prints the ratios. Best of N runs each. ``--issue15`` prints instead the
validate rows of issue 15, ours and the calamine read in the same run:
100k rows without issues, 100k rows with about 10 % warnings, with
``--million`` also 1M rows (time and peak memory, each side in its own
subprocess, peak = the child's ``ru_maxrss``), and the read + validation of a
10k-row in-memory range as the cell functions build it (``grid_from_values``),
plus ``PAGT.FORDELING`` on a range it has not seen. With ``--bad`` it instead times
``pagt-xl validate`` on every file of the bad-input corpus (tests/data/bad),
in-process, against ``run_validation`` of the shipped Nordjylland sample in the
same run, and flags a case over 10 s (the limit the test suite used to assert).
Usage::

    .venv/bin/python scripts/bench_validate.py [--sizes 1000 10000 100000] [--repeat 3] [--bad]
    .venv/bin/python scripts/bench_validate.py --issue15 [--million] [--repeat 3]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import xlsxwriter
from python_calamine import CalamineWorkbook

from pagt_xl import load_pact, run_validation

HEADER = [
    "År",
    "Sagsnr.",
    "Runde",
    "Projektitel",
    "Indsatsområde",
    "Type",
    "Kort resumé",
    "Ansøgt beløb (kr.)",
    "Afgørelse",
    "Støttebeløb (kr.)",
    "Projektperiode",
    "Status",
    "Fremdrift",
]
THEMES = [
    "1. De potentielle STEM'ere",
    "Flere piger og kvinder i STEM",
    "3. STEM-kompetencer målrettet...",
    "STEM kompetencer til alle",
]
TYPES = ["Kompetenceopbygning", "Motiverende", "Interessevækkelse", "Strategisk vidensopbygning"]
ROUNDS = ["Åben runde", "Prioriteret runde"]


def build(path: Path, n: int, warnings: bool = False) -> None:
    """Write an overview with ``n`` application rows and a subtotal row per 1000.

    With ``warnings``, every 10th row carries one warning and no error: alternately a theme
    whose number contradicts its name (``theme_number_mismatch``, found by the reader) and
    the title of the row above under another applicant (``duplicate_title``, a rule).
    """
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    ws = wb.add_worksheet("Ansøgninger")
    ws.write_row(0, 0, ["Benchmark-oversigt"])
    ws.write_row(2, 0, HEADER)
    r = 3
    block_applied = block_granted = 0
    for i in range(n):
        year = 2019 + (i * 5) // n
        applied = 100_000 + (i * 7919) % 900_000
        granted = applied - (i % 3) * 10_000 if i % 4 else None
        decision = "Tilsagn" if granted is not None else "Afslag"
        applied_cell: object = applied if i % 10 else f"{applied:,} kr.".replace(",", ".")
        title = f"Projekt {i} v/ Skole {i % 97}"
        theme = THEMES[(i + (year == 2021)) % 4 if year != 2021 else 1 + i % 2]
        if warnings and i % 10 == 9 and i % 20 == 9:
            theme = "3. De potentielle STEM'ere" if year != 2021 else "1. Flere piger og kvinder i STEM"
        elif warnings and i % 10 == 9:
            title = f"Projekt {i - 1} v/ Skole {(i + 1) % 97}"
        ws.write_row(
            r,
            0,
            [
                year,
                f"{year}-{i:06d}",
                ROUNDS[i % 2],
                title,
                theme,
                TYPES[i % 4],
                "Kort resumé af projektet",
                applied_cell,
                decision,
                granted if granted is not None else "",
                f"{year}-{year + 2}",
                "Igangværende" if granted is not None else "",
                "god" if granted is not None else "",
            ],
        )
        r += 1
        block_applied += applied
        block_granted += granted or 0
        if (i + 1) % 1000 == 0:
            ws.write_row(r, 0, ["I alt", "", "", "", "", "", "", block_applied, "", block_granted])
            r += 1
            block_applied = block_granted = 0
    wb.close()


def best(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


ROOT = Path(__file__).resolve().parent.parent
BAD_LIMIT = 10.0  # seconds per bad input


def bench_bad(repeat: int) -> int:
    """Time ``validate`` on each bad input in-process; baseline: the sample overview. 1 if a case is over the limit."""
    import contextlib
    import io

    from pagt_xl.cli.commands import main as cli_main

    sample = ROOT / "workbooks" / "nordjylland_ansoegninger_2019-2023.xlsx"
    pact = load_pact("nordjylland")
    base = best(lambda: run_validation([sample], pact), repeat)
    print(f"baseline: run_validation af {sample.name}: {base:.3f}s")
    print(f"{'fil':<40} {'tid':>9} {'ratio':>7}")
    slow = 0
    for path in sorted((ROOT / "tests" / "data" / "bad").iterdir()):
        sink = io.StringIO()

        def run(p: Path = path, out: io.StringIO = sink) -> None:
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
                cli_main(["validate", str(p), "--format", "json"])

        t = best(run, repeat)
        flag = "  OVER GRÆNSEN" if t > BAD_LIMIT else ""
        slow += t > BAD_LIMIT
        print(f"{path.name:<40} {t:>8.3f}s {t / base:>6.2f}x{flag}")
    return 1 if slow else 0


_CHILD = """
import resource, sys, time
from pathlib import Path
side, path = sys.argv[1], Path(sys.argv[2])
if side == "calamine":
    from python_calamine import CalamineWorkbook
    t0, c0 = time.perf_counter(), time.process_time()
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("Ansøgninger").to_python()
    n = len(rows)
else:
    from pagt_xl import load_pact, run_validation
    pact = load_pact("nordjylland")
    t0, c0 = time.perf_counter(), time.process_time()
    n = len(run_validation([path], pact).table)
print(time.perf_counter() - t0, time.process_time() - c0, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024, n)
"""


def _least(so_far: tuple[float, float], fn: object) -> tuple[float, float]:
    """The smaller (wall, CPU) seconds of ``so_far`` and one run of ``fn``. CPU time (this process)
    is what other processes on a shared machine disturb least."""
    wall, cpu = time.perf_counter(), time.process_time()
    fn()  # type: ignore[operator]
    return min(so_far[0], time.perf_counter() - wall), min(so_far[1], time.process_time() - cpu)


def in_child(side: str, path: Path) -> tuple[float, float, int]:
    """(seconds, CPU seconds, peak RSS in bytes) of reading (``calamine``) or validating (``validate``) ``path``
    in a fresh interpreter; the times leave out start-up and imports, the peak includes them."""
    out = subprocess.run([sys.executable, "-c", _CHILD, side, str(path)], capture_output=True, text=True, check=True)
    seconds, cpu, peak, _ = out.stdout.split()
    return float(seconds), float(cpu), int(peak)


def bench_issue15(repeat: int, million: bool) -> None:
    """The validate rows of issue 15 and the 10k in-memory range, ours against the calamine read."""
    pact = load_pact("nordjylland")

    def read(p: Path) -> object:
        return CalamineWorkbook.from_path(str(p)).get_sheet_by_name("Ansøgninger").to_python()

    print(f"{'case':<34} {'calamine':>10} {'validate':>10} {'ratio':>7}  issues")
    with tempfile.TemporaryDirectory() as tmp:
        for label, n, warn in (("100k rows, 0 issues", 100_000, False), ("100k rows, ~10 % warnings", 100_000, True)):
            path = Path(tmp) / f"bench_{n}_{warn}.xlsx"
            build(path, n, warnings=warn)
            result = run_validation([path], pact)
            assert len(result.table) == n, (len(result.table), n)
            base = ours = base_cpu = ours_cpu = float("inf")
            for _ in range(repeat):  # alternate the two sides, so that both see the same load
                base, base_cpu = _least((base, base_cpu), lambda p=path: read(p))
                ours, ours_cpu = _least((ours, ours_cpu), lambda p=path: run_validation([p], pact))
            print(f"{label:<34} {base:>9.3f}s {ours:>9.3f}s {ours / base:>6.2f}x  {len(result.issues)}")
            print(f"{'  the same, CPU time':<34} {base_cpu:>9.3f}s {ours_cpu:>9.3f}s {ours_cpu / base_cpu:>6.2f}x")
        if million:
            path = Path(tmp) / "bench_1000000.xlsx"
            build(path, 1_000_000)
            (bt, bc, bm), (ot, oc, om) = in_child("calamine", path), in_child("validate", path)
            print(f"{'1M rows, time (subprocess)':<34} {bt:>9.2f}s {ot:>9.2f}s {ot / bt:>6.2f}x")
            print(f"{'  the same, CPU time':<34} {bc:>9.2f}s {oc:>9.2f}s {oc / bc:>6.2f}x")
            print(f"{'1M rows, peak memory (ru_maxrss)':<34} {bm / 1e9:>8.2f}GB {om / 1e9:>8.2f}GB {om / bm:>6.2f}x")
    bench_range(repeat)


def bench_range(repeat: int, n: int = 10_000) -> None:
    """Median ms of reading + validating an ``n``-row in-memory range (``grid_from_values`` as the cell
    functions build it), and of ``PAGT.FORDELING`` on a range it has not seen (as ``scripts/bench_xl.py``)."""
    import statistics

    from pagt_xl.base import _gc
    from pagt_xl.pipeline import run_validation_grids
    from pagt_xl.xl import _data, functions

    sys.path.insert(0, str(ROOT / "scripts"))
    from bench_xl import make_range

    pact = load_pact("nordjylland")
    functions.fordeling(make_range(50, seed=-1), "tema")  # warm-up: imports, pact, regexes

    def median_ms(fn: object, ranges: list[list[list[object]]]) -> float:
        times = []
        for data in ranges:
            t0 = time.perf_counter()
            fn(data)  # type: ignore[operator]
            times.append(time.perf_counter() - t0)
        return statistics.median(times) * 1000

    grids = [make_range(n, seed=s) for s in range(1, repeat + 2)]
    with _gc.paused():
        core = median_ms(
            lambda d: run_validation_grids(
                [("Excel", [_data.grid_from_values(d, book="Excel", sheet="område")])], pact
            ),
            grids,
        )
    cold = median_ms(lambda d: functions.fordeling(d, "tema"), [make_range(n, seed=s) for s in range(50, 52 + repeat)])
    print(f"{n:,} rows in memory: read + validate {core:.0f} ms; PAGT.FORDELING on a new range {cold:.0f} ms (median)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--no-cli", action="store_true", help="skip the subprocess timing")
    ap.add_argument("--bad", action="store_true", help="time the bad-input corpus instead (limit 10 s per file)")
    ap.add_argument("--issue15", action="store_true", help="the validate rows of issue 15 and the 10k range")
    ap.add_argument("--million", action="store_true", help="with --issue15: also 1M rows (time and peak memory)")
    args = ap.parse_args()
    if args.issue15:
        bench_issue15(args.repeat, args.million)
        return
    if args.bad:
        sys.exit(bench_bad(args.repeat))
    pact = load_pact("nordjylland")
    exe = shutil.which("pagt-xl", path=str(Path(sys.executable).parent))
    print(f"{'rows':>8} {'calamine':>10} {'validate':>10} {'ratio':>7} {'cli':>9} {'cli ratio':>10}  issues")
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.sizes:
            path = Path(tmp) / f"bench_{n}.xlsx"
            build(path, n)
            base = best(
                lambda p=path: CalamineWorkbook.from_path(str(p)).get_sheet_by_name("Ansøgninger").to_python(),
                args.repeat,
            )
            result = run_validation([path], pact)
            assert len(result.table) == n, (len(result.table), n)
            pipe = best(lambda p=path: run_validation([p], pact), args.repeat)
            cli_t = float("nan")
            if exe and not args.no_cli:
                cli_t = best(
                    lambda p=path: subprocess.run(
                        [exe, "validate", str(p), "--format", "json"], capture_output=True, check=False
                    ),
                    args.repeat,
                )
            print(
                f"{n:>8} {base:>9.3f}s {pipe:>9.3f}s {pipe / base:>6.2f}x {cli_t:>8.3f}s {cli_t / base:>9.2f}x  "
                f"{len(result.issues)}"
            )


if __name__ == "__main__":
    main()
