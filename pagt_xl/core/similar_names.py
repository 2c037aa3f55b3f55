"""Near-identical names: two spellings of one project title or applicant ("LamSTEM Nord+" / "LabSTEM Nord").

Pure (no I/O). Names are compared by their letters the Danish way: case folded, ae/oe/aa
read as æ/ø/å (so "Ålborg" and "Aalborg" are one name, not a misspelling, and æ is one
letter), accents, spaces and punctuation ignored. Two spellings are *near-identical* when their letters
differ by one edit (a letter added, left out, changed, or two neighbours swapped) and
their numbers are the same: "FremKom 3" and "FremKom 4" are two projects, "LabSTEM Nord"
and "LabSTEM Nord+" a project and its successor (the "+" is not a letter), but
"LamSTEM Nord+" and "LabSTEM Nord" are one name spelt two ways.

Bounded: only distinct spellings are compared, those with different numbers never; pairs
are found through a one-deletion index (every spelling and the spellings with one letter
left out), not by comparing every pair, and at most :data:`MAX_NAMES` spellings are looked at.
More than :data:`MAX_SERIES` spellings one letter apart ("Klasse A", "Klasse B", "Klasse C" ...)
are a series of names and not reported.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Sequence

#: names shorter than this (in letters) are not compared: short words differ by one letter too often
MIN_LETTERS = 6
#: at most this many distinct spellings per column are compared (time and memory stay bounded)
MAX_NAMES = 20_000
#: more spellings than this one edit from each other are a series ("Klasse A", "Klasse B" ...), not a misspelling
MAX_SERIES = 3

_NOT_LETTER = re.compile(r"[^a-zæøå]+")
_DIGITS = re.compile(r"\d+")


def _plain_letter(ch: str) -> str:
    """A letter without accents ("é" → "e"); æ, ø and å are letters of their own and stay."""
    if ch in "æøå" or ch.isascii():
        return ch
    return "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))


def name_key(text: str) -> tuple[str, tuple[str, ...]]:
    """(letters, numbers) of a name: ``"LabSTEM Nord+"`` → ``("labstemnord", ())``, ``"Talstærk 2,0"`` →
    ``("talstærk", ("2", "0"))``. The ASCII spellings aa, ae, oe are read as å, æ, ø, so "Aalborg" is
    "Ålborg" and a swapped "æ" in "Talstræk" is one edit, not two."""
    folded = text.casefold().replace("aa", "å").replace("ae", "æ").replace("oe", "ø")
    if not folded.isascii():
        folded = "".join(map(_plain_letter, folded))
    return _NOT_LETTER.sub("", folded), tuple(_DIGITS.findall(folded))


def one_edit_apart(a: str, b: str) -> bool:
    """Whether ``a`` and ``b`` differ by exactly one insertion, deletion, substitution or swap of neighbours."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) > len(b):
        a, b = b, a
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    if len(a) < len(b):  # one letter more in b
        return a[i:] == b[i + 1 :]
    if a[i + 1 :] == b[i + 1 :]:  # one letter changed
        return True
    return i + 1 < len(a) and a[i] == b[i + 1] and a[i + 1] == b[i] and a[i + 2 :] == b[i + 2 :]  # swapped


def near_identical(names: Sequence[object]) -> list[tuple[int, int]]:
    """Pairs ``(i, j)``, ``i < j``, of positions in ``names`` whose spellings are near-identical.

    Each pair is given once, by the first position of each spelling; positions holding no text, or a
    name shorter than :data:`MIN_LETTERS` letters, take no part. Identical spellings (after the
    folding above) are the same name and never a pair.
    """
    # the first position of each value, built in C (the last write wins, so walk backwards)
    positions = dict(zip(reversed(names), range(len(names) - 1, -1, -1), strict=True))
    # other numbers are never the same name: only spellings whose numbers another spelling shares are read
    numbers = {name: tuple(_DIGITS.findall(name)) for name in positions if name.__class__ is str}
    shared = Counter(numbers.values())
    first: dict[tuple[str, tuple[str, ...]], int] = {}
    for name, i in sorted((n, positions[n]) for n, d in numbers.items() if shared[d] > 1 and n.strip()):
        key = name_key(name)
        if len(key[0]) >= MIN_LETTERS and first.get(key, i) >= i:
            first[key] = i
    candidates = list(first)
    if len(candidates) > MAX_NAMES:
        return []
    index: dict[tuple[str, tuple[str, ...]], list[tuple[str, tuple[str, ...]]]] = {}
    for key in candidates:
        letters, number = key
        for variant in {letters, *(letters[:k] + letters[k + 1 :] for k in range(len(letters)))}:
            index.setdefault((variant, number), []).append(key)
    pairs: set[tuple[int, int]] = set()
    for group in index.values():
        if not 2 <= len(group) <= MAX_SERIES:
            continue
        for n, a in enumerate(group):
            for b in group[n + 1 :]:
                if a != b and one_edit_apart(a[0], b[0]):
                    i, j = sorted((first[a], first[b]))
                    pairs.add((i, j))
    return sorted(pairs)
