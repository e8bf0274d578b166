"""Every setting from defaults < INVENT_EMULATOR_* variables < flags, one parser for both,
and a refusal that names the variable (or flag) and what it accepts."""

from __future__ import annotations

import dataclasses
import signal

import pytest
from support.cli import Spawner, clean_env

from emulator.settings import BOOLEAN_WORDS, OPTIONS, Option, Settings

EXIT_WITHIN = 10.0

# One value per setting that differs from its default, as a variable would carry it.
NON_DEFAULT = {
    "scenario": "otp", "host": "::1", "port": "4999", "log_level": "WARNING",
    "log_format": "JSON", "access_log": "Yes", "max_body_bytes": "2048",
    "max_connections": "5", "header_timeout": "2.5", "body_timeout": "3",
    "shutdown_grace": "0", "stop_timeout": "30", "cors_origins": "http://localhost:3000",
    "max_contacts_per_org": "10", "max_contacts_total": "20", "max_include_bytes": "4096",
    "allowed_hosts": "Emulator.Test, app.test", "admin_token": "s3cret", "state_file": "s.json",
    "save_every": "30", "render_cache": "off", "render_cache_size": "100",
}
# Another value per setting, as a flag would carry it (the flag must win).
FLAG_VALUE = {
    "scenario": "default", "host": "127.0.0.2", "port": "4998", "log_level": "error",
    "log_format": "text", "access_log": "no", "max_body_bytes": "4096",
    "max_connections": "6", "header_timeout": "4", "body_timeout": "5",
    "shutdown_grace": "1", "stop_timeout": "20", "cors_origins": "off",
    "max_contacts_per_org": "11",
    "max_contacts_total": "21", "max_include_bytes": "8192", "allowed_hosts": "other.test",
    "admin_token": "other", "state_file": "t.json", "save_every": "60", "render_cache": "on",
    "render_cache_size": "0",
}
# What a setting needs beside it to make sense.
NEEDS = {"save_every": {"INVENT_EMULATOR_STATE_FILE": "s.json"}}
PARSED = {
    "scenario": "otp", "host": "::1", "port": 4999, "log_level": "warning",
    "log_format": "json", "access_log": True, "max_body_bytes": 2048, "max_connections": 5,
    "header_timeout": 2.5, "body_timeout": 3.0, "shutdown_grace": 0.0, "stop_timeout": 30.0,
    "cors_origins": ("http://localhost:3000",), "max_contacts_per_org": 10,
    "max_contacts_total": 20, "max_include_bytes": 4096,
    "allowed_hosts": ("emulator.test", "app.test"), "admin_token": "s3cret",
    "state_file": "s.json", "save_every": 30, "render_cache": False, "render_cache_size": 100,
}


def test_every_setting_has_a_case_here() -> None:
    names = {f.name for f in dataclasses.fields(Settings)}
    assert set(NON_DEFAULT) == set(FLAG_VALUE) == set(PARSED) == names


def test_defaults() -> None:
    settings = Settings.from_env({})
    assert settings == Settings()
    assert (settings.host, settings.port, settings.scenario) == ("127.0.0.1", 4010, "default")
    assert settings.shutdown_grace == 5.0
    assert settings.max_connections >= 1000
    # A stalled request is answered or closed within 30 s.
    assert settings.header_timeout + settings.body_timeout <= 30


@pytest.mark.parametrize("option", OPTIONS, ids=lambda o: o.name)
def test_each_variable_is_read(option: Option) -> None:
    name, variable = option.name, option.variable
    settings = Settings.from_env({variable: NON_DEFAULT[name], **NEEDS.get(name, {})})
    assert getattr(settings, name) == PARSED[name]
    assert getattr(settings, name) != getattr(Settings(), name)


@pytest.mark.parametrize("option", OPTIONS, ids=lambda o: o.name)
def test_a_flag_beats_its_variable(option: Option) -> None:
    name, variable = option.name, option.variable
    settings = Settings.from_env({variable: NON_DEFAULT[name], **NEEDS.get(name, {})},
                                 **{name: FLAG_VALUE[name]})
    assert getattr(settings, name) == option.read(FLAG_VALUE[name], option.flag)
    assert getattr(settings, name) != PARSED[name]


@pytest.mark.parametrize("word", ["1", "true", "TRUE", "Yes", "on", "ON"])
def test_boolean_true_words(word: str) -> None:
    assert Settings.from_env({"INVENT_EMULATOR_ACCESS_LOG": word}).access_log is True


@pytest.mark.parametrize("word", ["0", "false", "False", "NO", "off", "Off"])
def test_boolean_false_words(word: str) -> None:
    settings = Settings.from_env({"INVENT_EMULATOR_ACCESS_LOG": word}, access_log=None)
    assert settings.access_log is False


def test_a_typed_false_override_beats_a_true_variable() -> None:
    settings = Settings.from_env({"INVENT_EMULATOR_ACCESS_LOG": "on"}, access_log=False)
    assert settings.access_log is False


def test_an_empty_variable_counts_as_unset() -> None:
    assert Settings.from_env({"INVENT_EMULATOR_PORT": "", "INVENT_EMULATOR_HOST": " "}) == \
        Settings()


@pytest.mark.parametrize(("name", "value"), [
    ("ACCESS_LOG", "maybe"), ("ACCESS_LOG", "2"), ("PORT", "4010.5"), ("PORT", "70000"),
    ("LOG_FORMAT", "xml"), ("LOG_LEVEL", "verbose"), ("MAX_BODY_BYTES", "0"),
    ("MAX_CONNECTIONS", "-3"), ("HEADER_TIMEOUT", "0"), ("BODY_TIMEOUT", "nan"),
    ("SHUTDOWN_GRACE", "-1"), ("SHUTDOWN_GRACE", "soon"), ("ADMIN_TOKEN", "jéton"),
    ("ADMIN_TOKEN", "two words"), ("ADMIN_TOKEN", "tab\tin"),
])
def test_a_bad_variable_names_itself_and_what_it_accepts(name: str, value: str) -> None:
    variable = f"INVENT_EMULATOR_{name}"
    with pytest.raises(ValueError) as refused:
        Settings.from_env({variable: value})
    message = str(refused.value)
    option = next(o for o in OPTIONS if o.variable == variable)
    assert message == f"{variable} must be {option.accepted}, not {value!r}"


def test_the_boolean_message_lists_every_word() -> None:
    with pytest.raises(ValueError, match="INVENT_EMULATOR_ACCESS_LOG") as refused:
        Settings.from_env({"INVENT_EMULATOR_ACCESS_LOG": "maybe"})
    assert BOOLEAN_WORDS in str(refused.value)
    for word in ("1", "0", "true", "false", "yes", "no", "on", "off"):
        assert word in BOOLEAN_WORDS


def test_a_bad_flag_names_the_flag() -> None:
    with pytest.raises(ValueError, match=r"^--shutdown-grace must be .*, not '-2'$"):
        Settings.from_env({}, shutdown_grace="-2")


@pytest.mark.parametrize(("variable", "value"), [
    ("INVENT_EMULATOR_LOG_FORMAT", "yaml"), ("INVENT_EMULATOR_SHUTDOWN_GRACE", "-1"),
    ("INVENT_EMULATOR_MAX_CONNECTIONS", "many"), ("INVENT_EMULATOR_HEADER_TIMEOUT", "0"),
    ("INVENT_EMULATOR_ADMIN_TOKEN", "jéton-ünicode"),
])
def test_serve_refuses_a_bad_variable_with_exit_2(spawn: Spawner, variable: str,
                                                  value: str) -> None:
    server = spawn("--port", "0", env=clean_env(**{variable: value}))
    assert server.wait_exit(EXIT_WITHIN) == 2, server.stderr
    assert variable in server.stderr
    assert repr(value) in server.stderr
    assert "Traceback" not in server.stderr
    assert "listening on" not in server.stderr


def test_serve_flags_beat_variables(spawn: Spawner) -> None:
    # The variable asks for JSON lines; the flag asks for text, and wins.
    server = spawn("--port", "0", "--log-format", "text",
                   env=clean_env(INVENT_EMULATOR_LOG_FORMAT="json"))
    server.wait_healthy()
    assert server.stderr.startswith("INFO: ")


def test_no_access_log_flag_beats_a_true_variable(spawn: Spawner) -> None:
    server = spawn("--port", "0", "--no-access-log",
                   env=clean_env(INVENT_EMULATOR_ACCESS_LOG="on"))
    server.wait_healthy()
    server.signal(signal.SIGTERM)
    assert server.wait_exit(EXIT_WITHIN) == 0
    assert "GET /_emulator/health" not in server.output


def test_a_non_ascii_admin_token_is_refused_saying_why() -> None:
    with pytest.raises(ValueError, match="printable ASCII") as refused:
        Settings.from_env({"INVENT_EMULATOR_ADMIN_TOKEN": "jéton"})
    assert "could never match" in str(refused.value)


def test_cors_origins_are_lower_cased_as_browsers_send_them() -> None:
    settings = Settings.from_env({"INVENT_EMULATOR_CORS_ORIGINS":
                                  "http://Localhost:3000, HTTPS://App.Example.TEST"})
    assert settings.cors_origins == ("http://localhost:3000", "https://app.example.test")
