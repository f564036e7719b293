import pytest
from django.db import transaction
from django.test import override_settings

from .table import build_full_world


@pytest.fixture(scope="module")
def world_media(tmp_path_factory):
    return tmp_path_factory.mktemp("world-media")


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, world_media):
    """The two-region world, built once per test module instead of once per row.

    Each test runs in its own transaction nested in this one (a savepoint rolled back at its end), so
    every test still starts from exactly this state; the whole world is rolled back after the module.
    It is built with the tests' password hasher (tests/conftest.py) and in a media folder of its own, which
    the tests of the module then use too."""
    hashers = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with django_db_blocker.unblock(), transaction.atomic():
        with override_settings(MEDIA_ROOT=world_media, PASSWORD_HASHERS=hashers):
            built = build_full_world()
        yield built
        transaction.set_rollback(True)


@pytest.fixture(autouse=True)
def _world_media_root(_test_settings, settings, world_media):
    """The files of the world (materials) are read from its media folder."""
    settings.MEDIA_ROOT = world_media
