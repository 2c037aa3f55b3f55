"""Benchmark: ``validate`` against a plain python-calamine read of the same file.

Builds overviews of 1k/10k/100k application rows (xlsxwriter, realistic mix of
Danish text amounts, theme spellings, subtotal rows), then times in this run:

* baseline: ``CalamineWorkbook.from_path(p).get_sheet_by_name(s).to_python()``
* pipeline: ``run_validation([p], pact)`` (read + guard + parse + rules)
* cli:      ``pagt-xl validate p --format json`` as a subprocess (incl. start-up)

and prints the ratios. Best of N runs each. With ``--bad`` it instead times
``pagt-xl validate`` on every file of the bad-input corpus (tests/data/bad),
in-process, against ``run_validation`` of the shipped Nordjylland sample in the
same run, and flags a case over 10 s (the limit the test suite used to assert).
Usage::

    .venv/bin/python scripts/bench_validate.py [--sizes 1000 10000 100000] [--repeat 3] [--bad]
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


def build(path: Path, n: int) -> None:
    """Write an overview with ``n`` application rows and a subtotal row per 1000."""
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
        ws.write_row(
            r,
            0,
            [
                year,
                f"{year}-{i:06d}",
                ROUNDS[i % 2],
                title,
                THEMES[(i + (year == 2021)) % 4 if year != 2021 else 1 + i % 2],
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

    from pagt_xl.cli import main as cli_main

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


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--no-cli", action="store_true", help="skip the subprocess timing")
    ap.add_argument("--bad", action="store_true", help="time the bad-input corpus instead (limit 10 s per file)")
    args = ap.parse_args()
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
