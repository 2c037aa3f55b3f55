"""The desktop workbook: its VBA (read back with oletools) reaches scripts that exist; the build is reproducible."""

from __future__ import annotations

import os

os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")  # before the first import of xlwings

import importlib.util
import re
import sys
import zipfile
from pathlib import Path

from conftest import ROOT, WORKBOOKS
from oletools.olevba import VBA_Parser

from pagt_xl.xl import desktop, scripts
from pagt_xl.xl.project import custom_scripts

DESKTOP = WORKBOOKS / "pagt_xl_desktop.xlsm"
sys.path.insert(0, str(ROOT / "scripts"))
from make_desktop_workbook import build  # noqa: E402


def vba_subs(path: Path) -> dict[str, str]:
    """{Sub name: body} of every VBA module in the workbook."""
    parser = VBA_Parser(str(path))
    try:
        code = "\n".join(source for _, _, _, source in parser.extract_macros())
    finally:
        parser.close()
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


def module_the_macro_imports(body: str, workbook: Path) -> str:
    """What ``RunPython "import " & mymodule ...`` imports: the workbook name up to its last dot (VBA InStrRev)."""
    assert 'mymodule = Left(ThisWorkbook.Name, (InStrRev(ThisWorkbook.Name, ".", -1, vbTextCompare) - 1))' in body
    assert 'RunPython "import " & mymodule & ";" & mymodule & ".main()"' in body
    return workbook.name.rsplit(".", 1)[0]


def test_every_button_reaches_a_script_through_the_macro():
    subs = vba_subs(DESKTOP)
    found = buttons(DESKTOP)
    assert [caption for caption, _ in found] == list(desktop.BUTTON_ORDER)
    for number, (caption, macro) in enumerate(found, start=1):
        assert macro in subs, f"button {caption!r} is bound to {macro}, which the VBA does not define"
        module = module_the_macro_imports(subs[macro], DESKTOP)
        assert (DESKTOP.parent / f"{module}.py").is_file(), "the sidecar module must sit next to the workbook"
        script = desktop.script_for(caption)
        assert script is not None and desktop.script_for(f"Button {number}") is script  # caption or Excel's name
        assert script is scripts.BUTTONS[caption] and getattr(custom_scripts, script.__name__) is script
        assert callable(getattr(desktop, script.__name__))  # the one-button-per-macro wrapper exists too


def test_the_sidecar_module_runs_pagt_xl_desktop_main(monkeypatch):
    module = module_the_macro_imports(vba_subs(DESKTOP)["SampleCall"], DESKTOP)
    spec = importlib.util.spec_from_file_location(module, DESKTOP.parent / f"{module}.py")
    assert spec is not None and spec.loader is not None
    sidecar = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(sidecar)
    calls = []
    monkeypatch.setattr(desktop, "main", lambda: calls.append("main"))
    sidecar.main()
    assert calls == ["main"]


def test_the_workbook_holds_the_data_and_settings_sheets():
    with zipfile.ZipFile(DESKTOP) as z:
        workbook = z.read("xl/workbook.xml").decode()
        assert "xl/vbaProject.bin" in z.namelist()
    assert [*re.findall(r'<sheet name="([^"]+)"', workbook)] == ["Start", "Ansøgninger", "Indstillinger"]


def test_the_build_is_reproducible(tmp_path: Path):
    outputs = []
    for name in ("a", "b"):
        out = tmp_path / name / "pagt_xl_desktop.xlsm"
        build(out)  # scripts/make_desktop_workbook.py's build, in-process (it runs xlwings itself as needed)
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1]
    assert outputs[0] == DESKTOP.read_bytes(), "the shipped workbook is stale: run scripts/make_desktop_workbook.py"
    assert (tmp_path / "a" / "pagt_xl_desktop.py").read_text() == (WORKBOOKS / "pagt_xl_desktop.py").read_text()
