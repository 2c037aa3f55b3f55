"""Pact configuration: shipped pacts load, broken ones fail clearly."""

from __future__ import annotations

from pathlib import Path

import pytest

from pagt_xl.base.config import available_pacts, load_pact
from pagt_xl.base.errors import ConfigError, ErrorCode

MINIMAL = """
key = "test"
name = "Testpagt"
region = "Region Test"
first_year = 2020
last_year = 2022
[[themes]]
key = "a"
name = "Alfa"
"""


def test_shipped_pacts():
    assert available_pacts() == ["midtjylland", "nordjylland"]
    nord = load_pact("nordjylland")
    assert [t.key for t in nord.themes] == ["1", "2", "3", "4"]
    assert nord.round("smaa").cap == 100_000
    assert nord.open_themes == {2021: ["2", "3"]}
    assert not nord.is_theme_open("1", 2021) and nord.is_theme_open("1", 2022)
    midt = load_pact("midtjylland")
    assert len(midt.themes) == 10  # the 9 themes and "Nationalt udbud", the seed's own category
    assert midt.project_types == [] and midt.rounds == []
    assert "applied" in nord.columns.required and "applied" not in midt.columns.required


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("1. De potentielle STEM'ere", "1"),
        ("De potentielle STEM’er", "1"),
        ("3. STEM-kompetencer målrettet...", "3"),
        ("STEM kompetencer til alle", "4"),
        ("Piger og kvinder i STEM", "2"),
    ],
)
def test_nord_theme_spellings(name, expected):
    assert load_pact("nordjylland").theme_matcher.match(name).key == expected


@pytest.mark.parametrize("name", ["Interessevækkelse", "Interessevækkelser", "Interessevækkende"])
def test_nord_type_spellings(name):
    assert load_pact("nordjylland").type_matcher.match(name).key == "interesse"


def test_small_round_spellings():
    m = load_pact("nordjylland").round_matcher
    assert m.match("Småprojekter").key == m.match("Små projekter").key == "smaa"


def test_pact_by_path(tmp_path: Path):
    path = tmp_path / "test.toml"
    path.write_text(MINIMAL, encoding="utf-8")
    pact = load_pact(path)
    assert pact.name == "Testpagt"
    assert "granted" in pact.columns.required  # common defaults merged in


@pytest.mark.parametrize(
    ("patch", "setting", "code"),
    [
        ("first_year = 2030\n", "first_year", ErrorCode.CONFIG_INVALID),
        ('[open_themes]\n2021 = ["zz"]\n', "open_themes", ErrorCode.CONFIG_INVALID),
        ('[[themes]]\nkey = "a"\nname = "Beta"\n', "themes", ErrorCode.CONFIG_INVALID),
        ('[[themes]]\nkey = "b"\nname = "alfa"\n', "themes", ErrorCode.CONFIG_CONFLICT),
        ("bogus = 1\n", "bogus", ErrorCode.CONFIG_INVALID),
    ],
)
def test_broken_config_is_a_clear_error(tmp_path: Path, patch: str, setting: str, code: ErrorCode):
    """A ConfigError with its code, naming the file and the setting; a validator's own Danish message comes
    without pydantic's English "Value error" prefix."""
    text = MINIMAL.replace("first_year = 2020\n", "") if patch.startswith("first_year") else MINIMAL
    path = tmp_path / "brudt.toml"
    # top-level keys must precede tables in TOML
    if "[" in patch:
        path.write_text(text + patch, encoding="utf-8")
    else:
        path.write_text(patch + text, encoding="utf-8")
    with pytest.raises(ConfigError) as exc:
        load_pact(path)
    assert exc.value.code is code
    assert "brudt.toml" in str(exc.value)
    assert setting in str(exc.value)
    assert "Value error" not in str(exc.value)


def test_unknown_pact_name():
    with pytest.raises(ConfigError) as info:
        load_pact("sydjylland")
    assert info.value.code is ErrorCode.UNKNOWN_PACT


def test_invalid_toml(tmp_path: Path):
    path = tmp_path / "x.toml"
    path.write_text("key = ", encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_pact(path)
    assert info.value.code is ErrorCode.CONFIG_INVALID and str(path) in str(info.value)


# -- merging: replace instead of extend, conflicts ------------------------------------------------------------------
OVERVIEW_HEADER = ["År", "Sagsnr.", "Projekttitel", "Indsatsområde", "Ansøgt beløb", "Afgørelse", "Støttebeløb"]
NO_SAMLET = 'replace = ["subtotal_labels"]\nsubtotal_labels = ["I alt", "Ialt", "Total", "Sum", "Subtotal"]\n'
GODKENDT_PENDING = """
[decisions]
replace = ["granted"]
granted = ["Tilsagn", "Bevilget", "Støttet"]
pending = ["Godkendt"]
"""


def _pact_file(tmp_path: Path, top: str = "", tables: str = "", name: str = "pagt.toml") -> Path:
    path = tmp_path / name
    path.write_text(top + MINIMAL + tables, encoding="utf-8")  # top-level keys must precede tables in TOML
    return path


def _overview(workbook, rows: list[list[object]]) -> Path:
    return workbook({"Ansøgninger": [OVERVIEW_HEADER, *rows]})


def test_replace_drops_a_common_subtotal_word(tmp_path: Path, workbook):
    from pagt_xl import run_validation

    path = _overview(workbook, [
        [2021, "21-01", "Robotter", "Alfa", 100_000, "Tilsagn", 100_000],
        [2021, None, "Samlet 2021", None, 100_000, None, 100_000],
    ])  # fmt: skip
    common = run_validation([path], load_pact(_pact_file(tmp_path)))
    assert list(common.table["title"]) == ["Robotter"]  # "Samlet 2021" is a subtotal row with the common words
    own = load_pact(_pact_file(tmp_path, top=NO_SAMLET, name="uden_samlet.toml"))
    assert "Samlet" not in own.subtotal_labels
    replaced = run_validation([path], own)
    assert list(replaced.table["title"]) == ["Robotter", "Samlet 2021"]


def test_replace_moves_a_decision_word(tmp_path: Path, workbook):
    from pagt_xl import run_validation
    from pagt_xl.base.model import Decision

    pact = load_pact(_pact_file(tmp_path, tables=GODKENDT_PENDING))
    assert pact.decision_matcher.match("Godkendt").key == "pending"
    assert pact.decision_matcher.match("Tilsagn").key == "granted"
    assert pact.decision_matcher.match("Afslag").key == "rejected"  # tables not named in replace still extend
    path = _overview(workbook, [[2021, "21-01", "Robotter", "Alfa", 100_000, "Godkendt", None]])
    assert list(run_validation([path], pact).table["decision"]) == [Decision.PENDING]


@pytest.mark.parametrize(
    ("top", "tables", "setting"),
    [
        ("", '[decisions]\npending = ["Godkendt"]\n', "decisions"),  # granted (common) and pending
        ("", '[statuses]\nfinished = ["I gang"]\n', "statuses"),
        ("", '[budgets.categories]\n"Forplejning" = ["Husleje"]\n', "budgets.categories"),  # Husleje is Drift
        ("", '[budgets.labels]\ntotal = ["Tilsagn"]\n', "budgets.labels"),  # Tilsagn is the grant's label
        ("", '[budgets]\nspending_headers = ["Beløb"]\n', "budgets.spending_headers"),  # Beløb is an amount header
        ("", '[columns.aliases]\ntitle = ["Sagsnr."]\n', "columns.aliases"),
        ("", '[[themes]]\nkey = "b"\nname = "alfa"\n', "themes"),
    ],
    ids=["decisions", "statuses", "categories", "labels", "spending", "columns", "themes"],
)
def test_a_word_in_two_places_is_a_conflict(tmp_path: Path, top: str, tables: str, setting: str):
    path = _pact_file(tmp_path, top, tables, name="konflikt.toml")
    with pytest.raises(ConfigError) as exc:
        load_pact(path)
    assert exc.value.code is ErrorCode.CONFIG_CONFLICT
    assert "konflikt.toml" in str(exc.value) and setting in str(exc.value)


@pytest.mark.parametrize(
    ("top", "tables", "setting"),
    [
        ('replace = ["subtotal_words"]\nsubtotal_words = []\n', "", "subtotal_words"),
        ("", '[decisions]\nreplace = ["granted"]\n', "decisions.granted"),  # no new value given
        ("", '[budgets]\nreplace = ["kategorier"]\n', "budgets.kategorier"),
        ('replace = "subtotal_labels"\n', "", "replace"),
    ],
    ids=["unknown-top-level", "no-new-value", "unknown-in-table", "not-a-list"],
)
def test_bad_replace_is_a_config_error(tmp_path: Path, top: str, tables: str, setting: str):
    path = _pact_file(tmp_path, top, tables, name="erstat.toml")
    with pytest.raises(ConfigError) as exc:
        load_pact(path)
    assert exc.value.code is ErrorCode.CONFIG_INVALID
    assert "erstat.toml" in str(exc.value) and setting in str(exc.value)


def test_replace_a_budget_table(tmp_path: Path):
    tables = """
[budgets]
replace = ["categories", "excluded_categories"]
excluded_categories = []
[budgets.categories]
"Løn" = ["Timer"]
"Andet" = []
"""
    words = load_pact(_pact_file(tmp_path, tables=tables)).budgets
    assert list(words.categories) == ["Løn", "Andet"] and words.operations == frozenset()
    assert words.category_matcher.match("Timer").key == "Løn"
    assert words.category_matcher.match("Husleje").key is None
    assert words.labels.total == load_pact("nordjylland").budgets.labels.total  # untouched tables still merge


def test_budget_words_are_validated(tmp_path: Path):
    path = _pact_file(tmp_path, tables='[budgets]\nexcluded_categories = ["Kaffe"]\n', name="drift.toml")
    with pytest.raises(ConfigError) as exc:
        load_pact(path)
    assert exc.value.code is ErrorCode.CONFIG_INVALID and "excluded_categories" in str(exc.value)


def test_shipped_budget_words():
    words = load_pact("nordjylland").budgets
    assert next(iter(words.categories)) == "Løn og timer" and words.operations == {"Drift"}
    assert words.category_matcher.match("Husleje").key == "Drift"
    assert words.label_index["bevilget fra puljen"] == "granted"
    assert words.spending_pattern.match("forbrug 2024")
    assert words.category_matcher is words.category_matcher  # built once per pact, not per file


def test_error_codes_of_missing_and_unknown_pacts(tmp_path: Path):
    with pytest.raises(ConfigError) as exc:
        load_pact("sydjylland")
    assert exc.value.code is ErrorCode.UNKNOWN_PACT
    with pytest.raises(ConfigError) as exc:
        load_pact(tmp_path / "findes_ikke.toml")
    assert exc.value.code is ErrorCode.CONFIG_NOT_FOUND


def test_budget_layout_words_extend_from_a_pact(tmp_path: Path):
    """A pact adds a spending word, an operations keyword and a period label; the common ones still apply."""
    tables = """
[budgets]
spending_headers = ["Brugt"]
operations_keywords = ["Kantine"]
[budgets.labels]
period = ["Løbetid"]
"""
    words = load_pact(_pact_file(tmp_path, tables=tables)).budgets
    assert words.spending_year("Brugt i 2025") == 2025 and words.spending_year("Afholdt 2024") == 2024
    assert words.spending_year("Budget 2024") is None
    assert words.operations_keyword("Kantine og husleje") == "Kantine"
    assert words.operations_keyword("Elever og elevråd") is None
    assert words.label_field("Løbetid") == "period" and words.label_field("Projektperiode") == "period"
