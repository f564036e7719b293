"""The site's read-only pages: home, region, agenda, login and the error pages.

Checks the language switch, region scoping (another region is a 404), constant query counts on the
agenda page, and that the rendered HTML obeys the Content-Security-Policy (no inline scripts or styles).
"""

import datetime
import re

import pytest
from django.contrib.staticfiles import finders
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from regions.models import Agenda
from sessions.models import EventStatus, Format
from stakeholders.models import CommitmentLevel, EcosystemRole

from .factories import (
    AgendaFactory,
    DomainFactory,
    OrganisationFactory,
    PersonFactory,
    ProgrammeFactory,
    RegionFactory,
    RegionMembershipFactory,
    RoleMatrixEntryFactory,
    SessionFactory,
    SessionKindFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc\s*=)[^>]*>", re.IGNORECASE)
INLINE_STYLE_ATTR = re.compile(r"\sstyle\s*=", re.IGNORECASE)
STYLE_BLOCK = re.compile(r"<style\b", re.IGNORECASE)


def assert_csp_clean(html: str) -> None:
    """The CSP allows scripts and styles only from our own static files."""
    assert not INLINE_SCRIPT.search(html), INLINE_SCRIPT.search(html).group(0)
    assert not INLINE_STYLE_ATTR.search(html), html[INLINE_STYLE_ATTR.search(html).start() - 80 :][:160]
    assert not STYLE_BLOCK.search(html)


@pytest.fixture
def two_regions():
    """Region A with a coordinator, an agenda, sessions and role rows; region B beside it."""
    region_a = RegionFactory(
        slug="zaporizhzhia", name_uk="Запорізька область", name_en="Zaporizhzhia Oblast", iso_code="UA-23"
    )
    region_b = RegionFactory(
        slug="kharkiv", name_uk="Харківська область", name_en="Kharkiv Oblast", iso_code="UA-63"
    )
    coordinator = UserFactory(email="coord-a@example.org", full_name="Олена Коваленко")
    RegionMembershipFactory(user=coordinator, region=region_a)
    agenda = AgendaFactory(
        region=region_a, year=2021, status=Agenda.Status.IN_DISCUSSION, vision_uk="Спільне бачення регіону"
    )
    AgendaFactory(region=region_b, year=2021, title_uk="Порядок денний Харківщини")
    OrganisationFactory(region=region_b, name_uk="Харківська ОДА")
    return {"a": region_a, "b": region_b, "coordinator": coordinator, "agenda": agenda}


def add_role_rows(agenda, count, domain=None, confirmer=None):
    """`count` role rows, each with its own organisation and representative, half confirmed and led."""
    for i in range(count):
        org = OrganisationFactory(region=agenda.region)
        RoleMatrixEntryFactory(
            agenda=agenda,
            organisation=org,
            representative=PersonFactory(organisation=org),
            current_role_type=EcosystemRole.INTERMEDIARY,
            refined_role_type=EcosystemRole.COORDINATOR,
            zone_of_responsibility=f"Ділянка роботи {i}",
            commitment_level=CommitmentLevel.RESOURCES,
            is_leader=i % 2 == 0,
            leader_direction=None if i or agenda.role_entries.filter(leader_direction=domain).exists() else domain,
            confirmed_at=timezone.now() if confirmer and i % 2 == 0 else None,
            confirmed_by=confirmer if i % 2 == 0 else None,
        )


# --- language -------------------------------------------------------------------------------------


def test_home_for_anonymous_is_ukrainian_by_default(client):
    response = client.get(reverse("home"))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="uk"' in html
    assert reverse("accounts:login") in html
    assert_csp_clean(html)


def test_home_follows_accept_language_english(client):
    response = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert '<html lang="en"' in response.content.decode()
    assert "Three success criteria" in response.content.decode()


def test_language_switcher_posts_to_set_language_and_sticks(client):
    html = client.get(reverse("home")).content.decode()
    assert f'action="{reverse("set_language")}"' in html
    assert 'name="language" value="en"' in html

    response = client.post(reverse("set_language"), {"language": "en", "next": reverse("home")})
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert '<html lang="en"' in client.get(reverse("home")).content.decode()

    client.post(reverse("set_language"), {"language": "uk", "next": reverse("home")})
    assert '<html lang="uk"' in client.get(reverse("home")).content.decode()


# --- home -----------------------------------------------------------------------------------------


def test_coordinator_sees_own_region_on_home_and_not_the_other(client, two_regions):
    client.force_login(two_regions["coordinator"])
    response = client.get(reverse("home"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Запорізька область" in html
    assert reverse("regions:region-detail", kwargs={"region": "zaporizhzhia"}) in html
    assert reverse("regions:agenda-detail", kwargs={"region": "zaporizhzhia", "year": 2021}) in html
    assert "Харківська область" not in html
    assert "kharkiv" not in html
    assert "Олена Коваленко" in html  # the user menu
    assert reverse("accounts:logout") in html
    assert_csp_clean(html)


def test_representative_sees_region_with_all_its_organisations_counted(client, two_regions):
    region = two_regions["a"]
    rep = UserFactory()
    PersonFactory(organisation=OrganisationFactory(region=region), user=rep)
    OrganisationFactory.create_batch(2, region=region)
    client.force_login(rep)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    regions = list(response.context["regions"])
    assert [r.slug for r in regions] == [region.slug]
    assert regions[0].org_count == 3


def test_home_shows_empty_state_for_user_without_regions(client, two_regions):
    client.force_login(UserFactory())
    html = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "You do not have access to any region yet" in html
    assert "Запорізька область" not in html


def test_home_query_count_does_not_grow_with_regions(client, django_assert_max_num_queries):
    user = UserFactory()
    for _ in range(6):
        region = RegionFactory()
        RegionMembershipFactory(user=user, region=region)
        AgendaFactory(region=region, year=2021)
        AgendaFactory(region=region, year=2022)
        OrganisationFactory(region=region)
    client.force_login(user)
    client.get(reverse("home"))
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("home"))
    assert response.status_code == 200
    # session + user + regions + agendas + memberships (the session is saved at most once a minute)
    assert len(queries) <= 8, [q["sql"] for q in queries]


def test_admin_link_only_for_staff(client, two_regions):
    client.force_login(two_regions["coordinator"])
    assert reverse("admin:index") not in client.get(reverse("home")).content.decode()
    staff = UserFactory(is_staff=True)
    client.force_login(staff)
    assert reverse("admin:index") in client.get(reverse("home")).content.decode()


# --- region ---------------------------------------------------------------------------------------


def test_region_page_lists_domains_agendas_and_stakeholders(client, two_regions):
    region = two_regions["a"]
    DomainFactory(region=region, name_uk="Машинобудування")
    OrganisationFactory(region=region, name_uk="Кластер автоматизації", city="Запоріжжя")
    client.force_login(two_regions["coordinator"])
    response = client.get(reverse("regions:region-detail", kwargs={"region": region.slug}))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Машинобудування" in html
    assert "Кластер автоматизації" in html
    assert "UA-23" in html
    assert reverse("regions:agenda-detail", kwargs={"region": region.slug, "year": 2021}) in html
    assert "Харківська ОДА" not in html
    assert_csp_clean(html)


def test_region_page_counts_the_joint_programme_session(client, two_regions):
    agenda = two_regions["agenda"]
    programme = ProgrammeFactory()
    programme.regions.add(agenda.region)
    agenda.programmes.add(programme)
    SessionFactory(agenda=None, programme=programme, number=1, kind=SessionKindFactory(order=1))
    SessionFactory(agenda=agenda, number=2)
    SessionFactory(agenda=agenda, number=3, kind=SessionKindFactory(order=3))
    client.force_login(two_regions["coordinator"])
    html = client.get(agenda.region.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "3 sessions" in html
    assert programme.name_en in html
    agenda_html = client.get(agenda.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f"joint session of {programme.name_en}" in agenda_html


def test_region_page_of_other_region_is_404(client, two_regions):
    client.force_login(two_regions["coordinator"])
    response = client.get(reverse("regions:region-detail", kwargs={"region": "kharkiv"}))
    assert response.status_code == 404
    assert "404.html" in [t.name for t in response.templates]
    assert "Харківська" not in response.content.decode()


def test_agenda_page_of_other_region_is_404(client, two_regions):
    client.force_login(two_regions["coordinator"])
    response = client.get(reverse("regions:agenda-detail", kwargs={"region": "kharkiv", "year": 2021}))
    assert response.status_code == 404


def test_region_page_requires_login(client, two_regions):
    url = reverse("regions:region-detail", kwargs={"region": "zaporizhzhia"})
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


# --- agenda ---------------------------------------------------------------------------------------


def test_agenda_page_renders_sessions_and_role_rows(client, two_regions):
    agenda = two_regions["agenda"]
    for number in range(2, 6):
        SessionFactory(
            agenda=agenda,
            number=number,
            kind=SessionKindFactory(order=number, name_uk=f"Етап {number}", name_en=f"Stage {number}"),
            format=Format.ONLINE,
            status=EventStatus.PLANNED,
            # 08:00 UTC in January is 10:00 in Kyiv (UTC+2).
            starts_at=datetime.datetime(2021, 1, 10 + number, 8, 0, tzinfo=datetime.UTC),
        )
    domain = DomainFactory(region=agenda.region, name_uk="Промислова автоматизація")
    add_role_rows(agenda, 3, domain=domain, confirmer=two_regions["coordinator"])
    client.force_login(two_regions["coordinator"])

    response = client.get(agenda.get_absolute_url())
    html = response.content.decode()
    assert response.status_code == 200
    assert agenda.title_uk in html
    assert "Спільне бачення регіону" in html
    for number in range(2, 6):
        assert f"Етап {number}" in html
    assert "10:00" in html  # Kyiv time, not UTC
    assert html.count("Ділянка роботи ") == 3
    assert "Промислова автоматизація" in html  # the direction a leader leads
    assert 'max="3" value="2"' in html  # two of three confirmed
    assert reverse("regions:region-detail", kwargs={"region": agenda.region.slug}) in html
    assert_csp_clean(html)


def test_agenda_page_english(client, two_regions):
    agenda = two_regions["agenda"]
    add_role_rows(agenda, 2, confirmer=two_regions["coordinator"])
    client.force_login(two_regions["coordinator"])
    html = client.get(agenda.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="en"' in html
    assert "Common agenda for the innovation ecosystem" in html  # title_en
    assert "Role matrix" in html
    assert "Confirmed" in html and "Pending" in html


def test_agenda_page_query_count_is_constant(client, two_regions):
    agenda = two_regions["agenda"]
    coordinator = two_regions["coordinator"]
    domain = DomainFactory(region=agenda.region)
    SessionFactory(agenda=agenda, number=2, starts_at=timezone.now())
    SessionFactory(agenda=agenda, number=3, kind=SessionKindFactory(order=3))
    add_role_rows(agenda, 2, domain=domain, confirmer=coordinator)
    client.force_login(coordinator)
    url = agenda.get_absolute_url()
    client.get(url)  # warm-up: session creation and the like

    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    add_role_rows(agenda, 18, domain=domain, confirmer=coordinator)
    with CaptureQueriesContext(connection) as large:
        response = client.get(url)
    assert response.status_code == 200
    assert response.content.decode().count("Ділянка роботи ") == 20
    assert len(small) == len(large), "\n".join(q["sql"] for q in large)


def test_region_page_query_count_is_constant(client, two_regions):
    region = two_regions["a"]
    client.force_login(two_regions["coordinator"])
    url = region.get_absolute_url()
    OrganisationFactory.create_batch(2, region=region)
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    OrganisationFactory.create_batch(20, region=region)
    DomainFactory.create_batch(3, region=region)
    AgendaFactory(region=region, year=2022)
    with CaptureQueriesContext(connection) as large:
        client.get(url)
    assert len(small) == len(large)


# --- login, logout, error pages and assets ---------------------------------------------------------


def test_login_page_renders_email_form(client):
    response = client.get(reverse("accounts:login"))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'type="email"' in html
    assert 'name="password"' in html
    assert "csrfmiddlewaretoken" in html
    assert_csp_clean(html)


def test_login_with_email_then_logout_by_post(client, two_regions):
    response = client.post(
        reverse("accounts:login"), {"username": "coord-a@example.org", "password": "pass-12345"}
    )
    assert response.status_code == 302
    assert "Запорізька область" in client.get(reverse("home")).content.decode()
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert "Запорізька область" not in client.get(reverse("home")).content.decode()


def test_pages_carry_csrf_meta_for_htmx_and_static_assets(client):
    html = client.get(reverse("home")).content.decode()
    assert '<meta name="csrf-token" content="' in html
    assert '"includeIndicatorStyles": false' in html
    assert 'href="#main"' in html  # skip link
    referenced = (
        "js/app.js",
        "css/app.css",
        "vendor/bootstrap/css/bootstrap.min.css",
        "vendor/bootstrap/js/bootstrap.bundle.min.js",
        "vendor/htmx/htmx.min.js",
        "vendor/bootstrap-icons/bootstrap-icons.min.css",
    )
    for path in referenced:
        assert finders.find(path), path
        assert f"/static/{path}" in html, path
    assert finders.find("vendor/bootstrap-icons/fonts/bootstrap-icons.woff2")


def test_unknown_page_uses_404_template(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "404" in html
    assert_csp_clean(html)


def test_500_template_renders_without_request():
    html = render_to_string("500.html")
    assert "500" in html
    assert "<html lang=" in html
    assert_csp_clean(html)


def test_403_template_renders(rf):
    html = render_to_string("403.html", request=rf.get("/"))
    assert "403" in html
    assert_csp_clean(html)
