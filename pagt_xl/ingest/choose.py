"""Which pact a workbook belongs to, told from its own words: the pact's distinctive themes, types, rounds, headers.

When no pact is given, :func:`pact_scores` reads the first rows of each visible sheet (after
the guard's checks) and counts the cells that name something only one pact has — a theme,
a project type, a round, a header alias — by the same keys the reader matches names with
(:func:`~pagt_xl.base.danish.normalize_name`, :func:`~pagt_xl.base.danish.header_key`). The
pipeline picks the pact with the clearly highest score (:func:`pagt_xl.pipeline.choose_pact`).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from pagt_xl.base.config import Pact
from pagt_xl.base.danish import header_key, normalize_name
from pagt_xl.base.errors import InputError

#: rows read from the top of each sheet: the header and enough applications to see their themes
SAMPLE_ROWS = 200


@dataclass
class PactScores:
    """Per pact key, the distinctive words found in the files; ``readable``: some file had a header row."""

    scores: dict[str, int] = field(default_factory=dict)
    #: per pact key, a few of the words found (for the line that names the choice)
    found: dict[str, list[str]] = field(default_factory=dict)
    readable: bool = False


def distinctive_words(pacts: list[Pact]) -> dict[str, dict[str, str]]:
    """Per pact key: normalised word → how the pact spells it, for the names and headers only that pact has."""
    words: dict[str, dict[str, str]] = {}
    for pact in pacts:
        own: dict[str, str] = {}
        for items in (pact.themes, pact.project_types, pact.rounds):
            for item in items:
                for name in item.all_names():
                    own.setdefault(normalize_name(name), item.name)
        for aliases in pact.columns.aliases.values():
            for alias in aliases:
                own.setdefault("h:" + header_key(alias), alias)
        words[pact.key] = own
    counts = Counter(w for own in words.values() for w in own)
    return {key: {w: name for w, name in own.items() if counts[w] == 1 and w not in ("", "h:")}
            for key, own in words.items()}  # fmt: skip


def pact_scores(paths: list[Path | str], pacts: list[Pact]) -> PactScores:
    """How many cells of the files' first rows name something only one of ``pacts`` has, per pact.

    A file that cannot be read is passed over (reading it later reports why).
    """
    words = distinctive_words(pacts)
    headers = {"h:" + header_key(a) for p in pacts for aliases in p.columns.aliases.values() for a in aliases}
    out = PactScores({p.key: 0 for p in pacts}, {p.key: [] for p in pacts})
    for path in paths:
        for text in _sample_texts(Path(path)):
            norm, head = normalize_name(text), "h:" + header_key(text)
            out.readable = out.readable or head in headers
            for key, own in words.items():
                hit = own.get(norm) or own.get(head)
                if hit is not None:
                    out.scores[key] += 1
                    if hit not in out.found[key] and len(out.found[key]) < 3:
                        out.found[key].append(hit)
    return out


def _sample_texts(path: Path) -> list[str]:
    """The text cells of the first :data:`SAMPLE_ROWS` rows of each visible sheet; none when unreadable.

    Inside :func:`pagt_xl.ingest.grid.isolated_reads` the file is opened in a child process, as the read
    itself is: a file the reader aborts on is then unreadable here too, not the end of the run.
    """
    from pagt_xl.ingest.grid import read_in_child

    found = read_in_child(_sample_texts_here, path)
    return found if isinstance(found, list) else []


def _sample_texts_here(path: Path) -> list[str]:
    """:func:`_sample_texts` in this process."""
    from python_calamine import CalamineWorkbook, SheetVisibleEnum

    from pagt_xl.ingest.grid import scan_workbook
    from pagt_xl.ingest.guard import check_file

    try:
        check_file(path)
        scan_workbook(path, str(path))  # every guard read_grids has before calamine touches the file
        workbook = CalamineWorkbook.from_path(str(path))
        texts: list[str] = []
        for meta in workbook.sheets_metadata:
            if meta.visible != SheetVisibleEnum.Visible or "WorkSheet" not in str(meta.typ):
                continue
            rows = workbook.get_sheet_by_name(meta.name).to_python(nrows=SAMPLE_ROWS)
            texts.extend(v for row in rows for v in row if isinstance(v, str) and v.strip())
        return texts
    except (InputError, OSError, ValueError):
        return []
    except Exception:  # calamine raises assorted errors on damaged files; reading the file reports them
        return []
