"""Pact configuration: one TOML file per pact, validated by pydantic.

A pact file describes a region's grant pool: its themes (indsatsområder),
project types, rounds, which themes were open which year, and how the staff
spell column headers and decisions. Shared defaults live in
``pacts/_common.toml`` and are merged under every pact file (the pact's own
lists extend the common ones). Adding a region means adding a file.
"""

from __future__ import annotations

import tomllib
from functools import cached_property
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from pagt_xl.danish import NameMatcher
from pagt_xl.errors import ConfigError

PACTS_DIR = Path(__file__).parent / "pacts"
COMMON_FILE = PACTS_DIR / "_common.toml"

#: Fields an overview column can map to. Order = display order.
COLUMN_FIELDS: tuple[str, ...] = (
    "year",
    "case_id",
    "round",
    "title",
    "applicant",
    "theme",
    "project_type",
    "summary",
    "applied",
    "decision",
    "granted",
    "period",
    "period_start",
    "period_end",
    "status",
    "progress",
    "institution_type",
    "partners",
    "instruments",
    "notes",
    "target_primary",
    "target_youth",
    "target_higher",
    "target_professionals",
)


class NamedItem(BaseModel):
    """A theme, project type or round: a stable key, its canonical name, aliases."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    key: str = Field(min_length=1)
    name: str = Field(min_length=1)
    aliases: tuple[str, ...] = ()
    number: int | None = None
    #: maximum amount (whole kroner) per application in this round; None = no cap
    cap: int | None = Field(default=None, gt=0)
    #: first year the round exists; None = always
    from_year: int | None = None
    #: one-line description (shown in reports)
    description: str = ""

    def all_names(self) -> list[str]:
        """Canonical name, aliases and (for numbered themes) "N. name"."""
        names = [self.name, *self.aliases]
        if self.number is not None:
            names.append(f"{self.number}. {self.name}")
        return names


class InstitutionRule(BaseModel):
    """An institution type and the name patterns (regular expressions) that identify it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    patterns: tuple[str, ...] = ()


class ColumnAliases(BaseModel):
    """Header aliases per field, and which fields a pact requires."""

    model_config = ConfigDict(extra="forbid")

    aliases: dict[str, list[str]]
    required: list[str]

    @model_validator(mode="after")
    def _known_fields(self) -> ColumnAliases:
        unknown = sorted(set(self.aliases) - set(COLUMN_FIELDS))
        if unknown:
            raise ValueError(f"ukendte kolonnefelter: {', '.join(unknown)}")
        missing = sorted(set(self.required) - set(self.aliases))
        if missing:
            raise ValueError(f"påkrævede felter uden overskrifter: {', '.join(missing)}")
        return self


class FrameworkSheet(BaseModel):
    """How a framework (økonomisk ramme) sheet is recognised."""

    model_config = ConfigDict(extra="forbid")

    sheet_names: list[str]
    year_headers: list[str]
    amount_headers: list[str]


class BudgetRules(BaseModel):
    """Rules for applicants' budget workbooks (``[budgets]`` in a pact file)."""

    model_config = ConfigDict(extra="forbid")

    #: least share (0..1) of the total budget that must be co-financed; ``None``: no minimum
    min_cofinancing_share: float | None = Field(default=None, ge=0, le=1)
    #: underspend risk when the spent share is below the elapsed share of the period minus this margin
    underspend_margin: float = Field(default=0.25, ge=0, le=1)
    #: cost categories the pool never funds (matched by normalised name)
    excluded_categories: list[str] = ["Drift"]


class Pact(BaseModel):
    """A validated pact configuration. Use :func:`load_pact` to get one."""

    model_config = ConfigDict(extra="forbid")

    key: str
    name: str
    region: str
    first_year: int
    last_year: int
    introduction: str = ""
    themes: list[NamedItem] = Field(min_length=1)
    project_types: list[NamedItem] = []
    rounds: list[NamedItem] = []
    #: year -> theme keys open that year; years not listed had every theme open
    open_themes: dict[int, list[str]] = {}
    decisions: dict[str, list[str]]
    statuses: dict[str, list[str]] = {}
    progress: dict[str, list[str]] = {}
    columns: ColumnAliases
    subtotal_labels: list[str]
    #: applicant name rules, first match wins; the last rule is the fallback
    institution_types: list[InstitutionRule] = []
    framework: FrameworkSheet
    budgets: BudgetRules = BudgetRules()
    source: str = ""

    @model_validator(mode="after")
    def _consistent(self) -> Pact:
        if self.first_year > self.last_year:
            raise ValueError(f"first_year {self.first_year} ligger efter last_year {self.last_year}")
        theme_keys = {t.key for t in self.themes}
        for year, keys in self.open_themes.items():
            bad = sorted(set(keys) - theme_keys)
            if bad:
                raise ValueError(f"open_themes.{year}: ukendte temaer {', '.join(bad)}")
        from pagt_xl.model import Decision

        bad_dec = sorted(set(self.decisions) - {d.name.lower() for d in Decision})
        if bad_dec:
            raise ValueError(
                f"decisions: ukendte nøgler {', '.join(bad_dec)} (brug granted, rejected, pending, withdrawn)"
            )
        for label, items in (
            ("themes", self.themes),
            ("project_types", self.project_types),
            ("rounds", self.rounds),
        ):
            keys = [i.key for i in items]
            dupes = sorted({k for k in keys if keys.count(k) > 1})
            if dupes:
                raise ValueError(f"{label}: nøglen {', '.join(dupes)} er brugt flere gange")
            try:
                NameMatcher({i.key: i.all_names() for i in items})
            except ValueError as exc:
                raise ValueError(f"{label}: {exc}") from exc
        return self

    # -- lookups -----------------------------------------------------------
    @cached_property
    def theme_matcher(self) -> NameMatcher:
        """Matcher from any spelling of a theme to its key."""
        return NameMatcher({t.key: t.all_names() for t in self.themes})

    @cached_property
    def type_matcher(self) -> NameMatcher:
        """Matcher from any spelling of a project type to its key."""
        return NameMatcher({t.key: t.all_names() for t in self.project_types})

    @cached_property
    def round_matcher(self) -> NameMatcher:
        """Matcher from any spelling of a round to its key."""
        return NameMatcher({r.key: r.all_names() for r in self.rounds})

    @cached_property
    def decision_matcher(self) -> NameMatcher:
        """Matcher from decision words ("Tilsagn", "Afslag", ...) to Decision names."""
        return NameMatcher(self.decisions)

    @cached_property
    def status_matcher(self) -> NameMatcher:
        """Matcher from status words to status keys (ongoing, finished)."""
        return NameMatcher(self.statuses)

    @cached_property
    def progress_matcher(self) -> NameMatcher:
        """Matcher from progress ratings to keys (good, acceptable, slow)."""
        return NameMatcher(self.progress)

    def theme(self, key: str) -> NamedItem:
        """The theme with this key (KeyError when unknown)."""
        return _by_key(self.themes, key)

    def round(self, key: str) -> NamedItem:
        """The round with this key (KeyError when unknown)."""
        return _by_key(self.rounds, key)

    def project_type(self, key: str) -> NamedItem:
        """The project type with this key (KeyError when unknown)."""
        return _by_key(self.project_types, key)

    def is_theme_open(self, theme_key: str, year: int) -> bool:
        """Whether applications could be made under this theme in this year."""
        keys = self.open_themes.get(year)
        return keys is None or theme_key in keys


def _by_key(items: list[NamedItem], key: str) -> NamedItem:
    for item in items:
        if item.key == key:
            return item
    raise KeyError(key)


def available_pacts() -> list[str]:
    """Names of the pacts shipped with the package (file stems), sorted."""
    return sorted(p.stem for p in PACTS_DIR.glob("*.toml") if not p.stem.startswith("_"))


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        raise ConfigError(f"pagtfilen findes ikke: {path}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: ikke gyldig TOML ({exc})") from None


def _merge(common: dict[str, Any], own: dict[str, Any]) -> dict[str, Any]:
    """Merge ``own`` over ``common``: dicts recursively, lists concatenated."""
    out = dict(common)
    for key, value in own.items():
        base = out.get(key)
        if isinstance(base, dict) and isinstance(value, dict):
            out[key] = _merge(base, value)
        elif isinstance(base, list) and isinstance(value, list):
            out[key] = base + [v for v in value if v not in base]
        else:
            out[key] = value
    return out


def load_pact(name_or_path: str | Path) -> Pact:
    """Load a pact by shipped name (``"nordjylland"``) or by path to a TOML file.

    Raises :class:`ConfigError` with a Danish message naming the file and the
    offending setting when the file is missing or invalid.
    """
    text = str(name_or_path)
    path = Path(text)
    if not text.endswith(".toml") and path.parent == Path("."):
        path = PACTS_DIR / f"{text.lower()}.toml"
        if not path.exists():
            raise ConfigError(
                f"ukendt pagt '{text}'; kendte pagter: {', '.join(available_pacts())} "
                "(eller angiv stien til en .toml-fil)"
            )
    own = _read_toml(path)
    data = _merge(_read_toml(COMMON_FILE), own)
    data["source"] = str(path)
    try:
        return Pact.model_validate(data)
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            loc = ".".join(str(p) for p in err["loc"]) or "(filen)"
            lines.append(f"{loc}: {err['msg']}")
        raise ConfigError(f"{path}: ugyldig pagtkonfiguration: " + "; ".join(lines)) from None
