"""Shared by the scripts that build committed files: make a zip package byte-identical on every run."""

from __future__ import annotations

import io
import re
import zipfile

_STAMP = re.compile(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*")


def fixed_zip(data: bytes, replace: dict[str, bytes] | None = None) -> bytes:
    """The same members (``replace`` swaps some contents) with fixed timestamps and core-property dates."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            zi = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            zi.compress_type = zipfile.ZIP_DEFLATED
            content = (replace or {}).get(info.filename, src.read(info.filename))
            if info.filename == "docProps/core.xml":  # writers stamp the save time
                content = _STAMP.sub(rb"\g<1>2024-01-01T00:00:00Z", content)
            dst.writestr(zi, content)
    return out.getvalue()
