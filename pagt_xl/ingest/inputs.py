"""Inputs as people give them: files, folders and glob patterns → the workbook files to read.

One expansion for every command that takes workbooks (and for scheduled runs): a folder is
the workbooks directly in it, a pattern (``*.xlsx``, ``data/**/*.xls``) is expanded here —
Windows shells pass it on unexpanded —, and Office lock files (``~$oversigt.xlsx``,
``.~lock.oversigt.xlsx#``) are set aside, to be reported rather than read.
"""

from __future__ import annotations

import glob
from dataclasses import dataclass, field
from pathlib import Path

from pagt_xl.base.names import is_lock_file
from pagt_xl.ingest.guard import SUPPORTED_SUFFIXES

_GLOB_CHARS = "*?["


@dataclass
class Inputs:
    """The files to read, in the order given (folders and patterns sorted), and what was set aside.

    ``lock_files``: Office lock files given or matched (never read); ``unmatched``: patterns that
    matched no file but lock files; ``empty_folders``: folders without a file to read but lock files.
    """

    files: list[Path] = field(default_factory=list)
    lock_files: list[Path] = field(default_factory=list)
    unmatched: list[str] = field(default_factory=list)
    empty_folders: list[Path] = field(default_factory=list)


def is_pattern(text: str) -> bool:
    """Whether an input is a glob pattern (``*``, ``?`` or ``[``), not a file name."""
    return any(ch in text for ch in _GLOB_CHARS)


def collect_inputs(
    given: list[Path | str], base: Path | None = None, *, folder_suffixes: frozenset[str] | set[str] | None = None
) -> Inputs:
    """Expand files, folders and patterns (relative ones from ``base``, else the working folder).

    A folder gives the files directly in it whose suffix is in ``folder_suffixes`` (default: the
    workbook formats; ``set()``: every file), skipping hidden files; a pattern gives the files it
    matches (``**`` reaches into subfolders). A name that is neither a folder nor a pattern is kept
    as given, so that reading it reports what is wrong (a missing file). Repeats are dropped.
    """
    suffixes = SUPPORTED_SUFFIXES if folder_suffixes is None else folder_suffixes
    out = Inputs()
    for item in given:
        text = str(item)
        path = Path(text)
        full = path if path.is_absolute() or base is None else base / path
        if full.is_dir():
            found = sorted(p for p in full.iterdir() if p.is_file() and (not suffixes or p.suffix.lower() in suffixes))
            files = [p for p in found if not p.name.startswith(".") or is_lock_file(p.name)]
            _add(out, files)
            if not [p for p in files if not is_lock_file(p.name)]:
                out.empty_folders.append(full)
        elif is_pattern(text) and not full.exists():
            matches = sorted(Path(p) for p in glob.glob(str(full), recursive=True))
            matches = [m for m in matches if m.is_file()]
            _add(out, matches)
            if not [m for m in matches if not is_lock_file(m.name)]:
                out.unmatched.append(text)
        else:
            _add(out, [full])
    seen: set[Path] = set()
    out.files = [p for p in out.files if not (p in seen or seen.add(p))]
    return out


def _add(out: Inputs, paths: list[Path]) -> None:
    for p in paths:
        (out.lock_files if is_lock_file(p.name) else out.files).append(p)


def expand_inputs(patterns: list[str], base: Path) -> list[Path]:
    """Files, folders and glob patterns (relative to ``base``) → the files to read, lock files left out;
    a pattern that matches nothing gives nothing, a plain name is kept as given."""
    return collect_inputs(list(patterns), base).files


def expand_budget_inputs(patterns: list[str], base: Path) -> list[Path]:
    """Budget inputs: folders kept as folders (the budget review reads them whole), files and patterns expanded;
    a pattern that matches nothing is kept, so that the review reports it (``budget_no_files``)."""
    out: list[Path] = []
    for pattern in patterns:
        full = Path(pattern) if Path(pattern).is_absolute() else base / pattern
        out.extend([full] if full.is_dir() else (expand_inputs([pattern], base) or [full]))
    return out
