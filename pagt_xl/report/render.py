"""Render the status-report draft: report context + Word template (docxtpl) → .docx.

Safety: the template runs in Jinja's immutable sandbox with autoescaping on, so
applicant text comes out exactly as typed and a template cannot reach Python
internals. Before rendering, the template's variables are compared with the
context and unknown names stop the run with a message naming them.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Mapping
from functools import lru_cache
from importlib.resources import files
from pathlib import Path
from typing import Any

from docx import Document
from docx.opc.exceptions import PackageNotFoundError
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import qn
from docx.shared import Emu, Mm
from docxtpl import DocxTemplate, InlineImage
from jinja2 import TemplateSyntaxError, meta
from jinja2.sandbox import ImmutableSandboxedEnvironment

from pagt_xl.base.errors import ErrorCode
from pagt_xl.base.model import Issue
from pagt_xl.core.goals import FollowUp
from pagt_xl.core.ledger import Ledger
from pagt_xl.core.tables import UnderspendNote
from pagt_xl.outputs.files import atomic_write
from pagt_xl.report import sandbox
from pagt_xl.report.charts import DPI, count_chart, share_chart, year_chart
from pagt_xl.report.context import CHART_VARIABLES, ReportContext, build_context, template_variables
from pagt_xl.report.goals import add_goal_charts, goals_chapter
from pagt_xl.report.ledger import ledger_section
from pagt_xl.report.sandbox import TemplateProblem, check_template_package, environment

#: The shipped template (built by scripts/make_template.py), package data of ``pagt_xl``. Packages are
#: installed as files (wheel or editable), so the resource is a real path that Word libraries can open.
DEFAULT_TEMPLATE = Path(str(files("pagt_xl") / "templates" / "statusrapport.docx"))

CHART_WIDTH = Mm(155)

_CORE_PROPERTIES = ("author", "comments", "identifier", "language", "subject", "title")
_FOOTNOTES = "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"


def default_template() -> Path:
    """The shipped template, ``pagt_xl/templates/statusrapport.docx`` (built by ``scripts/make_template.py``)."""
    return DEFAULT_TEMPLATE


def _environment() -> ImmutableSandboxedEnvironment:
    """The one sandbox of the process (:func:`pagt_xl.report.sandbox.environment`)."""
    return environment()


def _open(template: Path) -> DocxTemplate:
    if not template.exists():
        raise TemplateProblem(
            f"{template}: skabelonen findes ikke; angiv en med --template (eller byg standardskabelonen med "
            "scripts/make_template.py)",
            code=ErrorCode.TEMPLATE_NOT_FOUND,
        )
    check_template_package(template)  # a zip bomb or a DTD is refused before python-docx reads the file
    try:
        Document(str(template))
    except (PackageNotFoundError, KeyError, ValueError, OSError) as exc:
        raise TemplateProblem(f"{template}: ikke et Word-dokument (.docx): {exc}") from None
    except Exception as exc:  # zipfile.BadZipFile, lxml errors ...
        raise TemplateProblem(f"{template}: ikke et Word-dokument (.docx): {exc.__class__.__name__}") from None
    return DocxTemplate(str(template))


def _template_sources(tpl: DocxTemplate) -> list[tuple[str, str]]:
    """(where, Jinja source) for every part docxtpl renders: body, headers, footers, footnotes, properties."""
    doc = Document(str(tpl.template_file))
    sources = [("brødtekst", tpl.patch_xml(tpl.xml_to_string(doc._element.body)))]
    for rel in doc.part.rels.values():
        if rel.is_external:
            continue
        if rel.reltype in (tpl.HEADER_URI, tpl.FOOTER_URI) and rel.target_part.blob:
            where = "sidehoved" if rel.reltype == tpl.HEADER_URI else "sidefod"
            sources.append((where, tpl.patch_xml(tpl.xml_to_string(parse_xml(rel.target_part.blob)))))
    for part in doc.part.package.parts:
        if part.content_type == _FOOTNOTES:
            sources.append(("fodnoter", tpl.patch_xml(part.blob.decode("utf-8"))))
    for prop in _CORE_PROPERTIES:
        value = getattr(doc.core_properties, prop) or ""
        if value:
            sources.append((f"dokumentegenskab '{prop}'", value))
    return sources


def used_variables(template: Path) -> set[str]:
    """Top-level variables a template uses (in body, headers, footers, footnotes and properties)."""
    tpl = _open(Path(template))
    env = _environment()
    names: set[str] = set()
    for where, source in _template_sources(tpl):
        try:
            names |= meta.find_undeclared_variables(env.parse(source))
        except TemplateSyntaxError as exc:
            text = re.sub(r"<[^>]+>", "", exc.message or "")
            raise TemplateProblem(f"{template}: fejl i skabelonens {where}: {text}") from None
    return names


def check_template(template: Path) -> None:
    """Stop with a clear message if the template uses variables the report context does not have.

    A template that passed is not checked again until the file changes (size or modification
    time): a job checks it before reading anything, and rendering checks it once more.
    """
    path = Path(template)
    try:
        stat = path.stat()
    except OSError:
        _check_template(path)  # names the missing or unreadable file
        return
    _check_unchanged_template(str(path), stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=32)
def _check_unchanged_template(path: str, mtime_ns: int, size: int) -> None:
    """:func:`_check_template`, remembered per file version (a failure raises and is not remembered)."""
    _check_template(Path(path))


def _check_template(template: Path) -> None:
    known = set(template_variables())
    unknown = sorted(used_variables(template) - known)
    if unknown:
        raise TemplateProblem(
            f"{template}: skabelonen bruger ukendte variabler: {', '.join(unknown)}. "
            "Se 'pagt-xl template-vars' for de variabler, der kan bruges.",
            code=ErrorCode.TEMPLATE_UNKNOWN_VARIABLE,
        )


def render_sandboxed(tpl: DocxTemplate, values: dict[str, Any], template: Path) -> None:
    """Render ``values`` into ``tpl`` in the sandbox, in a child process with bounded memory, CPU and wall time
    (:func:`pagt_xl.report.sandbox.render`); macros, outside templates and DDE fields are taken out of the
    result. What a template may not do, or cannot do within the bounds, is a :class:`TemplateProblem`
    naming the template and, where it is found, the paragraph."""
    sandbox.render(tpl, values, template)


def render_context(
    context: ReportContext,
    out: Path,
    *,
    template: Path | None = None,
    charts: Mapping[str, bytes | list[bytes | None] | None] | None = None,
    alt_texts: Mapping[str, str | list[str]] | None = None,
) -> Path:
    """Render ``context`` into ``template`` and write ``out`` atomically. Returns ``out``.

    ``charts`` maps chart variables (:data:`~pagt_xl.report.context.CHART_VARIABLES`) to PNGs
    (``None``: no chart, the variable renders empty); ``alt_texts`` gives each chart its alt text
    (the picture's description for screen readers). After rendering, the table of contents gets
    the document's headings as its shown result, so it is readable before Word updates it.
    """
    template = Path(template) if template is not None else default_template()
    check_template(template)
    tpl = _open(template)
    values: dict[str, Any] = context.model_dump()
    descriptions: dict[bytes, str] = {}

    def picture(png: bytes | None, alt: str | None, name: str) -> InlineImage | str:
        if not png:
            return ""
        descriptions[png] = alt or CHART_VARIABLES[name]
        return InlineImage(tpl, io.BytesIO(png), width=_chart_width(png))

    for name in CHART_VARIABLES:
        chart = (charts or {}).get(name)
        alt = (alt_texts or {}).get(name)
        if isinstance(chart, list):  # one chart per item of a list (per theme)
            alts = alt if isinstance(alt, list) else [None] * len(chart)
            values[name] = [picture(png, a, name) for png, a in zip(chart, alts, strict=True)]
        else:
            values[name] = picture(chart, alt if isinstance(alt, str) else None, name)
    if context.goals is not None:  # the goal chapter's charts (one per indicator), with their alt texts
        descriptions |= add_goal_charts(tpl, values, context.goals)
    render_sandboxed(tpl, values, template)
    _describe_pictures(tpl.docx, descriptions)
    for table in tpl.docx.element.body.iter(qn("w:tbl")):
        fit_columns(table)
    fill_table_of_contents(tpl.docx)
    out = Path(out)
    atomic_write(out, lambda tmp: tpl.save(str(tmp)))
    return out


def _chart_width(png: bytes) -> Emu:
    """The chart's drawn width (PNG pixels at the charts' DPI), at most the text width: fonts keep their size."""
    pixels = int.from_bytes(png[16:20], "big") if png[:8] == b"\x89PNG\r\n\x1a\n" else 0
    width = Emu(int(pixels / DPI * 914400)) if pixels else CHART_WIDTH
    return min(width, CHART_WIDTH)


def _describe_pictures(doc: Any, descriptions: Mapping[bytes, str]) -> None:
    """Set each chart's alt text (``wp:docPr/@descr``), found by the picture's bytes."""
    body = doc.element.body
    for inline in body.iter(qn("wp:inline"), qn("wp:anchor")):
        blip = next(inline.iter(qn("a:blip")), None)
        doc_pr = inline.find(qn("wp:docPr"))
        if blip is None or doc_pr is None:
            continue
        part = doc.part.related_parts.get(blip.get(qn("r:embed")))
        text = descriptions.get(part.blob) if part is not None else None
        if text:
            doc_pr.set("descr", text)
            doc_pr.set("title", text.split(":", 1)[0])


#: the text width of the template (A4, 22 mm margins)
TEXT_WIDTH_MM = 166.0
_CELL_PADDING_MM = 4.2
_PT_MM = 25.4 / 72


@lru_cache(maxsize=4096)
def _text_mm(text: str, bold: bool, size: float) -> float:
    """Width of ``text`` in DejaVu Sans: wider than Calibri, so what fits here fits in Word and LibreOffice."""
    from matplotlib.font_manager import FontProperties
    from matplotlib.textpath import TextToPath

    props = FontProperties(family="DejaVu Sans", weight="bold" if bold else "normal", size=size)
    width, _h, _d = TextToPath().get_text_width_height_descent(text, props, ismath=False)
    return width * _PT_MM


_TWIPS_PER_MM = 56.7
#: an amount or share kept on one line: "14.834.353 kr.", "4,20", "18 %" (not a list such as "5-14, 17-29")
_NUMBER = re.compile(r"^-?\d[\d.]*(,\d+)?( %| kr\.| mio\. kr\.)?$")


#: element and attribute names used per cell, computed once (``qn`` is called for every cell otherwise)
_B = qn("w:b")
_GRIDCOL = qn("w:gridCol")
_P = qn("w:p")
_SZ = qn("w:sz")
_SZCS = qn("w:szCs")
_T = qn("w:t")
_TBLGRID = qn("w:tblGrid")
_TBLLAYOUT = qn("w:tblLayout")
_TBLW = qn("w:tblW")
_TC = qn("w:tc")
_TCW = qn("w:tcW")
_TR = qn("w:tr")
_TYPE = qn("w:type")
_VAL = qn("w:val")
_W = qn("w:w")


def fit_columns(table: Any) -> list[float]:
    """Give each column of a rendered table a width that fits its content; returns the widths in mm.

    A column is at least as wide as its longest word (an amount such as "14.834.353 kr." counts
    as one word), so no word breaks inside ("Kompetenceopby|ggende"); the rest of the text
    width goes to the columns with the most text. The layout is then fixed, so Word and
    LibreOffice show the same columns.
    """
    rows = table.findall(_TR)
    grid = table.find(_TBLGRID)
    if grid is None or not rows:
        return []
    cols = grid.findall(_GRIDCOL)
    n = len(cols)
    texts: list[list[tuple[str, bool, float]]] = []
    for tr in rows:
        cells = tr.findall(_TC)
        if len(cells) != n:  # merged cells: leave the table as the template has it
            return []
        row = []
        for tc in cells:
            text = " ".join("".join(t.text or "" for t in p.iter(_T)) for p in tc.iter(_P)).strip()
            bold = tr is rows[0] or any(b.get(_VAL, "true") != "0" for b in tc.iter(_B))
            size = next((int(z.get(_VAL)) / 2 for z in tc.iter(_SZ)), 8.5)
            row.append((text, bold, size))
        texts.append(row)
    for shrink in (0.0, 0.5, 1.0, 1.5):  # a table of many amounts may need a smaller font to keep them whole
        least, want = _column_needs(texts, n, shrink)
        if sum(least) <= TEXT_WIDTH_MM:
            break
    if shrink:
        for z in table.iter(_SZ, _SZCS):
            z.set(_VAL, str(round((int(z.get(_VAL)) / 2 - shrink) * 2)))
    if sum(least) > TEXT_WIDTH_MM:
        # too many long words for the page: the column with the most text (a summary) gives way
        prose = max(range(n), key=lambda j: want[j])
        least[prose] = max(TEXT_WIDTH_MM - (sum(least) - least[prose]), 25.0)
    spare = TEXT_WIDTH_MM - sum(least)
    extra = [w - m for w, m in zip(want, least, strict=True)]
    if spare <= 0:
        widths = [m * TEXT_WIDTH_MM / sum(least) for m in least]
    elif sum(want) <= TEXT_WIDTH_MM:
        widths = want
    else:
        widths = [m + spare * e / sum(extra) for m, e in zip(least, extra, strict=True)]
    twips = [round(w * _TWIPS_PER_MM) for w in widths]
    for col, w in zip(cols, twips, strict=True):
        col.set(_W, str(w))
    for tr in rows:
        for tc, w in zip(tr.findall(_TC), twips, strict=True):
            tc_pr = tc.get_or_add_tcPr()
            tc_w = tc_pr.find(_TCW)
            if tc_w is None:
                tc_w = OxmlElement("w:tcW")
                tc_pr.insert(0, tc_w)
            tc_w.set(_W, str(w))
            tc_w.set(_TYPE, "dxa")
    tbl_pr = table.tblPr
    layout = tbl_pr.find(_TBLLAYOUT)
    if layout is None:
        layout = OxmlElement("w:tblLayout")
        tbl_pr.append(layout)
    layout.set(_TYPE, "fixed")
    tbl_w = tbl_pr.find(_TBLW)
    if tbl_w is not None:
        tbl_w.set(_W, str(sum(twips)))
        tbl_w.set(_TYPE, "dxa")
    return widths


def _column_needs(texts: list[list[tuple[str, bool, float]]], n: int, shrink: float) -> tuple[list, list]:
    """Per column: the width of its longest word and of its longest text (mm), fonts ``shrink`` pt smaller."""
    least = [0.0] * n
    want = [0.0] * n
    for row in texts:
        for j, (text, bold, size) in enumerate(row):
            words = [text] if _NUMBER.match(text) else text.split()
            longest = max((_text_mm(w, bold, size - shrink) for w in words), default=0.0)
            least[j] = max(least[j], longest + _CELL_PADDING_MM)
            want[j] = max(want[j], min(_text_mm(text, bold, size - shrink), 110.0) + _CELL_PADDING_MM)
    return least, want


_HEADING_LEVELS = {"Heading1": 1, "Heading2": 2}


def fill_table_of_contents(doc: Any) -> int:
    """Write the headings (levels 1-2) as the shown result of the document's TOC field; returns how many.

    The field stays a real TOC field (Word still updates it, with page numbers); this only
    replaces the placeholder between its ``separate`` and ``end`` marks, so PDF converters and
    previews that never update fields show the chapters too. No TOC field: nothing happens.
    """
    body = doc.element.body
    instr = next((i for i in body.iter(qn("w:instrText")) if (i.text or "").strip().startswith("TOC")), None)
    if instr is None:
        return 0
    paragraph = instr.getparent().getparent()
    runs = list(paragraph.iter(qn("w:r")))
    sep = next((r for r in runs if any(c.get(qn("w:fldCharType")) == "separate" for c in r)), None)
    end = next((r for r in runs if any(c.get(qn("w:fldCharType")) == "end" for c in r)), None)
    if sep is None or end is None:
        return 0
    for r in runs[runs.index(sep) + 1 : runs.index(end) + 1]:
        paragraph.remove(r)
    headings = []
    for p in body.iter(qn("w:p")):
        style = p.find(f"{qn('w:pPr')}/{qn('w:pStyle')}")
        level = _HEADING_LEVELS.get(style.get(qn("w:val")) if style is not None else "")
        text = "".join(t.text or "" for t in p.iter(qn("w:t"))).strip()
        if level and text:
            headings.append((level, text))
    if not headings:
        headings = [(1, "Indholdsfortegnelsen opdateres i Word.")]
    current = paragraph
    for i, (level, text) in enumerate(headings):
        if i == 0:
            target = paragraph
        else:
            target = OxmlElement("w:p")
            current.addnext(target)
            current = target
        _set_style(target, f"toc{level}")
        run = OxmlElement("w:r")
        t = OxmlElement("w:t")
        t.text = text
        t.set(qn("xml:space"), "preserve")
        run.append(t)
        target.append(run)
    current.append(end)
    return len(headings)


def _set_style(p: Any, style_id: str) -> None:
    ppr = p.find(qn("w:pPr"))
    if ppr is None:
        ppr = OxmlElement("w:pPr")
        p.insert(0, ppr)
    style = ppr.find(qn("w:pStyle"))
    if style is None:
        style = OxmlElement("w:pStyle")
        ppr.insert(0, style)
    style.set(qn("w:val"), style_id)


def _listing(rows: list[tuple[str, str]]) -> str:
    return "; ".join(f"{label} {value}" for label, value in rows)


def report_charts(breakdowns: Any, context: ReportContext | None = None) -> dict[str, Any]:
    """The chart PNGs for a set of breakdowns (see :data:`~pagt_xl.report.context.CHART_VARIABLES`)."""
    b = breakdowns.breakdowns
    ctx = context
    partners = [(r.label, int(r.count.replace(".", ""))) for r in ctx.partner_types] if ctx else []
    targets = [(r.label, int(r.participants.replace(".", ""))) for r in ctx.target_groups] if ctx else []
    instruments = [(r.label, int(r.count.replace(".", ""))) for r in ctx.instruments_top] if ctx else []
    return {
        "chart_themes": share_chart(b["theme"], "theme", "Støttebeløb fordelt på indsatsområder"),
        "chart_types": share_chart(b["type"], "type", "Støttebeløb fordelt på projekttyper") if "type" in b else None,
        "chart_years": year_chart(breakdowns.years),
        "chart_partners": count_chart(partners, "Antal projekter som uddannelsestypen er repræsenteret i"),
        "chart_targets": count_chart(targets, "Forventede deltagere fordelt efter uddannelsesniveau", "Deltagere"),
        "chart_instruments": count_chart(instruments, "De mest anvendte virkemidler"),
        "chart_theme_instruments": [
            count_chart(
                [(r.label, int(r.count.replace(".", ""))) for r in t.instruments],
                "Antal projekter i indsatsområdet som anvender virkemidlet",
            )
            for t in (ctx.learning if ctx else [])
        ],
    }


def chart_alt_texts(context: ReportContext) -> dict[str, Any]:
    """Each chart's alt text: what it shows, with its figures (the same the tables give)."""
    themes = _listing([(r.label, f"{r.millions} mio. kr. ({r.share})") for r in context.themes])
    types = _listing([(r.label, f"{r.millions} mio. kr. ({r.share})") for r in context.types])
    years = _listing([(r.year, f"{r.granted} kr. (ramme {r.framework})") for r in context.years])
    return {
        "chart_themes": f"Søjlediagram: støttebeløb fordelt på indsatsområder: {themes}.",
        "chart_types": f"Søjlediagram: støttebeløb fordelt på projekttyper: {types}.",
        "chart_years": f"Søjlediagram: bevilget pr. år og økonomisk ramme: {years}.",
        "chart_partners": "Søjlediagram: antal projekter pr. partnertype: "
        + _listing([(r.label, r.count) for r in context.partner_types])
        + ".",
        "chart_targets": "Søjlediagram: forventede deltagere pr. uddannelsesniveau: "
        + _listing([(r.label, r.participants) for r in context.target_groups])
        + ".",
        "chart_instruments": "Søjlediagram: de mest anvendte virkemidler (antal projekter): "
        + _listing([(r.label, r.count) for r in context.instruments_top])
        + ".",
        "chart_theme_instruments": [
            f"Søjlediagram: virkemidler i indsatsområdet {t.name} (antal projekter): "
            + _listing([(r.label, r.count) for r in t.instruments])
            + "."
            for t in context.learning
        ],
    }


def render_report(
    breakdowns: Any,
    out: Path,
    *,
    template: Path | None = None,
    report_date: dt.date | None = None,
    underspend: Mapping[str, UnderspendNote] | None = None,
    as_of: dt.date | None = None,
    budget_issues: list[Issue] | None = None,
    goals: FollowUp | None = None,
    ledger: Ledger | None = None,
) -> Path:
    """Build the context from ``breakdowns`` (:func:`pagt_xl.pipeline.run_breakdowns`) and write the draft.

    ``report_date`` defaults to today. ``underspend`` maps a project's case
    number (or title) to its underspend status for the progress table (``None``:
    not known); ``as_of`` is the date it was judged at, printed in the draft
    (``None``: the period's last day or today, whichever is earlier).
    ``budget_issues`` go to the appendix (``None``: no budgets reviewed). ``goals`` adds the
    chapter "Målopfølgning" (``None``: the report has no such chapter); ``ledger`` the section
    "Udbetalt og tilbageført" (``None``: no such section). Returns ``out``.
    """
    context = build_context(
        breakdowns,
        report_date=report_date or dt.date.today(),
        underspend=underspend,
        as_of=as_of,
        budget_issues=budget_issues,
    )
    context = context.model_copy(update={"goals": goals_chapter(goals)}) if goals is not None else context
    if ledger is not None:  # the section "Udbetalt og tilbageført" (issue 25)
        context = context.model_copy(update={"ledger": ledger_section(ledger)})
    return render_context(
        context,
        Path(out),
        template=template,
        charts=report_charts(breakdowns, context),
        alt_texts=chart_alt_texts(context),
    )
