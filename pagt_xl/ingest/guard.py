"""Checks made before any reader touches a file.

python-calamine aborts the whole process (not an exception) on a sheet whose
declared dimension is absurd, and happily inflates zip bombs; so the zip
container and each sheet's ``<dimension>`` are inspected first, cheaply.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from pagt_xl.errors import InputError

#: Formats python-calamine reads. .xlsx/.xlsm are the documented ones.
ZIP_SUFFIXES = {".xlsx", ".xlsm", ".xlsb", ".ods"}
OTHER_SUFFIXES = {".xls"}
SUPPORTED_SUFFIXES = ZIP_SUFFIXES | OTHER_SUFFIXES

MAX_UNCOMPRESSED = 2_000_000_000  # bytes, whole archive
MAX_RATIO = 200  # uncompressed/compressed for any entry above MAX_SMALL_ENTRY
MAX_SMALL_ENTRY = 20_000_000
MAX_CELLS = 60_000_000  # declared rows × columns of one sheet

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\s+ref="([A-Z]+)?(\d+)?(?::([A-Z]+)(\d+))?"')


def column_index(letters: str) -> int:
    """1-based column number of ``"A"``, ``"XFD"``..."""
    n = 0
    for ch in letters:
        n = n * 26 + (ord(ch) - 64)
    return n


def check_file(path: Path) -> None:
    """Raise :class:`InputError` unless ``path`` looks like a readable, sane workbook."""
    name = str(path)
    if not path.exists():
        raise InputError(f"{name}: filen findes ikke", file=name)
    if path.is_dir():
        raise InputError(f"{name}: er en mappe, ikke en projektmappe", file=name)
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise InputError(
            f"{name}: ikke en Excel-projektmappe (filtypen '{suffix or 'ingen'}' understøttes ikke; "
            "gem filen som .xlsx)",
            file=name,
        )
    size = path.stat().st_size
    if size == 0:
        raise InputError(f"{name}: filen er tom (0 byte)", file=name)
    with path.open("rb") as fh:
        head = fh.read(8)
    if suffix in ZIP_SUFFIXES:
        if head.startswith(_OLE_MAGIC):
            raise InputError(
                f"{name}: projektmappen er beskyttet med adgangskode (krypteret); "
                "fjern adgangskoden i Excel (Filer › Oplysninger › Beskyt projektmappe) og prøv igen",
                file=name,
            )
        if not head.startswith(b"PK"):
            raise InputError(
                f"{name}: ikke en gyldig Excel-projektmappe (filen er ikke en zip-pakke); "
                "åbn den i Excel og gem den igen som .xlsx",
                file=name,
            )
        _check_zip(path)
    elif not head.startswith(_OLE_MAGIC):
        raise InputError(
            f"{name}: ikke en gyldig .xls-projektmappe; åbn den i Excel og gem den som .xlsx",
            file=name,
        )


def _check_zip(path: Path) -> None:
    name = str(path)
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            total = sum(i.file_size for i in infos)
            if total > MAX_UNCOMPRESSED:
                raise InputError(
                    f"{name}: udpakket ville filen fylde {total / 1e9:.1f} GB; afvist som mulig zip-bombe",
                    file=name,
                )
            for info in infos:
                if info.file_size > MAX_SMALL_ENTRY and info.file_size > MAX_RATIO * max(info.compress_size, 1):
                    raise InputError(
                        f"{name}: delen '{info.filename}' pakker sig ud {info.file_size // max(info.compress_size, 1)} "
                        "gange; afvist som mulig zip-bombe",
                        file=name,
                    )
            for info in infos:
                if info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml"):
                    with zf.open(info) as fh:
                        head = fh.read(4096)
                    _check_dimension(name, info.filename, head)
    except zipfile.BadZipFile:
        raise InputError(
            f"{name}: filen er beskadiget (ufuldstændig zip-pakke); hent eller gem den igen",
            file=name,
        ) from None
    except (EOFError, zipfile.LargeZipFile, NotImplementedError, OSError) as exc:
        raise InputError(f"{name}: filen er beskadiget ({exc.__class__.__name__})", file=name) from None


def _check_dimension(name: str, part: str, head: bytes) -> None:
    m = _DIMENSION.search(head)
    if not m or not m.group(3):
        return
    last_col = column_index(m.group(3).decode())
    last_row = int(m.group(4))
    if last_col * last_row > MAX_CELLS:
        raise InputError(
            f"{name}: arket ({part}) angiver et område til {m.group(3).decode()}{last_row} "
            f"({last_col * last_row:,} celler); slet tomme rækker/kolonner i Excel og gem igen".replace(",", "."),
            file=name,
        )
