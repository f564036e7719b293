"""Settings come from the environment: each check runs a fresh interpreter with a chosen environment."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# `make test` turns these off for the live test server; the subprocesses here must see the defaults.
HTTPS_SWITCHES = {"SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SECURE_HSTS_SECONDS"}

PROBE = (
    "import json, django; from django.conf import settings; django.setup(); "
    "print(json.dumps({'engine': settings.DATABASES['default']['ENGINE'], 'name': str(settings.DATABASES['default']['NAME']), "
    "'eager': settings.CELERY_TASK_ALWAYS_EAGER, 'broker': settings.CELERY_BROKER_URL, 'hosts': settings.ALLOWED_HOSTS, "
    "'lang': settings.LANGUAGE_CODE, 'tz': settings.TIME_ZONE, 'email': settings.EMAIL_BACKEND, 'ssl': settings.SECURE_SSL_REDIRECT}))"
)


def _run(env_overrides, code=PROBE):
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "CELERY_BROKER_URL", "SECRET_KEY", "DEBUG", "ALLOWED_HOSTS", *HTTPS_SWITCHES}}
    env.update(env_overrides)
    env["DJANGO_SETTINGS_MODULE"] = "config.settings"
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)


def test_defaults_are_the_embedded_setup():
    out = _run({"DEBUG": "1"})
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout.strip().splitlines()[-1])
    assert data["engine"] == "django.db.backends.sqlite3"
    assert data["eager"] is True and data["broker"] == ""
    assert data["lang"] == "uk" and data["tz"] == "Europe/Kyiv"
    assert data["email"].endswith("console.EmailBackend")
    assert data["ssl"] is False


def test_database_url_broker_and_hosts_from_environment():
    out = _run(
        {
            "SECRET_KEY": "x" * 50,
            "DATABASE_URL": "postgres://u:p@db.example:5432/agenda",
            "CELERY_BROKER_URL": "redis://127.0.0.1:6379/3",
            "ALLOWED_HOSTS": "agenda.example.org,www.agenda.example.org",
        }
    )
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout.strip().splitlines()[-1])
    assert data["engine"] == "django.db.backends.postgresql"
    assert data["name"] == "agenda"
    assert data["eager"] is False and data["broker"] == "redis://127.0.0.1:6379/3"
    assert data["hosts"] == ["agenda.example.org", "www.agenda.example.org"]
    assert data["ssl"] is True


def test_production_refuses_to_start_without_secret_key():
    out = _run({"DEBUG": "0"})
    assert out.returncode != 0
    assert "SECRET_KEY must be set" in out.stderr


def test_check_deploy_is_clean_with_production_environment():
    out = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={
            **{k: v for k, v in os.environ.items() if k not in {"DEBUG", "DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE", *HTTPS_SWITCHES}},
            "DEBUG": "0",
            "SECRET_KEY": "a-long-random-production-secret-key-0123456789-abcdefghij-XYZ",
            "ALLOWED_HOSTS": "agenda.example.org",
        },
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    assert "no issues" in out.stdout


def _manage(*args, **env_overrides):
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "CELERY_BROKER_URL", "SECRET_KEY", "DEBUG", *HTTPS_SWITCHES}}
    env.update(env_overrides)
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


def test_the_missing_migration_check_runs_without_a_key_and_finds_none():
    """Comparing models with migrations signs nothing: it runs on a bare checkout, and finds no change."""
    out = _manage("makemigrations", "--check", "--dry-run")
    assert out.returncode == 0, out.stdout + out.stderr
    assert "No changes detected" in out.stdout


def test_commands_that_serve_or_sign_still_refuse_without_a_key():
    for command in ("check", "migrate", "createsuperuser"):
        out = _manage(command, "--no-color")
        assert out.returncode != 0, command
        assert "SECRET_KEY must be set" in out.stderr, command
