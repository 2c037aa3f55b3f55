"""The JSON documents and CSV rows of the command line's outputs, shaped from the results. No I/O.

The command line writes what these return (``--format json`` / ``csv``); the
scheduled run and the Excel buttons may use them too. JSON keys are English and
stable (a contract for scripts); a CSV's headers and labels are made Danish by
:func:`pagt_xl.outputs.files.write_csv` in its Danish dialect.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from pagt_xl.base.names import KEY_LABELS
from pagt_xl.outputs.files import issue_record

if TYPE_CHECKING:
    from pagt_xl.base.config import Pact
    from pagt_xl.core.breakdown import Breakdown
    from pagt_xl.core.results import Breakdowns, GoalRun
    from pagt_xl.core.tables import BudgetReview, Validation


def validation_document(result: Validation) -> dict[str, object]:
    """``validate --format json``: counts, the granted total, framework per year, every issue."""
    from pagt_xl.base.model import Severity

    figures = result.figures  # the counted rows, as every other output counts them
    return {
        "pact": result.pact.key,
        "files": result.overview.files,
        "applications": figures.applications,
        "granted_applications": figures.granted_projects,
        "granted_total": figures.granted_total,
        "rows_with_errors": figures.excluded_rows,
        "framework_years": {str(f.year): f.amount for f in result.overview.frameworks},
        "summary": {s.value: result.count(s) for s in Severity},
        "issues": [issue_record(i) for i in result.issues],
    }


def breakdown_document(result: Breakdowns, breakdown: Breakdown, by: Sequence[str]) -> dict[str, object]:
    """``breakdown --format json``: the rows and total of ``breakdown`` (by ``by``), extremes and checks.

    By year, each row (and the total) also carries the year table's columns (applications, rounds,
    framework, utilisation ...).
    """
    rows = [dict(r) for r in breakdown.rows]
    total = dict(breakdown.total)
    if list(by) == ["year"]:
        years = {r["year"]: r for r in result.years.rows}
        for r in rows:
            extra = years.get(r["year"], {})
            r.update({k: v for k, v in extra.items() if k not in ("year", "granted")})
        total.update({k: v for k, v in result.years.total.items() if k not in ("year", "granted")})
    return {
        "pact": result.validation.pact.key,
        "by": list(by),
        "year": result.year,
        "rows": rows,
        "total": total,
        "excluded_rows": breakdown.excluded_rows,
        "extremes": result.extremes,
        "checks": [c.as_dict() for c in result.checks],
    }


def breakdown_columns(doc: Mapping[str, Any]) -> list[str]:
    """The CSV columns of a breakdown document: its rows' keys."""
    rows = doc["rows"]
    return list(rows[0].keys()) if rows else [*doc["by"], "projects", "granted", "share"]


#: Danish CSV headers of a breakdown's columns (the keys' own titles come from KEY_LABELS)
BREAKDOWN_LABELS: dict[str, str] = {
    **KEY_LABELS,
    "projects": "Projekter", "granted": "Støttebeløb (kr.)", "share": "Andel", "percent": "Andel (%)",
    "project_share": "Andel af projekter", "participants": "Deltagere (mål)", "applications": "Ansøgninger",
    "rejected": "Afslag", "granted_projects": "Tilsagn", "pending": "Afventer", "withdrawn": "Trukket tilbage",
    "round_none": "Uden runde (kr.)",
    "framework": "Ramme (kr.)", "utilisation": "Udnyttet", "cumulative": "Akkumuleret (kr.)",
}  # fmt: skip


def breakdown_labels(result: Breakdowns) -> dict[str, str]:
    """:data:`BREAKDOWN_LABELS` and the year table's round columns (``round_aaben`` → ``Åben runde (kr.)``)."""
    return {**BREAKDOWN_LABELS, **{f"round_{key}": f"{name} (kr.)" for key, name in result.years.rounds}}


def budget_rows(review: BudgetReview) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The consolidated budget table with each budget's status, and the files that could not be read.

    Both as row dicts (columns of :func:`pagt_xl.core.budget.budget_table` with ``status`` second;
    a file not read has only ``file`` and ``status``).
    """
    frame = _budget_frame(review)
    unread = _unread(review)
    return frame.to_dict(orient="records"), unread


#: Danish CSV headers of the budget table
BUDGET_LABELS: dict[str, str] = {
    "file": "Fil", "status": "Status", "case_id": "Sagsnr.", "title": "Projekttitel", "applicant": "Tovholder",
    "year": "År", "start": "Start", "end": "Slut", "total_cost": "Udgifter i alt (kr.)",
    "stated_total": "Angivet i alt (kr.)", "sought": "Ansøgt (kr.)", "own": "Egenfinansiering (kr.)",
    "partner": "Partnerfinansiering (kr.)", "cofinancing_share": "Medfinansiering (andel)",
    "granted": "Bevilget (kr.)", "spent": "Forbrugt (kr.)", "spent_share": "Forbrugt (andel af bevilget)",
}  # fmt: skip


def budget_columns(review: BudgetReview) -> list[str]:
    """The CSV columns of the budget table."""
    return list(_budget_frame(review).columns)


def _budget_frame(review: BudgetReview) -> Any:
    from pagt_xl.core.budget import budget_table
    from pagt_xl.outputs.workbooks import budget_statuses

    frame = budget_table(review.records)
    statuses, _unreadable = budget_statuses(review.records, review.issues)
    frame.insert(1, "status", statuses)
    return frame


def _unread(review: BudgetReview) -> list[dict[str, Any]]:
    from pagt_xl.outputs.workbooks import BUDGET_STATUS, budget_statuses

    _statuses, unreadable = budget_statuses(review.records, review.issues)
    return [{"file": f, "status": BUDGET_STATUS["unreadable"]} for f in unreadable]


def budgets_document(review: BudgetReview) -> dict[str, object]:
    """``budgets --format json``: the files, each budget's row, the files not read, every issue."""
    frame = _budget_frame(review)
    return {
        "files": review.files,
        "budgets": json.loads(frame.to_json(orient="records", date_format="iso", force_ascii=False)),
        "unreadable": _unread(review),
        "issues": [issue_record(i) for i in review.issues],
    }


def goals_document(run: GoalRun) -> dict[str, object]:
    """``maal --format json``: the follow-up and every issue."""
    return {
        "pact": run.pact.key,
        "follow_up": run.follow_up.model_dump(mode="json", exclude={"issues"}),
        "issues": [i.model_dump(mode="json") for i in run.issues],
    }


def goal_rows(run: GoalRun) -> tuple[list[dict[str, object]], list[str]]:
    """``maal --format csv``: one row per indicator year and activity goal year, and the columns."""
    from pagt_xl.core.goals import follow_up_rows

    rows = follow_up_rows(run.follow_up)
    return rows, list(rows[0]) if rows else ["type", "goal", "name", "year"]


#: Danish CSV headers of the goal follow-up rows
GOAL_LABELS: dict[str, str] = {
    "type": "Type", "goal": "Mål", "name": "Navn", "year": "År", "value": "Værdi", "index": "Indeks",
    "path_index": "Sti (indeks)", "path_value": "Sti (værdi)", "on_track": "På sporet",
    "gap_points": "Afstand (indekspoint)", "gap_percent": "Afstand (%)", "needed_per_year": "Nødvendig pr. år",
    "target": "Mål pr. år", "met": "Nået", "source": "Kilde",
}  # fmt: skip


def ledger_document(run: Any) -> dict[str, object]:
    """``udbetalinger --format json``: each grant's account, each year, the total and every issue."""
    from pagt_xl.core.ledger import account_rows, year_rows

    ledger = run.ledger
    years = year_rows(ledger)
    return {
        "pact": run.pact.key,
        "files": run.read.files,
        "entries": len(run.read.entries),
        "held_back_share": run.pact.payments.held_back_share,
        "accounts": account_rows(ledger),
        "years": years[:-1],
        "total": {**years[-1], "paid": ledger.paid, "held_back": ledger.held_back, "owed": ledger.owed},
        "issues": [issue_record(i) for i in run.issues],
    }


#: Danish CSV headers of the ledger's accounts (:data:`pagt_xl.core.ledger.ACCOUNT_COLUMNS`)
LEDGER_LABELS: dict[str, str] = {
    "case_id": "Sagsnr.", "title": "Projekttitel", "applicant": "Ansøger", "year": "År", "status": "Status",
    "granted": "Bevilget (kr.)", "paid": "Udbetalt (kr.)", "held_back": "Tilbageholdt (kr.)",
    "owed": "Mangler (kr.)", "repaid": "Tilbagebetalt (kr.)", "reduced": "Nedsat (kr.)", "final": "Endeligt (kr.)",
    "net_paid": "Udbetalt netto (kr.)", "final_report": "Slutrapport", "entries": "Posteringer",
}  # fmt: skip


def pacts_document(pacts: Sequence[Pact]) -> list[dict[str, object]]:
    """``pacts --format json``: each pact's key, name, region, years, themes, types, rounds and file."""
    return [
        {
            "key": p.key,
            "name": p.name,
            "region": p.region,
            "years": [p.first_year, p.last_year],
            "themes": [t.name for t in p.themes],
            "project_types": [t.name for t in p.project_types],
            "rounds": [r.name for r in p.rounds],
            "source": p.source,
        }
        for p in pacts
    ]


def template_vars_document(
    variables: Mapping[str, str], nested: Mapping[str, Mapping[str, str]], used: set[str] | None, unknown: list[str]
) -> dict[str, object]:
    """``template-vars --format json``: each variable with its description and fields (and whether used)."""
    return {
        "variables": [
            {"name": k, "description": v, "fields": nested.get(k, {}), **({"used": k in used} if used else {})}
            for k, v in variables.items()
        ],
        "unknown": unknown,
    }


def to_json(doc: object) -> str:
    """A document as indented UTF-8 JSON text with a final newline (dates and other values as text)."""
    return json.dumps(doc, ensure_ascii=False, indent=2, default=str) + "\n"
