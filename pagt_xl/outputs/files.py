"""Output files: atomic writes, the Office lock-file guard, formula-safe CSV (Danish or machine form) and JSON.

Text from the input is always written with ``write_string`` into a workbook
created with ``strings_to_formulas=False``: a title such as ``=HYPERLINK(...)``
or ``+45 1234`` is stored as a text cell, never as a formula (OWASP formula
injection).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import stat
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
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


@dataclass(frozen=True)
class CsvDialect:
    """How a CSV file is written: separator, decimal mark, encoding, line ends, and whether it is Danish.

    The Danish dialect (``dansk``, the default) opens with a double-click in a Danish Excel: ``;``
    between cells, a decimal comma, UTF-8 with a byte-order mark, Danish headers and labels
    (Fejl/Advarsel/Info, ja/nej). The machine dialect (``maskine``) is for scripts: ``,``, a
    decimal point, plain UTF-8, the English column keys and values as the JSON has them.
    """

    name: str
    delimiter: str
    decimal: str
    encoding: str
    lineterminator: str
    danish: bool


DANISH_CSV = CsvDialect("dansk", ";", ",", "utf-8-sig", "\r\n", danish=True)
MACHINE_CSV = CsvDialect("maskine", ",", ".", "utf-8", "\n", danish=False)
#: every name a dialect may be given by (``--csv-dialect``, ``csv_dialect`` in a run file)
CSV_DIALECTS: dict[str, CsvDialect] = {
    "dansk": DANISH_CSV, "danish": DANISH_CSV, "excel": DANISH_CSV,
    "maskine": MACHINE_CSV, "machine": MACHINE_CSV,
}  # fmt: skip
#: Danish values of the columns whose values are words: the severity and yes/no
CSV_VALUE_LABELS: dict[str, dict[str, str]] = {"severity": SEVERITY_DA}


def csv_dialect(name: str | CsvDialect) -> CsvDialect:
    """The dialect called ``name`` (:data:`CSV_DIALECTS`); ``ValueError`` (Danish) for an unknown name."""
    if isinstance(name, CsvDialect):
        return name
    try:
        return CSV_DIALECTS[name.strip().lower()]
    except KeyError:
        raise ValueError(f"ukendt CSV-form '{name}'; brug dansk (standard) eller maskine") from None


def write_csv(
    rows: Iterable[Mapping[str, Any] | Sequence[Any]],
    columns: Sequence[str],
    *,
    dialect: str | CsvDialect = DANISH_CSV,
    labels: Mapping[str, str] | None = None,
) -> str:
    """The one CSV writer: a header row of ``columns``, then ``rows``; every text cell goes through :func:`safe_text`.

    A row is a mapping (missing keys are empty) or a sequence in the order of ``columns``;
    ``None`` and NaN are written as empty cells, numbers as numbers. In the Danish dialect
    (:class:`CsvDialect`) the header shows ``labels[column]`` (the column key where there is no
    label), a decimal number has a decimal comma and at most four decimals (``0,6386``), a yes/no
    is ``ja``/``nej`` and a severity Fejl/Advarsel/Info. The text is returned without a byte-order
    mark; :func:`csv_bytes` encodes it as the dialect wants.
    """
    d = csv_dialect(dialect)
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=d.delimiter, lineterminator=d.lineterminator)
    header = [(labels or {}).get(c, c) for c in columns] if d.danish else list(columns)
    writer.writerow([safe_text(c) for c in header])
    for row in rows:
        values = [row.get(c) for c in columns] if isinstance(row, Mapping) else list(row)
        cells = ["" if blank_cell(v) else safe_text(v) for v in values]  # text guarded before numbers become text
        if d.danish:
            cells = [_danish_cell(c, v) for c, v in zip(columns, cells, strict=False)]
        writer.writerow(cells)
    return buf.getvalue()


def csv_bytes(text: str, dialect: str | CsvDialect = DANISH_CSV) -> bytes:
    """CSV text encoded as the dialect wants (the Danish one with a byte-order mark, so Excel reads UTF-8)."""
    return text.encode(csv_dialect(dialect).encoding)


def _danish_cell(column: str, value: Any) -> Any:
    if isinstance(value, bool):
        return "ja" if value else "nej"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        text = f"{value:.4f}".rstrip("0").rstrip(".")
        return "0" if text in ("-0", "") else text.replace(".", ",")
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    labels = CSV_VALUE_LABELS.get(column)
    if labels is not None and isinstance(value, str):
        return labels.get(value, value)
    return value


def blank_cell(value: object) -> bool:
    """``None``, NaN and pandas' ``NA`` and ``NaT`` (a nullable column's blank) are empty cells."""
    if value is None:
        return True
    try:
        return bool(value != value)  # NaN (and NaT) is the one value unequal to itself
    except TypeError:  # NA: its comparisons are NA, which has no truth value
        return True


def issue_record(issue: Any) -> dict[str, Any]:
    """An issue as a JSON-ready dict: its fields plus ``description``, the code's Danish one-line description."""
    return {**issue.model_dump(mode="json"), "description": describe(issue.code)}


#: Danish headers of the issue fields
ISSUE_LABELS: dict[str, str] = {
    "file": "Fil", "sheet": "Ark", "cell": "Celle", "row": "Række", "column": "Kolonne", "code": "Kode",
    "severity": "Alvor", "message": "Besked", "value": "Værdi", "description": "Beskrivelse",
}  # fmt: skip


def issues_csv(issues: list[Any], dialect: str | CsvDialect = DANISH_CSV) -> str:
    """Issues as CSV (header row :data:`ISSUE_FIELDS`, Danish labels in the Danish dialect); formula-safe."""
    return write_csv((issue_record(issue) for issue in issues), ISSUE_FIELDS, dialect=dialect, labels=ISSUE_LABELS)


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




