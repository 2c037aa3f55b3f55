"""``pagt-xl serve``: the xlwings Server add-in (Excel on the web and desktop without local Python).

Needs the optional extra ``pagt_xl[server]`` and an xlwings license key:
``XLWINGS_LICENSE_KEY=noncommercial`` (PolyForm Noncommercial 1.0.0, which
permits use by government institutions) or a commercial key.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent / "project"
KEY_HELP = (
    "pagt-xl: serveren kræver en xlwings-licensnøgle: sæt XLWINGS_LICENSE_KEY=noncommercial "
    "(offentlige institutioner, PolyForm Noncommercial 1.0.0) eller en kommerciel nøgle, og start igen"
)
MAX_BODY = int(os.environ.get("PAGT_XL_MAX_BODY", str(50 * 1024 * 1024)))


def configure_environment() -> None:
    """Settings xlwings Server reads at import; must run before the first ``import xlwings``."""
    os.environ.setdefault("XLWINGS_PROJECT_DIR", str(PROJECT_DIR))
    os.environ.setdefault("XLWINGS_FUNCTIONS_NAMESPACE", "PAGT")
    os.environ.setdefault("XLWINGS_PROJECT_NAME", "Teknologipagt")
    os.environ.setdefault("XLWINGS_ENABLE_SOCKETIO", "false")
    os.environ.setdefault("XLWINGS_ENABLE_HOTRELOAD", "false")
    os.environ.setdefault("XLWINGS_ENABLE_EXAMPLES", "false")


def create_app():  # -> ASGI app
    """The xlwings Server app with pagt_xl's project folder, report downloads and a body-size limit."""
    configure_environment()
    from fastapi import HTTPException
    from fastapi.responses import FileResponse, JSONResponse
    from xlwings_server import main

    report_dir = os.environ.get("PAGT_XL_REPORT_DIR")

    @main.app.get("/pagt/rapporter/{name}")
    async def download_report(name: str) -> FileResponse:
        if not report_dir or "/" in name or "\\" in name or not name.endswith(".docx") or name.startswith("."):
            raise HTTPException(status_code=404, detail="Ikke fundet")
        path = Path(report_dir) / name
        if not path.is_file():
            raise HTTPException(status_code=404, detail="Ikke fundet")
        return FileResponse(
            path, filename=name, media_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        )

    inner = main.main_app
    from pagt_xl.xl.project import custom_scripts

    known_scripts = {n for n in dir(custom_scripts) if hasattr(getattr(custom_scripts, n), "__xlscript__")}
    script_prefix = "/xlwings/custom-scripts-call/"

    async def app(scope, receive, send):  # type: ignore[no-untyped-def]
        if scope["type"] == "http":
            path = scope.get("path", "")
            if path.startswith(script_prefix) and path[len(script_prefix) :] not in known_scripts:
                response = JSONResponse({"detail": "Ukendt knap/script"}, status_code=404)
                await response(scope, receive, send)
                return
            length = dict(scope.get("headers") or []).get(b"content-length")
            if length is not None and (not length.isdigit() or int(length) > MAX_BODY):
                response = JSONResponse({"detail": "Forespørgslen er for stor"}, status_code=413)
                await response(scope, receive, send)
                return
        await inner(scope, receive, send)

    return app


def serve(host: str = "127.0.0.1", port: int = 8000) -> int:
    """Run the server until stopped. Returns 2 (after one line on stderr) without a license key."""
    if not os.environ.get("XLWINGS_LICENSE_KEY"):
        print(KEY_HELP, file=sys.stderr)
        return 2
    try:
        import uvicorn
    except ImportError:
        print('pagt-xl: serveren kræver ekstra pakker: pip install "pagt_xl[server]"', file=sys.stderr)
        return 2
    app = create_app()
    print(f"pagt-xl: serveren kører på http://{host}:{port} (manifest: /manifest.xml); stop med Ctrl+C", flush=True)
    uvicorn.run(app, host=host, port=port, log_level=os.environ.get("PAGT_XL_LOG_LEVEL", "warning"))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pagt_xl.xl.serve", description="xlwings Server for pagt_xl")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    args = parser.parse_args(argv)
    return serve(args.host, args.port)


if __name__ == "__main__":
    sys.exit(main())
