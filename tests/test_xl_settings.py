"""The add-in's settings: read from a plain dict (never from os.environ), checked once, one error for bad values."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import ValidationError

from pagt_xl.base.errors import ConfigError, ErrorCode
from pagt_xl.xl import settings as settings_module
from pagt_xl.xl.settings import DEFAULT_MAX_BODY, ServerSettings, current_settings, use_settings

XL = Path(settings_module.__file__).resolve().parent


@pytest.fixture
def forget_settings() -> Iterator[None]:
    """Leave no installed settings behind for other tests."""
    use_settings(None)
    yield
    use_settings(None)


def test_defaults():
    s = ServerSettings.from_env({})
    assert s == ServerSettings()
    assert (s.public_url, s.hostname, s.app_path, s.report_dir, s.on_server) == (None, None, "", None, False)
    assert (s.report_max_age_days, s.pact, s.max_body, s.log_level) == (7, "nordjylland", DEFAULT_MAX_BODY, "warning")
    assert s.api_token.get_secret_value() == "" and s.license_key is None
    assert s.base_url == "http://127.0.0.1:8000"


def test_every_variable_is_read():
    env = {
        "PAGT_XL_PUBLIC_URL": "https://pagt.region.dk/",
        "XLWINGS_HOSTNAME": "intern.region.dk",
        "XLWINGS_APP_PATH": "/pagt/",
        "PAGT_XL_REPORT_DIR": "/srv/pagt/rapporter",
        "XLWINGS_ON_SERVER": "true",
        "PAGT_XL_REPORT_MAX_AGE_DAYS": "0.5",
        "PAGT_XL_PACT": " Midtjylland ",
        "PAGT_XL_API_TOKEN": "hemmelig-noegle-til-test-1234",
        "PAGT_XL_MAX_BODY": "1024",
        "XLWINGS_LICENSE_KEY": "noncommercial",
        "PAGT_XL_LOG_LEVEL": "INFO",
        "XLWINGS_OBJECT_CACHE_URL": "redis://:hemmelig@redis:6379/0",
        "PATH": "/usr/bin",  # anything else is ignored
    }
    s = ServerSettings.from_env(env)
    assert s.public_url == "https://pagt.region.dk/" and s.hostname == "intern.region.dk"
    assert s.app_path == "/pagt" and s.base_url == "https://pagt.region.dk/pagt"
    assert s.report_dir == Path("/srv/pagt/rapporter") and s.on_server is True
    assert (s.report_max_age_days, s.pact, s.max_body, s.log_level) == (0.5, "midtjylland", 1024, "info")
    assert s.api_token.get_secret_value() == env["PAGT_XL_API_TOKEN"]
    assert s.license_key is not None and s.license_key.get_secret_value() == "noncommercial"
    assert s.object_cache_url is not None and s.object_cache_url.get_secret_value().startswith("redis://")
    assert "hemmelig" not in repr(s) and "noncommercial" not in repr(s)  # secrets stay out of logs
    assert {name for name, _, _ in ServerSettings.variables()} == set(env) - {"PATH"}


def test_empty_values_count_as_not_set_and_only_true_means_on_server():
    assert ServerSettings.from_env({name: "" for name, _, _ in ServerSettings.variables()}) == ServerSettings()
    assert ServerSettings.from_env({"XLWINGS_HOSTNAME": "h.dk"}).base_url == "https://h.dk"
    for value in ("false", "1", "True", "yes"):  # xlwings' own test is == "true"
        assert ServerSettings.from_env({"XLWINGS_ON_SERVER": value}).on_server is False


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("PAGT_XL_MAX_BODY", "50MB"),
        ("PAGT_XL_MAX_BODY", "0"),
        ("PAGT_XL_MAX_BODY", "1.5"),
        ("PAGT_XL_REPORT_MAX_AGE_DAYS", "en uge"),
        ("PAGT_XL_REPORT_MAX_AGE_DAYS", "-1"),
        ("PAGT_XL_REPORT_MAX_AGE_DAYS", "nan"),
        ("PAGT_XL_PACT", "fyn"),
        ("PAGT_XL_PACT", "../../etc/passwd"),
        ("PAGT_XL_LOG_LEVEL", "loud"),
        ("PAGT_XL_PUBLIC_URL", "pagt.region.dk"),
        ("XLWINGS_OBJECT_CACHE_URL", "localhost:6379"),
    ],
)
def test_bad_values_stop_with_a_config_error_naming_the_variable(name: str, value: str):
    with pytest.raises(ConfigError) as caught:
        ServerSettings.from_env({name: value})
    assert caught.value.code is ErrorCode.CONFIG_INVALID
    assert re.findall(r"\b(?:PAGT_XL|XLWINGS)_[A-Z_]+(?==)", str(caught.value)) == [name]


def test_every_bad_variable_is_named_at_once():
    with pytest.raises(ConfigError) as caught:
        ServerSettings.from_env({"PAGT_XL_MAX_BODY": "x", "PAGT_XL_PACT": "fyn", "PAGT_XL_REPORT_DIR": "/tmp"})
    named = set(re.findall(r"\b(?:PAGT_XL|XLWINGS)_[A-Z_]+(?==)", str(caught.value)))
    assert named == {"PAGT_XL_MAX_BODY", "PAGT_XL_PACT"}


def test_settings_are_frozen():
    s = ServerSettings()
    with pytest.raises(ValidationError):
        s.max_body = 1  # type: ignore[misc]


def test_every_setting_has_a_variable_a_description_and_what_is_expected():
    for name, field in ServerSettings.model_fields.items():
        assert field.alias and re.fullmatch(r"(PAGT_XL|XLWINGS)_[A-Z_]+", field.alias), name
        assert field.description, name
        assert isinstance(field.json_schema_extra, dict) and field.json_schema_extra.get("expected"), name


def test_installed_settings_are_what_current_settings_returns(forget_settings):
    mine = ServerSettings(pact="midtjylland")
    use_settings(mine)
    assert current_settings() is mine
    use_settings(None)
    resolved = current_settings()  # from the environment this time
    assert current_settings() is resolved  # resolved once, then kept


def test_no_module_of_the_add_in_reads_the_environment_but_these_three():
    # asgi.py points xlwings Server at the project folder and loads the settings, serve.py sets the public
    # URL from --host/--port/--certfile; settings.py reads the environment, once
    readers = {
        str(path.relative_to(XL))
        for path in XL.rglob("*.py")
        if re.search(r"\bos\.environ\b|\bgetenv\(", path.read_text(encoding="utf-8"))
    }
    assert readers == {"asgi.py", "serve.py", "settings.py"}
