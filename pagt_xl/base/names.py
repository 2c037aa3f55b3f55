"""Where the shipped pact files are, and their names. No pydantic: ``pagt-xl --help`` lists the names.

:mod:`pagt_xl.base.config` loads and validates the files; this module only finds them.
"""

from __future__ import annotations

from pathlib import Path

PACTS_DIR = Path(__file__).parent / "pacts"


def lock_files(path: Path) -> list[Path]:
    """The lock files an office program keeps next to ``path`` while the file is open (they may not exist).

    Microsoft Office: ``~$NAME`` (for a long name ``~$`` replaces its first two characters);
    LibreOffice: ``.~lock.NAME#``. The writers refuse an output that has one; the readers skip them.
    """
    path = Path(path)
    name = path.name
    return [path.with_name(n) for n in dict.fromkeys(("~$" + name, "~$" + name[2:], f".~lock.{name}#"))]


def available_pacts() -> list[str]:
    """Names of the pacts shipped with the package (file stems), sorted."""
    return sorted(p.stem for p in PACTS_DIR.glob("*.toml") if not p.stem.startswith("_"))


def default_pact_name() -> str:
    """The pact used when none is given and none can be told from the files."""
    return "nordjylland"


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
