"""Output files: atomic writes, the Office lock-file guard, no input as an output, formula-safe CSV (Danish or
machine form) and JSON.

Text from the input is always written with ``write_string`` into a workbook
created with ``strings_to_formulas=False``: a title such as ``=HYPERLINK(...)``
or ``+45 1234`` is stored as a text cell, never as a formula (OWASP formula
injection).
"""

from __future__ import annotations

import contextlib
import contextvars
import csv
import datetime as dt
import errno
import hashlib
import io
import json
import os
import socket
import stat
import sys
import tempfile
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pagt_xl.base.danish import SEVERITY_LABELS
from pagt_xl.base.errors import ErrorCode, PagtError, RequestError
from pagt_xl.base.issue_texts import describe
from pagt_xl.base.names import lock_files

#: the severity words of the files and sheets we write (the one table, :data:`pagt_xl.base.danish.SEVERITY_LABELS`)
SEVERITY_DA = SEVERITY_LABELS


class OutputLocked(PagtError):
    """The output file is open in Office (a lock file exists next to it)."""

    default_code = ErrorCode.OUTPUT_LOCKED


class OutputUnwritable(PagtError):
    """The output cannot be written there (a folder, no permission, a read-only or full drive)."""

    default_code = ErrorCode.OUTPUT_UNWRITABLE


class OutputIsInput(PagtError):
    """The output would replace one of the run's own input files."""

    default_code = ErrorCode.OUTPUT_IS_INPUT


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
    """The dialect called ``name`` (:data:`CSV_DIALECTS`); :class:`~pagt_xl.base.errors.RequestError` (Danish)
    for an unknown name."""
    if isinstance(name, CsvDialect):
        return name
    try:
        return CSV_DIALECTS[name.strip().lower()]
    except KeyError:
        raise RequestError(f"ukendt CSV-form '{name}'; brug dansk (standard) eller maskine") from None


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
    """The lock file of ``path`` that exists (Office's ``~$name``, LibreOffice's ``.~lock.name#``), else ``None``."""
    return next((candidate for candidate in lock_files(Path(path)) if candidate.exists()), None)


# -- no input is ever an output ---------------------------------------------------------------------
#: the input files of the runs under way in this context (see :func:`inputs_protected`)
_INPUTS: contextvars.ContextVar[tuple[Path, ...]] = contextvars.ContextVar("pagt_xl_inputs", default=())


def input_files(paths: Iterable[Path | str | None]) -> list[Path]:
    """The files ``paths`` stand for: a folder (read whole, as budget folders are) gives the files in it,
    ``None`` is left out, a path that does not exist is kept (nothing can overwrite it, but its name can
    still be checked)."""
    out: list[Path] = []
    for p in paths:
        if p is None or str(p) == "":
            continue
        path = Path(p)
        try:
            if path.is_dir():
                out.extend(x for x in path.iterdir() if x.is_file())
                continue
        except OSError:
            pass
        out.append(path)
    return out


@contextlib.contextmanager
def inputs_protected(paths: Iterable[Path | str | None]) -> Iterator[None]:
    """While the block runs, every :func:`atomic_write` refuses to write over one of ``paths``.

    Nested blocks add to the protected files; the pipeline protects a job's inputs (overviews,
    budgets, goal files, templates, the pact file), the command line also the arguments it reads.
    """
    token = _INPUTS.set((*_INPUTS.get(), *input_files(paths)))
    try:
        yield
    finally:
        _INPUTS.reset(token)


def same_file(a: Path | str, b: Path | str) -> bool:
    """Whether ``a`` and ``b`` are one file: the same device and inode when both exist (so also through a
    symlink, ``./``, ``..``, another case on a case-insensitive drive, or a hard link), else the same
    resolved path (``normcase``: Windows compares without case)."""
    try:
        sa, sb = os.stat(a), os.stat(b)
    except (OSError, ValueError):
        sa = sb = None
    if sa is not None and sb is not None and (sa.st_ino or sb.st_ino):
        return (sa.st_dev, sa.st_ino) == (sb.st_dev, sb.st_ino)
    try:
        return os.path.normcase(os.path.realpath(a)) == os.path.normcase(os.path.realpath(b))
    except (OSError, ValueError):
        return False


def check_not_input(path: Path | str, inputs: Iterable[Path | str | None] | None = None) -> None:
    """Raise :class:`OutputIsInput` when the output ``path`` is one of ``inputs`` (``None``: the inputs
    protected now, see :func:`inputs_protected`)."""
    for source in _INPUTS.get() if inputs is None else input_files(inputs):
        if same_file(path, source):
            how = "" if str(Path(path)) == str(source) else f" ({source})"
            raise OutputIsInput(
                f"{path}: er en af kørslens inddata{how} og overskrives aldrig; vælg et andet filnavn til resultatet"
            )


def check_outputs(outputs: Iterable[Path | str | None], inputs: Iterable[Path | str | None]) -> None:
    """:func:`check_not_input` for every output of a run, before anything is read or written."""
    sources = input_files(inputs)
    for out in outputs:
        if out is not None:
            check_not_input(out, sources)


# -- temporary files of atomic writes ---------------------------------------------------------------
#: ``.pagt-HOST-PID-random.suffix``: HOST is a short hash of the host name, so a sweep only judges the
#: process ids of its own machine (a shared drive sees the temporary files of several)
_HOST = hashlib.sha1(socket.gethostname().encode("utf-8", "replace")).hexdigest()[:8]
_TMP_PREFIX = ".pagt-"
#: a temporary file of another machine (or of a dead process on Windows) is stale after this many seconds
STALE_AFTER = 24 * 3600


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    if sys.platform == "win32":  # os.kill would end the process there; only the age decides
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True
    return True


def sweep_temporary_files(folder: Path) -> list[Path]:
    """Remove the temporary files an atomic write left in ``folder`` when its process was killed.

    Only ours: named ``.pagt-HOST-PID-…``, owned by this user (POSIX), and either from this machine
    with a process id that no longer runs, or older than :data:`STALE_AFTER`. Returns what was removed.
    """
    removed: list[Path] = []
    try:
        candidates = [p for p in Path(folder).iterdir() if p.name.startswith(_TMP_PREFIX)]
    except OSError:
        return removed
    now = time.time()
    for p in candidates:
        parts = p.name[len(_TMP_PREFIX) :].split("-", 2)
        try:
            st = p.lstat()
        except OSError:
            continue
        if not stat.S_ISREG(st.st_mode) or (hasattr(os, "geteuid") and st.st_uid != os.geteuid()):
            continue
        dead = len(parts) == 3 and parts[0] == _HOST and parts[1].isdigit() and not _alive(int(parts[1]))
        if dead or now - st.st_mtime > STALE_AFTER:
            with contextlib.suppress(OSError):
                p.unlink()
                removed.append(p)
    return removed


_REASONS = {
    getattr(errno, name): text
    for name, text in (
        ("ENOSPC", "disken er fuld"),
        ("EDQUOT", "diskkvoten er opbrugt"),
        ("EACCES", "ingen adgang"),
        ("EPERM", "ingen adgang"),
        ("EROFS", "drevet er skrivebeskyttet"),
        ("EFBIG", "filen bliver for stor til drevet"),
        ("EIO", "skrivefejl på drevet"),
        ("ENAMETOOLONG", "filnavnet er for langt"),
    )
    if hasattr(errno, name)
}


def os_error_reason(exc: BaseException) -> str | None:
    """A Danish reason for the OS error behind ``exc`` (itself, or what it was raised from: xlsxwriter
    wraps a full disk in its own ``FileCreateError``), or ``None`` when no OS error is behind it."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        inner = next((a for a in getattr(current, "args", ()) if isinstance(a, OSError)), None)
        if isinstance(current, OSError) or inner is not None:
            err = current if isinstance(current, OSError) else inner
            assert err is not None
            return _REASONS.get(err.errno or -1) or err.strerror or err.__class__.__name__
        current = current.__cause__ or current.__context__
    return None


def _umask() -> int:
    """The process's umask (reading it means setting it, so it is set straight back)."""
    mask = os.umask(0o077)
    os.umask(mask)
    return mask


def atomic_write(path: Path, write: Any) -> None:
    """Call ``write(tmp_path)`` and move the result into place; never leave a half file.

    The file gets the permissions of a file made with ``open(path, "w")``: 0666 minus the umask.
    It is flushed to the drive before it replaces the old one, so a crash leaves either file whole.

    Raises :class:`OutputLocked` if the target is open in Excel, Word or LibreOffice,
    :class:`OutputIsInput` if it is one of the inputs protected now (:func:`inputs_protected`), and
    :class:`OutputUnwritable` if it is a folder or cannot be written there — a full disk, no
    permission, a read-only drive (the target is then left as it was, and no temporary file stays).
    Temporary files that killed runs left in the folder are removed first (:func:`sweep_temporary_files`).
    """
    path = Path(path)
    check_not_input(path)
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
        sweep_temporary_files(path.parent)
        prefix = f"{_TMP_PREFIX}{_HOST}-{os.getpid()}-"
        fd, tmp = tempfile.mkstemp(prefix=prefix, suffix=path.suffix, dir=path.parent)
    except OSError as exc:
        reason = os_error_reason(exc)
        raise OutputUnwritable(f"{path}: kan ikke skrives i {path.parent} ({reason}); vælg en anden mappe") from None
    os.close(fd)
    existed = path.exists()
    try:
        write(Path(tmp))
        # mkstemp makes the file 0600; outputs go on shared drives, so give it the mode
        # open(path, "w") would (0666 minus the umask), after ``write`` in case it re-created the file
        os.chmod(tmp, 0o666 & ~_umask())
        _flush_to_disk(tmp)
        os.replace(tmp, path)
    except BaseException as exc:
        _close_abandoned_files(exc)
        Path(tmp).unlink(missing_ok=True)
        reason = os_error_reason(exc) if isinstance(exc, Exception) else None
        if reason is None:
            raise
        kept = "den tidligere fil er uændret" if existed else "intet er skrevet"
        raise OutputUnwritable(f"{path}: kan ikke skrives ({reason}); {kept}") from None


def _close_abandoned_files(exc: BaseException) -> None:
    """Close the zip archives and files a failed ``write`` left open (python-docx and xlsxwriter do, on a full
    disk). Left to the garbage collector, each would try to finish the archive again and print
    "Exception ignored in ZipFile.__del__" with a traceback on stderr. Found in the locals of the
    failed frames (and one attribute down: python-docx keeps its archive in a writer object)."""
    import io
    import traceback
    import zipfile

    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        for frame, _ in traceback.walk_tb(current.__traceback__):
            values = list(frame.f_locals.values())
            values += [v for obj in values if hasattr(obj, "__dict__") for v in vars(obj).values()]
            for value in values:
                if isinstance(value, zipfile.ZipFile) and value.fp is not None:
                    fp, value.fp = value.fp, None
                    with contextlib.suppress(Exception):
                        value._fpclose(fp)  # type: ignore[attr-defined]  # closes the file without the end record
                elif isinstance(value, io.IOBase) and not value.closed:
                    with contextlib.suppress(Exception):
                        value.close()  # a failed flush still closes the file underneath
        current = current.__cause__ or current.__context__


def _flush_to_disk(tmp: str) -> None:
    """``fsync`` the written file, so that the rename below never publishes a file whose bytes are not stored."""
    fd = os.open(tmp, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
