"""Build workbooks/pagt_xl_desktop.xlsm: the button workbook for staff PCs with local Python (classic xlwings).

Run: .venv/bin/python scripts/make_desktop_workbook.py [--out FILE]

The VBA project starts as xlwings' own *standalone* quickstart project
(``xlwings quickstart --standalone``): xlwings' VBA module (``RunPython`` and the
settings reader) and its ``Dictionary`` class are embedded in the workbook, and
there is no reference to the xlwings add-in (``xlwings.xlam``), so the buttons
work without ``xlwings addin install``. The embedded module loads the DLL of the
same xlwings version from the Python environment, which is why the ``xl`` extra
pins that version. The project's standard module is replaced by one macro per
button (``Valider``, ``BeregnFordelinger``, ``LavStatusrapport``, ``LavIndstilling``, ``LavBreve``), each a
single ``RunPython "import pagt_xl.xl.desktop as d; d.valider()"`` line, and
every button on the "Start" sheet is bound to its own macro. The project is
written source-only, without compiled code (see ``scripts/_vba_project.py``), so
Excel compiles the modules from this source when the workbook is opened.

The sheet ``xlwings.conf`` holds the settings the embedded xlwings module reads
from the workbook (the Python interpreter), each explained in Danish next to it.

The build is reproducible: the same bytes on every run (fixed document dates,
zip entries with a fixed timestamp, no timestamps in the VBA project).
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
sys.path.insert(0, str(ROOT))
from _reproducible import fixed_zip  # noqa: E402
from _vba_project import replace_modules  # noqa: E402

from pagt_xl.xl.desktop import MACROS, runpython_command  # noqa: E402

OUT = ROOT / "workbooks" / "pagt_xl_desktop.xlsm"
#: (caption, VBA macro) of each button on the "Start" sheet, top to bottom.
BUTTONS = (
    ("Valider", "Valider"),
    ("Beregn fordelinger", "BeregnFordelinger"),
    ("Lav statusrapport", "LavStatusrapport"),
    ("Lav indstilling", "LavIndstilling"),
    ("Lav breve", "LavBreve"),
)
#: The quickstart project's standard module, whose text is replaced by :func:`module_source`.
MODULE = "Module1"
#: (setting, value, note) rows of the sheet "xlwings.conf"; xlwings reads column A from A1 down to the first gap.
CONF_SHEET = "xlwings.conf"
CONF = (
    (
        "Interpreter_Win",
        r"%LOCALAPPDATA%\pagt_xl\.venv\Scripts\python.exe",
        "Den Python, der kører knapperne: python.exe i det virtuelle miljø, hvor pagt_xl er installeret "
        "(se vejledningen). %LOCALAPPDATA% er brugerens egen mappe, fx C:\\Users\\abc\\AppData\\Local. "
        "Ligger Python et andet sted, skrives den fulde sti her. Skriv python for at bruge den Python, "
        "der findes på PATH.",
    ),
    (
        "ADD_WORKBOOK_TO_PYTHONPATH",
        "false",
        "false: Python-filer i samme mappe som projektmappen (fx Overførsler) bliver ikke indlæst. "
        "Knapperne bruger kun den installerede pakke pagt_xl.",
    ),
)
CONF_NOTES = (
    "Indstillingerne i kolonne A og B læses af xlwings-modulet i denne projektmappe, fra A1 og nedad. "
    "Slet ikke rækker og lad ingen tomme rækker være imellem.",
    "Cellefunktionerne (PAGT.BELØB, PAGT.BEVILGET, ...) findes ikke i denne projektmappe; "
    "de kommer fra tilføjelsesprogrammet Teknologipagt (serveren).",
)
HEADER = [
    "År", "Sagsnr.", "Runde", "Projekttitel", "Ansøger", "Indsatsområde", "Type", "Kort resumé",
    "Ansøgt beløb (kr.)", "Afgørelse", "Støttebeløb (kr.)", "Projektperiode", "Status", "Fremdrift",
]  # fmt: skip
START_TEXT = [
    "1. Indsæt ansøgningerne i arket 'Ansøgninger' (én række pr. ansøgning, overskrifterne i række 1).",
    "2. Klik på en knap. Resultaterne skrives i egne ark; jeres celler ændres ikke, men fejlceller farves.",
    "3. Pagt og farvning vælges i arket 'Indstillinger' (Markér fejl = nej slår farvningen fra); dér vælges også "
    "ansøgningsrundens år og runde til Lav indstilling og Lav breve (tomt: det seneste år, alle runder).",
    "Kræver Excel til Windows og Python med pagt_xl[xl] (se brugervejledningen); xlwings-tilføjelsesprogrammet "
    "behøves ikke. Stien til Python står i arket 'xlwings.conf'. Er filen hentet fra internettet eller en mail: "
    "højreklik på filen, Egenskaber, sæt hak i Fjern blokering, OK.",
]
CREATED = dt.datetime(2024, 1, 1)


def module_source() -> str:
    """The VBA text of the standard module: one macro per button, each one ``RunPython`` line."""
    lines = [
        f'Attribute VB_Name = "{MODULE}"',
        "Option Explicit",
        "' Built by scripts/make_desktop_workbook.py: one macro per button.",
        "' RunPython is defined by the xlwings module embedded in this workbook (no add-in needed).",
    ]
    for _, macro in BUTTONS:
        lines += ["", f"Sub {macro}()", f'    RunPython "{runpython_command(macro)}"', "End Sub"]
    assert [m for _, m in BUTTONS] == list(MACROS)
    return "\r\n".join(lines) + "\r\n"


def quickstart_vba() -> bytes:
    """``xl/vbaProject.bin`` from a fresh ``xlwings quickstart --standalone`` workbook."""
    exe = Path(sys.executable).parent / "xlwings"
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "xlwings.cli"]
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([*cmd, "quickstart", "pagtqs", "--standalone"], cwd=tmp, check=True, capture_output=True)
        with zipfile.ZipFile(Path(tmp) / "pagtqs" / "pagtqs.xlsm") as z:
            return z.read("xl/vbaProject.bin")


def workbook_bytes(vba: bytes) -> bytes:
    """The .xlsm: sheets "Start" (buttons), "Ansøgninger" (headers), "Indstillinger" and "xlwings.conf"."""
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
        for i, (caption, macro) in enumerate(BUTTONS):
            options = {"macro": macro, "caption": caption, "description": caption, "width": 200, "height": 32}
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
        settings.write(2, 0, "År")  # the round of Lav indstilling / Lav breve; empty: the latest year
        settings.write(3, 0, "Runde")  # empty: every round
        settings.set_column(0, 1, 18)

        conf = wb.add_worksheet(CONF_SHEET)
        wrap = wb.add_format({"text_wrap": True, "valign": "top"})
        for row, (key, value, note) in enumerate(CONF):
            conf.write_string(row, 0, key)
            conf.write_string(row, 1, value)
            conf.write_string(row, 2, note, wrap)
        for row, note in enumerate(CONF_NOTES, start=len(CONF) + 1):  # after a gap: xlwings stops reading there
            conf.write_string(row, 2, note, wrap)
        conf.set_column(0, 0, 30)
        conf.set_column(1, 1, 50)
        conf.set_column(2, 2, 90)
        wb.close()
    return fixed_zip(buf.getvalue())


def build(out: Path) -> Path:
    """Write the workbook to ``out``; returns it."""
    out.parent.mkdir(parents=True, exist_ok=True)
    vba = replace_modules(quickstart_vba(), {MODULE: module_source()})
    out.write_bytes(workbook_bytes(vba))
    return out


def main(argv: list[str] | None = None) -> int:
    """Command line: build into ``--out`` (default: workbooks/pagt_xl_desktop.xlsm)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT, help="the .xlsm to write")
    args = parser.parse_args(argv)
    try:
        workbook = build(args.out)
    except (OSError, subprocess.CalledProcessError) as exc:
        hint = "er xlwings installeret? pip install 'pagt_xl[xl]'"
        print(f"kunne ikke bygge projektmappen: {exc} ({hint})", file=sys.stderr)
        return 1
    print(f"Skrevet: {workbook}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
