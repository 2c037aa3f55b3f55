"""``pagt-xl serve``: xlwings Server with pagt_xl's cell functions and buttons (Excel on the web and desktop).

Needs the extra ``pagt_xl[server]`` and an xlwings license key in
``XLWINGS_LICENSE_KEY``: ``noncommercial`` (PolyForm Noncommercial 1.0.0, whose
permitted purposes include use by government institutions) or a commercial
key. The server runs ``xlwings_server.main:main_app`` with the project folder
``pagt_xl/xl/project`` (see its ``__init__``), so the same app also runs under
any ASGI server: ``XLWINGS_PROJECT_DIR=.../pagt_xl/xl/project uvicorn xlwings_server.main:main_app``
(without the body limit and the 404 for unknown scripts that :func:`create_app` adds).

Settings are environment variables. xlwings Server reads its own (``XLWINGS_*``)
when it is imported, so this module sets their defaults first and imports it
afterwards. pagt_xl's settings are read and checked once, here where the server
starts, into a :class:`~pagt_xl.xl.settings.ServerSettings` (every variable is
listed there and in ``python -m pagt_xl.xl.serve --help``).
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import sys
from collections.abc import Awaitable, Callable, MutableMapping
from pathlib import Path
from typing import Any

from pagt_xl.errors import ConfigError
from pagt_xl.xl.settings import ServerSettings, current_settings, use_settings

PROJECT_DIR = Path(__file__).resolve().parent / "project"
KEY_HELP = (
    "pagt-xl serve: sæt en xlwings-licensnøgle i XLWINGS_LICENSE_KEY, fx XLWINGS_LICENSE_KEY=noncommercial "
    "(offentlige institutioner, PolyForm Noncommercial 1.0.0) eller en kommerciel nøgle, og start igen"
)
#: pagt_xl's own add-in ids, so that Excel does not mix the add-in up with other xlwings Server add-ins.
MANIFEST_IDS = {
    "dev": "3b0d8f40-5a8e-4c51-9a0e-6f1d0c7e2a11",
    "qa": "6a4f2c1e-8d3b-4f5a-b2c7-1e9d0a3b5c22",
    "uat": "9c7e5a3f-1b2d-4e6f-8a0c-2d4f6b8e0a33",
    "staging": "2e4a6c8e-0b1d-4f3a-9c5e-7a9b1d3f5e44",
    "prod": "5f1b3d5f-7a9c-4e2b-8d4f-6b8d0f2a4c55",
}

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


def configure_environment(host: str = "127.0.0.1", port: int = 8000) -> None:
    """Defaults for xlwings Server and pagt_xl in ``os.environ``; values already set there win.

    Must run before xlwings is imported. It does not create the report folder (:func:`serve` does).
    """
    defaults = {
        "XLWINGS_PROJECT_DIR": str(PROJECT_DIR),
        "XLWINGS_FUNCTIONS_NAMESPACE": "PAGT",
        "XLWINGS_PROJECT_NAME": "Teknologipagt",
        "XLWINGS_ENABLE_EXAMPLES": "false",
        "XLWINGS_ENABLE_HOTRELOAD": "false",
        "XLWINGS_ENABLE_SOCKETIO": "false",  # no streaming functions
        "PAGT_XL_REPORT_DIR": str(Path.cwd() / "rapporter"),
        "PAGT_XL_PUBLIC_URL": f"http://{host}:{port}",
    }
    defaults |= {f"XLWINGS_MANIFEST_ID_{env.upper()}": uuid for env, uuid in MANIFEST_IDS.items()}
    for name, value in defaults.items():
        os.environ.setdefault(name, value)


def create_app(settings: ServerSettings | None = None) -> ASGIApp:
    """xlwings Server's app, wrapped: bodies over ``settings.max_body`` bytes get 413, unknown scripts 404.

    ``settings``: ``None`` means :func:`~pagt_xl.xl.settings.current_settings`. They are
    installed (:func:`~pagt_xl.xl.settings.use_settings`) before xlwings Server is
    imported, so that the project modules it imports (scripts, download route,
    token hook) use the same settings. Call :func:`configure_environment` first.
    """
    settings = settings or current_settings()
    use_settings(settings)
    from starlette.responses import JSONResponse
    from xlwings_server.main import main_app

    from pagt_xl.xl.scripts import BUTTONS

    limit = settings.max_body
    scripts = {action.__name__ for action in BUTTONS.values()}
    prefix = settings.app_path + "/xlwings/custom-scripts-call/"

    def too_large() -> JSONResponse:
        return JSONResponse({"detail": "Forespørgslen er for stor"}, status_code=413)

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await main_app(scope, receive, send)
            return
        path = scope.get("path", "")
        if path.startswith(prefix) and path[len(prefix) :] not in scripts:
            await JSONResponse({"detail": "Ukendt knap"}, status_code=404)(scope, receive, send)
            return
        length = dict(scope.get("headers") or []).get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > limit):
            await too_large()(scope, receive, send)
            return
        if length is None and scope.get("method") in ("POST", "PUT", "PATCH"):
            # a chunked body: read it here (up to the limit) and hand it on in one piece
            chunks, size, more = [], 0, True
            while more:
                message = await receive()
                if message["type"] != "http.request":
                    return  # the client went away
                chunks.append(message.get("body", b""))
                size += len(chunks[-1])
                if size > limit:
                    await too_large()(scope, receive, send)
                    return
                more = message.get("more_body", False)
            receive = _replay(b"".join(chunks), receive)
        await main_app(scope, receive, send)

    return app


def _replay(body: bytes, receive: Receive) -> Receive:
    """A ``receive`` that first delivers ``body`` as the whole request, then waits as the original does."""
    delivered = False

    async def replay() -> MutableMapping[str, Any]:
        nonlocal delivered
        if not delivered:
            delivered = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


def serve(host: str = "127.0.0.1", port: int = 8000) -> int:
    """Run the server until stopped; returns the exit code.

    The settings are read from the environment once, here, after the defaults of
    :func:`configure_environment`. Without ``XLWINGS_LICENSE_KEY``, or with a bad
    setting, it prints one line on what to fix and returns 2.
    """
    configure_environment(host, port)  # before anything imports xlwings
    try:
        # xlwings Server sets XLWINGS_ON_SERVER itself when imported (below); this process is the server
        settings = ServerSettings.from_env(os.environ).model_copy(update={"on_server": True})
    except ConfigError as exc:
        print(f"pagt-xl serve: {exc}", file=sys.stderr)
        return 2
    if settings.license_key is None:
        print(KEY_HELP, file=sys.stderr)
        return 2
    if any(importlib.util.find_spec(name) is None for name in ("uvicorn", "xlwings_server")):
        print('pagt-xl serve: serveren kræver ekstra pakker: pip install "pagt_xl[server]"', file=sys.stderr)
        return 2
    import uvicorn

    if settings.report_dir is not None:  # always, with configure_environment's default
        settings.report_dir.mkdir(parents=True, exist_ok=True)
    app = create_app(settings)
    print(
        f"pagt-xl serve: http://{host}:{port} (manifest: /manifest.xml, rapporter i "
        f"{settings.report_dir}); stop med Ctrl+C",
        flush=True,
    )
    uvicorn.run(app, host=host, port=port, log_level=settings.log_level)
    return 0


def main(argv: list[str] | None = None) -> int:
    """``python -m pagt_xl.xl.serve [--host H] [--port P]`` (the same as ``pagt-xl serve``)."""
    parser = argparse.ArgumentParser(
        prog="python -m pagt_xl.xl.serve",
        description=__doc__.splitlines()[0],
        epilog=ServerSettings.help_text(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--host", default="127.0.0.1", help="adresse (standard: 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000, help="port (standard: 8000)")
    args = parser.parse_args(argv)
    return serve(args.host, args.port)


if __name__ == "__main__":
    sys.exit(main())
