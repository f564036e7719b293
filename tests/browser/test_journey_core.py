"""Core journeys in a real browser: visitor, language switch, login, region pages, invitation."""

import re

import pytest
from django.core import mail
from django.core.management import call_command

from accounts.models import Invitation, User
from stakeholders.models import Person
from tests.browser_support import DESKTOP, PHONE, axe, login, shoot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DEMO_PASSWORD = "demo-pass-2021"


@pytest.fixture
def demo(settings):
    settings.DEMO_PASSWORD = DEMO_PASSWORD
    call_command("seed_demo", verbosity=0)


@pytest.mark.parametrize("viewport,label", [(DESKTOP, "desktop"), (PHONE, "phone")])
def test_visitor_reads_home_in_ukrainian_and_switches_to_english(page_factory, viewport, label):
    page = page_factory(viewport=viewport)
    page.goto("/")
    assert page.locator("html").get_attribute("lang") == "uk"
    assert axe(page) == []
    shoot(page, f"home-anonymous-uk-{label}")
    if label == "phone":
        page.click("button.navbar-toggler")
    # Wait for the page the switch navigates to (a load-state wait could return on the page still shown).
    with page.expect_navigation():
        page.click("form.lang-switch button[value=en]")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("heading").first.is_visible()
    shoot(page, f"home-anonymous-en-{label}")


@pytest.mark.parametrize("viewport,label", [(DESKTOP, "desktop"), (PHONE, "phone")])
def test_coordinator_logs_in_and_opens_region_and_agenda(page_factory, demo, viewport, label):
    page = page_factory(viewport=viewport)
    login(page, "coordinator.kharkiv@demo.common-agenda.local", DEMO_PASSWORD)
    assert page.url.endswith("/")
    cards = page.locator("main").inner_text()
    assert "Харків" in cards and "Херсон" not in cards
    assert axe(page) == []
    shoot(page, f"home-coordinator-uk-{label}")
    page.goto("/r/kharkivska/")
    assert axe(page) == []
    shoot(page, f"region-uk-{label}")
    page.goto("/r/kharkivska/agenda/2021/")
    assert axe(page) == []
    shoot(page, f"agenda-uk-{label}")
    # Another region is not there at all.
    page_factory.allow("status of 404")
    response = page.goto("/r/khersonska/")
    assert response.status == 404


def test_login_form_is_usable_by_keyboard(page_factory, demo):
    page = page_factory()
    page.goto("/accounts/login/")
    page.keyboard.press("Tab")  # skip link first
    page.focus("input[name=username]")
    page.keyboard.type("observer@demo.common-agenda.local")
    page.keyboard.press("Tab")
    page.keyboard.type(DEMO_PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "observer@demo.common-agenda.local" in page.content()


def test_invited_stakeholder_follows_the_link_and_sets_a_password(page_factory, demo, live_server):
    coordinator = User.objects.get(email="coordinator.kherson@demo.common-agenda.local")
    person = (
        Person.objects.filter(organisation__region__slug="khersonska", user__isnull=True)
        .exclude(email="")
        .first()
    )
    page = page_factory()
    login(page, coordinator.email, DEMO_PASSWORD)
    page.goto("/accounts/region/khersonska/invitations/")
    shoot(page, "invitations-uk-desktop")
    page.check(f"input[name=person][value='{person.pk}']")
    with page.expect_navigation():
        page.click("#invite-form button[type=submit]")
    assert Invitation.objects.filter(person=person).exists()
    link = re.search(r"https?://\S+/accounts/invitation/\S+/", mail.outbox[-1].body).group(0)
    path = "/" + link.split("://", 1)[1].split("/", 1)[1]

    stakeholder = page_factory()
    stakeholder.goto(path)
    assert axe(stakeholder) == []
    stakeholder.fill("input[name=new_password1]", "Sunflower-Kyiv-2021")
    stakeholder.fill("input[name=new_password2]", "Sunflower-Kyiv-2021")
    with stakeholder.expect_navigation():
        stakeholder.click("main form button[type=submit]")
    assert f"#org-{person.organisation_id}" in stakeholder.url or "/roles" in stakeholder.url
    shoot(stakeholder, "invitation-landing-uk-desktop")
