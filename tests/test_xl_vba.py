"""The desktop workbook: its VBA (read back with oletools) calls scripts that exist; the build is reproducible."""

from __future__ import annotations

import re
import subprocess
import sys
import zipfile
from pathlib import Path

from conftest import ROOT, WORKBOOKS
from oletools.olevba import VBA_Parser

from pagt_xl.xl import desktop
from pagt_xl.xl.project import custom_scripts

DESKTOP = WORKBOOKS / "pagt_xl_desktop.xlsm"


def _macros(path: Path) -> dict[str, str]:
    parser = VBA_Parser(str(path))
    try:
        code = "\n".join(src for _, _, _, src in parser.extract_macros())
    finally:
        parser.close()
    return {m.group(1): m.group(2) for m in re.finditer(r"Sub (\w+)\(\)(.*?)End Sub", code, re.S)}


def _button_macros(path: Path) -> list[tuple[str, str]]:
    """(caption, macro) of each form button, from the sheet's VML drawing."""
    with zipfile.ZipFile(path) as z:
        vml = "".join(z.read(n).decode() for n in z.namelist() if n.endswith(".vml"))
    macros = re.findall(r"<x:FmlaMacro>\[0\]!(\w+)</x:FmlaMacro>", vml)
    captions = re.findall(r'<font face="Calibri" size="220" color="#000000">([^<]+)</font>', vml)
    return list(zip(captions, macros, strict=True))


def test_every_button_macro_calls_an_existing_script():
    macros = _macros(DESKTOP)
    buttons = _button_macros(DESKTOP)
    assert [c for c, _ in buttons] == list(desktop.BUTTON_ORDER)
    for caption, macro in buttons:
        assert macro in macros, f"button {caption!r} calls missing macro {macro}"
        body = macros[macro]
        assert "RunPython" in body and 'mymodule & ".main()"' in body
        script = desktop.script_for(caption)
        assert script is not None and getattr(custom_scripts, script.__name__) is script
    # the macro imports the module named like the workbook; it must exist next to it and call desktop.main
    sidecar = DESKTOP.with_suffix(".py").read_text(encoding="utf-8")
    assert "from pagt_xl.xl.desktop import main" in sidecar


def test_desktop_workbook_build_is_reproducible(tmp_path):
    script = ROOT / "scripts" / "make_desktop_workbook.py"
    for name in ("a", "b"):
        subprocess.run(
            [sys.executable, str(script), "--out", str(tmp_path / name / "pagt_xl_desktop.xlsm")],
            check=True,
            capture_output=True,
        )
    a = (tmp_path / "a" / "pagt_xl_desktop.xlsm").read_bytes()
    assert a == (tmp_path / "b" / "pagt_xl_desktop.xlsm").read_bytes()
    assert a == DESKTOP.read_bytes(), "run scripts/make_desktop_workbook.py"
