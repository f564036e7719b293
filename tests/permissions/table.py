"""The permission table: for every URL name of the project, which actors may GET and POST it.

Each app contributes its rows in `tests/permissions/rows_<app>.py` as a list named ROWS; this module
merges them. A row says how to build the URL's kwargs (and POST data) from the world, and which actors
may GET and POST. `get=None` / `post=None` mean the method is not offered (the view must refuse it for
everyone: 405, or the forbidden answers). Actors not allowed must get 403, 404 or a redirect to the login
page, and nothing in the database may change.
"""

import functools
import hashlib
import importlib
import pkgutil
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.apps import apps
from django.db import connection

from . import world as _world

PROJECT_APPS = ("accounts", "regions", "stakeholders", "agenda_sessions", "agenda", "projects")


@dataclass(frozen=True)
class Row:
    name: str
    kwargs: Callable = lambda w: {}
    get: frozenset | None = None
    post: frozenset | None = None
    data: Callable = lambda w: {}
    # Actors outside region A must not even learn that the object exists.
    hide_from: frozenset = field(default_factory=frozenset)
    # Extra request headers (e.g. htmx) and query string.
    query: str = ""
    # Allowed answers; a redirect anywhere but the login page counts as success (post/redirect/get).
    ok_status: frozenset = frozenset({200, 201, 204, 302, 303})


def _row_modules():
    package = importlib.import_module(__package__)
    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda i: i.name):
        if info.name.startswith("rows_"):
            yield importlib.import_module(f"{__package__}.{info.name}")


def all_rows() -> list[Row]:
    rows: list[Row] = []
    for module in _row_modules():
        rows.extend(module.ROWS)
    return rows


def build_full_world() -> _world.World:
    """The shared world plus whatever each app's rows module adds in its `extend_world(w)` hook
    (objects of its own models in both regions, stored in `w.objects`)."""
    w = _world.build_world()
    for module in _row_modules():
        hook = getattr(module, "extend_world", None)
        if hook is not None:
            hook(w)
    return w


ACTORS = _world.ACTORS


def _project_models():
    return [m for m in apps.get_models(include_auto_created=True) if m._meta.app_label in PROJECT_APPS]


def db_fingerprint() -> str:
    """A hash of every row of every project table (many-to-many tables included)."""
    digest = hashlib.sha256()
    for model in _project_models():
        for row in model._default_manager.order_by("pk").values_list():
            digest.update(repr(row).encode())
        digest.update(model._meta.label.encode())
    return digest.hexdigest()


@functools.cache
def _project_tables() -> frozenset[str]:
    return frozenset(model._meta.db_table for model in _project_models())


# Statements that cannot change a table, and writes whose target table can be read off the statement.
_READ_SQL = re.compile(r"\s*(SELECT|SAVEPOINT|RELEASE SAVEPOINT|ROLLBACK TO SAVEPOINT)\b", re.IGNORECASE)
_WRITE_SQL = re.compile(r'\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"([^"]+)"', re.IGNORECASE)


class WriteWatch:
    """An execute wrapper that notes whether any statement may have changed a project table.

    Reads, savepoints and writes to other tables (the session's, for one) cannot; every other statement
    counts as a possible write. While `touched` stays False the project tables are unchanged, so a caller
    may skip hashing them again: `db_fingerprint()` reads every row of some sixty tables, which cost
    about as much as the checked request itself."""

    def __init__(self):
        self.touched = False

    def __call__(self, execute, sql, params, many, context):
        if not self.touched and not _READ_SQL.match(sql):
            target = _WRITE_SQL.match(sql)
            self.touched = target is None or target.group(1) in _project_tables()
        return execute(sql, params, many, context)


@contextmanager
def watch_writes() -> Iterator[WriteWatch]:
    """Watch every statement run on the default database inside the block (Celery runs eagerly there)."""
    watch = WriteWatch()
    with connection.execute_wrapper(watch):
        yield watch
