"""Differential run: the CLI's outputs of this tree against another revision's, byte for byte.

Runs ``validate`` (text, json, csv) and ``breakdown`` (json, csv, table for a few keys) over the
sample workbooks (``workbooks/*.xlsx``) and the hostile corpus (``tests/data/bad/*``) with the code of
this tree and with the code of ``--ref`` (exported with ``git archive`` into a temporary folder, so
the repository's worktrees and index are not touched), on the same input files, and prints every
output that differs (a unified diff, cut at ``--context`` lines per output).

    python scripts/differential.py --ref main
    python scripts/differential.py --ref main --keep out/diff   # keep both sides' outputs

Exit code 0 when every output is identical, 1 when any differs. Not a test: a change that is meant
to change an output shows here, and the commit says which and why.
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

#: the calls per input file: (name, argv after the file); the pact is added per file
CALLS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("validate.txt", ("validate",)),
    ("validate.json", ("validate", "--format", "json")),
    ("validate.csv", ("validate", "--format", "csv")),
    ("breakdown-year.json", ("breakdown", "--by", "year", "--format", "json")),
    ("breakdown-year.csv", ("breakdown", "--by", "year", "--format", "csv")),
    ("breakdown-year.txt", ("breakdown", "--by", "year")),
    ("breakdown-theme.json", ("breakdown", "--by", "theme", "--format", "json")),
    ("breakdown-round-theme.json", ("breakdown", "--by", "round", "--by", "theme", "--format", "json")),
    ("breakdown-status.json", ("breakdown", "--by", "status", "--format", "json")),
)

#: runs in the child process: every call in one interpreter (imports once), results as JSON on stdout
_CHILD = r"""
import contextlib, io, json, os, sys
os.environ.setdefault("COLUMNS", "120")
from pagt_xl.cli.commands import main
jobs = json.loads(sys.stdin.read())
out = {}
for key, argv in jobs:
    # a stdout with a byte buffer under it, as a terminal's (the CSV outputs are written as bytes)
    stdout, stderr = io.TextIOWrapper(io.BytesIO(), encoding="utf-8"), io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        try:
            code = main(argv)
        except SystemExit as exc:
            code = exc.code
    stdout.flush()
    text = stdout.buffer.getvalue().decode("utf-8", errors="replace")
    out[key] = {"exit": code, "stdout": text, "stderr": stderr.getvalue()}
print(json.dumps(out))
"""


def inputs() -> list[tuple[str, str]]:
    """(path relative to the repository, pact) of every input file."""
    out = []
    for p in sorted((ROOT / "workbooks").glob("*.xlsx")):
        out.append((str(p.relative_to(ROOT)), "midtjylland" if p.name.startswith("midtjylland") else "nordjylland"))
    for p in sorted((ROOT / "tests" / "data" / "bad").iterdir()):
        if p.is_file():
            out.append((str(p.relative_to(ROOT)), "nordjylland"))
    return out


def jobs() -> list[tuple[str, list[str]]]:
    """(output name, argv) of every call."""
    return [
        (f"{path}::{name}", [*argv[:1], path, *argv[1:], "--pact", pact])
        for path, pact in inputs()
        for name, argv in CALLS
    ]


def run(code_root: Path) -> dict[str, dict[str, object]]:
    """Every call with the package of ``code_root``, the inputs of this tree (cwd = this tree; ``-P``: the
    working directory is not put on the path, so the package is the one of ``code_root``)."""
    env = {**os.environ, "PYTHONPATH": str(code_root), "COLUMNS": "120", "SOURCE_DATE_EPOCH": "1700000000"}
    env.pop("PAGT_XL_PACT", None)
    command = [sys.executable, "-P", "-c", _CHILD]
    done = subprocess.run(command, input=json.dumps(jobs()), capture_output=True, text=True, cwd=ROOT, env=env)
    if done.returncode != 0:
        sys.exit(f"differential: the run with {code_root} failed:\n{done.stderr[-4000:]}")
    return json.loads(done.stdout)


def export(ref: str, folder: Path) -> Path:
    """The package of revision ``ref``, exported into ``folder`` (``git archive``, nothing else touched)."""
    archive = folder / "ref.tar"
    with archive.open("wb") as fh:
        subprocess.run(["git", "archive", ref, "pagt_xl"], cwd=ROOT, stdout=fh, check=True)
    with tarfile.open(archive) as tar:
        tar.extractall(folder, filter="data")
    return folder


def compare(before: dict[str, dict[str, object]], after: dict[str, dict[str, object]], context: int) -> int:
    """Print each differing output; the number of outputs that differ."""
    differing = 0
    for key in sorted(set(before) | set(after)):
        a, b = before.get(key, {}), after.get(key, {})
        if a == b:
            continue
        differing += 1
        print(f"=== {key}")
        for part in ("exit", "stdout", "stderr"):
            if a.get(part) == b.get(part):
                continue
            if part == "exit":
                print(f"  exit: {a.get('exit')} -> {b.get('exit')}")
                continue
            lines = list(
                difflib.unified_diff(
                    str(a.get(part, "")).splitlines(), str(b.get(part, "")).splitlines(), "before", "after",
                    lineterm="", n=1,
                )
            )  # fmt: skip
            shown = lines[2 : 2 + context]
            print(f"  {part}:")
            print("\n".join("    " + line for line in shown))
            if len(lines) - 2 > context:
                print(f"    ... ({len(lines) - 2 - context} more diff lines)")
    return differing


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ref", default="main", help="the revision to compare with (default: main)")
    parser.add_argument("--context", type=int, default=40, help="diff lines shown per output (default: 40)")
    parser.add_argument("--keep", type=Path, help="write both sides' outputs as JSON into this folder")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        before = run(export(args.ref, Path(tmp)))
    after = run(ROOT)
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
        (args.keep / "before.json").write_text(json.dumps(before, ensure_ascii=False, indent=1), encoding="utf-8")
        (args.keep / "after.json").write_text(json.dumps(after, ensure_ascii=False, indent=1), encoding="utf-8")
    differing = compare(before, after, args.context)
    print(f"differential: {len(after)} outputs, {differing} differ (against {args.ref})")
    return 1 if differing else 0


if __name__ == "__main__":
    sys.exit(main())
