"""The environment helpers: every value is parsed strictly and a bad one names its variable."""

from __future__ import annotations

import pytest

from devzone.env import (
    EnvError,
    env_bool,
    env_choice,
    env_int,
    env_list,
    env_str,
    env_url,
    parse_email_url,
)


@pytest.fixture
def env(monkeypatch):
    """Set variables for one test: ``env(DEBUG="1")``; ``env(DEBUG=None)`` unsets."""
    monkeypatch.delenv("DEVZONE_T", raising=False)
    monkeypatch.delenv("DEVZONE_T_FILE", raising=False)

    def set_(**values):
        for name, value in values.items():
            if value is None:
                monkeypatch.delenv(name, raising=False)
            else:
                monkeypatch.setenv(name, value)

    return set_


@pytest.mark.parametrize("value", ["1", "true", "TRUE", "yes", "on", " True "])
def test_true_spellings_read_as_true(env, value):
    env(DEVZONE_T=value)
    assert env_bool("DEVZONE_T") is True


@pytest.mark.parametrize("value", ["0", "false", "no", "off", ""])
def test_false_spellings_read_as_false(env, value):
    env(DEVZONE_T=value)
    assert env_bool("DEVZONE_T", default=True) is False


def test_an_unset_boolean_takes_its_default(env):
    assert env_bool("DEVZONE_T", default=True) is True
    assert env_bool("DEVZONE_T") is False


def test_a_misspelt_boolean_fails_naming_the_variable(env):
    env(DEVZONE_T="ture")
    with pytest.raises(EnvError, match=r"DEVZONE_T='ture' is not a boolean"):
        env_bool("DEVZONE_T")


def test_an_integer_is_parsed_and_bounds_are_enforced(env):
    env(DEVZONE_T=" 42 ")
    assert env_int("DEVZONE_T", 1) == 42
    with pytest.raises(EnvError, match="DEVZONE_T=42 is below the minimum 50"):
        env_int("DEVZONE_T", 1, minimum=50)
    with pytest.raises(EnvError, match="DEVZONE_T=42 is above the maximum 10"):
        env_int("DEVZONE_T", 1, maximum=10)


def test_a_non_integer_fails_naming_the_variable(env):
    env(DEVZONE_T="four")
    with pytest.raises(EnvError, match="DEVZONE_T='four' is not an integer"):
        env_int("DEVZONE_T", 4)


def test_an_empty_integer_takes_its_default(env):
    env(DEVZONE_T="")
    assert env_int("DEVZONE_T", 7) == 7


def test_a_list_is_split_on_commas_and_blanks_are_dropped(env):
    env(DEVZONE_T=" a.example, b.example ,,")
    assert env_list("DEVZONE_T") == ["a.example", "b.example"]
    env(DEVZONE_T=None)
    assert env_list("DEVZONE_T", ["x"]) == ["x"]


def test_a_choice_outside_the_allowed_values_fails_listing_them(env):
    env(DEVZONE_T="prod")
    with pytest.raises(EnvError, match="DEVZONE_T='prod' is not one of development, production"):
        env_choice("DEVZONE_T", ("development", "production"), "development")
    env(DEVZONE_T="production")
    assert env_choice("DEVZONE_T", ("development", "production"), "development") == "production"


def test_a_required_string_that_is_missing_fails_naming_both_spellings(env):
    with pytest.raises(
        EnvError, match=r"DEVZONE_T is required \(set DEVZONE_T or DEVZONE_T_FILE\)"
    ):
        env_str("DEVZONE_T", required=True)
    env(DEVZONE_T="")
    with pytest.raises(EnvError, match="DEVZONE_T is required"):
        env_str("DEVZONE_T", required=True)


def test_a_secret_is_read_from_the_file_named_by_the_file_variable(env, tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("s3cret-value\n", encoding="utf-8")
    env(DEVZONE_T_FILE=str(secret))
    assert env_str("DEVZONE_T", required=True) == "s3cret-value"


def test_a_secret_file_that_cannot_be_read_fails_naming_the_variable(env, tmp_path):
    env(DEVZONE_T_FILE=str(tmp_path / "missing"))
    with pytest.raises(EnvError, match="DEVZONE_T_FILE=.*cannot be read"):
        env_str("DEVZONE_T")


def test_a_value_and_a_file_for_the_same_variable_are_refused(env, tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("a", encoding="utf-8")
    env(DEVZONE_T="b", DEVZONE_T_FILE=str(secret))
    with pytest.raises(EnvError, match="DEVZONE_T and DEVZONE_T_FILE are both set"):
        env_str("DEVZONE_T")


def test_a_file_variable_works_for_booleans_too(env, tmp_path):
    flag = tmp_path / "flag"
    flag.write_text("yes\n", encoding="utf-8")
    env(DEVZONE_T_FILE=str(flag))
    assert env_bool("DEVZONE_T") is True


def test_a_url_with_an_unsupported_scheme_fails_naming_the_variable(env):
    env(DEVZONE_T="mysql://root@db/devzone")
    with pytest.raises(EnvError, match="DEVZONE_T must start with one of postgres://, sqlite://"):
        env_url("DEVZONE_T", ("postgres", "sqlite"))


def test_a_url_with_an_allowed_scheme_is_returned_unchanged_and_unset_is_none(env):
    env(DEVZONE_T="postgres://postgres@127.0.0.1:5432/devzone")
    assert env_url("DEVZONE_T", ("postgres",)) == "postgres://postgres@127.0.0.1:5432/devzone"
    env(DEVZONE_T=None)
    assert env_url("DEVZONE_T", ("postgres",)) is None


def test_smtp_url_with_starttls_and_an_encoded_password():
    settings = parse_email_url(
        "EMAIL_URL", "smtp://mailer%40gov.cn:p%40ss%3Aw@mail.gov.cn:587/?tls=1"
    )
    assert settings == {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "mail.gov.cn",
        "EMAIL_PORT": 587,
        "EMAIL_HOST_USER": "mailer@gov.cn",
        "EMAIL_HOST_PASSWORD": "p@ss:w",
        "EMAIL_USE_SSL": False,
        "EMAIL_USE_TLS": True,
    }


def test_smtps_url_defaults_to_port_465_with_implicit_tls():
    settings = parse_email_url("EMAIL_URL", "smtps://mail.example")
    assert settings["EMAIL_PORT"] == 465
    assert settings["EMAIL_USE_SSL"] is True
    assert settings["EMAIL_USE_TLS"] is False


def test_plain_smtp_url_defaults_to_port_25_without_credentials():
    settings = parse_email_url("EMAIL_URL", "smtp://127.0.0.1")
    assert settings["EMAIL_PORT"] == 25
    assert settings["EMAIL_HOST_USER"] == ""
    assert settings["EMAIL_USE_TLS"] is False


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://mail.example", "EMAIL_URL must start with smtp:// or smtps://"),
        ("smtp://", "EMAIL_URL has no host"),
        ("smtps://mail.example/?tls=1", "smtps:// and \\?tls=1 cannot be combined"),
        ("smtp://mail.example:port", "EMAIL_URL has an invalid port"),
    ],
)
def test_a_bad_email_url_fails_naming_the_variable(url, message):
    with pytest.raises(EnvError, match=message):
        parse_email_url("EMAIL_URL", url)
