"""The layout's numbers for docs/reference/architecture.md: modules per folder and the longest functions.

    python scripts/layout_metrics.py             # this tree
    python scripts/layout_metrics.py --ref main  # another revision (exported with git archive)

Counts every ``.py`` file under ``pagt_xl/`` (``__init__.py`` included; the xlwings project folder's
files count under ``xl``); a function's length is its lines from ``def`` to its last statement.
"""

from __future__ import annotations

import argparse
import ast
import subprocess
import tarfile
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def metrics(package: Path, longest: int) -> tuple[Counter[str], list[tuple[int, str]], int]:
    """(modules per folder, the ``longest`` functions as (lines, "module:function"), lines of code)."""
    folders: Counter[str] = Counter()
    functions: list[tuple[int, str]] = []
    lines = 0
    for path in sorted(package.rglob("*.py")):
        rel = path.relative_to(package)
        folders[rel.parts[0] if len(rel.parts) > 1 else "(top)"] += 1
        text = path.read_text(encoding="utf-8")
        lines += len(text.splitlines())
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                functions.append((length, f"{rel.with_suffix('').as_posix()}:{node.name}"))
    functions.sort(key=lambda f: (-f[0], f[1]))
    return folders, functions[:longest], lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ref", help="a revision instead of this tree")
    parser.add_argument("--longest", type=int, default=5, help="how many of the longest functions (default: 5)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = ROOT
        if args.ref:
            archive = Path(tmp) / "ref.tar"
            with archive.open("wb") as fh:
                subprocess.run(["git", "archive", args.ref, "pagt_xl"], cwd=ROOT, stdout=fh, check=True)
            with tarfile.open(archive) as tar:
                tar.extractall(tmp, filter="data")
            root = Path(tmp)
        folders, functions, lines = metrics(root / "pagt_xl", args.longest)
    print(f"modules: {sum(folders.values())} ({lines} lines)")
    for folder, n in sorted(folders.items()):
        print(f"  {folder:<8} {n}")
    print("longest functions:")
    for length, name in functions:
        print(f"  {length:>4}  {name}")


if __name__ == "__main__":
    main()
