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
    assert (s.insecure_local, s.tokens_file, s.handle_lifetime_hours) == (False, None, 8)  # secure by default


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
        "PAGT_XL_INSECURE_LOCAL": "True",
        "PAGT_XL_TOKENS_FILE": "/etc/pagt/tokens.toml",
        "PAGT_XL_HANDLE_LIFETIME_HOURS": "0.5",
        "PAGT_XL_HANDLE_CACHE_MB": "16",
        "PAGT_XL_RANGE_CACHE_MB": "128",
        "PAGT_XL_HEADER_TIMEOUT": "5",
        "PAGT_XL_BODY_TIMEOUT": "30",
        "PAGT_XL_BODY_MIN_RATE": "1000",
        "PAGT_XL_CSP": "default-src 'self'",
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
    assert s.insecure_local is True and s.tokens_file == Path("/etc/pagt/tokens.toml")
    assert (s.handle_lifetime_hours, s.handle_cache_mb, s.range_cache_mb) == (0.5, 16, 128)
    assert (s.header_timeout, s.body_timeout, s.body_min_rate) == (5, 30, 1000)
    assert s.content_security_policy == "default-src 'self'"
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
        ("PAGT_XL_INSECURE_LOCAL", "yes"),
        ("PAGT_XL_INSECURE_LOCAL", "1"),
        ("PAGT_XL_HANDLE_LIFETIME_HOURS", "0"),
        ("PAGT_XL_HANDLE_CACHE_MB", "-1"),
        ("PAGT_XL_RANGE_CACHE_MB", "inf"),
        ("PAGT_XL_HEADER_TIMEOUT", "0"),
        ("PAGT_XL_BODY_MIN_RATE", "fast"),
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


def test_links_use_the_setting_else_the_request_address(forget_settings):
    from pagt_xl.xl.settings import public_base_url, reset_request_base, set_request_base

    plain = ServerSettings.from_env({"XLWINGS_APP_PATH": "/pagt"})
    assert public_base_url(plain) == "http://127.0.0.1:8000/pagt"  # no request: the fallback
    token = set_request_base("https://pagt.region.dk")
    try:
        assert public_base_url(plain) == "https://pagt.region.dk/pagt"  # the address the request was sent to
        pinned = ServerSettings.from_env({"PAGT_XL_PUBLIC_URL": "https://rapport.region.dk"})
        assert public_base_url(pinned) == "https://rapport.region.dk"  # the one setting wins
    finally:
        reset_request_base(token)
