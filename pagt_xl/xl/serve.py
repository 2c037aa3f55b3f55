"""``pagt-xl serve``: xlwings Server with pagt_xl's cell functions and buttons (Excel on the web and desktop).

Needs the extra ``pagt_xl[server]`` and an xlwings license key in
``XLWINGS_LICENSE_KEY``: ``noncommercial`` (PolyForm Noncommercial 1.0.0, whose
permitted purposes include use by government institutions) or a commercial
key. It runs uvicorn on the ASGI app ``pagt_xl.xl.asgi:app`` (see
:mod:`pagt_xl.xl.asgi`), the same app that ``uvicorn pagt_xl.xl.asgi:app`` or
gunicorn serve; this command only adds HTTPS (``--certfile``/``--keyfile``),
workers and a check of every setting before anything starts.

Settings are environment variables. pagt_xl's are read and checked here, where
the server starts, into a :class:`~pagt_xl.xl.settings.ServerSettings` (every
variable is listed there and in ``python -m pagt_xl.xl.serve --help``); each
worker process reads the same environment again when it builds its app.
xlwings Server's own settings (``XLWINGS_*``) are data in
``pagt_xl/xl/project/pyproject.toml``; environment variables override them.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import sys
from pathlib import Path

from pagt_xl.base.errors import ConfigError, ErrorCode

#: The import string every server process loads.
APP = "pagt_xl.xl.asgi:app"
#: uvicorn's HTTP/1.1 protocol with a deadline for the headers (:mod:`pagt_xl.xl.protocol`).
PROTOCOL = "pagt_xl.xl.protocol:GuardedH11Protocol"
#: Host names that bind to this machine only.
LOOPBACK = frozenset({"127.0.0.1", "::1", "localhost"})


def _tls_files(certfile: Path | None, keyfile: Path | None) -> None:
    """Both or neither, and readable files; else a :class:`~pagt_xl.base.errors.ConfigError`."""
    if (certfile is None) != (keyfile is None):
        raise ConfigError("HTTPS kræver både --certfile og --keyfile", code=ErrorCode.USAGE)
    for option, path in (("--certfile", certfile), ("--keyfile", keyfile)):
        if path is not None and not path.is_file():
            raise ConfigError(f"{option} '{path}' findes ikke (en PEM-fil)", code=ErrorCode.CONFIG_NOT_FOUND)


def serve(
    host: str = "127.0.0.1",
    port: int = 8000,
    *,
    certfile: Path | None = None,
    keyfile: Path | None = None,
    workers: int = 1,
    insecure_local: bool = False,
) -> int:
    """Run the server until stopped; returns the exit code.

    ``certfile``/``keyfile``: a PEM certificate (chain) and its private key for
    HTTPS; ``None`` (both) means plain HTTP, fine on 127.0.0.1 and behind a
    proxy that terminates TLS (a warning says so). ``workers``: uvicorn worker
    processes (1: this process serves). ``insecure_local``: start without an
    authentication provider, bound to 127.0.0.1 only (as ``PAGT_XL_INSECURE_LOCAL=true``);
    without it (or the variable) a start without ``XLWINGS_AUTH_PROVIDERS`` is
    refused. Without ``XLWINGS_LICENSE_KEY``, with a bad setting, an open start
    or a missing certificate file it prints one line on what to fix and returns 2.
    """
    scheme = "https" if certfile is not None else "http"
    if insecure_local:
        os.environ["PAGT_XL_INSECURE_LOCAL"] = "true"  # the workers read it too
    try:
        if workers < 1:
            raise ConfigError(f"--workers {workers}: mindst 1", code=ErrorCode.USAGE)
        _tls_files(certfile, keyfile)
        from pagt_xl.xl.asgi import check_security, load_settings  # pydantic and the settings load only to serve

        settings = load_settings()  # before anything imports xlwings
        if settings.insecure_local and host not in LOOPBACK:
            raise ConfigError(f"--host {host}: uden godkendelse (--insecure-local) kun 127.0.0.1, ::1 eller localhost",
                              code=ErrorCode.USAGE)  # fmt: skip
        notices = check_security(settings)
    except ConfigError as exc:
        print(f"pagt-xl serve: {exc}", file=sys.stderr)
        return 2
    if any(importlib.util.find_spec(name) is None for name in ("uvicorn", "xlwings_server")):
        print('pagt-xl serve: serveren kræver ekstra pakker: pip install "pagt_xl[server]"', file=sys.stderr)
        return 2
    import uvicorn

    print(
        f"pagt-xl serve: {scheme}://{host}:{port} (manifest: /manifest.xml, {workers} proces(ser), "
        f"rapporter i {settings.report_dir}); stop med Ctrl+C",
        flush=True,
    )
    for notice in notices:
        print(notice, file=sys.stderr, flush=True)
    if scheme == "http" and host not in LOOPBACK:
        print(
            "pagt-xl serve: advarsel: almindelig HTTP på en netværksadresse; Office-tilføjelsesprogrammer kræver "
            "HTTPS: brug --certfile/--keyfile eller en TLS-proxy foran / WARNING: plain HTTP",
            file=sys.stderr,
            flush=True,
        )
    elif scheme == "http":
        print("pagt-xl serve: almindelig HTTP (kun til test på denne maskine; Excel kræver HTTPS)", file=sys.stderr,
              flush=True)  # fmt: skip
    if workers > 1 and settings.object_cache_url is None:
        print(
            "pagt-xl serve: advarsel: flere processer uden XLWINGS_OBJECT_CACHE_URL (Redis): et PAGT.DATA-håndtag "
            "findes kun i den proces, der lavede det",
            file=sys.stderr,
            flush=True,
        )
    uvicorn.run(
        APP,
        host=host,
        port=port,
        workers=workers,
        http=PROTOCOL,
        ssl_certfile=str(certfile) if certfile else None,
        ssl_keyfile=str(keyfile) if keyfile else None,
        log_level=settings.log_level,
    )
    return 0


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``pagt-xl serve`` (and ``python -m pagt_xl.xl.serve``)."""
    parser.add_argument("--host", default="127.0.0.1", metavar="ADRESSE", help="adresse (standard: 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000, metavar="PORT", help="port (standard: 8000)")
    parser.add_argument("--certfile", type=Path, metavar="PEM", help="TLS-certifikat (PEM) for HTTPS")
    parser.add_argument("--keyfile", type=Path, metavar="PEM", help="certifikatets private nøgle (PEM)")
    parser.add_argument(
        "--insecure-local",
        action="store_true",
        help="start uden godkendelse, kun for denne maskine (127.0.0.1); til test og demo",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=1,
        metavar="ANTAL",
        help="antal serverprocesser (standard: 1; flere: sæt XLWINGS_OBJECT_CACHE_URL til Redis)",
    )


def main(argv: list[str] | None = None) -> int:
    """``python -m pagt_xl.xl.serve [--host H] [--port P] [--certfile F --keyfile F] [--workers N]``.

    Also ``--insecure-local`` (see :func:`serve`).
    """
    from pagt_xl.xl.settings import ServerSettings

    parser = argparse.ArgumentParser(
        prog="python -m pagt_xl.xl.serve",
        description=__doc__.splitlines()[0],
        epilog=ServerSettings.help_text(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_arguments(parser)
    args = parser.parse_args(argv)
    return serve(args.host, args.port, certfile=args.certfile, keyfile=args.keyfile, workers=args.workers,
                 insecure_local=args.insecure_local)  # fmt: skip


if __name__ == "__main__":
    sys.exit(main())
