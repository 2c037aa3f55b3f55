"""Report downloads: ``GET /pagt/rapporter/{name}`` serves a draft from ``PAGT_XL_REPORT_DIR``, nothing else.

Drafts are status reports, recommendation memos (*Lav indstilling*) and the decision letters as one zip
(*Lav breve*), all named as :data:`pagt_xl.xl.scripts.REPORT_NAME` says.

The button *Lav statusrapport* stores each draft under a new unguessable name
(``statusrapport_<pact>_<date>_<random>.docx``) and links to it from the
workbook; the link is opened in a browser, which sends no add-in token, so the
name itself is the capability. Only names of that form are served, and only
from that folder (no paths, no traversal, no symlinks out of it).

xlwings Server imports this module itself, so the settings come from
:func:`~pagt_xl.xl.settings.current_settings` (installed by ``pagt_xl.xl.asgi``
before xlwings Server is imported). The route's prefix (``XLWINGS_APP_PATH``)
is needed when the router is built, i.e. when xlwings Server imports this module.
"""

from pathlib import Path

from fastapi import APIRouter, HTTPException
from fastapi.responses import FileResponse

from pagt_xl.xl.scripts import REPORT_NAME
from pagt_xl.xl.settings import ServerSettings, current_settings

router = APIRouter(prefix=current_settings().app_path)
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def report_path(name: str, settings: ServerSettings | None = None) -> Path | None:
    """The file for a download name, or ``None`` when it is not a draft in the report folder.

    ``settings``: ``None`` means :func:`~pagt_xl.xl.settings.current_settings`.
    """
    folder = (settings or current_settings()).report_dir
    if folder is None or not REPORT_NAME.fullmatch(name):
        return None
    root = folder.resolve()
    path = (root / name).resolve()
    if path.parent != root or not path.is_file():
        return None
    return path


@router.get("/pagt/rapporter/{name}")
async def download_report(name: str) -> FileResponse:
    """A report draft as a Word download; 404 for anything else."""
    path = report_path(name)
    if path is None:
        raise HTTPException(status_code=404, detail="Rapporten findes ikke (længere)")
    media = "application/zip" if name.endswith(".zip") else DOCX  # the decision letters come as one zip
    return FileResponse(path, filename=name, media_type=media, headers={"Cache-Control": "no-store"})
