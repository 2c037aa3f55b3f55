"""A Danish one-line description of every issue code, kept in one place.

The codes (:class:`~pagt_xl.base.model.IssueCode`) are stable English words for scripts
and tests; staff read this description beside them: on the "Fejl" sheets of the
workbooks and in the issues CSV and JSON. A test checks that every code has one.
"""

from __future__ import annotations

from pagt_xl.base.model import IssueCode

#: Issue code → what it means, in Danish, one line.
ISSUE_DESCRIPTIONS: dict[IssueCode, str] = {
    IssueCode.FILE_UNREADABLE: "Filen kan ikke læses som projektmappe",
    IssueCode.NO_HEADER_ROW: "Arket har ingen række med kolonneoverskrifter",
    IssueCode.MISSING_COLUMN: "En nødvendig kolonne mangler",
    IssueCode.UNMAPPED_COLUMNS: "Kolonner, der ikke bruges, fordi overskriften er ukendt",
    IssueCode.SKIPPED_ROW: "Rækken er sprunget over (ikke en ansøgning)",
    IssueCode.SHEET_IGNORED: "Arket er ikke læst",
    IssueCode.DUPLICATE_COLUMN: "Samme kolonne findes to gange",
    IssueCode.NO_APPLICATIONS: "Ingen ansøgninger fundet",
    IssueCode.BAD_AMOUNT: "Beløbet kan ikke læses",
    IssueCode.BAD_YEAR: "Året kan ikke læses",
    IssueCode.BAD_DATE: "Datoen kan ikke læses",
    IssueCode.BAD_PERIOD: "Projektperioden kan ikke læses",
    IssueCode.MISSING_VALUE: "En nødvendig værdi mangler",
    IssueCode.UNKNOWN_THEME: "Ukendt indsatsområde",
    IssueCode.UNKNOWN_TYPE: "Ukendt projekttype",
    IssueCode.UNKNOWN_ROUND: "Ukendt runde",
    IssueCode.UNKNOWN_DECISION: "Ukendt afgørelse (ventede tilsagn, afslag eller afventer)",
    IssueCode.UNKNOWN_PROGRESS: "Ukendt fremdriftsvurdering",
    IssueCode.UNKNOWN_STATUS: "Ukendt projektstatus",
    IssueCode.AMBIGUOUS_NAME: "Navnet passer på flere indsatsområder, typer eller runder",
    IssueCode.GRANTED_ABOVE_APPLIED: "Bevilget beløb er større end ansøgt beløb",
    IssueCode.REJECTED_WITH_AMOUNT: "Afslag med et bevilget beløb",
    IssueCode.GRANTED_WITHOUT_AMOUNT: "Tilsagn uden bevilget beløb",
    IssueCode.ROUND_CAP_EXCEEDED: "Beløbet er over rundens loft",
    IssueCode.FRAMEWORK_EXCEEDED: "Årets tilsagn er over den økonomiske ramme",
    IssueCode.THEME_NOT_OPEN: "Indsatsområdet var ikke åbent det år",
    IssueCode.YEAR_OUTSIDE_PACT: "Året ligger uden for pagtens periode",
    IssueCode.DUPLICATE_TITLE: "Samme projekttitel optræder flere gange",
    IssueCode.SUBTOTAL_MISMATCH: "Sumrækken stemmer ikke med rækkerne over den",
    IssueCode.NEGATIVE_AMOUNT: "Negativt beløb",
    IssueCode.PERIOD_REVERSED: "Projektperioden slutter før den starter",
    IssueCode.EXCEL_ERROR: "Cellen indeholder en Excel-fejlværdi (fx #REF!)",
    IssueCode.FORMULA_WITHOUT_VALUE: "En formel uden gemt resultat",
    IssueCode.AMBIGUOUS_AMOUNT: "Beløbet kan læses på to måder",
    IssueCode.IMPLAUSIBLE_AMOUNT: "Beløbet er usandsynligt stort eller lille",
    IssueCode.UNIT_MISMATCH: "Kolonnens beløb passer ikke til enheden i overskriften",
    IssueCode.THEME_NUMBER_MISMATCH: "Indsatsområdets nummer passer ikke til navnet",
    IssueCode.BAD_FRAMEWORK_ROW: "En række i rammearket kan ikke læses",
    IssueCode.DUPLICATE_FRAMEWORK_YEAR: "Samme år står flere gange i rammearket",
    IssueCode.BUDGET_FORM_NOT_FOUND: "Filen indeholder intet budgetskema",
    IssueCode.BUDGET_MISSING_VALUE: "En nødvendig værdi mangler i budgettet",
    IssueCode.BUDGET_BAD_AMOUNT: "Et beløb i budgettet kan ikke læses",
    IssueCode.BUDGET_UNKNOWN_CATEGORY: "Ukendt udgiftskategori i budgettet",
    IssueCode.BUDGET_TOTAL_MISMATCH: "Budgetlinjerne summer ikke til Udgifter i alt",
    IssueCode.BUDGET_OPERATIONS: "Driftsudgift i budgettet (puljen støtter ikke drift)",
    IssueCode.BUDGET_APPLIED_MISMATCH: "Ansøgt beløb i budgettet afviger fra oversigten",
    IssueCode.BUDGET_NOT_IN_OVERVIEW: "Budgettet passer ikke til nogen ansøgning i oversigten",
    IssueCode.BUDGET_COFINANCING_LOW: "Medfinansieringen er under pagtens minimum",
    IssueCode.BUDGET_OVERSPENT: "Forbruget er større end bevillingen",
    IssueCode.BUDGET_UNDERSPEND_RISK: "Risiko for underforbrug",
    IssueCode.BUDGET_PERIOD_MISSING: "Budgettet har ingen læsbar projektperiode",
    IssueCode.BUDGET_NO_FILES: "Ingen budgetskemaer fundet",
    IssueCode.AMBIGUOUS_SUBTOTAL: "Rækken ligner både en sumrække og en ansøgning",
    IssueCode.DUPLICATE_FILE: "Samme fil er givet flere gange",
    IssueCode.DUPLICATE_CASE_ID: "Samme sagsnummer optræder flere gange",
    IssueCode.DUPLICATE_APPLICATION: "Samme ansøgning optræder flere gange",
    IssueCode.GOAL_SHEET_NOT_FOUND: "Arket Målopfølgning eller Aktiviteter findes ikke i filen",
    IssueCode.GOAL_BAD_VALUE: "Et år, et tal eller en dato i målopfølgningen kan ikke læses",
    IssueCode.GOAL_UNKNOWN_INDICATOR: "Ukendt indikator (ikke et af pagtens målte mål)",
    IssueCode.GOAL_DUPLICATE_FIGURE: "Samme indikator og år står flere gange",
    IssueCode.GOAL_BASELINE_MISSING: "Basisårets tal mangler for indikatoren",
    IssueCode.GOAL_YEAR_MISSING: "Et år mangler i målopfølgningen",
    IssueCode.GOAL_UNKNOWN_KIND: "Ukendt aktivitetstype",
    IssueCode.GOAL_UNKNOWN_AREA: "Ukendt indsatsområde i handlingsplanen",
    IssueCode.GOAL_UNKNOWN_CASE: "Aktiviteten henviser til et sagsnummer, der ikke findes i oversigten",
    IssueCode.ASSESSMENT_BAD_SCORE: "En score i vurderingen kan ikke læses eller ligger uden for skalaen",
    IssueCode.ASSESSMENT_BAD_AMOUNT: "Det indstillede beløb kan ikke læses",
    IssueCode.ASSESSMENT_UNKNOWN_RECOMMENDATION: "Ukendt indstilling (ventet ja, nej eller delvis)",
    IssueCode.ASSESSMENT_AMOUNT_WITHOUT_RECOMMENDATION: "Indstillet beløb uden en indstilling",
    IssueCode.ASSESSMENT_PARTIAL_WITHOUT_AMOUNT: "Delvis indstilling uden indstillet beløb",
    IssueCode.ROUND_NO_FRAMEWORK: "Ingen ramme for rundens år",
    IssueCode.ROUND_NO_APPLICATIONS: "Ingen ansøgninger i runden",
    IssueCode.RECOMMENDED_OVER_FRAMEWORK: "De indstillede beløb overstiger den resterende ramme",
    IssueCode.RECOMMENDED_ABOVE_APPLIED: "Indstillet beløb er større end det ansøgte",
    IssueCode.RECOMMENDED_ABOVE_CAP: "Indstillet beløb overstiger loftet for små projekter",
    IssueCode.RECOMMENDED_THEME_NOT_OPEN: "Indstillet til et indsatsområde, der ikke var åbent det år",
    IssueCode.RECOMMENDED_BUDGET_OPERATIONS: "Den indstillede ansøgnings budget har driftsudgifter",
    IssueCode.RECOMMENDED_BUDGET_MISMATCH: "Den indstillede ansøgnings budget passer ikke til det ansøgte beløb",
    IssueCode.RECOMMENDED_TWICE: "Samme projekt er indstillet flere gange",
    IssueCode.LETTER_NO_AMOUNT: "Tilsagn uden bevilget beløb: intet brev",
    IssueCode.LETTER_ROW_HAS_ERRORS: "Rækken har fejl: intet brev",
    IssueCode.TEMPLATE_MACROS_REMOVED: "Skabelonen indeholder makroer (VBA); de er fjernet fra kladden",
    IssueCode.TEMPLATE_REMOTE_TEMPLATE_REMOVED: "Skabelonen henter en skabelon udefra; henvisningen er fjernet",
    IssueCode.TEMPLATE_DDE_FIELD_REMOVED: "Skabelonen har et DDE-felt, der kan starte programmer; feltet er fjernet",
}


def describe(code: IssueCode | str) -> str:
    """The Danish one-line description of an issue code (a code without one: the code itself)."""
    try:
        return ISSUE_DESCRIPTIONS[IssueCode(code)]
    except (KeyError, ValueError):
        return str(code)
