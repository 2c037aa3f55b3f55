"""Build pagt_xl/templates/statusrapport.docx: the Word template of the status-report draft.

Run: .venv/bin/python scripts/make_template.py [--out FILE]

The result is a plain Word document that staff can open and edit in Word:
cover with the pact's name and period, a visible draft mark (KLADDE), a table
of contents that Word refreshes on open, heading styles, a table style
("Pagt Tabel"), page numbers, and Jinja placeholders (docxtpl) for every
figure. The build is reproducible: same script → same bytes.

Placeholders follow docxtpl: ``{{ x }}`` in text, ``{%p ... %}`` on a
paragraph of its own, ``{%tr ... %}`` in a table row of its own and
``{%tc ... %}`` in a table cell of its own (repeated columns). The variables
are listed by ``pagt-xl template-vars``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import sys
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_COLOR_INDEX
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Mm, Pt, RGBColor

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
from _reproducible import fixed_zip  # noqa: E402

OUT = ROOT / "pagt_xl" / "templates" / "statusrapport.docx"
FIXED = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
TABLE_STYLE = "Pagt Tabel"
BLUE = RGBColor(0x1F, 0x4E, 0x79)
RED = RGBColor(0xC0, 0x00, 0x00)

_TABLE_STYLE_XML = f"""
<w:style {nsdecls("w")} w:type="table" w:customStyle="1" w:styleId="PagtTabel">
  <w:name w:val="{TABLE_STYLE}"/>
  <w:basedOn w:val="TableGrid"/>
  <w:uiPriority w:val="59"/>
  <w:qFormat/>
  <w:pPr><w:spacing w:before="0" w:after="0" w:line="240" w:lineRule="auto"/></w:pPr>
  <w:rPr><w:sz w:val="18"/><w:szCs w:val="18"/></w:rPr>
  <w:tblPr>
    <w:tblBorders>
      <w:top w:val="single" w:sz="4" w:space="0" w:color="1F4E79"/>
      <w:bottom w:val="single" w:sz="4" w:space="0" w:color="1F4E79"/>
      <w:insideH w:val="single" w:sz="4" w:space="0" w:color="BFBFBF"/>
    </w:tblBorders>
    <w:tblCellMar><w:left w:w="85" w:type="dxa"/><w:right w:w="85" w:type="dxa"/></w:tblCellMar>
  </w:tblPr>
  <w:tblStylePr w:type="firstRow">
    <w:rPr><w:b/><w:color w:val="FFFFFF"/></w:rPr>
    <w:tcPr><w:shd w:val="clear" w:color="auto" w:fill="1F4E79"/></w:tcPr>
  </w:tblStylePr>
  <w:tblStylePr w:type="lastRow">
    <w:rPr><w:b/></w:rPr>
    <w:tcPr><w:tcBorders><w:top w:val="single" w:sz="8" w:space="0" w:color="1F4E79"/></w:tcBorders></w:tcPr>
  </w:tblStylePr>
</w:style>
"""


def _field(paragraph, instruction: str, placeholder: str = "") -> None:
    """A complex field (PAGE, NUMPAGES, TOC ...) in ``paragraph``, marked dirty so Word updates it."""
    run = paragraph.add_run()
    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    begin.set(qn("w:dirty"), "true")
    run._r.append(begin)
    run = paragraph.add_run()
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} "
    run._r.append(instr)
    run = paragraph.add_run()
    sep = OxmlElement("w:fldChar")
    sep.set(qn("w:fldCharType"), "separate")
    run._r.append(sep)
    paragraph.add_run(placeholder)
    run = paragraph.add_run()
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    run._r.append(end)


def _danish(doc) -> None:
    """Danish (da-DK) as the language of every style, and no "already spell-checked" marks.

    python-docx's blank document says en-US in its defaults and marks spelling and grammar as
    checked (``w:proofState`` clean); Word would then neither check the Danish text nor hyphenate it.
    """
    styles = doc.styles.element
    rpr = styles.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    for style in [rpr, *(s.get_or_add_rPr() for s in styles.findall(qn("w:style")))]:
        for old in style.findall(qn("w:lang")):
            style.remove(old)
        for old in style.findall(qn("w:noProof")):
            style.remove(old)
        lang = OxmlElement("w:lang")
        lang.set(qn("w:val"), "da-DK")
        lang.set(qn("w:eastAsia"), "da-DK")
        lang.set(qn("w:bidi"), "ar-SA")
        style.append(lang)
    settings = doc.settings.element
    for old in settings.findall(qn("w:proofState")):
        settings.remove(old)
    for font_lang in settings.findall(qn("w:themeFontLang")):
        font_lang.set(qn("w:val"), "da-DK")


def _update_fields_on_open(doc) -> None:
    settings = doc.settings.element
    el = OxmlElement("w:updateFields")
    el.set(qn("w:val"), "true")
    settings.append(el)


def _table(doc, header: list[str], rows: list[list[str]], widths: list[int], numeric: set[int], total: bool = False):
    """A table in the house style; ``rows`` are template rows (loops, data, total)."""
    table = doc.add_table(rows=1 + len(rows), cols=len(header))
    table.style = doc.styles[TABLE_STYLE]
    table.alignment = WD_TABLE_ALIGNMENT.LEFT
    # autofit: the widths are preferred widths only, so Word and LibreOffice widen a column rather
    # than break a long Danish word ("Kompetenceopbyggende") inside it
    table.autofit = True
    for j, w in enumerate(widths):
        table.columns[j].width = Mm(w)
    look = table._tbl.tblPr.find(qn("w:tblLook"))
    if look is None:
        look = OxmlElement("w:tblLook")
        table._tbl.tblPr.append(look)
    for attr, value in {
        "w:firstRow": "1",
        "w:lastRow": "1" if total else "0",
        "w:firstColumn": "0",
        "w:lastColumn": "0",
        "w:noHBand": "1",
        "w:noVBand": "1",
    }.items():
        look.set(qn(attr), value)
    # repeat the header row on every page
    tr_pr = table.rows[0]._tr.get_or_add_trPr()
    tbl_header = OxmlElement("w:tblHeader")
    tr_pr.append(tbl_header)
    for row in table.rows:  # a row never splits across pages (docxtpl copies it with each loop row)
        row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))
    last = len(rows)
    for i, row_values in enumerate([header, *rows]):
        for j, value in enumerate(row_values):
            cell = table.cell(i, j)
            cell.width = Mm(widths[j])
            p = cell.paragraphs[0]
            run = p.add_run(value)
            run.font.size = Pt(8.5)  # explicit: not every word processor applies table-style fonts
            if total and i == last:
                run.bold = True  # explicit too: the style's lastRow is ignored by some readers
            if j in numeric and i > 0 and not value.startswith("{%"):
                p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            if j in numeric and i == 0:
                p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    doc.add_paragraph()
    return table


def _loop_table(doc, header, item, fields, widths, numeric, total_fields=None, total_var=None):
    """Header, a ``{%tr for item in ...%}`` loop over data rows and an optional total row."""
    n = len(header)
    rows = [[item[0]] + [""] * (n - 1), [f"{{{{ {f} }}}}" for f in fields], ["{%tr endfor %}"] + [""] * (n - 1)]
    if total_fields is not None:
        rows.append([f"{{{{ {total_var}.{f} }}}}" for f in total_fields])
    return _table(doc, header, rows, widths, numeric, total=total_fields is not None)


def _p(doc, text: str = "", style: str | None = None, bold: bool = False, colour=None, size=None, italic=False):
    p = doc.add_paragraph(style=style)
    if text:
        run = p.add_run(text)
        run.bold = bold
        if italic:
            run.italic = True
        if colour is not None:
            run.font.color.rgb = colour
        if size is not None:
            run.font.size = Pt(size)
    return p


def _prompt(doc, var: str) -> None:
    """A writing prompt: ``[SKRIV: …]`` highlighted, then the workbook's text as bullets to write on from."""
    p = doc.add_paragraph()
    run = p.add_run(f"{{{{ {var}.text }}}}")
    run.font.highlight_color = WD_COLOR_INDEX.YELLOW
    _p(doc, f"{{%p for x in {var}.prefill %}}")
    _p(doc, "{{ x }}", style="List Bullet")
    _p(doc, "{%p endfor %}")


def _text_or_prompt(doc, var: str, prompt_var: str | None) -> None:
    """The pact's own paragraphs of ``var``; without them, the prompt ``prompt_var`` (or nothing)."""
    _p(doc, f"{{%p if {var} %}}")
    if var in ("learning_basis", "progress_reporting"):
        _p(doc, f"{{{{ {var} }}}}")
    else:
        _p(doc, f"{{%p for para in {var} %}}")
        _p(doc, "{{ para }}")
        _p(doc, "{%p endfor %}")
    if prompt_var is not None:
        _p(doc, "{%p else %}")
        _prompt(doc, prompt_var)
    _p(doc, "{%p endif %}")


def build(out: Path) -> None:
    """Write the template to ``out`` (reproducibly)."""
    doc = Document()
    styles = doc.styles
    styles.element.append(parse_xml(_TABLE_STYLE_XML))
    normal = styles["Normal"]
    normal.font.name = "Calibri"
    normal.font.size = Pt(10.5)
    for name, size in (("Heading 1", 16), ("Heading 2", 13), ("Heading 3", 11)):
        styles[name].font.color.rgb = BLUE
        styles[name].font.size = Pt(size)
    styles["Caption"].paragraph_format.keep_with_next = True  # a table's caption stays on the table's page
    for level in (1, 2):  # Word's own "toc N" styles, for the table of contents written after rendering
        toc = styles.add_style(f"toc {level}", WD_STYLE_TYPE.PARAGRAPH)
        toc.base_style = styles["Normal"]
        toc.paragraph_format.left_indent = Mm(6 * (level - 1))
        toc.paragraph_format.space_after = Pt(2)
        toc.font.bold = level == 1
    if "Draft Mark" not in [s.name for s in styles]:
        mark = styles.add_style("Draft Mark", WD_STYLE_TYPE.PARAGRAPH)
        mark.base_style = styles["Normal"]
        mark.font.bold = True
        mark.font.color.rgb = RED
        mark.font.size = Pt(14)

    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    for side in ("left_margin", "right_margin"):
        setattr(section, side, Mm(22))
    section.top_margin, section.bottom_margin = Mm(22), Mm(20)

    # header: pact, title and the draft mark on every page; footer: page numbers
    hp = section.header.paragraphs[0]
    hp.text = "{{ pact_name }} · {{ title }} · "
    run = hp.add_run("{{ draft_mark }}")
    run.bold = True
    run.font.color.rgb = RED
    fp = section.footer.paragraphs[0]
    fp.alignment = WD_ALIGN_PARAGRAPH.CENTER
    fp.add_run("Side ")
    _field(fp, "PAGE", "1")
    fp.add_run(" af ")
    _field(fp, "NUMPAGES", "1")

    # -- cover --------------------------------------------------------------------------------
    for _ in range(6):
        doc.add_paragraph()
    _p(doc, "{{ pact_name }}", style="Title")
    _p(doc, "{{ title }}", bold=True, colour=BLUE, size=20)
    _p(doc, "{{ region }}", size=13)
    doc.add_paragraph()
    _p(doc, "{{ draft_mark }} – dannet {{ report_date }} af pagt_xl", style="Draft Mark")
    _p(
        doc,
        "Tal, tabeller og diagrammer er beregnet fra projektmapperne. Teksten er et udkast, der skal "
        "gennemskrives: gult markerede felter [SKRIV: …] skrives af sekretariatet, og punkterne under dem er "
        "tekst fra projektmapperne at skrive videre på.",
        size=9,
    )
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)

    # -- preface and table of contents ----------------------------------------------------------
    doc.add_heading("Statusrapporten", level=1)
    _text_or_prompt(doc, "preface", "prompts.preface")
    _p(doc, "Indhold", style="TOC Heading")
    _field(doc.add_paragraph(), 'TOC \\o "1-2" \\h \\z \\u', "Indholdsfortegnelsen opdateres i Word.")
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)

    # -- 1. introduction ------------------------------------------------------------------------
    doc.add_heading("Introduktion", level=1)
    _p(doc, "{%p for para in introduction %}")
    _p(doc, "{{ para }}")
    _p(doc, "{%p endfor %}")
    doc.add_heading("Partnerskabet bag {{ pact_name }}", level=2)
    _text_or_prompt(doc, "partnership", "prompts.partnership")
    doc.add_heading("Aktiviteter i {{ pact_name }}", level=2)
    _p(doc, "{%p if activities %}")
    _p(doc, "{%p for a in activities %}")
    doc.add_heading("{{ a.heading }}", level=3)
    _p(doc, "{%p for para in a.paragraphs %}")
    _p(doc, "{{ para }}")
    _p(doc, "{%p endfor %}")
    _p(doc, "{%p endfor %}")
    _p(doc, "{%p else %}")
    _prompt(doc, "prompts.activities")
    _p(doc, "{%p endif %}")
    doc.add_heading("Strategiske projekter", level=3)
    _prompt(doc, "prompts.strategic")

    # -- 2. economic key figures ----------------------------------------------------------------
    doc.add_heading("Økonomiske nøgletal", level=1)
    doc.add_heading("Udmøntningen {{ period }}", level=2)
    # the key sentences are Jinja text here, written from ``facts``: staff reword them in Word
    _p(doc, "{{ pact_name }} har udmøntet {{ facts.granted }} {{ facts.since }}.{% if facts.has_applications %} "
            "I alt har {{ facts.granted_count }} ansøgninger ud af samlet {{ facts.applications }} modtaget støtte."
            "{% else %} Støtten er gået til {{ facts.granted_count }} "
            "{{ 'projekt' if facts.granted_count == 1 else 'projekter' }}.{% endif %}")  # fmt: skip
    _p(doc, "{% if facts.smallest %}Det mindste projekt har et budget på {{ facts.smallest }}, mens det største har "
            "et budget på {{ facts.largest | punktum }}{% else %}Der er endnu ikke givet tilsagn i perioden."
            "{% endif %}")  # fmt: skip
    _p(doc, "{%p if sentences.excluded %}")
    _p(doc, "{{ sentences.excluded }}", bold=True, colour=RED)
    _p(doc, "{%p endif %}")
    _p(doc, "{%p if sentences.rounds %}")
    _p(doc, "{{ sentences.rounds }}")
    _p(doc, "{%p endif %}")
    _p(doc, "{%p if sentences.small_projects %}")
    _p(doc, "{{ sentences.small_projects }}")
    _p(doc, "{%p endif %}")
    _p(doc, "{%p if has_framework %}")
    _p(doc, "Økonomisk ramme og udmøntning pr. år (kr.)", style="Caption")
    header = [
        "År",
        "Økonomisk ramme",
        "{%tc for n in round_names %}",
        "{{ n }}",
        "{%tc endfor %}",
        "Bevilget i alt",
        "Udnyttelse",
        "Kumuleret udmøntning",
    ]
    data = [
        "{{ r.year }}",
        "{{ r.framework }}",
        "{%tc for a in r.rounds %}",
        "{{ a }}",
        "{%tc endfor %}",
        "{{ r.granted }}",
        "{{ r.utilisation }}",
        "{{ r.cumulative }}",
    ]
    total = (
        [f"{{{{ years_total.{f} }}}}" for f in ("year", "framework")]
        + ["{%tc for a in years_total.rounds %}", "{{ a }}", "{%tc endfor %}"]
        + [f"{{{{ years_total.{f} }}}}" for f in ("granted", "utilisation", "cumulative")]
    )
    _table(
        doc,
        header,
        [["{%tr for r in years %}"] + [""] * 7, data, ["{%tr endfor %}"] + [""] * 7, total],
        [13, 23, 21, 21, 21, 23, 19, 25],
        {1, 3, 5, 6, 7},
        total=True,
    )
    _p(doc, "Den samlede økonomiske ramme for perioden er {{ facts.framework }}, hvoraf {{ facts.utilisation }} er "
            "udmøntet.")  # fmt: skip
    _p(doc, "{{ chart_years }}")
    _p(doc, "{%p endif %}")
    # a list of grants only (no rejection, nothing pending) says nothing about applications: no funnel then
    _p(doc, "{%p if facts.has_applications %}")
    _p(doc, "Ansøgninger og tilsagn pr. år", style="Caption")
    _loop_table(
        doc,
        ["År", "Ansøgninger", "Afslag", "Tilsagn", "Afventer", "Trukket tilbage"],
        ["{%tr for r in years %}"],
        ["r.year", "r.applications", "r.rejected", "r.granted_projects", "r.pending", "r.withdrawn"],
        [25, 25, 25, 25, 25, 25],
        {1, 2, 3, 4, 5},
        ["year", "applications", "rejected", "granted_projects", "pending", "withdrawn"],
        "years_total",
    )
    _p(doc, "I perioden {{ period }} er der modtaget {{ facts.applications }} ansøgninger. {{ facts.rejected }} har "
            "fået afslag, og {{ facts.granted_count }} har fået tilsagn{% if facts.withdrawn %}; "
            "{{ facts.withdrawn }} er trukket tilbage{% endif %}{% if facts.pending %}, mens "
            "{{ facts.pending }} afventer afgørelse{% endif %}.")  # fmt: skip
    _p(doc, "{%p endif %}")

    doc.add_heading("{{ words.the_many | stort }}", level=2)
    _p(doc, "{{ pact_name }} har haft følgende {{ words.many }}, som projekterne har kunnet søge under:")
    _p(doc, "{%p for n in theme_names %}")
    _p(doc, "{{ n }}", style="List Bullet")
    _p(doc, "{%p endfor %}")
    _p(doc, "{%p if channel_names %}")
    _p(doc, "Desuden er der støttet projekter gennem {{ channel_names | join(' og ') }}: en finansieringskanal, "
            "ikke et af pagtens {{ words.many }}. De vises for sig i tabellen og har ikke et afsnit under "
            "læringen.")  # fmt: skip
    _p(doc, "{%p endif %}")
    _p(doc, "{{ sentences.themes_open }}")
    _p(doc, "Støttekroner fordelt på {{ words.many }}", style="Caption")
    n = 4
    _table(
        doc,
        ["{{ words.one | stort }}", "Antal projekter", "Støttebeløb", "Andel af samlet støtte"],
        [
            ["{%tr for t in themes %}"] + [""] * (n - 1),
            ["{{ t.label }}", "{{ t.projects }}", "{{ t.amount }}", "{{ t.share }}"],
            ["{%tr endfor %}"] + [""] * (n - 1),
            ["{%tr for t in channels %}"] + [""] * (n - 1),
            ["{{ t.label }}", "{{ t.projects }}", "{{ t.amount }}", "{{ t.share }}"],
            ["{%tr endfor %}"] + [""] * (n - 1),
            [f"{{{{ themes_total.{f} }}}}" for f in ("label", "projects", "amount", "share")],
        ],
        [80, 25, 35, 26],
        {1, 2, 3},
        total=True,
    )
    _p(doc, "{%p if facts.largest_theme %}")
    _p(doc, "”{{ facts.largest_theme }}” er det {{ words.one }}, der har fået flest midler: "
            "{{ facts.largest_theme_amount }} af støtten ({{ facts.largest_theme_share }}) er gået til "
            "{{ words.the_one }} fordelt på {{ facts.largest_theme_projects }} "
            "{{ 'projekt' if facts.largest_theme_projects == 1 else 'projekter' }}.")  # fmt: skip
    _p(doc, "{%p endif %}")
    _p(doc, "{{ chart_themes }}")

    doc.add_heading("Projektpartnerne", level=2)
    _p(doc, "{%p if has_partners %}")
    _p(doc, "{{ sentences.partners }}")
    _p(doc, "{{ chart_partners }}")
    _p(doc, "Antal projekter som uddannelsestypen er repræsenteret i", style="Caption")
    _loop_table(
        doc,
        ["Partnertype", "Antal projekter"],
        ["{%tr for t in partner_types %}"],
        ["t.label", "t.count"],
        [100, 30],
        {1},
    )
    _p(doc, "{%p endif %}")
    _p(doc, "Tovholdernes institutionstyper", style="Caption")
    _loop_table(
        doc,
        ["Institutionstype (tovholder)", "Antal projekter", "Støttebeløb", "Andel"],
        ["{%tr for t in institution_types %}"],
        ["t.label", "t.projects", "t.amount", "t.share"],
        [80, 25, 35, 26],
        {1, 2, 3},
    )

    _p(doc, "{%p if has_targets %}")
    doc.add_heading("Projekternes målgrupper", level=2)
    _p(doc, "{{ sentences.targets }}")
    _p(doc, "{{ sentences.target_groups }}")
    _p(doc, "{{ chart_targets }}")
    _p(doc, "Projekternes forventninger til antal deltagere fordelt efter uddannelsesniveau", style="Caption")
    _loop_table(
        doc,
        ["Målgruppe", "Antal projekter", "Deltagere (mål)", "Andel"],
        ["{%tr for t in target_groups %}"],
        ["t.label", "t.projects", "t.participants", "t.share"],
        [70, 30, 35, 25],
        {1, 2, 3},
        ["label", "projects", "participants", "share"],
        "target_total",
    )
    _p(doc, "{%p endif %}")

    _ledger_section(doc)

    # -- 3. learning ----------------------------------------------------------------------------
    doc.add_heading("Læring fra projekterne", level=1)
    doc.add_heading("Læringsgrundlaget", level=2)
    _text_or_prompt(doc, "learning_basis", "prompts.learning_basis")
    doc.add_heading("Hvad har vi lært?", level=2)
    _p(doc, "{%p if has_types %}")
    _p(
        doc,
        "De støttede projekter inddeles i følgende kategorier på baggrund af, hvordan man i projektet primært "
        "arbejder hen mod formålet:",
    )
    _loop_table(
        doc,
        ["Projekttype", "Antal projekter", "Støttebeløb", "Andel af samlet støttebeløb"],
        ["{%tr for t in types %}"],
        ["t.label", "t.projects", "t.amount", "t.share"],
        [80, 25, 35, 26],
        {1, 2, 3},
        ["label", "projects", "amount", "share"],
        "types_total",
    )
    _p(doc, "{%p for d in type_descriptions %}")
    _p(doc, "{{ d.heading }}: {%for x in d.paragraphs %}{{ x }}{% endfor %}", style="List Bullet")
    _p(doc, "{%p endfor %}")
    _p(doc, "{{ chart_types }}")
    _p(doc, "{%p endif %}")
    _prompt(doc, "prompts.lessons")
    _p(doc, "{%p if instruments_top %}")
    doc.add_heading("Hvilke virkemidler bruges oftest?", level=2)
    _p(doc, "{{ chart_instruments }}")
    _loop_table(
        doc,
        ["Virkemiddel", "Antal projekter"],
        ["{%tr for i in instruments_top %}"],
        ["i.label", "i.count"],
        [110, 30],
        {1},
    )
    _p(doc, "{%p endif %}")
    _p(doc, "{%p for t in learning %}")
    doc.add_heading("{{ t.name }}", level=2)
    _p(doc, "{%p if t.context %}")
    _p(doc, "{{ t.context }}", italic=True)
    _p(doc, "{%p else %}")
    _prompt(doc, "t.context_prompt")
    _p(doc, "{%p endif %}")
    _p(doc, "{{ t.sentence }}")
    _prompt(doc, "t.results")
    _p(doc, "Projekterne: {{ t.project_titles }}", size=9)
    _p(doc, "{%p if t.instruments %}")
    _p(doc, "{{ chart_theme_instruments[loop.index0] }}")
    _p(doc, "Antal projekter under {{ words.the_one }}, som anvender virkemidlet", style="Caption")
    _loop_table(
        doc,
        ["Virkemiddel", "Antal projekter"],
        ["{%tr for i in t.instruments %}"],
        ["i.label", "i.count"],
        [110, 30],
        {1},
    )
    _p(doc, "{%p endif %}")
    _p(doc, "{%p if t.finished %}")
    doc.add_heading("Læring fra afsluttede projekter", level=3)
    _p(doc, "{%p for f in t.finished %}")
    _p(doc, "{{ f.title }}", bold=True)
    _prompt(doc, "f.results")
    _p(doc, "Støttebeløb: {{ f.amount }}")
    _p(doc, "{%p endfor %}")
    _p(doc, "{%p endif %}")
    _p(doc, "{%p endfor %}")

    # -- 4. progress ----------------------------------------------------------------------------
    _p(doc, "{%p if status_counts %}")
    doc.add_heading("Fremdrift i igangværende projekter", level=1)
    doc.add_heading("Vurdering af fremdrift", level=2)
    _text_or_prompt(doc, "progress_reporting", None)
    _p(doc, "Af de {{ facts.granted_count }} projekter, der har modtaget støtte, er {{ facts.ongoing }} "
            "igangværende, og {{ facts.finished }} er afsluttet.")  # fmt: skip
    _prompt(doc, "prompts.progress")
    _p(doc, "Antal projekter efter projektstatus", style="Caption")
    _loop_table(
        doc,
        ["Status", "Antal projekter"],
        ["{%tr for s in status_counts %}"],
        ["s.label", "s.count"],
        [80, 30],
        {1},
    )
    _p(doc, "{%p if progress_counts %}")
    _p(doc, "Fremdrift i de igangværende projekter", style="Caption")
    _loop_table(
        doc,
        ["Fremdrift", "Antal projekter"],
        ["{%tr for s in progress_counts %}"],
        ["s.label", "s.count"],
        [80, 30],
        {1},
    )
    _p(doc, "{%p endif %}")
    _p(doc, "{%p if ongoing %}")
    doc.add_heading("Igangværende projekter", level=2)
    _p(doc, "Risikoen for underforbrug er vurderet pr. {{ facts.as_of }}.")
    _loop_table(
        doc,
        ["Projekt", "År", "Fremdrift", "Aktivitetsmål", "Risiko for underforbrug"],
        ["{%tr for o in ongoing %}"],
        ["o.title", "o.year", "o.progress", "o.targets", "o.underspend"],
        [50, 11, 19, 54, 32],
        set(),
    )
    _p(doc, "{%p endif %}")
    _p(doc, "{%p endif %}")
    _goals_chapter(doc)

    # -- 5. supported projects ------------------------------------------------------------------
    doc.add_heading("Støttede projekter {{ period }}", level=1)
    _p(doc, "{%p for g in grant_years %}")
    doc.add_heading("Udmøntning {{ g.year }}", level=2)
    _p(doc, "{{ g.sentence }}", bold=True)
    columns = [("År", "p.year", 11), ("Projekttitel", "p.title", 45), ("{{ words.one | stort }}", "p.theme", 32)]
    summary = [("Kort resumé", "p.summary", 55)]
    kind = [("Type", "p.type", 26)]
    for cond, cols in (
        ("has_summaries and has_types", columns + summary + kind),
        ("has_summaries", columns + summary),
        ("has_types", columns + kind),
        ("true", [*columns, ("Støttebeløb", "p.amount", 28)]),
    ):
        _p(doc, ("{%p if " if cond.startswith("has_summaries and") else "{%p elif ") + cond + " %}"
           if cond != "true" else "{%p else %}")  # fmt: skip
        _loop_table(
            doc,
            [c[0] for c in cols],
            ["{%tr for p in g.projects %}"],
            [c[1] for c in cols],
            [c[2] for c in cols],
            {len(cols) - 1} if cond == "true" else set(),
        )
    _p(doc, "{%p endif %}")
    _p(doc, "{%p endfor %}")

    # -- appendix -------------------------------------------------------------------------------
    doc.add_heading("Bilag: Fejl, advarsler og kontrol", level=1)
    doc.add_heading("Fejl og advarsler", level=2)
    _p(doc, "{{ issues_summary }}", bold=True)
    _p(doc, "{%p if issues %}")
    _p(
        doc,
        "Rækker med fejl indgår ikke i tallene; advarsler indgår, men bør efterses. Hver linje peger på den celle, "
        "der skal rettes.",
    )
    _loop_table(
        doc,
        ["Type", "Kilde", "Fil › ark › celle", "Beskrivelse"],
        ["{%tr for i in issues %}"],
        ["i.severity", "i.origin", "i.place", "i.message"],
        [18, 22, 50, 76],
        set(),
    )
    _p(doc, "{%p endif %}")
    doc.add_heading("Kontroller", level=2)
    _p(doc, "{{ checks_summary }}", bold=True)
    _p(
        doc,
        "Hver kontrol sammenligner to tal: det forventede (fx en subtotal i projektmappen eller årets ramme) "
        "og det beregnede fra de validerede rækker.",
    )
    _p(doc, "{%p if checks %}")
    _loop_table(
        doc,
        ["Kontrol, der afviger", "Forventet", "Beregnet", "Resultat", "Kilde"],
        ["{%tr for c in checks %}"],
        ["c.name", "c.expected", "c.actual", "c.result", "c.source"],
        [56, 24, 24, 18, 44],
        {1, 2},
    )
    _p(doc, "{%p endif %}")
    _p(doc, "{{ checks_passed }}", size=9)
    _p(doc, "Kilder", style="Caption")
    _loop_table(
        doc,
        ["Tabel", "Fil", "Ark", "Rækker"],
        ["{%tr for s in sources %}"],
        ["s.table", "s.files", "s.sheets", "s.rows"],
        [50, 50, 25, 41],
        set(),
    )

    _update_fields_on_open(doc)
    _danish(doc)
    save_reproducibly(
        doc,
        out,
        title="{{ pact_name }} – {{ title }}",
        subject="Statusrapport til regionsrådet (kladde)",
        comments="Kladde dannet af pagt_xl {{ report_date }}",
    )


def save_reproducibly(doc, out: Path, *, title: str, subject: str, comments: str | None = None) -> None:
    """Save a template with fixed document properties and zip dates: the same script gives the same bytes."""
    props = doc.core_properties
    props.title = title
    props.subject = subject
    props.author = "pagt_xl"
    if comments is not None:
        props.comments = comments
    props.language = "da-DK"
    props.created = props.modified = props.last_printed = FIXED.replace(tzinfo=None)
    props.revision = 1
    props.last_modified_by = "pagt_xl"
    buf = io.BytesIO()
    doc.save(buf)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(fixed_zip(buf.getvalue()))


def _goals_chapter(doc) -> None:
    """The chapter "Målopfølgning" (issue 17): always there; without goal data it says what is missing."""
    doc.add_heading("Målopfølgning", level=1)
    _p(doc, "{%p if goals.available %}")
    _p(doc, "Pagtens mål følges op til og med {{ goals.until }}.")
    _p(doc, "{%p if goals.indicators %}")
    _p(
        doc,
        "Målte mål vises som indeks (basisåret = 100) mod en lige sti fra basisåret til målet i målåret; "
        "et tal på stien eller over tæller som på sporet.",
    )
    _p(doc, "{%p endif %}")
    _p(doc, "{%p for g in goals.indicators %}")
    doc.add_heading("{{ g.text }}", level=2)
    _p(doc, "{{ g.summary }}")
    _p(doc, "{%p if g.needed %}")
    _p(doc, "{{ g.needed }}")
    _p(doc, "{%p endif %}")
    _p(doc, "{{ g.chart }}")
    _p(doc, "{{ g.name }}: faktisk indeks mod stien til målet", style="Caption")
    _loop_table(
        doc,
        ["År", "Antal", "Indeks", "Sti", "Status"],
        ["{%tr for r in g.rows %}"],
        ["r.year", "r.value", "r.index", "r.path", "r.status"],
        [14, 22, 20, 20, 74],
        {1, 2, 3},
    )
    _p(doc, "Kilde: {{ g.source }}", style="Caption")
    _p(doc, "{%p endfor %}")
    _p(doc, "{%p if goals.activities_note %}")
    _p(doc, "{{ goals.activities_note }}")
    _p(doc, "{%p endif %}")
    _p(doc, "{%p if goals.activities %}")
    doc.add_heading("Handlingsplanens aktiviteter", level=2)
    _p(doc, "{{ goals.activities_summary }}")
    _loop_table(
        doc,
        ["Handlingsplanens område", "Aktivitet", "År", "Udført", "Mål pr. år", "Nået"],
        ["{%tr for a in goals.activities %}"],
        ["a.area", "a.kind", "a.year", "a.done", "a.target", "a.met"],
        [60, 34, 12, 14, 20, 20],
        {3},
    )
    _p(doc, "{%p endif %}")
    _p(doc, "{%p else %}")
    _p(doc, "{{ goals.missing }}")
    _p(doc, "{%p if goals.goals %}")
    _p(doc, "Pagtens mål, som de er formuleret:")
    _p(doc, "{%p for g in goals.goals %}")
    _p(doc, "{{ g }}", style="List Bullet")
    _p(doc, "{%p endfor %}")
    _p(doc, "{%p endif %}")
    _p(doc, "{%p endif %}")


def _ledger_section(doc) -> None:
    """The section "Udbetalt og tilbageført" (issue 25), only when the report has the ledger (``{%p if ledger %}``)."""
    _p(doc, "{%p if ledger %}")
    doc.add_heading("Udbetalt og tilbageført", level=2)
    _p(doc, "{{ ledger.summary }}")
    _p(doc, "{%p if ledger.held_back %}")
    _p(doc, "{{ ledger.held_back }}")
    _p(doc, "{%p endif %}")
    _p(doc, "Tilsagn, udbetalinger, tilbageførte midler og restramme pr. år (kr.)", style="Caption")
    _loop_table(
        doc,
        ["År", "Økonomisk ramme", "Tilsagn", "Udbetalt", "Tilbageført", "Restramme"],
        ["{%tr for y in ledger.years %}"],
        ["y.year", "y.framework", "y.commitments", "y.payments", "y.returned", "y.remaining"],
        [16, 30, 30, 30, 28, 30],
        {1, 2, 3, 4, 5},
        ["year", "framework", "commitments", "payments", "returned", "remaining"],
        "ledger.total",
    )
    _p(doc, "{{ ledger.remaining }}")
    _p(doc, "{%p if ledger.returned %}")
    _p(doc, "Midler, der er kommet tilbage til puljen", style="Caption")
    _loop_table(
        doc,
        ["Projekt", "Type", "Dato", "Beløb"],
        ["{%tr for r in ledger.returned %}"],
        ["r.title", "r.kind", "r.date", "r.amount"],
        [80, 34, 30, 26],
        {3},
    )
    _p(doc, "{%p endif %}")
    _p(doc, "Opgjort efter udbetalingerne til og med {{ ledger.as_of }}.", size=9)
    _p(doc, "{%p endif %}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--out", type=Path, default=OUT, help="output file (default: pagt_xl/templates/statusrapport.docx)"
    )
    args = parser.parse_args(argv)
    build(args.out)
    print(f"Skabelon skrevet: {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
