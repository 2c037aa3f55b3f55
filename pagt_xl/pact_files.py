"""Where the shipped pact files are, and their names. No pydantic: ``pagt-xl --help`` lists the names.

:mod:`pagt_xl.config` loads and validates the files; this module only finds them.
"""

from __future__ import annotations

from pathlib import Path

PACTS_DIR = Path(__file__).parent / "pacts"


def available_pacts() -> list[str]:
    """Names of the pacts shipped with the package (file stems), sorted."""
    return sorted(p.stem for p in PACTS_DIR.glob("*.toml") if not p.stem.startswith("_"))
