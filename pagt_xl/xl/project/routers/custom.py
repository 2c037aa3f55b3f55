"""Report downloads (``GET /pagt/rapporter/{name}``) and the cell functions' help pages (``GET /pagt/hjaelp``).

``/pagt/rapporter/{name}`` serves a draft from ``PAGT_XL_REPORT_DIR``, nothing else.

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

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse

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


def _functions() -> list[dict]:
    """The cell functions as the help pages show them: id, Excel name, description, parameters."""
    import custom_functions  # the project's module (xlwings Server put this folder on sys.path)
    from xlwings.server import custom_functions_meta

    return custom_functions_meta(custom_functions)["functions"]


@router.get("/pagt/hjaelp", response_class=HTMLResponse)
async def help_index(request: Request) -> HTMLResponse:
    """Every cell function with its description and arguments (Danish), one section each."""
    from xlwings_server.templates import TemplateResponse

    return TemplateResponse(request=request, name="pagt_hjaelp.html", context={"functions": _functions(), "one": None})


@router.get("/pagt/hjaelp/{name}", response_class=HTMLResponse)
async def help_page(request: Request, name: str) -> HTMLResponse:
    """One cell function's help page (the ``helpUrl`` in the functions' metadata points here); 404 when unknown."""
    from xlwings_server.templates import TemplateResponse

    functions = [f for f in _functions() if f["id"].lower() == name.lower()]
    if not functions:
        raise HTTPException(status_code=404, detail="Ukendt funktion")
    return TemplateResponse(request=request, name="pagt_hjaelp.html", context={"functions": functions, "one": name})
