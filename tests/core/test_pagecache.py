"""The page cache of the main read pages: a stored page is served only while its data, the user's
access and the time window are unchanged, and never carries another request's CSRF token."""

import re
from types import SimpleNamespace

import pytest
from django.contrib.messages import constants as message_levels
from django.contrib.messages.storage.session import SessionStorage
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from agenda import criteria
from agenda.models import SwotItem, SwotQuadrant
from core import pagecache, stamps
from core.fingerprint import model_for_label
from projects.models import MechanismKind
from regions.models import RegionMembership, SpecialisationDomain
from stakeholders.models import Organisation, RoleMatrixEntry
from tests import factories as f
from tests.dashboards.builders import build_programme

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
META_TOKEN = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


@pytest.fixture(autouse=True)
def clock(settings, monkeypatch):
    """The page cache on, with a clock that stays inside one time window unless a test moves it."""
    settings.PAGE_CACHE_SECONDS = 60
    now = [1_000_000_020.0]
    monkeypatch.setattr(pagecache.time, "time", lambda: now[0])
    return now


@pytest.fixture
def world():
    return build_programme(2)


def _pages(world) -> dict[str, tuple[str, object]]:
    first = world["regions"][0]
    region, year = first["region"].slug, first["agenda"].year
    ry = {"region": region, "year": year}
    coordinator, lead = first["coordinator"], world["lead"]
    return {
        "role matrix": (reverse("stakeholders:role-entry-list", kwargs=ry), coordinator),
        "directory": (reverse("stakeholders:organisation-list", kwargs={"region": region}), coordinator),
        "SWOT board": (reverse("agenda:swot-board", kwargs=ry), coordinator),
        "portfolio": (reverse("projects:project-list", kwargs=ry), coordinator),
        "region dashboard": (reverse("regions:region-dashboard", kwargs={"region": region}), coordinator),
        "programme dashboard": (
            reverse("programmes:programme-dashboard", kwargs={"programme": world["programme"].code}),
            lead,
        ),
        "session timeline": (reverse("sessions:session-timeline", kwargs={"region": region}), coordinator),
    }


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _visible(html: str) -> str:
    """The page without its CSRF tokens (each request gets its own)."""
    return META_TOKEN.sub("", TOKEN.sub("", html))


def _warm(client, url):
    """The first request learns which tables the page reads, the second stores the page."""
    assert client.get(url)["X-Page-Cache"] == "miss"
    assert client.get(url)["X-Page-Cache"] == "miss"


def _warm_role_matrix():
    """A one-region programme whose coordinator's role matrix is stored: (world, url, user, client)."""
    world = build_programme(1)
    url, user = _pages(world)["role matrix"]
    client = _client(user)
    _warm(client, url)
    return world, url, user, client


@pytest.mark.parametrize("page", ["role matrix", "directory", "SWOT board", "portfolio", "region dashboard",
                                  "programme dashboard", "session timeline"])  # fmt: skip
def test_every_main_page_is_served_from_the_cache_as_it_was_rendered(world, page):
    url, user = _pages(world)[page]
    client = _client(user)
    _warm(client, url)
    with CaptureQueriesContext(connection) as ctx:
        hit = client.get(url)
    assert hit.status_code == 200
    assert hit["X-Page-Cache"] == "hit", "every table the page reads must be known to core.pagecache.SCOPES"
    # session, user, the fingerprint, and the session saved again: nothing of the page itself
    assert len(ctx.captured_queries) <= 6, [q["sql"][:80] for q in ctx.captured_queries]
    fresh = client.get(url, HTTP_CACHE_CONTROL="no-cache")
    assert "X-Page-Cache" not in fresh, "a hard reload renders afresh"
    assert _visible(hit.content.decode()) == _visible(fresh.content.decode())
    assert hit["Content-Type"] == fresh["Content-Type"]


def _agenda(world, i=0):
    return world["regions"][i]["agenda"]


CHANGES = {
    "a role row saved": lambda w: RoleMatrixEntry.objects.filter(agenda=_agenda(w)).first().save(),
    "a role row deleted": lambda w: RoleMatrixEntry.objects.filter(agenda=_agenda(w)).first().delete(),
    "an organisation renamed by update()": lambda w: Organisation.objects.filter(
        pk=w["regions"][0]["orgs"][0].pk
    ).update(name_uk="Перейменована організація", updated_at=timezone.now()),
    "a partner added to a project": lambda w: w["regions"][0]["project"].partners.add(
        w["regions"][0]["orgs"][3]
    ),
    "a SWOT item added": lambda w: SwotItem.objects.create(
        agenda=_agenda(w), quadrant=SwotQuadrant.STRENGTH, text_uk="Нова сильна сторона"
    ),
    "a mechanism kind added": lambda w: MechanismKind.objects.create(code="new-kind", name_uk="Новий"),
}


@pytest.mark.parametrize("change", list(CHANGES))
@pytest.mark.parametrize("page", ["role matrix", "SWOT board", "portfolio", "region dashboard",
                                  "programme dashboard"])  # fmt: skip
def test_a_change_to_what_the_page_reads_renders_it_afresh(world, page, change):
    url, user = _pages(world)[page]
    client = _client(user)
    _warm(client, url)
    before = client.get(url)
    assert before["X-Page-Cache"] == "hit"
    tables = set(pagecache._TABLE.findall(" ".join(_page_sql(client, url))))
    CHANGES[change](world)
    after = client.get(url)
    touched = _touched_tables(change)
    if touched & tables:
        assert after["X-Page-Cache"] == "miss", f"{page} reads {touched & tables}"
    else:
        assert after["X-Page-Cache"] == "hit", f"{page} reads none of {touched}"


def _page_sql(client, url) -> list[str]:
    with CaptureQueriesContext(connection) as ctx:
        client.get(url, HTTP_CACHE_CONTROL="no-cache")
    return [q["sql"] for q in ctx.captured_queries]


def _touched_tables(change: str) -> set[str]:
    return {
        "a role row saved": {"stakeholders_rolematrixentry"},
        "a role row deleted": {"stakeholders_rolematrixentry"},
        "an organisation renamed by update()": {"stakeholders_organisation"},
        "a partner added to a project": {"projects_project_partners"},
        "a SWOT item added": {"agenda_swotitem"},
        "a mechanism kind added": {"projects_mechanismkind"},
    }[change]


def test_the_new_data_is_shown_after_a_change(world):
    url, user = _pages(world)["directory"]
    client = _client(user)
    _warm(client, url)
    org = world["regions"][0]["orgs"][0]
    Organisation.objects.filter(pk=org.pk).update(name_uk="Зовсім нова назва", updated_at=timezone.now())
    response = client.get(url)
    assert "Зовсім нова назва" in response.content.decode()


def test_a_change_in_another_region_keeps_the_stored_page(world):
    url, user = _pages(world)["role matrix"]
    client = _client(user)
    _warm(client, url)
    RoleMatrixEntry.objects.filter(agenda=_agenda(world, 1)).first().save()
    assert client.get(url)["X-Page-Cache"] == "hit"


def test_losing_access_is_seen_at_once(world):
    url, user = _pages(world)["role matrix"]
    client = _client(user)
    _warm(client, url)
    assert client.get(url)["X-Page-Cache"] == "hit"
    RegionMembership.objects.filter(user=user).delete()
    assert client.get(url).status_code == 404


def test_a_lower_role_is_seen_at_once(world):
    url, user = _pages(world)["directory"]
    client = _client(user)
    _warm(client, url)
    add_link = reverse(
        "stakeholders:organisation-create", kwargs={"region": world["regions"][0]["region"].slug}
    )
    assert add_link in client.get(url).content.decode()
    RegionMembership.objects.filter(user=user).update(
        role=RegionMembership.Role.OBSERVER, updated_at=timezone.now()
    )
    response = client.get(url)
    assert response["X-Page-Cache"] == "miss"
    assert add_link not in response.content.decode()


def test_pages_are_kept_per_user_and_per_language(world):
    url, coordinator = _pages(world)["role matrix"]
    other = f.UserFactory()
    f.RegionMembershipFactory(
        user=other, region=world["regions"][0]["region"], role=RegionMembership.Role.COORDINATOR
    )
    first, second = _client(coordinator), _client(other)
    _warm(first, url)
    assert second.get(url)["X-Page-Cache"] == "miss"
    english = first.get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert english["X-Page-Cache"] == "miss"
    assert english["Content-Language"] == "en"


def test_a_stored_page_carries_the_current_requests_csrf_token(world):
    """Two browsers of the same user: each gets a token that its own cookie accepts."""
    url, user = _pages(world)["role matrix"]
    first = _client(user)
    first.handler.enforce_csrf_checks = True
    _warm(first, url)
    second = Client(enforce_csrf_checks=True)
    second.force_login(user)
    page = second.get(url)
    assert page["X-Page-Cache"] == "hit"
    tokens = set(META_TOKEN.findall(page.content.decode())) | set(TOKEN.findall(page.content.decode()))
    assert len(tokens) == 1, "one token for the whole page"
    assert pagecache.CSRF_SENTINEL not in page.content.decode()
    token = tokens.pop()
    set_language = reverse("set_language")
    accepted = second.post(set_language, {"language": "uk", "next": url, "csrfmiddlewaretoken": token})
    assert accepted.status_code == 302
    refused = Client(enforce_csrf_checks=True)
    refused.force_login(user)
    refused.get(reverse("home"))
    assert refused.post(set_language, {"language": "uk", "csrfmiddlewaretoken": token}).status_code == 403


def test_a_waiting_message_is_shown_not_a_stored_page(world, settings):
    settings.MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"
    url, user = _pages(world)["role matrix"]
    client = _client(user)
    _warm(client, url)
    session = client.session
    session[SessionStorage.session_key] = SessionStorage(SimpleNamespace(session={})).serialize_messages(
        [_message("Рядок збережено")]
    )
    session.save()
    response = client.get(url)
    assert "X-Page-Cache" not in response
    assert "Рядок збережено" in response.content.decode()
    assert client.get(url)["X-Page-Cache"] == "hit", "the page with the message was not stored"


def _message(text):
    from django.contrib.messages.storage.base import Message

    return Message(message_levels.SUCCESS, text)


def test_htmx_requests_and_hard_reloads_are_never_served_from_the_cache(world):
    url, user = _pages(world)["SWOT board"]
    client = _client(user)
    _warm(client, url)
    assert "X-Page-Cache" not in client.get(url, HTTP_HX_REQUEST="true")
    assert "X-Page-Cache" not in client.get(url, HTTP_CACHE_CONTROL="no-cache")


def test_a_stored_page_lasts_one_time_window(world, clock):
    url, user = _pages(world)["session timeline"]
    client = _client(user)
    _warm(client, url)
    assert client.get(url)["X-Page-Cache"] == "hit"
    clock[0] += 60
    assert client.get(url)["X-Page-Cache"] == "miss", "a new window renders the page again"
    assert client.get(url)["X-Page-Cache"] == "hit", "the tables are remembered across windows"


def test_the_cache_can_be_turned_off(world, settings):
    settings.PAGE_CACHE_SECONDS = 0
    url, user = _pages(world)["portfolio"]
    client = _client(user)
    for _ in range(3):
        assert "X-Page-Cache" not in client.get(url)


def test_a_page_reading_an_unknown_table_is_not_stored(world, monkeypatch):
    url, user = _pages(world)["role matrix"]
    client = _client(user)
    known = dict(pagecache.models_by_table())
    known.pop("stakeholders_rolematrixentry")
    monkeypatch.setattr(pagecache, "models_by_table", lambda: known)
    for _ in range(3):
        assert "X-Page-Cache" not in client.get(url)


def test_every_scope_lookup_is_a_valid_query():
    """A lookup that no longer exists would break the fingerprint of every page reading the table."""
    user = f.UserFactory()
    tables = tuple(pagecache.models_by_table())
    for kind in ("region", "programme"):
        assert pagecache.fingerprint(tables, pagecache.Scope(kind, "nowhere"), user)


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_postgresql_plans_the_fingerprint_once(clock):
    """Requests run in autocommit: there the fingerprint is a statement prepared once per connection."""
    world, url, _user, client = _warm_role_matrix()
    assert client.get(url)["X-Page-Cache"] == "hit"
    RoleMatrixEntry.objects.filter(agenda=_agenda(world)).first().save()
    assert client.get(url)["X-Page-Cache"] == "miss"
    assert client.get(url)["X-Page-Cache"] == "hit"
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_prepared_statements WHERE name LIKE 'page_fp_%%'")
            assert cursor.fetchone()[0] >= 1


def test_a_programme_page_fingerprints_whole_tables_without_joins():
    """A programme spans many regions: joining every row to its programme would cost more than the page.
    Region pages stay scoped to their region (see the test of a change in another region)."""
    tables = tuple(pagecache.models_by_table())
    programme_sql, _ = pagecache._fingerprint_sql(tables, "programme")
    region_sql, _ = pagecache._fingerprint_sql(tables, "region")
    user_scopes = programme_sql.upper().count("JOIN")  # the user's memberships and persons only
    assert user_scopes == 0
    assert region_sql.upper().count("JOIN") > 20


@pytest.mark.django_db(transaction=True)
def test_tables_read_through_a_prepared_statement_count_as_read(clock):
    """In autocommit the criteria fingerprint runs as a prepared statement ("EXECUTE name (…)"): the
    tables behind it are still recorded as read by the page, so a change to any of them renders it
    afresh, whether the criteria were computed or came from their cache."""
    world = build_programme(1)
    url, user = _pages(world)["programme dashboard"]
    client = _client(user)
    for _ in range(3):
        client.get(url)  # criteria computed, then cached; statements prepared
    with pagecache._TableRecorder() as recorder:
        assert client.get(url, headers={"Cache-Control": "no-cache"}).status_code == 200
    criteria_tables = {
        model_for_label(label)._meta.db_table
        for label, _lookup in (*criteria.FINGERPRINT_AGENDA, *criteria.FINGERPRINT_REGION)
    }
    assert criteria_tables <= recorder.tables, criteria_tables - recorder.tables
    assert client.get(url)["X-Page-Cache"] == "hit"
    entry = RoleMatrixEntry.objects.filter(agenda=_agenda(world)).first()
    entry.domains.add(SpecialisationDomain.objects.filter(region=entry.agenda.region_id).first())
    assert client.get(url)["X-Page-Cache"] == "miss"


def _kinds_of_check(client, url) -> tuple[str, set[str]]:
    """(the cache's answer, which checks it ran: "stamps", "fingerprint")."""
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    sql = [q["sql"] for q in ctx.captured_queries]
    ran = {"stamps"} if any("core_tablestamp" in s for s in sql) else set()
    if any("page_fp_" in s or "COUNT(" in s.upper() for s in sql):
        ran.add("fingerprint")
    return response["X-Page-Cache"], ran


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_unmoved_stamps_serve_the_page_without_aggregating_rows(clock):
    """While no write to the page's tables has committed, the stamps alone prove the stored page current;
    a write in another region moves them but the fingerprint keeps the page; a write in the page's own
    region renders it afresh with the new data."""
    world = build_programme(2)
    first, second = _agenda(world, 0), _agenda(world, 1)
    url = reverse("agenda:swot-board", kwargs={"region": first.region.slug, "year": first.year})
    client = _client(world["regions"][0]["coordinator"])
    _warm(client, url)
    assert _kinds_of_check(client, url) == ("hit", {"stamps"})
    SwotItem.objects.create(agenda=second, quadrant=SwotQuadrant.STRENGTH, text_uk="Чужа сильна сторона")
    assert _kinds_of_check(client, url) == ("hit", {"stamps", "fingerprint"})
    assert _kinds_of_check(client, url) == ("hit", {"stamps"}), "the checked stamps are kept"
    SwotItem.objects.create(agenda=first, quadrant=SwotQuadrant.STRENGTH, text_uk="Своя сильна сторона")
    answer, _ran = _kinds_of_check(client, url)
    assert answer == "miss"
    assert "Своя сильна сторона" in client.get(url).content.decode()
    assert _kinds_of_check(client, url) == ("hit", {"stamps"})


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_stamps_see_a_change_of_the_users_access(clock):
    _world, url, user, client = _warm_role_matrix()
    assert _kinds_of_check(client, url) == ("hit", {"stamps"})
    RegionMembership.objects.filter(user=user).delete()
    assert client.get(url).status_code == 404


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_page_that_first_reads_the_stamps_of_its_process_is_stored(clock, monkeypatch):
    """The once-per-process look at which tables carry the stamp trigger is not data of the page (the
    role matrix reads stamps for its criterion while it renders)."""
    monkeypatch.setattr(stamps, "_triggered", {})
    _world, url, _user, client = _warm_role_matrix()
    assert client.get(url)["X-Page-Cache"] == "hit"
