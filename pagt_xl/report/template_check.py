"""Check a Word template before anything is rendered: every fault in Danish, with the paragraph it is in.

Three checks, in this order, each naming the template and the paragraph ("afsnit 37 under
overskriften 'Udmøntningen {{ period }}': «{%p if sentences.excluded %}»"):

1. the blocks balance: every ``{%p if %}`` has its ``{%p endif %}``, every ``{%p for %}`` its
   ``{%p endfor %}`` (a deleted ``{%p endif %}`` is found at the block it leaves open);
2. every tag and every ``{{ … }}`` is valid Jinja on its own;
3. every variable is known, also inside records: ``{{ sentences.totale }}`` is unknown when the
   context's ``sentences`` has no ``totale``. Loop variables get the type of the list's items
   (``{%tr for t in themes %}`` … ``{{ t.labl }}`` is unknown), so a typo is caught here, not
   in the middle of rendering.

The variables are given as a mapping name → type: a pydantic model class, a ``list[...]`` of
one, an optional one, or any other type (a plain value whose attributes are not checked).
"""

from __future__ import annotations

import re
import types
import typing
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from docx.oxml.ns import qn
from jinja2 import TemplateSyntaxError, nodes
from pydantic import BaseModel

#: docxtpl's tag prefixes: a tag alone in a paragraph, row, cell or run
_TAG = re.compile(r"\{%-?\s*(?:p|tr|tc|r)?\s+(\w+)(.*?)-?%\}|\{%-?\s*(\w+)(.*?)-?%\}", re.DOTALL)
_EXPRESSION = re.compile(r"\{\{.*?\}\}", re.DOTALL)
_OPENERS = {"if": "endif", "for": "endfor", "macro": "endmacro", "call": "endcall", "filter": "endfilter",
            "with": "endwith", "raw": "endraw", "autoescape": "endautoescape"}  # fmt: skip
_MIDDLES = {"elif": "if", "else": ("if", "for")}
_ANY = object()  # a value whose attributes are not checked
_LOOP = object()  # Jinja's ``loop`` inside a for


@dataclass(frozen=True)
class Paragraph:
    """A paragraph of the template: where it is (Danish) and its text as Word shows it."""

    where: str
    text: str


def paragraphs(template: Path) -> list[Paragraph]:
    """Every paragraph of the document (body with its tables, then headers and footers), located in Danish."""
    from docx import Document

    doc = Document(str(template))
    out: list[Paragraph] = []
    heading = ""
    for n, p in enumerate(doc.element.body.iter(qn("w:p")), start=1):
        text = "".join(t.text or "" for t in p.iter(qn("w:t")))
        style = p.find(f"{qn('w:pPr')}/{qn('w:pStyle')}")
        in_table = any(a.tag == qn("w:tbl") for a in p.iterancestors())
        where = f"afsnit {n}" + (" (i en tabel)" if in_table else "")
        if heading:
            where += f" under overskriften '{_short(heading)}'"
        out.append(Paragraph(where, text))
        if style is not None and style.get(qn("w:val"), "").startswith("Heading") and text.strip():
            heading = text.strip()
    for s, section in enumerate(doc.sections, start=1):
        for part, name in ((section.header, "sidehovedet"), (section.footer, "sidefoden")):
            for n, p in enumerate(part.paragraphs, start=1):
                label = f"{name} (sektion {s})" if len(doc.sections) > 1 else name
                out.append(Paragraph(f"{label}, afsnit {n}", p.text))
    return out


def _short(text: str, size: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= size else text[: size - 1] + "…"


# -- 1. blocks --------------------------------------------------------------------------------------
def _tags(text: str) -> Iterator[tuple[str, str]]:
    """(tag name, the tag as written) of every ``{% … %}`` in a paragraph's text."""
    for m in _TAG.finditer(text):
        yield (m.group(1) or m.group(3) or ""), m.group(0)


def block_fault(items: list[Paragraph]) -> str | None:
    """The first unbalanced block in Danish, or ``None`` when every block is closed where it should be."""
    stack: list[tuple[str, str, Paragraph]] = []
    for para in items:
        for name, written in _tags(para.text):
            if name in _OPENERS:
                stack.append((name, written, para))
            elif name in _MIDDLES:
                allowed = _MIDDLES[name]
                if not stack or stack[-1][0] not in (allowed if isinstance(allowed, tuple) else (allowed,)):
                    return f"{para.where}: «{_short(written)}» står uden en åben {{% if %}}-blok foran sig"
            elif name.startswith("end"):
                opener = name[3:]
                if not stack:
                    return (f"{para.where}: «{_short(written)}» lukker en blok, der aldrig er åbnet "
                            f"(mangler {{%p {opener} … %}} foran?)")  # fmt: skip
                top, top_written, top_para = stack.pop()
                if _OPENERS.get(top) != name:
                    closer = _OPENERS[top]
                    return (f"{top_para.where}: «{_short(top_written)}» lukkes ikke med {{%p {closer} %}}, "
                            f"før «{_short(written)}» i {para.where} (er {{%p {closer} %}} slettet?)")  # fmt: skip
    if stack:
        top, written, para = stack[-1]
        return (f"{para.where}: «{_short(written)}» lukkes aldrig; {{%p {_OPENERS[top]} %}} mangler "
                "(er det slettet?)")  # fmt: skip
    return None


# -- 2. syntax ------------------------------------------------------------------------------------------
_MESSAGES = (
    (re.compile(r"unexpected end of template"), "skabelonen slutter, før en blok er lukket"),
    (re.compile(r"Encountered unknown tag '([^']+)'"), "ukendt mærke '{0}'"),
    (re.compile(r"expected token '([^']+)', got '([^']+)'"), "forventede '{0}', men fandt '{1}'"),
    (re.compile(r"unexpected '([^']+)'"), "uventet '{0}'"),
    (re.compile(r"unexpected char '([^']+)'"), "uventet tegn '{0}'"),
    (re.compile(r"unexpected end of (?:print statement|expression)"), "udtrykket slutter for tidligt"),
)


def danish_syntax(message: str) -> str:
    """Jinja's English syntax message in Danish (the quoted tokens kept)."""
    text = re.sub(r"<[^>]+>", "", message or "")
    for pattern, danish in _MESSAGES:
        m = pattern.search(text)
        if m:
            return danish.format(*m.groups())
    return "ugyldig skabelonsyntaks"


def _standalone(name: str, written: str) -> str:
    """A tag as a template of its own that parses when the tag is right (blocks closed, middles opened)."""
    plain = re.sub(r"^\{%-?\s*(?:p|tr|tc|r)?\s+", "{% ", written)
    if name in _OPENERS:
        return plain + f"{{% {_OPENERS[name]} %}}"
    if name in _MIDDLES:
        return "{% if 1 %}" + plain + "{% endif %}"
    if name.startswith("end"):
        return ""
    return plain


def syntax_fault(env: Any, items: list[Paragraph]) -> str | None:
    """The first tag or expression that is not valid Jinja, in Danish with its paragraph; ``None``: all valid."""
    for para in items:
        pieces = [m.group(0) for m in _EXPRESSION.finditer(para.text)]
        pieces += [_standalone(name, written) for name, written in _tags(para.text)]
        for piece in pieces:
            if not piece:
                continue
            try:
                env.parse(piece)
            except TemplateSyntaxError as exc:
                return f"{para.where}: «{_short(para.text)}»: {danish_syntax(exc.message or '')}"
    return None


# -- 3. variables ---------------------------------------------------------------------------------------
def _item(annotation: Any) -> Any:
    """The type of a field: a model class, ``list`` of one (as ``("list", item)``), or :data:`_ANY`."""
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        return _item(args[0]) if len(args) == 1 else _ANY
    if origin in (list, tuple):
        args = typing.get_args(annotation)
        return ("list", _item(args[0]) if args else _ANY)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    return annotation if isinstance(annotation, type) else _ANY


def _attribute(kind: Any, attr: str) -> tuple[bool, Any]:
    """(known?, type) of ``kind.attr``."""
    if kind is _ANY or kind is _LOOP:
        return True, _ANY
    if isinstance(kind, type) and issubclass(kind, BaseModel):
        field = kind.model_fields.get(attr)
        return (field is not None), (_item(field.annotation) if field is not None else _ANY)
    if isinstance(kind, tuple):  # a list: its methods only
        return hasattr(list, attr), _ANY
    if isinstance(kind, type):  # a plain value (str, int, bool): its methods ("upper", "lower" ...)
        return hasattr(kind, attr), _ANY
    return True, _ANY


class _Walker:
    """Walk a template's syntax tree with the type of every name in scope; collect unknown paths."""

    def __init__(self, variables: Mapping[str, Any]) -> None:
        self.top = {name: _item(kind) if not isinstance(kind, tuple) else kind for name, kind in variables.items()}
        self.unknown: list[str] = []

    def run(self, node: nodes.Node) -> None:
        self._body(getattr(node, "body", []), dict(self.top))

    def _body(self, body: list[nodes.Node], scope: dict[str, Any]) -> None:
        for child in body:
            self._stmt(child, scope)

    def _stmt(self, node: nodes.Node, scope: dict[str, Any]) -> None:
        if isinstance(node, nodes.For):
            kind = self._expr(node.iter, scope)
            inner = dict(scope)
            item = kind[1] if isinstance(kind, tuple) else _ANY
            for name in self._targets(node.target):
                inner[name] = item if isinstance(node.target, nodes.Name) else _ANY
            inner["loop"] = _LOOP
            if node.test is not None:
                self._expr(node.test, inner)
            self._body(node.body, inner)
            self._body(node.else_, scope)
        elif isinstance(node, nodes.If):
            self._expr(node.test, scope)
            self._body(node.body, scope)
            for elif_ in node.elif_:
                self._stmt(elif_, scope)
            self._body(node.else_, scope)
        elif isinstance(node, nodes.Assign):
            self._expr(node.node, scope)
            for name in self._targets(node.target):
                scope[name] = _ANY
        elif isinstance(node, nodes.AssignBlock | nodes.Macro | nodes.CallBlock | nodes.FilterBlock | nodes.With):
            inner = dict(scope)
            for attr in ("target",):
                if getattr(node, attr, None) is not None:
                    for name in self._targets(node.target):  # type: ignore[attr-defined]
                        inner[name] = _ANY
            for arg in getattr(node, "args", []) or []:
                if isinstance(arg, nodes.Name):
                    inner[arg.name] = _ANY
            for target in getattr(node, "targets", []) or []:
                for name in self._targets(target):
                    inner[name] = _ANY
            for value in getattr(node, "values", []) or []:
                self._expr(value, scope)
            if isinstance(node, nodes.CallBlock):
                self._expr(node.call, scope)
            self._body(node.body, inner)
        elif isinstance(node, nodes.Output):
            for child in node.nodes:
                if not isinstance(child, nodes.TemplateData):
                    self._expr(child, scope)
        else:
            for child in node.iter_child_nodes():
                if isinstance(child, nodes.Expr):
                    self._expr(child, scope)
                else:
                    self._stmt(child, scope)

    @staticmethod
    def _targets(node: nodes.Node) -> list[str]:
        if isinstance(node, nodes.Name):
            return [node.name]
        return [n.name for n in node.find_all(nodes.Name)]

    def _expr(self, node: nodes.Node, scope: dict[str, Any]) -> Any:
        if isinstance(node, nodes.Name):
            if node.name not in scope:
                self.unknown.append(node.name)
                return _ANY
            return scope[node.name]
        if isinstance(node, nodes.Getattr):
            kind = self._expr(node.node, scope)
            known, result = _attribute(kind, node.attr)
            if not known:
                self.unknown.append(f"{_path(node.node)}.{node.attr}")
            return result
        if isinstance(node, nodes.Getitem):
            kind = self._expr(node.node, scope)
            arg = node.arg
            if isinstance(arg, nodes.Const) and isinstance(arg.value, str):
                known, result = _attribute(kind, arg.value)
                if not known:
                    self.unknown.append(f"{_path(node.node)}.{arg.value}")
                return result
            self._expr(arg, scope)
            return kind[1] if isinstance(kind, tuple) else _ANY
        for child in node.iter_child_nodes():
            if isinstance(child, nodes.Expr):
                self._expr(child, scope)
        return _ANY


def _path(node: nodes.Node) -> str:
    if isinstance(node, nodes.Name):
        return node.name
    if isinstance(node, nodes.Getattr):
        return f"{_path(node.node)}.{node.attr}"
    if isinstance(node, nodes.Getitem):
        return f"{_path(node.node)}[…]"
    return "…"


def unknown_variables(env: Any, source: str, variables: Mapping[str, Any]) -> list[str]:
    """The unknown names and attributes a template source uses ("sentences.totale", "t.labl"), in order."""
    walker = _Walker(variables)
    walker.run(env.parse(source))
    seen: list[str] = []
    for name in walker.unknown:
        if name not in seen:
            seen.append(name)
    return seen


def where_used(items: list[Paragraph], path: str) -> str | None:
    """The first paragraph whose text uses ``path`` (spaces ignored), in Danish; ``None`` when not found."""
    squeezed = path.replace(" ", "")
    for para in items:
        if squeezed in para.text.replace(" ", ""):
            return para.where
    return None
