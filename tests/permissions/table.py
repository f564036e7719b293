"""The permission table: for every URL name of the project, which actors may GET and POST it.

Each app contributes its rows in `tests/permissions/rows_<app>.py` as a list named ROWS; this module
merges them. A row says how to build the URL's kwargs (and POST data) from the world, and which actors
may GET and POST. `get=None` / `post=None` mean the method is not offered (the view must refuse it for
everyone: 405, or the forbidden answers). Actors not allowed must get 403, 404 or a redirect to the login
page, and nothing in the database may change.
"""

import hashlib
import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass, field

from django.apps import apps

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


def db_fingerprint() -> str:
    """A hash of every row of every project table (many-to-many tables included)."""
    digest = hashlib.sha256()
    for model in apps.get_models(include_auto_created=True):
        if model._meta.app_label not in PROJECT_APPS:
            continue
        for row in model._default_manager.order_by("pk").values_list():
            digest.update(repr(row).encode())
        digest.update(model._meta.label.encode())
    return digest.hexdigest()
