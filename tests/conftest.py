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
    # Pages render afresh in every test; the page cache has its own tests (tests/core/test_pagecache.py).
    settings.PAGE_CACHE_SECONDS = 0


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


# --- A real Celery worker for integration tests (memoranda; usable by any app) -------------------------
#
# `celery_worker` starts `.venv/bin/celery -A config worker` as a subprocess against the real Redis broker
# and the *test* PostgreSQL database, waits for `celery inspect ping`, turns eager mode off for the test
# and kills the worker at teardown. Tests using it must be `@pytest.mark.django_db(transaction=True)`, so
# that the rows they write are committed and visible to the worker. Without Redis + PostgreSQL it calls
# require_service(): skipped locally, a failure in CI.
#
# Under xdist each pytest worker sends to and consumes from its own queue, so two test processes never
# steal each other's tasks. The queue is set here, at import time, before Celery caches its queues.
import signal  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402
from urllib.parse import quote  # noqa: E402

CELERY_TEST_QUEUE = f"ca-test-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"
celery_app.conf.task_default_queue = CELERY_TEST_QUEUE


def _test_database_url() -> str:
    db = settings.DATABASES["default"]
    auth = quote(db.get("USER") or "", safe="")
    if db.get("PASSWORD"):
        auth += ":" + quote(db["PASSWORD"], safe="")
    host = db.get("HOST") or "127.0.0.1"
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgres://{auth}@{host}{port}/{quote(db['NAME'], safe='')}"


def _children(pid: int) -> list[int]:
    """Direct child processes of `pid` (the prefork pool of a worker), read from /proc."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return sorted(found)


class CeleryWorkerProcess:
    """One `celery worker` subprocess; `start()` again after `stop()` for a fresh worker."""

    def __init__(self, env: dict, log_dir: Path):
        self.base_env = env
        self.log_dir = log_dir
        self.process: subprocess.Popen | None = None
        self.starts = 0
        self.name = ""

    def start(self, extra_env: dict | None = None, timeout: float = 90) -> "CeleryWorkerProcess":
        self.starts += 1
        self.name = f"{CELERY_TEST_QUEUE}-{self.starts}@%h"
        log = open(self.log_dir / f"worker-{self.starts}.log", "w")  # noqa: SIM115 - closed with the process
        venv_celery = Path(sys.executable).with_name("celery")
        self.process = subprocess.Popen(
            [
                str(venv_celery),
                "-A",
                "config",
                "worker",
                "-P",
                "prefork",
                "-c",
                "1",
                "--without-heartbeat",
                "--without-gossip",
                "--without-mingle",
                "-Q",
                CELERY_TEST_QUEUE,
                "-n",
                self.name,
                "-l",
                "info",
            ],
            env={**self.base_env, **(extra_env or {})},
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=str(Path(settings.BASE_DIR)),
            start_new_session=True,
        )
        self._log = log
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"celery worker exited with {self.process.returncode}: {self.log_text()[-3000:]}"
                )
            ping = subprocess.run(
                [
                    str(venv_celery),
                    "-A",
                    "config",
                    "inspect",
                    "ping",
                    "-t",
                    "2",
                    "-d",
                    self.name.replace("%h", _hostname()),
                ],
                env=self.base_env,
                capture_output=True,
                text=True,
                cwd=str(Path(settings.BASE_DIR)),
            )
            if ping.returncode == 0 and "pong" in ping.stdout:
                return self
            time.sleep(0.5)
        self.stop()
        raise RuntimeError(f"celery worker did not answer ping within {timeout} s: {self.log_text()[-3000:]}")

    def pool_children(self) -> list[int]:
        return _children(self.process.pid) if self.process else []

    def log_text(self) -> str:
        try:
            return "".join(p.read_text(errors="replace") for p in sorted(self.log_dir.glob("worker-*.log")))
        except OSError:
            return ""

    def stop(self) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGKILL)  # the worker and its pool, nothing else
            except ProcessLookupError:
                pass
            self.process.wait(timeout=30)
        self._log.close()
        self.process = None


def _hostname() -> str:
    import socket

    return socket.gethostname()


@pytest.fixture
def celery_worker(request, transactional_db, settings, tmp_path):
    broker = settings.CELERY_BROKER_URL or ""
    engine = settings.DATABASES["default"]["ENGINE"]
    if not broker.startswith(("redis://", "rediss://")) or not engine.endswith("postgresql"):
        require_service(
            "a real Celery worker needs CELERY_BROKER_URL=redis://… and DATABASE_URL=postgres://…"
        )
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1)
            conn.default_channel.queue_purge(CELERY_TEST_QUEUE)
    except Exception as exc:  # noqa: BLE001
        require_service(f"Redis broker unreachable at {broker}: {exc}")
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")},
        "DATABASE_URL": _test_database_url(),
        "CELERY_BROKER_URL": broker,
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "SECRET_KEY": settings.SECRET_KEY,
        "DEBUG": "0",
        "CONN_MAX_AGE": "0",
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    worker = CeleryWorkerProcess(env, tmp_path)
    marker = request.node.get_closest_marker("celery_worker_env")
    worker.start(extra_env={k: str(v) for k, v in (marker.kwargs if marker else {}).items()})
    eager, propagates = celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates
    celery_app.conf.task_always_eager = False
    try:
        yield worker
    finally:
        celery_app.conf.task_always_eager = eager
        celery_app.conf.task_eager_propagates = propagates
        worker.stop()


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "celery_worker_env(**env): extra environment for the `celery_worker` subprocess (test-only switches)",
    )


# Browser fixtures live in one place so that all test modules share one Playwright instance per worker.
from tests.browser_support import browser, page_factory  # noqa: E402,F401
