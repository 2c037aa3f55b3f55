"""The built wheel, installed into a fresh virtualenv, makes a report outside the repository.

This is the check that the template and the budget form ship inside the package (package data,
importlib.resources) and that nothing reaches back into the source tree. It builds the wheel,
installs it with its dependencies into a new venv (no system site-packages; pip uses the
machine's configured index) and runs ``pagt-xl report`` there. It takes about 15 s, so it
carries the ``wheel`` marker: ``pytest`` skips it, ``scripts/test`` (and ``pytest -m wheel``) runs it.
"""

from __future__ import annotations

import os
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest
from conftest import ROOT, WORKBOOKS
from docx import Document

pytestmark = pytest.mark.wheel


def _run(argv: list[str | Path], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PAGT_XL_DEBUG")}
    return subprocess.run([str(a) for a in argv], cwd=cwd, env=env, capture_output=True, text=True, timeout=900)


def test_wheel_installs_and_reports_outside_the_repository(tmp_path):
    dist = tmp_path / "dist"
    proc = _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-w", dist, ROOT], tmp_path)
    assert proc.returncode == 0, proc.stderr
    [wheel] = dist.glob("pagt_xl-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {"pagt_xl/templates/statusrapport.docx", "pagt_xl/templates/budgetskema.xlsx"} <= names

    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=False, system_site_packages=False).create(env_dir)
    python = env_dir / "bin" / "python"
    # this venv's pip installs into the new one (--python): no pip bootstrap there, and no .pyc
    # compilation of every dependency at install time (Python compiles what it imports)
    install = [sys.executable, "-m", "pip", "--python", python, "install", "--quiet", "--no-compile", wheel]
    proc = _run(install, tmp_path)
    assert proc.returncode == 0, proc.stderr

    work = tmp_path / "work"  # not the repository: no workbooks/, no templates/, no source tree on sys.path
    work.mkdir()
    sample = work / "oversigt.xlsx"
    sample.write_bytes((WORKBOOKS / "nordjylland_ansoegninger_2019-2023.xlsx").read_bytes())
    where = _run([python, "-c", "import pagt_xl; print(pagt_xl.__file__)"], work)
    assert where.stdout.startswith(str(env_dir)), where.stdout  # the installed copy, not the source tree
    out = work / "kladde.docx"
    proc = _run([env_dir / "bin" / "pagt-xl", "report", sample, "--date", "2024-02-15", "--out", out], work)
    assert proc.returncode == 0, proc.stderr
    text = "\n".join(p.text for p in Document(str(out)).paragraphs)
    assert "KLADDE – dannet 15. februar 2024 af pagt_xl" in text
    assert "Nordjysk Teknologipagt har udmøntet 23,23 mio. kr. siden 2019." in text
