"""Reading what the open-data export needs beyond the applications table: the recipient's CVR number and
the date of the decision, from overview columns the pact does not otherwise map (``[opendata]``
``cvr_headers``, ``award_date_headers``). A cell that cannot be read is an issue at its cell."""

from __future__ import annotations

import re
from typing import Any

from pagt_xl.base.config import Pact
from pagt_xl.base.danish import DanishParseError, header_key, parse_date
from pagt_xl.base.model import CellProblem, Issue, IssueCode, Severity, column_letter
from pagt_xl.core.ledger import case_key
from pagt_xl.core.opendata import GrantDetails
from pagt_xl.core.tables import Overview

_CVR = re.compile(r"^(?:dk[- ]?)?(\d{8})$", re.IGNORECASE)


def read_grant_details(overview: Overview, pact: Pact) -> tuple[dict[str, GrantDetails], list[Issue]]:
    """Case key → :class:`~pagt_xl.core.opendata.GrantDetails` (CVR number, decision date); and the issues of
    cells that are neither empty nor readable (``opendata_bad_value``)."""
    cvr_keys = {header_key(h) for h in pact.opendata.cvr_headers}
    date_keys = {header_key(h) for h in pact.opendata.award_date_headers}
    found: dict[str, dict[str, Any]] = {}
    issues: list[Issue] = []
    for sheet in overview.sheets:
        for j, raws in sheet.unmapped_cells.items():
            key = header_key(sheet.columns.headers.get(j, ""))
            kind = "cvr" if key in cvr_keys else "award_date" if key in date_keys else None
            if kind is None:
                continue
            for pos, raw in enumerate(raws):
                case = sheet.records["case_id"][pos]
                if not isinstance(case, str) or not case.strip() or raw in (None, "") or isinstance(raw, CellProblem):
                    continue
                cell = f"{column_letter(j)}{sheet.records['row'][pos]}"
                value = _cvr(raw) if kind == "cvr" else _date(raw)
                if value is None:
                    what = "et CVR-nummer (8 cifre)" if kind == "cvr" else "en dato for tilsagnet"
                    issues.append(Issue.at(IssueCode.OPENDATA_BAD_VALUE, Severity.WARNING,
                                           f"'{raw}' er ikke {what}; feltet udelades i de åbne data",
                                           file=sheet.file, sheet=sheet.sheet, cell=cell, value=raw))  # fmt: skip
                    continue
                found.setdefault(case_key(case), {}).setdefault(kind, value)
    return {k: GrantDetails(**v) for k, v in found.items()}, issues


def _cvr(raw: Any) -> str | None:
    text = str(int(raw)) if isinstance(raw, float) and raw.is_integer() else str(raw)
    m = _CVR.match(re.sub(r"[\s.]", "", text))
    return m.group(1) if m else None


def _date(raw: Any) -> Any:
    try:
        return parse_date(raw)
    except DanishParseError:
        return None
