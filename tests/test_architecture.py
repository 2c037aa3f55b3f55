"""The floors keep their shape: imports point down the folders, with no circle, and the command line starts light.

    base/ ← core/ ← ingest/, outputs/ ← report/ ← pipeline ← xl/ ← cli/

A module may import its own folder and any floor below; never a floor above, nor a neighbour on its own floor
(ingest/ and outputs/ know nothing of each other). ``cli/`` sits above ``xl/`` because ``pagt-xl serve`` starts
the add-in server. The package root (``pagt_xl/__init__``) names its public API lazily and is not on a floor.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "pagt_xl"
#: folder (or top-level module) → floor; a higher floor may import a lower one
FLOORS = {"base": 0, "core": 1, "ingest": 2, "outputs": 2, "report": 3, "pipeline": 4, "xl": 5, "cli": 6, "__main__": 6}


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(p): p for p in PACKAGE.rglob("*.py")}


def _resolve(name: str) -> str:
    """The pagt_xl module an import names (``pagt_xl.base.model.Issue`` → ``pagt_xl.base.model``)."""
    while name not in MODULES and "." in name:
        name = name.rpartition(".")[0]
    return name


def _imports() -> dict[str, set[str]]:
    """Module → every pagt_xl module or third-party top-level package it imports (anywhere in the file,
    type-checking and function-level imports included)."""
    out: dict[str, set[str]] = {}
    for name, path in MODULES.items():
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found.add(node.module)
                found.update(f"{node.module}.{a.name}" for a in node.names if f"{node.module}.{a.name}" in MODULES)
        out[name] = found
    return out


IMPORTS = _imports()
INTERNAL = {m: {_resolve(f) for f in found if f.startswith("pagt_xl")} - {m, "pagt_xl"} for m, found in IMPORTS.items()}


def _room(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else None


def _within(name: str, prefixes: tuple[str, ...]) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


def test_every_module_is_on_a_floor():
    assert sorted(m for m in MODULES if m != "pagt_xl" and _room(m) not in FLOORS) == []


def test_imports_point_down_the_floors():
    wrong = sorted(
        (m, d)
        for m, deps in INTERNAL.items()
        if m != "pagt_xl"
        for d in deps
        if _room(d) != _room(m) and FLOORS[_room(d)] >= FLOORS[_room(m)] and not (m == "pagt_xl.__main__" and _room(d) == "cli")
    )
    assert wrong == []


def test_the_import_graph_has_no_circle():
    """Tarjan's strongly connected components over every import: each component is one module."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    circles: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in INTERNAL.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                circles.append(sorted(component))

    for module in sorted(INTERNAL):
        if module not in index:
            visit(module)
    assert circles == []


def test_the_floor_test_sees_a_wrong_import():
    """The rule itself can fail: core importing ingest is upward."""
    assert FLOORS[_room("pagt_xl.ingest.grid")] > FLOORS[_room("pagt_xl.core.validate")]
    assert "pagt_xl.core.tables" in INTERNAL["pagt_xl.ingest"]


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
         "xlwings", "uvicorn", "pagt_xl.base.config", "pagt_xl.base.model", "pagt_xl.base.danish")  # fmt: skip


@pytest.mark.parametrize("argv", [[], ["--help"], ["validate", "--help"], ["breakdown", "--help"], ["serve", "--help"]])
def test_the_command_line_starts_and_shows_help_without_the_heavy_libraries(argv):
    code = (
        "import contextlib, io, json, sys, pagt_xl.cli.commands\n"
        "out = io.StringIO()\n"
        "with contextlib.redirect_stdout(out), contextlib.suppress(SystemExit):\n"
        f"    pagt_xl.cli.commands.main({argv!r})\n"
        f"print(json.dumps([sorted(m for m in {HEAVY!r} if m in sys.modules), out.getvalue()]))"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)
    loaded, shown = json.loads(proc.stdout)
    assert "pagt-xl" in shown  # the help (or, without a command, the overview) was printed
    # ``serve --help`` lists the server settings and their checks: that one loads pydantic and the pact model
    allowed = {"pydantic", "pagt_xl.base.config", "pagt_xl.base.danish"} if argv[:1] == ["serve"] else set()
    assert set(loaded) - allowed == set()
    if argv[:1] == ["serve"]:
        assert "PAGT_XL_MAX_BODY" in shown
