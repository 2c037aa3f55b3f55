"""CSV that opens in a Danish Excel, read back with Python's csv: ``;``, decimal comma, Danish headers, BOM.

The machine dialect keeps the English keys and the comma form; both carry the same figures as the JSON.
"""

from __future__ import annotations

import csv
import io
import json

import pytest
from conftest import WORKBOOKS, good_rows

from pagt_xl.outputs.documents import BREAKDOWN_LABELS
from pagt_xl.outputs.files import ISSUE_FIELDS, ISSUE_LABELS, SEVERITY_DA

NORD = WORKBOOKS / "nordjylland_ansoegninger_2019-2023.xlsx"
BOM = "\ufeff"


def danish_rows(text: str) -> list[dict[str, str]]:
    """A Danish CSV as Excel would split it: byte-order mark first, ``;`` between cells."""
    assert text.startswith(BOM)
    return list(csv.DictReader(io.StringIO(text.removeprefix(BOM), newline=""), delimiter=";"))


def number(text: str) -> float:
    """A Danish number cell (decimal comma, no thousands separator) as a float."""
    assert "." not in text, text
    return float(text.replace(",", "."))


def test_validate_csv_is_danish_and_complete(cli, workbook):
    rows = good_rows()
    rows[2][4] = "Blå økonomi"
    rows[0] = [*rows[0], "Sagsbehandler"]  # a copy: the header list is shared
    path = workbook({"A": rows})
    proc = cli("validate", path, "--format", "csv")
    assert proc.returncode == 1
    table = danish_rows(proc.stdout)
    assert list(table[0]) == [ISSUE_LABELS[f] for f in ISSUE_FIELDS]
    issues = json.loads(cli("validate", path, "--format", "json").stdout)["issues"]
    assert [(r["Celle"], r["Kode"], r["Alvor"]) for r in table] == [
        (i["cell"] or "", i["code"], SEVERITY_DA[i["severity"]]) for i in issues
    ]
    assert {r["Alvor"] for r in table} == {"Fejl", "Info"}
    machine = list(csv.DictReader(io.StringIO(cli("validate", path, "--format", "csv", "--csv-dialect", "maskine")
                                              .stdout)))  # fmt: skip
    assert [r["severity"] for r in machine] == [i["severity"] for i in issues]  # error, info: the English values


@pytest.mark.parametrize("key", ["theme", "year", "target_group", "applicant"])
def test_breakdown_csv_has_decimal_commas_and_the_json_figures(cli, key):
    doc = json.loads(cli("breakdown", NORD, "--by", key, "--format", "json").stdout)
    table = danish_rows(cli("breakdown", NORD, "--by", key, "--format", "csv").stdout)
    label = BREAKDOWN_LABELS[key]
    assert len(table) == len(doc["rows"])
    for row, expected in zip(table, doc["rows"], strict=True):
        assert row[label] == str(expected[key])
        assert int(row["Støttebeløb (kr.)"]) == expected["granted"]  # whole kroner, no separator
        assert int(row["Andel (%)"]) == expected["percent"]
        assert number(row["Andel"]) == pytest.approx(expected["share"], abs=5e-5)  # 0,6386, not 0.6385536...
        assert len(row["Andel"].partition(",")[2]) <= 4
    assert any("," in r["Andel"] for r in table)


def test_every_danish_header_is_a_danish_label(cli, tmp_path):
    """Each column of a Danish CSV has a Danish label (Status, Type and Start are the same word in both)."""
    commands = {
        "validate": ["validate", NORD],
        "budgets": ["budgets", WORKBOOKS / "budgetter", "--as-of", "2024-06-01"],
        "maal": ["maal", WORKBOOKS / "maalopfoelgning_nordjylland.xlsx"],
        **{key: ["breakdown", NORD, "--by", key] for key in ("year", "theme", "target_group")},
    }
    same = {"status", "type", "start"}
    for name, argv in commands.items():
        danish = cli(*argv, "--format", "csv").stdout.removeprefix(BOM)
        machine = cli(*argv, "--format", "csv", "--csv-dialect", "maskine").stdout
        keys = next(csv.reader(io.StringIO(machine)))
        labels = next(csv.reader(io.StringIO(danish), delimiter=";"))
        assert len(keys) == len(labels), name
        assert [k for k, label in zip(keys, labels, strict=True) if k == label and k not in same] == [], name
        if name == "year":
            assert "Prioriteret runde (kr.)" in labels  # the year table's round columns by their names


def test_budgets_csv_shares_and_dates(cli):
    text = cli("budgets", WORKBOOKS / "budgetter", "--format", "csv", "--as-of", "2024-06-01").stdout
    table = danish_rows(text)
    doc = json.loads(cli("budgets", WORKBOOKS / "budgetter", "--format", "json", "--as-of", "2024-06-01").stdout)
    by_file = {b["file"]: b for b in doc["budgets"]}
    read = [r for r in table if r["Fil"] in by_file]
    assert read and len(read) == len(by_file)
    for row in read:
        budget = by_file[row["Fil"]]
        assert row["Start"] == (budget["start"] or "")[:10]
        if budget["cofinancing_share"] is not None:
            assert number(row["Medfinansiering (andel)"]) == pytest.approx(budget["cofinancing_share"], abs=5e-5)
    assert any(r["Status"] == "Kan ikke læses" for r in table)  # the file that is no budget is a row too


def test_csv_to_a_file_is_written_with_the_bom_and_machine_without(cli, tmp_path):
    danish, machine = tmp_path / "d.csv", tmp_path / "m.csv"
    assert cli("breakdown", NORD, "--by", "tema", "--format", "csv", "--out", danish).returncode == 0
    assert cli("breakdown", NORD, "--by", "tema", "--format", "csv", "--out", machine,
               "--csv-dialect", "machine").returncode == 0  # fmt: skip
    assert danish.read_bytes().startswith(b"\xef\xbb\xbfIndsatsomr\xc3\xa5de;Projekter;")
    assert b"\r\n" in danish.read_bytes()
    assert machine.read_bytes().startswith(b"theme,projects,granted,share,percent")
    rows = list(csv.DictReader(io.StringIO(danish.read_text(encoding="utf-8-sig"), newline=""), delimiter=";"))
    assert sum(int(r["Støttebeløb (kr.)"]) for r in rows) == 23_231_178


def test_scheduled_run_writes_the_danish_issue_csv_unless_told_otherwise(cli, tmp_path):
    for dialect in ("dansk", "maskine"):
        config = tmp_path / f"{dialect}.toml"
        config.write_text(f'pact = "nordjylland"\ninputs = ["{NORD.as_posix()}"]\noutputs = "{dialect}"\n'
                          f'report = false\nworkbook = false\ncsv_dialect = "{dialect}"\n', encoding="utf-8")  # fmt: skip
        assert cli("run", config, "--date", "2024-02-15").returncode == 0
    danish = (tmp_path / "dansk" / "fejl_nordjylland_2024-02-15.csv").read_text(encoding="utf-8")
    machine = (tmp_path / "maskine" / "fejl_nordjylland_2024-02-15.csv").read_text(encoding="utf-8")
    assert [r["Alvor"] for r in danish_rows(danish)][:1] == ["Info"]
    assert machine.startswith(",".join(ISSUE_FIELDS))
