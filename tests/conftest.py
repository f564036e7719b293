"""Test-wide settings and fixtures.

REQUIRE_SERVICES=1 (set by .ci/run) turns every test marked `services` that would skip for a missing
PostgreSQL, Redis or Celery worker into a failure, so CI cannot pass by skipping them.
"""

import os

import pytest
from django.conf import settings

# Playwright's sync API runs an event loop in the test thread; the ORM must still be usable there.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"

# Ordinary tests run tasks in-process even when CI configures a broker; the integration tests that
# exercise a real worker switch this off for their own duration (see the `celery_worker` fixture).
from config.celery import app as celery_app  # noqa: E402

celery_app.conf.task_always_eager = True
celery_app.conf.task_eager_propagates = True


def pytest_collection_modifyitems(config, items):
    if REQUIRE_SERVICES:
        return
    uses_pg = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
    skip_pg = pytest.mark.skip(reason="needs PostgreSQL: run with DATABASE_URL (CI sets REQUIRE_SERVICES=1)")
    for item in items:
        if "postgres" in item.keywords and not uses_pg:
            item.add_marker(skip_pg)


def require_service(reason: str):
    """Skip locally, fail in CI: the one way a test may say a real service is missing."""
    if REQUIRE_SERVICES:
        pytest.fail(f"required service unavailable: {reason}")
    pytest.skip(reason)


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.SECURE_SSL_REDIRECT = False


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
