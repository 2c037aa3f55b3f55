"""Documents a Danish administration can send (issue 24): every document for both pacts and a pact made here.

Each document (status report, memo, grant, partial grant and rejection letters) is rendered, converted
to PDF by LibreOffice through ``--pdf``'s own export (one run for all), and read back as a reader
would: the language of every style, no folder of this machine, no "seed", no other pact's name, every
part a letter must have (or its marked prompt), a contents page whose page numbers are the pages the
headings are on, no small table split over two pages, no blank last page, a tagged PDF in Danish.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from conftest import WORKBOOKS, write_workbook
from docx import Document
from docx.oxml.ns import qn

from pagt_xl.base.config import load_pact
from pagt_xl.pipeline import run_breakdowns, run_letters, run_memo, run_validation
from pagt_xl.report import render_report

DATE = dt.date(2024, 9, 1)
NAMES = {"nordjylland": ("Nordjysk", "Nordjylland", "nordjysk"), "midtjylland": ("Midtjysk", "Midtjylland", "midtjysk"),
         "sydtest": ("Sydtestsk", "Sydtest")}  # fmt: skip

# A third pact, made here: its own themes and words ("fokusområde"), a funding channel, its letter texts.
THIRD_PACT = """
key = "sydtest"
name = "Sydtestsk Teknologipagt"
region = "Region Sydtest"
first_year = 2022
last_year = 2026
introduction = "Sydtestsk Teknologipagt er lavet i en test."
[[themes]]
key = "a"
number = 1
name = "Flere unge i teknik"
[[themes]]
key = "b"
number = 2
name = "Digitale kompetencer"
[[themes]]
key = "fond"
name = "Fondsmidler"
channel = true
[[rounds]]
key = "aaben"
name = "Åben runde"
[[project_types]]
key = "motiverende"
name = "Motiverende"
[report.words]
one = "fokusområde"
many = "fokusområder"
the_one = "fokusområdet"
the_many = "fokusområderne"
[[assessment.criteria]]
key = "relevans"
name = "Relevans"
weight = 2
[letters]
sender = "Sekretariatet for Sydtestsk Teknologipagt"
contact = "Test Testesen, test@example.org"
legal_basis = "Tilskuddet gives efter testloven § 1."
acceptance_days = 21
"""


def _third_pact(folder: Path):
    path = folder / "sydtest.toml"
    path.write_text(THIRD_PACT, encoding="utf-8")
    return load_pact(path)


def _round_book(path: Path, themes: tuple[str, str, str], year: int, pact) -> Path:
    """An overview of one round with a grant, a partial grant and a rejection, each with its reason (the round
    and type columns only for a pact that has rounds and project types)."""
    header = ["År", "Sagsnr.", "Runde", "Projekttitel", "Ansøger", "Indsatsområde", "Type", "Ansøgt beløb",
              "Afgørelse", "Støttebeløb", "Projektstart", "Projektslut", "Relevans", "Indstilling",
              "Indstillet beløb", "Begrundelse"]  # fmt: skip
    start, end = dt.datetime(year, 8, 1), dt.datetime(year + 2, 7, 31)
    rows = [
        [year, f"{year}/1", "Åben runde", "Robotter i fysik", "Aalborg Katedralskole", themes[0], "Motiverende",
         600_000, "Tilsagn", 600_000, start, end, 5, "Ja", None, "Stærk relevans og god forankring."],
        [year, f"{year}/2", "Åben runde", "Kodeklub for piger", "EUC Syd", themes[1], "Motiverende", 800_000,
         "Tilsagn", 500_000, start, end, 4, "Delvis", 500_000,
         "Budgettet til udstyr er højt; indstilles med 0,5 mio. kr."],
        [year, f"{year}/3", "Åben runde", "Makerspace i kælderen", "Frederikshavn Gymnasium", themes[0],
         "Motiverende", 400_000, "Afslag", None, start, end, 2, "Nej", None,
         "Projektet ligner drift af et eksisterende lokale."],
    ]  # fmt: skip
    keep = [j for j, h in enumerate(header) if not ((h == "Runde" and not pact.rounds)
                                                   or (h == "Type" and not pact.project_types))]  # fmt: skip
    table = [[r[j] for j in keep] for r in [header, *rows]]
    return write_workbook(path, {"Ansøgninger": table, "Ramme": [["År", "Ramme"], [year, 3_000_000]]})


OVERVIEWS = {
    "nordjylland": (WORKBOOKS / "nordjylland_ansoegninger_2019-2023.xlsx",
                    ("1. De potentielle STEM'ere", "2. Flere piger og kvinder i STEM", ""), 2024),
    "midtjylland": (WORKBOOKS / "midtjylland_projekter_2018.xlsx", ("Piger og STEM", "Informatik", ""), 2019),
    "sydtest": (None, ("Flere unge i teknik", "Digitale kompetencer", ""), 2024),
}  # fmt: skip


@pytest.fixture(scope="module")
def documents(tmp_path_factory) -> dict[str, dict[str, Path]]:
    """pact → document kind (report, memo, tilsagn, delvist, afslag) → the .docx; their PDFs beside them."""
    from pagt_xl.report.pdf import export_pdfs, soffice

    if soffice() is None:
        pytest.skip("LibreOffice is not installed (scripts/install-system-deps installs it with apt-get)")
    tmp = tmp_path_factory.mktemp("dokumenter")
    out: dict[str, dict[str, Path]] = {}
    for key, (overview, themes, year) in OVERVIEWS.items():
        folder = tmp / key
        folder.mkdir()
        pact = _third_pact(folder) if key == "sydtest" else load_pact(key)
        book = _round_book(folder / "runde.xlsx", themes, year, pact)
        sample = overview or book
        report = render_report(run_breakdowns(run_validation([sample], pact)), folder / "rapport.docx",
                               report_date=DATE)  # fmt: skip
        memo = folder / "notat.docx"
        run_memo(pact, year, inputs=[book], out=memo, report_date=DATE, case_number=f"{year}-0042")
        letters = run_letters(pact, year, folder / "breve", inputs=[book], letter_date=DATE)
        assert [o.status for o in letters.letters] == ["written"] * 3, letters.letter_issues
        by_kind = {o.kind: Path(o.path) for o in letters.letters}
        out[key] = {"report": report, "memo": memo, "tilsagn": by_kind["tilsagn"],
                    "delvist": by_kind["delvist tilsagn"], "afslag": by_kind["afslag"]}  # fmt: skip
    export_pdfs([p for docs in out.values() for p in docs.values()])
    return out


ALL = [(pact, kind) for pact in OVERVIEWS for kind in ("report", "memo", "tilsagn", "delvist", "afslag")]


def _parts(path: Path) -> dict[str, str]:
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n).decode("utf-8") for n in z.namelist() if n.endswith(".xml")}


def _text(path: Path) -> str:
    """Every text of the document: body, tables, headers, footers, properties (what Word or a reader shows)."""
    return "\n".join(
        " ".join(re.findall(r"<(?:w:t|dc:title|dc:subject|cp:keywords|dc:description)[^>]*>([^<]*)<", xml))
        for xml in _parts(path).values()
    )


def _pdf_pages(pdf: Path) -> list[str]:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext missing (scripts/install-system-deps installs it with apt-get)")
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return text.split("\f")[:-1] if text.endswith("\f") else text.split("\f")


@pytest.mark.parametrize(("pact", "kind"), ALL)
def test_danish_on_every_style_and_nothing_marked_spell_checked(documents, pact, kind):
    parts = _parts(documents[pact][kind])
    styles = parts["word/styles.xml"]
    assert set(re.findall(r'<w:lang w:val="([^"]+)"', styles)) == {"da-DK"}
    assert styles.count('w:val="da-DK"') == styles.count("<w:style ") + 1  # every style and the defaults
    for name in ("word/document.xml", "word/styles.xml", "word/settings.xml"):
        assert "proofState" not in parts[name] and "noProof" not in parts[name] and "en-US" not in parts[name]
    assert "<dc:language>da-DK</dc:language>" in parts["docProps/core.xml"]


@pytest.mark.parametrize(("pact", "kind"), ALL)
def test_no_folder_no_seed_no_other_pact(documents, pact, kind, tmp_path):
    path = documents[pact][kind]
    text = _text(path) + "\n".join(_pdf_pages(path.with_suffix(".pdf")))
    for folder in (str(path.parent), str(WORKBOOKS), "/tmp/", "/home/", "/work/", "/root/", ":\\"):
        assert folder not in text, folder
    assert not re.search(r"\bseed\b", text, re.IGNORECASE)
    for other, words in NAMES.items():
        if other != pact:
            for word in words:
                assert word not in text, (other, word)
    assert not re.search(r"\d kr\.\.", text)  # no double full stop after an amount


@pytest.mark.parametrize(("pact", "kind"), ALL)
def test_prompts_are_marked_yellow(documents, pact, kind):
    doc = Document(str(documents[pact][kind]))
    runs = [r for p in doc.element.body.iter(qn("w:p")) for r in p.iter(qn("w:r"))]
    prompts = [r for r in runs if "[SKRIV:" in "".join(t.text or "" for t in r.iter(qn("w:t")))]
    for r in prompts:
        assert r.find(f"{qn('w:rPr')}/{qn('w:highlight')}") is not None


# -- the letters: every part present, or a marked prompt ------------------------------------------------
def _sections(path: Path) -> dict[str, str]:
    """Heading (level 2) → the text under it, tables included."""
    doc = Document(str(path))
    out: dict[str, str] = {"": ""}
    current = ""
    for child in doc.element.body.iterchildren():
        if child.tag == qn("w:p"):
            style = child.find(f"{qn('w:pPr')}/{qn('w:pStyle')}")
            text = "".join(t.text or "" for t in child.iter(qn("w:t")))
            if style is not None and style.get(qn("w:val")) == "Heading2":
                current = text
                out[current] = ""
                continue
            out[current] += text + "\n"
        elif child.tag == qn("w:tbl"):
            out[current] += " | ".join(t.text or "" for t in child.iter(qn("w:t"))) + "\n"
    return out


def rules_pact(documents, pact: str):
    return load_pact(pact) if pact != "sydtest" else load_pact(documents[pact]["memo"].parent / "sydtest.toml")


REQUIRED = {
    "tilsagn": ["Afgørelse", "Lovgrundlag", "Vilkår for tilskuddet", "Afrapportering", "Udbetaling",
                "Accept af tilsagnet", "Kontakt"],
    "delvist": ["Afgørelse", "Begrundelse", "Lovgrundlag", "Vilkår for tilskuddet", "Afrapportering", "Udbetaling",
                "Accept af tilsagnet", "Klagevejledning", "Kontakt"],
    "afslag": ["Afgørelse", "Begrundelse", "Lovgrundlag", "Klagevejledning", "Kontakt"],
}  # fmt: skip


@pytest.mark.parametrize("pact", list(OVERVIEWS))
@pytest.mark.parametrize("kind", list(REQUIRED))
def test_each_letter_part_is_there_or_prompted(documents, pact, kind):
    sections = _sections(documents[pact][kind])
    assert [s for s in sections if s] == REQUIRED[kind]
    rules = rules_pact(documents, pact).letters
    for name in REQUIRED[kind]:
        assert sections[name].strip(), name
    head = sections[""]
    assert f"Sagsnr.: {OVERVIEWS[pact][2]}/" in head and "Dato: 1. september 2024" in head
    checks = {
        "Lovgrundlag": rules.legal_basis or "[SKRIV: lovgrundlaget",
        "Klagevejledning": rules.appeal or "[SKRIV: klagevejledningen",
        "Kontakt": rules.contact or "[SKRIV: kontaktperson",
        "Udbetaling": "[SKRIV: udbetalingen" if not rules.payment.instalments else "Tilbageholdt del",
        "Accept af tilsagnet": "[SKRIV: fristen" if not rules.acceptance_days else "senest 22. september 2024",
        "Afrapportering": "[SKRIV: afrapporteringen" if not rules.reporting.progress_month else "Slutrapport",
    }
    for name, expected in checks.items():
        if name in sections:
            assert " ".join(expected.split())[:60] in " ".join(sections[name].split()), (name, sections[name])
    text = "\n".join(sections.values())
    assert ("KLADDE" in head) == ("[SKRIV:" in text)  # a letter with a prompt is a draft, and only then
    if kind == "tilsagn":
        assert "Begrundelse" not in sections and "en million" not in text and "seks hundrede tusind kroner" in text
    if kind == "delvist":
        assert "Budgettet til udstyr er højt." in sections["Begrundelse"] and "indstilles" not in text
        assert "300.000 kr. mindre end det ansøgte" in sections["Afgørelse"] and "delvist afslag" in text
        for c in rules_pact(documents, pact).assessment.criteria:  # each criterion, its weight, the score given
            assert f"{c.name} | {c.weight:g} | {4 if c.key == 'relevans' else ''}".rstrip() in sections["Begrundelse"]
    if kind == "afslag":
        assert "Projektet ligner drift af et eksisterende lokale." in sections["Begrundelse"]
    for name in ("Vilkår for tilskuddet",):
        if name in sections:
            assert "projektperioden 1. august" in sections[name] and "driftsopgaver" in sections[name]


# -- the memo -------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("pact", list(OVERVIEWS))
def test_the_memo_is_formal(documents, pact):
    doc = Document(str(documents[pact]["memo"]))
    text = "\n".join(p.text for p in doc.paragraphs)
    year = OVERVIEWS[pact][2]
    assert f"Sagsnr.: {year}-0042" in text
    assert "indstiller, at Regionsrådet:" in text
    points = [p.text for p in doc.paragraphs if p.style.name == "List Number"]
    assert points[0].startswith("giver tilsagn om tilskud på i alt 1.100.000 kr. til de 2 ansøgninger")
    assert any(p.startswith("giver Kodeklub for piger v/ EUC Syd (sagsnr.") and "delvist tilsagn på 500.000 kr."
               in p for p in points)  # fmt: skip
    assert "giver afslag på den ansøgning, der ikke indstilles," in points
    assert points[-1].startswith("tager til efterretning, at der herefter er 1.900.000 kr. tilbage")
    assert "Underskrift" in [p.text for p in doc.paragraphs if p.style.name.startswith("Heading")]
    assert "[SKRIV: navn og titel" in text  # no signatory in the pact: a marked prompt


# -- the PDFs ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("pact", "kind"), ALL)
def test_pdf_is_tagged_danish_and_has_no_blank_last_page(documents, pact, kind):
    from pypdf import PdfReader

    path = documents[pact][kind]
    reader = PdfReader(str(path.with_suffix(".pdf")))
    root = reader.trailer["/Root"]
    assert root.get("/Lang") == "da-DK" and root["/MarkInfo"]["/Marked"] and "/StructTreeRoot" in root
    pages = _pdf_pages(path.with_suffix(".pdf"))
    assert len(pages) == len(reader.pages)
    header = {"".join(p.text.split()) for s in Document(str(path)).sections for p in s.header.paragraphs}
    last = [line for line in pages[-1].splitlines() if line.strip() and not re.fullmatch(r"\s*Side \d+( af \d+)?\s*",
            line) and "".join(line.split()) not in header]  # fmt: skip
    assert last, "the last page has only its header and footer"


@pytest.mark.parametrize("pact", list(OVERVIEWS))
def test_report_pdf_contents_has_the_page_numbers_of_the_headings(documents, pact):
    path = documents[pact]["report"]
    pages = _pdf_pages(path.with_suffix(".pdf"))
    toc_at = next(i for i, p in enumerate(pages) if re.search(r"^\s*Indhold\s*$", p, re.MULTILINE))
    before, _, listing = pages[toc_at].partition("Indhold")
    entries = re.findall(r"^\s*(\S.*?)\s*\.{4,}\s*(\d+)\s*$", listing, re.MULTILINE)
    doc = Document(str(path))
    headings = [p.text for p in doc.paragraphs if p.style.name in ("Heading 1", "Heading 2") and p.text.strip()]
    assert [title for title, _ in entries] == [" ".join(h.split()) for h in headings]
    body = [before if i == toc_at else (p if i > toc_at else "") for i, p in enumerate(pages)]
    def on(page_text: str, title: str) -> bool:  # a heading starts a line; a long one may wrap onto the next
        lines = [" ".join(line.split()) for line in page_text.splitlines()]
        return any(line == title or (title.startswith(line) and len(line) > 20 and "".join(title.split()) in
                   "".join(" ".join(lines[k:k + 3]).split())) for k, line in enumerate(lines))  # fmt: skip

    for title, page in entries:
        found = next(i for i, p in enumerate(body) if on(p, title))
        assert int(page) == found + 1, (title, page, found + 1)
    assert len(entries) >= 10


@pytest.mark.parametrize(("pact", "kind"), ALL)
def test_no_small_table_is_split_over_two_pages(documents, pact, kind):
    from pagt_xl.report.render import SMALL_TABLE_MM, SMALL_TABLE_ROWS, table_height_mm

    path = documents[pact][kind]
    pages = ["".join(p.split()) for p in _pdf_pages(path.with_suffix(".pdf"))]
    doc = Document(str(path))
    checked = 0
    for table in doc.tables:
        rows = table._tbl.findall(qn("w:tr"))
        if len(rows) > SMALL_TABLE_ROWS or table_height_mm(table._tbl) > SMALL_TABLE_MM or len(rows) < 2:
            continue
        # the longest word of the first and of the last row: a word never breaks inside a cell
        first = max((w for c in table.rows[0].cells for w in c.text.split()), key=len, default="")
        last = max((w for c in table.rows[-1].cells for w in c.text.split()), key=len, default="")
        assert any(first in page and last in page for page in pages), (first, last)
        checked += 1
    assert checked >= (3 if kind in ("report", "memo") else 0)


def test_report_draft_without_rejections_shows_no_funnel(tmp_path):
    """A list of grants only (Midtjylland's 59 projects): not "20 af 20 ansøgninger … 0 afslag"."""
    header = ["År", "Projekttitel", "Tema", "Afgørelse", "Støttebeløb"]
    rows = [[2019, f"Projekt nummer {n}", "Piger og STEM", "Tilsagn", 100_000 + n] for n in range(20)]
    path = write_workbook(tmp_path / "tilsagn.xlsx", {"Projekter": [header, *rows]})
    out = render_report(run_breakdowns(run_validation([path], load_pact("midtjylland"))), tmp_path / "r.docx",
                        report_date=DATE)  # fmt: skip
    doc = Document(str(out))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "Midtjysk Teknologipagt har udmøntet 2 mio. kr. i 2019. Støtten er gået til 20 projekter." in text
    assert "ansøgninger ud af" not in text and "afslag" not in text.lower()
    assert not any(t.rows[0].cells[0].text == "År" and t.rows[0].cells[2].text == "Afslag" for t in doc.tables)


def test_share_not_exactly_100_is_never_printed_as_100():
    from pagt_xl.report.context import share_text

    assert share_text(0.9996) == "99,96 %" and share_text(1.0) == "100 %" and share_text(0.18) == "18 %"
    assert share_text(0.99999) == "knap 100 %" and share_text(0.00001) == "under 0,01 %"
    assert share_text(1.0004) == "100,04 %" and share_text(0.0) == "0 %"
    for value in (0.9950, 0.99951, 0.999, 0.9995):
        assert share_text(value) != "100 %"


def test_the_2023_sample_utilisation_is_not_rounded_to_100(tmp_path):
    breakdowns = run_breakdowns(run_validation([OVERVIEWS["nordjylland"][0]], load_pact("nordjylland")))
    text = "\n".join(p.text for p in Document(str(render_report(breakdowns, tmp_path / "r.docx",
                                                                report_date=DATE))).paragraphs)  # fmt: skip
    assert "hvoraf 99,96 % er udmøntet" in text and "100 % er udmøntet" not in text


def test_rotating_themes_are_a_prompt_not_all_open(tmp_path):
    header = ["År", "Projekttitel", "Tema", "Afgørelse", "Støttebeløb"]
    rows = [[2021, "Før rotationen", "Piger og STEM", "Tilsagn", 300_000],
            [2022, "Efter rotationen", "Bæredygtighed", "Tilsagn", 300_000],
            [2022, "Afvist", "Kreativitet", "Afslag", None]]  # fmt: skip
    path = write_workbook(tmp_path / "m.xlsx", {"Projekter": [header, *rows]})
    out = render_report(run_breakdowns(run_validation([path], load_pact("midtjylland"))), tmp_path / "r.docx",
                        report_date=DATE)  # fmt: skip
    text = "\n".join(p.text for p in Document(str(out)).paragraphs)
    assert "[SKRIV: hvilke temaer der var åbne for ansøgninger i 2022]" in text
    assert "alle temaer været åbne" not in text


def test_a_small_table_at_the_foot_of_a_page_moves_whole_to_the_next(tmp_path):
    """The mechanism itself, in LibreOffice: a six-row table that straddles a page break without
    keep_small_tables_together is kept whole (with its caption) with it."""
    from docx.shared import Pt

    from pagt_xl.report.pdf import export_pdfs, soffice
    from pagt_xl.report.render import keep_small_tables_together

    if soffice() is None:
        pytest.skip("LibreOffice is not installed")

    def build(filler: int, keep: bool) -> Path:
        doc = Document()
        for n in range(filler):
            doc.add_paragraph(f"Fyldtekst nummer {n}.").paragraph_format.space_after = Pt(0)
        doc.add_paragraph("Tabel over små tal")
        table = doc.add_table(rows=6, cols=2)
        for i, row in enumerate(table.rows):
            row.cells[0].text, row.cells[1].text = f"Rækkenavn{i}", str(i)
        doc.add_paragraph("Efter tabellen.")
        if keep:
            keep_small_tables_together(doc)
        path = tmp_path / f"{'holdt' if keep else 'loes'}_{filler}.docx"
        doc.save(str(path))
        return path

    def pages(path: Path) -> list[str]:
        return ["".join(p.split()) for p in _pdf_pages(path.with_suffix(".pdf"))]

    def split(path: Path) -> bool:
        return not any("Rækkenavn0" in p and "Rækkenavn5" in p for p in pages(path))

    loose = [build(n, False) for n in range(30, 56)]  # where the page ends depends on the fonts: try a range
    export_pdfs(loose)
    straddling = [p for p in loose if split(p)]
    assert straddling, "no filler length puts the page break inside the table"
    filler = int(straddling[0].stem.split("_")[1])
    kept = build(filler, True)
    export_pdfs([kept])
    assert not split(kept)
    assert any("Tabeloversmåtal" in p and "Rækkenavn0" in p for p in pages(kept))  # the caption goes with it


# -- --pdf on the command line ----------------------------------------------------------------------------------
def test_pdf_option_of_report_memo_and_letters(cli, tmp_path):
    from pypdf import PdfReader

    from pagt_xl.report.pdf import soffice

    if soffice() is None:
        pytest.skip("LibreOffice is not installed")
    sample = WORKBOOKS / "nordjylland_runde_2024_afgjort.xlsx"
    report = tmp_path / "rapport.docx"
    r = cli("report", OVERVIEWS["nordjylland"][0], "--out", report, "--pdf", "--date", "2024-02-15")
    assert r.returncode == 0 and f"PDF skrevet: {report.with_suffix('.pdf')}" in r.stdout
    memo = tmp_path / "notat.docx"
    r = cli("indstilling", WORKBOOKS / "nordjylland_runde_2024.xlsx", "--year", "2024", "--out", memo, "--pdf",
            "--sagsnr", "24/9999")  # fmt: skip
    assert r.returncode == 0 and memo.with_suffix(".pdf").exists()
    folder = tmp_path / "breve"
    r = cli("breve", sample, "--year", "2024", "--out", folder, "--udkast", "--pdf")
    assert r.returncode == 0
    pdfs = sorted(folder.glob("*.pdf"))
    assert len(pdfs) == len(list(folder.glob("*.docx"))) == 11
    for pdf in [report.with_suffix(".pdf"), memo.with_suffix(".pdf"), *pdfs]:
        root = PdfReader(str(pdf)).trailer["/Root"]
        assert root["/Lang"] == "da-DK" and root["/MarkInfo"]["/Marked"], pdf.name
    assert "24/9999" in _pdf_pages(memo.with_suffix(".pdf"))[0]


def test_pdf_without_libreoffice_is_refused_in_danish_before_any_work(cli, tmp_path, monkeypatch):
    monkeypatch.setenv("PAGT_XL_SOFFICE", str(tmp_path / "ingen-libreoffice"))
    out = tmp_path / "rapport.docx"
    r = cli("report", OVERVIEWS["nordjylland"][0], "--out", out, "--pdf")
    assert r.returncode == 2 and "--pdf kræver LibreOffice" in r.stderr and not out.exists()
    r = cli("breve", WORKBOOKS / "nordjylland_runde_2024_afgjort.xlsx", "--year", "2024", "--out", tmp_path / "b",
            "--pdf")  # fmt: skip
    assert r.returncode == 2 and "--pdf kræver LibreOffice" in r.stderr and not (tmp_path / "b").exists()
