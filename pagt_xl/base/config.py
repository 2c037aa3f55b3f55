"""Pact configuration: one TOML file per pact, validated by pydantic.

A pact file describes a region's grant pool: its themes (indsatsområder),
project types, rounds, which themes were open which year, and how the staff
spell column headers, decisions and the budget form's words. Shared
defaults live in ``pacts/_common.toml`` and are merged under every pact file.
Adding a region means adding a file.

Merging: tables merge key by key; a pact's list *extends* the common list
(words already there are not repeated); any other value replaces the common
one. To *replace* a common list or table instead, name it in a ``replace``
key of the table it sits in::

    replace = ["subtotal_labels"]          # top level: before the first table
    subtotal_labels = ["I alt", "Total"]   # "Samlet" is no longer a subtotal word

    [decisions]
    replace = ["granted"]                  # "Godkendt" left out here ...
    granted = ["Tilsagn", "Bevilget"]
    pending = ["Godkendt"]                 # ... and read as pending instead

A name in ``replace`` that the common file does not have, or that the pact
does not give a new value for, is a :class:`ConfigError`. After merging, a
word that would mean two things (a decision word under two decisions, a
category spelling under two categories, a header alias under two fields ...)
is a :class:`ConfigError` with code ``CONFIG_CONFLICT``.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Iterable, Mapping
from functools import cache, cached_property
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from pagt_xl.base.danish import NameMatcher, normalize_name
from pagt_xl.base.errors import ConfigError, ErrorCode, InvalidSetting
from pagt_xl.base.names import PACTS_DIR, available_pacts, pact_path, user_pacts_dir
from pagt_xl.base.patterns import check_pattern

COMMON_FILE = PACTS_DIR / "_common.toml"
#: the key of a table that lists the settings a pact replaces instead of extends
REPLACE_KEY = "replace"

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
    #: a funding channel ("Nationalt udbud"), read from the theme column but not one of the pact's themes:
    #: shown apart in the report (no theme list entry, no learning section), always open
    channel: bool = False

    def all_names(self) -> list[str]:
        """Canonical name, aliases and (for numbered themes) "N. name"."""
        names = [self.name, *self.aliases]
        if self.number is not None:
            names.append(f"{self.number}. {self.name}")
        return names


class DatedText(BaseModel):
    """A paragraph of the report that is true only from (or until) a year, e.g. a rule that began in 2022.

    The report prints it only when its years overlap the report's period.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    text: str = Field(min_length=1)
    from_year: int | None = None
    until_year: int | None = None

    def applies(self, first: int, last: int) -> bool:
        """Whether the text holds for some year of ``first``-``last``."""
        return (self.from_year is None or self.from_year <= last) and (
            self.until_year is None or self.until_year >= first
        )


class ReportSection(BaseModel):
    """A titled section of the report's own text (an activity of the partnership ...)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    heading: str = Field(min_length=1)
    text: str = ""


class ThemeWords(BaseModel):
    """What the pact calls its themes ([report.words]): "indsatsområde" (Nordjylland) or "tema" (Midtjylland)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    one: str = Field(default="indsatsområde", min_length=1)
    many: str = Field(default="indsatsområder", min_length=1)
    the_one: str = Field(default="indsatsområdet", min_length=1)
    the_many: str = Field(default="indsatsområderne", min_length=1)


#: the report's writing prompts, each a hint ([report.prompts]); _common.toml gives them all
PROMPT_KEYS = (
    "preface", "partnership", "activities", "strategic", "learning_basis", "lessons", "progress",
    "theme_context", "theme_results", "finished_results", "open_themes", "goals_missing",
)  # fmt: skip


class ReportTexts(BaseModel):
    """The pact's own text for the status report ([report] in the pact file); empty: a writing prompt."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    #: what the pact calls its themes
    words: ThemeWords = ThemeWords()
    #: prompt key (:data:`PROMPT_KEYS`) → the hint after "[SKRIV: " (Danish; examples from the pact's own reports)
    prompts: dict[str, str] = {}

    #: "Statusrapporten": who reports to whom, and what the report contains
    preface: str = ""
    #: "Partnerskabet bag ...": the partnership and its organisation
    partnership: str = ""
    #: "Aktiviteter i ...": one section per activity of the partnership
    activities: list[ReportSection] = []
    #: paragraphs of the introduction that hold only for some years
    dated: list[DatedText] = []
    #: theme key -> the theme's context paragraph (why the theme matters)
    theme_context: dict[str, str] = {}
    #: "Læringsgrundlaget": what the learning chapter is based on
    learning_basis: str = ""
    #: when projects report on progress ("en gang årligt, senest i februar")
    progress_reporting: str = ""

    @model_validator(mode="after")
    def _known_prompts(self) -> ReportTexts:
        unknown = sorted(set(self.prompts) - set(PROMPT_KEYS))
        if unknown:
            known = ", ".join(PROMPT_KEYS)
            raise InvalidSetting(f"report.prompts: ukendte prompter {', '.join(unknown)} (kendte: {known})")
        return self

    def hint(self, key: str) -> str:
        """The hint of prompt ``key`` ("" when the pact and the defaults give none)."""
        return " ".join(self.prompts.get(key, "").split())


class InstitutionRule(BaseModel):
    """An institution type and the name patterns (regular expressions) that identify it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    patterns: tuple[str, ...] = ()

    @field_validator("patterns")
    @classmethod
    def _safe_patterns(cls, patterns: tuple[str, ...]) -> tuple[str, ...]:
        """Each a regular expression that cannot backtrack catastrophically (:mod:`pagt_xl.base.patterns`)."""
        return tuple(check_pattern(p) for p in patterns)


class ColumnAliases(BaseModel):
    """Header aliases per field, and which fields a pact requires."""

    model_config = ConfigDict(extra="forbid")

    aliases: dict[str, list[str]]
    required: list[str]

    @model_validator(mode="after")
    def _known_fields(self) -> ColumnAliases:
        unknown = sorted(set(self.aliases) - set(COLUMN_FIELDS))
        if unknown:
            raise InvalidSetting(f"ukendte kolonnefelter: {', '.join(unknown)}")
        missing = sorted(set(self.required) - set(self.aliases))
        if missing:
            raise InvalidSetting(f"påkrævede felter uden overskrifter: {', '.join(missing)}")
        return self


class FrameworkSheet(BaseModel):
    """How a framework (økonomisk ramme) sheet is recognised."""

    model_config = ConfigDict(extra="forbid")

    sheet_names: list[str]
    year_headers: list[str]
    amount_headers: list[str]


class OverviewRules(BaseModel):
    """How the overview sheets are read (``[overview]`` in a pact file).

    ``year_from`` says where an application's year comes from: ``"column"`` (an År column, the
    default), ``"sheet_name"`` (one sheet per year, "2021", "Ansøgninger 2022") or ``"title"`` (a
    title cell above the header row, "Ansøgninger 2023"). With a context year an År column is not
    required; where a sheet has one, an empty year cell takes the context year and a year cell that
    differs from it is ``year_mismatch``. ``read_hidden_sheets`` reads hidden sheets like visible
    ones (each still named in a ``hidden_sheet`` info); ``--skjulte-ark`` does the same for one run.
    """

    model_config = ConfigDict(extra="forbid")

    read_hidden_sheets: bool = False
    year_from: Literal["column", "sheet_name", "title"] = "column"


class ConfigConflict(InvalidSetting):
    """A word that ends up in two settings where it must mean one thing."""

    default_code = ErrorCode.CONFIG_CONFLICT

    def __init__(self, settings: tuple[str, str], word: str) -> None:
        self.settings = settings
        self.word = word
        super().__init__(f"{settings[0]} og {settings[1]}: '{word}' står begge steder")


def _check_distinct(setting: str, groups: Mapping[str, Iterable[str]], key: Callable[[str], str]) -> None:
    """Raise :class:`ConfigConflict` when two groups share a word (compared by ``key``)."""
    seen: dict[str, str] = {}
    for group, words in groups.items():
        for word in words:
            norm = key(word)
            if not norm:
                continue
            other = seen.setdefault(norm, group)
            if other != group:
                raise ConfigConflict((f"{setting}.{other}", f"{setting}.{group}"), word)


def _header_key(text: str) -> str:
    # ingest.headers imports this module; its header_key is the one used to match form labels
    from pagt_xl.base.danish import header_key

    return header_key(text)


class BudgetLabels(BaseModel):
    """Label variants of the budget form's fields (``[budgets.labels]``), matched like column headers."""

    model_config = ConfigDict(extra="forbid")

    case_id: list[str] = Field(min_length=1)
    title: list[str] = Field(min_length=1)
    applicant: list[str] = Field(min_length=1)
    year: list[str] = Field(min_length=1)
    start: list[str] = Field(min_length=1)
    end: list[str] = Field(min_length=1)
    own: list[str] = Field(min_length=1)
    partner: list[str] = Field(min_length=1)
    sought: list[str] = Field(min_length=1)
    granted: list[str] = Field(min_length=1)
    total: list[str] = Field(min_length=1)
    #: the project period in one cell ("01.03.2023–28.02.2025") or two (start, end) right of the label
    period: list[str] = []


#: form fields whose labels also match as a prefix ("Medfinansiering fra partner (firma)")
PREFIX_LABEL_FIELDS = frozenset({"own", "partner", "sought", "granted"})


class BudgetRules(BaseModel):
    """Words and rules for applicants' budget workbooks (``[budgets]`` in a pact file).

    The vocabulary (categories, labels, headers) comes from ``_common.toml``;
    the matchers built from it are cached on this object, so once per pact.
    """

    model_config = ConfigDict(extra="forbid")

    #: least share (0..1) of the total budget that must be co-financed; ``None``: no minimum
    min_cofinancing_share: float | None = Field(default=None, ge=0, le=1)
    #: underspend risk when the spent share is below the elapsed share of the period minus this margin
    underspend_margin: float = Field(ge=0, le=1)
    #: cost categories (canonical name, in display order) and the other spellings read as each
    categories: dict[str, list[str]] = Field(min_length=1)
    #: categories that are operations (drift), which the pool never funds; any spelling of a category
    excluded_categories: list[str] = []
    labels: BudgetLabels
    #: headers of the cost table's columns
    category_headers: list[str] = Field(min_length=1)
    amount_headers: list[str] = Field(min_length=1)
    description_headers: list[str] = []
    #: a column headed by one of these words and a year, in either order ("Afholdt i 2024"), holds that year's spending
    spending_headers: list[str] = Field(min_length=1)
    #: words or phrases marking a cost line as operations, in its category or description (whole words)
    operations_keywords: list[str] = []

    @model_validator(mode="after")
    def _consistent(self) -> BudgetRules:
        _check_distinct("budgets.categories", {k: [k, *v] for k, v in self.categories.items()}, normalize_name)
        _check_distinct("budgets.labels", self.labels.model_dump(), _header_key)
        headers = {
            "category_headers": self.category_headers,
            "amount_headers": self.amount_headers,
            "description_headers": self.description_headers,
            "spending_headers": self.spending_headers,
        }
        _check_distinct("budgets", headers, _header_key)
        unknown = [c for c in self.excluded_categories if self.category_matcher.match(c).key is None]
        if unknown:
            raise InvalidSetting(f"excluded_categories: ukendte kategorier {', '.join(unknown)}")
        return self

    @cached_property
    def category_matcher(self) -> NameMatcher:
        """Matcher from any spelling of a cost category to its canonical name."""
        return NameMatcher({k: (k, *v) for k, v in self.categories.items()})

    @cached_property
    def operations(self) -> frozenset[str]:
        """Canonical names of the operations categories."""
        return frozenset(k for c in self.excluded_categories if (k := self.category_matcher.match(c).key))

    @cached_property
    def label_index(self) -> dict[str, str]:
        """Normalised label (as :func:`~pagt_xl.ingest.headers.header_key`) → form field."""
        return {_header_key(a): field for field, aliases in self.labels.model_dump().items() for a in aliases}

    @cached_property
    def _prefix_labels(self) -> list[tuple[str, str]]:
        """(normalised label, field) of the financing labels, longest first."""
        pairs = {(_header_key(a), f) for f, aliases in self.labels.model_dump().items() if f in PREFIX_LABEL_FIELDS
                 for a in aliases}  # fmt: skip
        return sorted((p for p in pairs if p[0]), key=lambda p: (-len(p[0]), p))

    def label_field(self, text: str) -> str | None:
        """The form field a label names: exactly (as a header), or a financing label followed by more words.

        "Medfinansiering fra partner (firma)" and "Egenfinansiering: EUC Nord" name
        a financing field; "Egenfinansieringsandel" does not (whole words only). A
        text whose rest names another field ("Tilsagn om medfinansiering fra
        partner") is ambiguous and names none.
        """
        key = _header_key(text)
        exact = self.label_index.get(key)
        if exact is not None or not key:
            return exact
        full = normalize_name(text)
        for label, field in self._prefix_labels:
            for candidate in (key, full):
                if candidate.startswith(label + " "):
                    rest = candidate[len(label) + 1 :]
                    others = {f for lab, f in self._prefix_labels if f != field and _has_phrase(rest, lab)}
                    others |= {f for lab, f in self.label_index.items() if f != field and _has_phrase(rest, lab)
                               and len(lab) > 3}  # fmt: skip
                    return None if others else field
        return None

    @cached_property
    def cost_header_index(self) -> dict[str, str]:
        """Normalised cost-table header → column role (``category``, ``amount``, ``description``)."""
        roles = {"category": self.category_headers, "amount": self.amount_headers,
                 "description": self.description_headers}  # fmt: skip
        return {_header_key(h): role for role, headers in roles.items() for h in headers}

    @cached_property
    def spending_pattern(self) -> re.Pattern[str]:
        """Pattern over a normalised header: a spending word and a year in either order, with "i"/"pr."/"for"
        between ("forbrug 2024", "afholdt i 2024", "2024 regnskab"); group ``year`` is the year."""
        words = "|".join(re.escape(normalize_name(w)) for w in sorted(self.spending_headers, key=len, reverse=True))
        filler = r"(?:(?:i|pr|per|for|aar|kr) )*"
        return re.compile(rf"^(?:(?:{words}) {filler}(?P<year>(?:19|20)\d\d)(?: kr)?"
                          rf"|(?P<year2>(?:19|20)\d\d) {filler}(?:{words})(?: kr)?)$")  # fmt: skip

    def spending_year(self, header: str) -> int | None:
        """The year of a spending column's header ("Afholdt i 2024" → 2024, "Forbrug pr. 31.12.2025" → 2025);
        ``None``: not a spending header."""
        m = self.spending_pattern.match(_header_key(header))
        if m is not None:
            return int(m.group("year") or m.group("year2"))
        date = self.spending_date(header)
        return date.year if date is not None else None

    @cached_property
    def _spending_date_pattern(self) -> re.Pattern[str]:
        words = "|".join(re.escape(normalize_name(w)) for w in sorted(self.spending_headers, key=len, reverse=True))
        return re.compile(rf"^(?:{words}) (?:(?:pr|per|til og med|tom|t o m|opgjort) )?(?P<d>\d{{1,2}}) "
                          rf"(?P<m>\d{{1,2}}) (?P<y>(?:19|20)\d\d)(?: kr)?$")  # fmt: skip

    def spending_date(self, header: str) -> Any:
        """The date a spending header gives its figures ("Forbrug pr. 31.12.2025" → 31 December 2025);
        ``None`` for a header without a date (or not a spending header)."""
        import datetime as dt

        m = self._spending_date_pattern.match(normalize_name(_PARENS_UNIT.sub(" ", header)))
        if m is None:
            return None
        try:
            return dt.date(int(m.group("y")), int(m.group("m")), int(m.group("d")))
        except ValueError:
            return None

    @cached_property
    def operations_pattern(self) -> re.Pattern[str] | None:
        """Whole-word pattern of the operations keywords over normalised text; ``None`` when there are none."""
        words = sorted({n for w in self.operations_keywords if (n := normalize_name(w))}, key=len, reverse=True)
        if not words:
            return None
        return re.compile(rf"(?<![a-z0-9])(?:{'|'.join(re.escape(w) for w in words)})(?![a-z0-9])")

    def operations_keyword(self, text: str) -> str | None:
        """The first operations keyword in ``text``, as the pact spells it ("el" is not found in "elever")."""
        pattern = self.operations_pattern
        m = pattern.search(normalize_name(text)) if pattern is not None and text else None
        if m is None:
            return None
        return next((w for w in self.operations_keywords if normalize_name(w) == m.group(0)), m.group(0))


#: a unit in parentheses ("(kr.)", "(t.kr.)") left out of a dated spending header before it is matched
_PARENS_UNIT = re.compile(r"\([^)]*\)")


def _has_phrase(text: str, phrase: str) -> bool:
    """Whether normalised ``text`` holds normalised ``phrase`` as whole words."""
    return bool(phrase) and f" {phrase} " in f" {text} "


@cache
def default_budget_rules() -> BudgetRules:
    """The budget words and rules of ``_common.toml`` alone (no pact merged in)."""
    data = _merge({}, _read_toml(COMMON_FILE), file=COMMON_FILE)
    try:
        return BudgetRules.model_validate(data.get("budgets", {}))
    except ValidationError as exc:
        raise _config_error(COMMON_FILE, exc) from None


class AmountBounds(BaseModel):
    """Plausible amounts of one application (``[amounts]`` in a pact file), in whole kroner.

    An applied or granted amount outside ``min_grant``..``max_grant`` is
    ``implausible_amount`` (an error on a granted row, else a warning); a column
    whose values fit another unit than its header's is ``unit_mismatch``.
    """

    model_config = ConfigDict(extra="forbid")

    min_grant: int = Field(gt=0)
    max_grant: int = Field(gt=0)

    @model_validator(mode="after")
    def _ordered(self) -> AmountBounds:
        if self.min_grant >= self.max_grant:
            raise InvalidSetting(f"min_grant {self.min_grant} skal være mindre end max_grant {self.max_grant}")
        return self

    def fits(self, kroner: int) -> bool:
        """Whether ``kroner`` lies within the bounds (both ends included)."""
        return self.min_grant <= kroner <= self.max_grant


# -- the application round: assessment columns, the memo and the decision letters (issue 16) ---------
class Criterion(BaseModel):
    """One assessment criterion: a score column with a weight (the weighted score is a weighted mean)."""

    model_config = ConfigDict(extra="forbid")

    key: str = Field(min_length=1)
    name: str = Field(min_length=1)
    weight: float = Field(gt=0)
    #: overview headers of the criterion's score column (the name itself is always one)
    headers: list[str] = []

    def all_headers(self) -> list[str]:
        """The name first, then the other headers."""
        return [self.name, *self.headers]


class SpecialTheme(BaseModel):
    """A year's special theme (2024: AI): its name and the words that mark an application as addressing it."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1)
    #: whole words (or phrases) in title or summary; a "Særligt tema" column (ja/nej) overrides them
    keywords: list[str] = []


class AssessmentRules(BaseModel):
    """How a round's applications are assessed in the overview, and the recommendation columns.

    Every column is optional: missing scores are fine (the application is then
    not ranked). Scores are numbers from ``score_min`` to ``score_max``.
    """

    model_config = ConfigDict(extra="forbid")

    score_min: float = 1
    score_max: float = 5
    criteria: list[Criterion] = []
    recommended_headers: list[str] = ["Indstillet beløb", "Indstillet støtte", "Indstillet tilskud"]
    recommendation_headers: list[str] = ["Indstilling", "Indstillet", "Anbefaling"]
    reason_headers: list[str] = ["Begrundelse", "Begrundelse for indstilling"]
    special_headers: list[str] = ["Særligt tema", "Særtema"]
    #: words read as a recommendation: yes (recommend in full), no, partial (recommend less)
    yes: list[str] = ["Ja", "Indstilles", "Anbefales"]
    no: list[str] = ["Nej", "Indstilles ikke", "Anbefales ikke", "Afslag"]
    partial: list[str] = ["Delvis", "Delvist", "Delvis indstilling"]
    #: year → the year's special theme
    special_themes: dict[int, SpecialTheme] = {}
    #: who selects and recommends (the memo's voice): "STEM i Nord og styregruppen"
    recommended_by: str = "sekretariatet og styregruppen"
    #: who decides
    council: str = "Regionsrådet"
    #: who signs the memo (name and title, one line each); empty: a writing prompt in the signature block
    signatory: list[str] = []

    @model_validator(mode="after")
    def _consistent(self) -> AssessmentRules:
        if self.score_min >= self.score_max:
            raise InvalidSetting(
                f"assessment: score_min {self.score_min} skal være mindre end score_max {self.score_max}"
            )
        keys = [c.key for c in self.criteria]
        dupes = sorted({k for k in keys if keys.count(k) > 1})
        if dupes:
            raise InvalidSetting(f"assessment.criteria: nøglen {', '.join(dupes)} er brugt flere gange")
        groups = {f"criteria.{c.key}": c.all_headers() for c in self.criteria}
        groups |= {"recommended_headers": self.recommended_headers, "recommendation_headers":
                   self.recommendation_headers, "reason_headers": self.reason_headers,
                   "special_headers": self.special_headers}  # fmt: skip
        _check_distinct("assessment", groups, _header_key)
        _check_distinct("assessment", {"yes": self.yes, "no": self.no, "partial": self.partial}, normalize_name)
        return self

    def header_fields(self) -> dict[str, str]:
        """Normalised header → assessment field (``score:<key>``, ``recommended``, ``recommendation``, ...)."""
        out: dict[str, str] = {}
        for c in self.criteria:
            for h in c.all_headers():
                out.setdefault(_header_key(h), f"score:{c.key}")
        for name, headers in (("recommended", self.recommended_headers), ("recommendation",
                              self.recommendation_headers), ("reason", self.reason_headers),
                              ("special", self.special_headers)):  # fmt: skip
            for h in headers:
                out.setdefault(_header_key(h), name)
        return out

    @cached_property
    def recommendation_matcher(self) -> NameMatcher:
        """Matcher from recommendation words to ``yes``/``no``/``partial``."""
        return NameMatcher({"yes": self.yes, "no": self.no, "partial": self.partial})


class PaymentTerms(BaseModel):
    """How a grant is paid ([letters.payment]): instalments, then a part held back until the final report is
    approved."""

    model_config = ConfigDict(extra="forbid")

    #: when each instalment is paid, in order ("ved accept af tilsagnet", "efter godkendt statusrapport");
    #: the grant less the held-back part is split evenly over them (whole kroner, the first takes the rest)
    instalments: list[str] = []
    #: share (0..1) of the grant held back until the final report and accounts are approved; None: not stated
    held_back_share: float | None = Field(default=None, ge=0, lt=1)


class ReportingDuties(BaseModel):
    """When a grant's reports are due ([letters.reporting]); ``None``: not stated (a writing prompt)."""

    model_config = ConfigDict(extra="forbid")

    #: a status (progress) report each year of the project by the end of this month (2 = "senest i februar")
    progress_month: int | None = Field(default=None, ge=1, le=12)
    #: the final report with accounts this many months after the project period ends
    final_months: int | None = Field(default=None, ge=1, le=24)


class LetterRules(BaseModel):
    """What the decision letters say beyond the decision ([letters] in the pact file).

    Every text is the region's own wording. An empty text is printed as a marked writing prompt
    (``[SKRIV: …]``, yellow) and the letter is marked KLADDE: the tool never invents the law a
    letter cites or the guidance on appeal it gives.
    """

    model_config = ConfigDict(extra="forbid")

    sender: str = ""
    signature: str = "Med venlig hilsen"
    #: who signs the letters (name and title, one line each); empty: a writing prompt
    signatory: list[str] = []
    #: the contact person named in every letter (name, e-mail, phone); empty: a writing prompt
    contact: str = ""
    #: the legal basis of the grants ("Tilskuddet gives efter ..."), forvaltningsloven § 24; empty: a prompt
    legal_basis: str = ""
    #: guidance on appeal, forvaltningsloven § 25: where the decision can be brought, or that it cannot be
    #: appealed to another administrative authority, and where complaints about the case handling go; empty: a prompt
    appeal: str = ""
    #: the condition on eligible costs (only the approved budget, only inside the project period)
    eligible_costs: str = ""
    #: the condition that operations (drift) are never funded
    operations: str = ""
    #: the condition on co-financing; empty: computed from [budgets] min_cofinancing_share, else a prompt
    cofinancing: str = ""
    #: further conditions of a grant, one paragraph each (the pact's own)
    conditions: list[str] = []
    reporting: ReportingDuties = Field(default_factory=ReportingDuties)
    payment: PaymentTerms = Field(default_factory=PaymentTerms)
    #: days from the letter's date to accept the grant; None: a writing prompt
    acceptance_days: int | None = Field(default=None, ge=1, le=365)
    #: what happens when the grant is not accepted in time (the region's wording); empty: not printed
    acceptance_note: str = ""
    #: how a rejected applicant may ask for more (one paragraph; empty: none)
    rejection_note: str = ""
    #: words of the staff's own voice ("indstilles", "anbefales"): a clause of the Begrundelse holding one
    #: is left out of a letter (letter_internal_wording), since the letter speaks for the council
    internal_words: list[str] = []


# -- goals (issue 17) ----------------------------------------------------------
class MeasuredGoal(BaseModel):
    """A goal measured by a yearly indicator, e.g. "20 pct. flere fuldfører ... i 2028".

    ``target_change`` is the relative change wanted from the baseline year's
    value to ``target_year`` (0.20 = 20 % more). ``baseline_source`` says where
    the baseline value comes from (the Målopfølgning sheet's row for
    ``baseline_year``; the text is shown in the report).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    key: str
    name: str
    aliases: list[str] = []
    text: str = ""
    unit: str = "personer"
    baseline_year: int
    baseline_source: str = ""
    target_change: float
    target_year: int

    @model_validator(mode="after")
    def _ordered(self) -> MeasuredGoal:
        if self.target_year <= self.baseline_year:
            raise InvalidSetting(f"goals.measured {self.key}: target_year skal ligge efter baseline_year")
        return self

    def all_names(self) -> list[str]:
        """Key, name and aliases: every spelling of the indicator in the Målopfølgning sheet."""
        return [self.key, self.name, *self.aliases]


class ActivityGoal(BaseModel):
    """An action-plan goal: at least ``min_per_year`` (at most ``max_per_year``) activities of a kind a year.

    ``derive_themes`` / ``derive_project_types`` (keys) mark granted applications in
    the overview that count as activities of this kind, so they need not be typed
    twice; an activity row with the same case number is counted once.
    ``max_per_year`` ``None``: no upper bound.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    key: str
    area: str
    kind: str
    text: str = ""
    min_per_year: int = Field(ge=0)
    max_per_year: int | None = None
    first_year: int
    last_year: int
    derive_themes: list[str] = []
    derive_project_types: list[str] = []

    @model_validator(mode="after")
    def _ordered(self) -> ActivityGoal:
        if self.first_year > self.last_year:
            raise InvalidSetting(f"goals.activities {self.key}: first_year ligger efter last_year")
        if self.max_per_year is not None and self.max_per_year < self.min_per_year:
            raise InvalidSetting(f"goals.activities {self.key}: max_per_year er mindre end min_per_year")
        return self


class Goals(BaseModel):
    """A pact's goals: measured goals, the action plan's areas, activity kinds and activity goals."""

    model_config = ConfigDict(extra="forbid")

    measured: list[MeasuredGoal] = []
    areas: list[NamedItem] = []
    kinds: list[NamedItem] = []
    activities: list[ActivityGoal] = []
    #: header aliases of the Målopfølgning and Aktiviteter sheets, field → spellings
    headers: dict[str, list[str]] = {}

    @model_validator(mode="after")
    def _consistent(self) -> Goals:
        kinds = {k.key for k in self.kinds}
        areas = {a.key for a in self.areas}
        for g in self.activities:
            if g.kind not in kinds:
                raise InvalidSetting(f"goals.activities {g.key}: ukendt aktivitetstype {g.kind!r}")
            if g.area not in areas:
                raise InvalidSetting(f"goals.activities {g.key}: ukendt indsatsområde {g.area!r}")
        for label, items in (("measured", self.measured), ("areas", self.areas), ("kinds", self.kinds),
                             ("activities", self.activities)):  # fmt: skip
            keys = [i.key for i in items]
            dupes = sorted({k for k in keys if keys.count(k) > 1})
            if dupes:
                raise InvalidSetting(f"goals.{label}: nøglen {', '.join(dupes)} er brugt flere gange")
        return self

    @cached_property
    def indicator_matcher(self) -> NameMatcher:
        """Indicator names and aliases → measured goal key."""
        return NameMatcher({g.key: g.all_names() for g in self.measured})

    @cached_property
    def kind_matcher(self) -> NameMatcher:
        """Activity kind names and aliases → kind key."""
        return NameMatcher({k.key: k.all_names() for k in self.kinds})

    @cached_property
    def area_matcher(self) -> NameMatcher:
        """Action-plan area names and aliases → area key."""
        return NameMatcher({a.key: a.all_names() for a in self.areas})


# -- the commitment ledger and open data (issue 25) ------------------------------------------------
#: fields a ledger column can map to (``[payments.headers]``)
LEDGER_FIELDS: tuple[str, ...] = ("case_id", "date", "kind", "amount", "paid", "repaid", "note")
#: the kinds of a ledger entry (``[payments.kinds]``): two payments and two ways money comes back
LEDGER_KINDS: tuple[str, ...] = ("rate", "slutrate", "tilbagebetaling", "bortfald")


class PaymentRules(BaseModel):
    """How the commitment ledger (the *Udbetalinger* sheet) is read and judged (``[payments]``).

    ``held_back_share`` is the part of each grant (0..1) held back until the final report is
    approved (Region Nordjylland: 0.10); 0 means nothing is held back and the check is off. The
    overview column that says the final report is approved is found by ``final_report_headers``:
    a date (approved that day), one of ``approved_words`` or ``not_approved_words``, or empty.
    """

    model_config = ConfigDict(extra="forbid")

    held_back_share: float = Field(default=0.0, ge=0, lt=1)
    #: sheets read as the ledger first (any sheet whose header row has a case number, a date and an amount is read)
    sheet_names: list[str] = []
    #: ledger column headers per field (:data:`LEDGER_FIELDS`)
    headers: dict[str, list[str]] = {}
    #: kind (:data:`LEDGER_KINDS`) → the words staff write for it
    kinds: dict[str, list[str]] = {}
    final_report_headers: list[str] = []
    approved_words: list[str] = []
    not_approved_words: list[str] = []

    @model_validator(mode="after")
    def _consistent(self) -> PaymentRules:
        unknown = sorted(set(self.headers) - set(LEDGER_FIELDS))
        if unknown:
            raise InvalidSetting(f"payments.headers: ukendte felter {', '.join(unknown)}")
        unknown = sorted(set(self.kinds) - set(LEDGER_KINDS))
        if unknown:
            raise InvalidSetting(f"payments.kinds: ukendte typer {', '.join(unknown)} (brug {', '.join(LEDGER_KINDS)})")
        _check_distinct("payments.headers", self.headers, _header_key)
        _check_distinct("payments.kinds", self.kinds, normalize_name)
        words = {"approved_words": self.approved_words, "not_approved_words": self.not_approved_words}
        _check_distinct("payments", words, normalize_name)
        return self

    @cached_property
    def header_index(self) -> dict[str, str]:
        """Normalised ledger header → field."""
        return {_header_key(h): f for f, names in self.headers.items() for h in names if _header_key(h)}

    @cached_property
    def kind_matcher(self) -> NameMatcher:
        """Any spelling of an entry kind ("1. rate", "Nedsættelse") → its key (:data:`LEDGER_KINDS`)."""
        return NameMatcher({k: (k, *v) for k, v in self.kinds.items()})

    @cached_property
    def final_report_keys(self) -> frozenset[str]:
        """Normalised headers of the overview's final-report column."""
        return frozenset(k for h in self.final_report_headers if (k := _header_key(h)))

    @cached_property
    def approval_matcher(self) -> NameMatcher:
        """A final-report cell's word → ``approved`` / ``not_approved``."""
        return NameMatcher({"approved": self.approved_words, "not_approved": self.not_approved_words})


class OpenDataRules(BaseModel):
    """Publishing the grants as 360Giving data (``[opendata]``).

    ``prefix`` is the publisher's 360Giving prefix ("360G-..."), which 360Giving assigns on
    registration; empty: ``pagt-xl eksport`` asks for ``--prefix``. ``funder_id`` is the region's
    organisation identifier (org-id.guide, e.g. a ``DK-CVR-`` number); empty: made from the prefix.
    """

    model_config = ConfigDict(extra="forbid")

    prefix: str = ""
    funder_id: str = ""
    funder_name: str = ""
    #: overview columns with the recipient's CVR number (a DK-CVR organisation identifier when given)
    cvr_headers: list[str] = []
    #: overview columns with the date of the decision (awardDate); without one: 31 December of the grant year
    award_date_headers: list[str] = []
    #: the licence of the published data (a URI)
    license: str = ""


class Pact(BaseModel):
    """A validated pact configuration. Use :func:`load_pact` to get one."""

    model_config = ConfigDict(extra="forbid")

    key: str
    name: str
    region: str
    first_year: int
    last_year: int
    introduction: str = ""
    report: ReportTexts = ReportTexts()
    themes: list[NamedItem] = Field(min_length=1)
    project_types: list[NamedItem] = []
    rounds: list[NamedItem] = []
    #: year -> theme keys open that year; years not listed had every theme open (but see themes_rotate_from)
    open_themes: dict[int, list[str]] = {}
    #: from this year the open themes rotate (Midtjylland from 2022: 1-2 focus themes a year); a year from it
    #: that open_themes does not list is unknown, not "all open" (a writing prompt in the report). None: never
    themes_rotate_from: int | None = None
    decisions: dict[str, list[str]]
    statuses: dict[str, list[str]] = {}
    progress: dict[str, list[str]] = {}
    columns: ColumnAliases
    subtotal_labels: list[str]
    #: applicant name rules, first match wins; the last rule is the fallback
    institution_types: list[InstitutionRule] = []
    framework: FrameworkSheet
    #: how overview sheets are read: hidden sheets, where the year comes from (issue 23)
    overview: OverviewRules = Field(default_factory=OverviewRules)
    budgets: BudgetRules
    amounts: AmountBounds
    #: the application round: assessment columns and criteria (issue 16)
    assessment: AssessmentRules = Field(default_factory=AssessmentRules)
    #: the decision letters (issue 16)
    letters: LetterRules = Field(default_factory=LetterRules)

    #: goals and action plan (issue 17); empty when the pact states none
    goals: Goals = Field(default_factory=Goals)
    #: the commitment ledger after the decision (issue 25)
    payments: PaymentRules = Field(default_factory=PaymentRules)
    #: 360Giving open data (issue 25)
    opendata: OpenDataRules = Field(default_factory=OpenDataRules)
    source: str = ""

    @model_validator(mode="after")
    def _consistent(self) -> Pact:
        if self.first_year > self.last_year:
            raise InvalidSetting(f"first_year {self.first_year} ligger efter last_year {self.last_year}")
        theme_keys = {t.key for t in self.themes}
        bad_context = sorted(set(self.report.theme_context) - theme_keys)
        if bad_context:
            raise InvalidSetting(f"report.theme_context: ukendte temaer {', '.join(bad_context)}")
        for year, keys in self.open_themes.items():
            bad = sorted(set(keys) - theme_keys)
            if bad:
                raise InvalidSetting(f"open_themes.{year}: ukendte temaer {', '.join(bad)}")
        from pagt_xl.base.model import Decision

        bad_dec = sorted(set(self.decisions) - {d.name.lower() for d in Decision})
        if bad_dec:
            raise InvalidSetting(
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
                raise InvalidSetting(f"{label}: nøglen {', '.join(dupes)} er brugt flere gange")
            _check_distinct(label, {i.key: i.all_names() for i in items}, normalize_name)
        _check_distinct("decisions", self.decisions, normalize_name)
        _check_distinct("statuses", self.statuses, normalize_name)
        _check_distinct("progress", self.progress, normalize_name)
        _check_distinct("columns.aliases", self.columns.aliases, _header_key)
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

    def with_hidden_sheets(self) -> Pact:
        """This pact, reading hidden sheets too (``--skjulte-ark``); ``self`` when it already does."""
        if self.overview.read_hidden_sheets:
            return self
        return self.model_copy(update={"overview": self.overview.model_copy(update={"read_hidden_sheets": True})})

    def is_theme_open(self, theme_key: str, year: int) -> bool:
        """Whether applications could be made under this theme in this year (unknown years count as open)."""
        keys = self.open_themes.get(year)
        return keys is None or theme_key in keys or self.is_channel(theme_key)

    def is_channel(self, theme_key: str) -> bool:
        """Whether the "theme" is a funding channel (``channel = true``), not one of the pact's themes."""
        return any(t.key == theme_key and t.channel for t in self.themes)

    def open_themes_known(self, year: int) -> bool:
        """Whether the pact says which themes were open in ``year`` (listed, or before rotation began)."""
        return year in self.open_themes or self.themes_rotate_from is None or year < self.themes_rotate_from


def _by_key(items: list[NamedItem], key: str) -> NamedItem:
    for item in items:
        if item.key == key:
            return item
    raise KeyError(key)


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        raise ConfigError(f"pagtfilen findes ikke: {path}", code=ErrorCode.CONFIG_NOT_FOUND) from None
    except OSError as exc:  # a folder, no permission
        reason = exc.strerror or exc.__class__.__name__
        raise ConfigError(f"{path}: pagtfilen kan ikke læses ({reason}); angiv en .toml-fil") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: ikke gyldig TOML ({exc})") from None


def _replaced(own: dict[str, Any], common: dict[str, Any], *, file: Path, where: str) -> set[str]:
    """The names in ``own``'s ``replace`` key, checked against ``common`` and ``own``."""
    names = own.get(REPLACE_KEY, [])
    setting = f"{where}{REPLACE_KEY}"
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise ConfigError(f'{file}: {setting} skal være en liste af indstillingsnavne, fx {REPLACE_KEY} = ["navn"]')
    for name in names:
        if name not in common:
            raise ConfigError(
                f"{file}: {setting}: '{where}{name}' findes ikke i de fælles standardværdier ({COMMON_FILE.name}), "
                "så der er intet at erstatte; ret navnet eller fjern det fra listen"
            )
        if name not in own:
            raise ConfigError(
                f"{file}: {setting}: '{where}{name}' skal erstattes, men filen angiver ingen ny værdi; "
                f"skriv {name} = [...] (en tom liste fjerner alle)"
            )
    return set(names)


def _merge(common: dict[str, Any], own: dict[str, Any], *, file: Path, where: str = "") -> dict[str, Any]:
    """Merge ``own`` over ``common``: tables recursively, lists extended, the rest replaced.

    A ``replace = [...]`` key in a table of ``own`` names the settings of that
    table that replace the common value instead of extending it (see the
    module docstring). ``file`` and ``where`` (dotted path) name the setting in errors.
    """
    replace = _replaced(own, common, file=file, where=where)
    out = dict(common)
    for key, value in own.items():
        if key == REPLACE_KEY:
            continue
        base = out.get(key)
        if key in replace:
            out[key] = value
        elif isinstance(value, dict):
            out[key] = _merge(base if isinstance(base, dict) else {}, value, file=file, where=f"{where}{key}.")
        elif isinstance(base, list) and isinstance(value, list):
            out[key] = base + [v for v in value if v not in base]
        else:
            out[key] = value
    return out


def _config_error(path: Path, exc: ValidationError) -> ConfigError:
    """A Danish ConfigError naming the file and settings; ``CONFIG_CONFLICT`` when a word means two things."""
    for err in exc.errors():
        conflict = err.get("ctx", {}).get("error")
        if isinstance(conflict, ConfigConflict):
            return ConfigError(
                f"{path}: modstridende pagtkonfiguration: {conflict}; et ord må kun betyde én ting. "
                f"Fjern '{conflict.word}' fra den ene indstilling (en fælles liste erstattes med "
                f'{REPLACE_KEY} = ["navn"] i samme tabel)',
                code=ErrorCode.CONFIG_CONFLICT,
            )
    own = [e["ctx"]["error"] for e in exc.errors() if isinstance(e.get("ctx", {}).get("error"), InvalidSetting)]
    return ConfigError(f"{path}: ugyldig pagtkonfiguration: " + "; ".join(validation_problems(exc)),
                       code=own[0].code if own else None)  # fmt: skip


#: pydantic's error types → Danish, with ``{name}`` placeholders from the error's ``ctx``
_PROBLEMS: dict[str, str] = {
    "missing": "mangler (skal angives)",
    "extra_forbidden": "ukendt indstilling (stavefejl? den bruges ikke)",
    "string_type": "skal være en tekst i anførselstegn",
    "int_type": "skal være et helt tal",
    "int_parsing": "skal være et helt tal",
    "int_from_float": "skal være et helt tal",
    "float_type": "skal være et tal",
    "float_parsing": "skal være et tal",
    "bool_type": "skal være true eller false",
    "bool_parsing": "skal være true eller false",
    "list_type": 'skal være en liste, fx ["a", "b"]',
    "tuple_type": 'skal være en liste, fx ["a", "b"]',
    "set_type": 'skal være en liste, fx ["a", "b"]',
    "dict_type": "skal være en tabel ([navn] eller {nøgle = værdi})",
    "model_type": "skal være en tabel ([navn] eller {nøgle = værdi})",
    "model_attributes_type": "skal være en tabel ([navn] eller {nøgle = værdi})",
    "greater_than": "skal være større end {gt}",
    "greater_than_equal": "skal være mindst {ge}",
    "less_than": "skal være mindre end {lt}",
    "less_than_equal": "må højst være {le}",
    "too_short": "skal have mindst {min_length} element(er)",
    "too_long": "må højst have {max_length} element(er)",
    "string_too_short": "skal have mindst {min_length} tegn",
    "string_too_long": "må højst have {max_length} tegn",
    "string_pattern_mismatch": "har ikke den rette form ({pattern})",
    "literal_error": "skal være en af: {expected}",
    "enum": "skal være en af: {expected}",
    "date_type": "skal være en dato, fx 2024-02-15",
    "date_parsing": "skal være en dato, fx 2024-02-15",
    "date_from_datetime_parsing": "skal være en dato, fx 2024-02-15",
    "none_required": "skal udelades",
}


def _where(loc: tuple[int | str, ...]) -> str:
    """A setting's place: ``themes › nr. 2 › name`` (list positions counted from 1)."""
    return " › ".join(f"nr. {p + 1}" if isinstance(p, int) else str(p) for p in loc)


def validation_problems(exc: ValidationError) -> list[str]:
    """Each of pydantic's errors as one Danish line: the setting, what is wrong, and the value given.

    Translated by error type (``missing``, ``int_parsing`` …), never from pydantic's English text; a
    check of our own (``value_error``) carries its Danish message already. A type without a
    translation says "ugyldig værdi" and names the type.
    """
    lines = []
    for err in exc.errors():
        kind, ctx = err["type"], dict(err.get("ctx") or {})
        if kind in ("value_error", "assertion_error"):
            text = str(ctx.get("error") or err["msg"]).removeprefix("Value error, ").removeprefix("Assertion failed, ")
        elif kind in _PROBLEMS:
            if "expected" in ctx:
                ctx["expected"] = str(ctx["expected"]).replace(" or ", " eller ")
            if kind == "string_too_short" and ctx.get("min_length") == 1:
                text = "må ikke være tom"
            else:
                text = _PROBLEMS[kind].format(**{k: v for k, v in ctx.items() if isinstance(v, str | int | float)})
        else:
            text = f"ugyldig værdi ({kind})"
        value = err.get("input")
        if kind != "missing" and isinstance(value, str | int | float) and not isinstance(value, bool | type(None)):
            shown = repr(value) if len(repr(value)) <= 40 else repr(value)[:39] + "…"
            text += f" (angivet: {shown})"
        where = _where(err["loc"])
        lines.append(f"{where}: {text}" if where else text)
    return lines


def load_pact(name_or_path: str | Path) -> Pact:
    """Load a pact by name (``"nordjylland"``; shipped or in the user's folder) or by path to a TOML file.

    The pact file is merged over ``_common.toml`` (see the module docstring for
    ``replace``). Raises :class:`ConfigError` with a Danish message naming the
    file and the offending setting: code ``UNKNOWN_PACT`` for an unknown name,
    ``CONFIG_NOT_FOUND`` for a missing file, ``CONFIG_CONFLICT`` for a word
    that means two things, ``CONFIG_INVALID`` otherwise.
    """
    text = str(name_or_path)
    path = Path(text)
    if not text.endswith(".toml") and path.parent == Path("."):
        found = pact_path(text)
        if found is None:
            raise ConfigError(
                f"ukendt pagt '{text}'; kendte pagter: {', '.join(available_pacts())} "
                f"(eller angiv stien til en .toml-fil, eller læg filen {text.lower()}.toml i {user_pacts_dir()})",
                code=ErrorCode.UNKNOWN_PACT,
            )
        path = found
    own = _read_toml(path)
    common = _merge({}, _read_toml(COMMON_FILE), file=COMMON_FILE)
    data = _merge(common, own, file=path)
    data["source"] = str(path)
    try:
        return Pact.model_validate(data)
    except ValidationError as exc:
        raise _config_error(path, exc) from None
