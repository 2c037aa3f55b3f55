"""Pact configuration: shipped pacts load, broken ones fail clearly."""

from __future__ import annotations

from pathlib import Path

import pytest

from pagt_xl.config import available_pacts, load_pact
from pagt_xl.errors import ConfigError

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
    assert len(midt.themes) == 9
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
    ("patch", "fragment"),
    [
        ("first_year = 2030\n", "first_year"),
        ('[open_themes]\n2021 = ["zz"]\n', "open_themes"),
        ('[[themes]]\nkey = "a"\nname = "Beta"\n', "brugt flere gange"),
        ('[[themes]]\nkey = "b"\nname = "alfa"\n', "themes"),
        ("bogus = 1\n", "bogus"),
    ],
)
def test_broken_config_is_a_clear_error(tmp_path: Path, patch: str, fragment: str):
    text = MINIMAL.replace("first_year = 2020\n", "") if patch.startswith("first_year") else MINIMAL
    path = tmp_path / "brudt.toml"
    # top-level keys must precede tables in TOML
    if "[" in patch:
        path.write_text(text + patch, encoding="utf-8")
    else:
        path.write_text(patch + text, encoding="utf-8")
    with pytest.raises(ConfigError) as exc:
        load_pact(path)
    assert "brudt.toml" in str(exc.value)
    assert fragment in str(exc.value)


def test_unknown_pact_name():
    with pytest.raises(ConfigError, match="ukendt pagt"):
        load_pact("sydjylland")


def test_invalid_toml(tmp_path: Path):
    path = tmp_path / "x.toml"
    path.write_text("key = ", encoding="utf-8")
    with pytest.raises(ConfigError, match="ikke gyldig TOML"):
        load_pact(path)
