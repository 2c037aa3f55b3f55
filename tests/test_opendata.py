"""Open data (issue 25): `pagt-xl eksport --format 360giving` checked against the 360Giving Data Standard's own
JSON schema (a copy in tests/data/360giving, with its licence), the spreadsheet's column titles against the schema's
titles, the ledger's amount disbursed, and no personal data."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import openpyxl
import pytest
from conftest import HEADER, ROOT, WORKBOOKS, good_rows, write_workbook
from jsonschema import Draft202012Validator
from referencing import Registry
from referencing.jsonschema import DRAFT202012

SCHEMAS = ROOT / "tests" / "data" / "360giving"
NORD = WORKBOOKS / "nordjylland_ansoegninger_2019-2023.xlsx"
LEDGER = WORKBOOKS / "udbetalinger_nordjylland.xlsx"


@pytest.fixture(scope="module")
def validator() -> Draft202012Validator:
    package = json.loads((SCHEMAS / "360-giving-package-schema.json").read_text(encoding="utf-8"))
    grant = json.loads((SCHEMAS / "360-giving-schema.json").read_text(encoding="utf-8"))
    resource = DRAFT202012.create_resource(grant)
    # the package schema refers to the grant schema by its 1.4.2 address: both addresses are the local copy
    registry = Registry().with_resources([(grant["$id"], resource), (package["properties"]["grants"]["items"]["$ref"],
                                                                    resource)])  # fmt: skip
    return Draft202012Validator(package, registry=registry, format_checker=Draft202012Validator.FORMAT_CHECKER)


def _errors(validator: Draft202012Validator, doc: Any) -> list[str]:
    return [f"{list(e.absolute_path)}: {e.message[:200]}" for e in validator.iter_errors(doc)]


def test_the_schema_copy_is_the_standards_with_its_licence():
    assert "creativecommons.org/licenses/by/4.0" in (SCHEMAS / "LICENSE.md").read_text(encoding="utf-8")
    grant = json.loads((SCHEMAS / "360-giving-schema.json").read_text(encoding="utf-8"))
    assert grant["$id"].endswith("/schema/360-giving-schema.json") and "recipientOrganization" in grant["properties"]


def test_the_validator_refuses_a_grant_without_its_core_fields(validator):
    doc = {"grants": [{"id": "360G-x-1", "title": "t", "description": "d", "currency": "DKK", "amountAwarded": 1,
                       "awardDate": "2024-02-15"}]}  # fmt: skip
    assert _errors(validator, doc)  # no recipient and no funder: the check can fail


def test_sample_export_is_valid_360giving_with_the_ledger(cli, tmp_path, validator):
    proc = cli("eksport", NORD, "--format", "360giving", "--out", tmp_path, "--prefix", "360G-nordtest",
               "--payments", LEDGER, "--date", "2024-02-15")  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr
    doc = json.loads((tmp_path / "360giving_nordjylland.json").read_text(encoding="utf-8"))
    assert _errors(validator, doc) == []
    grants = {g["id"]: g for g in doc["grants"]}
    assert len(grants) == 27
    lamstem = grants["360G-nordtest-2023-05"]
    assert (lamstem["currency"], lamstem["amountAwarded"], lamstem["recipientOrganization"][0]["name"]) == (
        "DKK", 1_300_000, "Aalborg Universitet")
    assert lamstem["fundingOrganization"][0]["name"] == "Region Nordjylland"
    assert lamstem["plannedDates"] == [{"startDate": "2023-01-01", "endDate": "2025-12-31"}]
    from pagt_xl import load_pact
    from pagt_xl.pipeline import run_ledger

    ledger = run_ledger([LEDGER], load_pact("nordjylland"), overview=[NORD]).ledger
    assert {g["id"].removeprefix("360G-nordtest-"): g["amountDisbursed"] for g in doc["grants"]} == {
        a.case_id: a.net_paid for a in ledger.accounts}
    assert grants["360G-nordtest-2021-03"]["amountDisbursed"] == 165_000  # 200.000 paid, 35.000 paid back


def _unflatten(titles: list[str], row: tuple[Any, ...], schema: dict[str, Any]) -> dict[str, Any]:
    """A grant from a 360Giving spreadsheet row, by the schema's own titles ("Recipient Org:Identifier")."""
    props = schema["properties"]
    defs = schema["$defs"]

    def field(parent: dict[str, Any], title: str) -> tuple[str, dict[str, Any]]:
        for key, spec in parent.items():
            resolved = defs[spec["$ref"].rsplit("/", 1)[-1]] if "$ref" in spec else spec
            if spec.get("title", resolved.get("title")) == title:
                return key, spec
        raise AssertionError(f"'{title}' is not a title of the 360Giving schema")

    grant: dict[str, Any] = {}
    for title, value in zip(titles, row, strict=True):
        if value is None:
            continue
        head, _, sub = title.partition(":")
        key, spec = field(props, head)
        if not sub:
            grant[key] = value
            continue
        item = defs[spec["items"]["$ref"].rsplit("/", 1)[-1]]
        sub_key, _ = field(item["properties"], sub)
        grant.setdefault(key, [{}])[0][sub_key] = value
    return grant


def test_the_spreadsheet_uses_the_standards_titles_and_is_valid(cli, tmp_path, validator):
    assert cli("eksport", NORD, "--out", tmp_path, "--prefix", "360G-nordtest", "--date", "2024-02-15").returncode == 0
    ws = openpyxl.load_workbook(tmp_path / "360giving_nordjylland.xlsx")["grants"]
    rows = list(ws.iter_rows(values_only=True))
    schema = json.loads((SCHEMAS / "360-giving-schema.json").read_text(encoding="utf-8"))
    grants = [_unflatten(list(rows[0]), r, schema) for r in rows[1:]]
    assert len(grants) == 27
    assert _errors(validator, {"grants": grants}) == []
    doc = json.loads((tmp_path / "360giving_nordjylland.json").read_text(encoding="utf-8"))
    assert grants == doc["grants"]  # the spreadsheet says what the JSON says
    assert "Amount Disbursed" not in rows[0]  # without the ledger: not known


def test_no_personal_data_and_the_overviews_cvr_and_decision_date(cli, tmp_path, validator):
    rows = good_rows()
    rows[0] = [*HEADER, "Kontaktperson", "E-mail", "Telefon", "Sagsbehandler", "CVR-nr.", "Tilsagnsdato"]
    rows[1] += ["Jens Hansen", "jens@example.dk", "+45 1234 5678", "MD", "29 19 09 09", dt.datetime(2020, 6, 18)]
    rows[2] += ["Karen Jensen", "karen@example.dk", "98765432", "LK", "nej tak", None]
    for r in rows[3:]:
        r += [None] * 6
    path = write_workbook(tmp_path / "o.xlsx", {"Ansøgninger": rows})
    out = tmp_path / "ud"
    proc = cli("eksport", path, "--out", out, "--prefix", "360G-test", "--date", "2024-02-15")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "opendata_bad_value" in proc.stdout  # the CVR cell that is no CVR number, said with its cell
    text = (out / "360giving_nordjylland.json").read_text(encoding="utf-8")
    doc = json.loads(text)
    assert _errors(validator, doc) == []
    for word in ("Jens", "Hansen", "Karen", "jens@", "example.dk", "1234 5678", "98765432", "MD", "LK"):
        assert word not in text, word
    wb = openpyxl.load_workbook(out / "360giving_nordjylland.xlsx")
    sheet_text = " ".join(str(v) for r in wb["grants"].iter_rows(values_only=True) for v in r if v is not None)
    assert "Jens" not in sheet_text and "example.dk" not in sheet_text
    assert not any(k in g for g in doc["grants"] for k in ("recipientIndividual", "contactName", "email"))
    first, second = doc["grants"]
    assert first["recipientOrganization"][0]["id"] == "DK-CVR-29190909"
    assert first["awardDate"] == "2020-06-18"
    assert second["recipientOrganization"][0]["id"] == "360G-test-ORG-region-nordjylland"
    assert second["awardDate"] == "2020-12-31"  # no decision date: 31 December of the grant year


def test_export_refuses_without_a_prefix_and_an_unreadable_file(cli, tmp_path):
    proc = cli("eksport", NORD, "--out", tmp_path)
    assert proc.returncode == 2 and "--prefix" in proc.stderr
    junk = tmp_path / "x.xlsx"
    junk.write_bytes(b"nope")
    proc = cli("eksport", junk, "--out", tmp_path / "u", "--prefix", "360G-test")
    assert proc.returncode == 2 and "x.xlsx" in proc.stderr
    assert not (tmp_path / "u").exists()


def test_a_grant_without_case_number_or_applicant_is_left_out_and_said(cli, tmp_path):
    rows = good_rows()
    rows[1][1] = None  # no case number
    rows[2][3] = "FremKom 4"  # no "v/ applicant"
    path = write_workbook(tmp_path / "o.xlsx", {"Ansøgninger": rows})
    out = tmp_path / "ud"
    proc = cli("eksport", path, "--out", out, "--prefix", "360G-test")
    assert proc.returncode == 1 and "intet skrevet" in proc.stderr  # no grant left: no (invalid, empty) package
    assert not out.exists()
    from pagt_xl import load_pact
    from pagt_xl.pipeline import run_giving

    job = run_giving([path], load_pact("nordjylland"), tmp_path / "ud2", prefix="360G-test",
                     modified=dt.datetime(2024, 2, 15, tzinfo=dt.UTC))  # fmt: skip
    assert [(i.code.value, i.row) for i in job.issues] == [("opendata_grant_skipped", 2), ("opendata_grant_skipped", 3)]


def test_every_opendata_code_is_tested():
    from pagt_xl.base.model import IssueCode

    tested = {"opendata_bad_value", "opendata_grant_skipped"}  # the two tests above
    assert {c.value for c in IssueCode if c.value.startswith("opendata_")} == tested
