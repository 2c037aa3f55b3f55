"""Read a workbook's sheets into plain grids that keep Excel's coordinates.

``Grid.rows[i][j]`` is the cell at Excel row ``i + 1``, column ``j + 1``
(empty cells are ``""``), so every value can be traced back to its A1 address.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pagt_xl.base import _child
from pagt_xl.base.errors import ErrorCode, InputError
from pagt_xl.base.model import CellProblem, Issue, IssueCode, Severity
from pagt_xl.ingest.guard import SheetScan, check_file, scan_sheets


@dataclass
class Grid:
    """One sheet's cells from A1, with merged ranges (0-based, inclusive)."""

    file: str
    sheet: str
    rows: list[list[Any]]
    visible: bool = True
    merged: list[tuple[tuple[int, int], tuple[int, int]]] = field(default_factory=list)
    #: hidden with Excel's "very hidden" (only VBA can show it again); implies ``not visible``
    very_hidden: bool = False
    #: 0-based rows and columns hidden in Excel (within the sheet's cells); empty when not known
    hidden_rows: list[int] = field(default_factory=list)
    hidden_columns: list[int] = field(default_factory=list)

    def issue(
        self,
        code: IssueCode,
        severity: Severity,
        message: str,
        *,
        row: int | None = None,
        column: str | None = None,
        value: object = None,
    ) -> Issue:
        """:meth:`Issue.at <pagt_xl.base.model.Issue.at>` in this sheet (``row`` 1-based, ``column`` a letter)."""
        return Issue.at(code, severity, message, file=self.file, sheet=self.sheet, row=row, column=column, value=value)


#: a file read in isolation (:func:`isolated_reads`): its child may take this much memory beyond what it
#: starts with, this much CPU time, and the parent waits this long for it
READ_LIMITS = _child.Limits(memory=1_000_000_000, cpu_seconds=300, wall_seconds=600)
_ISOLATED: contextvars.ContextVar[bool] = contextvars.ContextVar("pagt_xl_isolated_reads", default=False)


@contextlib.contextmanager
def isolated_reads(on: bool = True) -> Iterator[None]:
    """While the block runs (and ``on``), :func:`read_grids` reads each file in a child process of its own.

    The reader then cannot take the run with it: an abort (python-calamine ends the process with
    SIGABRT when it cannot allocate), a crash, memory or time beyond :data:`READ_LIMITS` become an
    :class:`InputError` for that file, and the other files are read. Scheduled runs and a validate of
    several files read this way; one file on its own is read in this process (the guard bounds it).
    """
    token = _ISOLATED.set(on or _ISOLATED.get())
    try:
        yield
    finally:
        _ISOLATED.reset(token)


def read_grids(path: Path, display_name: str | None = None, password: str | None = None) -> list[Grid]:
    """All worksheets of a workbook as grids, after the safety checks.

    ``password`` opens a password-protected (encrypted) .xlsx/.xlsm; it is
    decrypted into a private temporary folder that is removed afterwards.
    Raises :class:`InputError` when the file cannot be read at all. Inside
    :func:`isolated_reads` the file is read in a child process.
    """
    if not _ISOLATED.get():
        return _read_grids(Path(path), display_name, password)
    name = display_name or str(path)
    try:
        grids: list[Grid] = _child.run(_read_grids, Path(path), display_name, password, limits=READ_LIMITS)
        return grids
    except _child.ChildFailed as exc:
        raise InputError(
            f"{name}: filen kunne ikke læses — læseren {exc}; filen er beskadiget eller for stor, "
            "åbn den i Excel og gem den igen (de andre filer er læst)",
            file=name,
            code=ErrorCode.FILE_UNSAFE,
        ) from None
    except MemoryError:
        raise _out_of_memory(name, None) from None
    except RecursionError:
        raise InputError(f"{name}: filen er for dybt indlejret til at læse", file=name,
                         code=ErrorCode.FILE_UNSAFE) from None  # fmt: skip


def read_in_child(fn: Any, *args: Any) -> Any:
    """``fn(*args)``: in a child process inside :func:`isolated_reads` (``None`` when the child dies or runs out
    of memory: the caller's own read then says why), in this process otherwise."""
    if not _ISOLATED.get():
        return fn(*args)
    try:
        return _child.run(fn, *args, limits=READ_LIMITS)
    except (_child.ChildFailed, MemoryError, RecursionError):
        return None


def _read_grids(path: Path, display_name: str | None, password: str | None) -> list[Grid]:
    """:func:`read_grids` in this process."""
    if password and path.suffix.lower() in (".xlsx", ".xlsm") and _is_encrypted(path):
        import tempfile

        with tempfile.TemporaryDirectory(prefix="pagt-xl-") as tmp:
            plain = Path(tmp) / ("dekrypteret" + path.suffix.lower())
            _decrypt(path, plain, password, display_name or str(path))
            return _read_grids(plain, display_name or str(path), None)
    from python_calamine import CalamineError, CalamineWorkbook, SheetVisibleEnum

    name = display_name or str(path)
    check_file(path)
    scans = scan_workbook(path, name)
    try:
        workbook = CalamineWorkbook.from_path(str(path))
    except (CalamineError, OSError, ValueError) as exc:
        raise InputError(
            f"{name}: kan ikke læses som projektmappe ({_short(exc)})", file=name, code=ErrorCode.NOT_A_WORKBOOK
        ) from None
    except MemoryError:
        raise _out_of_memory(name, None) from None
    except Exception as exc:  # calamine raises assorted errors on corrupt parts
        raise InputError(
            f"{name}: filen er beskadiget ({_short(exc)})", file=name, code=ErrorCode.FILE_UNREADABLE
        ) from None
    except BaseException as exc:  # a panic in the Rust reader (pyo3's PanicException is a BaseException)
        if not _is_panic(exc):
            raise
        raise InputError(
            f"{name}: læseren stoppede ved filen ({_short(exc)}); filen er beskadiget eller usædvanlig — "
            "åbn den i Excel og gem den igen",
            file=name,
            code=ErrorCode.FILE_UNREADABLE,
        ) from None
    grids: list[Grid] = []
    if path.suffix.lower() == ".xls":
        scans = _xls_names(scans, [m.name for m in workbook.sheets_metadata if "WorkSheet" in str(m.typ)])
    for meta in workbook.sheets_metadata:
        if "WorkSheet" not in str(meta.typ):
            continue
        try:
            sheet = workbook.get_sheet_by_name(meta.name)
            rows = sheet.to_python(skip_empty_area=False)
            try:
                merged = list(sheet.merged_cell_ranges or [])
            except Exception:  # not all formats report merges
                merged = []
        except MemoryError:
            raise _out_of_memory(name, meta.name) from None
        except BaseException as exc:  # Exception, or a panic in the Rust reader
            if not isinstance(exc, Exception) and not _is_panic(exc):
                raise
            raise InputError(
                f"{name}: arket '{meta.name}' kan ikke læses ({_short(exc)}); filen er beskadiget — "
                "åbn den i Excel og gem den igen, eller hent en ny kopi",
                file=name,
                sheet=meta.name,
                code=ErrorCode.FILE_UNREADABLE,
            ) from None
        if path.suffix.lower() == ".xls" and meta.name not in scans:
            raise InputError(
                f"{name}: arket '{meta.name}' kan ikke kontrolleres for fejlværdier (filens poster for arket blev "
                "ikke fundet); åbn filen i Excel eller LibreOffice og gem den som .xlsx",
                file=name,
                sheet=meta.name,
                code=ErrorCode.FILE_UNREADABLE,
            )
        scan = scans.get(meta.name) or SheetScan()
        for (r, c), (kind, text) in scan.problems.items():
            if r < len(rows) and c < len(rows[r]) and rows[r][c] == "":
                rows[r][c] = CellProblem(kind, text)
        if scan.merged is not None and not merged:
            merged = scan.merged
        width = max(map(len, rows), default=0)
        grids.append(
            Grid(
                file=name,
                sheet=meta.name,
                rows=rows,
                visible=meta.visible == SheetVisibleEnum.Visible,
                merged=merged,
                very_hidden=meta.visible == SheetVisibleEnum.VeryHidden,
                hidden_rows=_within(scan.hidden_rows, len(rows)),
                hidden_columns=_within(scan.hidden_columns, width),
            )
        )
    return grids


def scan_workbook(path: Path, name: str) -> dict[str, SheetScan]:
    """What each sheet holds beyond calamine's values (error values, hidden rows and columns, .ods merges).

    Also the guard's checks that must come before python-calamine opens the file (a sheet's cells out to an
    absurd size without a ``<dimension>``, DTDs): call it, after :func:`~pagt_xl.ingest.guard.check_file`,
    before any calamine read. Raises :class:`InputError`.
    """
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return scan_sheets(path)
    if suffix == ".xls":
        from pagt_xl.ingest.legacy import scan_xls

        return scan_xls(path, name)
    if suffix == ".ods":
        from pagt_xl.ingest.guard import check_no_dtd
        from pagt_xl.ingest.legacy import scan_ods

        check_no_dtd(path)
        return scan_ods(path, name)
    return {}


def _xls_names(scans: dict[str, SheetScan], names: list[str]) -> dict[str, SheetScan]:
    """The .xls scan by calamine's sheet names: by name, or in order when the two read the names differently
    (an Excel 95 file's code page) but find the same number of worksheets."""
    if set(names) <= set(scans) or len(names) != len(scans):
        return scans
    return dict(zip(names, scans.values(), strict=True))


def _within(ranges: list[tuple[int, int]], size: int) -> list[int]:
    """The 0-based lines of ``ranges`` (inclusive) below ``size``: a hidden range may run to the sheet's end."""
    out: set[int] = set()
    for first, last in ranges:
        out.update(range(max(first, 0), min(last, size - 1) + 1))
    return sorted(out)


def _is_panic(exc: BaseException) -> bool:
    """A Rust panic raised into Python (``pyo3_runtime.PanicException``), not Ctrl-C or an exit."""
    return type(exc).__name__ == "PanicException"


def _out_of_memory(name: str, sheet: str | None) -> InputError:
    what = f"arket '{sheet}'" if sheet else "filen"
    return InputError(
        f"{name}: der er ikke hukommelse nok til at læse {what}; slet tomme rækker/kolonner og "
        "overflødige ark, eller del filen op",
        file=name,
        sheet=sheet,
        code=ErrorCode.FILE_UNSAFE,
    )


def _is_encrypted(path: Path) -> bool:
    with path.open("rb") as fh:
        return fh.read(8) == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _decrypt(path: Path, out: Path, password: str, name: str) -> None:
    try:
        import msoffcrypto
    except ImportError:
        raise InputError(
            f'{name}: at åbne filer med adgangskode kræver pakken msoffcrypto-tool (pip install "pagt_xl[crypto]")',
            file=name,
            code=ErrorCode.FILE_UNREADABLE,
        ) from None
    try:
        with path.open("rb") as fh:
            office = msoffcrypto.OfficeFile(fh)
            office.load_key(password=password)
            with out.open("wb") as dst:
                office.decrypt(dst)
    except msoffcrypto.exceptions.InvalidKeyError:
        raise InputError(f"{name}: forkert adgangskode", file=name, code=ErrorCode.WRONG_PASSWORD) from None
    except Exception as exc:  # msoffcrypto raises assorted errors on damaged containers
        raise InputError(
            f"{name}: kan ikke dekrypteres ({_short(exc)})", file=name, code=ErrorCode.FILE_UNREADABLE
        ) from None


def _short(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else exc.__class__.__name__
    return text[:160]
