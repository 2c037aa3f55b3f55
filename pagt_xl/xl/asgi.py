"""The add-in server as one ASGI app, ``pagt_xl.xl.asgi:app``, the same however it is started.

``pagt-xl serve``, ``uvicorn pagt_xl.xl.asgi:app --workers 4`` and
``gunicorn -k uvicorn.workers.UvicornWorker pagt_xl.xl.asgi:app`` all serve the
same add-in: xlwings Server (``xlwings_server.main:main_app``) with the project
folder ``pagt_xl/xl/project``, wrapped so that bodies over ``PAGT_XL_MAX_BODY``
get 413 and unknown button scripts 404.

xlwings Server reads its settings once, when it is imported, from the
environment, ``XLWINGS_PROJECT_DIR/.env`` and ``XLWINGS_PROJECT_DIR/pyproject.toml``
(``[tool.xlwings_server]``). So the add-in's own settings are data in
``project/pyproject.toml`` (manifest Ids, the name "Teknologipagt", the function
namespace ``PAGT``, CORS), and this module only has to point
``XLWINGS_PROJECT_DIR`` at that folder before it imports xlwings Server. It does
so when ``app`` is first looked up (a module ``__getattr__``), so that
:mod:`pagt_xl.xl.serve` can import the helpers here without building a server.

Every worker process builds its app once, from its own (inherited) environment.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Awaitable, Callable, Iterator, MutableMapping
from pathlib import Path
from typing import Any

from pagt_xl.base.errors import ConfigError, ErrorCode
from pagt_xl.xl.settings import ServerSettings, use_settings

PROJECT_DIR = Path(__file__).resolve().parent / "project"
KEY_HELP = (
    "sæt en xlwings-licensnøgle i XLWINGS_LICENSE_KEY, fx XLWINGS_LICENSE_KEY=noncommercial "
    "(offentlige institutioner, PolyForm Noncommercial 1.0.0) eller en kommerciel nøgle, og start igen"
)

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


def configure_environment() -> None:
    """Point xlwings Server at pagt_xl's project folder and set pagt_xl's defaults in ``os.environ``.

    Must run before xlwings Server is imported. ``PAGT_XL_REPORT_DIR`` defaults to
    ``./rapporter`` (a value already set wins). ``XLWINGS_PROJECT_DIR`` is not a
    setting: this app is pagt_xl's add-in, so another folder there is a
    :class:`~pagt_xl.base.errors.ConfigError` (as is an xlwings Server already
    imported with another folder).
    """
    given = os.environ.get("XLWINGS_PROJECT_DIR", "").strip()
    if given and Path(given).resolve() != PROJECT_DIR:
        raise ConfigError(
            f"XLWINGS_PROJECT_DIR='{given}' peger ikke på pagt_xl's projektmappe ({PROJECT_DIR}); "
            "fjern variablen (pagt_xl.xl.asgi:app sætter den selv)",
            code=ErrorCode.CONFIG_CONFLICT,
        )
    config = sys.modules.get("xlwings_server.config")
    if config is not None and Path(config.PROJECT_DIR).resolve() != PROJECT_DIR:
        raise ConfigError(
            f"xlwings Server er allerede indlæst med projektmappen {config.PROJECT_DIR}; "
            "start pagt_xl.xl.asgi:app i sin egen proces",
            code=ErrorCode.CONFIG_CONFLICT,
        )
    os.environ["XLWINGS_PROJECT_DIR"] = str(PROJECT_DIR)
    os.environ.setdefault("PAGT_XL_REPORT_DIR", str(Path.cwd() / "rapporter"))


def load_settings() -> ServerSettings:
    """:func:`configure_environment`, then pagt_xl's settings from ``os.environ``, checked.

    Raises :class:`~pagt_xl.base.errors.ConfigError` for a bad value (naming the
    variable) and for a missing ``XLWINGS_LICENSE_KEY``.
    """
    configure_environment()
    # xlwings Server sets XLWINGS_ON_SERVER itself when imported; this process is the server
    settings = ServerSettings.from_env(os.environ).model_copy(update={"on_server": True})
    if settings.license_key is None:
        raise ConfigError(KEY_HELP, code=ErrorCode.CONFIG_INVALID)
    return settings


def create_app(settings: ServerSettings) -> ASGIApp:
    """xlwings Server's app, wrapped: bodies over ``settings.max_body`` bytes get 413, unknown scripts 404.

    ``settings`` are installed (:func:`~pagt_xl.xl.settings.use_settings`) before
    xlwings Server is imported, so that the project modules it imports (scripts,
    download route, token hook) use the same settings; the report folder is
    created. Call :func:`configure_environment` first (:func:`load_settings` does).
    """
    use_settings(settings)
    if settings.report_dir is not None:
        settings.report_dir.mkdir(parents=True, exist_ok=True)
    from starlette.responses import JSONResponse
    from xlwings_server.main import main_app

    from pagt_xl.base import _gc
    from pagt_xl.xl.scripts import BUTTONS

    _share_redis_connections()

    limit = settings.max_body
    scripts = {action.__name__ for action in BUTTONS.values()}
    prefix = settings.app_path + "/xlwings/custom-scripts-call/"
    calls = (settings.app_path + "/xlwings/custom-functions-call", prefix)

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
        if path.startswith(calls):
            with _gc.paused():  # decoding the range's JSON and reading it: no collections meanwhile
                await main_app(scope, receive, send)
            return
        await main_app(scope, receive, send)

    _gc.start_up()  # the imported server, our modules and the pacts: never walked again
    return app


def _share_redis_connections() -> None:
    """With ``XLWINGS_OBJECT_CACHE_URL``: each request borrows from the worker's Redis pool without closing it.

    xlwings Server 1.20's request dependency makes a client with ``redis.Redis.from_pool``
    and closes it after the request, which disconnects the whole pool: a request that
    finishes while another one reads a PAGT.DATA handle breaks the other one's
    connection ("Bad file descriptor", then ``ConnectionError``; seen with concurrent
    calls in ``tests/test_xl_redis.py``). The override (FastAPI's own mechanism) hands
    out a client on the same pool that leaves the pool alone; connections go back to
    the pool after each command, as redis-py does.
    """
    import redis
    from xlwings_server import databases
    from xlwings_server.main import app as fastapi_app

    pool = databases.redis_pool
    if pool is None:
        return

    def shared_client() -> Iterator[redis.Redis]:
        yield redis.Redis(connection_pool=pool)

    fastapi_app.dependency_overrides[databases.get_redis_client] = shared_client


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


_lock = threading.Lock()
_app: ASGIApp | None = None


def __getattr__(name: str) -> Any:
    """``app``: built at the first lookup (``uvicorn pagt_xl.xl.asgi:app`` looks it up once per worker)."""
    global _app
    if name != "app":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    with _lock:
        if _app is None:
            _app = create_app(load_settings())
        return _app


__all__ = ["PROJECT_DIR", "configure_environment", "create_app", "load_settings"]
