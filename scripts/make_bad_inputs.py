"""Write the bad-input corpus to tests/data/bad/: hostile and broken files every entry point must survive.

Run: .venv/bin/python scripts/make_bad_inputs.py [--out DIR] [--million]

Each file is small on disk. The zip bomb expands to about 400 MB; the
dimension bomb declares a sheet to XFD1048576. ``--million`` also writes a
1,000,000-row overview (about 30 MB, not committed; the slow test uses it).
The .xls and .ods copies are converted by LibreOffice when it is installed
(not byte-reproducible; they are committed as made).
"""

from __future__ import annotations

import argparse
import io
import random
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import openpyxl

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
from _reproducible import fixed_zip  # noqa: E402

OUT = ROOT / "tests" / "data" / "bad"
HEADER = ["År", "Sagsnr.", "Runde", "Projekttitel", "Indsatsområde", "Type", "Ansøgt beløb", "Afgørelse", "Støttebeløb"]
ROW = [2020, "2020-01", "Åben runde", "LabSTEM Nord v/Aalborg Universitet", "1. De potentielle STEM'ere",
       "Kompetenceopbygning", 2_000_000, "Tilsagn", 1_900_000]  # fmt: skip


def _workbook(rows: list[list[object]], title: str = "Ansøgninger") -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = title
    for r in rows:
        ws.append(r)
    import datetime as dt

    wb.properties.created = wb.properties.modified = dt.datetime(2024, 1, 1)
    buf = io.BytesIO()
    wb.save(buf)
    return fixed_zip(buf.getvalue())


def good() -> bytes:
    """A small clean overview (the base of several cases)."""
    return _workbook([HEADER, ROW])


def zip_bomb() -> bytes:
    """A valid-looking workbook whose sheet XML inflates to ~400 MB of whitespace."""
    base = good()
    src = zipfile.ZipFile(io.BytesIO(base))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            zi = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            zi.compress_type = zipfile.ZIP_DEFLATED
            if info.filename == "xl/worksheets/sheet1.xml":
                xml = src.read(info.filename)
                head, tail = xml.split(b"<sheetData>", 1)
                with dst.open(zi, "w", force_zip64=True) as fh:
                    fh.write(head + b"<sheetData>")
                    block = b" " * (1 << 20)
                    for _ in range(400):
                        fh.write(block)
                    fh.write(tail)
            else:
                dst.writestr(zi, src.read(info.filename))
    return out.getvalue()


def dimension_bomb(with_dimension: bool) -> bytes:
    """One stray cell at XFD1048576 (with or without a <dimension> element)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Ansøgninger"
    ws.append(HEADER)
    ws.append(ROW)
    ws["XFD1048576"] = "x"
    buf = io.BytesIO()
    wb.save(buf)
    data = fixed_zip(buf.getvalue())
    if not with_dimension:
        xml = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml")
        xml = xml.replace(b'<dimension ref="A1:XFD1048576"/>', b"")
        data = fixed_zip(data, {"xl/worksheets/sheet1.xml": xml})
    return data


def entity_attack(kind: str) -> bytes:
    """Billion laughs in a sheet, or an external entity in sharedStrings."""
    base = good()
    if kind == "laughs":
        xml = zipfile.ZipFile(io.BytesIO(base)).read("xl/worksheets/sheet1.xml")
        dtd = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
               + b"".join(b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10)
                          for i in range(1, 10))
               + b"]>")  # fmt: skip
        xml = dtd + xml.split(b"?>", 1)[-1].replace(b"<t>LabSTEM", b"<t>&lol9;LabSTEM")
        return fixed_zip(base, {"xl/worksheets/sheet1.xml": xml})
    xml = zipfile.ZipFile(io.BytesIO(base)).read("xl/workbook.xml")
    xxe = b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    xml = xxe + xml.split(b"?>", 1)[-1].replace(b'name="Ans', b'name="&xxe;Ans')
    return fixed_zip(base, {"xl/workbook.xml": xml})


def _noisy_text(rng: random.Random, length: int, every: int = 700) -> str:
    """Text that deflate packs about 150 times: repetition with a random letter every ``every`` characters,
    so a large part stays inside the zip-ratio guard (200) and reaches the text guards behind it."""
    block = ("STEM-projekt " * (every // 13 + 1))[: every - 1]
    parts = [block + rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(length // every + 1)]
    return "".join(parts)[:length]


def _with_shared_strings(strings: list[str], amount_cell: int | None = None) -> bytes:
    """The clean overview with its sharedStrings part replaced by ``strings`` (referenced from row 3 on).

    ``amount_cell``: also put the first of them into the amount column of row 2 (an echoed value).
    """
    import datetime as dt
    from xml.sax.saxutils import escape

    import xlsxwriter

    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    wb.set_properties({"created": dt.datetime(2024, 1, 1)})
    ws = wb.add_worksheet("Ansøgninger")
    for i, row in enumerate([HEADER, ROW]):
        ws.write_row(i, 0, row)
    wb.close()
    base = fixed_zip(buf.getvalue())
    src = zipfile.ZipFile(io.BytesIO(base))
    sst = src.read("xl/sharedStrings.xml").decode()
    count = sst.count("<si>")
    sst = re.sub(r' (?:count|uniqueCount)="\d+"', "", sst)
    sst = sst.replace("</sst>", "".join(f"<si><t>{escape(s)}</t></si>" for s in strings) + "</sst>")
    sheet = src.read("xl/worksheets/sheet1.xml").decode()
    rows = "".join(f'<row r="{i + 3}"><c r="D{i + 3}" t="s"><v>{count + i}</v></c></row>' for i in range(len(strings)))
    if amount_cell is not None:
        sheet = sheet.replace('<c r="I2"', f'<c r="I2" t="s"><v>{count}</v></c><c r="J2"', 1)
    sheet = sheet.replace("</sheetData>", rows + "</sheetData>")
    sheet = re.sub(r'<dimension ref="[^"]*"/>', "", sheet)
    return fixed_zip(base, {"xl/sharedStrings.xml": sst.encode(), "xl/worksheets/sheet1.xml": sheet.encode()})


def shared_strings_bomb(n: int = 4_000, length: int = 30_000) -> bytes:
    """``n`` distinct shared strings of ``length`` characters (120 MB of text in about 1 MB here).

    The issue's case was 60,000 × 30,000 (27 MB on disk, 1.8 GB of text): ``shared_strings_bomb(60_000)``.
    """
    rng = random.Random(12)
    return _with_shared_strings([_noisy_text(rng, length) for _ in range(n)])


def long_cell(length: int) -> bytes:
    """One cell (the amount of a granted row, so an issue would echo it) with ``length`` characters."""
    return _with_shared_strings([_noisy_text(random.Random(13), length)], amount_cell=0)


def _with_sheet_xml(change, base: bytes | None = None) -> bytes:
    """The clean overview with its sheet XML passed through ``change`` (bytes → bytes), no <dimension>."""
    base = base or good()
    xml = zipfile.ZipFile(io.BytesIO(base)).read("xl/worksheets/sheet1.xml")
    xml = re.sub(rb'<dimension ref="[^"]*"/>', b"", change(xml))
    return fixed_zip(base, {"xl/worksheets/sheet1.xml": xml})


def far_cells(cells: bytes) -> bytes:
    """The clean overview with ``cells`` (rows of XML) added after its own, and no declared dimension:
    the cells claim far positions that only their ``r`` attributes (or their count) tell."""
    return _with_sheet_xml(lambda xml: xml.replace(b"</sheetData>", cells + b"</sheetData>"))


def far_cell_prefixed() -> bytes:
    """A sheet written with a namespace prefix (``<x:c r=...>``, as some generators do) and a far value."""

    def prefix(xml: bytes) -> bytes:
        xml = xml.replace(b"</sheetData>", b'<row r="900000"><c r="ZZ900000"><v>1</v></c></row></sheetData>')
        xml = re.sub(rb"<(/?)([A-Za-z]+)(?=[\s/>])", rb"<\1x:\2", xml.split(b"?>", 1)[-1])
        return b'<?xml version="1.0" encoding="UTF-8"?>' + xml.replace(b' xmlns="', b' xmlns:x="', 1)

    return _with_sheet_xml(prefix)


def repeated_shared_string(cells: int = 30_000, length: int = 32_000) -> bytes:
    """``cells`` cells referring to one shared string of ``length`` characters: each reference is a copy in
    the reader (Rust, then Python), so 30,000 × 32 KB is 1.9 GB from a file of 160 KB."""
    base = _with_shared_strings([_noisy_text(random.Random(5), length)])
    sheet = zipfile.ZipFile(io.BytesIO(base)).read("xl/worksheets/sheet1.xml").decode()
    m = re.search(r'<row r="3"><c r="D3" t="s"><v>(\d+)</v></c></row>', sheet)
    assert m is not None
    rows = "".join(f'<row r="{i}"><c r="D{i}" t="s"><v>{m.group(1)}</v></c></row>' for i in range(3, 3 + cells))
    return fixed_zip(base, {"xl/worksheets/sheet1.xml": sheet.replace(m.group(0), rows).encode()})


def ods_repeated_rows(ods: bytes, rows: int = 500_000, cols: int = 100) -> bytes:
    """An OpenDocument sheet with one row of ``cols`` values repeated ``rows`` times (two attributes):
    the reader expands the repeats into 50 million cells (5 GB, 41 s in a plain python-calamine read)."""
    src = zipfile.ZipFile(io.BytesIO(ods))
    content = src.read("content.xml")
    row = (f'<table:table-row table:number-rows-repeated="{rows}"><table:table-cell office:value-type="float" '
           f'office:value="1" table:number-columns-repeated="{cols}"><text:p>1</text:p></table:table-cell>'
           "</table:table-row>").encode()  # fmt: skip
    at = content.rfind(b"<table:table-row", 0, content.find(b"table:number-rows-repeated="))  # before the empty rows
    return fixed_zip(ods, {"content.xml": content[:at] + row + content[at:]})


def xls_dimension_bomb(xls: bytes) -> bytes:
    """A BIFF8 .xls whose first sheet's DIMENSIONS record claims 2^30 rows: python-calamine reserves room for
    every cell up front and the process aborts ("memory allocation failed", SIGABRT) from a 30 KB file."""
    import struct

    data = bytearray(xls)
    at = data.find(b"\x00\x02\x0e\x00")  # record 0x0200, 14 bytes: first row, last row, first col, last col
    struct.pack_into("<I", data, at + 8, 1 << 30)
    return bytes(data)


def zero_filled_member() -> bytes:
    """The clean overview with its sheet part replaced by zero bytes (a damaged copy)."""
    base = good()
    size = len(zipfile.ZipFile(io.BytesIO(base)).read("xl/worksheets/sheet1.xml"))
    return fixed_zip(base, {"xl/worksheets/sheet1.xml": b"\0" * size})


def password_protected() -> bytes:
    """The clean overview encrypted with the password 'pagt' (msoffcrypto-tool)."""
    from msoffcrypto.format.ooxml import OOXMLFile

    out = io.BytesIO()
    OOXMLFile(io.BytesIO(good())).encrypt("pagt", out)
    return out.getvalue()


def _soffice_convert(data: bytes, fmt: str) -> bytes | None:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        return None
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "oversigt.xlsx"
        src.write_bytes(data)
        subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{tmp}/lo", "--convert-to", fmt,
                        "--outdir", tmp, str(src)], check=True, capture_output=True, timeout=180)  # fmt: skip
        return (Path(tmp) / f"oversigt.{fmt}").read_bytes()


#: file name → (what it is, expected exit code of `pagt-xl validate`, a word the message must contain)
CASES: dict[str, tuple[str, int, str]] = {
    "tom.xlsx": ("empty file", 2, "tom"),
    "tilfaeldige_bytes.xlsx": ("random bytes named .xlsx", 2, "zip"),
    "afkortet.xlsx": ("truncated zip", 2, "beskadiget"),
    "word_dokument.xlsx": ("a Word document renamed .xlsx", 2, "Word-dokument"),
    "html_tabel.xls": ("an HTML table saved as .xls by a web system", 2, ".xls"),
    "tilfaeldige_bytes.xlsb": ("random bytes named .xlsb", 2, "zip"),
    "adgangskode.xlsx": ("password-protected (encrypted) workbook", 2, "adgangskode"),
    "zipbombe.xlsx": ("zip bomb: sheet XML inflates to ~400 MB", 2, "zip-bombe"),
    "dimensionsbombe.xlsx": ("one cell at XFD1048576, declared dimension", 2, "XFD1048576"),
    "dimensionsbombe_uden_dimension.xlsx": ("one cell at XFD1048576, no <dimension>", 2, "kolonne 16384"),
    "billion_laughs.xlsx": ("XML entity expansion in a sheet", 2, "DTD"),
    "ekstern_entitet.xlsx": ("external XML entity (XXE) in workbook.xml", 2, "DTD"),
    "formler_uden_vaerdier.xlsx": ("formulas saved without cached values", 1, "formula_without_value"),
    "excel_fejlvaerdier.xlsx": ("#REF!, #DIV/0!, #N/A in data cells", 1, "excel_error"),
    "dobbelte_overskrifter.xlsx": ("the same header twice", 0, "duplicate_column"),
    "kun_overskrifter.xlsx": ("a sheet with only headers", 0, "no_applications"),
    "gammel_excel.xls": ("legacy .xls (BIFF) made by LibreOffice", 0, "23"),
    "gammel_excel_som_xlsx.xlsx": ("legacy .xls (BIFF) renamed .xlsx", 2, "gammelt .xls-format"),
    "delte_strenge_bombe.xlsx": ("120 MB of shared-string text inside the zip-ratio guard", 2, "MB"),
    "lang_celle.xlsx": ("one 50 MB cell (in the amount column) inside the zip-ratio guard", 2, "32.767"),
    "celle_over_graense.xlsx": ("one cell of 40,000 characters, longer than Excel allows", 2, "40.000 tegn"),
    "nulfyldt_del.xlsx": ("the sheet part of the zip filled with zero bytes", 2, "beskadiget"),
    "libreoffice.ods": ("OpenDocument spreadsheet made by LibreOffice", 0, "23"),
    # issue 21 item 6: the real extent of the cells, not only the declared dimension
    "fjern_reference.xlsx": ("a value at ZZ999999 beside A1 (no dimension; two letters, six digits)", 2, "kolonne 702"),
    "fjern_reference_attributter.xlsx": ("a value at XFD1048576 with s= before r=", 2, "kolonne 16384"),
    "fjern_reference_praefiks.xlsx": ("a far value in a sheet written with a namespace prefix (x:c)", 2, "kolonne 702"),
    "fjern_raekke_uden_r.xlsx": ("20 values without r= in row 1048576", 2, "række 1048576"),
    "vid_tynd.xlsx": ("one value at CV590000: inside every earlier bound, 2.4 GB to read", 2, "59.000.000 celler"),
    "gentagne_delte_strenge.xlsx": ("30,000 cells referring to one 32,000-character shared string", 2, "MB hukommelse"),
    "ods_gentagne_raekker.ods": ("OpenDocument: a row of 100 values repeated 500,000 times", 2, "kolonne 100"),
    "xls_dimensionsbombe.xls": ("legacy .xls whose DIMENSIONS record claims 2^30 rows (aborted the reader)", 2,
                                "række 1073741824"),
}


def build(out: Path, *, million: bool = False) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(20261122)
    base = good()
    files: dict[str, bytes | None] = {
        "tom.xlsx": b"",
        "tilfaeldige_bytes.xlsx": bytes(rng.getrandbits(8) for _ in range(4096)),
        "afkortet.xlsx": base[: len(base) // 2],
        "html_tabel.xls": "<html><body><table><tr><td>År</td><td>Projekttitel</td></tr></table></body></html>".encode(),
        "tilfaeldige_bytes.xlsb": bytes(rng.getrandbits(8) for _ in range(2048)),
        "adgangskode.xlsx": password_protected(),
        "zipbombe.xlsx": zip_bomb(),
        "dimensionsbombe.xlsx": dimension_bomb(True),
        "dimensionsbombe_uden_dimension.xlsx": dimension_bomb(False),
        "billion_laughs.xlsx": entity_attack("laughs"),
        "ekstern_entitet.xlsx": entity_attack("xxe"),
        "formler_uden_vaerdier.xlsx": _workbook([HEADER, [*ROW[:8], "=G2*0.95"], [*ROW[:7], "=G3", "Tilsagn"]]),
        "excel_fejlvaerdier.xlsx": _workbook(
            [HEADER, [*ROW[:8], "#REF!"], [*ROW[:6], "#DIV/0!", *ROW[7:]], ["#N/A", *ROW[1:]]]
        ),
        "dobbelte_overskrifter.xlsx": _workbook([[*HEADER, "Støttebeløb"], [*ROW, 5]]),
        "kun_overskrifter.xlsx": _workbook([HEADER]),
        "delte_strenge_bombe.xlsx": shared_strings_bomb(),
        "lang_celle.xlsx": long_cell(50_000_000),
        "celle_over_graense.xlsx": long_cell(40_000),
        "nulfyldt_del.xlsx": zero_filled_member(),
        "fjern_reference.xlsx": far_cells(b'<row r="999999"><c r="ZZ999999" t="inlineStr"><is><t>x</t></is></c></row>'),
        "fjern_reference_attributter.xlsx": far_cells(
            b'<row r="1048576"><c s="0" r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'
        ),
        "fjern_reference_praefiks.xlsx": far_cell_prefixed(),
        "fjern_raekke_uden_r.xlsx": far_cells(b'<row r="1048576">' + b"<c><v>1</v></c>" * 20 + b"</row>"),
        "vid_tynd.xlsx": far_cells(b'<row r="590000"><c r="CV590000" t="inlineStr"><is><t>x</t></is></c></row>'),
        "gentagne_delte_strenge.xlsx": repeated_shared_string(),
    }
    # a .docx is a zip too: a Word file renamed .xlsx
    from docx import Document

    buf = io.BytesIO()
    Document().save(buf)
    files["word_dokument.xlsx"] = fixed_zip(buf.getvalue())
    sample = (ROOT / "workbooks" / "nordjylland_ansoegninger_2019-2023.xlsx").read_bytes()
    for name, fmt in (("gammel_excel.xls", "xls"), ("libreoffice.ods", "ods")):
        if not (out / name).exists():
            files[name] = _soffice_convert(sample, fmt)
    ods = files.get("libreoffice.ods") or ((out / "libreoffice.ods").read_bytes() if (out / "libreoffice.ods").exists() else None)
    files["ods_gentagne_raekker.ods"] = ods_repeated_rows(ods) if ods else None
    if (out / "gammel_excel.xls").exists() or files.get("gammel_excel.xls"):
        files["gammel_excel_som_xlsx.xlsx"] = files.get("gammel_excel.xls") or (out / "gammel_excel.xls").read_bytes()
        files["xls_dimensionsbombe.xls"] = xls_dimension_bomb(files["gammel_excel_som_xlsx.xlsx"])
    written = []
    for name, data in files.items():
        if data is not None:
            (out / name).write_bytes(data)
        if (out / name).exists():
            written.append(out / name)
    if million:
        written.append(million_rows(out.parent / "million.xlsx"))
    return written


def million_rows(path: Path, n: int = 1_000_000) -> Path:
    """A 1,000,000-row overview (xlsxwriter, constant memory)."""
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    ws = wb.add_worksheet("Ansøgninger")
    ws.write_row(0, 0, HEADER)
    themes = ["1. De potentielle STEM'ere", "2. Flere piger og kvinder i STEM", "STEM kompetencer til alle"]
    for i in range(1, n + 1):
        ws.write_row(i, 0, [2019 + i % 5, f"{i:07d}", "Åben runde", f"Projekt {i} v/ Skole {i % 97}", themes[i % 3],
                            "Motiverende", 300_000, "Tilsagn" if i % 2 else "Afslag", 250_000 if i % 2 else None])  # fmt: skip
    wb.close()
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--million", action="store_true", help="also write the 1,000,000-row overview")
    args = parser.parse_args(argv)
    files = build(args.out, million=args.million)
    print(f"Skrevet: {len(files)} filer i {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
