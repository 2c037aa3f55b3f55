"""The status report's section "Udbetalt og tilbageført" (issue 25): the commitment ledger in the chapter on the
economic key figures. A self-contained block: :func:`ledger_section` turns a :class:`~pagt_xl.core.ledger.Ledger`
into the section's context (formatted Danish text); the template shows it only when the report has a ledger."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from pagt_xl.base.danish import danish_sort_key, format_amount, format_amount_prose, format_date, format_percent
from pagt_xl.core.ledger import KIND_LABELS, RETURN_KINDS, Ledger, LedgerYear


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class LedgerYearRow(_Model):
    """One year of the ledger's table (kr., formatted without 'kr.')."""

    year: str = Field(description="året, eller 'I alt'")
    framework: str = Field(description="årets økonomiske ramme ('-' når ukendt)")
    commitments: str = Field(description="årets tilsagn")
    payments: str = Field(description="udbetalt i året")
    returned: str = Field(description="tilbageført i året (tilbagebetalt, nedsat eller bortfaldet)")
    remaining: str = Field(description="restramme: ramme − tilsagn + tilbageført ('-' uden ramme)")


class ReturnedRow(_Model):
    """Money that came back from one grant."""

    title: str = Field(description="'titel v/ ansøger'")
    kind: str = Field(description="Tilbagebetaling eller Bortfald/nedsættelse")
    date: str = Field(description="datoen, fx '10. maj 2023'")
    amount: str = Field(description="beløbet, fx '35.000 kr.'")


class LedgerSection(_Model):
    """The section "Udbetalt og tilbageført" (``{%p if ledger %}`` in the template)."""

    summary: str = Field(description="bevilget, udbetalt, tilbageholdt, mangler og tilbageført i én sætning")
    remaining: str = Field(description="restrammen medregnet de tilbageførte midler, i én sætning")
    held_back: str = Field(description="reglen om den tilbageholdte del ('' når pagten ikke holder noget tilbage)")
    years: list[LedgerYearRow] = Field(description="tilsagn, udbetalt, tilbageført og restramme pr. år")
    total: LedgerYearRow = Field(description="totalrækken")
    returned: list[ReturnedRow] = Field(description="de midler, der er kommet tilbage, pr. bevilling")
    as_of: str = Field(description="dato for den seneste postering ('' uden posteringer)")


def _kr(value: int | None) -> str:
    return "-" if value is None else format_amount(value).removesuffix(" kr.")


def _row(y: LedgerYear) -> LedgerYearRow:
    return LedgerYearRow(
        year="I alt" if y.year is None else str(y.year), framework=_kr(y.framework), commitments=_kr(y.commitments),
        payments=_kr(y.payments), returned=_kr(y.returned), remaining=_kr(y.remaining),
    )  # fmt: skip


def ledger_section(ledger: Ledger) -> LedgerSection:
    """The section's context from a ledger (:func:`pagt_xl.core.ledger.build_ledger`)."""
    total = ledger.total
    n = len(ledger.accounts)
    summary = (
        f"Af de {format_amount_prose(total.commitments)}, der er bevilget til {n} "
        f"{'projekt' if n == 1 else 'projekter'}, er {format_amount_prose(ledger.paid)} udbetalt"
        + (f", og {format_amount_prose(ledger.held_back)} holdes tilbage, til slutrapporterne er godkendt"
           if ledger.held_back else "")
        + f". {format_amount_prose(ledger.owed)} mangler at blive udbetalt i alt, og "
        f"{format_amount_prose(total.returned)} er kommet tilbage til puljen (tilbagebetalt, nedsat eller "
        "bortfaldet)."
    )  # fmt: skip
    if total.remaining is None:
        remaining = "Der er ikke angivet en økonomisk ramme, så restrammen kan ikke beregnes."
    else:
        remaining = (
            f"Restrammen er {format_amount_prose(total.remaining)}: den økonomiske ramme på "
            f"{format_amount_prose(total.framework or 0)} minus tilsagn for {format_amount_prose(total.commitments)} "
            f"plus {format_amount_prose(total.returned)} tilbageførte midler."
        )
    share = ledger.pact.payments.held_back_share
    held = (f"{format_percent(share)} af hver bevilling holdes tilbage, til slutrapporten er godkendt." if share
            else "")  # fmt: skip
    returned = []
    dates = []
    for a in ledger.accounts:
        title = f"{a.title} v/ {a.applicant}" if a.applicant else a.title
        for e in a.entries:
            dates.append(e.date)
            if e.kind in RETURN_KINDS:
                returned.append((e.date, ReturnedRow(title=title, kind=KIND_LABELS[e.kind], date=format_date(e.date),
                                                     amount=format_amount(e.amount))))  # fmt: skip
    returned.sort(key=lambda p: (p[0], danish_sort_key(p[1].title)))
    return LedgerSection(
        summary=summary, remaining=remaining, held_back=held, years=[_row(y) for y in ledger.years],
        total=_row(total), returned=[r for _, r in returned], as_of=format_date(max(dates)) if dates else "",
    )  # fmt: skip
