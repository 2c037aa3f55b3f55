"""Build workbooks/pagt_xl_desktop.xlsm: the button workbook for staff PCs with local Python (classic xlwings).

Run: .venv/bin/python scripts/make_desktop_workbook.py [--out FILE]

The VBA comes unchanged from xlwings' own quickstart workbook (``xlwings
quickstart``): its ``xl/vbaProject.bin`` holds the module with the macro
``SampleCall``, which runs ``RunPython "import <workbook name>;<workbook name>.main()"``
(it needs the xlwings add-in, ``xlwings addin install``). VBA cannot be edited
here, so every button on the "Start" sheet is bound to ``SampleCall``; the
sidecar module ``<workbook name>.py`` written next to the workbook calls
:func:`pagt_xl.xl.desktop.main`, which asks Excel which button was clicked
(``Application.Caller``) and runs that button's script on ``xw.Book.caller()``.

The build is reproducible: the same bytes on every run (fixed document dates,
zip entries with a fixed timestamp).
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import xlsxwriter

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
from _reproducible import fixed_zip  # noqa: E402

OUT = ROOT / "workbooks" / "pagt_xl_desktop.xlsm"
#: Button captions, in the order they are inserted (Excel names them "Button 1", "Button 2", ...).
BUTTONS = ("Valider", "Beregn fordelinger", "Lav statusrapport")
#: The quickstart module's macro that every button calls.
MACRO = "SampleCall"
HEADER = [
    "År", "Sagsnr.", "Runde", "Projekttitel", "Ansøger", "Indsatsområde", "Type", "Kort resumé",
    "Ansøgt beløb (kr.)", "Afgørelse", "Støttebeløb (kr.)", "Projektperiode", "Status", "Fremdrift",
]  # fmt: skip
SIDECAR = '''"""Called by the macro of {stem}.xlsm (xlwings RunPython). Keep the name: the macro imports it by name."""


def main() -> None:
    """Run the script of the button that was clicked (see pagt_xl.xl.desktop)."""
    from pagt_xl.xl.desktop import main as run

    run()
'''
START_TEXT = [
    "1. Indsæt ansøgningerne i arket 'Ansøgninger' (én række pr. ansøgning, overskrifterne i række 1).",
    "2. Klik på en knap. Resultaterne skrives i egne ark; jeres celler ændres ikke, men fejlceller farves.",
    "3. Pagt og farvning vælges i arket 'Indstillinger' (Markér fejl = nej slår farvningen fra).",
    "Kræver Excel til Windows med Python, pagt_xl og xlwings-tilføjelsesprogrammet. Filen "
    "pagt_xl_desktop.py skal ligge i samme mappe som denne projektmappe.",
]
CREATED = dt.datetime(2024, 1, 1)
ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def quickstart_vba() -> bytes:
    """``xl/vbaProject.bin`` from a fresh ``xlwings quickstart`` workbook."""
    exe = Path(sys.executable).parent / "xlwings"
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "xlwings.cli"]
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([*cmd, "quickstart", "pagtqs"], cwd=tmp, check=True, capture_output=True)
        with zipfile.ZipFile(Path(tmp) / "pagtqs" / "pagtqs.xlsm") as z:
            return z.read("xl/vbaProject.bin")


def workbook_bytes(vba: bytes) -> bytes:
    """The .xlsm: sheets "Start" (buttons), "Ansøgninger" (headers) and "Indstillinger", with the VBA."""
    with tempfile.TemporaryDirectory() as tmp:
        vba_path = Path(tmp) / "vbaProject.bin"
        vba_path.write_bytes(vba)
        buf = io.BytesIO()
        wb = xlsxwriter.Workbook(buf, {"in_memory": True})
        wb.set_properties({"title": "Teknologipagt – knapper", "author": "pagt_xl", "created": CREATED})
        wb.set_vba_name("ThisWorkbook")
        wb.add_vba_project(str(vba_path))
        title = wb.add_format({"bold": True, "font_size": 14, "font_color": "#1F4E79"})
        head = wb.add_format({"bold": True, "bg_color": "#1F4E79", "font_color": "#FFFFFF"})

        start = wb.add_worksheet("Start")
        start.set_vba_name("Sheet1")
        start.set_column(0, 0, 4)
        start.set_column(1, 1, 100)
        start.write("B2", "Teknologipagt – ansøgninger, fordelinger og statusrapport", title)
        for i, line in enumerate(START_TEXT):
            start.write(3 + i, 1, line)
        for i, caption in enumerate(BUTTONS):
            options = {"macro": MACRO, "caption": caption, "description": caption, "width": 200, "height": 32}
            start.insert_button(9 + 3 * i, 1, options)

        data = wb.add_worksheet("Ansøgninger")
        data.set_vba_name("Sheet2")
        data.write_row(0, 0, HEADER, head)
        data.freeze_panes(1, 0)
        data.set_column(0, len(HEADER) - 1, 16)

        settings = wb.add_worksheet("Indstillinger")
        settings.write_row(0, 0, ["Pagt", "nordjylland"])
        settings.write_row(1, 0, ["Markér fejl", "ja"])
        settings.data_validation("B1", {"validate": "list", "source": ["nordjylland", "midtjylland"]})
        settings.data_validation("B2", {"validate": "list", "source": ["ja", "nej"]})
        settings.set_column(0, 1, 18)
        wb.close()
    return fixed_zip(buf.getvalue())


def build(out: Path) -> tuple[Path, Path]:
    """Write the workbook and its sidecar module next to it; returns both paths."""
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(workbook_bytes(quickstart_vba()))
    sidecar = out.with_suffix(".py")
    sidecar.write_text(SIDECAR.format(stem=out.stem), encoding="utf-8")
    return out, sidecar


def main(argv: list[str] | None = None) -> int:
    """Command line: build into ``--out`` (default: workbooks/pagt_xl_desktop.xlsm)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT, help="the .xlsm to write (the sidecar .py goes next to it)")
    args = parser.parse_args(argv)
    if not args.out.stem.isidentifier():
        print(f"{args.out.name}: navnet skal kunne importeres i Python (bogstaver, tal og _)", file=sys.stderr)
        return 2
    try:
        workbook, sidecar = build(args.out)
    except (OSError, subprocess.CalledProcessError) as exc:
        hint = "er xlwings installeret? pip install 'pagt_xl[xl]'"
        print(f"kunne ikke bygge projektmappen: {exc} ({hint})", file=sys.stderr)
        return 1
    print(f"Skrevet: {workbook} og {sidecar}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
