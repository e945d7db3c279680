"""Settings as a deployment sees them: each case runs Django in a fresh subprocess with a crafted
environment (nothing inherited from this test run's DATABASE_URL, REDIS_URL, ...)."""

from __future__ import annotations

import json
import os
import secrets
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parents[2]
OWN_VARIABLES = (
    "DEVZONE_",
    "DATABASE_URL",
    "REDIS_URL",
    "EMAIL_URL",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "CSRF_TRUSTED_ORIGINS",
    "DEBUG",
    "SECURE_",
    "DB_",
    "DEFAULT_FROM_EMAIL",
)

SHOW_SETTINGS = """
import json, django
from django.conf import settings
django.setup()
from django.db import connection
out = {name: getattr(settings, name, None) for name in %r}
out = json.loads(json.dumps(out, default=str))
if %r:
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        out["journal_mode"] = cursor.fetchone()[0]
        cursor.execute("PRAGMA foreign_keys")
        out["foreign_keys"] = cursor.fetchone()[0]
    out["transaction_mode"] = connection.transaction_mode
print(json.dumps(out))
"""


def clean_env(tmp_path: Path, **values: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(OWN_VARIABLES)}
    env.update(
        DJANGO_SETTINGS_MODULE="devzone.settings",
        DEVZONE_VAR_DIR=str(tmp_path / "var"),
        PYTHONDONTWRITEBYTECODE="1",
    )
    env.update(values)
    return env


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )


def settings_in(tmp_path: Path, *names: str, sqlite_pragmas: bool = False, **values: str):
    result = run(["-c", SHOW_SETTINGS % (names, sqlite_pragmas)], clean_env(tmp_path, **values))
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def production_env(**values: str) -> dict[str, str]:
    return {
        "DEVZONE_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(60),
        "ALLOWED_HOSTS": "devzone.example",
        **values,
    }


def fails_naming(tmp_path: Path, variable: str, **values: str) -> str:
    result = run(["manage.py", "check"], clean_env(tmp_path, **values))
    assert result.returncode != 0
    assert "EnvError" in result.stderr
    message = result.stderr.strip().splitlines()[-1]
    assert variable in message
    return message


def test_embedded_mode_uses_sqlite_in_the_var_dir_with_wal_and_immediate_transactions(tmp_path):
    seen = settings_in(tmp_path, "DATABASES", sqlite_pragmas=True)
    database = seen["DATABASES"]["default"]
    assert database["ENGINE"] == "django.db.backends.sqlite3"
    assert database["NAME"] == str(tmp_path / "var" / "devzone.sqlite3")
    assert seen["journal_mode"] == "wal"
    assert seen["foreign_keys"] == 1
    assert seen["transaction_mode"] == "IMMEDIATE"
    # WAL is recorded in the file itself: any later connection, even without our options, sees it.
    with closing(sqlite3.connect(tmp_path / "var" / "devzone.sqlite3")) as plain:
        assert plain.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_embedded_mode_runs_celery_on_the_filesystem_and_keeps_results_in_files(tmp_path):
    seen = settings_in(
        tmp_path,
        "CELERY_BROKER_URL",
        "CELERY_BROKER_TRANSPORT_OPTIONS",
        "CELERY_RESULT_BACKEND",
        "CELERY_BEAT_SCHEDULE_FILENAME",
    )
    var = tmp_path / "var"
    assert seen["CELERY_BROKER_URL"] == "filesystem://"
    assert seen["CELERY_BROKER_TRANSPORT_OPTIONS"]["data_folder_in"] == str(var / "broker/queue")
    assert seen["CELERY_BROKER_TRANSPORT_OPTIONS"]["data_folder_out"] == str(var / "broker/queue")
    assert (var / "broker" / "queue").is_dir()
    assert seen["CELERY_RESULT_BACKEND"] == f"file://{var / 'results'}"
    assert seen["CELERY_BEAT_SCHEDULE_FILENAME"] == str(var / "celerybeat-schedule")


def test_the_broker_folder_can_be_moved_out_of_the_var_dir(tmp_path):
    broker = tmp_path / "shared-broker"
    seen = settings_in(tmp_path, "CELERY_BROKER_TRANSPORT_OPTIONS", DEVZONE_BROKER_DIR=str(broker))
    assert seen["CELERY_BROKER_TRANSPORT_OPTIONS"]["data_folder_in"] == str(broker / "queue")
    assert (broker / "processed").is_dir()


def test_embedded_mode_writes_mail_to_files_and_caches_on_disk(tmp_path):
    seen = settings_in(tmp_path, "EMAIL_BACKEND", "EMAIL_FILE_PATH", "CACHES", "DEBUG")
    assert seen["EMAIL_BACKEND"] == "django.core.mail.backends.filebased.EmailBackend"
    assert seen["EMAIL_FILE_PATH"] == str(tmp_path / "var" / "mail")
    assert seen["CACHES"]["default"]["BACKEND"].endswith("FileBasedCache")
    assert seen["DEBUG"] is True


def test_service_urls_switch_database_broker_cache_and_mail(tmp_path):
    seen = settings_in(
        tmp_path,
        "DATABASES",
        "CELERY_BROKER_URL",
        "CELERY_RESULT_BACKEND",
        "CACHES",
        "EMAIL_BACKEND",
        "EMAIL_HOST",
        "EMAIL_PORT",
        DATABASE_URL="postgres://devzone:pw@db.internal:5433/devzone",
        REDIS_URL="redis://cache.internal:6379/2",
        EMAIL_URL="smtp://mailer:pw@mail.internal:587/?tls=1",
    )
    database = seen["DATABASES"]["default"]
    assert database["ENGINE"] == "django.db.backends.postgresql"
    assert (database["HOST"], database["PORT"], database["NAME"]) == (
        "db.internal",
        5433,
        "devzone",
    )
    assert database["CONN_HEALTH_CHECKS"] is True
    assert seen["CELERY_BROKER_URL"] == "redis://cache.internal:6379/2"
    assert seen["CELERY_RESULT_BACKEND"] == "redis://cache.internal:6379/2"
    assert seen["CACHES"]["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    assert seen["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert (seen["EMAIL_HOST"], seen["EMAIL_PORT"]) == ("mail.internal", 587)


def test_a_sqlite_database_url_also_gets_wal(tmp_path):
    path = tmp_path / "elsewhere.sqlite3"
    seen = settings_in(tmp_path, "DATABASES", sqlite_pragmas=True, DATABASE_URL=f"sqlite:///{path}")
    assert seen["DATABASES"]["default"]["NAME"] == str(path)
    assert seen["journal_mode"] == "wal"
    assert seen["transaction_mode"] == "IMMEDIATE"


def test_production_without_a_secret_key_fails_naming_it(tmp_path):
    env = production_env()
    del env["SECRET_KEY"]
    message = fails_naming(tmp_path, "SECRET_KEY", **env)
    assert "SECRET_KEY_FILE" in message


def test_production_with_a_short_secret_key_fails(tmp_path):
    fails_naming(tmp_path, "SECRET_KEY", **production_env(SECRET_KEY="too-short"))


def test_production_without_allowed_hosts_fails_naming_it(tmp_path):
    env = production_env()
    del env["ALLOWED_HOSTS"]
    fails_naming(tmp_path, "ALLOWED_HOSTS", **env)


def test_production_reads_the_secret_key_from_a_file(tmp_path):
    key_file = tmp_path / "secret_key"
    key_file.write_text(secrets.token_urlsafe(60) + "\n", encoding="utf-8")
    env = production_env(SECRET_KEY_FILE=str(key_file))
    del env["SECRET_KEY"]
    seen = settings_in(tmp_path, "SECRET_KEY", **env)
    assert seen["SECRET_KEY"] == key_file.read_text(encoding="utf-8").strip()


def test_production_turns_debug_off_and_cookies_secure_with_hsts(tmp_path):
    seen = settings_in(
        tmp_path,
        "DEBUG",
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "SECURE_SSL_REDIRECT",
        "SECURE_HSTS_SECONDS",
        "ALLOWED_HOSTS",
        **production_env(),
    )
    assert seen["DEBUG"] is False
    assert seen["SESSION_COOKIE_SECURE"] is True
    assert seen["CSRF_COOKIE_SECURE"] is True
    assert seen["SECURE_SSL_REDIRECT"] is True
    assert seen["SECURE_HSTS_SECONDS"] >= 31_536_000
    assert seen["ALLOWED_HOSTS"] == ["devzone.example"]


def test_production_with_proper_settings_passes_check_deploy_with_zero_warnings(tmp_path):
    result = run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        clean_env(tmp_path, **production_env()),
    )
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_development_settings_do_not_pass_check_deploy(tmp_path):
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], clean_env(tmp_path))
    assert result.returncode != 0
    assert "security.W018" in result.stderr  # DEBUG on


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("DEBUG", "ture"),
        ("DATABASE_URL", "mysql://root@127.0.0.1/devzone"),
        ("REDIS_URL", "memcached://127.0.0.1:11211"),
        ("EMAIL_URL", "http://mail.example"),
        ("DEVZONE_ENV", "prod"),
        ("DEVZONE_HEARTBEAT_SECONDS", "often"),
        ("DEVZONE_HEARTBEAT_SECONDS", "1"),
    ],
)
def test_a_bad_value_stops_start_up_naming_the_variable(tmp_path, variable, value):
    fails_naming(tmp_path, variable, **{variable: value})
