"""Output files: atomic writes, the Office lock-file guard, formula-safe CSV and JSON.

Text from the input is always written with ``write_string`` into a workbook
created with ``strings_to_formulas=False``: a title such as ``=HYPERLINK(...)``
or ``+45 1234`` is stored as a text cell, never as a formula (OWASP formula
injection).
"""

from __future__ import annotations

import csv
import io
import json
import os
import stat
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from pagt_xl.base.danish import SEVERITY_LABELS
from pagt_xl.base.errors import ErrorCode, PagtError
from pagt_xl.base.issue_texts import describe

#: the severity words of the files and sheets we write (the one table, :data:`pagt_xl.base.danish.SEVERITY_LABELS`)
SEVERITY_DA = SEVERITY_LABELS


class OutputLocked(PagtError):
    """The output file is open in Office (a lock file exists next to it)."""

    default_code = ErrorCode.OUTPUT_LOCKED


class OutputUnwritable(PagtError):
    """The output cannot be written there (a folder, no permission, a read-only or full drive)."""

    default_code = ErrorCode.OUTPUT_UNWRITABLE


#: the issue fields of the CSV and JSON outputs; ``description`` is the code's Danish one-liner
ISSUE_FIELDS = ("file", "sheet", "cell", "row", "column", "code", "severity", "message", "value", "description")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_text(value: object) -> object:
    """A text cell that Excel will not run as a formula (OWASP: prefix ``'`` to = + - @ tab CR).

    The one guard for every CSV we write and every cell the button scripts write.
    Only text is touched: numbers (a negative amount too), dates and ``None`` are returned as they are.
    """
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


#: the former name, kept for callers (xl/scripts.py's ``_formula_safe``)
csv_safe = safe_text


def write_csv(rows: Iterable[Mapping[str, Any] | Sequence[Any]], columns: Sequence[str]) -> str:
    """The one CSV writer: a header row of ``columns``, then ``rows``; every text cell goes through :func:`safe_text`.

    A row is a mapping (missing keys are empty) or a sequence in the order of ``columns``;
    ``None`` and NaN are written as empty cells, numbers as numbers.
    """
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow([safe_text(c) for c in columns])
    for row in rows:
        values = [row.get(c) for c in columns] if isinstance(row, Mapping) else list(row)
        writer.writerow(["" if blank_cell(v) else safe_text(v) for v in values])
    return buf.getvalue()


def blank_cell(value: object) -> bool:
    """``None``, NaN and pandas' ``NA`` (a nullable integer column's blank) are empty cells."""
    if value is None:
        return True
    try:
        return bool(value != value)  # NaN is the one value unequal to itself
    except TypeError:  # NA: its comparisons are NA, which has no truth value
        return True


def issue_record(issue: Any) -> dict[str, Any]:
    """An issue as a JSON-ready dict: its fields plus ``description``, the code's Danish one-line description."""
    return {**issue.model_dump(mode="json"), "description": describe(issue.code)}


def issues_csv(issues: list[Any]) -> str:
    """Issues as CSV (comma separated, header row :data:`ISSUE_FIELDS`); text from the input is formula-safe."""
    return write_csv((issue_record(issue) for issue in issues), ISSUE_FIELDS)


def issues_json(issues: list[Any]) -> str:
    """Issues as a JSON array of objects with :data:`ISSUE_FIELDS` (UTF-8 text, indented)."""
    return json.dumps([issue_record(i) for i in issues], ensure_ascii=False, indent=2)


def office_lock(path: Path) -> Path | None:
    """The Office lock file (``~$name``) of ``path`` if one exists, else ``None``."""
    for candidate in (path.with_name("~$" + path.name), path.with_name("~$" + path.name[2:])):
        if candidate.exists():
            return candidate
    return None


def _umask() -> int:
    """The process's umask (reading it means setting it, so it is set straight back)."""
    mask = os.umask(0o077)
    os.umask(mask)
    return mask


def atomic_write(path: Path, write: Any) -> None:
    """Call ``write(tmp_path)`` and move the result into place; never leave a half file.

    The file gets the permissions of a file made with ``open(path, "w")``: 0666 minus the umask.

    Raises :class:`OutputLocked` if the target is open in Excel or Word, and
    :class:`OutputUnwritable` if it is a folder or cannot be written there (the
    target is then left as it was).
    """
    path = Path(path)
    lock = office_lock(path)
    if lock is not None:
        raise OutputLocked(f"{path}: filen er åben i Office ({lock.name}); luk den og prøv igen")
    if path.is_dir():
        raise OutputUnwritable(f"{path}: er en mappe; angiv et filnavn (fx {path.name}/resultat.xlsx)")
    if path.exists() and not path.stat().st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH):
        # os.replace swaps a read-only file away whenever the folder is writable (and root writes anything):
        # the read-only mark is the owner's "do not overwrite", so it is honoured
        raise OutputUnwritable(
            f"{path}: filen er skrivebeskyttet og overskrives ikke; "
            "vælg et andet filnavn eller fjern skrivebeskyttelsen"
        )
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".pagt-", suffix=path.suffix, dir=path.parent)
    except OSError as exc:
        reason = exc.strerror or exc.__class__.__name__
        raise OutputUnwritable(f"{path}: kan ikke skrives i {path.parent} ({reason}); vælg en anden mappe") from None
    os.close(fd)
    try:
        write(Path(tmp))
        # mkstemp makes the file 0600; outputs go on shared drives, so give it the mode
        # open(path, "w") would (0666 minus the umask), after ``write`` in case it re-created the file
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise OutputUnwritable(f"{path}: kan ikke skrives ({exc.strerror or exc}); intet er ændret") from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise




