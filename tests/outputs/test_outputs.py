"""Output files: atomic writes with the permissions a shared drive needs."""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import WORKBOOKS

from pagt_xl.base.errors import ErrorCode, PagtError
from pagt_xl.outputs.files import OutputLocked, atomic_write

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

    text = text.lstrip("\ufeff")
    delimiter = ";" if ";" in text.split("\n", 1)[0] else ","  # the Danish dialect, or the machine form
    return [cell for row in csv.reader(io.StringIO(text), delimiter=delimiter) for cell in row]


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
        float(text.replace(",", "."))  # a decimal comma in the Danish dialect
    except ValueError:
        return False
    return True


def test_safe_text_guards_text_only():
    from pagt_xl.outputs.files import safe_text, write_csv

    assert safe_text("=1+1") == "'=1+1"
    assert safe_text(-5) == -5 and safe_text(-0.5) == -0.5 and safe_text(None) is None
    rows = [{"a": -100, "b": "-100"}, [None, float("nan")], [-0.5, "=x"]]
    assert write_csv(rows, ["a", "b"], dialect="maskine") == "a,b\n-100,'-100\n,\n-0.5,'=x\n"
    assert write_csv(rows, ["a", "b"]) == "a;b\r\n-100;'-100\r\n;\r\n-0,5;'=x\r\n"  # the Danish dialect


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

    from pagt_xl.outputs.workbooks import _cell_link

    source = tmp_path / "data" / "oversigt #2.xlsx"
    source.parent.mkdir()
    source.write_bytes(b"x")
    issue = SimpleNamespace(file=str(source), sheet="Kim's ark", cell="C7")
    link = _cell_link(issue, tmp_path / "ud" / "fordelinger.xlsx")
    assert link == "external:../data/oversigt %232.xlsx#'Kim''s ark'!C7"


# -- the workbooks print and read well (issue 14, item 5) ---------------------------------------------
@pytest.fixture(scope="module")
def breakdown_workbook(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped Nordjylland sample's breakdown workbook."""
    from pagt_xl.base.config import load_pact
    from pagt_xl.outputs.workbooks import write_breakdown_workbook
    from pagt_xl.pipeline import run_breakdowns, run_validation

    out = tmp_path_factory.mktemp("fordelinger") / "fordelinger.xlsx"
    write_breakdown_workbook(run_breakdowns(run_validation([NORD_FILE], load_pact("nordjylland"))), out)
    return out


def _shown(value: object, number_format: str) -> str:
    """What a cell shows under the few number formats we write (Danish Excel), to compare with its width."""
    from pagt_xl.base.danish import format_amount, format_number

    if value is None:
        return ""
    if number_format == '#,##0 "kr."':
        return format_amount(round(value))
    if number_format == "#,##0":
        return format_number(round(value))
    if number_format == "0 %":
        return f"{round(value * 100)} %"
    return max(str(value).splitlines() or [""], key=len)


def _width(ws: object, letter: str) -> float:
    """A column's width; openpyxl files a run of equal widths under the run's first letter."""
    from openpyxl.utils import column_index_from_string

    index = column_index_from_string(letter)
    for dim in ws.column_dimensions.values():  # type: ignore[attr-defined]
        if dim.min and dim.max and dim.min <= index <= dim.max:
            return dim.width
    raise AssertionError(f"no width set for column {letter}")


def test_every_sheet_prints_a4_landscape_one_page_wide_with_the_header_repeated(breakdown_workbook):
    import openpyxl

    wb = openpyxl.load_workbook(breakdown_workbook)
    assert len(wb.sheetnames) == 11
    for ws in wb.worksheets:
        setup = ws.page_setup
        assert setup.orientation == "landscape", ws.title
        assert int(setup.paperSize) == 9, ws.title  # A4
        assert ws.sheet_properties.pageSetUpPr.fitToPage, ws.title
        assert setup.fitToWidth in (None, 1) and setup.fitToHeight == 0, ws.title  # 1 page wide, any number down
        assert ws.print_title_rows == "$3:$3", ws.title  # the table's header row on every page
        assert ws.freeze_panes == "A4", ws.title
    for name in ("Årstabel", "Indsatsområder", "Projekttyper"):  # the charts print with their tables, whole
        ws = wb[name]
        (chart,) = ws._charts
        last_row = int(re.search(r"\$(\d+)$", ws.print_area).group(1))
        assert last_row >= chart.anchor._from.row + 346 // 20, name  # the chart's 346 px in 20 px rows


def test_columns_are_wide_enough_for_their_formatted_values(breakdown_workbook):
    import openpyxl

    from pagt_xl.outputs.workbooks import MAX_WIDTH

    wb = openpyxl.load_workbook(breakdown_workbook)
    checked = 0
    for ws in wb.worksheets:
        for row in ws.iter_rows(min_row=4):
            for cell in row:
                if cell.value is None or cell.alignment.wrap_text:
                    continue
                text = _shown(cell.value, cell.number_format)
                # text longer than the widest column (60) may run over; numbers never reach that cap
                assert _width(ws, cell.column_letter) >= min(len(text) + 1, MAX_WIDTH), (ws.title, cell.coordinate)
                checked += 1
    assert checked > 300
    # the widest amount, 23.231.178 kr., fits its column in the year table (it printed "###" before)
    years = wb["Årstabel"]
    total = next(r for r in years.iter_rows(min_row=4) if r[0].value == "I alt")
    amount = next(c for c in total if c.value == 23_231_178)
    assert _width(years, amount.column_letter) >= len("23.231.178 kr.") + 1


def test_chart_value_axes_are_in_millions(breakdown_workbook):
    import openpyxl

    from pagt_xl.outputs.workbooks import MIO_AXIS_FORMAT

    wb = openpyxl.load_workbook(breakdown_workbook)
    for name in ("Årstabel", "Projekttyper"):
        (chart,) = wb[name]._charts
        assert chart.y_axis.numFmt.formatCode == MIO_AXIS_FORMAT, name  # openpyxl: the value axis
        assert chart.y_axis.title is not None
    assert MIO_AXIS_FORMAT.endswith(',," mio."')  # two trailing commas: the value divided by 1.000.000


def test_labels_are_in_danish_order_in_the_workbook(cli, tmp_path, workbook):
    import openpyxl
    from conftest import good_rows

    rows = good_rows()
    for i, applicant in enumerate(["Aalborg Gymnasium", "Ørsted Skole", "Bjerg Skole", "Ærø Efterskole"], start=1):
        rows[i][3] = f"Projekt {i} v/ {applicant}"
        rows[i][7], rows[i][8] = "Tilsagn", 100_000
    out = tmp_path / "f.xlsx"
    assert cli("breakdown", workbook({"A": rows}), "--format", "xlsx", "--out", out).returncode == 0
    ws = openpyxl.load_workbook(out)["Ansøgere"]
    names = [r[0] for r in ws.iter_rows(min_row=4, values_only=True) if r[0] and r[0] != "I alt"]
    assert names == ["Bjerg Skole", "Ærø Efterskole", "Ørsted Skole", "Aalborg Gymnasium"]


def test_every_issue_code_has_a_danish_description():
    from pagt_xl.base.issue_texts import ISSUE_DESCRIPTIONS, describe
    from pagt_xl.base.model import IssueCode

    assert set(ISSUE_DESCRIPTIONS) == set(IssueCode)
    for code in IssueCode:
        text = describe(code)
        assert text and text != code.value and "\n" not in text and len(text) < 100, code
    assert len(set(ISSUE_DESCRIPTIONS.values())) == len(ISSUE_DESCRIPTIONS)  # each says something of its own


def test_issues_carry_their_description_on_the_sheet_and_in_csv_and_json(cli, tmp_path, workbook):
    import csv
    import io
    import json

    import openpyxl
    from conftest import good_rows

    from pagt_xl.base.issue_texts import describe
    from pagt_xl.base.model import IssueCode

    rows = good_rows()
    rows[2][4] = "Blå økonomi"
    src = workbook({"A": rows})
    expected = describe(IssueCode.UNKNOWN_THEME)
    issues = json.loads(cli("validate", src, "--format", "json").stdout)["issues"]
    assert any(i["code"] == "unknown_theme" and i["description"] == expected for i in issues)
    table = list(csv.DictReader(io.StringIO(cli("validate", src, "--format", "csv", "--csv-dialect", "maskine").stdout)))
    assert any(r["code"] == "unknown_theme" and r["description"] == expected for r in table)
    out = tmp_path / "f.xlsx"
    cli("breakdown", src, "--format", "xlsx", "--out", out)
    ws = openpyxl.load_workbook(out)["Fejl"]
    header = [c.value for c in ws[3]]
    assert header[header.index("Kode") + 1] == "Beskrivelse"
    found = [r for r in ws.iter_rows(min_row=4, values_only=True) if r[header.index("Kode")] == "unknown_theme"]
    assert found and found[0][header.index("Beskrivelse")] == expected


@pytest.mark.parametrize("flavour", ["posixpath", "ntpath"])
def test_links_to_source_files_are_relative_with_forward_slashes(flavour):
    import importlib

    from pagt_xl.outputs.workbooks import relative_link_path

    pathmod = importlib.import_module(flavour)
    if flavour == "ntpath":
        assert relative_link_path(r"C:\Data\pagt\oversigt.xlsx", r"C:\Data\ud", pathmod) == "../pagt/oversigt.xlsx"
        assert relative_link_path(r"D:\x\o.xlsx", r"C:\ud", pathmod) == "D:/x/o.xlsx"  # another drive: in full
    else:
        assert relative_link_path("/data/pagt/oversigt.xlsx", "/data/ud", pathmod) == "../pagt/oversigt.xlsx"


def test_budget_overview_marks_unreadable_and_faulty_budgets_and_has_totals(cli, tmp_path):
    import openpyxl

    from pagt_xl.outputs.workbooks import BUDGET_STATUS

    samples = WORKBOOKS / "budgetter"
    out = tmp_path / "b.xlsx"
    proc = cli("budgets", samples, "--format", "xlsx", "--out", out, "--as-of", "2024-06-01")
    assert proc.returncode == 2  # the sample folder holds one file that is not a workbook
    ws = openpyxl.load_workbook(out)["Budgetter"]
    header = [c.value for c in ws[3]]
    assert header[:2] == ["Fil", "Status"]
    rows = [r for r in ws.iter_rows(min_row=4, values_only=True) if r[0]]
    status = {r[0]: r[1] for r in rows}
    assert status["2023-13_Talstaerk_2.0.xlsx"] == BUDGET_STATUS["unreadable"] == "Kan ikke læses"
    assert status["2023-07_Nordjysk_Science_Dyst.xlsx"] == "Fejl"  # operations costs
    assert "OK" in status.values()
    files = sorted(p.name for p in samples.iterdir() if p.is_file() and not p.name.startswith((".", "~$")))
    assert sorted(k for k in status if k != "I alt") == files  # every file given is a row
    total = next(r for r in rows if r[0] == "I alt")
    cost = header.index("Udgifter i alt")
    assert total[cost] == sum(r[cost] for r in rows if r[0] != "I alt" and r[cost] is not None)
    assert ws.page_setup.orientation == "landscape"
    text = cli("budgets", samples, "--as-of", "2024-06-01").stdout
    assert re.search(r"^Kan ikke læses .*2023-13_Talstaerk_2\.0\.xlsx$", text, re.MULTILINE)
    assert re.search(r"^I alt ", text, re.MULTILINE)
    import json

    doc = json.loads(cli("budgets", samples, "--format", "json", "--as-of", "2024-06-01").stdout)
    assert [(Path(u["file"]).name, u["status"]) for u in doc["unreadable"]] == [
        ("2023-13_Talstaerk_2.0.xlsx", "Kan ikke læses")
    ]
    assert {Path(b["file"]).name: b["status"] for b in doc["budgets"]} == {
        k: v for k, v in status.items() if k not in ("I alt", "2023-13_Talstaerk_2.0.xlsx")
    }


def test_breakdown_workbook_prints_one_page_wide_in_libreoffice(libreoffice_pdfs):
    """LibreOffice renders the workbook at A4 landscape, one page per sheet for the sample (27 pages before)."""
    import subprocess

    import openpyxl

    pdf = libreoffice_pdfs["fordelinger"]
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=False)
    if info.returncode != 0:
        pytest.skip("pdfinfo (poppler-utils) is not installed")
    pages = int(re.search(r"^Pages:\s+(\d+)", info.stdout, re.MULTILINE).group(1))
    width, height = map(float, re.search(r"^Page size:\s+([\d.]+) x ([\d.]+)", info.stdout, re.MULTILINE).groups())
    sheets = len(openpyxl.load_workbook(pdf.with_suffix(".xlsx"), read_only=True).sheetnames)
    assert width > height and round(width) == 842  # A4 landscape, in points
    assert pages <= sheets + 2, pages  # one page wide per sheet: the sample's tables fit a page each


def test_the_workbook_stores_its_links_relative_with_forward_slashes(breakdown_workbook):
    import zipfile

    import openpyxl

    with zipfile.ZipFile(breakdown_workbook) as z:
        rels = "".join(z.read(n).decode() for n in z.namelist() if n.startswith("xl/worksheets/_rels/"))
    targets = re.findall(r'Target="([^"]*)" TargetMode="External"', rels)
    assert targets, "the sample's issues link to their cells"
    for target in targets:
        assert "\\" not in target and not target.startswith(("/", "file:")), target
        assert target.endswith("nordjylland_ansoegninger_2019-2023.xlsx")
    ws = openpyxl.load_workbook(breakdown_workbook)["Fejl"]
    linked = [c for c in ws["D"] if c.hyperlink is not None]
    assert linked and all(c.hyperlink.location.endswith(f"!{c.value}") for c in linked)
    assert (breakdown_workbook.parent / targets[0]).resolve() == NORD_FILE.resolve()
