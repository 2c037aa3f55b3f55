"""Benchmark: reading each input in a child process of its own (issue 21 item 9) against reading it here.

``run_validation(paths, pact, isolate=True)`` (each file read in a child: fork on Linux, the grids sent
back pickled) against ``isolate=False`` (the single-process fast path), best of N runs each, in the same
run; for the shipped sample workbooks one by one, both together, and an overview of 100,000 rows made by
scripts/bench_validate.py. Prints wall seconds and their ratio (isolated / in process), and CPU seconds
of this process and its children with their ratio: on a shared machine the CPU ratio is the steadier one.

Usage::

    .venv/bin/python scripts/bench_isolation.py [--repeat 3] [--rows 100000]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

from bench_validate import build  # noqa: E402

from pagt_xl import load_pact  # noqa: E402
from pagt_xl.base._child import start_method  # noqa: E402
from pagt_xl.pipeline import run_validation  # noqa: E402


def _cpu() -> float:
    """CPU seconds of this process and of its children that have ended (the isolated reads)."""
    import resource

    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def best(fn, repeat: int) -> tuple[float, float]:
    """The least wall and CPU seconds (this process and its children) of ``repeat`` calls."""
    wall = cpu = float("inf")
    for _ in range(repeat):
        w, c = time.perf_counter(), _cpu()
        fn()
        wall, cpu = min(wall, time.perf_counter() - w), min(cpu, _cpu() - c)
    return wall, cpu


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--rows", type=int, default=100_000)
    args = ap.parse_args()
    books = ROOT / "workbooks"
    cases = [
        ("nordjylland", [books / "nordjylland_ansoegninger_2019-2023.xlsx"]),
        ("midtjylland", [books / "midtjylland_projekter_2018.xlsx"]),
        ("nordjylland", [books / "nordjylland_ansoegninger_2019-2023.xlsx", books / "nordjylland_runde_2024.xlsx"]),
    ]
    with tempfile.TemporaryDirectory() as tmp:
        big = Path(tmp) / f"oversigt_{args.rows}.xlsx"
        build(big, args.rows)
        cases.append(("nordjylland", [big]))
        print(f"start method: {start_method()}; best of {args.repeat}")
        print(f"{'input':<50} {'here':>8} {'isolated':>9} {'ratio':>6} {'cpu here':>9} {'cpu isol.':>9} {'ratio':>6}")
        for pact_name, paths in cases:
            pact = load_pact(pact_name)
            run_validation(paths, pact)  # warm: imports, caches
            here, here_cpu = best(lambda p=paths, k=pact: run_validation(p, k), args.repeat)
            there, there_cpu = best(lambda p=paths, k=pact: run_validation(p, k, isolate=True), args.repeat)
            label = " + ".join(p.name for p in paths)[:50]
            print(f"{label:<50} {here:>7.3f}s {there:>8.3f}s {there / here:>5.2f}x {here_cpu:>8.3f}s "
                  f"{there_cpu:>8.3f}s {there_cpu / here_cpu:>5.2f}x")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
