"""Pacts found by name in the user's own folder, the default pact from indstillinger.toml, and config errors in Danish.

The user's folder is platformdirs' ``user_config_dir("pagt_xl")``: on Linux ``$XDG_CONFIG_HOME/pagt_xl``, which
each test points into its own temporary folder.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from conftest import WORKBOOKS, good_rows

from pagt_xl.base.names import PACTS_DIR, USER_DIRS, default_pact_name, user_dir, user_pacts_dir

NORD = WORKBOOKS / "nordjylland_ansoegninger_2019-2023.xlsx"
#: pydantic's English, which must never reach a user
PYDANTIC_ENGLISH = re.compile(r"Field required|Input should|Extra inputs|valid integer|at least|Value error|"
                              r"should have|is not permitted|Assertion failed")  # fmt: skip


@pytest.fixture
def home(tmp_path, monkeypatch) -> Path:
    """An empty user folder of this test's own; returns it (``…/pagt_xl``)."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.delenv("PAGT_XL_PACT", raising=False)
    folder = user_dir()
    assert folder == tmp_path / "config" / "pagt_xl"
    return folder


def _own_pact(home: Path, name: str = "vestjylland") -> Path:
    """Nordjylland's file under another name and key, in the user's pacts folder."""
    text = (PACTS_DIR / "nordjylland.toml").read_text(encoding="utf-8")
    text = re.sub(r'(?m)^key = "nordjylland"', f'key = "{name}"', text)
    text = re.sub(r'(?m)^name = "[^"]*"', 'name = "Vestjysk Teknologipagt"', text, count=1)
    path = home / "pacts" / f"{name}.toml"
    path.parent.mkdir(parents=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_a_pact_in_the_user_folder_is_found_by_name(cli, home, workbook):
    own = _own_pact(home)
    src = workbook({"A": good_rows()})
    proc = cli("validate", src, "--pact", "vestjylland", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["pact"] == "vestjylland"
    listed = {p["key"]: p["source"] for p in json.loads(cli("pacts", "--format", "json").stdout)}
    assert listed == {"midtjylland": str(PACTS_DIR / "midtjylland.toml"),
                      "nordjylland": str(PACTS_DIR / "nordjylland.toml"), "vestjylland": str(own)}  # fmt: skip
    text = cli("pacts").stdout
    assert f"egen fil: {own}" in text and str(user_pacts_dir()) in text
    assert "vestjylland" in cli("validate", "--help").stdout  # --pact's help names it too
    assert cli("validate", src, "--pact", str(own), "--format", "json").returncode == 0  # and by path, as before


def test_the_users_pact_wins_over_a_shipped_one_of_the_same_name(cli, home, workbook):
    own = _own_pact(home, "midtjylland")  # the secretariat's own edited copy
    doc = json.loads(cli("pacts", "--format", "json").stdout)
    assert {p["key"]: p["source"] for p in doc}["midtjylland"] == str(own)


def test_an_unknown_name_says_where_own_pacts_go(cli, home, workbook):
    proc = cli("validate", workbook({"A": good_rows()}), "--pact", "sydjylland")
    assert proc.returncode == 2
    assert "ukendt pagt 'sydjylland'" in proc.stderr and str(home / "pacts") in proc.stderr


def test_the_settings_file_names_the_default_pact(cli, home, workbook, monkeypatch):
    src = workbook({"A": good_rows()})
    assert default_pact_name() == "nordjylland"
    home.mkdir(parents=True)
    (home / "indstillinger.toml").write_text('pagt = "midtjylland"\n', encoding="utf-8")
    assert default_pact_name() == "midtjylland"
    assert json.loads(cli("validate", src, "--format", "json").stdout)["pact"] == "midtjylland"
    assert "nu: midtjylland" in cli("validate", "--help").stdout.replace("\n", " ").replace("  ", "")
    assert "Standardpagt: midtjylland" in cli("pacts").stdout
    monkeypatch.setenv("PAGT_XL_PACT", "nordjylland")  # the environment wins over the file
    assert json.loads(cli("validate", src, "--format", "json").stdout)["pact"] == "nordjylland"
    assert json.loads(cli("validate", src, "--pact", "midtjylland", "--format", "json").stdout)["pact"] == "midtjylland"


def test_a_default_pact_that_does_not_exist_names_the_settings_file(cli, home, workbook):
    home.mkdir(parents=True)
    settings = home / "indstillinger.toml"
    settings.write_text('pagt = "fyn"\n', encoding="utf-8")
    proc = cli("validate", workbook({"A": good_rows()}))
    assert proc.returncode == 2 and "ukendt pagt 'fyn'" in proc.stderr and str(settings) in proc.stderr


def test_a_broken_settings_file_falls_back_and_pacts_says_why(cli, home):
    home.mkdir(parents=True)
    (home / "indstillinger.toml").write_text("pagt = midtjylland\n", encoding="utf-8")  # no quotes: not TOML
    assert default_pact_name() == "nordjylland"
    proc = cli("pacts")
    assert proc.returncode == 0 and "indstillinger.toml" in proc.stderr and "ikke gyldig TOML" in proc.stderr


def test_on_windows_the_folder_is_appdata_roaming_pagt_xl(monkeypatch):
    """platformdirs' Windows rules with our arguments: %APPDATA%\\pagt_xl (roaming, no author folder)."""
    from platformdirs import windows

    monkeypatch.setattr(windows, "get_win_folder", lambda csidl: {"CSIDL_APPDATA": r"C:\Users\ea\AppData\Roaming",
                        "CSIDL_LOCAL_APPDATA": r"C:\Users\ea\AppData\Local"}[csidl])  # fmt: skip
    folder = windows.Windows(**USER_DIRS).user_config_dir  # type: ignore[arg-type]
    assert folder.replace("/", "\\") == r"C:\Users\ea\AppData\Roaming\pagt_xl"


# -- config errors in Danish -----------------------------------------------------------------------------------
BAD_PACTS = {
    "missing": ('key = "x"\nname = "X"\nregion = "R"\nfirst_year = 2019\nlast_year = 2020\n', ["themes", "mangler"]),
    "type": ('key = "x"\nname = "X"\nregion = "R"\nfirst_year = "tyve"\nlast_year = 2020\n[[themes]]\nkey = "a"\n'
             'name = "A"\n', ["first_year", "skal være et helt tal", "'tyve'"]),
    "unknown": ('key = "x"\nname = "X"\nregion = "R"\nfirst_year = 2019\nlast_year = 2020\nfarve = "blå"\n'
                '[[themes]]\nkey = "a"\nname = "A"\n', ["farve", "ukendt indstilling"]),
    "empty": ('key = "x"\nname = "X"\nregion = "R"\nfirst_year = 2019\nlast_year = 2020\n[[themes]]\nkey = "a"\n'
              'name = ""\n', ["themes › nr. 1 › name", "må ikke være tom"]),
    "short": ('key = "x"\nname = "X"\nregion = "R"\nfirst_year = 2019\nlast_year = 2020\nthemes = []\n',
              ["themes", "skal have mindst 1 element(er)"]),
    "nested": ('key = "x"\nname = "X"\nregion = "R"\nfirst_year = 2019\nlast_year = 2020\n[[themes]]\nkey = "a"\n',
               ["themes › nr. 1 › name", "mangler"]),
}  # fmt: skip


@pytest.mark.parametrize("case", sorted(BAD_PACTS))
def test_pact_errors_are_danish_and_name_the_file_and_the_setting(cli, tmp_path, workbook, case):
    text, expected = BAD_PACTS[case]
    pact = tmp_path / "min_pagt.toml"
    pact.write_text(text, encoding="utf-8")
    proc = cli("validate", workbook({"A": good_rows()}), "--pact", pact)
    assert proc.returncode == 2
    [line] = proc.stderr.splitlines()
    assert str(pact) in line and "ugyldig pagtkonfiguration" in line
    for word in expected:
        assert word in line, (word, line)
    assert not PYDANTIC_ENGLISH.search(line), line


def test_run_file_errors_are_danish(cli, tmp_path):
    config = tmp_path / "koersel.toml"
    config.write_text('pact = "nordjylland"\ninput = ["x"]\nreport = "ja"\ncsv_dialect = "fransk"\n', encoding="utf-8")
    proc = cli("run", config)
    assert proc.returncode == 2
    for word in ("koersel.toml", "inputs: mangler", "report: skal være true eller false (angivet: 'ja')",
                 "csv_dialect: skal være en af: 'dansk' eller 'maskine'", "input: ukendt indstilling"):
        assert word in proc.stderr, word
    assert not PYDANTIC_ENGLISH.search(proc.stderr), proc.stderr


def test_every_translated_error_type_is_one_pydantic_has():
    """The table of error types is pydantic's own vocabulary (a renamed type would silently fall back)."""
    from pydantic_core.core_schema import ErrorType

    from pagt_xl.base.config import _PROBLEMS

    known = set(ErrorType.__args__)  # type: ignore[attr-defined]
    assert sorted(set(_PROBLEMS) - known) == []
