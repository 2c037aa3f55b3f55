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
from copy import deepcopy
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
from pydantic import BaseModel

import pagt_xl.report.sandbox as sandbox
from pagt_xl.base.errors import ErrorCode
from pagt_xl.base.model import Issue
from pagt_xl.core.goals import FollowUp
from pagt_xl.core.ledger import Ledger
from pagt_xl.core.tables import UnderspendNote
from pagt_xl.outputs.files import atomic_write
from pagt_xl.report.charts import DPI, count_chart, share_rows_chart, year_chart
from pagt_xl.report.context import (
    CHART_VARIABLES,
    TOP_INSTRUMENTS,
    ReportContext,
    build_context,
    chart_share_rows,
    has_targets,
    theme_words,
)
from pagt_xl.report.goals import add_goal_charts
from pagt_xl.report.ledger import ledger_section
from pagt_xl.report.sandbox import TemplateProblem, check_template_package
from pagt_xl.report.template_check import (
    block_fault,
    danish_syntax,
    paragraphs,
    syntax_fault,
    unknown_variables,
    where_used,
)

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
    """The one sandbox of the process, with the Danish filters (:func:`pagt_xl.report.sandbox.environment`)."""
    return sandbox.environment(TEMPLATE_FILTERS)


def _upper_first(text: Any) -> str:
    """``{{ x | stort }}``: the first letter upper case, the rest as written ("STEM i Nord" stays; Jinja's
    ``capitalize`` would lower the rest)."""
    text = str(text)
    return text[:1].upper() + text[1:]


def _full_stop(text: Any) -> str:
    """``{{ x | punktum }}``: end a sentence with one full stop, also after "kr." ("4,2 mio. kr." stays)."""
    text = str(text).rstrip()
    return text if text.endswith((".", "!", "?", ":")) else text + "."


#: the Danish filters staff may use in a template, besides Jinja's own
TEMPLATE_FILTERS = {"stort": _upper_first, "punktum": _full_stop}


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
            reason = danish_syntax(exc.message or "")
            raise TemplateProblem(f"{template}: fejl i skabelonens {where}: {reason}") from None
    return names


#: what ``pagt-xl template-vars --kind`` lists for each kind of template
KIND_HINTS = {"statusrapport": "", "indstilling": " --kind indstilling", "brev": " --kind brev"}


def template_types(kind: str, model: type[BaseModel] | None = None) -> dict[str, Any]:
    """Name → type of every variable a template of ``kind`` may use: the fields of its context ``model``
    (``None``: the status report's, with its charts). The memo and the letters pass their own model."""
    if model is None:
        if kind != "statusrapport":
            raise ValueError(f"no context model given for a template of kind {kind!r}")
        out: dict[str, Any] = {name: f.annotation for name, f in ReportContext.model_fields.items()}
        out.update({name: Any for name in CHART_VARIABLES})
        return out
    return {name: f.annotation for name, f in model.model_fields.items()}


def check_template(template: Path, kind: str = "statusrapport", model: type[BaseModel] | None = None) -> None:
    """Stop with a Danish :class:`TemplateProblem` naming the paragraph when the template of ``kind`` has a fault:
    an unclosed or stray block, invalid syntax, or a variable (or a record's field) its context ``model``
    does not have (``None``: the status report's context).

    A template that passed is not checked again until the file changes (size or modification
    time): a job checks it before reading anything, and rendering checks it once more.
    """
    path = Path(template)
    try:
        stat = path.stat()
    except OSError:
        _check_template(path, kind, model)  # names the missing or unreadable file
        return
    _check_unchanged_template(str(path), stat.st_mtime_ns, stat.st_size, kind, model)


@lru_cache(maxsize=32)
def _check_unchanged_template(
    path: str, mtime_ns: int, size: int, kind: str, model: type[BaseModel] | None
) -> None:
    """:func:`_check_template`, remembered per file version (a failure raises and is not remembered)."""
    _check_template(Path(path), kind, model)


def _check_template(template: Path, kind: str, model: type[BaseModel] | None = None) -> None:
    tpl = _open(template)
    env = _environment()
    items = paragraphs(template)
    fault = block_fault(items) or syntax_fault(env, items)
    if fault:
        raise TemplateProblem(f"{template}: fejl i skabelonen, {fault}")
    variables = template_types(kind, model)
    places: dict[str, str] = {}
    for where, source in _template_sources(tpl):
        try:
            unknown = unknown_variables(env, source, variables)
        except TemplateSyntaxError as exc:
            reason = danish_syntax(exc.message or "")
            raise TemplateProblem(f"{template}: fejl i skabelonens {where}: {reason}") from None
        for name in unknown:
            places.setdefault(name, where_used(items, name) or where)
    if places:
        listed = ", ".join(f"'{name}' ({place})" for name, place in sorted(places.items()))
        raise TemplateProblem(
            f"{template}: skabelonen bruger ukendte variabler: {listed}. "
            f"Se 'pagt-xl template-vars{KIND_HINTS[kind]}' for de variabler, der kan bruges.",
            code=ErrorCode.TEMPLATE_UNKNOWN_VARIABLE,
        )


def render_sandboxed(tpl: DocxTemplate, values: dict[str, Any], template: Path) -> None:
    """Render ``values`` into ``tpl`` in the sandbox, in a child process with bounded memory, CPU and wall time
    (:func:`pagt_xl.report.sandbox.render`); macros, outside templates and DDE fields are taken out of the
    result. What a template may not do, or cannot do within the bounds, is a :class:`TemplateProblem`
    naming the template and, where it is found, the paragraph."""
    sandbox.render(tpl, values, template, filters=TEMPLATE_FILTERS)


# -- finishing a rendered document (every document: report, memo, letters) ------------------------------
_PROMPT_START = "[SKRIV:"
_PROMPT_SPLIT = re.compile(r"(\[SKRIV:[^\]]*\])")
#: a table of at most this many rows, and at most :data:`SMALL_TABLE_MM` high, is kept on one page (with its caption)
SMALL_TABLE_ROWS = 15
SMALL_TABLE_MM = 100.0
_LINE_MM = 3.9  # one line of 8.5 pt table text with its leading
_CHAR_MM = 1.55  # an average character of 8.5 pt DejaVu Sans (wider than Calibri: a high estimate)


def highlight_prompts(doc: Any) -> int:
    """Mark every writing prompt ``[SKRIV: …]`` yellow, wherever it stands (a run is split around it).

    Prompts come from the context as plain text (a letter's missing legal basis, the report's hints), so
    the template cannot colour them itself. Returns how many prompts were marked.
    """
    parts = [doc.element.body]
    for section in doc.sections:
        parts += [section.header._element, section.footer._element]
    marked = 0
    for part in parts:
        for run in list(part.iter(qn("w:r"))):
            t = run.find(qn("w:t"))
            if t is None or not t.text or _PROMPT_START not in t.text:
                continue
            pieces = [x for x in _PROMPT_SPLIT.split(t.text) if x]
            anchor = run
            for piece in pieces:
                new = deepcopy(run)
                for old in new.findall(qn("w:t")):
                    new.remove(old)
                text = OxmlElement("w:t")
                text.text = piece
                text.set(qn("xml:space"), "preserve")
                new.append(text)
                if piece.startswith(_PROMPT_START):
                    rpr = new.find(qn("w:rPr"))
                    if rpr is None:
                        rpr = OxmlElement("w:rPr")
                        new.insert(0, rpr)
                    for old in rpr.findall(qn("w:highlight")):
                        rpr.remove(old)
                    mark = OxmlElement("w:highlight")
                    mark.set(qn("w:val"), "yellow")
                    rpr.append(mark)
                    marked += 1
                anchor.addnext(new)
                anchor = new
            run.getparent().remove(run)
    return marked


def table_height_mm(table: Any) -> float:
    """An estimate of a table's printed height: per row its tallest cell (its text wrapped to the column)."""
    grid = table.find(_TBLGRID)
    widths = [int(g.get(_W, "0")) / _TWIPS_PER_MM for g in grid.findall(_GRIDCOL)] if grid is not None else []
    height = 0.0
    for tr in table.findall(_TR):
        lines = 1
        for j, tc in enumerate(tr.findall(_TC)):
            width = max((widths[j] if j < len(widths) else 30.0) - _CELL_PADDING_MM, 10.0)
            for p in tc.iter(_P):
                text = "".join(t.text or "" for t in p.iter(_T))
                per_line = max(int(width / _CHAR_MM), 1)
                lines = max(lines, -(-len(text) // per_line) if text else 1)
        height += lines * _LINE_MM + 1.0
    return height


def keep_small_tables_together(doc: Any, max_rows: int = SMALL_TABLE_ROWS, max_mm: float = SMALL_TABLE_MM) -> int:
    """Keep each small table (at most ``max_rows`` rows and ``max_mm`` high) on one page, with its caption.

    Every paragraph of every row but the last is "keep with next" (Word's and LibreOffice's way of
    keeping a table whole), and so is the paragraph before the table. Larger tables may break between
    rows, never inside one (``cantSplit``), and repeat their header row: keeping them whole would only
    move them to the next page and leave a page half empty. Returns how many tables are kept together.
    """
    kept = 0
    for table in doc.element.body.iter(qn("w:tbl")):
        rows = table.findall(qn("w:tr"))
        for tr in rows:
            tr_pr = tr.get_or_add_trPr()
            if tr_pr.find(qn("w:cantSplit")) is None:
                tr_pr.append(OxmlElement("w:cantSplit"))
        if rows:
            head = rows[0].get_or_add_trPr()
            if head.find(qn("w:tblHeader")) is None:
                head.append(OxmlElement("w:tblHeader"))
        if len(rows) > max_rows or table_height_mm(table) > max_mm:
            continue
        for tr in rows[:-1]:
            for p in tr.iter(qn("w:p")):
                _keep_next(p)
        before = table.getprevious()
        if before is not None and before.tag == qn("w:p") and "".join(before.itertext()).strip():
            _keep_next(before)
        kept += 1
    return kept


def _keep_next(p: Any) -> None:
    ppr = p.find(qn("w:pPr"))
    if ppr is None:
        ppr = OxmlElement("w:pPr")
        p.insert(0, ppr)
    if ppr.find(qn("w:keepNext")) is None:
        keep = OxmlElement("w:keepNext")
        style = ppr.find(qn("w:pStyle"))
        if style is not None:
            style.addnext(keep)
        else:
            ppr.insert(0, keep)


def drop_trailing_blank(doc: Any) -> int:
    """Remove the empty paragraphs (and page breaks) that end a document, so no blank last page is printed.

    A document that ends with a table needs one paragraph after it: that one is kept, empty and one
    point high. Returns how many paragraphs were removed.
    """
    body = doc.element.body
    removed = 0
    while True:
        children = [c for c in body if c.tag != qn("w:sectPr")]
        if len(children) < 2 or children[-1].tag != qn("w:p"):
            break
        last = children[-1]
        if "".join(last.itertext()).strip() or last.find(f".//{qn('w:drawing')}") is not None:
            break
        if children[-2].tag == qn("w:tbl"):
            _tiny(last)
            break
        body.remove(last)
        removed += 1
    return removed


def _tiny(p: Any) -> None:
    for child in list(p):
        if child.tag != qn("w:pPr"):
            p.remove(child)
    ppr = p.find(qn("w:pPr"))
    if ppr is None:
        ppr = OxmlElement("w:pPr")
        p.insert(0, ppr)
    for old in ppr.findall(qn("w:spacing")):
        ppr.remove(old)
    spacing = OxmlElement("w:spacing")
    for attr, value in (("w:before", "0"), ("w:after", "0"), ("w:line", "20"), ("w:lineRule", "exact")):
        spacing.set(qn(attr), value)
    ppr.append(spacing)
    rpr = OxmlElement("w:rPr")
    size = OxmlElement("w:sz")
    size.set(qn("w:val"), "2")
    rpr.append(size)
    ppr.append(rpr)


def set_danish(doc: Any) -> None:
    """Danish (da-DK) on the document defaults and every style, and no "already spell-checked" marks.

    A template saved from an English Word says en-US; Word would then neither check the Danish text nor
    hyphenate it, and a screen reader would read it with English rules. The PDF takes its language from here.
    """
    styles = doc.styles.element
    defaults = styles.find(qn("w:docDefaults"))
    targets = []
    if defaults is not None:
        rpr_default = defaults.find(qn("w:rPrDefault"))
        if rpr_default is None:
            rpr_default = OxmlElement("w:rPrDefault")
            defaults.insert(0, rpr_default)
        rpr = rpr_default.find(qn("w:rPr"))
        if rpr is None:
            rpr = OxmlElement("w:rPr")
            rpr_default.append(rpr)
        targets.append(rpr)
    targets += [s.get_or_add_rPr() for s in styles.findall(qn("w:style"))]
    for rpr in targets:
        for old in rpr.findall(qn("w:lang")) + rpr.findall(qn("w:noProof")):
            rpr.remove(old)
        lang = OxmlElement("w:lang")
        lang.set(qn("w:val"), "da-DK")
        lang.set(qn("w:eastAsia"), "da-DK")
        lang.set(qn("w:bidi"), "ar-SA")
        rpr.append(lang)
    body = doc.element.body
    for el in list(body.iter(qn("w:lang"), qn("w:noProof"))):
        el.getparent().remove(el)
    settings = doc.settings.element
    for old in settings.findall(qn("w:proofState")):
        settings.remove(old)
    for font_lang in settings.findall(qn("w:themeFontLang")):
        font_lang.set(qn("w:val"), "da-DK")
    doc.core_properties.language = "da-DK"


def finish_document(doc: Any) -> None:
    """What every rendered document gets: columns fitted, small tables kept whole, prompts yellow, no blank
    last page, Danish everywhere."""
    for table in doc.element.body.iter(qn("w:tbl")):
        fit_columns(table)
    keep_small_tables_together(doc)
    highlight_prompts(doc)
    drop_trailing_blank(doc)
    set_danish(doc)


def render_document(
    values: dict[str, Any], template: Path, kind: str, model: type[BaseModel] | None = None
) -> DocxTemplate:
    """Check ``template`` (of ``kind`` with its context ``model``, see :func:`check_template`), render ``values``
    in the sandbox and finish the document (:func:`finish_document`); returns the rendered template, to be saved."""
    template = Path(template)
    check_template(template, kind, model)
    tpl = _open(template)
    render_sandboxed(tpl, values, template)
    finish_document(tpl.docx)
    return tpl


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
    descriptions |= add_goal_charts(tpl, values, context.goals)  # one chart per indicator, with its alt text
    render_sandboxed(tpl, values, template)
    _describe_pictures(tpl.docx, descriptions)
    finish_document(tpl.docx)
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
    """The chart PNGs for a set of breakdowns (see :data:`~pagt_xl.report.context.CHART_VARIABLES`).

    The theme chart shows the shares as the tables print them, funding channels in grey; titles use the
    pact's word for its themes. Every figure is the breakdowns' own integer (the breakdowns,
    :attr:`~pagt_xl.core.results.Breakdowns.counts`), never read back from the context's text; ``context``
    gives only the words.
    """
    b = breakdowns.breakdowns
    pact = breakdowns.validation.pact
    counts = breakdowns.counts
    words = context.words if context is not None else theme_words(pact)
    tg = b.get("target_group")
    targets = [(r["target_group"], r["participants"]) for r in tg.rows] if has_targets(tg) else []
    theme_rows = chart_share_rows(b["theme"], "theme", pact)
    grey = frozenset(label for label, _, _ in theme_rows if label.endswith(" (finansieringskanal)"))
    title = f"Støttebeløb fordelt på {words.many}" + (" og finansieringskanaler" if grey else "")
    return {
        "chart_themes": share_rows_chart(theme_rows, title, grey),
        "chart_types": (
            share_rows_chart(chart_share_rows(b["type"], "type", pact), "Støttebeløb fordelt på projekttyper")
            if "type" in b
            else None
        ),
        "chart_years": year_chart(breakdowns.years),
        "chart_partners": count_chart(counts.partners, "Antal projekter som uddannelsestypen er repræsenteret i"),
        "chart_targets": count_chart(targets, "Forventede deltagere fordelt efter uddannelsesniveau", "Deltagere"),
        "chart_instruments": count_chart(counts.instruments[:TOP_INSTRUMENTS], "De mest anvendte virkemidler"),
        "chart_theme_instruments": [
            count_chart(items, f"Antal projekter under {words.the_one}, som anvender virkemidlet")
            for items in counts.theme_instruments.values()
        ],
    }


def chart_alt_texts(context: ReportContext) -> dict[str, Any]:
    """Each chart's alt text: what it shows, with its figures (the same the tables give)."""
    words = context.words
    themes = _listing([(r.label, f"{r.millions} mio. kr. ({r.share})") for r in [*context.themes, *context.channels]])
    types = _listing([(r.label, f"{r.millions} mio. kr. ({r.share})") for r in context.types])
    years = _listing([(r.year, f"{r.granted} kr. (ramme {r.framework})") for r in context.years])
    return {
        "chart_themes": f"Søjlediagram: støttebeløb fordelt på {words.many}: {themes}.",
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
            f"Søjlediagram: virkemidler under {words.the_one} {t.name} (antal projekter): "
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
    ``budget_issues`` go to the appendix (``None``: no budgets reviewed). ``goals`` fills the
    chapter "Målopfølgning" (``None``: the chapter says no goal follow-up was read); ``ledger`` the section
    "Udbetalt og tilbageført" (``None``: no such section). Returns ``out``.
    """
    context = build_context(
        breakdowns,
        report_date=report_date or dt.date.today(),
        underspend=underspend,
        as_of=as_of,
        budget_issues=budget_issues,
        goals=goals,
    )
    if ledger is not None:  # the section "Udbetalt og tilbageført" (issue 25)
        context = context.model_copy(update={"ledger": ledger_section(ledger)})
    return render_context(
        context,
        Path(out),
        template=template,
        charts=report_charts(breakdowns, context),
        alt_texts=chart_alt_texts(context),
    )
