"""Regular expressions from a pact file, checked before they meet a workbook (issue 21 item 9).

Python's ``re`` backtracks: a pattern such as ``^(\\w+\\s?)*$`` tries every way of splitting a name
between its inner and outer repetition, and a 32-character applicant name that does not match takes
longer than the age of the universe. :func:`backtracking_risk` reads the pattern's syntax tree (the
parser ``re`` itself uses) and names the shapes that can take exponential (or high polynomial) time:

* a repetition without an upper bound inside another one (``(a+)*``, ``(\\w+\\s?)*``);
* a repetition without an upper bound over alternatives that can begin with the same character
  (``(a|ab)*``, ``(\\w|\\d)+``);
* three or more repetitions without an upper bound in one pattern (``\\w*\\w*\\w*x``: polynomial, but of
  the third degree in the length of a cell).

The shipped pacts' patterns (``\\bhf\\b``, ``tech ?college``, ``^region ``) have none of these. A
refused pattern can nearly always be written without them: a word list (``universitet|\\bau\\b``), or a
bounded repetition (``\\w{1,40}``). The matching side bounds the text as well (applicant names are cut
to :data:`pagt_xl.core.breakdown.MAX_NAME_CHARS` characters before they are matched).
"""

from __future__ import annotations

import re
import warnings
from typing import Any

from pagt_xl.base.errors import InvalidSetting

#: a repetition with a larger upper bound than this counts as unbounded (``{1,100000}`` backtracks as ``+``)
_LARGE = 64


def _parser() -> Any:
    try:
        import re._parser as parser  # Python 3.11+

        return parser
    except ImportError:  # pragma: no cover - Python < 3.11 (not supported, kept for clarity)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            import sre_parse

            return sre_parse


def _constants() -> Any:
    try:
        import re._constants as constants

        return constants
    except ImportError:  # pragma: no cover
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            import sre_constants

            return sre_constants


_CATEGORY_TESTS = {"CATEGORY_DIGIT": r"\d", "CATEGORY_SPACE": r"\s", "CATEGORY_WORD": r"\w"}
#: which of the three classes share characters (\d is inside \w; \s shares none with either)
_CATEGORY_OVERLAP = {frozenset({"CATEGORY_DIGIT", "CATEGORY_WORD"}), *(frozenset({k}) for k in _CATEGORY_TESTS)}


class _Chars:
    """The characters a piece of pattern can begin with: code points and classes (digit, space, word), or any."""

    def __init__(
        self, points: frozenset[int] = frozenset(), classes: frozenset[str] = frozenset(), anything: bool = False
    ):
        self.points, self.classes, self.anything = points, classes, anything

    def __or__(self, other: _Chars) -> _Chars:
        return _Chars(self.points | other.points, self.classes | other.classes, self.anything or other.anything)

    def meets(self, other: _Chars) -> bool:
        if self.anything or other.anything:
            return True
        if self.points & other.points:
            return True
        for a in self.classes:
            if any(frozenset({a, b}) in _CATEGORY_OVERLAP for b in other.classes):
                return True
        for points, classes in ((self.points, other.classes), (other.points, self.classes)):
            for cls in classes:
                if any(re.match(_CATEGORY_TESTS[cls], chr(p)) for p in points):
                    return True
        return False


_ANY = _Chars(anything=True)


class _Analysis:
    def __init__(self) -> None:
        c = _constants()
        self.c = c
        self.repeats = {c.MAX_REPEAT, c.MIN_REPEAT}
        self.unbounded = 0

    def _letter(self, value: int) -> frozenset[int]:
        ch = chr(value)
        return frozenset({value, ord(ch.lower()[0]), ord(ch.upper()[0])})

    def _class(self, items: Any) -> _Chars:
        c = self.c
        out = _Chars()
        for kind, value in items:
            if kind is c.LITERAL:
                out = out | _Chars(self._letter(value))
            elif kind is c.RANGE and value[1] - value[0] < 512:
                out = out | _Chars(frozenset().union(*(self._letter(v) for v in range(value[0], value[1] + 1))))
            elif kind is c.CATEGORY and str(value) in _CATEGORY_TESTS:
                out = out | _Chars(classes=frozenset({str(value)}))
            else:
                return _ANY  # a negation, a wide range, a negated class
        return out

    def first(self, sub: Any) -> _Chars | None:
        """What ``sub`` can begin with; ``None`` when it can match the empty string."""
        c = self.c
        for op, av in sub:
            if op is c.LITERAL:
                return _Chars(self._letter(av))
            if op is c.IN:
                return self._class(av)
            if op is c.CATEGORY:
                return self._class([(op, av)])
            if op in (c.AT, c.ASSERT, c.ASSERT_NOT):  # zero width: what follows begins it
                continue
            if op is c.SUBPATTERN:
                inner = self.first(av[3])
                if inner is None:
                    continue
                return inner
            if op is c.BRANCH:
                alternatives = [self.first(b) for b in av[1]]
                if any(a is None for a in alternatives):
                    return None
                out = _Chars()
                for a in alternatives:
                    assert a is not None
                    out = out | a
                return out
            if op in self.repeats or op is getattr(c, "POSSESSIVE_REPEAT", None):
                inner = self.first(av[2])
                if av[0] == 0 or inner is None:
                    return None if inner is None else inner | (self.first(list(sub)[1:]) or _ANY)
                return inner
            return _ANY
        return None

    def walk(self, sub: Any, inside: bool) -> str | None:
        c = self.c
        for op, av in sub:
            if op in self.repeats:
                _low, high, body = av
                unbounded = high == c.MAXREPEAT or high > _LARGE
                if unbounded:
                    self.unbounded += 1
                    if inside:
                        return "en ubegrænset gentagelse inde i en anden (fx (a+)*)"
                    if self._ambiguous(body):
                        return (
                            "en ubegrænset gentagelse af noget, der kan deles på flere måder (fx (aa|a)* eller (aa?)*)"
                        )
                    if self.unbounded >= 3:
                        return "tre eller flere ubegrænsede gentagelser (fx \\w*\\w*\\w*)"
                found = self.walk(body, inside or unbounded)
            elif op is getattr(c, "POSSESSIVE_REPEAT", None):
                found = self.walk(av[2], inside)
            elif op is c.SUBPATTERN:
                found = self.walk(av[3], inside)
            elif op is c.BRANCH:
                found = next((f for f in (self.walk(b, inside) for b in av[1]) if f), None)
            elif op in (c.ASSERT, c.ASSERT_NOT):
                found = self.walk(av[1], inside)
            elif op is getattr(c, "ATOMIC_GROUP", None):
                found = self.walk(av, inside)
            elif op is c.GROUPREF and inside:
                return "en tilbagereference inde i en gentagelse"
            else:
                found = None
            if found:
                return found
        return None

    def _ambiguous(self, body: Any) -> bool:
        """Whether one pass of a repeated ``body`` can end in more than one place: a part of varying length
        (``a?``, ``a{1,3}``, alternatives) whose characters can also begin what follows it — the rest of the
        pass, or the next pass. Then each way of splitting the text is tried before a match fails."""
        head = self.first(body)
        if head is None:
            return True  # a repetition of something that can match nothing
        seq = list(body)
        while len(seq) == 1 and seq[0][0] is self.c.SUBPATTERN:
            seq = list(seq[0][1][3])
        for i, (op, av) in enumerate(seq):
            follow = self.first(seq[i + 1 :])
            follow = head if follow is None else follow
            if op in self.repeats and av[0] != av[1]:
                inner = self.first(av[2])
                if inner is None or inner.meets(follow):
                    return True
            elif op is self.c.BRANCH:
                alternatives = [self.first(b) for b in av[1]]
                seen = _Chars()
                for a in alternatives:
                    if a is None:
                        if any(x is not None and x.meets(follow) for x in alternatives):
                            return True
                        continue
                    if seen.meets(a):
                        return True
                    seen = seen | a
                if len({self._width(b) for b in av[1]}) > 1 and seen.meets(follow):
                    return True
            elif op is self.c.SUBPATTERN and self._ambiguous_inside(av[3], follow):
                return True
        return False

    def _ambiguous_inside(self, sub: Any, follow: _Chars) -> bool:
        for op, av in sub:
            if op in self.repeats and av[0] != av[1]:
                inner = self.first(av[2])
                if inner is None or inner.meets(follow):
                    return True
        return False

    def _width(self, sub: Any) -> tuple[int, int]:
        lo, hi = sub.getwidth()
        return lo, hi

    def _nodes(self, sub: Any) -> Any:
        """Every node of ``sub``, through groups and alternatives (not into nested repetitions' bodies)."""
        c = self.c
        for op, av in sub:
            yield op, av
            if op is c.SUBPATTERN:
                yield from self._nodes(av[3])
            elif op is c.BRANCH:
                for b in av[1]:
                    yield from self._nodes(b)


def backtracking_risk(pattern: str) -> str | None:
    """A Danish description of what in ``pattern`` can make matching take exponential time, or ``None``.

    Raises ``re.error`` for a pattern that is not a regular expression at all.
    """
    tree = _parser().parse(pattern, re.IGNORECASE)
    return _Analysis().walk(tree, inside=False)


def check_pattern(pattern: str) -> str:
    """``pattern`` if it compiles and cannot backtrack catastrophically; :class:`~pagt_xl.base.errors.InvalidSetting`
    (Danish, a ``ValueError`` too: the pact's validators call this) otherwise."""
    try:
        re.compile(pattern, re.IGNORECASE)
        risk = backtracking_risk(pattern)
    except re.error as exc:
        raise InvalidSetting(f"'{pattern}' er ikke et gyldigt regulært udtryk ({exc})") from None
    except RecursionError:
        raise InvalidSetting(f"'{pattern}' er for dybt indlejret") from None
    if risk:
        raise InvalidSetting(
            f"'{pattern}' kan få en kørsel til at hænge: {risk}; skriv mønsteret uden den "
            "(en liste af ord adskilt af |, eller en gentagelse med øvre grænse som \\w{1,40})"
        )
    return pattern
