"""Open data: the pact's grants as 360Giving data (issue 25). Pure: dicts in the standard's shape, no I/O.

Each granted application without errors becomes one grant with the standard's core fields:
``id`` (the publisher's 360Giving prefix and the case number), ``title``, ``description`` (the
short summary, else the title), ``currency`` DKK, ``amountAppliedFor``, ``amountAwarded``,
``awardDate`` (the overview's decision-date column, else 31 December of the grant year),
``plannedDates`` (the project period), ``recipientOrganization`` and ``fundingOrganization``
(identifier and name), ``grantProgramme`` (the pact and its round), ``classifications`` (the
theme) and, with the commitment ledger, ``amountDisbursed`` (paid minus paid back).

Nothing about people is published: no contact person, e-mail, phone or case officer, no
``recipientIndividual``; the recipient is the lead institution. An organisation without a
CVR number gets an identifier made from the prefix (``360G-…-ORG-euc-nord``), as the standard's
identifier guidance allows.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pandas as pd

from pagt_xl.base.model import Issue, IssueCode, Severity

if TYPE_CHECKING:
    from pagt_xl.core.ledger import Ledger
    from pagt_xl.core.tables import Validation

#: the version of the 360Giving Data Standard the package follows
GIVING_VERSION = "1.4"
#: the grant fields of a 360Giving spreadsheet row, with the standard's column titles, in order
GIVING_COLUMNS: tuple[tuple[str, str], ...] = (
    ("id", "Identifier"),
    ("title", "Title"),
    ("description", "Description"),
    ("currency", "Currency"),
    ("amountAppliedFor", "Amount Applied For"),
    ("amountAwarded", "Amount Awarded"),
    ("amountDisbursed", "Amount Disbursed"),
    ("awardDate", "Award Date"),
    ("plannedDates/0/startDate", "Planned Dates:Start Date"),
    ("plannedDates/0/endDate", "Planned Dates:End Date"),
    ("recipientOrganization/0/id", "Recipient Org:Identifier"),
    ("recipientOrganization/0/name", "Recipient Org:Name"),
    ("recipientOrganization/0/addressCountry", "Recipient Org:Country"),
    ("fundingOrganization/0/id", "Funding Org:Identifier"),
    ("fundingOrganization/0/name", "Funding Org:Name"),
    ("grantProgramme/0/title", "Grant Programme:Title"),
    ("classifications/0/vocabulary", "Classifications:Vocabulary"),
    ("classifications/0/code", "Classifications:Code"),
    ("classifications/0/title", "Classifications:Title"),
    ("fromOpenCall", "From An Open Call?"),
    ("dateModified", "Last Modified"),
)


@dataclass(frozen=True)
class GrantDetails:
    """What the overview says beyond the table about one grant: the recipient's CVR number, the decision date."""

    cvr: str | None = None
    award_date: dt.date | None = None


@dataclass
class GivingData:
    """The 360Giving package and what was left out (``issues``) or assumed (``award_dates_assumed``)."""

    package: dict[str, Any]
    issues: list[Issue] = field(default_factory=list)
    award_dates_assumed: int = 0

    @property
    def grants(self) -> list[dict[str, Any]]:
        """The grants of the package."""
        return self.package["grants"]


def slug(text: str) -> str:
    """An identifier part from a name: lower-case ASCII letters, digits and hyphens ("EUC Nord" → "euc-nord")."""
    folded = text.casefold().replace("æ", "ae").replace("ø", "oe").replace("å", "aa")
    ascii_text = unicodedata.normalize("NFKD", folded).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-") or "x"


def _text(value: Any) -> str | None:
    return " ".join(value.split()) if isinstance(value, str) and value.strip() else None


def _iso(d: Any) -> str | None:
    return d.isoformat() if isinstance(d, dt.date) else None


def giving_data(
    validation: Validation,
    *,
    prefix: str,
    modified: dt.datetime,
    funder_id: str = "",
    funder_name: str = "",
    ledger: Ledger | None = None,
    details: Mapping[str, GrantDetails] | None = None,
) -> GivingData:
    """The grants of ``validation`` as a 360Giving package (a dict the standard's package schema accepts).

    ``prefix`` is the publisher's 360Giving prefix ("360G-..."); ``modified`` the time of the export
    (``dateModified``, and ``issued``); ``funder_id``/``funder_name`` the region's identifier and
    name (empty: the pact's ``[opendata]``, else an identifier made from the prefix and the region).
    ``ledger`` adds ``amountDisbursed``; ``details`` maps a case key
    (:func:`pagt_xl.core.ledger.case_key`) to the CVR number and decision date read from the overview.
    """
    from pagt_xl.core.ledger import case_key

    pact = validation.pact
    prefix = prefix.strip().rstrip("-")
    funder_name = funder_name or pact.opendata.funder_name or pact.region
    funder_id = funder_id or pact.opendata.funder_id or f"{prefix}-ORG-{slug(funder_name)}"
    stamp = modified.astimezone(dt.UTC).replace(microsecond=0).isoformat() if modified.tzinfo else (
        modified.replace(microsecond=0, tzinfo=dt.UTC).isoformat())  # fmt: skip
    granted = validation.figures.granted  # the counted grants, as every figure counts them
    grants: list[dict[str, Any]] = []
    issues: list[Issue] = []
    assumed = 0
    seen: set[str] = set()
    theme_names = {th.key: th.name for th in pact.themes}
    round_names = {r.key: r.name for r in pact.rounds}
    for _, r in granted.iterrows():
        amount = r["granted"]
        if amount is pd.NA or pd.isna(amount) or pd.isna(r["year"]):
            continue
        case = _text(r["case_id"])
        applicant = _text(r["applicant"])
        where = {"file": str(r["file"]), "sheet": str(r["sheet"]), "row": int(r["row"])}
        if case is None or applicant is None:
            what = "sagsnummer" if case is None else "ansøger (tovholderens institution)"
            issues.append(Issue.at(IssueCode.OPENDATA_GRANT_SKIPPED, Severity.WARNING,
                                   f"tilsagnet '{_text(r['title']) or ''}' er ikke eksporteret: det mangler {what}",
                                   **where))  # fmt: skip
            continue
        gid = f"{prefix}-{slug(case)}"
        if gid in seen:
            issues.append(Issue.at(IssueCode.OPENDATA_GRANT_SKIPPED, Severity.WARNING,
                                   f"sagsnummeret {case} står flere gange; kun det første tilsagn er eksporteret",
                                   **where))  # fmt: skip
            continue
        seen.add(gid)
        info = (details or {}).get(case_key(case), GrantDetails())
        year = int(r["year"])
        award = info.award_date
        if award is None:
            award = dt.date(year, 12, 31)
            assumed += 1
        title = _text(r["title"]) or case
        programme = pact.name + (f" – {round_names[r['round']]}" if r["round"] in round_names else "")
        recipient: dict[str, Any] = {
            "id": f"DK-CVR-{info.cvr}" if info.cvr else f"{prefix}-ORG-{slug(applicant)}",
            "name": applicant,
            "addressCountry": "Danmark",
        }
        grant: dict[str, Any] = {
            "id": gid,
            "title": title,
            "description": _text(r["summary"]) or title,
            "currency": "DKK",
            "amountAwarded": int(amount),
            "awardDate": award.isoformat(),
            "recipientOrganization": [recipient],
            "fundingOrganization": [{"id": funder_id, "name": funder_name}],
            "grantProgramme": [{"title": programme}],
            "dateModified": stamp,
        }
        grant.update(_optional_fields(r, case, ledger, pact.name, theme_names))
        grants.append(grant)
    package: dict[str, Any] = {
        "grants": grants,
        "version": GIVING_VERSION,
        "title": f"{pact.name}: tilsagn",
        "description": f"Tilsagn fra {pact.name} ({pact.region}), udgivet efter 360Giving Data Standard.",
        "issued": modified.date().isoformat(),
        "identifier": f"{prefix}-{slug(pact.key)}-tilsagn",
        "publisher": {"identifier": funder_id, "name": funder_name},
    }
    if pact.opendata.license:
        package["license"] = pact.opendata.license
    return GivingData(package, issues, assumed)


def _optional_fields(
    r: Any, case: str, ledger: Ledger | None, pact_name: str, theme_names: Mapping[str, str]
) -> dict[str, Any]:
    """The 360Giving fields a grant has only when the overview (or the ledger) knows them: amount applied
    for, amount disbursed, planned dates, the theme as a classification, whether it came from an open call."""
    out: dict[str, Any] = {}
    if not pd.isna(r["applied"]):
        out["amountAppliedFor"] = int(r["applied"])
    if ledger is not None and (account := ledger.account(case)) is not None:
        out["amountDisbursed"] = account.net_paid
    start, end = _iso(r["period_start"]), _iso(r["period_end"])
    if start and end:
        out["plannedDates"] = [{"startDate": start, "endDate": end}]
    if isinstance(r["theme"], str) and r["theme"] in theme_names:
        out["classifications"] = [{"vocabulary": f"{slug(pact_name)}-indsatsomraade", "code": r["theme"],
                                   "title": theme_names[r["theme"]]}]  # fmt: skip
    if r["round"] in ("aaben",):
        out["fromOpenCall"] = "Yes"
    return out


def giving_rows(data: GivingData) -> list[list[Any]]:
    """The grants as a 360Giving spreadsheet: the standard's column titles (:data:`GIVING_COLUMNS`), one row
    per grant; only the columns some grant fills."""
    used = [(path, title) for path, title in GIVING_COLUMNS if any(_get(g, path) is not None for g in data.grants)]
    return [[title for _, title in used], *([_get(g, path) for path, _ in used] for g in data.grants)]


def _get(obj: Any, path: str) -> Any:
    for part in path.split("/"):
        if isinstance(obj, list):
            obj = obj[int(part)] if int(part) < len(obj) else None
        elif isinstance(obj, dict):
            obj = obj.get(part)
        if obj is None:
            return None
    return obj
