"""Shared fixtures: a factory that writes real workbooks to a temp dir."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from pagt_xl.base.config import Pact, load_pact
from pagt_xl.cli.commands import main

# xlwings reads its license key at the first import in a process; the tests that drive the
# button scripts through xlwings' Office.js protocol (xw.Book(json=...)) need the pro parts.
os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")
# the user's own folder (platformdirs: pacts by name, indstillinger.toml) is an empty one of the tests',
# so a developer's own pacts and settings never change a result; tests that need one set their own
os.environ["XDG_CONFIG_HOME"] = tempfile.mkdtemp(prefix="pagt-xl-config-")
os.environ.pop("PAGT_XL_PACT", None)

ROOT = Path(__file__).resolve().parent.parent
WORKBOOKS = ROOT / "workbooks"

HEADER = ["År", "Sagsnr.", "Runde", "Projekttitel", "Indsatsområde", "Type", "Ansøgt beløb", "Afgørelse", "Støttebeløb"]


@dataclass
class SheetSpec:
    """A sheet to write: rows from A1 (None = empty cell), merges, hidden columns."""

    rows: list[list[Any]]
    merged: list[str] = field(default_factory=list)
    hidden_columns: list[str] = field(default_factory=list)
    hidden: bool = False
    start_row: int = 1


def write_workbook(path: Path, sheets: dict[str, SheetSpec | list[list[Any]]]) -> Path:
    """Write a real .xlsx with openpyxl."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, spec in sheets.items():
        if isinstance(spec, list):
            spec = SheetSpec(spec)
        ws = wb.create_sheet(name)
        for i, row in enumerate(spec.rows):
            for j, value in enumerate(row):
                if value is not None:
                    ws.cell(row=spec.start_row + i, column=j + 1, value=value)
        for rng in spec.merged:
            ws.merge_cells(rng)
        for col in spec.hidden_columns:
            ws.column_dimensions[col].hidden = True
        if spec.hidden:
            ws.sheet_state = "hidden"
    wb.save(path)
    return path


@pytest.fixture
def workbook(tmp_path: Path) -> Callable[..., Path]:
    """``workbook(sheets, name="x.xlsx") -> Path`` writes a workbook into tmp_path."""

    def make(sheets: dict[str, SheetSpec | list[list[Any]]], name: str = "oversigt.xlsx") -> Path:
        return write_workbook(tmp_path / name, sheets)

    return make


@pytest.fixture(scope="session")
def nord() -> Pact:
    """The shipped Nordjylland pact."""
    return load_pact("nordjylland")


@pytest.fixture(scope="session")
def midt() -> Pact:
    """The shipped Midtjylland pact."""
    return load_pact("midtjylland")


def good_rows() -> list[list[Any]]:
    """A small clean overview: header + 4 applications (2 granted, 1 rejected, 1 pending)."""
    return [
        HEADER,
        [
            2020,
            "2020-01",
            "Åben runde",
            "LabSTEM Nord v/Aalborg Universitet",
            "1. De potentielle STEM'ere",
            "Kompetenceopbygning",
            2_000_000,
            "Tilsagn",
            1_900_000,
        ],
        [
            2020,
            "2020-02",
            "Prioriteret runde",
            "FremKom 4 v/Region Nordjylland",
            "3. STEM-kompetencer målrettet...",
            "Strategisk vidensopbygning",
            500_000,
            "Tilsagn",
            500_000,
        ],
        [
            2020,
            "2020-03",
            "Åben runde",
            "Robotter i indskolingen v/Hjørring Gymnasium",
            "STEM kompetencer til alle",
            "Motiverende",
            300_000,
            "Afslag",
            None,
        ],
        [
            2020,
            "2020-04",
            "Åben runde",
            "Science-klub v/EUC Nord",
            "Flere piger og kvinder i STEM",
            "Interessevækkelse",
            250_000,
            "Afventer",
            None,
        ],
    ]


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden", action="store_true", default=False, help="rewrite golden files from the current output"
    )


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    """Whether to rewrite golden files (``pytest --update-golden``)."""
    return bool(request.config.getoption("--update-golden"))


@dataclass(frozen=True)
class CliResult:
    """What a user of ``pagt-xl ARGS`` sees: the exit code and the two output streams."""

    returncode: int
    stdout: str
    stderr: str


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Callable[..., CliResult]:
    """``cli("validate", path, ...) -> CliResult``: the console script's ``main(argv)``, in this process.

    As the console script runs it: 120 columns, no PAGT_XL_DEBUG, from the repository root, stderr not a
    terminal. An unexpected exception (which ``main`` turns into "uventet fejl", exit 2) fails the test, so
    an in-process artefact can never pass for a documented exit code 2. tests/test_cli.py keeps a few real
    subprocess runs of the console script.
    """
    monkeypatch.setenv("COLUMNS", "120")
    monkeypatch.delenv("PAGT_XL_DEBUG", raising=False)
    monkeypatch.chdir(ROOT)

    def run(*args: str | Path) -> CliResult:
        capsys.readouterr()  # what the test printed before is not the command's output
        try:
            code = main([str(a) for a in args])
        except SystemExit as exc:  # argparse exits itself for --help and --version
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        out, err = capsys.readouterr()
        assert "uventet fejl" not in err, err
        return CliResult(code, out, err)

    return run


def convert_to_pdf(paths: list[Path], out_dir: Path) -> dict[str, Path]:
    """Convert several documents to PDF in ONE LibreOffice run (one start-up); skip if it is not installed.

    Returns ``{input name: pdf path}``; a file LibreOffice could not convert has no PDF (the caller asserts).
    """
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice is not installed (scripts/install-system-deps installs it with apt-get)")
    profile = out_dir / "lo-profile"
    proc = subprocess.run(
        [soffice, "--headless", f"-env:UserInstallation={profile.as_uri()}", "--convert-to", "pdf",
         "--outdir", str(out_dir), *map(str, paths)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    return {p.name: out_dir / f"{p.stem}.pdf" for p in paths}


@pytest.fixture(scope="session")
def libreoffice_pdfs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The Nordjylland sample's breakdown workbook and report draft, opened by LibreOffice and saved as PDF.

    Both are converted in one LibreOffice run for the whole session (its start-up is most of the cost);
    test_breakdown.py and test_report.py check the PDFs. Keys: "fordelinger", "rapport" and "rapport_midt"
    (the Midtjylland sample's draft); "rapport.docx" and "rapport_midt.docx" are the drafts themselves.
    """
    import datetime as dt

    from pagt_xl.outputs.workbooks import write_breakdown_workbook
    from pagt_xl.pipeline import run_breakdowns, run_validation
    from pagt_xl.report import render_report

    tmp = tmp_path_factory.mktemp("libreoffice")
    breakdowns = run_breakdowns(run_validation([WORKBOOKS / "nordjylland_ansoegninger_2019-2023.xlsx"],
                                               load_pact("nordjylland")))  # fmt: skip
    workbook_path = tmp / "fordelinger.xlsx"
    write_breakdown_workbook(breakdowns, workbook_path)
    draft = render_report(breakdowns, tmp / "rapport.docx", report_date=dt.date(2024, 2, 15))
    midt = run_breakdowns(run_validation([WORKBOOKS / "midtjylland_projekter_2018.xlsx"], load_pact("midtjylland")))
    midt_draft = render_report(midt, tmp / "rapport_midt.docx", report_date=dt.date(2024, 2, 15))
    pdfs = convert_to_pdf([workbook_path, draft, midt_draft], tmp)
    return {
        "fordelinger": pdfs[workbook_path.name],
        "rapport": pdfs[draft.name],
        "rapport.docx": draft,
        "rapport_midt": pdfs[midt_draft.name],
        "rapport_midt.docx": midt_draft,
    }
