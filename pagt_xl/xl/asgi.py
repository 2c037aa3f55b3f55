"""The add-in server as one ASGI app, ``pagt_xl.xl.asgi:app``, the same however it is started.

``pagt-xl serve``, ``uvicorn pagt_xl.xl.asgi:app --workers 4`` and
``gunicorn -k uvicorn.workers.UvicornWorker pagt_xl.xl.asgi:app`` all serve the
same add-in: xlwings Server's FastAPI app (``xlwings_server.main:app``) with the
project folder ``pagt_xl/xl/project``, behind pagt_xl's own layers
(:mod:`pagt_xl.xl.web`: confined static files, authentication before the body,
bounded and timed bodies, CORS with wildcard subdomains and on our own errors, a
Content-Security-Policy), with per-user, short-lived, bounded object handles
(:mod:`pagt_xl.xl.handles`). It refuses to start without an authentication
provider unless ``PAGT_XL_INSECURE_LOCAL=true`` (:func:`check_security`).

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


#: What a start without authentication, allowed with --insecure-local, says (Danish / English).
INSECURE_LOCAL_NOTICE = (
    "pagt-xl: ADVARSEL: serveren kører UDEN godkendelse (--insecure-local / PAGT_XL_INSECURE_LOCAL=true) og "
    "svarer kun på 127.0.0.1 / WARNING: the server runs WITHOUT authentication and answers 127.0.0.1 only"
)
#: Why a start without authentication is refused.
NO_AUTH = (
    "ingen godkendelse: sæt XLWINGS_AUTH_PROVIDERS='[\"entraid\"]' (med XLWINGS_AUTH_ENTRAID_CLIENT_ID og "
    "XLWINGS_AUTH_ENTRAID_TENANT_ID) eller '[\"custom\"]' (med PAGT_XL_TOKENS_FILE), eller start med "
    "--insecure-local (PAGT_XL_INSECURE_LOCAL=true) for en server, der kun svarer på denne maskine"
)
KNOWN_PROVIDERS = ("entraid", "custom")
#: What a request that failed unexpectedly is answered (500; the log has the exception).
UNEXPECTED = "Serveren fik en uventet fejl; prøv igen, og kontakt sekretariatet, hvis det sker igen"


def check_security(settings: ServerSettings) -> list[str]:
    """Refuse a start that would be open to the network; return the warnings to print.

    Reads xlwings Server's own settings (``xlwings_server.config``, from the
    environment, ``.env`` and the project's ``pyproject.toml``): without an
    authentication provider the start is a :class:`~pagt_xl.errors.ConfigError`
    unless ``settings.insecure_local``; a provider must be known and configured
    (``entraid`` needs the client and tenant ids; ``custom`` a readable
    ``PAGT_XL_TOKENS_FILE`` or a ``PAGT_XL_API_TOKEN`` of at least 16 characters).
    Call :func:`configure_environment` first (:func:`load_settings` does).
    """
    from xlwings_server.config import settings as xl

    from pagt_xl.xl.tokens import tokens_from

    providers = list(xl.auth_providers or [])
    warnings: list[str] = []
    if not providers:
        if not settings.insecure_local:
            raise ConfigError(NO_AUTH, code=ErrorCode.CONFIG_INVALID)
        warnings.append(INSECURE_LOCAL_NOTICE)
    unknown = [p for p in providers if p not in KNOWN_PROVIDERS]
    if unknown:
        raise ConfigError(f"XLWINGS_AUTH_PROVIDERS: ukendt udbyder {unknown[0]!r}; brug entraid eller custom",
                          code=ErrorCode.CONFIG_INVALID)  # fmt: skip
    if "entraid" in providers and not (xl.auth_entraid_client_id and xl.auth_entraid_tenant_id):
        raise ConfigError(
            "entraid kræver XLWINGS_AUTH_ENTRAID_CLIENT_ID og XLWINGS_AUTH_ENTRAID_TENANT_ID "
            "(appregistreringens Application- og Directory-id)",
            code=ErrorCode.CONFIG_INVALID,
        )
    if "custom" in providers:
        shared = settings.api_token.get_secret_value()
        if settings.tokens_file is not None:
            book = tokens_from(settings.tokens_file)
            warnings.append(f"pagt-xl: {len(book)} personlige adgangsnøgler fra {settings.tokens_file}")
        elif len(shared) < 16:
            raise ConfigError("custom kræver PAGT_XL_TOKENS_FILE (én nøgle pr. bruger) eller PAGT_XL_API_TOKEN på "
                              "mindst 16 tegn", code=ErrorCode.CONFIG_INVALID)  # fmt: skip
        if shared and settings.tokens_file is None:
            warnings.append("pagt-xl: advarsel: én fælles adgangsnøgle (PAGT_XL_API_TOKEN): alle brugere hedder det "
                            "samme i loggen og deler PAGT.DATA-håndtag; brug PAGT_XL_TOKENS_FILE")  # fmt: skip
    return warnings


def several_processes() -> bool:
    """Whether this process is one of several server workers (uvicorn ``--workers N`` spawns them)."""
    import multiprocessing

    return multiprocessing.parent_process() is not None


def create_app(settings: ServerSettings) -> ASGIApp:
    """xlwings Server's app behind pagt_xl's layers (:mod:`pagt_xl.xl.web`); refuses an open start.

    ``settings`` are installed (:func:`~pagt_xl.xl.settings.use_settings`) before
    xlwings Server is imported, so that the project modules it imports (scripts,
    download route, token hook) use the same settings; the report folder is
    created. :func:`check_security` runs first (a :class:`~pagt_xl.errors.ConfigError`
    for a start without authentication). Call :func:`configure_environment` first
    (:func:`load_settings` does).
    """
    import logging

    use_settings(settings)
    notices = check_security(settings)
    if settings.report_dir is not None:
        settings.report_dir.mkdir(parents=True, exist_ok=True)
    from starlette.middleware.cors import CORSMiddleware
    from starlette.requests import Request
    from xlwings.server import custom_functions_meta
    from xlwings_server import dependencies as dep
    from xlwings_server.config import PACKAGE_DIR
    from xlwings_server.config import settings as xl
    from xlwings_server.main import app as fastapi_app
    from xlwings_server.models import CurrentUser, User
    from xlwings_server.object_handles import XlwingsOperationalError
    from xlwings_server.routers.xlwings import custom_functions
    from xlwings_server.templates import templates

    from pagt_xl import __version__
    from pagt_xl.base import _gc
    from pagt_xl.xl import handles, web
    from pagt_xl.xl.scripts import BUTTONS
    from pagt_xl.xl.settings import public_base_url

    log = logging.getLogger("pagt_xl.xl")
    for notice in notices:
        log.warning(notice)  # xlwings Server's logging.basicConfig sends it to stderr
    _share_redis_connections()
    handles.install(settings, redis_url=bool(xl.object_cache_url))
    if not xl.object_cache_url and several_processes():
        warning = (
            "pagt-xl: advarsel: flere serverprocesser uden XLWINGS_OBJECT_CACHE_URL (Redis): et PAGT.DATA-"
            "håndtag findes kun i den proces, der lavede det / WARNING: several workers without Redis"
        )
        log.warning(warning)

    fastapi_app.dependency_overrides[dep.authenticate] = web.pre_authenticated(dep.authenticate)

    async def authenticate(scope: web.Scope) -> User:
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers") or []}
        user = await dep.authenticate(headers.get("authorization", ""), headers.get("auth-provider"))
        return await dep.get_user(Request(scope), user)

    async def functions_meta() -> dict[str, Any]:
        return custom_functions_meta(custom_functions, typehinted_params_to_exclude=[CurrentUser])

    async def operational(request: Any, exc: Exception) -> Any:
        from starlette.responses import PlainTextResponse

        text = str(exc) if isinstance(exc, XlwingsOperationalError) else handles.REDIS_DOWN
        return PlainTextResponse(text, status_code=503, headers={"Retry-After": str(handles.RETRY_AFTER)})

    import redis

    async def unexpected(request: Any, exc: Exception) -> Any:
        from starlette.responses import PlainTextResponse

        log.error("pagt-xl: uventet fejl: %s: %s", exc.__class__.__name__, exc)
        return PlainTextResponse(UNEXPECTED, status_code=500)

    fastapi_app.add_exception_handler(Exception, unexpected)  # Danish, never the exception's text
    fastapi_app.add_exception_handler(XlwingsOperationalError, operational)
    fastapi_app.add_exception_handler(redis.RedisError, operational)
    templates.env.globals["pagt_base_url"] = lambda: public_base_url(settings)
    templates.env.globals["pagt_manifest_version"] = manifest_version(__version__)

    scripts = {action.__name__ for action in BUTTONS.values()}
    guard = web.Guard(
        fastapi_app,
        settings,
        static_url_path=xl.static_url_path,
        static_roots=[PROJECT_DIR / "static", PACKAGE_DIR / "static"],
        scripts=scripts,
        authenticate=authenticate,
        functions_meta=functions_meta,
        paused=_gc.paused,
    )
    exact, pattern = web.origin_pattern(xl.cors_allow_origins)
    cors = CORSMiddleware(guard, allow_origins=exact, allow_origin_regex=pattern, allow_methods=["POST"],
                          allow_headers=["*"], allow_credentials=False)  # fmt: skip
    app = web.SecurityHeaders(cors, settings.content_security_policy or web.DEFAULT_CSP)
    _gc.start_up()  # the imported server, our modules and the pacts: never walked again
    return app


def manifest_version(version: str) -> str:
    """The package version as the four numbers Office wants in the manifest's ``<Version>`` (``0.1.0`` → ``0.1.0.0``).

    Only the leading numeric release is used (``1.2.3rc1`` → ``1.2.3.0``); Office
    updates a centrally deployed add-in when this number grows.
    """
    import re

    numbers = [int(n) for n in re.findall(r"\d+", re.match(r"[\d.]*", version)[0] or "0")][:4]
    return ".".join(str(n) for n in numbers + [0] * (4 - len(numbers)))


def _share_redis_connections() -> None:
    """With ``XLWINGS_OBJECT_CACHE_URL``: each request borrows from the worker's Redis pool without closing it.

    xlwings Server 1.20's request dependency makes a client with ``redis.Redis.from_pool``
    and closes it after the request, which disconnects the whole pool: a request that
    finishes while another one reads a PAGT.DATA handle breaks the other one's
    connection ("Bad file descriptor", then ``ConnectionError``; seen with concurrent
    calls in ``tests/test_xl_redis.py``). The override (FastAPI's own mechanism) hands
    out a client on the same pool that leaves the pool alone; connections go back to
    the pool after each command, as redis-py does. Every connection gets 2-second
    connect and read timeouts, so that a Redis that hangs is an error (503), not a
    request that waits for ever.
    """
    import redis
    from xlwings_server import databases
    from xlwings_server.main import app as fastapi_app

    pool = databases.redis_pool
    if pool is None:
        return
    pool.connection_kwargs.setdefault("socket_timeout", REDIS_TIMEOUT)
    pool.connection_kwargs.setdefault("socket_connect_timeout", REDIS_TIMEOUT)

    def shared_client() -> Iterator[redis.Redis]:
        yield redis.Redis(connection_pool=pool)

    fastapi_app.dependency_overrides[databases.get_redis_client] = shared_client


#: Seconds a Redis connection may take to connect or answer.
REDIS_TIMEOUT = 2.0


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


__all__ = ["PROJECT_DIR", "check_security", "configure_environment", "create_app", "load_settings", "manifest_version"]
