"""No Docker engine runs in CI, so the compose file is checked by reading it: the services exist,
start the right commands, wait for healthy dependencies, and name only settings that exist."""

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def _compose():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_compose_has_every_service_with_health_checks():
    services = _compose()["services"]
    assert set(services) >= {"web", "worker", "beat", "db", "redis"}
    for name in ("web", "worker", "db", "redis"):
        assert "healthcheck" in services[name], name
    for name in ("web", "worker", "beat"):
        deps = services[name]["depends_on"]
        assert deps["db"]["condition"] == "service_healthy"
        assert deps["redis"]["condition"] == "service_healthy"


def test_compose_commands():
    services = _compose()["services"]
    assert "gunicorn config.wsgi:application" in services["web"]["command"]
    assert "migrate" in services["web"]["command"]
    assert services["worker"]["command"].startswith("celery -A config worker")
    assert services["beat"]["command"].startswith("celery -A config beat")
    assert services["db"]["image"].startswith("postgres")
    assert services["redis"]["image"].startswith("redis")


def test_compose_environment_names_are_settings_the_project_reads():
    settings_src = (ROOT / "config" / "settings.py").read_text()
    read = set(re.findall(r'env\.\w+\("([A-Z_]+)"', settings_src)) | set(re.findall(r'env\.db\("([A-Z_]+)"', settings_src))
    for name in ("web", "worker", "beat"):
        env = _compose()["services"][name]["environment"]
        unknown = set(env) - read
        assert not unknown, f"{name} sets variables settings.py never reads: {unknown}"
        assert {"DATABASE_URL", "CELERY_BROKER_URL", "SECRET_KEY"} <= set(env)


def test_compose_database_url_matches_db_service():
    compose = _compose()
    db_env = compose["services"]["db"]["environment"]
    url = compose["services"]["web"]["environment"]["DATABASE_URL"]
    assert url == f"postgres://{db_env['POSTGRES_USER']}:{db_env['POSTGRES_PASSWORD']}@db:5432/{db_env['POSTGRES_DB']}"


def test_dockerfile_installs_weasyprint_libraries_and_fonts():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "libpango" in dockerfile and "fonts-dejavu" in dockerfile
    assert "requirements.lock" in dockerfile
