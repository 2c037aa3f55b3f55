"""Where the pact files are, their names, the user's settings, and the breakdown keys.

No pydantic: ``pagt-xl --help`` lists the names. :mod:`pagt_xl.base.config` loads
and validates the pact files; this module only finds them.

Pacts come from two folders: the ones shipped with the package (:data:`PACTS_DIR`)
and the user's own (:func:`user_pacts_dir`: ``%APPDATA%\\pagt_xl\\pacts`` on
Windows, ``~/.config/pagt_xl/pacts`` on Linux, ``~/Library/Application
Support/pagt_xl/pacts`` on macOS). A pact in the user's folder is found by its
name like a shipped one and wins over a shipped pact of the same name, so a
secretariat can keep its own edited copy of ``nordjylland.toml``. The user's
settings file, ``indstillinger.toml`` in the same folder, names the default pact
(``pagt = "midtjylland"``).
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

from pagt_xl.base.errors import ConfigError

PACTS_DIR = Path(__file__).parent / "pacts"
#: the pact used when nothing else names one
FALLBACK_PACT = "nordjylland"
#: the user's settings file, in :func:`user_dir`
SETTINGS_FILE = "indstillinger.toml"
#: platformdirs' arguments: ``%APPDATA%\pagt_xl`` on Windows (roaming, no author folder)
USER_DIRS: dict[str, object] = {"appname": "pagt_xl", "appauthor": False, "roaming": True}


def user_dir() -> Path:
    """The user's own pagt_xl folder (it may not exist): settings and pacts live there."""
    import platformdirs

    return Path(platformdirs.user_config_dir(**USER_DIRS))  # type: ignore[arg-type]


def user_pacts_dir() -> Path:
    """The folder of the user's own pact files (``<user_dir>/pacts``; it may not exist)."""
    return user_dir() / "pacts"


def settings_path() -> Path:
    """The user's settings file (``<user_dir>/indstillinger.toml``; it may not exist)."""
    return user_dir() / SETTINGS_FILE


def _pact_files(folder: Path) -> dict[str, Path]:
    try:
        files = sorted(folder.glob("*.toml"))
    except OSError:
        return {}
    return {p.stem.lower(): p for p in files if not p.stem.startswith("_") and p.is_file()}


def pact_files() -> dict[str, Path]:
    """Every pact that can be named: name → file; the user's folder wins over the shipped pacts."""
    return {**_pact_files(PACTS_DIR), **_pact_files(user_pacts_dir())}


def lock_files(path: Path) -> list[Path]:
    """The lock files an office program keeps next to ``path`` while the file is open (they may not exist).

    Microsoft Office: ``~$NAME`` (for a long name ``~$`` replaces its first two characters);
    LibreOffice: ``.~lock.NAME#``. The writers refuse an output that has one; the readers skip them.
    """
    path = Path(path)
    name = path.name
    return [path.with_name(n) for n in dict.fromkeys(("~$" + name, "~$" + name[2:], f".~lock.{name}#"))]


def available_pacts() -> list[str]:
    """Names of the pacts that can be chosen by name (shipped and in the user's folder), sorted."""
    return sorted(pact_files())


def pact_path(name: str) -> Path | None:
    """The file of the pact called ``name`` (case-insensitive); ``None`` when there is none."""
    return pact_files().get(name.lower())


def read_settings() -> dict[str, object]:
    """The user's settings file as a table; empty when there is none.

    Raises :class:`~pagt_xl.base.errors.ConfigError` (``config_invalid``) with a Danish message naming the file
    when it cannot be read or is not valid TOML.
    """
    path = settings_path()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: indstillingsfilen kan ikke læses ({exc})") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: indstillingsfilen er ikke gyldig TOML ({exc})") from None


def configured_pact_name() -> str | None:
    """The pact the user has set: ``PAGT_XL_PACT``, else ``pagt = "…"`` in the settings file; ``None`` for none.

    A settings file that cannot be read, or whose ``pagt`` is not a text, counts as none here
    (``pagt-xl pacts`` says what is wrong with it).
    """
    env = os.environ.get("PAGT_XL_PACT", "").strip()
    if env:
        return env
    try:
        value = read_settings().get("pagt")
    except ConfigError:
        return None
    return value.strip() if isinstance(value, str) and value.strip() else None


def default_pact_name() -> str:
    """The pact used when a command or a cell names none and none can be told from the files.

    In order: the environment variable ``PAGT_XL_PACT``; ``pagt = "…"`` in the user's
    settings file (:func:`settings_path`); else ``"nordjylland"``.
    """
    return configured_pact_name() or FALLBACK_PACT


def is_lock_file(name: str) -> bool:
    """Whether a file name is an Office lock file: Excel/Word's ``~$name.xlsx``, LibreOffice's ``.~lock.name#``.

    ``name`` may be a path; only its last part counts.
    """
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    return base.startswith("~$") or (base.startswith(".~lock.") and base.endswith("#"))


#: Everything a breakdown can be by, in the order the command line lists them.
KEYS: tuple[str, ...] = (
    "year",
    "round",
    "theme",
    "type",
    "applicant",
    "institution_type",
    "target_group",
    "status",
    "progress",
)
#: Danish column titles per key.
KEY_LABELS: dict[str, str] = {
    "year": "År",
    "round": "Runde",
    "theme": "Indsatsområde",
    "type": "Projekttype",
    "applicant": "Ansøger",
    "institution_type": "Institutionstype",
    "target_group": "Målgruppe",
    "status": "Status",
    "progress": "Fremdrift",
}
#: The Danish word of each key, as the cell function PAGT.FORDELING and ``--by`` take it.
KEY_NAMES: dict[str, str] = {
    "year": "år",
    "round": "runde",
    "theme": "tema",
    "type": "type",
    "applicant": "ansøger",
    "institution_type": "institutionstype",
    "target_group": "målgruppe",
    "status": "status",
    "progress": "fremdrift",
}
#: Words accepted for a key (lower case): the Danish words, their ASCII spellings, the column titles and the
#: English keys.
KEY_WORDS: dict[str, str] = {
    **{key: key for key in KEYS},
    **{name: key for key, name in KEY_NAMES.items()},
    **{label.lower(): key for key, label in KEY_LABELS.items()},
    "aar": "year",
    "indsatsomraade": "theme",
    "ansoeger": "applicant",
    "tovholder": "applicant",
    "maalgruppe": "target_group",
}


def breakdown_key(word: str) -> str | None:
    """The key a word names (``"tema"``, ``"Indsatsområde"``, ``"theme"`` → ``"theme"``); ``None`` for none."""
    return KEY_WORDS.get(word.strip().lower())
