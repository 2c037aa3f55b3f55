"""The Windows scripts, as far as Linux allows: parsed by a real PowerShell grammar and held to the bash steps.

There is no PowerShell here (not in Debian; the .NET tool needs a registry this machine cannot
reach), so the ``.ps1`` files never run in these tests. What is checked instead:

* each ``scripts/**/*.ps1`` parses without an error node under tree-sitter-powershell's grammar;
* ``demo.ps1``/``test.ps1`` ask ``_env.ps1`` for the same extras as ``demo``/``test`` ask ``_env.sh``, and
  run the same final commands with the same arguments (ruff paths, pytest options, the docs build);
* ``_env.ps1`` does what ``_env.sh`` does: ``.venv``, ``Scripts\\python.exe``, ``-m venv``, an editable
  install, the same stamp file and environment variables;
* every native command (``& ...``) is followed by a look at ``$LASTEXITCODE`` (PowerShell does not stop
  on a failing program even with ``$ErrorActionPreference = "Stop"``);
* the scheduled-task scripts store the password (so the task reaches network drives) and map the
  drive with ``net use`` when asked.

The bash set-up's install decisions are run for real, with a stand-in ``python`` that logs its calls.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
from pathlib import Path

import pytest
import tree_sitter
import tree_sitter_powershell
from conftest import ROOT

SCRIPTS = ROOT / "scripts"
PS1 = sorted(SCRIPTS.rglob("*.ps1"))
#: a statement that looks at the exit code of the native command right before it
CHECK = re.compile(r"if \(\$LASTEXITCODE\b|exit \$LASTEXITCODE\b|\$\w+ = \$LASTEXITCODE\b")
PARSER = tree_sitter.Parser(tree_sitter.Language(tree_sitter_powershell.language()))


def tree(path: Path) -> tree_sitter.Tree:
    return PARSER.parse(path.read_bytes())


def walk(node: tree_sitter.Node):
    yield node
    for child in node.children:
        yield from walk(child)


def text(node: tree_sitter.Node) -> str:
    return node.text.decode("utf-8")


def commands(path: Path) -> list[str]:
    """Every command of the script as its source text (one line each, continuation lines joined)."""
    found = [text(n) for n in walk(tree(path).root_node) if n.type == "command"]
    return [" ".join(c.replace("`\n", " ").split()) for c in found]


def bash_lines(name: str) -> list[str]:
    """The script's command lines without comments."""
    lines = (SCRIPTS / name).read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]


def bash_extras(name: str) -> str:
    [line] = [x for x in bash_lines(name) if x.startswith("source ") and "_env.sh" in x]
    return shlex.split(line)[2]


def ps1_extras(name: str) -> str:
    [cmd] = [c for c in commands(SCRIPTS / name) if c.startswith(". ") and "_env.ps1" in c]
    return shlex.split(cmd.split("-Extras", 1)[1])[0]


def test_there_are_windows_twins_of_the_two_commands():
    assert {p.name for p in PS1} >= {"demo.ps1", "test.ps1", "_env.ps1", "windows-task.ps1", "koersel.ps1"}


@pytest.mark.parametrize("path", PS1, ids=lambda p: p.name)
def test_powershell_script_parses(path: Path):
    root = tree(path).root_node
    bad = [n for n in walk(root) if n.type == "ERROR" or n.is_missing]
    assert not root.has_error, [(n.start_point, text(n)[:60]) for n in bad]


def test_a_broken_script_does_not_parse():  # the check above can fail
    assert PARSER.parse(b'if ($x -eq 1 {\n  & "$Python" -m pip\n').root_node.has_error


@pytest.mark.parametrize("name", ["demo", "test"])
def test_same_extras_as_the_bash_script(name: str):
    assert ps1_extras(f"{name}.ps1") == bash_extras(name)
    assert bash_extras("demo") == ""  # the demo installs the package alone (no test tooling)
    assert bash_extras("test") == "dev"


def test_demo_runs_the_same_command_with_the_arguments_passed_on():
    assert bash_lines("demo")[-1] == 'exec pagt-xl demo "$@"'
    [run] = [c for c in commands(SCRIPTS / "demo.ps1") if c.startswith("& ") and "pagt-xl.exe" in c]
    assert run == '& (Join-Path $Venv "Scripts\\pagt-xl.exe") demo @args'


def test_test_runs_ruff_the_docs_and_pytest_as_the_bash_script():
    bash = bash_lines("test")
    ps = commands(SCRIPTS / "test.ps1")
    [ruff_sh] = [x for x in bash if x.startswith("ruff ")]
    [ruff_ps] = [c for c in ps if " -m ruff " in c]
    assert ruff_ps.split(" -m ", 1)[1] == ruff_sh
    [pytest_sh] = [x for x in bash if "pytest" in x]
    [pytest_ps] = [c for c in ps if " -m pytest " in c]
    assert shlex.split(pytest_ps.split(" -m pytest ", 1)[1]) == [*shlex.split(pytest_sh.split(" -m pytest ", 1)[1])[:-1], "@args"]
    # the docs: bash runs scripts/docs, which makes the pictures and builds in strict mode
    docs = bash_lines("docs")
    for step in ("python scripts/make_doc_images.py", "python -m mkdocs build --strict"):
        assert step in docs
        assert any(c.endswith(step.removeprefix("python ")) and c.startswith("& $Python") for c in ps), step


def test_env_ps1_does_what_env_sh_does():
    sh = (SCRIPTS / "_env.sh").read_text(encoding="utf-8")
    ps = (SCRIPTS / "_env.ps1").read_text(encoding="utf-8")
    cmds = commands(SCRIPTS / "_env.ps1")
    for shared in (".pagt_xl-installed", "PAGT_XL_EXTRAS", "PAGT_XL_VENV", "PYTHON", "--upgrade pip"):
        assert shared in sh and shared in ps, shared
    assert '$Venv = if ($env:PAGT_XL_VENV) { $env:PAGT_XL_VENV } else { Join-Path $Root ".venv" }' in ps
    assert '$Python = Join-Path $Venv "Scripts\\python.exe"' in ps
    assert "& py -3 -m venv $Venv" in cmds
    assert "& $Python -m pip install --quiet -e $Spec" in cmds
    assert '"$VENV/bin/python" -m pip install --quiet -e "$SPEC"' in sh
    assert "Set-Location $Root" in cmds and sh.rstrip().endswith('cd "$ROOT"')


@pytest.mark.parametrize("path", PS1, ids=lambda p: p.name)
def test_every_native_command_has_its_exit_code_checked(path: Path):
    root = tree(path).root_node
    unchecked = []
    for node in walk(root):
        if node.type != "command" or not any(text(c) == "&" for c in node.children):  # not "." (dot-source)
            continue
        stmt, after = node, None
        while after is None and stmt.parent is not None:  # the next statement, leaving if/else blocks upwards
            stmt = stmt.parent
            while stmt.parent is not None and stmt.parent.type != "statement_list":
                stmt = stmt.parent
            if text(stmt).rstrip().endswith("| Out-Null"):  # a clean-up whose result does not matter
                break
            after = stmt.next_named_sibling
        else:
            if after is None or not CHECK.match(text(after)):
                unchecked.append(text(node))
    assert unchecked == []


def test_scheduled_task_reaches_network_drives():
    task = (SCRIPTS / "schedule" / "windows-task.ps1").read_text(encoding="utf-8")
    cmds = commands(SCRIPTS / "schedule" / "windows-task.ps1")
    registers = [c for c in cmds if c.startswith("Register-ScheduledTask")]
    assert len(registers) == 2
    # "run whether logged on or not" with the password stored: S4U has no network credentials
    assert any("-Password $Password" in c for c in registers)
    assert "$Password = $Credential.GetNetworkCredential().Password" in task
    assert "-LogonType S4U" not in task
    assert re.search(r'\$Config = "\\\\[^"]+"', task)  # the default run file is a UNC path
    runner = commands(SCRIPTS / "schedule" / "koersel.ps1")
    assert "& net use $Drive $Share /persistent:no" in runner
    assert '& (Join-Path $Venv "Scripts\\pagt-xl.exe") run $Config' in runner
    assert (SCRIPTS / "schedule" / "koersel.ps1").read_text(encoding="utf-8").rstrip().endswith("exit $Code")


# ---------------------------------------------------------------- the bash set-up, run for real
def _env(venv: Path, extras: str) -> list[str]:
    """Source _env.sh with ``extras`` against a stand-in venv; the pip calls it made."""
    log = venv / "calls.log"
    log.unlink(missing_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PAGT_XL_")}
    env["PAGT_XL_VENV"] = str(venv)
    argv = ["bash", "-c", f'source "{SCRIPTS / "_env.sh"}" {shlex.quote(extras)} && command -v python']
    proc = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[-1] == str(venv / "bin" / "python")  # the venv comes first on PATH
    return log.read_text().splitlines() if log.exists() else []


def test_env_sh_installs_what_the_caller_asks_once(tmp_path: Path):
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    fake = venv / "bin" / "python"
    fake.write_text(f'#!/bin/sh\necho "$@" >> "{venv}/calls.log"\n')
    fake.chmod(0o755)
    root = str(ROOT)
    installs = lambda calls: [c for c in calls if " install --quiet -e " in c]  # noqa: E731
    assert installs(_env(venv, "")) == [f"-m pip install --quiet -e {root}"]  # the demo: the package alone
    assert _env(venv, "") == []  # twice in a row: nothing to do
    assert installs(_env(venv, "dev")) == [f"-m pip install --quiet -e {root}[dev]"]  # the tests add dev
    assert _env(venv, "") == [] and _env(venv, "xl,server") == [] and _env(venv, "dev") == []  # dev covers all
    (venv / ".pagt_xl-installed").write_text(f"{root}\n\n")
    assert installs(_env(venv, "xl,server")) == [f"-m pip install --quiet -e {root}[server,xl]"]
    assert installs(_env(venv, "docs")) == [f"-m pip install --quiet -e {root}[docs,server,xl]"]  # kept, added
    (venv / ".pagt_xl-installed").write_text("/somewhere/else\ndev\n")  # a venv copied from another clone
    assert installs(_env(venv, "")) == [f"-m pip install --quiet -e {root}"]
