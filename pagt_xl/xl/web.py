"""The add-in server's own HTTP layers (ASGI), around xlwings Server's FastAPI app.

:func:`pagt_xl.xl.asgi.create_app` stacks them, outermost first::

    SecurityHeaders → CORS (Starlette's, with wildcard subdomains) → Guard → xlwings Server's FastAPI app

so that every answer, ours included (404, 408, 413, 401 …), gets the CORS and
security headers (CSP, ``nosniff``), and nothing reaches xlwings Server before
the :class:`Guard` has checked it:

1. **Local only** (``PAGT_XL_INSECURE_LOCAL`` / ``--insecure-local``): without
   authentication, only a client on this machine, connected to a loopback
   address and not through a proxy, is answered (403 otherwise).
2. **Paths**: a path with a ``.``/``..`` or empty segment, a backslash, a NUL,
   a colon, or ``%2e``/``%2f``/``%5c``/``%25``/``%00`` in its raw form is 404,
   for every route. Static files must resolve (symlinks followed) to a regular
   file inside the folder they are served from (:func:`confined`): xlwings
   Server 1.20's ``OverridableStaticFiles.lookup_path`` joins the project's
   ``static`` folder and the request path and serves whatever file that names,
   so ``/static/../../../../etc/passwd`` (raw, ``%2e%2e`` or ``..%2f``) gave any
   file on the host — the server's TLS key included.
3. **Authentication before the body**: a call (``/xlwings/custom-functions-call``,
   ``/xlwings/custom-scripts-call/…``) is authenticated from its headers first,
   with xlwings Server's own provider code and role checks (401/403), then its
   body is read and must be a JSON object (400, in Danish, never a 500).
4. **Bounded bodies**: larger than ``PAGT_XL_MAX_BODY`` is 413 (chunked too);
   a body that arrives slower than ``PAGT_XL_BODY_TIMEOUT`` seconds plus its
   size at ``PAGT_XL_BODY_MIN_RATE`` bytes/s is 408 and the connection is closed.
   (Half-sent headers are bounded one level down, in :mod:`pagt_xl.xl.protocol`.)
5. **Help links**: the functions' metadata gets a ``helpUrl`` per function,
   pointing at ``/pagt/hjaelp/<name>`` on this server.
6. **The request's address** is recorded for the manifest and report links
   (:func:`~pagt_xl.xl.settings.public_base_url`).
7. **503 gets Retry-After**, so that Excel's client and proxies wait and try again.
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
import logging
import re
from collections.abc import Awaitable, Callable, Iterable, MutableMapping, Sequence
from pathlib import Path
from typing import Any

from fastapi import Header
from starlette.requests import Request

from pagt_xl.xl.settings import ServerSettings, public_base_url, reset_request_base, set_request_base

logger = logging.getLogger("pagt_xl.xl")

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

#: Where the authenticated user is kept in the request's scope (read by the FastAPI dependency override).
USER_KEY = "pagt_xl.user"
#: Office hosts that show the task pane in a frame (Excel on the web) and may call the functions.
OFFICE_ORIGINS = (
    "https://*.officeapps.live.com",
    "https://*.office.com",
    "https://*.office365.com",
    "https://*.sharepoint.com",
    "https://*.cloud.microsoft",
    "https://onedrive.live.com",
)
#: The default Content-Security-Policy: our own scripts, styles and images only; framed by Office only.
DEFAULT_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'self' " + " ".join(OFFICE_ORIGINS)
)
#: Encoded characters no route of ours ever needs in its raw path: . / \\ % NUL.
_ENCODED = re.compile(rb"%(2e|2f|5c|25|00)", re.IGNORECASE)
_HOST = re.compile(r"[A-Za-z0-9.\-]+(:[0-9]{1,5})?|\[[0-9A-Fa-f:.]+\](:[0-9]{1,5})?")


def bad_path(path: str, raw_path: bytes | None) -> bool:
    """Whether a request path tries to leave its route: dot segments, backslashes, encoded separators, NUL …"""
    if raw_path is not None and _ENCODED.search(raw_path.split(b"?", 1)[0]):
        return True
    if any(c in path for c in ("\\", "\x00", ":")):
        return True
    segments = path.split("/")[1:]  # the path starts with "/"
    return any(s in (".", "..") for s in segments) or "" in segments[:-1]


def confined(relative: str, roots: Sequence[Path]) -> bool:
    """Whether ``relative`` (a ``/``-separated path) names a regular file inside the first root that has it.

    The roots are tried in order, as xlwings Server looks up a static file (the
    project's folder, then the package's). A name that exists in a root must
    resolve — symlinks followed — to a regular file inside that root, or the
    answer is ``False`` (no fall-back to the next root: xlwings Server would
    serve the first). ``False`` too when no root has it.
    """
    parts = relative.split("/")
    if not relative or any(p in ("", ".", "..") or "\\" in p or "\x00" in p for p in parts):
        return False
    for root in roots:
        candidate = root.joinpath(*parts)
        if not (candidate.exists() or candidate.is_symlink()):
            continue
        try:
            real_root = root.resolve(strict=True)
            real = candidate.resolve(strict=True)
        except (OSError, RuntimeError):  # a dangling or looping link
            return False
        return real.is_relative_to(real_root) and real.is_file()
    return False


def origin_pattern(origins: Iterable[str]) -> tuple[list[str], str | None]:
    """``(exact origins, regex)`` for Starlette's CORS middleware from a list that may hold ``https://*.host``.

    ``*`` alone allows every origin (kept as it is); ``scheme://*.domain`` allows
    any subdomain (one label or more) of ``domain``, never ``domain`` itself.
    """
    exact: list[str] = []
    patterns: list[str] = []
    for origin in origins:
        origin = origin.strip().rstrip("/")
        match = re.fullmatch(r"(https?)://\*\.([A-Za-z0-9.\-]+(?::[0-9]{1,5})?)", origin)
        if match:
            patterns.append(rf"{match[1]}://[A-Za-z0-9\-]+(\.[A-Za-z0-9\-]+)*\.{re.escape(match[2])}")
        elif origin:
            exact.append(origin)
    return exact, ("|".join(f"(?:{p})" for p in patterns) or None)


def _loopback(host: str | None) -> bool:
    if not host:
        return False
    try:
        return ipaddress.ip_address(host.split("%", 1)[0]).is_loopback
    except ValueError:
        return host == "localhost"


def request_base(scope: Scope) -> str | None:
    """``scheme://host[:port]`` the client addressed (Host header, or the server's socket), or ``None``."""
    headers = dict(scope.get("headers") or [])
    scheme = scope.get("scheme", "http")
    host = headers.get(b"host", b"").decode("latin-1").strip()
    if host and _HOST.fullmatch(host):
        return f"{scheme}://{host}"
    server = scope.get("server")
    if server and server[0]:
        return f"{scheme}://{server[0]}:{server[1]}" if server[1] else f"{scheme}://{server[0]}"
    return None


def json_response(status: int, detail: str, extra: Sequence[tuple[bytes, bytes]] = ()) -> ASGIApp:
    """An ASGI app answering ``{"detail": detail}`` with ``status`` (as FastAPI does), closing when asked."""
    body = json.dumps({"detail": detail}, ensure_ascii=False).encode()

    async def respond(scope: Scope, receive: Receive, send: Send) -> None:
        headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                   (b"cache-control", b"no-store"), *extra]  # fmt: skip
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    return respond


def pre_authenticated(fallback: Callable[[str, str | None], Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
    """A FastAPI dependency that returns the user the :class:`Guard` authenticated, else ``fallback(token, provider)``.

    Installed in place of xlwings Server's ``authenticate`` dependency, so that a
    call is authenticated once, before its body is read.
    """

    async def authenticated(
        request: Request,
        token_string: str = Header(default="", alias="Authorization"),
        auth_provider: str | None = Header(default=None),
    ) -> Any:
        user = request.scope.get(USER_KEY)
        return user if user is not None else await fallback(token_string, auth_provider)

    return authenticated


class SlowBody(Exception):
    """The body did not arrive in time (408)."""


class LargeBody(Exception):
    """The body is larger than allowed (413)."""


class Gone(Exception):
    """The client went away while sending."""


async def read_body(receive: Receive, *, limit: int, grace: float, min_rate: float) -> bytes:
    """The whole request body, at most ``limit`` bytes, arriving within ``grace`` + size / ``min_rate`` seconds.

    Raises :class:`LargeBody`, :class:`SlowBody` or :class:`Gone`.
    """
    loop = asyncio.get_running_loop()
    start = loop.time()
    chunks: list[bytes] = []
    size = 0
    more = True
    while more:
        remaining = start + grace + size / min_rate - loop.time()
        if remaining <= 0:
            raise SlowBody
        try:
            message = await asyncio.wait_for(receive(), timeout=remaining)
        except TimeoutError:
            raise SlowBody from None
        if message["type"] != "http.request":
            raise Gone
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise LargeBody
        chunks.append(chunk)
        more = message.get("more_body", False)
    return b"".join(chunks)


def replay(body: bytes, receive: Receive) -> Receive:
    """A ``receive`` that first delivers ``body`` as the whole request, then waits as the original does."""
    delivered = False

    async def again() -> Message:
        nonlocal delivered
        if not delivered:
            delivered = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return again


class Guard:
    """Checks every HTTP request before xlwings Server sees it (see the module's docstring, points 1-7).

    ``static_roots``: the static folders in lookup order (project, package);
    ``scripts``: the button scripts' names; ``authenticate``: ``scope → user``,
    raising ``HTTPException`` (xlwings Server's providers and role checks);
    ``functions_meta``: a coroutine giving the functions' metadata;
    ``paused``: a context manager for the calls (no garbage collection meanwhile).
    """

    def __init__(
        self,
        inner: ASGIApp,
        settings: ServerSettings,
        *,
        static_url_path: str,
        static_roots: Sequence[Path],
        scripts: set[str],
        authenticate: Callable[[Scope], Awaitable[Any]],
        functions_meta: Callable[[], Awaitable[dict[str, Any]]],
        paused: Callable[[], Any],
    ) -> None:
        self.inner = inner
        self.settings = settings
        base = settings.app_path
        self.static_prefix = static_url_path.rstrip("/") + "/"  # xlwings Server mounts it without the app path
        self.static_roots = list(static_roots)
        self.scripts = scripts
        self.script_prefix = base + "/xlwings/custom-scripts-call/"
        self.function_call = base + "/xlwings/custom-functions-call"
        self.meta_paths = {base + "/xlwings/custom-functions-meta", base + "/xlwings/custom-functions-meta.json"}
        self.authenticate = authenticate
        self.functions_meta = functions_meta
        self.paused = paused
        self._warned_http = False

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.inner(scope, receive, send)
            return
        token = set_request_base(request_base(scope))
        try:
            await self._http(scope, receive, _retry_after(send))
        finally:
            reset_request_base(token)

    async def _http(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope.get("path", "")
        headers = dict(scope.get("headers") or [])
        if self.settings.insecure_local and not self._local(scope, headers):
            await json_response(403, "Serveren kører uden godkendelse og svarer kun på denne maskine "
                                     "(--insecure-local)")(scope, receive, send)  # fmt: skip
            return
        self._warn_plain_http(scope, headers)
        if bad_path(path, scope.get("raw_path")):
            await json_response(404, "Findes ikke")(scope, receive, send)
            return
        if path.startswith(self.static_prefix) and not confined(path[len(self.static_prefix) :], self.static_roots):
            await json_response(404, "Findes ikke")(scope, receive, send)
            return
        is_script = path.startswith(self.script_prefix)
        if is_script and path[len(self.script_prefix) :] not in self.scripts:
            await json_response(404, "Ukendt knap")(scope, receive, send)
            return
        method = scope.get("method", "GET")
        if method in ("GET", "HEAD") and path in self.meta_paths:
            await self._meta(scope, receive, send)
            return
        is_call = method == "POST" and (is_script or path == self.function_call)
        if is_call:
            try:
                scope[USER_KEY] = await self.authenticate(scope)
            except Exception as exc:  # FastAPI's HTTPException: the provider's own status and text
                status = getattr(exc, "status_code", None)
                if status is None:
                    raise
                await json_response(status, str(getattr(exc, "detail", "")))(scope, receive, send)
                return
        length = headers.get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > self.settings.max_body):
            await json_response(413, "Forespørgslen er for stor", [(b"connection", b"close")])(scope, receive, send)
            return
        if method in ("POST", "PUT", "PATCH"):
            try:
                body = await read_body(receive, limit=self.settings.max_body, grace=self.settings.body_timeout,
                                       min_rate=self.settings.body_min_rate)  # fmt: skip
            except LargeBody:
                await json_response(413, "Forespørgslen er for stor", [(b"connection", b"close")])(scope, receive, send)
                return
            except SlowBody:
                logger.warning("pagt-xl: for langsom forespørgsel afbrudt (%s)", _client(scope))
                await json_response(408, "Forespørgslen kom for langsomt", [(b"connection", b"close")])(
                    scope, receive, send
                )
                return
            except Gone:
                return
            if is_call:
                problem = _json_problem(body, path == self.function_call)
                if problem is not None:
                    await json_response(400, problem)(scope, receive, send)
                    return
            receive = replay(body, receive)
        if is_call:
            with self.paused():  # decoding the range's JSON and reading it: no collections meanwhile
                await self.inner(scope, receive, send)
            return
        await self.inner(scope, receive, send)

    def _local(self, scope: Scope, headers: dict[bytes, bytes]) -> bool:
        client, server = scope.get("client"), scope.get("server")
        forwarded = any(h in headers for h in (b"forwarded", b"x-forwarded-for", b"x-real-ip"))
        return not forwarded and _loopback(client[0] if client else None) and _loopback(server[0] if server else None)

    def _warn_plain_http(self, scope: Scope, headers: dict[bytes, bytes]) -> None:
        if self._warned_http or scope.get("scheme") != "http":
            return
        client = scope.get("client")
        if _loopback(client[0] if client else None):
            return
        self._warned_http = True
        logger.warning(
            "pagt-xl: ADVARSEL: forespørgsler over almindelig HTTP fra %s; Office kræver HTTPS — brug "
            "--certfile/--keyfile eller en TLS-proxy / WARNING: plain HTTP requests from another machine; "
            "Office needs HTTPS",
            _client(scope),
        )

    async def _meta(self, scope: Scope, receive: Receive, send: Send) -> None:
        meta = await self.functions_meta()
        base = public_base_url(self.settings)
        for function in meta.get("functions", []):
            function.setdefault("helpUrl", f"{base}/pagt/hjaelp/{str(function['id']).lower()}")
        body = json.dumps(meta, ensure_ascii=False).encode()
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": b"" if scope.get("method") == "HEAD" else body})  # fmt: skip


def _client(scope: Scope) -> str:
    client = scope.get("client")
    return f"{client[0]}:{client[1]}" if client else "ukendt"


def _json_problem(body: bytes, function_call: bool) -> str | None:
    """A Danish reason why ``body`` is not a call's JSON object, or ``None`` when it is one."""
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return "Forespørgslen er ikke gyldig JSON"
    if not isinstance(data, dict):
        return "Forespørgslen skal være et JSON-objekt"
    if function_call:
        if not (isinstance(data.get("func_name"), str) and isinstance(data.get("args"), list)):
            return "Et funktionskald skal have func_name (tekst) og args (liste)"
    elif not (isinstance(data.get("book"), dict) and isinstance(data.get("sheets"), list)
              and isinstance(data.get("names"), list)):  # fmt: skip
        return "Et knapkald skal have book (objekt), names (liste) og sheets (liste)"
    return None


def _retry_after(send: Send) -> Send:
    """``send`` that adds ``Retry-After`` to a 503 answer that has none."""
    from pagt_xl.xl.handles import RETRY_AFTER

    async def sending(message: Message) -> None:
        if message["type"] == "http.response.start" and message.get("status") == 503:
            headers = list(message.get("headers") or [])
            if not any(name.lower() == b"retry-after" for name, _ in headers):
                headers.append((b"retry-after", str(RETRY_AFTER).encode()))
                message = {**message, "headers": headers}
        await send(message)

    return sending


class SecurityHeaders:
    """Adds the Content-Security-Policy and the basic security headers to every answer that lacks them."""

    def __init__(self, inner: ASGIApp, csp: str) -> None:
        self.inner = inner
        self.headers = [
            (b"content-security-policy", csp.encode()),
            (b"x-content-type-options", b"nosniff"),
            (b"referrer-policy", b"no-referrer"),
        ]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.inner(scope, receive, send)
            return

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers") or [])
                present = {name.lower() for name, _ in headers}
                headers += [(n, v) for n, v in self.headers if n not in present]
                message = {**message, "headers": headers}
            await send(message)

        await self.inner(scope, receive, sending)


__all__ = [
    "DEFAULT_CSP",
    "OFFICE_ORIGINS",
    "USER_KEY",
    "Guard",
    "SecurityHeaders",
    "bad_path",
    "confined",
    "origin_pattern",
    "read_body",
    "request_base",
]
