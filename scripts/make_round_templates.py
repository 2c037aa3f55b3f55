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
from make_template import (  # noqa: E402
    _TABLE_STYLE_XML,
    BLUE,
    RED,
    _danish,
    _field,
    _loop_table,
    _p,
    _table,
    save_reproducibly,
)

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


def _plural(count: str, one: str, many: str) -> str:
    """Jinja for "1 ansøgning" / "3 ansøgninger"."""
    return f"{{{{ {count} }}}} {{{{ '{one}' if {count} == 1 else '{many}' }}}}"


def _applications_table(doc, var: str) -> None:
    """The memo's list of applications: a failed check stands in the row of the application it concerns."""
    header = ["Sagsnr.", "Projekt (titel v/ ansøger)", "{{ words.one | stort }}", "Ansøgt", "Indstillet",
              "Vægtet score", "Begrundelse"]  # fmt: skip
    cells = ["{{ a.case_id }}", "{{ a.title }}", "{{ a.theme }}", "{{ a.applied }}", "{{ a.recommended }}",
             "{{ a.score }}", "{{ a.reason }}{% if a.flags %} AFVIGER: {{ a.flags }}{% endif %}"]  # fmt: skip
    n = len(header)
    rows = [[f"{{%tr for a in {var} %}}"] + [""] * (n - 1), cells, ["{%tr endfor %}"] + [""] * (n - 1)]
    _table(doc, header, rows, [16, 40, 26, 22, 22, 14, 26], {3, 4, 5})


def build_memo(out: Path) -> None:
    """The recommendation memo (indstillingsnotat): a formal memo to the council."""
    doc = _document("{{ pact_name }} · Indstillingsnotat {{ year }} · ")
    _p(doc, "{{ pact_name }}", bold=True, colour=BLUE, size=12)
    _p(doc, "{{ title }}", style="Title")
    for label, var in (("Sagsnr.", "case_number"), ("Dato", "report_date"), ("Til", "council"),
                       ("Fra", "recommended_by"), ("Runde", "round_name")):  # fmt: skip
        p = doc.add_paragraph()
        p.paragraph_format.space_after = Pt(0)
        p.add_run(f"{label}: ").bold = True
        p.add_run(f"{{{{ {var} }}}}")
    doc.add_paragraph()
    _p(doc, "{%p if draft_mark %}")
    _p(doc, "{{ draft_mark }} – dannet {{ report_date }} af pagt_xl: notatet kan ikke underskrives, før de gule "
            "felter er udfyldt og afvigelserne rettet eller begrundet.", style="Draft Mark")  # fmt: skip
    _p(doc, "{%p endif %}")

    # -- the decision points ----------------------------------------------------------------------
    doc.add_heading("Indstilling", level=1)
    _p(doc, "{{ recommended_by | stort }} indstiller, at {{ council }}:")
    _p(doc, "giver tilsagn om tilskud på i alt {{ recommended_total }} til {% if recommended_count == 1 %}den "
            "ansøgning{% else %}de {{ recommended_count }} ansøgninger{% endif %}, der er indstillet nedenfor, med "
            "de beløb, der står ved hver af dem,", style="List Number")  # fmt: skip
    _p(doc, "{%p for a in partial %}")
    _p(doc, "giver {{ a.title }} (sagsnr. {{ a.case_id }}) et delvist tilsagn på {{ a.recommended }} af ansøgte "
            "{{ a.applied }},", style="List Number")  # fmt: skip
    _p(doc, "{%p endfor %}")
    _p(doc, "{%p if not_recommended_count %}")
    _p(doc, "giver afslag på {% if not_recommended_count == 1 %}den ansøgning{% else %}de "
            "{{ not_recommended_count }} ansøgninger{% endif %}, der ikke indstilles,",
       style="List Number")  # fmt: skip
    _p(doc, "{%p endif %}")
    _p(doc, "{%p if has_suggestion %}")
    _p(doc, "tager til efterretning, at der herefter er {{ remaining_after }} tilbage af den økonomiske ramme for "
            "{{ year }}.", style="List Number")  # fmt: skip
    _p(doc, "{%p else %}")
    _p(doc, "tager til efterretning, at der ikke er angivet en økonomisk ramme for {{ year }}.", style="List Number")
    _p(doc, "{%p endif %}")
    _p(doc, "{%p if failing %}")
    _p(doc, "Obs: " + _plural("failing", "afvigelse", "afvigelser") + " skal rettes eller begrundes, før notatet "
        "underskrives. De står ved de ansøgninger, de gælder, og i bilaget.", bold=True, colour=RED)  # fmt: skip
    _p(doc, "{%p endif %}")

    doc.add_heading("Sagsfremstilling", level=1)
    _p(doc, "{{ sentences.intro }}")
    _p(doc, "{%p if sentences.excluded %}")
    _p(doc, "{{ sentences.excluded }}", bold=True, colour=RED)
    _p(doc, "{%p endif %}")

    doc.add_heading("Økonomi: ramme og restramme", level=2)
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

    doc.add_heading("Modtagne ansøgninger", level=2)
    _p(doc, "{{ sentences.received }}")
    _counts_table(doc, "Ansøgninger fordelt på {{ words.many }}", "{{ words.one | stort }}", "by_theme")
    _counts_table(doc, "Ansøgninger fordelt på ansøgerens institutionstype", "Institutionstype", "by_institution")
    _counts_table(doc, "Ansøgninger fordelt på projekttyper", "Projekttype", "by_type")
    _counts_table(doc, "Ansøgninger fordelt på runder", "Runde", "by_round")
    _p(doc, "{%p if has_special %}")
    doc.add_heading("Årets særlige tema: {{ special_theme }}", level=3)
    _p(doc, "{{ sentences.special }}")
    _p(doc, "{%p endif %}")

    doc.add_heading("Vurdering og indstillede ansøgninger", level=2)
    _p(doc, "{{ sentences.recommended }}")
    _p(doc, "Ansøgningerne er vurderet på følgende kriterier (score og vægt):")
    _loop_table(doc, ["Kriterium", "Vægt"], ["{%tr for c in criteria %}"], ["c.name", "c.weight"], [95, 25], {1})
    _p(doc, "Indstillede ansøgninger", style="Caption")
    _applications_table(doc, "recommended")
    _p(doc, "Indstillet i alt: {{ recommended_total }} (" + _plural("recommended_count", "ansøgning", "ansøgninger")
        + ").", bold=True)  # fmt: skip
    _p(doc, "{%p if flagged %}")
    _p(doc, "Afvigelser ved de indstillede ansøgninger", style="Caption")
    _p(doc, "{%p for a in flagged %}")
    _p(doc, "{{ a.case_id }} {{ a.title }}: {{ a.flags }}", style="List Bullet", bold=True, colour=RED)
    _p(doc, "{%p endfor %}")
    _p(doc, "{%p endif %}")
    doc.add_heading("Ikke indstillede ansøgninger", level=3)
    _p(doc, "{{ sentences.not_recommended }}")
    _applications_table(doc, "not_recommended")

    _p(doc, "{%p if has_suggestion %}")
    doc.add_heading("Forslag efter vægtet score (kun et forslag)", level=2)
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

    # -- signature ----------------------------------------------------------------------------------
    doc.add_heading("Underskrift", level=2)
    _p(doc, "Dato: {{ report_date }}")
    doc.add_paragraph()
    _p(doc, "______________________________________")
    _p(doc, "{%p for line in signatory %}")
    _p(doc, "{{ line }}")
    _p(doc, "{%p endfor %}")
    _p(doc, "For {{ recommended_by }}")

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
    _danish(doc)
    _save(doc, out, "{{ pact_name }} – {{ title }}", "Indstillingsnotat til {{ council }}")


def _letter_head(doc) -> None:
    _p(doc, "{{ sender }}", size=9)
    _p(doc, "{{ region }}", size=9)
    doc.add_paragraph()
    _p(doc, "Til: {{ applicant }}")
    _p(doc, "Sagsnr.: {{ case_id }}")
    _p(doc, "Dato: {{ letter_date }}")
    _p(doc, "{%p if draft_mark %}")
    _p(doc, "{{ draft_mark }}: brevet kan ikke sendes, før de gule felter er udfyldt.", style="Draft Mark")
    _p(doc, "{%p endif %}")
    doc.add_paragraph()


def _reasons(doc) -> None:
    """The reasons (forvaltningsloven §§ 22 and 24): the Begrundelse, then the criteria and the scores."""
    doc.add_heading("Begrundelse", level=2)
    _p(doc, "{%p for r in reasons %}")
    _p(doc, "{{ r }}")
    _p(doc, "{%p endfor %}")
    _p(doc, "{%p if criteria %}")
    _p(doc, "Ansøgningerne i runden er vurderet efter disse kriterier med en score fra {{ score_scale }}:")
    _loop_table(doc, ["Kriterium", "Vægt", "Jeres score"], ["{%tr for c in criteria %}"],
                ["c.name", "c.weight", "c.score"], [100, 25, 35], {1, 2})  # fmt: skip
    _p(doc, "{%p if score %}")
    _p(doc, "Ansøgningen fik en samlet, vægtet score på {{ score }}.")
    _p(doc, "{%p endif %}")
    _p(doc, "{%p endif %}")


def _closing(doc, wish: str = "") -> None:
    doc.add_heading("Kontakt", level=2)
    _p(doc, "Har I spørgsmål til afgørelsen, er I velkomne til at kontakte {{ contact }}. Skriv sagsnummeret "
            "{{ case_id }}, når I henvender jer.")  # fmt: skip
    if wish:
        _p(doc, wish)
    doc.add_paragraph()
    _p(doc, "{{ signature }}")
    _p(doc, "{%p for line in signatory %}")
    _p(doc, "{{ line }}")
    _p(doc, "{%p endfor %}")
    _p(doc, "{{ sender }}")


def build_grant(out: Path) -> None:
    """The grant letter (tilsagnsbrev), also for a partial grant (a partial refusal, with its reasons)."""
    doc = _document("{{ pact_name }} · {{ kind | stort }} · ")
    _letter_head(doc)
    doc.add_heading("{% if is_partial %}Delvist tilsagn{% else %}Tilsagn{% endif %} om tilskud: {{ title }}", level=1)
    doc.add_heading("Afgørelse", level=2)
    _p(doc, "{{ council }} har besluttet at give tilsagn om et tilskud på {{ amount }} til projektet »{{ title }}«"
            "{% if round_name %} under {{ round_name | lower }} {{ year }}{% endif %}"
            "{% if theme %} ({{ theme_word }}: {{ theme }}){% endif %}.", bold=True)  # fmt: skip
    _p(doc, "{%p if is_partial %}")
    _p(doc, "I har søgt om {{ applied | punktum }} Tilsagnet er {{ refused }} mindre end det ansøgte beløb, og "
            "afgørelsen er derfor også et delvist afslag. Begrundelsen står nedenfor.")  # fmt: skip
    _p(doc, "{%p endif %}")
    _p(doc, "{%p if is_partial %}")
    _reasons(doc)
    _p(doc, "{%p endif %}")
    doc.add_heading("Lovgrundlag", level=2)
    _p(doc, "{{ legal_basis }}")
    doc.add_heading("Vilkår for tilskuddet", level=2)
    _p(doc, "{%p for c in conditions %}")
    _p(doc, "{{ c }}", style="List Bullet")
    _p(doc, "{%p endfor %}")
    doc.add_heading("Afrapportering", level=2)
    _p(doc, "{%p if reports %}")
    _p(doc, "I skal sende disse rapporter til sekretariatet:")
    _loop_table(doc, ["Rapport", "Frist"], ["{%tr for r in reports %}"], ["r.label", "r.due"], [100, 60], set())
    _p(doc, "{%p else %}")
    _p(doc, "{{ reporting_prompt }}")
    _p(doc, "{%p endif %}")
    doc.add_heading("Udbetaling", level=2)
    _p(doc, "{%p if payments %}")
    _p(doc, "Tilskuddet udbetales sådan:")
    _loop_table(doc, ["Rate", "Udbetales", "Beløb"], ["{%tr for r in payments %}"], ["r.label", "r.when", "r.amount"],
                [45, 85, 36], {2})  # fmt: skip
    _p(doc, "{%p else %}")
    _p(doc, "{{ payment_prompt }}")
    _p(doc, "{%p endif %}")
    doc.add_heading("Accept af tilsagnet", level=2)
    _p(doc, "Tilsagnet skal accepteres skriftligt over for sekretariatet senest {{ acceptance }}."
            "{% if acceptance_note %} {{ acceptance_note }}{% endif %}")  # fmt: skip
    _p(doc, "{%p if is_partial %}")
    doc.add_heading("Klagevejledning", level=2)
    _p(doc, "{{ appeal }}")
    _p(doc, "{%p endif %}")
    _closing(doc, "Vi ønsker held og lykke med projektet.")
    _danish(doc)
    _save(doc, out, "{{ kind | stort }} – {{ title }}", "Afgørelse om tilskud fra {{ pact_name }}")


def build_rejection(out: Path) -> None:
    """The rejection letter (afslagsbrev): the decision, its reasons, the rules, guidance on appeal."""
    doc = _document("{{ pact_name }} · Afslag · ")
    _letter_head(doc)
    doc.add_heading("Afslag på ansøgning om tilskud: {{ title }}", level=1)
    doc.add_heading("Afgørelse", level=2)
    _p(doc, "{{ council }} har besluttet ikke at give tilskud til projektet »{{ title }}«, som I har søgt "
            "{{ applied }} til{% if round_name %} under {{ round_name | lower }} {{ year }}{% endif %} i "
            "{{ pact_name }}.", bold=True)  # fmt: skip
    _reasons(doc)
    doc.add_heading("Lovgrundlag", level=2)
    _p(doc, "{{ legal_basis }}")
    doc.add_heading("Klagevejledning", level=2)
    _p(doc, "{{ appeal }}")
    _p(doc, "{%p if rejection_note %}")
    _p(doc, "{{ rejection_note }}")
    _p(doc, "{%p endif %}")
    _closing(doc)
    _danish(doc)
    _save(doc, out, "Afslag – {{ title }}", "Afgørelse om tilskud fra {{ pact_name }}")


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
