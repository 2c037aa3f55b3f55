"""Build workbooks/pagt_xl_desktop.xlsm: the desktop workbook for staff PCs with local Python (classic xlwings).

Run: .venv/bin/python scripts/make_desktop_workbook.py [--out FILE]

The VBA comes unchanged from xlwings' own quickstart workbook (``xlwings
quickstart``): its xlwings module and the macro ``SampleCall``, which runs
``RunPython "import <workbook name>; <workbook name>.main()"``. No VBA can be
edited here, so every button calls ``SampleCall``; the sidecar module
``pagt_xl_desktop.py`` (written next to the workbook) calls
:func:`pagt_xl.xl.desktop.main`, which asks Excel which button was clicked
(``Application.Caller``) and runs that script. The build is reproducible.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import xlsxwriter

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "workbooks" / "pagt_xl_desktop.xlsm"
#: Buttons in order: (caption, which Excel also reports as Application.Caller's text)
BUTTONS = ("Valider", "Beregn fordelinger", "Lav statusrapport")
MACRO = "SampleCall"
HEADER = [
    "År", "Sagsnr.", "Runde", "Projekttitel", "Ansøger", "Indsatsområde", "Type", "Kort resumé",
    "Ansøgt beløb (kr.)", "Afgørelse", "Støttebeløb (kr.)", "Projektperiode", "Status", "Fremdrift",
]  # fmt: skip
SIDECAR = '''"""Called by the macro of {stem}.xlsm (xlwings RunPython). Do not rename: the macro imports it by name."""


def main() -> None:
    """Run the script of the button that was clicked."""
    from pagt_xl.xl.desktop import main as run

    run()
'''


def quickstart_vba() -> bytes:
    """xl/vbaProject.bin from a fresh ``xlwings quickstart`` workbook."""
    exe = Path(sys.executable).parent / "xlwings"
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "xlwings.cli"]
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([*cmd, "quickstart", "pagtqs"], cwd=tmp, check=True, capture_output=True)
        with zipfile.ZipFile(Path(tmp) / "pagtqs" / "pagtqs.xlsm") as z:
            return z.read("xl/vbaProject.bin")


def build(out: Path) -> None:
    """Write the workbook and its sidecar module next to it."""
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        vba = Path(tmp) / "vbaProject.bin"
        vba.write_bytes(quickstart_vba())
        buf = io.BytesIO()
        wb = xlsxwriter.Workbook(buf, {"in_memory": True})
        wb.set_properties({"title": "Teknologipagt – knapper", "author": "pagt_xl", "created": dt.datetime(2024, 1, 1)})
        wb.set_vba_name("ThisWorkbook")
        wb.add_vba_project(str(vba))
        bold = wb.add_format({"bold": True, "font_size": 14, "font_color": "#1F4E79"})
        head = wb.add_format({"bold": True, "bg_color": "#1F4E79", "font_color": "#FFFFFF"})
        start = wb.add_worksheet("Start")
        start.set_vba_name("Sheet1")
        start.set_column(0, 0, 4)
        start.set_column(1, 1, 90)
        start.write("B2", "Teknologipagt – oversigt over ansøgninger", bold)
        lines = [
            "1. Indsæt eller skriv ansøgningerne i arket 'Ansøgninger' (én række pr. ansøgning).",
            "2. Klik på en knap. Resultaterne skrives i egne ark; jeres data ændres ikke (fejlceller markeres).",
            "3. Pagt og markering vælges i arket 'Indstillinger'.",
            "Kræver Python med pagt_xl og xlwings-tilføjelsesprogrammet på pc'en; se README.",
        ]
        for i, line in enumerate(lines):
            start.write(3 + i, 1, line)
        for i, caption in enumerate(BUTTONS):
            start.insert_button(
                9 + 3 * i, 1, {"macro": MACRO, "caption": caption, "width": 200, "height": 32, "description": caption}
            )
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
    out.write_bytes(_normalise_zip(buf.getvalue()))
    out.with_name(out.stem + ".py").write_text(SIDECAR.format(stem=out.stem), encoding="utf-8")


def _normalise_zip(data: bytes) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(data))
    dst_buf = io.BytesIO()
    with zipfile.ZipFile(dst_buf, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            zi = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            zi.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(zi, src.read(info.filename))
    return dst_buf.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    build(args.out)
    print(f"Skrevet: {args.out} og {args.out.with_name(args.out.stem + '.py')}")
    return 0


if __name__ == "__main__":
    if shutil.which("xlwings") is None and not (Path(sys.executable).parent / "xlwings").exists():
        print("xlwings mangler: installér med pip install 'pagt_xl[xl]'", file=sys.stderr)
    sys.exit(main())
