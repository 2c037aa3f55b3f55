"""Personal access keys for ``XLWINGS_AUTH_PROVIDERS='["custom"]'``: one key per person, from a TOML file.

Small sites without Entra ID give each person their own key, so that the
server's log ("Function "fordeling" called by anne.hansen") and the PAGT.DATA
handles (which belong to the user who made them) name people. The file that
``PAGT_XL_TOKENS_FILE`` points at holds one line per person::

    [tokens]
    "anne.hansen" = "sha256:3f0c…"     # the SHA-256 of her key (the key itself is never stored)
    "bo.jensen"   = "j7Q…(at least 32 characters)…"

A value is either the key itself (at least :data:`MIN_LENGTH` characters) or
``sha256:`` and the key's SHA-256 in hex, which is what
``python -m pagt_xl.xl.tokens NAME`` prints together with a new random key. The
file is read again when it changes (no restart to add or remove a person); a
change that does not parse keeps the previous keys and is logged.

Only :mod:`pagt_xl.xl.project.auth.custom` and the start-up check use this
module; it imports neither xlwings nor the web framework.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
import sys
import threading
import tomllib
from dataclasses import dataclass
from pathlib import Path

from pagt_xl.base.errors import ConfigError, ErrorCode

logger = logging.getLogger(__name__)

#: Shortest key accepted in the file (a guessable key is no key).
MIN_LENGTH = 32
_HASHED = "sha256:"


@dataclass(frozen=True)
class TokenBook:
    """The people and the SHA-256 digests of their keys."""

    entries: tuple[tuple[str, bytes], ...]

    def user_for(self, token: str) -> str | None:
        """The name whose key ``token`` is, or ``None``. Compares every entry in constant time."""
        digest = hashlib.sha256(token.encode("utf-8", "surrogatepass")).digest()
        found = None
        for name, expected in self.entries:
            if hmac.compare_digest(digest, expected):
                found = name
        return found

    def __len__(self) -> int:
        return len(self.entries)


def read_tokens(path: Path) -> TokenBook:
    """The keys in ``path``; a :class:`~pagt_xl.errors.ConfigError` (Danish, naming the file) for any fault.

    Faults: the file cannot be read or is not TOML, it has no ``[tokens]`` table
    or no entries, a name is empty, a value is neither a key of at least
    :data:`MIN_LENGTH` characters nor ``sha256:<64 hex digits>``, or two people
    share a key. Values never appear in a message.
    """
    where = f"PAGT_XL_TOKENS_FILE '{path}'"
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{where} findes ikke", code=ErrorCode.CONFIG_NOT_FOUND) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{where} kan ikke læses ({exc.__class__.__name__})", code=ErrorCode.CONFIG_INVALID) from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{where} er ikke gyldig TOML: {exc}", code=ErrorCode.CONFIG_INVALID) from None
    table = data.get("tokens")
    if not isinstance(table, dict) or not table:
        raise ConfigError(f'{where}: mangler tabellen [tokens] med mindst én linje navn = "nøgle"',
                          code=ErrorCode.CONFIG_INVALID)  # fmt: skip
    entries: list[tuple[str, bytes]] = []
    seen: dict[bytes, str] = {}
    for name, value in table.items():
        name = str(name).strip()
        if not name:
            raise ConfigError(f"{where}: et navn er tomt", code=ErrorCode.CONFIG_INVALID)
        digest = _digest(value)
        if digest is None:
            raise ConfigError(
                f"{where}: nøglen for '{name}' skal have mindst {MIN_LENGTH} tegn eller være sha256:<64 hex-cifre>",
                code=ErrorCode.CONFIG_INVALID,
            )
        if digest in seen:
            raise ConfigError(f"{where}: '{seen[digest]}' og '{name}' har samme nøgle", code=ErrorCode.CONFIG_INVALID)
        seen[digest] = name
        entries.append((name, digest))
    return TokenBook(tuple(entries))


def _digest(value: object) -> bytes | None:
    if not isinstance(value, str):
        return None
    if value.startswith(_HASHED):
        hexdigest = value[len(_HASHED) :].strip().lower()
        if len(hexdigest) != 64:
            return None
        try:
            return bytes.fromhex(hexdigest)
        except ValueError:
            return None
    if len(value) < MIN_LENGTH:
        return None
    return hashlib.sha256(value.encode("utf-8", "surrogatepass")).digest()


_lock = threading.Lock()
_books: dict[Path, tuple[int, TokenBook]] = {}


def tokens_from(path: Path) -> TokenBook:
    """The keys in ``path``, read again when the file's modification time changes.

    The first read raises as :func:`read_tokens` does; a later change that does
    not parse (or a file that went missing) is logged and the previous keys stay.
    """
    try:
        stamp = path.stat().st_mtime_ns
    except OSError:
        stamp = -1
    with _lock:
        known = _books.get(path)
        if known is not None and known[0] == stamp:
            return known[1]
        try:
            book = read_tokens(path)
        except ConfigError as exc:
            if known is None:
                raise
            logger.error("pagt-xl: %s; de hidtidige adgangsnøgler gælder stadig", exc)
            _books[path] = (stamp, known[1])
            return known[1]
        _books[path] = (stamp, book)
        return book


def new_entry(name: str) -> tuple[str, str]:
    """A new random key for ``name`` and the file line that holds only its SHA-256: ``(key, line)``."""
    key = secrets.token_urlsafe(32)
    line = f'"{name}" = "{_HASHED}{hashlib.sha256(key.encode()).hexdigest()}"'
    return key, line


def main(argv: list[str] | None = None) -> int:
    """``python -m pagt_xl.xl.tokens NAME``: print a new key for NAME and the line for the tokens file."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1 or not args[0].strip():
        print("brug: python -m pagt_xl.xl.tokens NAVN", file=sys.stderr)
        return 2
    key, line = new_entry(args[0].strip())
    print(f"nøgle til {args[0].strip()} (gives kun til personen selv): {key}")
    print(f"linje til [tokens] i PAGT_XL_TOKENS_FILE: {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
