"""The package as others get it: ``python -m build``, the wheel installed into a fresh virtualenv, run there.

This is the check that the templates, pacts and the add-in's project folder ship inside the
package (package data, importlib.resources), that nothing reaches back into the source tree,
and that the metadata is what pyproject.toml promises (one version, an SPDX licence, no
setuptools deprecation box). It builds the sdist and the wheel with ``python -m build`` (an
isolated build environment with setuptools>=77), installs the wheel with its dependencies into
a new venv (no system site-packages; pip uses the machine's configured index), and from a
folder outside the repository runs ``pagt-xl --version``, ``pagt-xl report`` and the whole
``pagt-xl demo`` on a copy of the shipped samples. It takes about a minute, so it carries the
``wheel`` marker: ``pytest`` skips it, ``scripts/test`` (and ``pytest -m wheel``) runs it.
"""

from __future__ import annotations

import email
import os
import re
import shutil
import subprocess
import sys
import tarfile
import venv
import zipfile
from pathlib import Path

import openpyxl
import pytest
from conftest import ROOT, WORKBOOKS
from docx import Document

import pagt_xl

pytestmark = pytest.mark.wheel


def _run(argv: list[str | Path], cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PAGT_XL_DEBUG")}
    return subprocess.run(
        [str(a) for a in argv], cwd=cwd, env={**clean, **env}, capture_output=True, text=True, timeout=900
    )


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Path, Path, str]:
    """(wheel, sdist, build log) from ``python -m build`` on a copy of the committed sources."""
    tmp = tmp_path_factory.mktemp("build")
    src = tmp / "src"  # a copy: the build writes build/ and *.egg-info, which must not land in the clone
    ignore = shutil.ignore_patterns(".git", ".venv", "site", "build", "out", "*.egg-info", "__pycache__", ".*cache*")
    shutil.copytree(ROOT, src, ignore=ignore)
    dist = tmp / "dist"
    proc = _run([sys.executable, "-m", "build", "--outdir", dist, src], tmp)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    [wheel] = dist.glob("pagt_xl-*.whl")
    [sdist] = dist.glob("pagt_xl-*.tar.gz")
    return wheel, sdist, proc.stdout + proc.stderr


def test_build_metadata_one_version_spdx_licence_no_deprecation_box(built):
    wheel, sdist, log = built
    assert f"pagt_xl-{pagt_xl.__version__}-py3-none-any.whl" == wheel.name
    assert sdist.name == f"pagt_xl-{pagt_xl.__version__}.tar.gz"
    with zipfile.ZipFile(wheel) as z:
        names = set(z.namelist())
        [meta_name] = [n for n in names if n.endswith(".dist-info/METADATA")]
        meta = email.message_from_bytes(z.read(meta_name))
    assert meta["Version"] == pagt_xl.__version__  # read from pagt_xl/__init__.py, written nowhere else
    assert meta["License-Expression"] == "MIT"
    assert meta.get_all("License-File") == ["LICENSE"]
    assert not any(c.startswith("License ::") for c in meta.get_all("Classifier") or [])
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)
    # the boxes setuptools printed on every install while `license` was a table
    assert "SetuptoolsDeprecationWarning" not in log, log
    assert not re.search(r"project\.license.*deprecated", log, re.I | re.S), log
    with tarfile.open(sdist) as t:
        assert f"pagt_xl-{pagt_xl.__version__}/LICENSE" in t.getnames()
    version_lines = [
        line
        for line in (ROOT / "pyproject.toml").read_text(encoding="utf-8").splitlines()
        if re.match(r"\s*version\s*=\s*\"", line)
    ]
    assert version_lines == [], "the version lives in pagt_xl/__init__.py only"


def test_wheel_installs_and_runs_the_demo_outside_the_repository(built, tmp_path):
    wheel, _, _ = built
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {"pagt_xl/templates/statusrapport.docx", "pagt_xl/templates/budgetskema.xlsx"} <= names

    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=False, system_site_packages=False).create(env_dir)
    bindir = env_dir / ("Scripts" if os.name == "nt" else "bin")
    python = bindir / "python"
    # this venv's pip installs into the new one (--python): no pip bootstrap there, and no .pyc
    # compilation of every dependency at install time (Python compiles what it imports). No extras:
    # the demo and the report need the package alone.
    install = [sys.executable, "-m", "pip", "--python", python, "install", "--quiet", "--no-compile", wheel]
    proc = _run(install, tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "Deprecat" not in proc.stderr, proc.stderr

    work = tmp_path / "work"  # not the repository: no source tree on sys.path
    work.mkdir()
    samples = work / "eksempler"
    shutil.copytree(WORKBOOKS, samples)
    where = _run([python, "-c", "import pagt_xl; print(pagt_xl.__file__)"], work)
    assert where.stdout.startswith(str(env_dir)), where.stdout  # the installed copy, not the source tree
    version = _run([bindir / "pagt-xl", "--version"], work)
    assert version.stdout.strip() == f"pagt-xl {pagt_xl.__version__}"

    out = work / "kladde.docx"
    sample = samples / "nordjylland_ansoegninger_2019-2023.xlsx"
    proc = _run([bindir / "pagt-xl", "report", sample, "--date", "2024-02-15", "--out", out], work)
    assert proc.returncode == 0, proc.stderr
    text = "\n".join(p.text for p in Document(str(out)).paragraphs)
    assert "KLADDE – dannet 15. februar 2024 af pagt_xl" in text
    assert "Nordjysk Teknologipagt har udmøntet 23,23 mio. kr. siden 2019." in text

    # the newcomer's first command, from the installed wheel: every output of the demo
    demo_out = work / "ud"
    proc = _run([bindir / "pagt-xl", "demo", "--workbooks", samples, "--out-dir", demo_out], work)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert "Breve: 7 skrevet" in proc.stdout and "letter_no_reason" in proc.stdout  # 4 afslag without reasons
    for pact in ("nordjylland", "midtjylland"):
        book = openpyxl.load_workbook(demo_out / f"fordelinger_{pact}.xlsx", read_only=True)
        assert "Kontrol" in book.sheetnames
        book.close()
        assert Document(str(demo_out / f"statusrapport_{pact}.docx")).paragraphs
    memo = "\n".join(p.text for p in Document(str(demo_out / "indstillingsnotat_nordjylland_2024.docx")).paragraphs)
    assert "KLADDE" in memo
    assert len(list((demo_out / "breve_nordjylland_2024").glob("*.docx"))) == 7
    assert (demo_out / "budgetter_nordjylland.xlsx").exists()
