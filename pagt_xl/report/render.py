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
from docx.oxml import parse_xml
from docx.shared import Mm
from docxtpl import DocxTemplate, InlineImage
from jinja2 import StrictUndefined, TemplateError, TemplateSyntaxError, UndefinedError, meta
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError

from pagt_xl.errors import ErrorCode, PagtError
from pagt_xl.goals import FollowUp
from pagt_xl.outputs import atomic_write
from pagt_xl.report.charts import share_chart, year_chart
from pagt_xl.report.context import ReportContext, build_context, template_variables
from pagt_xl.report.goals import add_goal_charts, goals_chapter, set_alt_texts
from pagt_xl.results import UnderspendNote

#: The shipped template (built by scripts/make_template.py), package data of ``pagt_xl``. Packages are
#: installed as files (wheel or editable), so the resource is a real path that Word libraries can open.
DEFAULT_TEMPLATE = Path(str(files("pagt_xl") / "templates" / "statusrapport.docx"))

CHART_WIDTH = Mm(155)

_CORE_PROPERTIES = ("author", "comments", "identifier", "language", "subject", "title")
_FOOTNOTES = "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"


class TemplateProblem(PagtError):
    """The Word template cannot be used (not a .docx, bad syntax, unknown variables, unsafe code)."""

    default_code = ErrorCode.TEMPLATE_INVALID


def default_template() -> Path:
    """The shipped template, ``pagt_xl/templates/statusrapport.docx`` (built by ``scripts/make_template.py``)."""
    return DEFAULT_TEMPLATE


def _environment() -> ImmutableSandboxedEnvironment:
    env = ImmutableSandboxedEnvironment(autoescape=True, undefined=StrictUndefined)
    # only harmless helpers stay available to templates; no loader: no import/include/extends
    env.globals = {k: v for k, v in env.globals.items() if k in ("range", "dict", "namespace")}
    return env


def _open(template: Path) -> DocxTemplate:
    if not template.exists():
        raise TemplateProblem(
            f"{template}: skabelonen findes ikke; angiv en med --template (eller byg standardskabelonen med "
            "scripts/make_template.py)",
            code=ErrorCode.TEMPLATE_NOT_FOUND,
        )
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


def render_context(
    context: ReportContext,
    out: Path,
    *,
    template: Path | None = None,
    charts: dict[str, bytes | None] | None = None,
) -> Path:
    """Render ``context`` into ``template`` and write ``out`` atomically. Returns ``out``."""
    template = Path(template) if template is not None else default_template()
    check_template(template)
    tpl = _open(template)
    values: dict[str, Any] = context.model_dump()
    for name in ("chart_themes", "chart_types", "chart_years"):
        png = (charts or {}).get(name)
        values[name] = InlineImage(tpl, io.BytesIO(png), width=CHART_WIDTH) if png else ""
    alts = add_goal_charts(tpl, values, context.goals) if context.goals is not None else {}
    try:
        tpl.render(values, jinja_env=_environment(), autoescape=True)
        set_alt_texts(tpl, alts)
    except SecurityError as exc:
        raise TemplateProblem(
            f"{template}: skabelonen forsøger noget, der ikke er tilladt ({exc}); kun rapportens variabler kan bruges",
            code=ErrorCode.TEMPLATE_UNSAFE,
        ) from None
    except UndefinedError as exc:
        raise TemplateProblem(
            f"{template}: ukendt felt i skabelonen: {exc.message}", code=ErrorCode.TEMPLATE_UNKNOWN_VARIABLE
        ) from None
    except TemplateError as exc:
        raise TemplateProblem(f"{template}: skabelonen kan ikke flettes: {exc}") from None
    except TypeError as exc:  # {% import %}, {% include %}, {% extends %}: no loader, on purpose
        raise TemplateProblem(
            f"{template}: skabelonen må ikke importere eller indlejre andre skabeloner ({exc})",
            code=ErrorCode.TEMPLATE_UNSAFE,
        ) from None
    out = Path(out)
    atomic_write(out, lambda tmp: tpl.save(str(tmp)))
    return out


def report_charts(breakdowns: Any) -> dict[str, bytes | None]:
    """The three chart PNGs for a set of breakdowns."""
    b = breakdowns.breakdowns
    return {
        "chart_themes": share_chart(b["theme"], "theme", "Støttebeløb fordelt på indsatsområder"),
        "chart_types": share_chart(b["type"], "type", "Støttebeløb fordelt på projekttyper") if "type" in b else None,
        "chart_years": year_chart(breakdowns.years),
    }


def render_report(
    breakdowns: Any,
    out: Path,
    *,
    template: Path | None = None,
    report_date: dt.date | None = None,
    underspend: Mapping[str, UnderspendNote] | None = None,
    goals: FollowUp | None = None,
) -> Path:
    """Build the context from ``breakdowns`` (:func:`pagt_xl.pipeline.run_breakdowns`) and write the draft.

    ``report_date`` defaults to today. ``underspend`` maps a project's case
    number (or title) to its underspend status for the progress table (``None``:
    not known). ``goals`` adds the chapter "Målopfølgning" (``None``: the report has no such chapter).
    Returns ``out``.
    """
    context = build_context(breakdowns, report_date=report_date or dt.date.today(), underspend=underspend)
    context = context.model_copy(update={"goals": goals_chapter(goals)}) if goals is not None else context
    return render_context(context, Path(out), template=template, charts=report_charts(breakdowns))
