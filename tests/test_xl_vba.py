"""The desktop workbook, read back as Excel would find it: VBA (olevba), buttons (VML), xlwings.conf (openpyxl).

No Excel runs here: these tests check what the built file contains and that each
macro's Python line runs the right script; whether Excel compiles and runs the
source-only VBA project needs a real Excel for Windows (see docs/operations/desktop.md).
"""

from __future__ import annotations

import os

os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")  # before the first import of xlwings

import random
import re
import sys
import tomllib
import zipfile
from pathlib import Path

import olefile
import openpyxl
import pytest
import xlwings as xw
from conftest import ROOT, WORKBOOKS, good_rows, write_workbook
from oletools.olevba import VBA_Parser, decompress_stream

from pagt_xl.xl import desktop, scripts
from pagt_xl.xl.payload import book_payload

DESKTOP = WORKBOOKS / "pagt_xl_desktop.xlsm"
sys.path.insert(0, str(ROOT / "scripts"))
from _vba_project import VBA_PROJECT_NO_CACHE, compress, module_sources, replace_modules, write_cfb  # noqa: E402
from make_desktop_workbook import BUTTONS, CONF_SHEET, build, module_source  # noqa: E402

EXPECTED = {  # macro → (caption, the Python line it hands to RunPython)
    "Valider": ("Valider", "import pagt_xl.xl.desktop as d; d.valider()"),
    "BeregnFordelinger": ("Beregn fordelinger", "import pagt_xl.xl.desktop as d; d.beregn_fordelinger()"),
    "LavStatusrapport": ("Lav statusrapport", "import pagt_xl.xl.desktop as d; d.lav_statusrapport()"),
    "LavIndstilling": ("Lav indstilling", "import pagt_xl.xl.desktop as d; d.lav_indstilling()"),
    "LavBreve": ("Lav breve", "import pagt_xl.xl.desktop as d; d.lav_breve()"),
}


def vba_modules(path: Path) -> dict[str, str]:
    """{module name: source} as olevba reads it from the workbook."""
    parser = VBA_Parser(str(path))
    try:
        return {Path(name).stem: source for _, _, name, source in parser.extract_macros()}
    finally:
        parser.close()


def vba_subs(path: Path, module: str = "Module1") -> dict[str, str]:
    """{Sub name: body} of one VBA module of the workbook (default: the buttons' module)."""
    code = vba_modules(path)[module]
    return {m.group(1): m.group(2) for m in re.finditer(r"^Sub (\w+)\(\)\s*$(.*?)^End Sub", code, re.S | re.M)}


def buttons(path: Path) -> list[tuple[str, str]]:
    """(caption, macro) of each form button, in order, from the sheet's VML drawing."""
    with zipfile.ZipFile(path) as z:
        vml = "".join(z.read(n).decode() for n in sorted(z.namelist()) if n.endswith(".vml"))
    out = []
    for shape in re.findall(r"<v:shape .*?</v:shape>", vml, re.S):
        caption = re.sub(r"<[^>]+>", "", re.search(r"<v:textbox.*?</v:textbox>", shape, re.S).group(0)).strip()
        macro = re.search(r"<x:FmlaMacro>\[0\]!(\w+)</x:FmlaMacro>", shape).group(1)
        out.append((caption, macro))
    return out


def test_each_button_has_its_own_macro_with_one_runpython_line():
    subs = vba_subs(DESKTOP)
    assert set(subs) == set(EXPECTED)  # SampleCall and its Application.Caller dispatch are gone
    for macro, (_, command) in EXPECTED.items():
        lines = [line.strip() for line in subs[macro].strip().splitlines()]
        assert lines == [f'RunPython "{command}"'], macro
        assert desktop.runpython_command(macro) == command


def test_buttons_are_bound_to_their_macros():
    assert buttons(DESKTOP) == [(caption, macro) for macro, (caption, _) in EXPECTED.items()]
    assert [m for _, m in BUTTONS] == list(desktop.MACROS)


@pytest.mark.parametrize("macro", list(EXPECTED))
def test_the_macros_python_line_runs_the_buttons_script_on_the_calling_book(macro: str, monkeypatch):
    book = xw.Book(json=book_payload(WORKBOOKS / "nordjylland_ansoegninger_2019-2023.xlsx"))
    book.set_mock_caller()
    ran = []
    script = scripts.BUTTONS[EXPECTED[macro][0]]
    monkeypatch.setattr(scripts, script.__name__, lambda b: ran.append(b))
    exec(desktop.runpython_command(macro), {})  # what RunPython does with the line
    assert len(ran) == 1 and ran[0].name == book.name


def test_valider_through_the_desktop_entry_writes_the_issues_sheet(tmp_path: Path):
    rows = good_rows()
    rows[1][4] = "Blå økonomi"
    path = write_workbook(tmp_path / "oversigt.xlsx", {"Ansøgninger": rows})
    xw.Book(json=book_payload(path)).set_mock_caller()
    desktop.valider()
    acts = xw.Book.caller().json()["actions"]
    assert acts[0]["args"][1] == "Valideringsfejl"


def test_the_vba_project_is_source_only_so_excel_compiles_the_new_source():
    with zipfile.ZipFile(DESKTOP) as z:
        vba = z.read("xl/vbaProject.bin")
    ole = olefile.OleFileIO(vba)
    try:
        assert ole.openstream("VBA/_VBA_PROJECT").read() == VBA_PROJECT_NO_CACHE  # [MS-OVBA] 2.3.4.1, version 0xFFFF
        for module in ("Module1", "ThisWorkbook", "Sheet1", "Sheet2"):  # MODULEOFFSET 0: the stream is all source
            text = bytes(decompress_stream(bytearray(ole.openstream(f"VBA/{module}").read()))).decode("cp1252")
            assert text.startswith(f'Attribute VB_Name = "{module}"\r\n')
        project = ole.openstream("PROJECT").read().decode("latin-1")
        assert {"Module=Module1", "Module=xlwings", "Class=Dictionary"} <= set(project.split("\r\n"))
        references = bytes(decompress_stream(bytearray(ole.openstream("VBA/dir").read())))
        assert b"xlwings.xlam" not in references  # standalone: no reference to the xlwings add-in
    finally:
        ole.close()


def test_xlwings_vba_module_is_embedded_so_no_addin_is_needed():
    """As ``xlwings quickstart --standalone``: RunPython comes from the workbook's own xlwings module."""
    modules = vba_modules(DESKTOP)
    assert set(modules) == {"ThisWorkbook", "Sheet1", "Sheet2", "Module1", "xlwings", "Dictionary"}
    embedded = modules["xlwings"].replace("\r\n", "\n")
    shipped = (Path(xw.__file__).parent / "xlwings.bas").read_text(encoding="cp1252").replace("\r\n", "\n")
    assert embedded == shipped  # xlwings' own module (BSD-3, its licence header included), unchanged
    assert re.search(r"^Public Function RunPython\(PythonCommand As String\)", embedded, re.M)
    assert re.search(r"GetConfigFromSheet", embedded)  # it reads the xlwings.conf sheet
    # the module loads xlwings64-<version>.dll from the Python environment: the pin of the xl extra must match
    [version] = re.findall(r'^Public Const XLWINGS_VERSION As String = "([^"]+)"', embedded, re.M)
    assert version == xw.__version__
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert pyproject["project"]["optional-dependencies"]["xl"] == [f"xlwings=={version}"]


def test_module_text_replacement_keeps_the_other_modules_compressed_source_as_is():
    with zipfile.ZipFile(DESKTOP) as z:
        vba = z.read("xl/vbaProject.bin")
    rebuilt = replace_modules(vba, {"Module1": module_source()})  # the same replacement again
    assert module_sources(rebuilt) == module_sources(vba)
    ole_a, ole_b = olefile.OleFileIO(vba), olefile.OleFileIO(rebuilt)
    try:
        for name in ("xlwings", "Dictionary", "ThisWorkbook"):
            assert ole_a.openstream(f"VBA/{name}").read() == ole_b.openstream(f"VBA/{name}").read()
    finally:
        ole_a.close()
        ole_b.close()


def test_xlwings_conf_sheet_holds_the_settings_xlwings_reads():
    wb = openpyxl.load_workbook(DESKTOP)
    assert wb.sheetnames == ["Start", "Ansøgninger", "Indstillinger", CONF_SHEET]
    ws = wb[CONF_SHEET]
    settings = {}
    for key, value, note in ws.iter_rows(min_col=1, max_col=3, values_only=True):  # xlwings reads A1 down to a gap
        if key is None:
            break
        settings[key.upper()] = value  # xlwings' GetConfigFromSheet keys are upper-cased
        assert note  # each setting explained in Danish next to it
    assert settings == {
        "INTERPRETER_WIN": r"%LOCALAPPDATA%\pagt_xl\.venv\Scripts\python.exe",
        "ADD_WORKBOOK_TO_PYTHONPATH": "false",
    }
    assert "UDF MODULES" not in settings  # the cell functions are the server add-in's, not this workbook's
    notes = " ".join(str(c) for row in ws.iter_rows(values_only=True) for c in row if c)
    assert "Cellefunktionerne" in notes and "python.exe" in notes


def test_compression_round_trips_through_oletools():
    rng = random.Random(13)
    text = "".join(rng.choice(["Sub ", "End Sub\r\n", "RunPython ", '"', "æøå", "x", " "]) for _ in range(5000))
    for data in (b"", b"a", text.encode("cp1252"), bytes(rng.getrandbits(8) for _ in range(8192))):
        assert bytes(decompress_stream(bytearray(compress(data)))) == data


def test_the_compound_file_writer_is_read_back_by_olefile():
    streams = {
        "PROJECT": b"p" * 10,
        "VBA/dir": b"d" * 5000,
        "VBA/a": b"",
        **{f"VBA/m{i}": bytes([i]) * i for i in range(9)},
    }
    ole = olefile.OleFileIO(write_cfb(streams), raise_defects=olefile.DEFECT_INCORRECT)
    try:
        assert {"/".join(p): ole.openstream("/".join(p)).read() for p in ole.listdir()} == streams
    finally:
        ole.close()


def test_the_build_is_reproducible(tmp_path: Path):
    outputs = []
    for name in ("a", "b"):
        out = tmp_path / name / "pagt_xl_desktop.xlsm"
        build(out)  # scripts/make_desktop_workbook.py's build, in-process (it runs xlwings quickstart itself)
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1]
    assert outputs[0] == DESKTOP.read_bytes(), "the shipped workbook is stale: run scripts/make_desktop_workbook.py"
    assert not (WORKBOOKS / "pagt_xl_desktop.py").exists()  # no sidecar module: the macros import pagt_xl itself
