"""The bad-input corpus (tests/data/bad, made by scripts/make_bad_inputs.py) through every file entry point.

Each case: a clear Danish message naming the file, the documented exit code,
no traceback, and the input file unchanged; the bombs stay under 1 GB in a
process of their own. The time each case takes is measured by
scripts/bench_validate.py (--bad), not here.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import pytest
from conftest import ROOT

from pagt_xl.base.errors import ErrorCode, InputError
from pagt_xl.base.model import IssueCode
from pagt_xl.cli.commands import main
from pagt_xl.ingest import read_workbooks
from pagt_xl.ingest.grid import read_grids

sys.path.insert(0, str(ROOT / "scripts"))
from make_bad_inputs import CASES, build

BAD = ROOT / "tests" / "data" / "bad"
GIB = 1024 * 1024  # ru_maxrss is in KiB on Linux


def _validate_in_own_process(path: Path, out: Path, fmt: str = "json") -> tuple[int, int]:
    """Run ``python -m pagt_xl validate path`` as a child of its own; return (exit code, ITS peak RSS in KiB).

    ``os.wait4`` gives the resource usage of exactly that child (RUSAGE_CHILDREN would be the
    high-water mark of every child this test process ever had).
    """
    env = {**os.environ}
    env.pop("PAGT_XL_DEBUG", None)
    argv = [sys.executable, "-m", "pagt_xl", "validate", str(path), "--format", fmt]
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC
    actions = [
        (os.POSIX_SPAWN_OPEN, 1, str(out.with_suffix(".out")), flags, 0o600),
        (os.POSIX_SPAWN_OPEN, 2, str(out.with_suffix(".err")), flags, 0o600),
    ]
    pid = os.posix_spawn(sys.executable, argv, env, file_actions=actions)
    _, status, usage = os.wait4(pid, 0)
    return os.waitstatus_to_exitcode(status), usage.ru_maxrss


def _hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_corpus_is_complete():
    assert {p.name for p in BAD.iterdir()} == set(CASES)


@pytest.mark.parametrize("name", sorted(CASES))
def test_validate(cli, name):
    what, code, word = CASES[name]
    path = BAD / name
    before = _hash(path)
    proc = cli("validate", str(path), "--format", "json" if code != 2 else "text")
    assert proc.returncode == code, (what, proc.stderr)
    assert "Traceback" not in proc.stderr + proc.stdout
    if code == 2:
        assert proc.stderr.startswith(f"pagt-xl: fejl: {path}") and word in proc.stderr and proc.stdout == ""
    else:
        assert word in proc.stdout
    assert _hash(path) == before


@pytest.mark.parametrize("name", sorted(CASES))
def test_breakdown_report_budgets_in_process(name, tmp_path, capsys):
    what, code, _ = CASES[name]
    path = BAD / name
    before = _hash(path)
    assert main(["breakdown", str(path), "--by", "theme"]) == code, what
    out = tmp_path / "r.docx"
    assert main(["report", str(path), "--out", str(out), "--date", "2024-02-15"]) == code, what
    assert out.exists() == (code != 2)
    assert main(["budgets", str(path)]) == 2  # none of these is a budget form
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err + captured.out
    assert str(path) in captured.err
    assert _hash(path) == before


def test_excel_errors_and_missing_formula_values_are_reported_with_cells(capsys):
    assert main(["validate", str(BAD / "excel_fejlvaerdier.xlsx"), "--format", "csv", "--csv-dialect", "maskine"]) == 1
    rows = capsys.readouterr().out.splitlines()
    cells = {(r.split(",")[2], r.split(",")[5]) for r in rows[1:]}
    assert {("I2", "excel_error"), ("G3", "excel_error"), ("A4", "excel_error")} <= cells
    assert main(["validate", str(BAD / "formler_uden_vaerdier.xlsx"), "--format", "csv", "--csv-dialect", "maskine"]) == 1
    rows = capsys.readouterr().out.splitlines()
    cells = {(r.split(",")[2], r.split(",")[5]) for r in rows[1:]}
    assert {("I2", "formula_without_value"), ("H3", "formula_without_value")} <= cells


def test_corpus_script_is_deterministic(tmp_path):
    random_salted = {"adgangskode.xlsx"}  # encryption uses a random salt
    made_by_libreoffice = {"gammel_excel.xls", "libreoffice.ods", "gammel_excel_som_xlsx.xlsx"}
    for name in made_by_libreoffice:  # not byte-stable, so not compared; build() converts only missing ones
        shutil.copy(BAD / name, tmp_path / name)
    build(tmp_path)
    for name in set(CASES) - random_salted - made_by_libreoffice:
        assert (tmp_path / name).read_bytes() == (BAD / name).read_bytes(), name


@pytest.mark.skipif(
    not os.environ.get("PAGT_XL_SLOW"), reason="slow: set PAGT_XL_SLOW=1 (1,000,000 rows, about 2 minutes)"
)
def test_million_rows(tmp_path):
    from make_bad_inputs import million_rows

    path = million_rows(tmp_path / "million.xlsx")
    start = time.monotonic()
    code, peak = _validate_in_own_process(path, tmp_path / "million")
    elapsed = time.monotonic() - start
    print(f"1.000.000 rækker: {elapsed:.1f} s, højst {peak / 1024:.0f} MB")  # the README records the last result
    assert code == 0, (tmp_path / "million.err").read_text(encoding="utf-8")
    assert json.loads((tmp_path / "million.out").read_text(encoding="utf-8"))["applications"] == 1_000_000


def test_password_protected_workbook_opens_with_password(tmp_path, capsys):
    path = BAD / "adgangskode.xlsx"
    before = _hash(path)
    assert main(["validate", str(path), "--password", "pagt", "--format", "json"]) == 0
    assert '"applications": 1' in capsys.readouterr().out
    assert main(["validate", str(path), "--password", "forkert"]) == 2
    assert "forkert adgangskode" in capsys.readouterr().err
    assert main(["report", str(path), "--password", "pagt", "--out", str(tmp_path / "r.docx")]) == 0
    assert _hash(path) == before
    assert not list(Path(tempfile.gettempdir()).glob("pagt-xl-*/dekrypteret*"))  # nothing decrypted left behind


#: the stable code each unreadable file of the corpus raises (scripts and the CLI look at ``exc.code``)
UNREADABLE_CODES = {
    "tom.xlsx": ErrorCode.NOT_A_WORKBOOK,
    "tilfaeldige_bytes.xlsx": ErrorCode.NOT_A_WORKBOOK,
    "tilfaeldige_bytes.xlsb": ErrorCode.NOT_A_WORKBOOK,
    "word_dokument.xlsx": ErrorCode.NOT_A_WORKBOOK,
    "html_tabel.xls": ErrorCode.NOT_A_WORKBOOK,
    "afkortet.xlsx": ErrorCode.FILE_UNREADABLE,
    "adgangskode.xlsx": ErrorCode.PASSWORD_REQUIRED,
    "zipbombe.xlsx": ErrorCode.FILE_UNSAFE,
    "dimensionsbombe.xlsx": ErrorCode.FILE_UNSAFE,
    "dimensionsbombe_uden_dimension.xlsx": ErrorCode.FILE_UNSAFE,
    "billion_laughs.xlsx": ErrorCode.FILE_UNSAFE,
    "ekstern_entitet.xlsx": ErrorCode.FILE_UNSAFE,
    "gammel_excel_som_xlsx.xlsx": ErrorCode.NOT_A_WORKBOOK,
    "delte_strenge_bombe.xlsx": ErrorCode.FILE_UNSAFE,
    "lang_celle.xlsx": ErrorCode.FILE_UNSAFE,
    "celle_over_graense.xlsx": ErrorCode.FILE_UNSAFE,
    "nulfyldt_del.xlsx": ErrorCode.FILE_UNREADABLE,
    "fjern_reference.xlsx": ErrorCode.FILE_UNSAFE,
    "fjern_reference_attributter.xlsx": ErrorCode.FILE_UNSAFE,
    "fjern_reference_praefiks.xlsx": ErrorCode.FILE_UNSAFE,
    "fjern_raekke_uden_r.xlsx": ErrorCode.FILE_UNSAFE,
    "vid_tynd.xlsx": ErrorCode.FILE_UNSAFE,
    "gentagne_delte_strenge.xlsx": ErrorCode.FILE_UNSAFE,
    "ods_gentagne_raekker.ods": ErrorCode.FILE_UNSAFE,
    "xls_dimensionsbombe.xls": ErrorCode.FILE_UNSAFE,
}
#: the hostile cases (built to exhaust memory or to crash the reader): each is validated in a process of its
#: own, and that process's peak memory (``ru_maxrss`` from ``wait4``) and time are measured
HOSTILE = sorted(name for name, code in UNREADABLE_CODES.items() if code is ErrorCode.FILE_UNSAFE)


def test_every_unreadable_case_has_a_code():
    assert set(UNREADABLE_CODES) == {name for name, (_, code, _) in CASES.items() if code == 2}


@pytest.mark.parametrize("name", sorted(UNREADABLE_CODES))
def test_unreadable_file_raises_its_code(name):
    with pytest.raises(InputError) as info:
        read_grids(BAD / name)
    assert info.value.code is UNREADABLE_CODES[name]
    assert info.value.file == str(BAD / name)


def test_missing_file_and_wrong_password_codes(tmp_path):
    with pytest.raises(InputError) as info:
        read_grids(tmp_path / "findes_ikke.xlsx")
    assert info.value.code is ErrorCode.FILE_NOT_FOUND
    with pytest.raises(InputError) as info:
        read_grids(BAD / "adgangskode.xlsx", password="forkert")
    assert info.value.code is ErrorCode.WRONG_PASSWORD


def test_fatal_issue_code_follows_the_exception_code(workbook, nord):
    headerless = workbook({"A": [["hej", "med"], ["dig", 1]]})
    overview = read_workbooks([BAD / "zipbombe.xlsx", headerless, BAD / "kun_overskrifter.xlsx"], nord)
    assert [(i.file, i.code) for i in overview.fatal] == [
        (str(BAD / "zipbombe.xlsx"), IssueCode.FILE_UNREADABLE),
        (str(headerless), IssueCode.NO_HEADER_ROW),
    ]


def test_issues_echo_only_an_excerpt_of_a_long_cell(cli, workbook):
    from conftest import HEADER

    long = "x" * 5_000
    path = workbook({"Ansøgninger": [HEADER, [2020, "2020-01", "Åben runde", "Titel v/Skole", "1. De potentielle STEM'ere",
                                              "Kompetenceopbygning", 2_000_000, "Tilsagn", long]]})  # fmt: skip
    proc = cli("validate", path, "--format", "json")
    issues = json.loads(proc.stdout)["issues"]
    (bad,) = [i for i in issues if i["cell"] == "I2"]
    assert bad["code"] == IssueCode.BAD_AMOUNT and len(bad["value"]) <= 200 and len(bad["message"]) <= 800
    assert len(proc.stdout) < 20_000


def test_an_inline_cell_longer_than_excel_allows_is_refused_with_its_cell(workbook):
    import zipfile

    from conftest import HEADER

    made = workbook({"Ansøgninger": [HEADER, [2020, "2020-01", "Åben runde", "y" * 40_000]]})  # openpyxl cuts it
    path = made.with_name("for_lang.xlsx")
    with zipfile.ZipFile(made) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            dst.writestr(info.filename, data.replace(b"y" * 32_767, b"y" * 40_000))
    with pytest.raises(InputError) as info:
        read_grids(path)
    assert info.value.code is ErrorCode.FILE_UNSAFE and "D2" in str(info.value)
    ok = workbook({"Ansøgninger": [HEADER, [2020, "2020-01", "Åben runde", "&" * 32_767]]}, name="ok.xlsx")
    assert read_grids(ok)[0].rows[1][3] == "&" * 32_767  # at the limit, escaped to 5 bytes each: still read


@pytest.mark.skipif(not hasattr(os, "posix_spawn"), reason="measures a child with posix_spawn and wait4")
@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_file_stays_under_1_gb(tmp_path, name):
    """Each hostile file in a process of its own: refused with its Danish line, and that process's peak RSS
    (``ru_maxrss`` of exactly that child, from ``wait4``) is under 1 GB. The figures are printed (``-s``);
    scripts/bench_hostile.py prints the table of docs/operations/hardening.md."""
    what, code, word = CASES[name]
    start = time.monotonic()
    exit_code, peak = _validate_in_own_process(BAD / name, tmp_path / name, "text")
    seconds = time.monotonic() - start
    err = (tmp_path / name).with_suffix(".err").read_text(encoding="utf-8")
    print(f"{name}: {peak / 1024:.0f} MB, {seconds:.1f} s, exit {exit_code}")
    assert exit_code == code and word in err and "Traceback" not in err, (what, err)
    assert 0 < peak < GIB, f"{name}: {peak / 1024:.0f} MB"
    assert (tmp_path / name).with_suffix(".out").stat().st_size < 100_000  # never an echo of the whole cell
