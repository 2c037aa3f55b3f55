"""Build the round's Word templates: the recommendation memo and the two decision letters.

Run: .venv/bin/python scripts/make_round_templates.py [--out-dir DIR]

Writes ``indstillingsnotat.docx``, ``brev_tilsagn.docx`` and ``brev_afslag.docx`` into
``pagt_xl/templates/``. They are plain Word documents that staff can edit in Word: normal
paragraphs and tables with docxtpl tags (``{{ x }}`` in text, ``{%p ... %}`` on a paragraph of
its own, ``{%tr ... %}`` in a table row of its own), the house table style "Pagt Tabel" and a
visible KLADDE mark. The variables are listed by ``pagt-xl template-vars --kind indstilling`` and
``--kind brev``. The build is reproducible: same script → same bytes.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import parse_xml
from docx.shared import Mm, Pt

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
from make_template import _TABLE_STYLE_XML, BLUE, RED, _field, _loop_table, _p, _table, save_reproducibly  # noqa: E402

OUT_DIR = ROOT / "pagt_xl" / "templates"


def _document(header: str):
    doc = Document()
    styles = doc.styles
    styles.element.append(parse_xml(_TABLE_STYLE_XML))
    styles["Normal"].font.name = "Calibri"
    styles["Normal"].font.size = Pt(10.5)
    for name, size in (("Heading 1", 15), ("Heading 2", 12)):
        styles[name].font.color.rgb = BLUE
        styles[name].font.size = Pt(size)
    mark = styles.add_style("Draft Mark", WD_STYLE_TYPE.PARAGRAPH)
    mark.base_style = styles["Normal"]
    mark.font.bold = True
    mark.font.color.rgb = RED
    mark.font.size = Pt(13)
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin = section.right_margin = Mm(22)
    section.top_margin, section.bottom_margin = Mm(20), Mm(20)
    hp = section.header.paragraphs[0]
    hp.text = header
    run = hp.add_run("{{ draft_mark }}")
    run.bold = True
    run.font.color.rgb = RED
    fp = section.footer.paragraphs[0]
    fp.alignment = WD_ALIGN_PARAGRAPH.CENTER
    fp.add_run("Side ")
    _field(fp, "PAGE", "1")
    return doc


def _save(doc, out: Path, title: str, subject: str) -> None:
    save_reproducibly(doc, out, title=title, subject=subject)


def _counts_table(doc, caption: str, label: str, var: str) -> None:
    _p(doc, caption, style="Caption")
    n = 3
    rows = [[f"{{%tr for r in {var} %}}"] + [""] * (n - 1), ["{{ r.label }}", "{{ r.count }}", "{{ r.applied }}"],
            ["{%tr endfor %}"] + [""] * (n - 1),
            ["{{ received_total.label }}", "{{ received_total.count }}", "{{ received_total.applied }}"]]  # fmt: skip

    _table(doc, [label, "Ansøgninger", "Ansøgt beløb"], rows, [95, 30, 40], {1, 2}, total=True)


def build_memo(out: Path) -> None:
    """The recommendation memo (indstillingsnotat)."""
    doc = _document("{{ pact_name }} · Indstillingsnotat {{ year }} · ")
    _p(doc, "{{ pact_name }}", bold=True, colour=BLUE, size=12)
    _p(doc, "{{ title }}", style="Title")
    _p(doc, "{{ draft_mark }} – dannet {{ report_date }} af pagt_xl til {{ council }}", style="Draft Mark")
    _p(doc, "Runde: {{ round_name }}", bold=True)
    _p(doc, "{{ sentences.intro }}")
    _p(doc, "{%p if sentences.excluded %}")
    _p(doc, "{{ sentences.excluded }}", bold=True, colour=RED)
    _p(doc, "{%p endif %}")

    doc.add_heading("Økonomi: ramme og restramme", level=1)
    _p(doc, "{{ sentences.framework }}")

    _table(
        doc,
        ["", "Beløb"],
        [
            ["Økonomisk ramme {{ year }}", "{{ framework }}"],
            ["Allerede bevilget i {{ year }}", "{{ already_granted }}"],
            ["Restramme før indstillingen", "{{ remaining }}"],
            ["Indstillet i denne runde", "{{ recommended_total }}"],
            ["Restramme efter indstillingen", "{{ remaining_after }}"],
        ],
        [95, 45],
        {1},
        total=True,
    )

    doc.add_heading("Modtagne ansøgninger", level=1)
    _p(doc, "{{ sentences.received }}")
    _counts_table(doc, "Ansøgninger fordelt på indsatsområder", "Indsatsområde", "by_theme")
    _counts_table(doc, "Ansøgninger fordelt på ansøgerens institutionstype", "Institutionstype", "by_institution")
    _counts_table(doc, "Ansøgninger fordelt på projekttyper", "Projekttype", "by_type")
    _counts_table(doc, "Ansøgninger fordelt på runder", "Runde", "by_round")
    _p(doc, "{%p if has_special %}")
    doc.add_heading("Årets særlige tema: {{ special_theme }}", level=2)
    _p(doc, "{{ sentences.special }}")
    _p(doc, "{%p endif %}")

    doc.add_heading("Indstilling", level=1)
    _p(doc, "{{ sentences.recommended }}")
    _p(doc, "Ansøgningerne er vurderet på følgende kriterier (score og vægt):")
    _loop_table(doc, ["Kriterium", "Vægt"], ["{%tr for c in criteria %}"], ["c.name", "c.weight"], [95, 25], {1})
    _p(doc, "Indstillede ansøgninger", style="Caption")
    fields = ["a.title", "a.theme", "a.applied", "a.recommended", "a.score", "a.reason"]
    header = ["Projekt (titel v/ ansøger)", "Indsatsområde", "Ansøgt", "Indstillet", "Vægtet score", "Begrundelse"]
    _loop_table(doc, header, ["{%tr for a in recommended %}"], fields, [44, 28, 24, 24, 16, 30], {2, 3, 4})
    _p(doc, "Indstillet i alt: {{ recommended_total }} ({{ recommended_count }} ansøgninger).", bold=True)
    doc.add_heading("Ikke indstillede ansøgninger", level=2)
    _p(doc, "{{ sentences.not_recommended }}")
    _loop_table(doc, header, ["{%tr for a in not_recommended %}"], fields, [44, 28, 24, 24, 16, 30], {2, 3, 4})

    _p(doc, "{%p if has_suggestion %}")
    doc.add_heading("Forslag efter vægtet score (kun et forslag)", level=1)
    _p(doc, "{{ sentences.suggestion }}")
    _loop_table(
        doc,
        ["Nr.", "Projekt (titel v/ ansøger)", "Score", "Ansøgt", "Forslag", "Bemærkning"],
        ["{%tr for s in suggestion %}"],
        ["s.rank", "s.title", "s.score", "s.applied", "s.amount", "s.note"],
        [10, 56, 14, 24, 24, 38],
        {2, 3, 4},
    )
    _p(doc, "{%p endif %}")

    doc.add_heading("Bilag: Kontrol før underskrift", level=1)
    _p(doc, "{{ sentences.checks }}", bold=True)
    _loop_table(
        doc, ["Kontrol", "Resultat", "Afvigelser"], ["{%tr for c in checks %}"], ["c.name", "c.result", "c.count"],
        [80, 60, 26], {2},
    )  # fmt: skip
    _p(doc, "{%p if issues %}")
    _p(doc, "Afvigelser med celle", style="Caption")
    _loop_table(
        doc, ["Sted (fil › ark › celle)", "Alvor", "Hvad er galt"], ["{%tr for i in issues %}"],
        ["i.place", "i.severity", "i.message"], [55, 18, 93], set(),
    )  # fmt: skip
    _p(doc, "{%p endif %}")
    _save(doc, out, "{{ pact_name }} – {{ title }}", "Indstillingsnotat til {{ council }} (kladde)")


def _letter_head(doc) -> None:
    _p(doc, "{{ sender }}", size=9)
    _p(doc, "{{ region }}", size=9)
    doc.add_paragraph()
    _p(doc, "Til: {{ applicant }}")
    _p(doc, "Sagsnr.: {{ case_id }}")
    _p(doc, "Dato: {{ letter_date }}")
    _p(doc, "{{ draft_mark }}", style="Draft Mark")
    doc.add_paragraph()


def build_grant(out: Path) -> None:
    """The grant letter (tilsagnsbrev)."""
    doc = _document("{{ pact_name }} · Tilsagn · ")
    _letter_head(doc)
    doc.add_heading("Tilsagn om støtte: {{ title }}", level=1)
    _p(
        doc,
        "{{ council }} har på baggrund af indstillingen fra {{ pact_name }} besluttet at give tilsagn om støtte "
        "til projektet »{{ title }}« under {{ round_name | lower }} {{ year }} (indsatsområde: {{ theme }}).",
    )
    _p(doc, "Tilsagnet er på {{ amount }}.", bold=True)
    _p(doc, "Ansøgt beløb: {{ applied }}")
    _p(doc, "{%p if period %}")
    _p(doc, "Projektperioden er {{ period }}.")
    _p(doc, "{%p endif %}")
    doc.add_heading("Betingelser for tilsagnet", level=2)
    _p(doc, "{%p for c in conditions %}")
    _p(doc, "{{ c }}", style="List Bullet")
    _p(doc, "{%p endfor %}")
    _p(doc, "{%p if reason %}")
    _p(doc, "Bemærkning: {{ reason }}")
    _p(doc, "{%p endif %}")
    doc.add_paragraph()
    _p(doc, "Vi ønsker held og lykke med projektet.")
    doc.add_paragraph()
    _p(doc, "{{ signature }}")
    _p(doc, "{{ sender }}")
    _save(doc, out, "Tilsagn – {{ title }}", "Tilsagnsbrev (kladde)")


def build_rejection(out: Path) -> None:
    """The rejection letter (afslagsbrev)."""
    doc = _document("{{ pact_name }} · Afslag · ")
    _letter_head(doc)
    doc.add_heading("Svar på ansøgning: {{ title }}", level=1)
    _p(
        doc,
        "Tak for jeres ansøgning om {{ applied }} til projektet »{{ title }}« under {{ round_name | lower }} "
        "{{ year }} i {{ pact_name }}.",
    )
    _p(doc, "{{ council }} har desværre besluttet ikke at give støtte til projektet.", bold=True)
    _p(doc, "{%p if reason %}")
    _p(doc, "Begrundelse: {{ reason }}")
    _p(doc, "{%p endif %}")
    _p(doc, "{%p if rejection_note %}")
    _p(doc, "{{ rejection_note }}")
    _p(doc, "{%p endif %}")
    doc.add_paragraph()
    _p(doc, "{{ signature }}")
    _p(doc, "{{ sender }}")
    _save(doc, out, "Afslag – {{ title }}", "Afslagsbrev (kladde)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out-dir", type=Path, default=OUT_DIR, help="folder (default: pagt_xl/templates)")
    args = parser.parse_args(argv)
    build_memo(args.out_dir / "indstillingsnotat.docx")
    build_grant(args.out_dir / "brev_tilsagn.docx")
    build_rejection(args.out_dir / "brev_afslag.docx")
    print(f"Skabeloner skrevet i {args.out_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
