"""The add-in's settings as one typed object, resolved once from the environment.

:class:`ServerSettings` lists every environment variable that :mod:`pagt_xl.xl`
reads, with its type, default and a Danish description for whoever runs the
server. :meth:`ServerSettings.from_env` reads and checks them all at once; a bad
value stops the start with a :class:`~pagt_xl.base.errors.ConfigError` that names the
variable, instead of a failure at the first button click.

The server app (:mod:`pagt_xl.xl.asgi`, however it is started: ``pagt-xl serve``,
``uvicorn pagt_xl.xl.asgi:app --workers N``, gunicorn) resolves the settings once
per process, before it imports xlwings Server, and installs them with
:func:`use_settings`; ``pagt-xl serve`` checks them once more before it starts
anything. Functions take them as a ``settings`` parameter; its default,
:func:`current_settings`, exists because xlwings Server imports our project
modules (``routers/custom.py``, ``auth/custom``, the scripts) itself, so nothing
can be passed to them as arguments. Where nothing was installed (the desktop) it
resolves lazily at the first call (never when a module is imported) and caches.

xlwings and xlwings Server read their own ``XLWINGS_*`` variables themselves
(defaults for the add-in: ``pagt_xl/xl/project/pyproject.toml``); the few of
those that pagt_xl also uses (host name, app path, ``XLWINGS_ON_SERVER``,
license key) are read here too, under the same names.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Mapping
from contextvars import ContextVar, Token
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator

from pagt_xl.base.config import available_pacts
from pagt_xl.base.errors import ConfigError, ErrorCode

#: Largest request body accepted by default, in bytes (a workbook's values travel with every button click).
DEFAULT_MAX_BODY = 50 * 1024 * 1024
#: Fields whose values never appear in a message.
_SECRET_FIELDS = frozenset({"api_token", "license_key", "object_cache_url"})  # a URL may carry a password
#: Log levels uvicorn knows.
LogLevel = Literal["critical", "error", "warning", "info", "debug", "trace"]


def _setting(env: str, expected: str, description: str, default: Any = None, **kwargs: Any) -> Any:
    """A field read from the environment variable ``env``; ``expected`` says in Danish what a valid value is."""
    return Field(default, alias=env, description=description, json_schema_extra={"expected": expected}, **kwargs)


class ServerSettings(BaseModel):
    """Every setting of the Excel add-in (server and desktop). Frozen; build it with :meth:`from_env`.

    Field names are Python's; the aliases are the environment variables. ``None``
    means "not set" (see each field's description for what that implies).
    """

    model_config = ConfigDict(frozen=True, populate_by_name=True, extra="ignore")

    public_url: str | None = _setting(
        "PAGT_XL_PUBLIC_URL",
        "en adresse, der begynder med http:// eller https://, fx https://pagt.region.dk",
        "Serverens offentlige adresse i manifestet og i links til rapportkladder. Ikke sat: "
        "https://$XLWINGS_HOSTNAME, ellers adressen fra forespørgslen (Host-headeren; bag en proxy med "
        "X-Forwarded-Proto), ellers http://127.0.0.1:8000.",
    )
    hostname: str | None = _setting(
        "XLWINGS_HOSTNAME",
        "et værtsnavn, fx pagt.region.dk",
        "Serverens værtsnavn bag en HTTPS-proxy (xlwings Server bruger det i manifestet).",
    )
    app_path: str = _setting(
        "XLWINGS_APP_PATH",
        "en sti, fx /pagt",
        "Sti foran alle adresser, når serveren ligger under en undermappe (uden afsluttende /).",
        default="",
    )
    report_dir: Path | None = _setting(
        "PAGT_XL_REPORT_DIR",
        "en mappe",
        "Mappe til rapportkladder på serveren. Ikke sat: kladden gemmes ved siden af projektmappen "
        "(skrivebordet); serveren bruger ./rapporter i den mappe, den startes fra.",
    )
    on_server: bool = _setting(
        "XLWINGS_ON_SERVER",
        "true eller intet",
        "Om koden kører i xlwings Server ('true'; xlwings Server sætter den selv).",
        default=False,
    )
    report_max_age_days: float = _setting(
        "PAGT_XL_REPORT_MAX_AGE_DAYS",
        "et antal dage (0 eller mere), fx 7 eller 0.5",
        "Rapportkladder ældre end dette antal dage slettes fra rapportmappen.",
        default=7.0,
        ge=0,
        allow_inf_nan=False,
    )
    pact: str = _setting(
        "PAGT_XL_PACT",
        "navnet på en medfølgende pagt ({pacts})",
        "Pagten, når en celle eller arket Indstillinger ikke angiver en.",
        default="nordjylland",
    )
    api_token: SecretStr = _setting(
        "PAGT_XL_API_TOKEN",
        "en hemmelig nøgle på mindst 16 tegn",
        "Én fælles adgangsnøgle ved XLWINGS_AUTH_PROVIDERS='[\"custom\"]' (alle hedder det samme i loggen og "
        "deler PAGT.DATA-håndtag; brug hellere PAGT_XL_TOKENS_FILE). Kortere end 16 tegn: afvises ved start.",
        default=SecretStr(""),
    )
    max_body: int = _setting(
        "PAGT_XL_MAX_BODY",
        f"et helt antal bytes større end 0, fx {DEFAULT_MAX_BODY}",
        "Største forespørgsel i bytes (projektmappens værdier sendes med ved hvert klik).",
        default=DEFAULT_MAX_BODY,
        gt=0,
    )
    license_key: SecretStr | None = _setting(
        "XLWINGS_LICENSE_KEY",
        "noncommercial eller en kommerciel nøgle",
        "xlwings-licensnøgle: noncommercial (PolyForm Noncommercial 1.0.0) eller en kommerciel nøgle. "
        "Uden den starter serveren ikke.",
    )
    object_cache_url: SecretStr | None = _setting(
        "XLWINGS_OBJECT_CACHE_URL",
        "en Redis-adresse, fx redis://localhost:6379/0 (rediss:// med TLS, unix:// for en socket)",
        "Redis til xlwings' objekt-cache (PAGT.DATA-håndtag), delt af alle serverprocesser. Ikke sat: i "
        "hukommelsen i hver proces, så med flere --workers kan et håndtag mangle i den proces, der svarer "
        "(cellen viser #VÆRDI! og beder om genberegning). xlwings Server læser den selv.",
    )
    insecure_local: bool = _setting(
        "PAGT_XL_INSECURE_LOCAL",
        "true eller false",
        "'true': start uden godkendelse (XLWINGS_AUTH_PROVIDERS tom), men kun for denne maskine: serveren "
        "binder 127.0.0.1 og afviser alle andre (samme som pagt-xl serve --insecure-local). Ikke sat: "
        "serveren nægter at starte uden godkendelse.",
        default=False,
    )
    tokens_file: Path | None = _setting(
        "PAGT_XL_TOKENS_FILE",
        "en TOML-fil med tabellen [tokens]: navn = \"nøgle\" (mindst 32 tegn) eller \"sha256:<hex>\"",
        "Personlige adgangsnøgler ved XLWINGS_AUTH_PROVIDERS='[\"custom\"]': én nøgle pr. bruger, så loggen og "
        "PAGT.DATA-håndtagene har navn på. Filen læses igen, når den ændres.",
    )
    handle_lifetime_hours: float = _setting(
        "PAGT_XL_HANDLE_LIFETIME_HOURS",
        "et antal timer større end 0, fx 8 eller 0.5",
        "Så længe lever et PAGT.DATA-håndtag på serveren (i hukommelsen eller Redis); derefter beder cellen om "
        "genberegning.",
        default=8.0,
        gt=0,
        allow_inf_nan=False,
    )
    handle_cache_mb: float = _setting(
        "PAGT_XL_HANDLE_CACHE_MB",
        "et antal MB større end 0, fx 64",
        "Største samlede størrelse af PAGT.DATA-håndtag i hukommelsen pr. proces (uden Redis); de ældst brugte "
        "fjernes først.",
        default=64.0,
        gt=0,
        allow_inf_nan=False,
    )
    range_cache_mb: float = _setting(
        "PAGT_XL_RANGE_CACHE_MB",
        "et antal MB større end 0, fx 256",
        "Største samlede størrelse af validerede områder, der huskes pr. proces (målt i bytes); de ældst brugte "
        "fjernes først.",
        default=256.0,
        gt=0,
        allow_inf_nan=False,
    )
    header_timeout: float = _setting(
        "PAGT_XL_HEADER_TIMEOUT",
        "et antal sekunder større end 0, fx 10",
        "En forespørgsels første linje og overskrifter skal være modtaget inden for dette antal sekunder, ellers "
        "lukkes forbindelsen (pagt-xl serve; uvicorn med --http pagt_xl.xl.protocol:GuardedH11Protocol).",
        default=10.0,
        gt=0,
        allow_inf_nan=False,
    )
    body_timeout: float = _setting(
        "PAGT_XL_BODY_TIMEOUT",
        "et antal sekunder større end 0, fx 20",
        "Frist for en forespørgsels indhold: dette antal sekunder plus den tid, indholdet tager ved "
        "PAGT_XL_BODY_MIN_RATE; et langsommere indhold afvises med 408.",
        default=20.0,
        gt=0,
        allow_inf_nan=False,
    )
    body_min_rate: int = _setting(
        "PAGT_XL_BODY_MIN_RATE",
        "et helt antal bytes pr. sekund større end 0, fx 32768",
        "Mindste hastighed for en forespørgsels indhold ud over PAGT_XL_BODY_TIMEOUT, i bytes pr. sekund.",
        default=32 * 1024,
        gt=0,
    )
    content_security_policy: str | None = _setting(
        "PAGT_XL_CSP",
        "en Content-Security-Policy, fx \"default-src 'self'\"",
        "Serverens Content-Security-Policy-header. Ikke sat: kun egne scripts og filer; Office-domænerne må vise "
        "opgaveruden i en ramme (Excel på nettet).",
    )
    log_level: LogLevel = _setting(
        "PAGT_XL_LOG_LEVEL",
        "critical, error, warning, info eller debug",
        "Serverens logniveau (uvicorn).",
        default="warning",
    )

    @field_validator("public_url")
    @classmethod
    def _web_address(cls, value: str | None) -> str | None:
        if value is not None and not value.lower().startswith(("http://", "https://")):
            raise ValueError("not a web address")
        return value

    @field_validator("object_cache_url")
    @classmethod
    def _redis_address(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not value.get_secret_value().lower().startswith(("redis://", "rediss://", "unix://")):
            raise ValueError("not a redis URL")
        return value

    @field_validator("app_path")
    @classmethod
    def _no_trailing_slash(cls, value: str) -> str:
        return value.rstrip("/")

    @field_validator("insecure_local", mode="before")
    @classmethod
    def _true_or_false(cls, value: object) -> object:
        if isinstance(value, str):
            text = value.strip().lower()
            if text not in ("true", "false"):
                raise ValueError("not true or false")
            return text == "true"
        return value

    @field_validator("on_server", mode="before")
    @classmethod
    def _xlwings_flag(cls, value: object) -> object:
        # xlwings' own test: exactly "true" (anything else, e.g. "false" or "1", means not on the server)
        return value == "true" if isinstance(value, str) else value

    @field_validator("pact", "log_level", mode="before")
    @classmethod
    def _lower(cls, value: object) -> object:
        return value.strip().lower() if isinstance(value, str) else value

    @field_validator("pact")
    @classmethod
    def _shipped_pact(cls, value: str) -> str:
        if value not in available_pacts():
            raise ValueError("unknown pact")
        return value

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> ServerSettings:
        """Read and check every setting from ``environ`` (e.g. ``os.environ``); empty values count as not set.

        Raises :class:`~pagt_xl.base.errors.ConfigError` (code ``CONFIG_INVALID``) naming
        every variable with a bad value and what was expected.
        """
        names = {field.alias for field in cls.model_fields.values()}
        values = {name: environ[name] for name in names if environ.get(name, "").strip()}
        try:
            return cls.model_validate(values)
        except ValidationError as exc:
            raise ConfigError(_danish(exc, values), code=ErrorCode.CONFIG_INVALID) from None

    @property
    def base_url(self) -> str:
        """The server's public base URL for links, app path included, without a trailing ``/``."""
        base = self.public_url or (f"https://{self.hostname}" if self.hostname else "http://127.0.0.1:8000")
        return base.rstrip("/") + self.app_path

    @classmethod
    def variables(cls) -> list[tuple[str, str, str]]:
        """(environment variable, default, description) for every setting, for help texts."""
        rows = []
        for field in cls.model_fields.values():
            default = field.default
            if isinstance(default, SecretStr):
                default = default.get_secret_value()
            elif isinstance(default, bool):
                default = str(default).lower()
            rows.append((str(field.alias), "" if default is None else str(default), field.description or ""))
        return rows

    @classmethod
    def help_text(cls) -> str:
        """The environment variables as a Danish help section (``--help`` of the server commands)."""
        return "miljøvariabler:\n" + "\n".join(
            f"  {name}" + (f" (standard: {default})" if default else "") + f"\n      {text}"
            for name, default, text in cls.variables()
        )


def _danish(exc: ValidationError, values: Mapping[str, str]) -> str:
    """One Danish line naming each bad variable, its value (never a secret's) and what was expected."""
    by_alias = {field.alias: key for key, field in ServerSettings.model_fields.items()}
    problems = []
    for error in exc.errors():
        name = str(error["loc"][0]) if error["loc"] else ""
        key = by_alias.get(name, "")
        extra = ServerSettings.model_fields[key].json_schema_extra if key else None
        expected = str(extra["expected"]).format(pacts=" eller ".join(available_pacts())) if extra else None
        shown = "***" if key in _SECRET_FIELDS else values.get(name, "")
        problems.append(f"{name}='{shown}' er ugyldig; forventede {expected or 'en gyldig værdi'}")
    return "ugyldig indstilling: " + "; ".join(problems) + ". Ret miljøvariablen og start igen"


_lock = threading.Lock()
_current: ServerSettings | None = None
#: The base URL of the request being answered (scheme and Host, set by the server for each request).
_request_base: ContextVar[str | None] = ContextVar("pagt_xl_request_base", default=None)


def set_request_base(url: str | None) -> Token[str | None]:
    """Record the base URL (``scheme://host[:port]``) of the request being answered; returns the reset token."""
    return _request_base.set(url)


def reset_request_base(token: Token[str | None]) -> None:
    """Undo :func:`set_request_base`."""
    _request_base.reset(token)


def public_base_url(settings: ServerSettings | None = None) -> str:
    """The base URL for the manifest and report links, app path included, without a trailing ``/``.

    ``PAGT_XL_PUBLIC_URL`` (or ``XLWINGS_HOSTNAME``) when set, else the address the
    current request was sent to, else :attr:`ServerSettings.base_url`'s fallback.
    ``settings``: ``None`` means :func:`current_settings`.
    """
    settings = settings or current_settings()
    request = _request_base.get()
    if settings.public_url or settings.hostname or not request:
        return settings.base_url
    return request.rstrip("/") + settings.app_path


def use_settings(settings: ServerSettings | None) -> None:
    """Make ``settings`` what :func:`current_settings` returns; ``None``: resolve again at the next call."""
    global _current
    with _lock:
        _current = settings


def current_settings() -> ServerSettings:
    """The settings installed at start-up, else resolved once from ``os.environ`` and kept.

    Raises :class:`~pagt_xl.base.errors.ConfigError` for bad values (and resolves again at the next call).
    """
    global _current
    with _lock:
        if _current is None:
            _current = ServerSettings.from_env(os.environ)
        return _current


__all__ = [
    "DEFAULT_MAX_BODY",
    "ServerSettings",
    "current_settings",
    "public_base_url",
    "reset_request_base",
    "set_request_base",
    "use_settings",
]
