"""Config file, environment overrides, and the API key in a real Secret Service."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from fixtures_core import assert_clean_failure, require_service

from assistant.config import Settings, load_settings, save_setting
from assistant.errors import ConfigError, SecretError, UsageError


def test_defaults_and_round_trip(ting_home: Path):
    assert load_settings(env=False) == Settings()  # (the tests' TING_PROVIDER: conftest)
    save_setting("default_currency", "usd")
    save_setting("start_at_login", "yes")
    save_setting("request_timeout", "30")
    s = load_settings()
    assert (s.default_currency, s.start_at_login, s.request_timeout) == ("USD", True, 30.0)
    assert sorted(p.name for p in ting_home.iterdir()) == ["config.toml"]  # no temp files left


@pytest.mark.parametrize(
    "key, value",
    [
        ("default_currency", "XYZ"),
        ("hotkey_mode", "sometimes"),
        ("language_pair", "zh"),
        ("request_timeout", "-1"),
        ("start_at_login", "maybe"),
        ("base_url", "ftp://x"),
        ("nope", "1"),
        ("request_timeout", "inf"),
        ("request_timeout", "1e400"),
        ("request_timeout", "nan"),
        ("model", ""),
        ("model", "gpt\n4"),
        ("language_pair", "zh,zh"),
        ("input_device", "mic\x00"),
    ],
)
def test_bad_values_are_refused(key, value):
    with pytest.raises(UsageError):
        save_setting(key, value)
    assert load_settings(env=False) == Settings()


def test_environment_overrides_file(monkeypatch):
    save_setting("model", "from-file")
    monkeypatch.setenv("TING_MODEL", "from-env")
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")
    s = load_settings()
    assert s.model == "from-env" and s.base_url == "http://127.0.0.1:9/v1"
    assert load_settings(env=False).model == "from-file"


def test_unreadable_config(ting_home: Path, ting):
    (ting_home / "config.toml").write_text("model = [unclosed\n")
    with pytest.raises(ConfigError):
        load_settings()
    assert_clean_failure(ting("config", "show"), mentions="not valid TOML")
    assert_clean_failure(ting("history", "list"), mentions="not valid TOML")


def test_config_cli(ting):
    assert ting("config", "set", "default_currency", "eur").code == 0
    shown = ting("config", "show", "--json").json_lines()[0]
    assert shown["settings"]["default_currency"] == "EUR"
    assert shown["api_key"] == "not set"
    assert_clean_failure(ting("config", "set", "default_currency", "EURO"), code=2)
    assert_clean_failure(ting("config", "set", "api_key", "sk-abc"), code=2, mentions="set-key")


def test_refuses_insecure_keyring_backends(ting, monkeypatch):
    from assistant.secrets import set_api_key

    for backend in ("keyring.backends.null.Keyring", "keyring.backends.fail.Keyring"):
        monkeypatch.setenv("PYTHON_KEYRING_BACKEND", backend)
        with pytest.raises(SecretError) as info:
            set_api_key("sk-should-not-be-stored-123456")
        assert "no secure keyring" in info.value.message
        ran = ting(
            "config",
            "set-key",
            input="sk-should-not-be-stored-123456\n",
            env={"PYTHON_KEYRING_BACKEND": backend},
        )
        assert_clean_failure(ran, mentions="no secure keyring")


@pytest.mark.keyring
def test_key_in_real_secret_service_never_leaks(ting, ting_home, provider, monkeypatch):
    require_service("TING_TEST_SECRET_SERVICE", "a Secret Service (gnome-keyring)")
    env = {
        "PYTHON_KEYRING_BACKEND": None,
        "OPENAI_BASE_URL": provider.base_url,
        "TING_MODEL": "scripted",
    }
    key = "sk-real-keyring-test-" + os.urandom(6).hex()
    try:
        stored = ting("config", "set-key", input=key + "\n", env=env)
        assert stored.code == 0, stored.err
        assert key not in stored.out + stored.err
        assert key[-4:] in stored.out
        # the key from the keyring authenticates a real request …
        provider.queue_reply("你好！")
        asked = ting("ask", "--skill", "chat", "--json", "说你好", env=env)
        assert asked.code == 0, asked.err
        assert provider.requests[-1]["_authorization"] == f"Bearer {key}"
        shown = ting("config", "show", "--json", env=env)
        assert json.loads(shown.out)["api_key_source"] == "keyring"
        doctor = ting("doctor", "--json", env=env)
        # … and appears in no output, no file in the data folder, no log line
        for ran in (asked, shown, doctor):
            assert key not in ran.out + ran.err
        for path in ting_home.rglob("*"):
            if path.is_file():
                assert key.encode() not in path.read_bytes(), path
    finally:
        deleted = ting("config", "delete-key", env=env)
        assert deleted.code == 0, deleted.err
    assert "no API key" in ting("config", "delete-key", env=env).out


@pytest.mark.parametrize(
    "body, mentions",
    [
        ("request_timeout = inf\n", "request_timeout"),
        ("model = {name = 'x'}\n", "model must be text"),
        ("model = [1, 2]\n", "model must be text"),
        ("start_at_login = 3\n", "start_at_login must be true or false"),
        ("request_timeout = true\n", "request_timeout must be a number"),
    ],
)
def test_hand_edited_values_of_the_wrong_type(ting_home: Path, ting, body, mentions):
    (ting_home / "config.toml").write_text(body)
    with pytest.raises(ConfigError, match=mentions):
        load_settings()
    assert_clean_failure(ting("config", "show"), code=1, mentions=mentions)


def test_config_file_that_is_not_utf8(ting_home: Path, ting):
    (ting_home / "config.toml").write_bytes(b'model = "caf\xe9"\n')
    assert_clean_failure(ting("config", "show"), code=1, mentions="is not UTF-8")
    assert_clean_failure(ting("config", "set", "model", "x"), code=1, mentions="is not UTF-8")
    assert (ting_home / "config.toml").read_bytes() == b'model = "caf\xe9"\n'


def test_config_file_that_is_a_folder(ting_home: Path, ting):
    (ting_home / "config.toml").mkdir()
    assert_clean_failure(ting("config", "show"), code=1, mentions="Is a directory")
    assert_clean_failure(ting("config", "set", "model", "x"), code=1, mentions="Is a directory")
    assert (ting_home / "config.toml").is_dir()


def test_negative_number_is_a_value_not_an_option(ting):
    ran = ting("config", "set", "request_timeout", "-1")
    assert_clean_failure(ran, code=2, mentions="request_timeout must be a positive number")


def test_config_set_in_a_read_only_data_folder(ting_home: Path, ting, tmp_path: Path):
    save_setting("model", "before")
    if os.geteuid() == 0:  # root ignores permission bits: use an immutable folder
        import shutil
        import subprocess

        if not shutil.which("chattr"):
            pytest.skip("chattr is needed to make a folder read-only for root")
        if subprocess.run(["chattr", "+i", str(ting_home)]).returncode != 0:
            pytest.skip("this file system does not support chattr +i")
        undo = ["chattr", "-i", str(ting_home)]
    else:
        ting_home.chmod(0o500)
        undo = None
    try:
        ran = ting("config", "set", "model", "after")
    finally:
        if undo:
            subprocess.run(undo, check=True)
        else:
            ting_home.chmod(0o700)
    assert_clean_failure(ran, code=1, mentions="cannot write the config file")
    assert load_settings().model == "before"
    assert sorted(p.name for p in ting_home.iterdir()) == ["config.toml"]
