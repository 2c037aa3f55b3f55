"""Word templates as hostile input (issue 21 item 7): checked, cleaned and rendered within bounds.

A template is a file staff edit in Word, so it is treated like a workbook from outside:

* **the package first** (:func:`check_template_package`): a zip whose parts unpack to more than
  :data:`MAX_PART_BYTES` (``word/document.xml``), :data:`MAX_PACKAGE_BYTES` in all, or more than
  :data:`MAX_RATIO` times their packed size, or XML with a DTD, is refused before python-docx reads it;
* **hazards out** (:func:`template_hazards`, :func:`strip_hazards`): a macro project
  (``vbaProject.bin``), a template attached from outside (``attachedTemplate`` with an external
  target in ``settings.xml.rels``, fetched by Word when the draft opens) and DDE/DDEAUTO fields
  (which start programs) are removed from every draft, each with a warning issue;
* **rendering in a child process** (:func:`render`): the Jinja sandbox (immutable, autoescaped, no
  loader) runs in a child with bounded memory, CPU time and wall time (:data:`RENDER_LIMITS`), and
  a rendered part longer than :data:`MAX_RENDERED_CHARS`, or one text longer than
  :data:`MAX_TEXT_CHARS` (which the XML parser would cut silently), is refused. Every fault is a
  :class:`TemplateProblem` naming the template and, where it is found, the paragraph.
"""

from __future__ import annotations

import io
import multiprocessing
import re
import threading
import zipfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, ClassVar

from jinja2 import StrictUndefined, TemplateError, TemplateSyntaxError, UndefinedError
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError

from pagt_xl.base import _child
from pagt_xl.base.errors import ErrorCode, PagtError
from pagt_xl.base.model import Issue, IssueCode, Severity

#: one part of a template unpacked (``word/document.xml`` of the shipped report is 0.2 MB)
MAX_PART_BYTES = 50_000_000
#: the whole template unpacked (pictures included)
MAX_PACKAGE_BYTES = 200_000_000
#: unpacked / packed size of any part above 1 MB (a zip bomb packs a thousand times and more)
MAX_RATIO = 200
#: characters of one rendered part (the report's body is about 1 million)
MAX_RENDERED_CHARS = 50_000_000
#: characters of one text in the rendered XML: the XML parser silently cuts a longer one
MAX_TEXT_CHARS = 10_000_000
#: bytes of a rendered draft
MAX_OUTPUT_BYTES = 200_000_000
#: the child that renders: memory beyond what it starts with, CPU seconds, seconds the run waits for it
RENDER_LIMITS = _child.Limits(memory=1_000_000_000, cpu_seconds=60, wall_seconds=180)


class TemplateProblem(PagtError):
    """The Word template cannot be used (not a .docx, bad syntax, unknown variables, unsafe code)."""

    default_code = ErrorCode.TEMPLATE_INVALID


# -- the package ---------------------------------------------------------------------------------
_DTD = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.I)


def check_template_package(template: Path) -> None:
    """Refuse a template whose zip would unpack too far (a decompression bomb) or whose XML has a DTD.

    Reads only the zip directory and the first bytes of each XML part; a part is counted as it is
    really unpacked, never by the size the directory claims.
    """
    name = str(template)
    try:
        with zipfile.ZipFile(template) as zf:
            infos = zf.infolist()
            total = 0
            for info in infos:
                if _too_big(info.file_size, info.compress_size):  # what the directory claims
                    raise _bomb(name, info.filename, info.file_size)
                size = _unpacked_size(zf, info, name)
                total += size
                if total > MAX_PACKAGE_BYTES:
                    raise _bomb(name, info.filename, total)
    except zipfile.BadZipFile:
        return  # not a zip at all: python-docx says so in the usual words ("ikke et Word-dokument")
    except (OSError, EOFError, NotImplementedError, zipfile.LargeZipFile) as exc:
        raise TemplateProblem(f"{name}: skabelonen er beskadiget ({exc.__class__.__name__})") from None


def _unpacked_size(zf: zipfile.ZipFile, info: zipfile.ZipInfo, name: str) -> int:
    size = 0
    with zf.open(info) as fh:
        head = fh.read(4096)
        if info.filename.endswith((".xml", ".rels")) and _DTD.search(head):
            raise TemplateProblem(
                f"{name}: delen '{info.filename}' i skabelonen indeholder en DTD/XML-entiteter, som Word aldrig "
                "skriver; afvist af sikkerhedshensyn",
                code=ErrorCode.TEMPLATE_UNSAFE,
            )
        size = len(head)
        while block := fh.read(1 << 20):
            size += len(block)
            if _too_big(size, info.compress_size):  # what really comes out
                raise _bomb(name, info.filename, size)
    return size


def _too_big(size: int, packed: int) -> bool:
    return size > MAX_PART_BYTES or (size > 1_000_000 and size > MAX_RATIO * max(packed, 1))


def _bomb(name: str, part: str, size: int) -> TemplateProblem:
    return TemplateProblem(
        f"{name}: skabelonens del '{part}' pakker sig ud til over {size // 1_000_000} MB; afvist som mulig "
        "zip-bombe — gem skabelonen igen i Word (uden indlejrede filer)",
        code=ErrorCode.TEMPLATE_UNSAFE,
    )


# -- hazards ---------------------------------------------------------------------------------------
_VBA_TYPES = ("/vbaProject", "/wordVbaData", "/keyMapCustomizations")
_REMOTE_TYPES = ("/attachedTemplate", "/subDocument", "/frame")
_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_DDE = re.compile(r"^\s*DDE(?:AUTO)?\b", re.I)
_WORD_XML = re.compile(r"^word/(?:document|header\d*|footer\d*|footnotes|endnotes|comments|glossary/document)\.xml$")


def template_hazards(template: Path) -> list[Issue]:
    """Warnings for what :func:`strip_hazards` takes out of every draft made from ``template``:
    macros, a template attached from outside, DDE fields (one issue each, naming the part)."""
    name = str(template)
    issues: list[Issue] = []
    try:
        zf = zipfile.ZipFile(template)
    except (OSError, zipfile.BadZipFile):
        return issues
    with zf:
        names = zf.namelist()
        vba = [n for n in names if n.lower().endswith(("vbaproject.bin", "vbadata.xml"))]
        if vba:
            issues.append(_issue(IssueCode.TEMPLATE_MACROS_REMOVED, name,
                                 f"skabelonen indeholder makroer ({', '.join(vba)}); de er fjernet fra kladden, "
                                 "og skabelonen bør gemmes igen som .docx uden makroer"))  # fmt: skip
        for rels in (n for n in names if n.endswith(".rels")):
            text = zf.read(rels).decode("utf-8", "replace")
            for m in re.finditer(r"<Relationship\b[^>]*>", text):
                rel = m.group(0)
                if 'TargetMode="External"' in rel and any(t + '"' in rel for t in _REMOTE_TYPES):
                    target = re.search(r'Target="([^"]*)"', rel)
                    issues.append(_issue(IssueCode.TEMPLATE_REMOTE_TEMPLATE_REMOVED, name,
                                         f"skabelonen henter '{target.group(1) if target else '?'}' udefra ({rels}), "
                                         "når kladden åbnes; henvisningen er fjernet"))  # fmt: skip
        for part in (n for n in names if _WORD_XML.match(n)):
            for code in _dde_codes(zf.read(part)):
                issues.append(_issue(IssueCode.TEMPLATE_DDE_FIELD_REMOVED, name,
                                     f"skabelonen har et DDE-felt i {part} ({code[:80]}), som kan starte et program; "
                                     "feltet er fjernet fra kladden"))  # fmt: skip
    return issues


def _issue(code: IssueCode, name: str, message: str) -> Issue:
    return Issue.at(code, Severity.WARNING, message, file=name)


def _dde_codes(xml: bytes) -> list[str]:
    """The codes of the DDE fields in a part (simple fields and the instruction text of complex ones)."""
    from lxml import etree

    try:
        root = etree.fromstring(xml, etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False))
    except etree.XMLSyntaxError:
        return []
    return [code for _, code in _fields(root) if _DDE.match(code)]


def _fields(root: Any) -> Iterator[tuple[list[Any], str]]:
    """Each field of a part: (its elements to remove, its code). A simple field is one ``w:fldSimple``; a
    complex one the runs from ``fldChar begin`` to its ``end`` (nested fields inside it included)."""
    simple = f"{{{_W}}}fldSimple"
    for el in root.iter(simple):
        yield [el], el.get(f"{{{_W}}}instr", "")
    runs = list(root.iter(f"{{{_W}}}r"))
    stack: list[tuple[list[Any], list[str]]] = []
    for run in runs:
        char = run.find(f"{{{_W}}}fldChar")
        kind = char.get(f"{{{_W}}}fldCharType") if char is not None else None
        if kind == "begin":
            stack.append(([run], []))
            continue
        if not stack:
            continue
        for members, _ in stack:
            members.append(run)
        for instr in run.iter(f"{{{_W}}}instrText"):
            stack[-1][1].append(instr.text or "")
        if kind == "end":
            members, code = stack.pop()
            yield members, "".join(code)


def strip_hazards(doc: Any) -> int:
    """Remove from a python-docx document what :func:`template_hazards` warns of; returns how many."""
    removed = 0
    package = doc.part.package
    for part in list(package.iter_parts()):
        for rel_id, rel in list(part.rels.items()):
            reltype = rel.reltype or ""
            if reltype.endswith(_VBA_TYPES) or (rel.is_external and reltype.endswith(_REMOTE_TYPES)):
                del part.rels[rel_id]
                removed += 1
                element = getattr(part, "element", None)
                if element is not None:  # <w:attachedTemplate r:id="..."/> in settings.xml
                    for el in element.xpath(f'//*[@*[local-name()="id"]="{rel_id}"]'):
                        el.getparent().remove(el)
    for part in list(package.iter_parts()):
        if not _WORD_XML.match(str(part.partname).lstrip("/")):
            continue
        element = getattr(part, "element", None)
        if element is None:
            removed += _strip_blob(part)
            continue
        removed += _strip_fields(element)
    return removed


def _strip_fields(root: Any) -> int:
    removed = 0
    for members, code in list(_fields(root)):
        if _DDE.match(code):
            for el in members:
                if el.getparent() is not None:
                    el.getparent().remove(el)
            removed += 1
    return removed


def _strip_blob(part: Any) -> int:
    """A part python-docx keeps as bytes (footnotes, endnotes, comments): parsed, cleaned, put back."""
    from lxml import etree

    try:
        root = etree.fromstring(part.blob, etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError:
        return 0
    removed = _strip_fields(root)
    if removed:
        part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    return removed


# -- the sandbox -----------------------------------------------------------------------------------
class RenderedTooLarge(Exception):
    """A rendered part or one of its texts is over the cap (:data:`MAX_RENDERED_CHARS`, :data:`MAX_TEXT_CHARS`)."""


_COMPILED_LOCK = threading.Lock()


class _Environment(ImmutableSandboxedEnvironment):
    """The sandbox, remembering what it compiled: docxtpl compiles every part of the template on every
    render (about 0.08 s for the status report); the same part's XML compiles to the same template.
    Each compiled template keeps its source, so that a fault can name its paragraph."""

    _compiled: ClassVar[dict[str, Any]] = {}
    _KEEP = 64
    #: checked when they run, and never folded into a constant when the template is compiled
    #: ("{{ 'x' * 10**9 }}" would otherwise be built by the compiler, outside any bound)
    intercepted_binops = frozenset({"*", "**"})

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "*":
            for seq, times in ((left, right), (right, left)):
                if isinstance(seq, str | list | tuple) and isinstance(times, int) and len(seq) * times > MAX_TEXT_CHARS:
                    raise RenderedTooLarge(_too_long(len(seq) * times), None, None)
        numbers = isinstance(left, int) and isinstance(right, int)
        if operator == "**" and numbers and abs(left) > 1 and right * abs(left).bit_length() > 100_000:
            raise OverflowError("for stort tal")  # a number of more than 30,000 digits
        return super().call_binop(context, operator, left, right)

    def from_string(self, source: Any, globals: Any = None, template_class: Any = None) -> Any:
        if globals is not None or template_class is not None or not isinstance(source, str):
            return super().from_string(source, globals, template_class)
        template = self._compiled.get(source)
        if template is None:
            template = super().from_string(source)
            template.pagt_source = source
            with _COMPILED_LOCK:  # the server renders in threads
                while len(self._compiled) >= self._KEEP:
                    self._compiled.pop(next(iter(self._compiled)))
                self._compiled[source] = template
        return template


def _over(n: int) -> str:
    return f"over {n:,} tegn".replace(",", ".")


def _too_long(n: int) -> str:
    return f"en tekst på {n:,} tegn (højst {MAX_TEXT_CHARS:,}; længere tekster ville blive skåret af)".replace(",", ".")


class _CappedTemplate(_Environment.template_class):  # type: ignore[name-defined,misc]
    """A template whose output is counted as it is made: over :data:`MAX_RENDERED_CHARS` it stops there."""

    def render(self, *args: Any, **kwargs: Any) -> str:
        ctx = self.new_context(dict(*args, **kwargs))
        pieces: list[str] = []
        count = 0
        gen = self.root_render_func(ctx)
        try:
            for piece in gen:
                count += len(piece)
                if count > MAX_RENDERED_CHARS or len(piece) > MAX_TEXT_CHARS:
                    line = self.get_corresponding_lineno(gen.gi_frame.f_lineno) if gen.gi_frame else None
                    text = _too_long(len(piece)) if len(piece) > MAX_TEXT_CHARS else _over(MAX_RENDERED_CHARS)
                    if line is not None and len(piece) > MAX_TEXT_CHARS:  # the paragraphs before it in the piece
                        longest = max(piece.split("<"), key=len)
                        line += piece.count("\n", 0, piece.find(longest))
                    raise RenderedTooLarge(text, line, getattr(self, "pagt_source", None))
                pieces.append(piece)
        except RenderedTooLarge:
            raise
        except Exception:
            self.environment.handle_exception()
        text = "".join(pieces)
        longest = max(map(len, text.split("<")), default=0)
        if longest > MAX_TEXT_CHARS:
            raise RenderedTooLarge(_too_long(longest), None, getattr(self, "pagt_source", None))
        return text


_Environment.template_class = _CappedTemplate


_ENVIRONMENT: _Environment | None = None


def environment(filters: Mapping[str, Any] | None = None) -> ImmutableSandboxedEnvironment:
    """One sandbox per process (its configuration never changes), so its compiled parts are reused.

    ``filters``: filters staff may use besides Jinja's own (the report's Danish ``stort``, ``punktum``).
    """
    global _ENVIRONMENT
    if _ENVIRONMENT is None:
        env = _Environment(autoescape=True, undefined=StrictUndefined)
        # only harmless helpers stay available to templates; no loader: no import/include/extends
        env.globals = {k: v for k, v in env.globals.items() if k in ("range", "dict", "namespace")}
        _ENVIRONMENT = env
    if filters:
        _ENVIRONMENT.filters.update(filters)
    return _ENVIRONMENT


# -- rendering in a child --------------------------------------------------------------------------
class _Picture:
    """An ``InlineImage`` on its way to the child: the picture's bytes and size, not the template it belongs to."""

    __slots__ = ("anchor", "data", "height", "width")

    def __init__(self, data: bytes, width: Any, height: Any, anchor: Any) -> None:
        self.data, self.width, self.height, self.anchor = data, width, height, anchor


def _pack(value: Any) -> Any:
    from docxtpl import InlineImage

    if isinstance(value, InlineImage):
        source = value.image_descriptor
        data = source.getvalue() if hasattr(source, "getvalue") else Path(source).read_bytes()
        return _Picture(data, value.width, value.height, getattr(value, "anchor", None))
    if isinstance(value, dict):
        return {k: _pack(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_pack(v) for v in value)
    return value


def _unpack(value: Any, tpl: Any) -> Any:
    from docxtpl import InlineImage

    if isinstance(value, _Picture):
        return InlineImage(tpl, io.BytesIO(value.data), width=value.width, height=value.height, anchor=value.anchor)
    if isinstance(value, dict):
        return {k: _unpack(v, tpl) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_unpack(v, tpl) for v in value)
    return value


def _start_method() -> str:
    """``fork`` where it is safe (one thread, Linux); else a forkserver that has the Word libraries loaded."""
    method = _child.start_method()
    if method == "forkserver":
        multiprocessing.get_context("forkserver").set_forkserver_preload([__name__])
    return method


def render(tpl: Any, values: dict[str, Any], template: Path, *, filters: Mapping[str, Any] | None = None) -> None:
    """Render ``values`` into ``tpl`` (a ``DocxTemplate``) in a child process within :data:`RENDER_LIMITS`,
    and clean the result (:func:`strip_hazards`); ``tpl.docx`` is then the rendered document.

    Raises :class:`TemplateProblem` for anything the template may not do or cannot do within the
    bounds, naming the template and, where it is found, the paragraph. ``filters``: see :func:`environment`
    (module-level functions: the child gets them by name).
    """
    from docx import Document

    source = tpl.template_file
    data = source.getvalue() if hasattr(source, "getvalue") else Path(source).read_bytes()
    try:
        rendered = _child.run(_render_child, data, _pack(values), str(template), dict(filters or {}),
                              limits=RENDER_LIMITS, method=_start_method())  # fmt: skip
    except _child.ChildFailed as exc:
        raise TemplateProblem(
            f"{template}: skabelonen kunne ikke flettes — flettningen {exc}; ret skabelonen (løkker, gentagelser)",
            code=ErrorCode.TEMPLATE_UNSAFE,
        ) from None
    tpl.docx = Document(io.BytesIO(rendered))
    tpl.is_rendered = True
    strip_hazards(tpl.docx)


def _render_child(data: bytes, values: dict[str, Any], template: str, filters: dict[str, Any]) -> bytes:
    """In the child: open, render in the sandbox, save to bytes; every fault a :class:`TemplateProblem`."""
    from docxtpl import DocxTemplate

    tpl = DocxTemplate(io.BytesIO(data))
    try:
        tpl.render(_unpack(values, tpl), jinja_env=environment(filters), autoescape=True)
    except BaseException as exc:
        raise _problem(exc, template, tpl) from None
    buf = io.BytesIO()
    tpl.save(buf)
    if buf.tell() > MAX_OUTPUT_BYTES:
        raise TemplateProblem(f"{template}: kladden bliver over {MAX_OUTPUT_BYTES // 1_000_000} MB; ret skabelonen",
                              code=ErrorCode.TEMPLATE_UNSAFE)  # fmt: skip
    return buf.getvalue()


def _problem(exc: BaseException, template: str, tpl: Any) -> BaseException:
    """The Danish :class:`TemplateProblem` for what went wrong while rendering (KeyboardInterrupt goes on)."""
    if isinstance(exc, KeyboardInterrupt | SystemExit):
        return exc
    where = _where(exc, tpl)
    unsafe = ErrorCode.TEMPLATE_UNSAFE
    if isinstance(exc, SecurityError):
        return TemplateProblem(f"{template}{where}: skabelonen forsøger noget, der ikke er tilladt ({exc}); kun "
                               "skabelonens felter kan bruges", code=unsafe)  # fmt: skip
    if isinstance(exc, UndefinedError):
        name = re.sub(r"^.*?'([^']+)'.*$", r"\1", exc.message or "")
        return TemplateProblem(f"{template}{where}: skabelonen bruger et felt, der ikke findes: '{name}'",
                               code=ErrorCode.TEMPLATE_UNKNOWN_VARIABLE)  # fmt: skip
    if isinstance(exc, TemplateSyntaxError):
        from pagt_xl.report.template_check import danish_syntax

        return TemplateProblem(f"{template}{where}: fejl i skabelonen: {danish_syntax(exc.message or '')}")
    if isinstance(exc, TemplateError):
        return TemplateProblem(f"{template}{where}: skabelonen kan ikke flettes ({exc.__class__.__name__})")
    if isinstance(exc, TypeError) and "loader" in str(exc).lower():  # {% import %}, {% include %}, {% extends %}
        return TemplateProblem(f"{template}{where}: skabelonen må ikke importere eller indlejre andre skabeloner "
                               f"({exc})", code=unsafe)  # fmt: skip
    reasons = {
        RenderedTooLarge: lambda e: f"flettningen giver {e.args[0]}; det er mere, end en kladde kan rumme",
        _child.CpuTimeExceeded: lambda e: f"flettningen tog over {RENDER_LIMITS.cpu_seconds} sekunders CPU-tid",
        MemoryError: lambda e: "flettningen kræver mere hukommelse, end der er afsat",
        RecursionError: lambda e: "skabelonen kalder sig selv for dybt (rekursion)",
        OverflowError: lambda e: "skabelonen beder om en for stor talrække (range over 100.000) eller et for stort tal",
    }
    for kind, reason in reasons.items():
        if isinstance(exc, kind):
            return TemplateProblem(f"{template}{where}: {reason(exc)}; ret skabelonen", code=unsafe)
    return TemplateProblem(f"{template}{where}: skabelonen kan ikke flettes ({exc.__class__.__name__}: {exc})"[:500],
                           code=unsafe)  # fmt: skip


def _where(exc: BaseException, tpl: Any) -> str:
    """``", afsnit 3 («{{ 'x' * 10**8 }}»)"`` for the paragraph being rendered, ``""`` when it is not known.

    docxtpl puts each paragraph (``<w:p``) of a part on a line of its own before Jinja compiles the
    part, so the template line of the fault (from the traceback, or the counting template) is the
    paragraph; its text is that line without the XML tags.
    """
    line, source = None, None
    if isinstance(exc, RenderedTooLarge):
        line, source = exc.args[1], exc.args[2]
    tb = exc.__traceback__
    while tb is not None:
        frame = tb.tb_frame
        t = frame.f_globals.get("__jinja_template__")
        if t is not None:
            line, source = t.get_corresponding_lineno(tb.tb_lineno), getattr(t, "pagt_source", None)
        elif frame.f_code.co_filename == "<template>":
            line = tb.tb_lineno
        tb = tb.tb_next
    if source is None:
        source = next(reversed(_Environment._compiled.values()), None)
        source = getattr(source, "pagt_source", None)
    part = getattr(getattr(tpl, "current_rendering_part", None), "partname", None)
    in_part = f" i {str(part).lstrip('/')}" if part and "document.xml" not in str(part) else ""
    if line is None or source is None:
        return in_part
    lines = source.splitlines()
    if not 1 <= line <= len(lines):
        return in_part
    import html

    text = html.unescape(re.sub(r"<[^>]+>", "", lines[line - 1])).strip()
    text = text if len(text) <= 80 else text[:79] + "…"
    return f"{in_part}, afsnit {max(line - 1, 1)}" + (f" («{text}»)" if text else "")
