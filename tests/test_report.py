"""Word status-report drafts: golden text and tables, LibreOffice, template edits and safety."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import HEADER, ROOT, WORKBOOKS, write_workbook
from docx import Document
from docx.shared import Pt

from pagt_xl import load_pact, run_validation
from pagt_xl.base.errors import ErrorCode
from pagt_xl.core.tables import UnderspendNote
from pagt_xl.pipeline import run_breakdowns
from pagt_xl.report import (
    TemplateProblem,
    build_context,
    check_template,
    default_template,
    nested_variables,
    render_report,
    template_variables,
    used_variables,
)

NORD_FILE = WORKBOOKS / "nordjylland_ansoegninger_2019-2023.xlsx"
MIDT_FILE = WORKBOOKS / "midtjylland_projekter_2018.xlsx"
sys.path.insert(0, str(ROOT / "scripts"))
GOLDEN_DIR = ROOT / "tests" / "data" / "golden"
DATE = dt.date(2024, 2, 15)
SAMPLES = {"nordjylland": NORD_FILE, "midtjylland": MIDT_FILE}
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@pytest.fixture(scope="module")
def nord_breakdowns():
    return run_breakdowns(run_validation([NORD_FILE], load_pact("nordjylland")))


def extract(path: Path) -> dict[str, object]:
    """What a reader sees: headings, paragraph text (in order) and tables (cell text)."""
    doc = Document(str(path))
    paragraphs = [p.text for p in doc.paragraphs if p.text.strip()]
    headings = [p.text for p in doc.paragraphs if p.style.name.startswith("Heading") and p.text.strip()]
    tables = [[[c.text for c in row.cells] for row in t.rows] for t in doc.tables]
    header = [p.text for p in doc.sections[0].header.paragraphs]
    return {
        "headings": headings,
        "paragraphs": paragraphs,
        "tables": tables,
        "header": header,
        "title": doc.core_properties.title,
        "images": len(doc.inline_shapes),
    }


@pytest.mark.parametrize("pact", sorted(SAMPLES))
def test_golden(tmp_path, pact, update_golden):
    """Both pacts' drafts, read back with python-docx, against their golden text and tables."""
    breakdowns = run_breakdowns(run_validation([SAMPLES[pact]], load_pact(pact)))
    out = render_report(breakdowns, tmp_path / "rapport.docx", report_date=DATE)
    got = extract(out)
    GOLDEN = GOLDEN_DIR / f"statusrapport_{pact}.json"
    if update_golden or not GOLDEN.exists():
        GOLDEN.write_text(json.dumps(got, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        if not update_golden:
            pytest.fail(f"golden file was missing and has been written: {GOLDEN}; check it and commit it")
    expected = json.loads(GOLDEN.read_text(encoding="utf-8"))
    assert got["headings"] == expected["headings"]
    assert got["tables"] == expected["tables"]
    assert got == expected


def test_draft_figures_and_key_sentences(tmp_path, nord_breakdowns):
    got = extract(render_report(nord_breakdowns, tmp_path / "r.docx", report_date=DATE))
    text = "\n".join(got["paragraphs"])
    assert (
        "Nordjysk Teknologipagt har udmøntet 23,23 mio. kr. siden 2019. "
        "I alt har 27 ansøgninger ud af samlet 48 modtaget støtte." in text
    )
    assert "mens det største har et budget på 4,2 mio. kr." in text
    assert "KLADDE – dannet 15. februar 2024 af pagt_xl" in text
    assert got["title"] == "Nordjysk Teknologipagt – Statusrapport 2019-2023"
    assert "KLADDE" in got["header"][0]
    assert got["images"] == 10  # themes, types, years, partners, target groups, instruments, 4 themes' instruments
    for heading in SEED_CHAPTERS:
        assert heading in got["headings"], heading
    assert [h for h in got["headings"] if h in SEED_CHAPTERS] == list(SEED_CHAPTERS)  # the seed's order
    assert [f"Udmøntning {y}" for y in (2023, 2022, 2021, 2020, 2019)] == [
        h for h in got["headings"] if h.startswith("Udmøntning 20")
    ]
    funnel = next(t for t in got["tables"] if t[0][:4] == ["År", "Ansøgninger", "Afslag", "Tilsagn"])
    assert [r[:4] for r in funnel[1:]] == [
        ["2019", "10", "6", "4"],
        ["2020", "13", "8", "5"],
        ["2021", "8", "1", "7"],
        ["2022", "4", "1", "3"],
        ["2023", "13", "5", "8"],
        ["I alt", "48", "21", "27"],
    ]
    framework = next(t for t in got["tables"] if t[0][1] == "Økonomisk ramme")
    assert framework[0] == [
        "År",
        "Økonomisk ramme",
        "Prioriteret runde",
        "Åben runde",
        "Småprojekter",
        "Bevilget i alt",
        "Udnyttelse",
        "Kumuleret udmøntning",
    ]
    assert framework[-1][0] == "I alt" and framework[-1][5] == "23.231.178" and framework[-1][7] == "23.231.178"
    themes = next(t for t in got["tables"] if t[0][0] == "Indsatsområde")
    assert themes[-1] == ["I alt", "27", "23.231.178 kr.", "100 %"]
    assert sum(int(r[3].rstrip(" %")) for r in themes[1:-1]) == 100
    n = len(nord_breakdowns.checks)
    assert f"{n} kontroller: {n} OK, 0 afviger." in text
    assert not any(t[0][0] == "Kontrol, der afviger" for t in got["tables"])  # passed checks: one line only
    assert "I 2023 blev det desuden besluttet at afprøve en ny udmøntningsform" in text
    assert "mens det i 2021 kun var muligt at søge under 2. Flere piger og kvinder i STEM og 3." in text
    assert "[SKRIV: " in text  # the writing prompts


#: the seed report's chapters and sections, in its order (seed 004_…)
SEED_CHAPTERS = (
    "Statusrapporten",
    "Introduktion",
    "Partnerskabet bag Nordjysk Teknologipagt",
    "Aktiviteter i Nordjysk Teknologipagt",
    "Strategiske projekter",
    "Økonomiske nøgletal",
    "Udmøntningen 2019-2023",
    "Indsatsområderne",
    "Projektpartnerne",
    "Projekternes målgrupper",
    "Læring fra projekterne",
    "Læringsgrundlaget",
    "Hvad har vi lært?",
    "Hvilke virkemidler bruges oftest?",
    "Fremdrift i igangværende projekter",
    "Vurdering af fremdrift",
    "Støttede projekter 2019-2023",
)


def test_midtjylland_reads_as_midtjylland(tmp_path):
    """No types, rounds, framework, partners or statuses: those parts are left out, not shown empty.

    Midtjylland's own words ("tema"), its own hints, and "Nationalt udbud" as a funding channel apart from the
    nine themes: no Nordjylland text anywhere.
    """
    validation = run_validation([MIDT_FILE], load_pact("midtjylland"))
    assert not validation.has_errors  # "Nationalt udbud" is the pact's own category (seed 000_…)
    got = extract(render_report(run_breakdowns(validation), tmp_path / "m.docx", report_date=DATE))
    text = "\n".join(got["paragraphs"])
    assert "Midtjysk Teknologipagt har udmøntet 9,4 mio. kr. i 2018." in text
    assert "Fra 2022 udvælges" not in text  # a dated paragraph of the pact file, not true in 2018
    everything = json.dumps(got, ensure_ascii=False)
    for nord in ("Nordjy", "nordjy", "Nordjylland", "Science Dyst", "Piger og kvinder er mindre", "seed"):
        assert nord not in everything, nord
    assert "indsatsområde" not in everything.lower()  # Midtjylland says "tema"
    for absent in ("Projekttyper", "Projekternes målgrupper", "Fremdrift i igangværende projekter", "Nationalt udbud"):
        assert absent not in got["headings"]  # a funding channel has no learning section
    assert "Temaerne" in got["headings"] and "Målopfølgning" in got["headings"]
    assert not any(t[0][:2] == ["År", "Økonomisk ramme"] for t in got["tables"])  # no framework in the data
    projects = next(t for t in got["tables"] if t[0][:2] == ["År", "Projekttitel"])
    assert projects[0] == ["År", "Projekttitel", "Tema", "Støttebeløb"]  # no empty resumé/type columns
    themes = next(t for t in got["tables"] if t[0][0] == "Tema")
    assert themes[-2][:3] == ["Nationalt udbud (finansieringskanal)", "1", "2.500.000 kr."]
    assert sum(int(r[3].rstrip(" %")) for r in themes[1:-1]) == 100
    intro = next(i for i, p in enumerate(got["paragraphs"]) if "har haft følgende temaer" in p)
    bullets = got["paragraphs"][intro + 1 :][:10]
    assert "Nationalt udbud" not in bullets and len([b for b in bullets if b in THEMES_MIDT]) == 9
    assert got["images"] == 1  # the theme chart only: no one-bar framework chart
    assert "Aktiviteter i Midtjysk Teknologipagt" in got["headings"]


THEMES_MIDT = {t.name for t in load_pact("midtjylland").themes if not t.channel}


def test_midtjylland_2023_has_the_focus_theme_paragraph(tmp_path, midt):
    rows = [HEADER, [2023, "M1", "", "Fokusprojekt", "Bæredygtighed", "", 300_000, "Tilsagn", 300_000]]
    path = write_workbook(tmp_path / "m.xlsx", {"Ark": rows})
    ctx = build_context(run_breakdowns(run_validation([path], midt)), report_date=DATE)
    assert any(p.startswith("Fra 2022 udvælges årligt 1-2 tematikker") for p in ctx.introduction)


def test_rows_left_out_are_named_with_count_and_amount(tmp_path, nord):
    rows = [
        HEADER,
        [2020, "A1", "Åben runde", "Godt projekt", "1. De potentielle STEM'ere", "Motiverende", 200_000, "Tilsagn",
         200_000],
        [2020, "A2", "Åben runde", "Ukendt tema", "Nationalt udbud", "Motiverende", 2_500_000, "Tilsagn", 2_500_000],
    ]  # fmt: skip
    path = write_workbook(tmp_path / "o.xlsx", {"Ark": rows})
    breakdowns = run_breakdowns(run_validation([path], nord))
    got = extract(render_report(breakdowns, tmp_path / "r.docx", report_date=DATE))
    text = "\n".join(got["paragraphs"])
    assert "1 bevilling på 2,5 mio. kr. (”Ukendt tema”) indgår ikke i tallene" in text
    assert "har udmøntet 200.000 kr." in text
    issues = next(t for t in got["tables"] if t[0][:3] == ["Type", "Kilde", "Fil › ark › celle"])
    assert ["Fejl", "Projektmappe", "o.xlsx › Ark › E3"] in [r[:3] for r in issues[1:]]


def test_appendix_lists_warnings_and_budget_errors_with_cells(tmp_path, nord_breakdowns):
    from pagt_xl.ingest.budget import review_budgets

    validation = nord_breakdowns.validation
    review = review_budgets([WORKBOOKS / "budgetter"], validation.pact, validation.table, as_of=dt.date(2023, 12, 31))
    got = extract(
        render_report(nord_breakdowns, tmp_path / "r.docx", report_date=DATE, budget_issues=review.issues,
                      underspend=review.underspend, as_of=dt.date(2023, 12, 31))
    )  # fmt: skip
    issues = next(t for t in got["tables"] if t[0][:3] == ["Type", "Kilde", "Fil › ark › celle"])
    rows = [r[:3] for r in issues[1:]]
    # the two theme-1 grants of 2021, when only themes 2 and 3 were open
    assert ["Advarsel", "Projektmappe", "nordjylland_ansoegninger_2019-2023.xlsx › Ansøgninger › E34"] in rows
    assert ["Advarsel", "Projektmappe", "nordjylland_ansoegninger_2019-2023.xlsx › Ansøgninger › E38"] in rows
    budget = {(r[0], r[2]) for r in rows if r[1] == "Budget"}
    expected = {
        (("Fejl" if i.severity == "error" else "Advarsel"), i.location().rsplit("/", 1)[-1])
        for i in review.issues
        if i.severity in ("error", "warning")
    }
    assert budget == expected and len(budget) >= 4  # operations costs, lines that don't add up, unreadable file
    assert any(place.endswith("› C26") for _, place in budget)  # cells, not just files
    text = "\n".join(got["paragraphs"])
    assert "Risikoen for underforbrug er vurderet pr. 31. december 2023." in text
    errors = sum(1 for r in rows if r[0] == "Fejl")
    assert rows[:errors] == [r for r in rows if r[0] == "Fejl"]  # errors first
    ongoing = next(t for t in got["tables"] if t[0][0] == "Projekt")
    risk = {r[0].split(" v/ ")[0]: r[4] for r in ongoing[1:]}
    assert risk["Talstærk 2,0"] == "Budgettet kunne ikke læses – se bilaget"  # not "-", as if it had none
    assert risk["Makerspace"] == "-"


def test_cli_report_as_of_dates_the_underspend(tmp_path, cli):
    out = tmp_path / "r.docx"
    result = cli("report", NORD_FILE, "--pact", "nordjylland", "--date", "2024-02-15", "--as-of", "2023-06-30",
                 "--budgets", WORKBOOKS / "budgetter", "--out", out)  # fmt: skip
    assert result.returncode == 0, result.stderr  # the overview has no errors; budget faults go to the appendix
    text = "\n".join(extract(out)["paragraphs"])
    assert "Risikoen for underforbrug er vurderet pr. 30. juni 2023." in text
    ongoing = next(t for t in extract(out)["tables"] if t[0][0] == "Projekt")
    by_title = {r[0].split(" v/ ")[0]: r[4] for r in ongoing[1:]}
    samarbejde = "Samarbejdsmodel om kompetenceudvikling indenfor digital transformation"
    # the project runs 2022-01-01..2024-12-31 in its budget: by 30 June 2023 half the period has gone
    assert by_title[samarbejde] == "Ja – forbrugt 20 % af bevillingen, men 50 % af projektperioden er gået"
    default = tmp_path / "d.docx"
    cli("report", NORD_FILE, "--pact", "nordjylland", "--date", "2024-02-15", "--budgets", WORKBOOKS / "budgetter",
        "--out", default)  # fmt: skip
    assert "Risikoen for underforbrug er vurderet pr. 31. december 2023." in "\n".join(extract(default)["paragraphs"])


def test_same_input_same_text(tmp_path):
    """Two runs that each read the inputs from their own file copy give the same text and tables."""
    drafts = []
    for run in ("a", "b"):
        folder = tmp_path / run
        folder.mkdir()
        copy = shutil.copy(NORD_FILE, folder / NORD_FILE.name)
        validation = run_validation([copy], load_pact("nordjylland"))
        drafts.append(extract(render_report(run_breakdowns(validation), folder / "r.docx", report_date=DATE)))
    assert drafts[0] == drafts[1]
    assert "23.231.178" in str(drafts[0]["tables"])  # the figures are there, not two empty drafts


def test_draft_opens_in_libreoffice_with_key_totals(libreoffice_pdfs):
    pdftotext = shutil.which("pdftotext")
    if pdftotext is None:
        pytest.skip("pdftotext missing (scripts/install-system-deps installs it with apt-get)")
    pdf = libreoffice_pdfs["rapport"]
    assert pdf.exists()
    text = subprocess.run([pdftotext, "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    for needle in ("KLADDE", "23,23 mio. kr.", "23.231.178", "Statusrapport 2019-2023", "Side 1 af"):
        assert needle in text, needle


def _body_paragraph(doc, text):
    return next(p for p in doc.paragraphs if p.text == text)


def test_staff_can_edit_the_template(tmp_path, nord_breakdowns):
    """Add a paragraph using a variable, and move the introduction after the key figures: still renders."""
    doc = Document(str(default_template()))
    intro = _body_paragraph(doc, "Introduktion")
    new = intro.insert_paragraph_before("Skrevet af sekretariatet. I alt: {{ granted_total }}")
    new.runs[0].font.size = Pt(12)
    # move the introduction section (heading + loop paragraphs) to just before "Læring fra projekterne"
    body = doc.element.body
    start = body.index(intro._p)
    section = list(body)[start : start + 4]  # heading, {%p for %}, {{ para }}, {%p endfor %}
    target = _body_paragraph(doc, "Læring fra projekterne")._p
    for el in section:
        target.addprevious(el)
    template = tmp_path / "egen.docx"
    doc.save(str(template))
    got = extract(render_report(nord_breakdowns, tmp_path / "r.docx", template=template, report_date=DATE))
    assert "Skrevet af sekretariatet. I alt: 23.231.178 kr." in got["paragraphs"]
    h = got["headings"]
    assert h.index("Økonomiske nøgletal") < h.index("Introduktion") < h.index("Læring fra projekterne")


def _template_with(
    tmp_path: Path, body: str = "", header: str = "", title: str = "", footer: str = "", comments: str = ""
) -> Path:
    doc = Document(str(default_template()))
    if body:
        doc.add_paragraph(body)
    if header:
        doc.sections[0].header.paragraphs[0].add_run(header)
    if footer:
        doc.sections[0].footer.paragraphs[0].add_run(footer)
    if title:
        doc.core_properties.title = title
    if comments:
        doc.core_properties.comments = comments
    path = tmp_path / "skabelon.docx"
    doc.save(str(path))
    return path


def test_unknown_variables_are_named_before_rendering(tmp_path, nord_breakdowns):
    template = _template_with(tmp_path, body="{{ tilskud_i_alt }} og {{ pact_name }}", header="{{ regionsnavn }}")
    out = tmp_path / "r.docx"
    with pytest.raises(TemplateProblem) as info:  # the names staff must fix, and where they are
        render_report(nord_breakdowns, out, template=template, report_date=DATE)
    assert info.value.code is ErrorCode.TEMPLATE_UNKNOWN_VARIABLE
    assert "'regionsnavn' (sidehovedet, afsnit 1)" in str(info.value)
    assert "'tilskud_i_alt' (afsnit " in str(info.value)
    assert not out.exists()


@pytest.mark.parametrize(
    "where",
    ["body", "header", "footer", "title", "comments"],
)
def test_malicious_template_fails_clearly_and_runs_no_code(tmp_path, nord_breakdowns, where):
    payload = "{{ pact_name.__class__.__mro__[1].__subclasses__() }}"
    template = _template_with(tmp_path, **{where: payload})
    out = tmp_path / "r.docx"
    with pytest.raises(TemplateProblem) as info:
        render_report(nord_breakdowns, out, template=template, report_date=DATE)
    assert info.value.code is ErrorCode.TEMPLATE_UNSAFE
    assert not out.exists()


def test_template_cannot_call_or_import(tmp_path, nord_breakdowns):
    for payload in ("{{ cycler.__init__.__globals__.os }}", "{% import 'os' as os %}", "{{ lipsum.__globals__ }}"):
        template = _template_with(tmp_path, body=payload)
        with pytest.raises(TemplateProblem):
            render_report(nord_breakdowns, tmp_path / "r.docx", template=template, report_date=DATE)


def test_applicant_text_comes_out_literally(tmp_path, nord):
    title = 'R&D <robotter> "STEM" \'22 & x < y > z v/ Aalborg Tech & Co'
    rows = [
        HEADER,
        [2020, "A1", "Åben runde", title, "1. De potentielle STEM'ere", "Motiverende", 200_000, "Tilsagn", 200_000],
    ]
    path = write_workbook(tmp_path / "o.xlsx", {"Ark": rows})
    breakdowns = run_breakdowns(run_validation([path], nord))
    got = extract(render_report(breakdowns, tmp_path / "r.docx", report_date=DATE))
    projects = next(t for t in got["tables"] if t[0][:2] == ["År", "Projekttitel"])
    assert projects[1][1] == 'R&D <robotter> "STEM" \'22 & x < y > z v/ Aalborg Tech & Co'


def test_every_template_variable_is_described_and_known():
    variables = template_variables()
    assert all(text.strip() for text in variables.values())
    for fields in nested_variables().values():
        assert all(text.strip() for text in fields.values())
    assert used_variables(default_template()) <= set(variables)


def test_context_is_pure_and_danish(nord_breakdowns):
    ctx = build_context(nord_breakdowns, report_date=DATE)
    assert ctx.report_date == "15. februar 2024"
    assert ctx.granted_total == "23.231.178 kr." and ctx.granted_millions == "23,23 mio. kr."
    assert ctx.period == "2019-2023" and ctx.round_names == ["Prioriteret runde", "Åben runde", "Småprojekter"]
    titles = [p.title for p in ctx.grant_years[0].projects]
    assert titles == sorted(titles, key=lambda t: t.casefold().replace("æ", "{").replace("ø", "|").replace("å", "}"))


def test_underspend_notes_are_formatted_in_the_progress_table(nord_breakdowns):
    underspend = {
        "2022-03": UnderspendNote(at_risk=True, spent_share=0.2, elapsed_share=1.0),
        # no note under its case number (2022-04): found by title
        "Talstærk - du kan mere med matematik": UnderspendNote(at_risk=False, spent_share=0.97, elapsed_share=0.5),
        "2023-05": UnderspendNote(at_risk=True, spent_share=0.05),  # a budget without a period
    }
    ctx = build_context(nord_breakdowns, report_date=DATE, underspend=underspend)
    notes = {o.title.split(" v/ ")[0]: o.underspend for o in ctx.ongoing}
    assert notes["Samarbejdsmodel om kompetenceudvikling indenfor digital transformation"] == (
        "Ja – forbrugt 20 % af bevillingen, men 100 % af projektperioden er gået"
    )
    assert notes["Talstærk - du kan mere med matematik"] == "Nej (forbrugt 97 %)"
    assert notes["LamSTEM Nord+"] == "Ja – forbrugt 5 % af bevillingen"
    assert notes["Makerspace"] == "-"
    assert sum(text != "-" for text in notes.values()) == 3


def test_template_build_is_reproducible(tmp_path):
    from make_template import build

    for name in ("a.docx", "b.docx"):
        build(tmp_path / name)
    assert (tmp_path / "a.docx").read_bytes() == (tmp_path / "b.docx").read_bytes()
    assert (tmp_path / "a.docx").read_bytes() == default_template().read_bytes(), "run scripts/make_template.py"


def test_a_template_edited_after_it_passed_is_checked_again(tmp_path):
    template = _template_with(tmp_path, body="{{ pact_name }}")
    check_template(template)
    edited = _template_with(tmp_path, body="{{ tilskud_i_alt }}")  # the same file, saved again
    assert edited == template
    with pytest.raises(TemplateProblem) as info:
        check_template(template)
    assert info.value.code is ErrorCode.TEMPLATE_UNKNOWN_VARIABLE


# -- Word craft -----------------------------------------------------------------------------------
def _xml(path: Path, part: str) -> str:
    import zipfile

    with zipfile.ZipFile(path) as z:
        return z.read(part).decode("utf-8")


@pytest.fixture(scope="module")
def nord_draft(tmp_path_factory, nord_breakdowns) -> Path:
    return render_report(nord_breakdowns, tmp_path_factory.mktemp("draft") / "r.docx", report_date=DATE)


def test_draft_is_danish_and_not_marked_as_spell_checked(nord_draft):
    import re

    styles = _xml(nord_draft, "word/styles.xml")
    langs = set(re.findall(r'<w:lang w:val="([^"]+)"', styles))
    assert langs == {"da-DK"}
    assert styles.count('w:val="da-DK"') >= 10  # every style, not only the defaults
    for part in ("word/document.xml", "word/styles.xml", "word/settings.xml"):
        xml = _xml(nord_draft, part)
        assert "proofState" not in xml and "noProof" not in xml, part
        assert "en-US" not in xml, part


def test_tables_rows_do_not_split_headers_repeat_totals_bold(nord_draft):
    doc = Document(str(nord_draft))
    assert len(doc.tables) > 10
    for table in doc.tables:
        rows = table._tbl.findall(f"{W}tr")
        for tr in rows:
            assert tr.find(f"{W}trPr/{W}cantSplit") is not None
        assert rows[0].find(f"{W}trPr/{W}tblHeader") is not None
    totals = [t for t in doc.tables if t.rows[-1].cells[0].text == "I alt"]
    assert len(totals) >= 4
    for t in totals:
        assert all(r.bold for c in t.rows[-1].cells for p in c.paragraphs for r in p.runs if r.text.strip())


def test_column_widths_fit_the_longest_word(nord_draft):
    from pagt_xl.report.render import TEXT_WIDTH_MM, _text_mm

    doc = Document(str(nord_draft))
    types = next(t for t in doc.tables if t.rows[0].cells[0].text == "År" and len(t.columns) == 5
                 and t.rows[0].cells[4].text == "Type")  # fmt: skip
    widths = [int(g.get(f"{W}w")) / 56.7 for g in types._tbl.find(f"{W}tblGrid").findall(f"{W}gridCol")]
    assert sum(widths) <= TEXT_WIDTH_MM + 0.5
    word = "Kompetenceopbyggende"
    assert any(c.text == word for r in types.rows for c in r.cells)
    assert widths[4] >= _text_mm(word, False, 8.5)  # measured in a font wider than Calibri


@pytest.fixture(scope="module")
def round_memo(tmp_path_factory) -> Path:
    from pagt_xl.pipeline import run_memo

    out = tmp_path_factory.mktemp("memo") / "notat.docx"
    run_memo(load_pact("nordjylland"), 2024, inputs=[WORKBOOKS / "nordjylland_runde_2024.xlsx"], out=out,
             report_date=DATE)  # fmt: skip
    return out


@pytest.mark.parametrize(("document", "at_least"), [("nord_draft", 500), ("round_memo", 150)])
def test_no_word_is_wider_than_its_column_in_any_table(request, document, at_least):
    from pagt_xl.report.render import _text_mm

    doc = Document(str(request.getfixturevalue(document)))
    checked = 0
    for table in doc.tables:
        widths = [int(g.get(f"{W}w")) / 56.7 for g in table._tbl.find(f"{W}tblGrid").findall(f"{W}gridCol")]
        size = int(next(table._tbl.iter(f"{W}sz")).get(f"{W}val")) / 2
        for i, row in enumerate(table.rows):
            for width, cell in zip(widths, row.cells, strict=True):
                bold = i == 0 or any(r.bold for p in cell.paragraphs for r in p.runs)
                for word in cell.text.split():
                    assert _text_mm(word, bold, size) + 3 <= width, (word, width)  # 3 mm: the cell's margins
                    checked += 1
    assert checked > at_least


def test_table_of_contents_shows_headings_before_word_updates_it(nord_draft):
    doc = Document(str(nord_draft))
    body = doc.element.body
    instr = [i for i in body.iter(f"{W}instrText") if i.text.strip().startswith("TOC")]
    assert len(instr) == 1  # still a real TOC field Word can update
    shown = [p.text for p in doc.paragraphs if p.style.name.startswith("toc ")]
    headings = [p.text for p in doc.paragraphs if p.style.name in ("Heading 1", "Heading 2") and p.text.strip()]
    assert shown == headings and "Økonomiske nøgletal" in shown
    kinds = [c.get(f"{W}fldCharType") for c in body.iter(f"{W}fldChar")]
    assert kinds.count("begin") == kinds.count("end")


def test_every_chart_has_alt_text_and_readable_fonts(nord_draft):
    from pagt_xl.report.charts import DPI, FONT_SIZE

    doc = Document(str(nord_draft))
    shapes = list(doc.inline_shapes)
    assert len(shapes) == 10
    for shape in shapes:
        doc_pr = shape._inline.docPr
        assert doc_pr.get("descr", "").startswith("Søjlediagram: "), doc_pr.get("name")
        blob = doc.part.related_parts[shape._inline.graphic.graphicData.pic.blipFill.blip.embed].blob
        pixels = int.from_bytes(blob[16:20], "big")
        shown_inches = shape.width / 914400
        assert pixels / shown_inches >= 200  # 200 dpi as placed
        scale = shown_inches / (pixels / DPI)
        assert FONT_SIZE * scale >= 10.5 * 0.8  # no chart text under 80 % of the body text
    themes = next(s for s in shapes if "indsatsområder" in s._inline.docPr.get("descr"))
    assert "1. De potentielle STEM'ere 14,83 mio. kr. (64 %)" in themes._inline.docPr.get("descr")


def _pdf_pages(pdf: Path) -> list[str]:
    pdftotext = shutil.which("pdftotext")
    if pdftotext is None:
        pytest.skip("pdftotext missing (scripts/install-system-deps installs it with apt-get)")
    text = subprocess.run([pdftotext, "-raw", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return text.split("\f")


@pytest.mark.parametrize("name", ["rapport", "rapport_midt"])
def test_libreoffice_render_lists_chapters_and_keeps_rows_whole(libreoffice_pdfs, name):
    """In the PDF: the table of contents lists the chapters, and no table row is split across two pages."""
    pages = _pdf_pages(libreoffice_pdfs[name])
    doc = Document(str(libreoffice_pdfs[f"{name}.docx"]))
    chapters = [p.text for p in doc.paragraphs if p.style.name == "Heading 1" and p.text.strip()]
    toc_page = next(p for p in pages if "Indhold" in p)
    listed = toc_page[toc_page.index("Indhold") :]
    assert all(c in listed for c in chapters), chapters
    squeezed = ["".join(p.split()) for p in pages]
    checked = 0
    for table in doc.tables:
        for row in table.rows[1:]:
            cell = "".join(row.cells[0].text.split())
            if len(cell) < 8:
                continue
            assert any(cell in page for page in squeezed), row.cells[0].text  # the whole cell on one page
            checked += 1
    assert checked >= (20 if name == "rapport" else 5)


# -- template faults in Danish, with the paragraph (issue 24) --------------------------------------------------
def _edited_template(tmp_path: Path, edit, source: Path | None = None, name: str = "egen.docx") -> Path:
    doc = Document(str(source or default_template()))
    edit(doc)
    path = tmp_path / name
    doc.save(str(path))
    return path


def _drop(doc, text: str, nth: int = 0) -> None:
    p = [p for p in doc.paragraphs if p.text == text][nth]
    p._p.getparent().remove(p._p)


ENGLISH = ("unexpected", "expected", "undefined", "Encountered", "template", "tag")


def _danish_only(message: str) -> str:
    """The message without the template's own path (which may hold English words), for the language check."""
    return message.split(": ", 1)[1]


def test_a_deleted_endif_is_named_with_its_paragraph(tmp_path):
    def edit(doc):
        opening = next(i for i, p in enumerate(doc.paragraphs) if p.text == "{%p if sentences.excluded %}")
        end = next(p for p in doc.paragraphs[opening:] if p.text == "{%p endif %}")
        end._p.getparent().remove(end._p)

    template = _edited_template(tmp_path, edit)
    with pytest.raises(TemplateProblem) as info:
        check_template(template)
    message = str(info.value)
    assert message.startswith(str(template)) and info.value.code is ErrorCode.TEMPLATE_INVALID
    assert "«{%p if sentences.excluded %}»" in message and "afsnit " in message
    assert "under overskriften 'Udmøntningen {{ period }}'" in message and "{%p endif %}" in message
    assert not any(word in _danish_only(message) for word in ENGLISH), message


def test_a_stray_endfor_and_a_broken_expression_are_named(tmp_path):
    def stray(doc):
        doc.add_paragraph("{%p endfor %}")

    with pytest.raises(TemplateProblem) as info:
        check_template(_edited_template(tmp_path, stray, name="a.docx"))
    assert "lukker en blok, der aldrig er åbnet" in str(info.value) and "«{%p endfor %}»" in str(info.value)

    def broken(doc):
        doc.add_paragraph("I alt: {{ granted_total | }}")

    with pytest.raises(TemplateProblem) as info:
        check_template(_edited_template(tmp_path, broken, name="b.docx"))
    message = str(info.value)
    assert "«I alt: {{ granted_total | }}»" in message and "afsnit " in message
    assert not any(word in _danish_only(message) for word in ENGLISH), message


def test_unknown_fields_inside_records_and_loops_are_found(tmp_path, cli):
    def typo(doc):
        doc.add_paragraph("{{ sentences.totale }}")
        doc.add_paragraph("{%p for t in themes %}")
        doc.add_paragraph("{{ t.labl }} og {{ t.label }}")
        doc.add_paragraph("{%p endfor %}")

    template = _edited_template(tmp_path, typo)
    r = cli("template-vars", "--template", template)
    assert r.returncode == 2 and "'sentences.totale' (afsnit" in r.stderr and "'t.labl' (afsnit" in r.stderr
    assert "'t.label'" not in r.stderr  # a known field of the loop's items
    out = tmp_path / "r.docx"
    r = cli("report", NORD_FILE, "--template", template, "--out", out)
    assert r.returncode == 2 and "sentences.totale" in r.stderr and not out.exists()
    assert not any(word in r.stderr.split(": ", 2)[2] for word in ("undefined", "has no attribute"))
    assert cli("template-vars", "--template", default_template()).returncode == 0


@pytest.mark.parametrize(("kind", "name"), [("indstilling", "indstillingsnotat.docx"), ("brev", "brev_tilsagn.docx"),
                                            ("brev", "brev_afslag.docx")])  # fmt: skip
def test_memo_and_letter_templates_are_checked_as_deeply(tmp_path, cli, kind, name):
    source = ROOT / "pagt_xl" / "templates" / name
    assert cli("template-vars", "--kind", kind, "--template", source).returncode == 0
    template = _edited_template(tmp_path, lambda doc: doc.add_paragraph("{{ words.ones }}{{ reasons.x }}"), source)
    r = cli("template-vars", "--kind", kind, "--template", template)
    assert r.returncode == 2 and ("words.ones" in r.stderr or "'words'" in r.stderr)


def test_staff_reword_a_key_sentence_in_word(tmp_path, nord_breakdowns):
    """The key sentences are Jinja text in the template: reworded in Word, they come out with the figures."""

    def reword(doc):
        p = next(p for p in doc.paragraphs if p.text.startswith("{{ pact_name }} har udmøntet"))
        for run in p.runs[1:]:
            run._r.getparent().remove(run._r)
        p.runs[0].text = ("Siden {{ facts.since | replace('siden ', '') }} er der i alt givet {{ facts.granted }} "
                          "til {{ facts.granted_count }} projekter.")

    template = _edited_template(tmp_path, reword)
    got = extract(render_report(nord_breakdowns, tmp_path / "r.docx", template=template, report_date=DATE))
    assert "Siden 2019 er der i alt givet 23,23 mio. kr. til 27 projekter." in got["paragraphs"]
    assert not any("har udmøntet" in p for p in got["paragraphs"])
