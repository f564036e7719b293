"""A whole-page cache for the main read pages: role matrix, directory, SWOT board, portfolio, region and
programme dashboards, session timeline.

A page is kept per user, language and full URL, and is served again only while nothing it was made
from has changed:

* **the data**: when a page is rendered, the tables its queries read are recorded. On the next request
  the *change stamps* of those tables (core.stamps: one indexed query, PostgreSQL) are read first: if no
  transaction writing to any of them has committed since the stored copy was checked, it is served.
  Otherwise a one-query *fingerprint* of those tables — for each, the number of the region's rows (for
  a programme's pages, of all rows), their highest primary key and their latest `updated_at` — must be
  what it was when the stored copy was rendered (so a write in another region keeps a region's page).
  Any insert, delete or saved change, by a page, the admin or a worker, changes both. A page that reads
  a table `SCOPES` does not know is never stored;
* **the user's access**: their region and programme memberships and the organisations they represent
  are part of the fingerprint; the user's own flags and name are part of the key;
* **the time**: a stored page is used within the same `PAGE_CACHE_SECONDS` window only (60 s by
  default), so what is computed from the clock ("overdue") or from rows outside the fingerprint (user
  names) is never older than that.

Only GET requests that are not htmx requests and have no flash message waiting are served from or stored
in the cache, and only 200 responses that set no cookie. `Cache-Control: no-cache` (a browser's hard
reload) always renders afresh. The CSRF token of the page is swapped for the current request's on the way
out, so a stored page never carries another request's token.
"""

import functools
import hashlib
import re
import time
from dataclasses import dataclass
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.db import connection
from django.db.models import IntegerField, Q, Value
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.utils import translation
from django.utils.functional import lazy

from core import stamps
from core.fingerprint import change_aggregates, execute_prepared, model_for_label, statement_sql

KEY_VERSION = 1
CSRF_SENTINEL = "\x00csrf-token\x00"
RESPONSE_HEADER = "X-Page-Cache"
TABLES_SECONDS = 24 * 60 * 60

# How each table a main page reads belongs to a region: lookups from the table to regions.Region, any of
# which makes a row the region's; "…__isnull" lookups add rows that belong to no region (national
# organisations). An empty tuple is a small reference table read whole. Tables not listed here make a
# page uncacheable (a test renders every cached page and fails if one is).
SCOPES: dict[str, tuple[str, ...]] = {
    "regions.Region": ("",),
    "regions.Agenda": ("region",),
    "regions.Agenda_programmes": ("agenda__region",),
    "regions.Programme": (),
    "regions.Programme_regions": ("region",),
    "regions.ProgrammeMembership": (),
    "regions.RegionMembership": ("region",),
    "regions.SpecialisationDomain": ("region",),
    "stakeholders.Organisation": ("region", "region__isnull"),
    "stakeholders.Person": ("organisation__region", "organisation__region__isnull"),
    "stakeholders.RoleMatrixEntry": ("agenda__region",),
    "stakeholders.RoleMatrixEntry_domains": ("rolematrixentry__agenda__region",),
    "stakeholders.HistoricalRoleMatrixEntry": ("agenda__region",),
    "agenda.Indicator": ("region",),
    "agenda.SwotItem": ("agenda__region",),
    "agenda.SwotVote": ("item__agenda__region",),
    "agenda.Challenge": ("agenda__region",),
    "agenda.Challenge_swot_items": ("challenge__agenda__region",),
    "agenda.Goal": ("agenda__region",),
    "agenda.HistoricalGoal": ("agenda__region",),
    "agenda.Endorsement": ("agenda__region",),
    "agenda.Memorandum": ("agenda__region",),
    "agenda.HistoricalMemorandum": ("agenda__region",),
    "agenda_sessions.SessionKind": (),
    "agenda_sessions.Session": ("agenda__region", "programme__regions"),
    "agenda_sessions.ExternalEvent": ("agenda__region",),
    "agenda_sessions.DocumentAcceptance": ("region", "session__agenda__region"),
    "projects.MechanismKind": (),
    "projects.Project": ("agenda__region",),
    "projects.HistoricalProject": ("agenda__region",),
    "projects.Project_goals": ("project__agenda__region",),
    "projects.Project_partners": ("project__agenda__region",),
    "projects.Project_mechanisms": ("project__agenda__region",),
    "projects.FundingLine": ("project__agenda__region",),
    "projects.NormativeAct": ("projects__agenda__region", "issuing_body__region"),
    "projects.NormativeAct_projects": ("project__agenda__region",),
    "projects.WorkingTeam": ("agenda__region",),
    "projects.HistoricalWorkingTeam": ("agenda__region",),
    "projects.TeamMembership": ("team__agenda__region",),
    "projects.ActionStep": ("project__agenda__region",),
}
# Read by every request for the session and the signed-in user; not part of what a page shows from the
# data (the user's own name and flags are in the key).
IGNORED_TABLES = frozenset({"django_session", "accounts_user"})
# The user's access: the same rows regions.rules reads.
USER_SCOPES = (
    ("regions.RegionMembership", "user"),
    ("regions.ProgrammeMembership", "user"),
    ("stakeholders.Person", "user"),
)


@functools.cache
def user_tables() -> tuple[str, ...]:
    """The tables of the user's access, stamped with the page's own."""
    return tuple(sorted({model_for_label(label)._meta.db_table for label, _lookup in USER_SCOPES}))


_TABLE = re.compile(r'(?:FROM|JOIN)\s+"?(\w+)"?', re.IGNORECASE)
_CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="(?!' + re.escape(CSRF_SENTINEL) + ")")


_models_by_table: dict[str, tuple[str, object]] | None = None


def models_by_table() -> dict[str, tuple[str, object]]:
    """Database table -> (label in SCOPES, model) for every table SCOPES knows."""
    global _models_by_table
    if _models_by_table is None:
        found = {}
        for label in SCOPES:
            model = model_for_label(label)
            found[model._meta.db_table] = (label, model)
        _models_by_table = found
    return _models_by_table


@dataclass(frozen=True)
class Scope:
    """Whose rows a page shows: one region (by slug) or every region of a programme (by code)."""

    kind: str  # "region" | "programme"
    value: str

    def q(self, path: str) -> Q:
        if path.endswith("__isnull"):
            return Q(**{path: True})
        prefix = f"{path}__" if path else ""
        if self.kind == "region":
            return Q(**{f"{prefix}slug": self.value})
        return Q(**{f"{prefix}programmes__code": self.value})


def _stamp(source: int, model, condition: Q | None):
    qs = model._default_manager.all()
    if condition is not None:
        qs = qs.filter(condition)
    return (
        qs.annotate(fp_source=Value(source, output_field=IntegerField()))
        .values("fp_source")
        .annotate(**change_aggregates(model))
        .values_list("fp_source", "fp_n", "fp_top", "fp_latest")
        .order_by()
    )


_SCOPE_MARK = "\x00scope\x00"
_USER_MARK = -7_777_777
_compiled: dict[tuple, tuple[str, tuple]] = {}


def _fingerprint_sql(tables: tuple[str, ...], kind: str) -> tuple[str, tuple]:
    """The fingerprint query of `tables` for a region or a programme, compiled once per process with
    marks where the scope and the user go (building it with the ORM costs more than running it)."""
    cache_key = (tables, kind, connection.vendor)
    if cache_key not in _compiled:
        scope = Scope(kind, _SCOPE_MARK)
        known = models_by_table()
        parts = []
        for table in tables:
            label, model = known[table]
            # One aggregate per lookup rather than one over an OR of them: each can use its index. A
            # programme's pages take whole tables: a programme spans many regions, and joining every row
            # to its region and programme costs far more than reading the table (tens of thousands of
            # rows at 40 regions) — a change in a region outside the programme only renders it afresh.
            paths = (None,) if kind == "programme" else SCOPES[label] or (None,)
            for path in paths:
                parts.append(_stamp(len(parts), model, None if path is None else scope.q(path)))
        for label, lookup in USER_SCOPES:
            parts.append(_stamp(len(parts), model_for_label(label), Q(**{lookup: _USER_MARK})))
        query = parts[0].union(*parts[1:], all=True)
        _compiled[cache_key] = query.query.sql_with_params()
    return _compiled[cache_key]


def fingerprint(tables: tuple[str, ...], scope: Scope, user) -> str:
    """A digest of the rows of `tables` in `scope` and of the user's access. One query."""
    sql, marked = _fingerprint_sql(tables, scope.kind)
    params = [scope.value if p == _SCOPE_MARK else user.pk if p == _USER_MARK else p for p in marked]
    with connection.cursor() as cursor:
        execute_prepared(cursor, sql, params, prefix="page_fp")
        rows = sorted(cursor.fetchall(), key=lambda row: str(row[0]))
    text = "|".join(":".join("" if value is None else str(value) for value in row) for row in rows)
    return hashlib.sha256(text.encode()).hexdigest()


class _TableRecorder:
    """Records the tables the queries of a block read (connection.execute_wrapper: also without DEBUG)."""

    def __init__(self):
        self.tables: set[str] = set()

    def __call__(self, execute, sql, params, many, context):
        if sql == stamps.READ_SQL:  # what the stamps vouched for was read, as far as the page goes
            self.tables.update(params[1])
        elif sql != stamps.TRIGGERS_SQL:
            self.tables.update(_TABLE.findall(statement_sql(sql)))  # through a prepared statement too
        return execute(sql, params, many, context)

    def __enter__(self):
        self._cm = connection.execute_wrapper(self)
        self._cm.__enter__()
        return self

    def __exit__(self, *exc):
        return self._cm.__exit__(*exc)


def seconds() -> int:
    return int(getattr(settings, "PAGE_CACHE_SECONDS", 60))


def _keys(request, scope: Scope) -> tuple[str, str]:
    """(key of the tables the page reads, key of the stored page in the current time window)."""
    user = request.user
    who = "|".join(
        str(v)
        for v in (
            user.pk,
            user.email,
            user.get_full_name(),
            user.is_active,
            user.is_staff,
            user.is_superuser,
        )
    )
    raw = f"{who}\n{translation.get_language()}\n{scope}\n{request.get_full_path()}"
    digest = hashlib.sha256(raw.encode()).hexdigest()
    window = int(time.time() // max(1, seconds()))
    return (
        f"page-tables:{KEY_VERSION}:{digest}",
        f"page:{KEY_VERSION}:{window}:{digest}",
        f"page-stamps:{KEY_VERSION}:{window}:{digest}",
    )


def _may_use_cache(request) -> bool:
    return (
        seconds() > 0
        and request.method == "GET"
        and request.user.is_authenticated
        and not request.headers.get("HX-Request")
        and "no-cache" not in request.headers.get("Cache-Control", "")
        and not len(messages.get_messages(request))
    )


def _storable(request, response) -> bytes | None:
    """The response's body ready to store (CSRF token swapped for the sentinel), or None."""
    if response.status_code != 200 or response.cookies or getattr(response, "streaming", False):
        return None
    storage = messages.get_messages(request)
    if storage.used or len(storage):
        return None
    body = response.content.decode(response.charset)
    token = getattr(request, "_page_csrf_token", None)
    if token:
        body = body.replace(token, CSRF_SENTINEL)
    if _CSRF_FIELD.search(body):  # a token made some other way: it belongs to this request only
        return None
    return body.encode(response.charset)


def _from_entry(request, entry: dict) -> HttpResponse:
    body = entry["body"]
    if CSRF_SENTINEL.encode() in body:
        body = body.replace(CSRF_SENTINEL.encode(), get_token(request).encode())
    response = HttpResponse(body, status=200)
    for name, value in entry["headers"]:
        response[name] = value
    response[RESPONSE_HEADER] = "hit"
    return response


def cached_page(scope_kwarg: str):
    """Serves a main page from the cache while its data, the user's access and the time window are
    unchanged. `scope_kwarg` is the URL keyword naming the page's region ("region", a slug) or programme
    ("programme", a code)."""
    kind = "programme" if scope_kwarg == "programme" else "region"

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not _may_use_cache(request):
                return view(request, *args, **kwargs)
            scope = Scope(kind, str(kwargs[scope_kwarg]))
            tables_key, page_key, stamps_key = _keys(request, scope)
            found = cache.get_many([tables_key, page_key, stamps_key])
            known_tables, entry = found.get(tables_key), found.get(page_key)
            now_stamped = before = None
            if known_tables is not None:
                # Stamps first: an unchanged stamp of every table proves the stored page current in one
                # cheap query; when one moved, the row fingerprint decides (a change in another region
                # moves the stamp but keeps a region's page).
                now_stamped = stamps.read((*known_tables, *user_tables()))
                stamped = found.get(stamps_key)
                current = entry is not None and now_stamped is not None
                if current and stamped == (entry["fingerprint"], now_stamped):
                    return _from_entry(request, entry)
                before = fingerprint(known_tables, scope, request.user)
                if entry is not None and entry["fingerprint"] == before:
                    if now_stamped is not None:
                        cache.set(stamps_key, (before, now_stamped), seconds())
                    return _from_entry(request, entry)

            with _TableRecorder() as recorder:
                response = view(request, *args, **kwargs)
                if hasattr(response, "render") and not getattr(response, "is_rendered", True):
                    response.render()
            tables = tuple(sorted(recorder.tables - IGNORED_TABLES))
            if any(table not in models_by_table() for table in tables):
                return response
            body = _storable(request, response)
            if body is None:
                return response
            if tables != known_tables:  # first render, or the page now reads other tables
                cache.set(tables_key, tables, TABLES_SECONDS)
            else:
                headers = [
                    (k, v) for k, v in response.items() if k.lower() not in {"content-length", "set-cookie"}
                ]
                stored = {page_key: {"fingerprint": before, "body": body, "headers": headers}}
                if now_stamped is not None:
                    stored[stamps_key] = (before, now_stamped)
                cache.set_many(stored, seconds())
            response[RESPONSE_HEADER] = "miss"
            return response

        wrapper.page_cache_scope = scope_kwarg
        return wrapper

    return decorator


def csrf_token_once(request) -> dict:
    """Context processor: one CSRF token for the whole page (Django's masks it anew at every use), so
    the page cache can swap it for the current request's token."""

    def token() -> str:
        value = getattr(request, "_page_csrf_token", None)
        if value is None:
            value = request._page_csrf_token = get_token(request)
        return value

    return {"csrf_token": lazy(token, str)()}
