"""Read a workbook's sheets into plain grids that keep Excel's coordinates.

``Grid.rows[i][j]`` is the cell at Excel row ``i + 1``, column ``j + 1``
(empty cells are ``""``), so every value can be traced back to its A1 address.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

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


def read_grids(path: Path, display_name: str | None = None, password: str | None = None) -> list[Grid]:
    """All worksheets of a workbook as grids, after the safety checks.

    ``password`` opens a password-protected (encrypted) .xlsx/.xlsm; it is
    decrypted into a private temporary folder that is removed afterwards.
    Raises :class:`InputError` when the file cannot be read at all.
    """
    if password and path.suffix.lower() in (".xlsx", ".xlsm") and _is_encrypted(path):
        import tempfile

        with tempfile.TemporaryDirectory(prefix="pagt-xl-") as tmp:
            plain = Path(tmp) / ("dekrypteret" + path.suffix.lower())
            _decrypt(path, plain, password, display_name or str(path))
            return read_grids(plain, display_name or str(path))
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
    except Exception as exc:  # calamine raises assorted errors on corrupt parts
        raise InputError(
            f"{name}: filen er beskadiget ({_short(exc)})", file=name, code=ErrorCode.FILE_UNREADABLE
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
        except Exception as exc:
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
