"""Output files: atomic writes with the permissions a shared drive needs."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import WORKBOOKS

from pagt_xl.errors import ErrorCode, PagtError
from pagt_xl.outputs import OutputLocked, atomic_write

NORD_FILE = WORKBOOKS / "nordjylland_ansoegninger_2019-2023.xlsx"


@pytest.fixture
def umask(request: pytest.FixtureRequest) -> Iterator[int]:
    """Run the test under the umask given by indirect parametrisation, then restore the old one."""
    old = os.umask(request.param)
    try:
        yield request.param
    finally:
        os.umask(old)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _write_in_place(tmp: Path) -> None:
    with tmp.open("wb") as fh:
        fh.write(b"data")


def _recreate(tmp: Path) -> None:  # writers such as zip libraries may delete and re-create the file
    tmp.unlink()
    tmp.write_bytes(b"data")


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
@pytest.mark.parametrize("umask", [0o022, 0o002], indirect=True, ids=["022", "002"])
@pytest.mark.parametrize("write", [_write_in_place, _recreate], ids=["in-place", "re-created"])
def test_atomic_write_gives_the_umask_permissions_of_open(tmp_path, umask, write):
    plain = tmp_path / "plain.txt"
    plain.write_text("x", encoding="utf-8")  # open(path, "w"): 0666 minus the umask
    out = tmp_path / "ud" / "fordelinger.xlsx"
    atomic_write(out, write)
    assert out.read_bytes() == b"data"
    assert _mode(out) == _mode(plain) == 0o666 & ~umask
    assert os.umask(umask) == umask  # the umask itself is left as it was
    out.chmod(0o600)
    atomic_write(out, write)  # overwriting: the new file gets the umask's mode too
    assert _mode(out) == 0o666 & ~umask
    assert [p.name for p in out.parent.iterdir()] == ["fordelinger.xlsx"]  # no temp file left


def test_atomic_write_leaves_no_half_file(tmp_path):
    out = tmp_path / "r.docx"
    out.write_bytes(b"old")

    def fail(tmp: Path) -> None:
        tmp.write_bytes(b"half")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        atomic_write(out, fail)
    assert out.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["r.docx"]


def test_atomic_write_refuses_a_file_open_in_office(tmp_path):
    out = tmp_path / "r.docx"
    (tmp_path / "~$r.docx").write_bytes(b"lock")
    with pytest.raises(OutputLocked):
        atomic_write(out, _write_in_place)
    assert not out.exists()


def test_a_folder_as_output_is_a_clear_error(tmp_path):
    folder = tmp_path / "ud"
    folder.mkdir()
    with pytest.raises(PagtError) as info:
        atomic_write(folder, lambda tmp: tmp.write_text("x", encoding="utf-8"))
    assert info.value.code is ErrorCode.OUTPUT_UNWRITABLE and folder.is_dir()


def test_an_output_where_nothing_can_be_written_is_a_clear_error(tmp_path):
    blocker = tmp_path / "ud"  # a file where the output folder should be: no user can write under it
    blocker.write_text("ikke en mappe", encoding="utf-8")
    with pytest.raises(PagtError) as info:
        atomic_write(blocker / "r.csv", lambda tmp: tmp.write_text("x", encoding="utf-8"))
    assert info.value.code is ErrorCode.OUTPUT_UNWRITABLE
    assert blocker.read_text(encoding="utf-8") == "ikke en mappe"


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_a_read_only_folder_is_a_clear_error(tmp_path):
    folder = tmp_path / "ud"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        with pytest.raises(PagtError) as info:
            atomic_write(folder / "r.csv", lambda tmp: tmp.write_text("x", encoding="utf-8"))
        assert info.value.code is ErrorCode.OUTPUT_UNWRITABLE
    finally:
        folder.chmod(0o755)


def test_the_command_line_names_an_unwritable_output_in_one_line(cli, tmp_path):
    folder = tmp_path / "ud.xlsx"
    folder.mkdir()
    proc = cli("breakdown", str(NORD_FILE), "--format", "xlsx", "--out", str(folder))
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1 and "er en mappe" in proc.stderr


# -- one safe text writer for every CSV ------------------------------------------------------------------
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _hostile_overview(path: Path) -> Path:
    """An overview whose case numbers, titles and applicants each start with a formula character."""
    from conftest import HEADER, write_workbook

    header = [*HEADER, "Ansøger"]
    rows = [header]
    for i, start in enumerate(FORMULA_STARTS, start=1):
        rows.append([2020, f"{start}2020-0{i}", "Åben runde", f"{start}HYPERLINK(\"http://x\",\"Titel {i}\")",
                     "1. De potentielle STEM'ere", "Kompetenceopbygning", 200_000, "Tilsagn", 100_000,
                     f"{start}Ansøger {i}"])  # fmt: skip
    return write_workbook(path, {"Ansøgninger": rows})


def _hostile_budget(path: Path) -> Path:
    """A shipped budget form whose case number, title and applicant start with formula characters."""
    import openpyxl

    wb = openpyxl.load_workbook(WORKBOOKS / "budgetter" / "2022-04_Talstaerk.xlsx")
    replace = {"2022-04": "=2022-04", "Talstærk - du kan mere med matematik": "+Talstærk",
               "Vesthimmerlands Gymnasium": "@Vesthimmerlands Gymnasium"}  # fmt: skip
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value.strip() in replace:
                    cell.value = replace[cell.value.strip()]
    wb.save(path)
    return path


def _cells(text: str) -> list[str]:
    import csv
    import io

    return [cell for row in csv.reader(io.StringIO(text)) for cell in row]


def test_no_csv_output_starts_a_cell_with_a_formula_character(cli, tmp_path):
    overview = _hostile_overview(tmp_path / "oversigt.xlsx")
    budget = _hostile_budget(tmp_path / "budget.xlsx")
    outputs: dict[str, str] = {}
    outputs["validate"] = cli("validate", overview, "--format", "csv").stdout
    for key in ("applicant", "theme", "year"):
        proc = cli("breakdown", overview, "--by", key, "--format", "csv")
        assert proc.returncode in (0, 1), proc.stderr
        outputs[f"breakdown {key}"] = proc.stdout
    proc = cli("budgets", budget, "--format", "csv", "--as-of", "2024-01-01")
    assert proc.returncode in (0, 1), proc.stderr
    outputs["budgets"] = proc.stdout
    cli("budgets", budget, "--format", "csv", "--as-of", "2024-01-01", "--out", tmp_path / "b.csv")
    outputs["budgets --out"] = (tmp_path / "b.csv").read_text(encoding="utf-8")
    config = tmp_path / "koersel.toml"
    config.write_text(
        f'pact = "nordjylland"\ninputs = ["{overview.as_posix()}"]\noutputs = "ud"\nreport = false\n',
        encoding="utf-8",
    )
    proc = cli("run", config, "--date", "2024-02-15")
    csvs = sorted((tmp_path / "ud").rglob("*.csv"))
    assert csvs, proc.stderr
    for path in csvs:
        outputs[f"run {path.name}"] = path.read_text(encoding="utf-8-sig")
    # the hostile values did reach the outputs (guarded), so the test is not vacuous
    assert "'+Ansøger 2" in outputs["breakdown applicant"] and "'@Ansøger 4" in outputs["breakdown applicant"]
    assert "'=2022-04" in outputs["budgets"] and "'+Talstærk" in outputs["budgets"]
    for name, text in outputs.items():
        bad = [c for c in _cells(text) if c.startswith(FORMULA_STARTS) and not _is_number(c)]
        assert not bad, (name, bad)


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def test_safe_text_guards_text_only():
    from pagt_xl.outputs import safe_text, write_csv

    assert safe_text("=1+1") == "'=1+1"
    assert safe_text(-5) == -5 and safe_text(-0.5) == -0.5 and safe_text(None) is None
    assert write_csv([{"a": -100, "b": "-100"}, [None, float("nan")]], ["a", "b"]) == "a,b\n-100,'-100\n,\n"


def test_a_read_only_existing_output_is_not_replaced(tmp_path):
    target = tmp_path / "r.csv"
    target.write_text("gammel", encoding="utf-8")
    target.chmod(0o444)  # root may still write it; the read-only mark is what is honoured
    with pytest.raises(PagtError) as info:
        atomic_write(target, lambda tmp: tmp.write_text("ny", encoding="utf-8"))
    assert info.value.code is ErrorCode.OUTPUT_UNWRITABLE
    assert target.read_text(encoding="utf-8") == "gammel"


def test_issue_links_are_relative_and_quote_sheet_and_file_names(tmp_path):
    from types import SimpleNamespace

    from pagt_xl.outputs import _cell_link

    source = tmp_path / "data" / "oversigt #2.xlsx"
    source.parent.mkdir()
    source.write_bytes(b"x")
    issue = SimpleNamespace(file=str(source), sheet="Kim's ark", cell="C7")
    link = _cell_link(issue, tmp_path / "ud" / "fordelinger.xlsx")
    assert link == "external:../data/oversigt %232.xlsx#'Kim''s ark'!C7"
