"""PDF copies of the Word documents, for Digital Post and the web: tagged, language set, contents with page numbers.

LibreOffice (``soffice``) does the conversion, headless, through a small StarBasic macro in a
fresh, temporary LibreOffice profile: it opens each document hidden, updates every index (the
table of contents gets its page numbers, which a plain ``--convert-to pdf`` never fills in) and
the fields, and exports with ``writer_pdf_Export`` and ``UseTaggedPDF`` (a tagged PDF: headings,
tables, pictures with their alt text, the document's language from its styles). One
LibreOffice start for all documents of a run.

Bounded: one run has :func:`timeout_for` seconds (then the process group is stopped), and a
document LibreOffice cannot convert is a :class:`PdfProblem` naming it. Without LibreOffice the
caller gets a Danish refusal (:func:`require_pdf`) before any work is done.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

from pagt_xl.base.errors import ErrorCode, PagtError
from pagt_xl.outputs.files import atomic_write

#: where LibreOffice lives when it is not on PATH (Windows and macOS installers)
_KNOWN_PLACES = (
    r"C:\Program Files\LibreOffice\program\soffice.exe",
    r"C:\Program Files (x86)\LibreOffice\program\soffice.exe",
    "/Applications/LibreOffice.app/Contents/MacOS/soffice",
)
_START_SECONDS = 60
_SECONDS_PER_DOCUMENT = 60

# The macro: a list file holds pairs of lines (document URL, PDF URL). Errors skip the document; the caller
# sees its PDF missing. Indexes are updated twice: the first update may move headings to other pages.
_MACRO = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE script:module PUBLIC "-//OpenOffice.org//DTD OfficeDocument 1.0//EN" "module.dtd">
<script:module xmlns:script="http://openoffice.org/2000/script" script:name="Module1" script:language="StarBasic">
Sub ExportList(listUrl As String)
  n = FreeFile
  Open ConvertFromURL(listUrl) For Input As #n
  Do While Not EOF(n)
    Line Input #n, inUrl
    Line Input #n, outUrl
    ExportOne(inUrl, outUrl)
  Loop
  Close #n
End Sub

Sub ExportOne(inUrl As String, outUrl As String)
  On Error Goto Failed
  Dim load(1) As New com.sun.star.beans.PropertyValue
  load(0).Name = &quot;Hidden&quot;
  load(0).Value = True
  load(1).Name = &quot;MacroExecutionMode&quot;
  load(1).Value = 0
  doc = StarDesktop.loadComponentFromURL(inUrl, &quot;_blank&quot;, 0, load())
  If IsNull(doc) Then Exit Sub
  For pass = 1 To 2
    indexes = doc.getDocumentIndexes()
    For i = 0 To indexes.getCount() - 1
      indexes.getByIndex(i).update()
    Next i
    doc.getTextFields().refresh()
  Next pass
  Dim fd(2) As New com.sun.star.beans.PropertyValue
  fd(0).Name = &quot;UseTaggedPDF&quot;
  fd(0).Value = True
  fd(1).Name = &quot;DisplayPDFDocumentTitle&quot;
  fd(1).Value = True
  fd(2).Name = &quot;ExportBookmarks&quot;
  fd(2).Value = True
  Dim args(1) As New com.sun.star.beans.PropertyValue
  args(0).Name = &quot;FilterName&quot;
  args(0).Value = &quot;writer_pdf_Export&quot;
  args(1).Name = &quot;FilterData&quot;
  args(1).Value = fd()
  doc.storeToURL(outUrl, args())
  doc.close(True)
  Exit Sub
Failed:
  On Error Resume Next
  If Not IsNull(doc) Then doc.close(True)
End Sub
</script:module>
"""


class PdfProblem(PagtError):
    """No PDF can be made: LibreOffice is missing, stopped, or could not convert a document."""

    default_code = ErrorCode.PDF_FAILED


def soffice() -> str | None:
    """The LibreOffice program, or ``None`` when it is not installed (``PAGT_XL_SOFFICE`` names another one)."""
    named = os.environ.get("PAGT_XL_SOFFICE")
    if named:
        return named if Path(named).exists() else shutil.which(named)
    found = shutil.which("soffice") or shutil.which("libreoffice")
    return found or next((p for p in _KNOWN_PLACES if Path(p).exists()), None)


def require_pdf() -> str:
    """The LibreOffice program; a Danish :class:`PdfProblem` when PDF cannot be made here (checked before work)."""
    program = soffice()
    if program is None:
        raise PdfProblem(
            "--pdf kræver LibreOffice, som ikke er installeret på denne maskine. Installér LibreOffice "
            "(scripts/install-system-deps gør det på Debian/Ubuntu), eller lad --pdf være og gem som PDF fra Word "
            "(Filer › Gem som › PDF, med 'Dokumentstrukturkoder til tilgængelighed' slået til).",
            code=ErrorCode.PDF_UNAVAILABLE,
        )
    return program


def timeout_for(documents: int) -> int:
    """Seconds one LibreOffice run may take for ``documents`` documents."""
    return _START_SECONDS + _SECONDS_PER_DOCUMENT * max(documents, 1)


def export_pdfs(documents: list[Path]) -> list[Path]:
    """A PDF beside each Word document (``brev.docx`` → ``brev.pdf``, written atomically); returns the PDFs.

    Raises :class:`PdfProblem` (Danish) when LibreOffice is missing, runs out of time, or leaves a
    document without a PDF.
    """
    documents = [Path(d) for d in documents]
    if not documents:
        return []
    program = require_pdf()
    with tempfile.TemporaryDirectory(prefix="pagt_xl_pdf_") as tmp:
        work = Path(tmp)
        profile = work / "profil"
        _run([program, "--headless", "--norestore", "--terminate_after_init", _profile_arg(profile)], _START_SECONDS)
        module = profile / "user" / "basic" / "Standard" / "Module1.xba"
        if not module.parent.is_dir():
            raise PdfProblem("LibreOffice startede ikke rigtigt (ingen brugerprofil); prøv igen, eller gem som PDF "
                             "fra Word")  # fmt: skip
        module.write_text(_MACRO, encoding="utf-8")
        made = [work / f"{n}.pdf" for n in range(len(documents))]
        listing = work / "liste.txt"
        lines = [line for doc, pdf in zip(documents, made, strict=True) for line in (doc.resolve().as_uri(),
                 pdf.as_uri())]  # fmt: skip
        listing.write_text("\n".join(lines) + "\n", encoding="ascii")  # URIs are ASCII (percent-encoded)
        macro = f'macro:///Standard.Module1.ExportList("{listing.as_uri()}")'
        _run([program, "--headless", "--norestore", "--nologo", "--nolockcheck", _profile_arg(profile), macro],
             timeout_for(len(documents)))  # fmt: skip
        out: list[Path] = []
        for doc, pdf in zip(documents, made, strict=True):
            if not pdf.exists() or pdf.read_bytes()[:5] != b"%PDF-":
                raise PdfProblem(f"{doc.name}: LibreOffice kunne ikke lave en PDF af dokumentet; åbn det i Word og "
                                 "gem som PDF derfra")  # fmt: skip
            target = doc.with_suffix(".pdf")
            data = pdf.read_bytes()
            atomic_write(target, lambda t, data=data: t.write_bytes(data))
            out.append(target)
        return out


def _profile_arg(profile: Path) -> str:
    return f"-env:UserInstallation={profile.as_uri()}"


def _run(command: list[str], timeout: int) -> None:
    """Run LibreOffice in its own process group; stop the whole group when it runs past ``timeout`` seconds."""
    kwargs: dict[str, object] = {}
    if sys.platform != "win32":
        kwargs["start_new_session"] = True
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, **kwargs)
    try:
        _out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        if sys.platform != "win32":
            os.killpg(proc.pid, signal.SIGKILL)
        else:
            proc.kill()
        proc.communicate()
        raise PdfProblem(f"LibreOffice blev ikke færdig med PDF'en inden for {timeout} sekunder og er stoppet; "
                         "prøv igen med færre dokumenter, eller gem som PDF fra Word") from None  # fmt: skip
    if proc.returncode != 0:
        text = err.decode("utf-8", "replace").strip().splitlines()
        raise PdfProblem(f"LibreOffice stoppede med fejl ({proc.returncode}): {text[-1] if text else 'ingen besked'}")
