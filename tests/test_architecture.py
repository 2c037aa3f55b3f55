"""The layers keep their shape: who may import whom, and a light start for the command line.

adapters (cli, scheduled, xl/) → pipeline → writers (outputs, report/) → results → core.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "pagt_xl"
ADAPTERS = ("pagt_xl.cli", "pagt_xl.scheduled", "pagt_xl.xl", "pagt_xl.__main__")
WRITERS = ("pagt_xl.outputs", "pagt_xl.report")
CORE = ("pagt_xl.model", "pagt_xl.danish", "pagt_xl.config", "pagt_xl.keys", "pagt_xl.pact_files", "pagt_xl._gc",
        "pagt_xl.breakdown", "pagt_xl.validate", "pagt_xl.ingest", "pagt_xl.budget", "pagt_xl.errors", "pagt_xl.results",
        "pagt_xl.figures", "pagt_xl.issue_texts", "pagt_xl.round", "pagt_xl.goals")  # fmt: skip


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports() -> dict[str, set[str]]:
    """Module → every pagt_xl module or third-party top-level package it imports (anywhere in the file)."""
    out: dict[str, set[str]] = {}
    for path in PACKAGE.rglob("*.py"):
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found.add(node.module)
        out[_module_name(path)] = found
    return out


def _within(name: str, prefixes: tuple[str, ...]) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


IMPORTS = _imports()


def test_pipeline_is_imported_by_the_adapters_only():
    importers = sorted(m for m, found in IMPORTS.items() if any(_within(f, ("pagt_xl.pipeline",)) for f in found))
    assert importers, "nobody imports the pipeline?"
    # pagt_xl/__init__ names it only for type checkers and its lazy public API
    assert [m for m in importers if not _within(m, ADAPTERS) and m != "pagt_xl"] == []


@pytest.mark.parametrize("layer,forbidden", [
    (WRITERS, ("pagt_xl.pipeline", *ADAPTERS)),
    (CORE, ("pagt_xl.pipeline", *ADAPTERS, *WRITERS)),
])  # fmt: skip
def test_imports_point_one_way(layer, forbidden):
    wrong = {m: sorted(f for f in found if _within(f, forbidden)) for m, found in IMPORTS.items() if _within(m, layer)}
    assert {m: f for m, f in wrong.items() if f} == {}


@pytest.mark.parametrize("package,allowed", [
    ("xlwings", ("pagt_xl.xl",)),
    ("docx", ("pagt_xl.report",)),
    ("docxtpl", ("pagt_xl.report",)),
    ("matplotlib", ("pagt_xl.report",)),
    ("argparse", ("pagt_xl.cli", "pagt_xl.xl.serve")),
])  # fmt: skip
def test_only_one_adapter_imports_each_framework(package, allowed):
    users = sorted(m for m, found in IMPORTS.items() if any(f == package or f.startswith(package + ".") for f in found))
    assert [m for m in users if not _within(m, allowed)] == []


#: Libraries a command loads when it runs, never to start or to show help (issue 15: ``--help`` ≤ 5× ``python -c pass``).
HEAVY = ("pandas", "numpy", "pydantic", "docx", "docxtpl", "matplotlib", "xlsxwriter", "openpyxl", "python_calamine",
         "xlwings", "uvicorn", "pagt_xl.config", "pagt_xl.model", "pagt_xl.danish")  # fmt: skip


@pytest.mark.parametrize("argv", [[], ["--help"], ["validate", "--help"], ["breakdown", "--help"], ["serve", "--help"]])
def test_the_command_line_starts_and_shows_help_without_the_heavy_libraries(argv):
    code = (
        "import contextlib, io, json, sys, pagt_xl.cli\n"
        "out = io.StringIO()\n"
        "with contextlib.redirect_stdout(out), contextlib.suppress(SystemExit):\n"
        f"    pagt_xl.cli.main({argv!r})\n"
        f"print(json.dumps([sorted(m for m in {HEAVY!r} if m in sys.modules), out.getvalue()]))"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)
    loaded, shown = json.loads(proc.stdout)
    assert "pagt-xl" in shown  # the help (or, without a command, the overview) was printed
    # ``serve --help`` lists the server settings and their checks: that one loads pydantic and the pact model
    allowed = {"pydantic", "pagt_xl.config", "pagt_xl.danish"} if argv[:1] == ["serve"] else set()
    assert set(loaded) - allowed == set()
    if argv[:1] == ["serve"]:
        assert "PAGT_XL_MAX_BODY" in shown
