"""Cell functions, called directly as Excel would (2-D lists with the header row), including bad input."""

from __future__ import annotations

import openpyxl
import pytest
from conftest import HEADER, WORKBOOKS, good_rows

from pagt_xl.xl import functions as f

NORD_FILE = WORKBOOKS / "nordjylland_ansoegninger_2019-2023.xlsx"


@pytest.fixture(scope="module")
def sample() -> list[list[object]]:
    ws = openpyxl.load_workbook(NORD_FILE, data_only=True)["Ansøgninger"]
    return [list(r) for r in ws.iter_rows(min_row=4, values_only=True)]  # the range from the header row down


def test_beloeb():
    assert f.beloeb("1,3 mio. kr.") == 1_300_000
    assert f.beloeb([["kr. 300.000,-"]]) == 300_000
    assert f.beloeb(404567.0) == 404_567
    assert f.beloeb("abc").startswith("#PAGT: 'abc' er ikke et beløb")
    assert f.beloeb(None) == "#PAGT: cellen er tom"
    assert f.beloeb([["a", "b"]]) == "#PAGT: forventede én celle, ikke et område"


def test_tema():
    assert f.tema("3. STEM-kompetencer målrettet...") == "STEM-kompetencer målrettet de nordjyske virksomheders behov"
    assert f.tema("Baeredygtighed", "midtjylland") == "Bæredygtighed"
    assert f.tema("Blå økonomi") == "#PAGT: ukendt indsatsområde 'Blå økonomi'"
    assert f.tema("x", "sjælland").startswith("#PAGT: ukendt pagt 'sjælland'")


def test_bevilget_and_antal(sample):
    assert f.bevilget(sample) == 23_231_178 and f.antal(sample) == 27
    assert f.bevilget(sample, 2023) == 5_635_678 and f.antal(sample, 2023.0) == 8
    assert f.antal(sample, None, "De potentielle STEM'ere") == 13
    assert f.bevilget(sample, None, None, "Småprojekter") == 195_000
    assert f.bevilget(sample, "tyve") == "#PAGT: ugyldigt år 'tyve'"
    assert f.bevilget(sample, None, "Blå økonomi") == "#PAGT: ukendt indsatsområde 'Blå økonomi'"
    assert f.antal(good_rows()) == 2


def test_fordeling(sample):
    table = f.fordeling(sample, "tema")
    assert table[0] == ["Indsatsområde", "Projekter", "Støttebeløb", "Andel"]
    assert table[-1][:3] == ["I alt", 27, 23_231_178]
    assert sum(r[2] for r in table[1:-1]) == 23_231_178
    assert abs(sum(r[3] for r in table[1:-1]) - 1) < 1e-12
    assert f.fordeling(sample, "År")[1][0] == 2019
    assert f.fordeling(sample, "farve").startswith("#PAGT: ukendt nøgle 'farve'")


def test_valider(sample):
    table = f.valider(sample)
    assert table[0] == ["Celle", "Alvor", "Kode", "Besked"]
    codes = {r[2] for r in table[1:]}
    assert "theme_not_open" in codes
    bad = [HEADER, [2020, "A", "Åben runde", "X v/Y", "Blå økonomi", "Motiverende", 100, "Tilsagn", 100]]
    rows = f.valider(bad)
    assert rows[1][:3] == ["E2", "Fejl", "unknown_theme"]


@pytest.mark.parametrize("data", [None, [], [[]], [["x", "y"], [1, 2]], "tekst", [[None, None]]])
def test_bad_data_is_a_readable_text(data):
    for result in (f.bevilget(data), f.antal(data), f.fordeling(data, "tema"), f.valider(data)):
        assert isinstance(result, str) and result.startswith("#PAGT: ")


def test_every_function_has_a_danish_docstring():
    for name in f.__all__:
        fn = getattr(f, name)
        assert fn.__doc__ and "(PAGT." in fn.__doc__, name
