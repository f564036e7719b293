"""Runs every (URL, actor, method) of the permission table against a world of two regions."""

import pytest
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from .table import ACTORS, all_rows, db_fingerprint, watch_writes

ROWS = all_rows()
LOGIN_PATH = "/accounts/login/"
# Django admin is classified as a whole: its own permission checks plus region scoping (tests/test_admin.py).
UNCLASSIFIED_NAMESPACES = {"admin"}
# Media served by runserver in DEBUG only; djdt etc. never in this list.
IGNORED = {None}


def _url_names(resolver=None, namespace=""):
    resolver = resolver or get_resolver()
    for p in resolver.url_patterns:
        if isinstance(p, URLResolver):
            ns = p.namespace or ""
            if ns in UNCLASSIFIED_NAMESPACES:
                continue
            yield from _url_names(p, f"{namespace}{ns}:" if ns else namespace)
        elif isinstance(p, URLPattern) and p.name not in IGNORED:
            yield f"{namespace}{p.name}"


def test_every_url_is_in_the_table():
    classified = {row.name for row in ROWS}
    missing = sorted(set(_url_names()) - classified)
    assert not missing, f"URL names with no row in the permission table: {missing}"
    stale = sorted(classified - set(_url_names()))
    assert not stale, f"Rows for URL names that no longer exist: {stale}"


def _client(world, actor) -> Client:
    client = Client(raise_request_exception=True)
    user = world.users[actor]
    if user is not None:
        client.force_login(user)
    return client


def _check(row, actor, method, response, allowed):
    where = f"{method} {row.name} as {actor}: {response.status_code}"
    if allowed:
        assert response.status_code in row.ok_status, where
        if response.status_code in (302, 303):
            assert not response["Location"].startswith(LOGIN_PATH), f"{where} redirected to login"
        return
    if actor == "anonymous":
        assert response.status_code in (302, 403, 404, 405), where
        if response.status_code == 302:
            assert response["Location"].startswith(LOGIN_PATH), where
        return
    if actor in row.hide_from:
        assert response.status_code in (404, 405), f"{where}: another region's object must be a 404"
        return
    assert response.status_code in (403, 404, 405), where


@pytest.mark.django_db
@pytest.mark.parametrize("row", ROWS, ids=[r.name for r in ROWS])
def test_permission_row(row, world, record_property):
    url = reverse(row.name, kwargs=row.kwargs(world)) + (f"?{row.query}" if row.query else "")
    checked = 0
    for actor in ACTORS:
        client = _client(world, actor)
        # GET never writes. The tables are hashed again only if a statement may have written to them.
        before = db_fingerprint()
        with watch_writes() as writes:
            response = client.get(url)
        allowed = row.get is not None and actor in row.get
        _check(row, actor, "GET", response, allowed)
        assert not writes.touched or db_fingerprint() == before, (
            f"GET {row.name} as {actor} changed the database"
        )
        checked += 1

        # The POST is rolled back, so the state before it is hashed after the rollback, and only if needed.
        allowed = row.post is not None and actor in row.post
        after = None
        with transaction.atomic(), watch_writes() as writes:
            response = client.post(url, data=row.data(world))
            _check(row, actor, "POST", response, allowed)
            if not allowed and writes.touched:
                after = db_fingerprint()
            transaction.set_rollback(True)
        if after is not None:
            assert db_fingerprint() == after, f"refused POST {row.name} as {actor} changed the database"
        checked += 1
    record_property("pairs", checked)


def test_table_size_report(capsys):
    pairs = len(ROWS) * len(ACTORS) * 2
    with capsys.disabled():
        print(f"\npermission table: {len(ROWS)} URL names × {len(ACTORS)} actors × GET/POST = {pairs} checks")
    assert pairs > 0
