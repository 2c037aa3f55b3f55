"""Allocation breakdowns, the year table and cross-checks. Pure: figures in, data out.

Every breakdown is computed from the counted grants of one :class:`~pagt_xl.core.figures.Figures`
(the rows without errors, each application once), so sums agree by construction and with every
other output. Amounts are whole kroner; shares are exact
fractions as floats, and ``percent`` are whole percentages that add up to 100
(largest-remainder rounding, :mod:`pagt_xl.base.figures`): the one rounded share every
output shows, computed here once.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from pagt_xl.base.config import InstitutionRule, Pact
from pagt_xl.base.danish import danish_sort_key
from pagt_xl.base.errors import ErrorCode, RequestError
from pagt_xl.base.figures import share_percents
from pagt_xl.base.model import Decision, IssueCode
from pagt_xl.base.names import KEY_LABELS, KEYS
from pagt_xl.core.checks import Check, check
from pagt_xl.core.figures import Figures

__all__ = ["KEYS", "KEY_LABELS", "Breakdown", "Check", "ProjectCounts", "YearTable"]

NOT_GIVEN = "(ikke angivet)"
STATUS_LABELS = {"ongoing": "Igangværende", "finished": "Afsluttet", "not_started": "Ikke startet"}
PROGRESS_LABELS = {"good": "God", "acceptable": "Acceptabel", "slow": "Langsom"}
TARGET_GROUPS = {
    "target_primary": "Grundskole",
    "target_youth": "Ungdomsuddannelse",
    "target_higher": "Videregående uddannelse",
    "target_professionals": "Fagpersoner",
}


@dataclass
class Breakdown:
    """Rows of a breakdown: labels per key, projects, granted (kr.), share (0..1), percent (int)."""

    by: list[str]
    rows: list[dict[str, Any]]
    total: dict[str, Any]
    excluded_rows: int = 0

    def frame(self) -> pd.DataFrame:
        """The rows as a DataFrame."""
        return pd.DataFrame(self.rows)


@dataclass
class YearTable:
    """The year table of the status report, one row per year plus a total row."""

    rows: list[dict[str, Any]]
    total: dict[str, Any]
    rounds: list[tuple[str, str]] = field(default_factory=list)  # (key, name)


def largest_remainder(values: list[int], total: int = 100) -> list[int]:
    """Whole percentages proportional to ``values``, adding up to ``total``.

    The one rule is :func:`pagt_xl.base.figures.share_percents`.
    """
    return share_percents(values, total)


def institution_type(name: str | None, pact: Pact) -> str:
    """Institution type of an applicant by the pact's name rules (first matching rule wins)."""
    if not isinstance(name, str) or not name:
        return NOT_GIVEN
    return _classifier(tuple(pact.institution_types))(name)


class _Classifier:
    """A pact's institution rules, each compiled once into one pattern; remembers every name it has seen.

    Applicants repeat (a few hundred names over 100,000 rows), so each distinct
    name is matched once.
    """

    def __init__(self, rules: tuple[InstitutionRule, ...]) -> None:
        self.rules = [(_rule_pattern(r.patterns), r.name) for r in rules if r.patterns]
        self.fallback = rules[-1].name if rules else "Andet"
        self.seen: dict[str, str] = {}

    def __call__(self, name: str) -> str:
        found = self.seen.get(name)
        if found is None:
            text = name[:MAX_NAME_CHARS]  # the patterns are checked (pagt_xl.base.patterns); the text is bounded too
            found = next((label for pattern, label in self.rules if pattern.search(text)), self.fallback)
            if len(self.seen) < _MAX_NAMES:
                self.seen[name] = found
        return found


#: An applicant name is matched on its first this many characters (no institution's name is longer; a cell
#: of 32,767 characters would make even a harmless pattern such as ``.*universitet`` slow).
MAX_NAME_CHARS = 300
#: Most applicant names a classifier remembers (a long-running server sees many workbooks).
_MAX_NAMES = 100_000


def _rule_pattern(patterns: tuple[str, ...]) -> re.Pattern[str]:
    """One case-insensitive pattern matching where any of ``patterns`` matches."""
    try:
        return re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE)
    except re.error:  # a pattern that cannot be combined (e.g. an inline global flag): report it on its own
        for p in patterns:
            re.compile(p, re.IGNORECASE)
        raise


@functools.lru_cache(maxsize=16)
def _classifier(rules: tuple[InstitutionRule, ...]) -> _Classifier:
    """The classifier of one pact's rules (cached per pact: the rules are frozen, hashable values)."""
    return _Classifier(rules)


#: The table's columns each key is labelled from.
_KEY_COLUMNS: dict[str, tuple[str, ...]] = {
    "year": ("year",),
    "theme": ("theme",),
    "type": ("project_type",),
    "round": ("round",),
    "applicant": ("applicant",),
    "institution_type": ("institution_type", "applicant"),
    "status": ("status",),
    "progress": ("progress",),
}


def _labeller(key: str, pact: Pact) -> Callable[..., Any]:
    """The label of a key from its columns' raw values (one call per distinct value, not per row)."""
    if key == "year":
        return lambda v: NOT_GIVEN if pd.isna(v) else int(v)
    if key == "theme":
        names = {t.key: (f"{t.number}. {t.name}" if t.number is not None else t.name) for t in pact.themes}
    elif key == "type":
        names = {t.key: t.name for t in pact.project_types}
    elif key == "round":
        names = {r.key: r.name for r in pact.rounds}
    elif key == "status":
        names = dict(STATUS_LABELS)
    elif key == "progress":
        names = dict(PROGRESS_LABELS)
    elif key == "applicant":
        return lambda v: v if isinstance(v, str) and v else NOT_GIVEN
    elif key == "institution_type":
        classify = _classifier(tuple(pact.institution_types))

        def institution(given: Any, applicant: Any) -> str:
            if isinstance(given, str) and given:
                return given
            return classify(applicant) if isinstance(applicant, str) and applicant else NOT_GIVEN

        return institution
    else:
        raise _unknown_key(key)
    return lambda v: names.get(v, NOT_GIVEN) if isinstance(v, Hashable) and not _missing(v) else NOT_GIVEN


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and value != value) or value is pd.NA


def _plain(value: Any) -> Any:
    """numpy scalars → Python values (JSON, sorting)."""
    return value.item() if hasattr(value, "item") else value


def _order(key: str, pact: Pact) -> list[Any] | None:
    if key == "theme":
        return [f"{t.number}. {t.name}" if t.number is not None else t.name for t in pact.themes]
    if key == "type":
        return [t.name for t in pact.project_types]
    if key == "round":
        return [r.name for r in pact.rounds]
    if key == "status":
        return list(STATUS_LABELS.values())
    if key == "progress":
        return list(PROGRESS_LABELS.values())
    return None


def _sort_key(key: str, pact: Pact):
    order = _order(key, pact)

    def k(label: Any) -> tuple[int, Any]:
        if label == NOT_GIVEN:
            return (2, "")
        if order is not None:
            return (0, order.index(label)) if label in order else (1, danish_sort_key(str(label)))
        return (0, label) if isinstance(label, int) else (1, danish_sort_key(str(label)))

    return k


def _unknown_key(key: str) -> RequestError:
    return RequestError(f"ukendt nøgle '{key}'; vælg en af: {', '.join(KEYS)}", code=ErrorCode.UNKNOWN_BREAKDOWN_KEY)


def breakdown_by(figures: Figures, pact: Pact, by: list[str]) -> Breakdown:
    """Granted projects and amounts by one or two keys, with shares of the total.

    Counts the grants of ``figures`` (rows with errors and second copies are left out; ``excluded_rows``
    says how many rows were). By year alone, every year of the figures is a row (a year with a
    framework or applications but no grant: zeros). Raises :class:`~pagt_xl.base.errors.RequestError`
    for an unknown key or a combination that cannot be made.
    """
    return breakdowns_by(figures, pact, [by])[0]


def breakdowns_by(figures: Figures, pact: Pact, bys: Iterable[list[str]]) -> list[Breakdown]:
    """:func:`breakdown_by` for each key list of ``bys``."""
    bys = [list(by) for by in bys]
    for by in bys:
        if not by or len(by) > 2:
            raise RequestError("angiv én eller to nøgler", code=ErrorCode.UNKNOWN_BREAKDOWN_KEY)
        for key in by:
            if key not in KEYS:
                raise _unknown_key(key)
        if "target_group" in by and len(by) > 1:
            raise RequestError("målgruppe kan ikke krydses med en anden nøgle", code=ErrorCode.UNKNOWN_BREAKDOWN_KEY)
    excluded = figures.excluded_rows
    df = figures.granted
    amounts = df["granted"].fillna(0).astype("int64").to_numpy()
    out = []
    for by in bys:
        if by == ["target_group"]:
            out.append(_target_groups(df, excluded))
        else:
            out.append(_breakdown(df, amounts, pact, by, excluded, figures.years if by == ["year"] else ()))
    return out


def _breakdown(
    df: pd.DataFrame, amounts: Any, pact: Pact, by: list[str], excluded: int, labels: Iterable[Any] = ()
) -> Breakdown:
    """One breakdown of the granted rows ``df`` (``amounts``: their kroner, in row order).

    The rows are grouped by their raw values first (themes' keys, applicants' names ...),
    and only the distinct values are labelled, so a pact rule runs once per distinct
    applicant, not once per row. ``labels`` (one key only) are rows even without a grant.
    """
    grouped: dict[tuple[Any, ...], list[int]] = {}
    if len(df):
        columns = [(key, c) for key in by for c in _KEY_COLUMNS[key]]
        frame = pd.DataFrame({f"c{i}": df[c].to_numpy(dtype=object) for i, (_, c) in enumerate(columns)})
        frame["amount"] = amounts
        names = [f"c{i}" for i in range(len(columns))]
        agg = frame.groupby(names, sort=False, dropna=False)["amount"].agg(["size", "sum"])
        labellers = [(_labeller(key, pact), len(_KEY_COLUMNS[key])) for key in by]
        for raw, (projects, total) in zip(agg.index, agg.to_numpy(), strict=True):
            values = raw if isinstance(raw, tuple) else (raw,)
            label, i = [], 0
            for labeller, width in labellers:
                label.append(_plain(labeller(*values[i : i + width])))
                i += width
            slot = grouped.setdefault(tuple(label), [0, 0])
            slot[0] += int(projects)
            slot[1] += int(total)
    for label in labels:
        grouped.setdefault((label,), [0, 0])
    sorters = [_sort_key(key, pact) for key in by]
    keys_sorted = sorted(grouped, key=lambda t: tuple(s(v) for s, v in zip(sorters, t, strict=True)))
    total_granted = int(amounts.sum())
    total_projects = len(df)
    percents = largest_remainder([grouped[k][1] for k in keys_sorted])
    rows = []
    for label, pct in zip(keys_sorted, percents, strict=True):
        projects, granted = grouped[label]
        row: dict[str, Any] = dict(zip(by, label, strict=True))
        row.update(
            projects=projects,
            granted=granted,
            share=granted / total_granted if total_granted else 0.0,
            percent=pct,
            project_share=projects / total_projects if total_projects else 0.0,
        )
        rows.append(row)
    total = {
        by[0]: "I alt",
        "projects": total_projects,
        "granted": total_granted,
        "share": 1.0 if rows else 0.0,
        "percent": 100 if total_granted else 0,
    }
    return Breakdown(by=list(by), rows=rows, total=total, excluded_rows=excluded)


def _target_groups(df: pd.DataFrame, excluded: int) -> Breakdown:
    rows = []
    participants = []
    for col, label in TARGET_GROUPS.items():
        values = df[col].dropna().astype("int64")
        reached = values[values > 0]
        participants.append(int(reached.sum()))
        rows.append(
            {
                "target_group": label,
                "projects": len(reached),
                "participants": int(reached.sum()),
                "granted": int(df.loc[reached.index, "granted"].fillna(0).sum()),
            }
        )
    total_p = sum(participants)
    for row, pct in zip(rows, largest_remainder(participants), strict=True):
        row["share"] = row["participants"] / total_p if total_p else 0.0
        row["percent"] = pct
    total = {
        "target_group": "I alt",
        "projects": len(df),
        "participants": total_p,
        "granted": int(df["granted"].fillna(0).sum()),
        "share": 1.0 if total_p else 0.0,
        "percent": 100 if total_p else 0,
    }
    return Breakdown(by=["target_group"], rows=rows, total=total, excluded_rows=excluded)


def year_table(figures: Figures, pact: Pact) -> YearTable:
    """Applications, rejections, grants, pending, withdrawn, amount per round, framework, utilisation, cumulative.

    One row per year of ``figures`` (counted rows and framework years: a year with a framework only is a
    row of zeros), from the counted rows. Every counted application is in exactly one decision column
    (granted, rejected, withdrawn, pending), so ``applications`` is their sum; :func:`cross_checks` checks it.
    """
    df = figures.rows[["year", "decision", "round", "granted"]]  # only these: each year's selection copies them
    fw = figures.framework_by_year
    years = figures.years
    rounds = [(r.key, r.name) for r in pact.rounds]
    rows = []
    cumulative = 0
    for year in years:
        ydf = df[df["year"] == year]
        granted = ydf[ydf["decision"] == Decision.GRANTED]
        amount = figures.granted_by_year[year]
        cumulative += amount
        row: dict[str, Any] = {
            "year": year,
            "applications": len(ydf),
            "rejected": int((ydf["decision"] == Decision.REJECTED).sum()),
            "granted_projects": len(granted),
            "pending": int((ydf["decision"] == Decision.PENDING).sum()),
            "withdrawn": int((ydf["decision"] == Decision.WITHDRAWN).sum()),
        }
        for key, _ in rounds:
            row[f"round_{key}"] = int(granted.loc[granted["round"] == key, "granted"].fillna(0).sum())
        if rounds:
            row["round_none"] = int(granted.loc[granted["round"].isna(), "granted"].fillna(0).sum())
        row["granted"] = amount
        row["framework"] = fw.get(year)
        row["utilisation"] = amount / fw[year] if fw.get(year) else None
        row["cumulative"] = cumulative
        rows.append(row)
    total: dict[str, Any] = {"year": "I alt"}
    for col in ("applications", "rejected", "granted_projects", "pending", "withdrawn", "granted"):
        total[col] = sum(r[col] for r in rows)
    for key, _ in rounds:
        total[f"round_{key}"] = sum(r[f"round_{key}"] for r in rows)
    if rounds:
        total["round_none"] = sum(r["round_none"] for r in rows)
    fw_total = sum(v for r in rows if (v := r["framework"]) is not None)
    total["framework"] = fw_total or None
    total["utilisation"] = total["granted"] / fw_total if fw_total else None
    total["cumulative"] = cumulative
    return YearTable(rows=rows, total=total, rounds=rounds)


def grant_extremes(figures: Figures) -> dict[str, Any]:
    """Smallest and largest grant (kr.) with their titles; ``None`` when nothing is granted."""
    df = figures.granted.dropna(subset=["granted"])
    if df.empty:
        return {"smallest": None, "largest": None}
    lo = df.loc[df["granted"].astype("int64").idxmin()]
    hi = df.loc[df["granted"].astype("int64").idxmax()]
    return {
        "smallest": {"granted": int(lo["granted"]), "title": lo["title"], "year": int(lo["year"])},
        "largest": {"granted": int(hi["granted"]), "title": hi["title"], "year": int(hi["year"])},
    }


def cross_checks(
    figures: Figures,
    pact: Pact,
    breakdowns: dict[str, Breakdown],
    years: YearTable,
    overview_checks: list[Check] = (),  # type: ignore[assignment]
    stated: dict[str, int] | None = None,
    stated_source: str = "",
) -> list[Check]:
    """Every breakdown and the year table against the totals, then ``overview_checks`` (the validation's
    subtotal rows and framework years, :func:`pagt_xl.core.validate.validate`), then stated figures."""
    total, count = figures.granted_total, figures.granted_projects
    checks = _breakdown_checks(breakdowns, total, count)
    checks.append(check(IssueCode.YEAR_TABLE_MISMATCH, "", "Årstabel: støttebeløb i alt = samlet støtte", total,
                        years.total["granted"], source="årstabellen"))  # fmt: skip
    checks.append(decisions_check(years))
    checks += overview_checks
    if stated:
        computed = stated_figures(pact, breakdowns, years)
        for key, value in stated.items():
            checks.append(check(IssueCode.STATED_FIGURE_MISMATCH, key, f"Tidligere rapport: {key}", value,
                                computed.get(key), source=stated_source or "angivne tal"))  # fmt: skip
    return checks


def decisions_check(years: YearTable) -> Check:
    """The funnel adds up: applications = granted + rejected + withdrawn + pending (the year table's total).

    Fails as ``decisions_do_not_add_up``, the code validate gives the rows without a decision that make it fail.
    """
    t = years.total
    decided = sum(int(t.get(k, 0) or 0) for k in ("granted_projects", "rejected", "withdrawn", "pending"))
    return check(IssueCode.DECISIONS_DO_NOT_ADD_UP, "", "Årstabel: ansøgninger = tilsagn + afslag + trukket tilbage "
                 "+ afventer", t["applications"], decided, source="årstabellen",
                 computed_from="afgørelserne i de validerede rækker")  # fmt: skip


def _breakdown_checks(breakdowns: dict[str, Breakdown], total: int, count: int) -> list[Check]:
    """Each breakdown's amounts add up to the total granted, and its counts to the projects granted."""
    checks = []
    for name, b in breakdowns.items():
        if b.by == ["target_group"]:
            continue
        label = KEY_LABELS.get(name, name)
        source = f"fordeling på {label.lower()}"
        checks.append(check(IssueCode.BREAKDOWN_SUM_MISMATCH, name, f"{label}: sum af støttebeløb = samlet støtte",
                            total, sum(r["granted"] for r in b.rows), source=source))  # fmt: skip
        checks.append(check(IssueCode.BREAKDOWN_COUNT_MISMATCH, name,
                            f"{label}: antal projekter = projekter med tilsagn", count,
                            sum(r["projects"] for r in b.rows), source=source))  # fmt: skip
    return checks


def stated_figures(pact: Pact, breakdowns: dict[str, Breakdown], years: YearTable) -> dict[str, int]:
    """Computed figures under the keys a stated-figures file may use."""
    out: dict[str, int] = {
        "applications": years.total["applications"],
        "rejected": years.total["rejected"],
        "withdrawn": years.total["withdrawn"],
        "granted_projects": years.total["granted_projects"],
        "granted_total": years.total["granted"],
    }
    for row in years.rows:
        out[f"year.{row['year']}.applications"] = row["applications"]
        out[f"year.{row['year']}.granted"] = row["granted"]
        out[f"year.{row['year']}.granted_projects"] = row["granted_projects"]
    names = {
        "theme": {(f"{t.number}. {t.name}" if t.number else t.name): t.key for t in pact.themes},
        "type": {t.name: t.key for t in pact.project_types},
    }
    for key in ("theme", "type"):
        b = breakdowns.get(key)
        if b is None:
            continue
        for r in b.rows:
            k = names[key].get(r[key])
            if k is not None:
                out[f"{key}.{k}.projects"] = r["projects"]
                out[f"{key}.{k}.granted"] = r["granted"]
    return out


# -- counts of the list columns and of the ongoing projects' progress (the report's counts) ----------
@dataclass(frozen=True)
class ProjectCounts:
    """Projects per item of the list columns (a cell "a; b" names two) and the ongoing projects' progress.

    Each list is (label, projects), most projects first, then in Danish alphabetical order;
    ``ongoing_progress`` is in the order of the progress ratings. Computed from the counted grants.
    """

    partners: list[tuple[str, int]]
    instruments: list[tuple[str, int]]
    #: theme key → its projects' instruments, for each theme with a grant (in the pact's order; a funding
    #: channel is no theme and has none)
    theme_instruments: dict[str, list[tuple[str, int]]]
    #: progress label → ongoing projects with that rating (ratings that occur only)
    ongoing_progress: list[tuple[str, int]]


def split_items(value: Any) -> list[str]:
    """The items of a list cell ("a; b", one per line), each once, in order; nothing for a missing value."""
    if not isinstance(value, str):
        return []
    seen: list[str] = []
    for p in value.replace("\n", ";").split(";"):
        p = p.strip()
        if p and p not in seen:
            seen.append(p)
    return seen


def item_counts(values: Iterable[Any]) -> list[tuple[str, int]]:
    """Projects per item of a list column's cells (:func:`split_items`), most first, then alphabetical."""
    counts: Counter[str] = Counter()
    for v in values:
        counts.update(split_items(v))
    return sorted(counts.items(), key=lambda kv: (-kv[1], danish_sort_key(kv[0])))


def project_counts(figures: Figures, pact: Pact) -> ProjectCounts:
    """The :class:`ProjectCounts` of the counted grants."""
    granted = figures.granted
    ongoing = granted[granted["status"] == "ongoing"]
    progress = [(label, int((ongoing["progress"] == k).sum())) for k, label in PROGRESS_LABELS.items()]
    by_theme = {t.key: granted[granted["theme"] == t.key] for t in pact.themes if not t.channel}
    return ProjectCounts(
        partners=item_counts(granted["partners"]),
        instruments=item_counts(granted["instruments"]),
        theme_instruments={key: item_counts(rows["instruments"]) for key, rows in by_theme.items() if not rows.empty},
        ongoing_progress=[(label, n) for label, n in progress if n],
    )
