"""Cell functions, called directly as Excel hands them data (2-D lists with the header row), bad input included."""

from __future__ import annotations

import os

os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")  # before the first import of xlwings

import base64
import datetime as dt
import json
import re
import zlib

import openpyxl
import pandas as pd
import pytest
from conftest import HEADER, WORKBOOKS, good_rows
from xlwings import XlwingsError

from pagt_xl.base.issue_texts import describe
from pagt_xl.xl import _data, core
from pagt_xl.xl import functions as f
from pagt_xl.xl.settings import ServerSettings

NORD_FILE = WORKBOOKS / "nordjylland_ansoegninger_2019-2023.xlsx"
NORD_GRANTED = 23_231_178


def refused(call, *args: object, **kwargs: object) -> str:
    """The message of the XlwingsError (Excel: #VALUE! with this text) that ``call(*args)`` raises, without its
    ``PAGT.NAME: `` label (which is checked here)."""
    with pytest.raises(XlwingsError) as info:
        call(*args, **kwargs)
    message = str(info.value)
    label = f"PAGT.{f.EXCEL_NAMES[call.__name__]}: "
    assert message.startswith(label) and "Traceback" not in message and "\n" not in message, message
    return message.removeprefix(label)


@pytest.fixture(scope="module")
def sheet() -> list[list[object]]:
    """The whole overview sheet of the shipped sample, from A1 (title rows above the header row 4)."""
    ws = openpyxl.load_workbook(NORD_FILE, data_only=True)["Ansøgninger"]
    return [list(r) for r in ws.iter_rows(values_only=True)]


@pytest.fixture(scope="module")
def table(sheet) -> list[list[object]]:
    """The overview from its header row down, as a range like A4:U63."""
    return sheet[3:]


def big_range(n: int, seed: int = 0) -> list[list[object]]:
    themes = ["1. De potentielle STEM'ere", "Flere piger og kvinder i STEM", "STEM kompetencer til alle"]
    rows: list[list[object]] = [HEADER]
    for i in range(n):
        amount = 100_000 + (i * 7919 + seed) % 900_000
        granted = i % 3 != 0
        rows.append([2019 + i % 5, f"{seed}-{i}", "Åben runde", f"Projekt {seed}-{i} v/ Skole {i % 40}",
                     themes[i % 3], "Motiverende", amount, "Tilsagn" if granted else "Afslag",
                     amount if granted else None])  # fmt: skip
    return rows


def test_beloeb():
    assert f.beloeb("1,3 mio. kr.") == 1_300_000
    assert f.beloeb("404.567 kr.") == 404_567
    assert f.beloeb([["kr. 300.000,-"]]) == 300_000
    assert f.beloeb(404567.0) == 404_567
    assert refused(f.beloeb, "abc").startswith("'abc' er ikke et beløb")
    assert refused(f.beloeb, None) == "cellen er tom"
    assert refused(f.beloeb, "") == "cellen er tom"
    assert refused(f.beloeb, [["a", "b"]]) == "forventede én celle, ikke et område"
    assert refused(f.beloeb, {"type": "Error", "basicValue": "#N/A"}).startswith(
        "argumentet 'tekst' er fejlværdien #N/A"
    )
    assert refused(f.beloeb, "#DIV/0!").startswith("argumentet 'tekst' er fejlværdien #DIV/0!")  # err_to_str


def test_tema():
    assert f.tema("3. STEM-kompetencer målrettet...") == "STEM-kompetencer målrettet de nordjyske virksomheders behov"
    assert f.tema("de potentielle stem'er") == "De potentielle STEM'ere"
    assert f.tema("Baeredygtighed", "midtjylland") == "Bæredygtighed"
    assert refused(f.tema, "Blå økonomi") == "ukendt indsatsområde 'Blå økonomi'"
    assert refused(f.tema, "STEM-kompetencer...").startswith("'STEM-kompetencer...' er tvetydig")
    assert refused(f.tema, None) == "angiv et indsatsområde"
    assert refused(f.tema, "x", "sjælland").startswith("ukendt pagt 'sjælland'")


def test_pact_names_from_cells_are_never_paths(tmp_path):
    evil = tmp_path / "evil.toml"
    evil.write_text('name = "x"\n', encoding="utf-8")
    for name in (str(evil), "../pacts/nordjylland.toml", "_common"):
        assert refused(f.tema, "Bæredygtighed", name).startswith("ukendt pagt"), name


def test_bevilget_and_antal(table):
    assert f.bevilget(table) == NORD_GRANTED and f.antal(table) == 27
    assert f.bevilget(table, 2023) == 5_635_678 and f.antal(table, 2023.0) == 8
    assert f.antal(table, "2023") == 8
    assert f.antal(table, None, "De potentielle STEM'ere") == 13
    assert f.antal(table, None, [["1. De potentielle STEM'ere"]]) == 13
    assert f.bevilget(table, None, None, "Småprojekter") == 195_000
    assert f.bevilget(table, 1995) == 0  # a year without grants


def test_bevilget_bad_input(table):
    assert refused(f.bevilget, table, "tyve") == "ugyldigt år 'tyve'; forventede fx 2023"
    assert refused(f.bevilget, table, None, "Blå økonomi") == "ukendt indsatsområde 'Blå økonomi'"
    assert refused(f.antal, table, None, None, "Sommerrunde").startswith("ukendt runde 'Sommerrunde'")
    assert refused(f.bevilget, table, pagt="fyn").startswith("ukendt pagt 'fyn'")


def test_header_row_is_found_below_title_rows(sheet, table):
    assert f.bevilget(sheet) == f.bevilget(table) == NORD_GRANTED


def test_fordeling(table):
    result = f.fordeling(table, "tema")
    assert result[0] == ["Indsatsområde", "Projekter", "Støttebeløb", "Andel"]
    assert result[-1][:3] == ["I alt", 27, NORD_GRANTED]
    assert sum(r[1] for r in result[1:-1]) == 27
    assert sum(r[2] for r in result[1:-1]) == NORD_GRANTED
    assert sum(r[3] for r in result[1:-1]) == pytest.approx(1)
    years = f.fordeling(table, "År")
    assert [r[0] for r in years[1:-1]] == [2019, 2020, 2021, 2022, 2023]
    assert f.fordeling(table, "aar") == years
    assert f.fordeling(table, "type")[0][0] == "Projekttype"
    assert refused(f.fordeling, table, "farve").startswith("ukendt nøgle 'farve'")
    assert refused(f.fordeling, table, "type", "midtjylland") == "Midtjysk Teknologipagt har ingen projekttyper"


def test_fordeling_result_is_a_fresh_list(table):
    first = f.fordeling(table, "runde")
    first[0][0] = "ændret"
    assert f.fordeling(table, "runde")[0][0] == "Runde"


def test_valider(table):
    result = f.valider(table)
    assert result[0] == ["Celle", "Kolonne", "Alvor", "Kode", "Beskrivelse", "Besked", "Værdi"]
    assert all(r[4] == describe(r[3]) for r in result[1:])  # each code with its Danish description
    warnings = [(r[0], r[1], r[2]) for r in result[1:] if r[3] == "theme_not_open"]
    # the range starts at A4, so the sheet's E34 and E38 are E31 and E35 of the range
    assert warnings == [("E31", "Indsatsområde", "Advarsel"), ("E35", "Indsatsområde", "Advarsel")]


def test_valider_reports_bad_cells():
    na = {"type": "Error", "basicValue": "#N/A"}
    bad = [HEADER, [2020, "A", "Åben runde", "X v/Y", "Blå økonomi", "Motiverende", 100, "Tilsagn", na]]
    rows = {(r[0], r[3]): r for r in f.valider(bad)[1:]}
    assert rows["E2", "unknown_theme"][1:3] == ["Indsatsområde", "Fejl"]
    assert rows["E2", "unknown_theme"][6] == "Blå økonomi"
    assert rows["I2", "bad_amount"][6] == "#N/A"
    assert f.valider(good_rows())[1:] == [["", "", "", "", "", "Ingen fejl eller advarsler", ""]]


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (None, "data skal være et område"),
        ("tekst", "data skal være et område"),
        (2023, "data skal være et område"),
        ([], "området er tomt"),
        ([[]], "området er tomt"),
        ([[None, None], ["", None]], "området er tomt"),
        ([["x", "y"], [1, 2]], "ingen genkendelig overskriftsrække"),
        (good_rows()[1:], "ingen genkendelig overskriftsrække"),  # an Excel Table without its header row
    ],
)
def test_bad_data_is_refused_with_a_short_message(data, expected):
    for call, args in ((f.bevilget, ()), (f.antal, ()), (f.fordeling, ("tema",)), (f.valider, ()), (f.data, ())):
        assert refused(call, data, *args).startswith(expected)


def test_dataframe_input():
    rows = good_rows()
    frame = pd.DataFrame(rows[1:], columns=rows[0])
    assert core.granted(frame) == core.granted(rows) == 2_400_000
    assert core.distribution(frame, "tema") == core.distribution(rows, "tema")


def test_unexpected_errors_never_show_a_traceback(monkeypatch):
    def boom(*args: object) -> int:
        raise ZeroDivisionError("intern")

    monkeypatch.setattr(core, "amount", boom)
    assert refused(f.beloeb, "1 kr.") == "uventet fejl (ZeroDivisionError); kontakt sekretariatet"


def test_validation_is_cached_by_content():
    _data.clear_cache()
    rows = good_rows()
    pact = _data.pact_named(None)
    first = _data.validate_values(rows, pact)
    assert _data.validate_values([list(r) for r in rows], pact) is first
    changed = [list(r) for r in rows]
    changed[1][8] = 1_800_000
    assert _data.validate_values(changed, pact) is not first
    assert core.granted(changed) == 2_300_000


def test_the_default_pact_comes_from_the_settings_and_a_named_pact_wins():
    midt = ServerSettings(pact="midtjylland")
    assert _data.pact_named(None, settings=midt).key == "midtjylland"
    assert _data.pact_named("", settings=midt).key == "midtjylland"
    assert _data.pact_named(" Nordjylland ", settings=midt).key == "nordjylland"
    assert _data.pact_named(None, settings=ServerSettings()).key == "nordjylland"
    with pytest.raises(_data.CellError, match="ukendt pagt"):
        _data.pact_named("../nordjylland", settings=midt)


def test_grid_keeps_sheet_addresses():
    grid = _data.grid_from_values([["a", None], ["b", 1]], book="b", sheet="s", first_row=3, first_column=2)
    assert grid.rows == [["", "", ""], ["", "", ""], ["", "a", ""], ["", "b", 1]]


def test_fordeling_over_10000_rows_recalculates_from_the_cache():
    """The recalculation is served from the content-hash cache (its speed: scripts/bench_xl.py)."""
    data = big_range(10_000)
    _data.clear_cache()
    first = f.fordeling(data, "tema")  # first call: parse, validate, break down
    assert first[-1][1] == 6_666
    again = f.fordeling([list(r) for r in data], "tema")  # the same content in a new list, as Excel sends it
    assert again == first
    assert len(_data._cache) == 1  # validated once for both calls


def test_every_function_has_danish_help_and_valid_excel_names():
    from xlwings.pro.udfs_officejs import _validate_excel_name

    assert set(f.EXCEL_NAMES) == set(f.__all__)
    for name in f.__all__:
        fn = getattr(f, name)
        assert fn.__doc__ and len(fn.__doc__.splitlines()) == 1, name
        assert re.fullmatch(r"[A-Z][A-Z0-9_.]{2,}", name.upper()), name  # Office.js id: A-Z, 0-9, _ and .
        assert _validate_excel_name(f.EXCEL_NAMES[name]) == f.EXCEL_NAMES[name]
    assert f.EXCEL_NAMES["beloeb"] == "BELØB"


@pytest.mark.parametrize("error", ["#N/A", "#VALUE!", "#REF!", {"type": "Error", "basicValue": "#N/A"}])
def test_error_valued_arguments_are_refused_naming_the_argument(table, error):
    """An #N/A in a filter is no longer read as an empty cell (which silently meant "all years")."""
    shown = error["basicValue"] if isinstance(error, dict) else error
    assert refused(f.bevilget, table, error).startswith(f"argumentet 'år' er fejlværdien {shown}")
    assert refused(f.antal, table, None, error).startswith(f"argumentet 'tema' er fejlværdien {shown}")
    assert refused(f.fordeling, table, error).startswith(f"argumentet 'nøgle' er fejlværdien {shown}")
    assert refused(f.valider, table, error).startswith(f"argumentet 'pagt' er fejlværdien {shown}")
    assert refused(f.bevilget, [[error]]).startswith(f"argumentet 'data' er fejlværdien {shown}")


def test_fordeling_by_target_group_has_its_own_columns(table):
    """Target groups overlap: participants and their share, and the kroner of the projects reaching each group."""
    result = f.fordeling(table, "målgruppe")
    assert result[0] == ["Målgruppe", *core.TARGET_GROUP_HEADER]
    assert "Andel af deltagere" in result[0] and "Støttebeløb" not in result[0][1:4]
    body, total = result[1:-1], result[-1]
    assert total[0] == "I alt" and total[1] == 27 and total[4] == NORD_GRANTED
    assert sum(r[2] for r in body) == total[2]  # participants add up
    assert sum(r[3] for r in body) == pytest.approx(1)  # shares are of the participants
    assert sum(r[4] for r in body) > NORD_GRANTED  # the kroner overlap, as the header says


def test_a_handle_from_the_object_cache_stands_in_for_the_range(table, monkeypatch):
    """PAGT.DATA packs the range once; a UUID (as Excel sends a handle cell) is looked up in the object cache."""
    handle = f.data(table)
    assert handle.text == "PAGT-data: 48 rækker, 0 fejl"
    assert handle.properties["Bevilget (kr.)"]["basicValue"] == NORD_GRANTED
    store = {"0b5a2a4e-1f3c-4d5e-8a9b-0c1d2e3f4a5b": handle.obj}
    monkeypatch.setattr(f, "_cached_object", store.get)
    key = next(iter(store))
    assert f.bevilget(key) == NORD_GRANTED and f.antal([[key]], 2023) == 8
    assert f.fordeling(key, "tema") == f.fordeling(table, "tema")
    assert f.valider(key) == f.valider(table)
    _data.clear_cache()  # another worker: it unpacks the rows from the handle and validates them once
    assert f.bevilget(key, 2023) == 5_635_678
    assert f.data(key).obj == handle.obj  # =PAGT.DATA(cell with a handle): the same data again
    assert refused(f.bevilget, "6c0c7f0e-0000-4000-8000-000000000000").startswith("dataene fra PAGT.DATA findes")
    assert refused(f.bevilget, f.NOT_A_HANDLE).startswith("cellen indeholder et objekt, men ikke et fra PAGT.DATA")
    store["11111111-2222-4333-8444-555555555555"] = "noget andet"
    assert refused(f.antal, "11111111-2222-4333-8444-555555555555").startswith("objektet er ikke fra PAGT.DATA")


def test_a_handle_keeps_its_pact_unless_a_formula_names_another(monkeypatch):
    rows = [HEADER, [2020, "M-1", "", "X v/Y", "Bæredygtighed", "", 100_000, "Tilsagn", 100_000]]
    store = {"0b5a2a4e-1f3c-4d5e-8a9b-0c1d2e3f4a5b": f.data(rows, "midtjylland").obj}
    monkeypatch.setattr(f, "_cached_object", store.get)
    key = next(iter(store))
    assert f.bevilget(key) == 100_000 == f.bevilget(rows, pagt="midtjylland")
    assert f.bevilget(key, pagt="nordjylland") == f.bevilget(rows) == 0  # not a Nordjylland theme


def test_packed_data_keeps_dates_and_errors():
    rows = [
        ["a", "b"],
        [dt.date(2023, 5, 1), {"type": "Error", "basicValue": "#N/A"}],
        [dt.datetime(2023, 5, 1, 8), 1.5],
    ]
    text, _ = _data.pack_data(good_rows(), _data.pact_named(None))
    assert _data.unpack_data(text).rows() == good_rows()
    raw = json.dumps(rows, default=_data._to_json).encode()
    assert _data.DataRef("nordjylland", "x", base64.b64encode(zlib.compress(raw)).decode()).rows() == rows
    assert _data.unpack_data("pagt-data:2:x") is None and _data.unpack_data(42) is None


def test_a_new_range_is_read_with_the_collector_paused_and_then_frozen(monkeypatch):
    import gc

    from pagt_xl.base import _gc

    seen: list[bool] = []
    real = _data.validate_grids

    def spy(book, grids, pact):
        seen.append(gc.isenabled())
        return real(book, grids, pact)

    monkeypatch.setattr(_data, "validate_grids", spy)
    frozen = gc.get_freeze_count()
    rows = good_rows()
    rows[1] = [*rows[1]]
    rows[1][HEADER.index("Projekttitel")] = "Et projekt kun denne test har set"  # a range never cached before
    table = f.fordeling(rows, "tema")
    assert seen == [False] and gc.isenabled()
    assert gc.get_freeze_count() > frozen  # the cached range is out of the collector's sight
    assert f.fordeling(rows, "tema") == table and seen == [False]  # a recalculation reads nothing
    # pauses nest and overlap: on again when the last one ends; a collector someone else stopped stays off
    with _gc.paused():
        with _gc.paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    try:
        with _gc.paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
    # another call under way (another thread): its garbage must not be frozen, so nothing is
    import threading

    inside, leave = threading.Event(), threading.Event()

    def other_call() -> None:
        with _gc.paused():
            inside.set()
            leave.wait(10)

    thread = threading.Thread(target=other_call)
    thread.start()
    try:
        assert inside.wait(10)
        with _gc.paused():
            before = gc.get_freeze_count()
            _gc.settle()
            assert gc.get_freeze_count() == before
        assert not gc.isenabled()  # the other call still holds the pause
    finally:
        leave.set()
        thread.join()
    assert gc.isenabled()


def test_the_cache_key_is_the_content_not_the_objects():
    """Equal ranges give one key whatever objects they share; other content, or other types, another key."""
    shared = "Åben runde"
    a = [["År", "Runde"], [2020.0, shared], [2021.0, shared]]
    b = json.loads(json.dumps(a))  # the same values as new objects, as a second request brings them
    assert _data._digest(a) == _data._digest(b)
    assert _data._digest(a) != _data._digest([["År", "Runde"], [2020.0, shared], [2022.0, shared]])
    assert _data._digest([[1.0]]) != _data._digest([[True]]) != _data._digest([[1]])
    dated = [["Dato"], [dt.date(2024, 1, 2)]]  # not marshallable: pickled instead, still by content
    assert _data._digest(dated) == _data._digest([["Dato"], [dt.date(2024, 1, 2)]])
    assert _data._digest(dated) != _data._digest([["Dato"], [dt.date(2024, 1, 3)]])
