"""Every main page of the demo, in Ukrainian and in English, at desktop and at a 375 px phone width:
a screenshot each (`<page>-<lang>-<desktop|phone>.png`), no serious or critical axe-core violation,
every visible form field labelled, the language switch present, and no horizontal scrolling on the
phone. One test per language loads the demo once, visits every page in one browser context and resizes
the same page for the phone, so the file stays fast; all problems are collected and reported together."""

from pprint import pformat
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command

from agenda.models import Goal, Memorandum, MemorandumRevision
from projects.models import Project, WorkingTeam
from regions.models import Agenda, Region
from sessions.models import Session
from tests.browser_support import DESKTOP, PHONE, assert_fits, axe, login, shoot, unlabelled

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DEMO_PASSWORD = "demo-pass-2021"
COORDINATOR = "coordinator.kharkiv@demo.common-agenda.local"
PROGRAMME_LEAD = "programme@demo.common-agenda.local"


@pytest.fixture
def demo(settings):
    settings.DEMO_PASSWORD = DEMO_PASSWORD
    call_command("seed_demo", verbosity=0)


def demo_pages() -> dict[str, list[tuple[str, str]]]:
    """The pages to visit, by who visits them: (name, path)."""
    region = Region.objects.get(slug="kharkivska")
    agenda = Agenda.objects.filter(region=region).order_by("-year").first()
    base = f"/r/{region.slug}"
    year = f"{base}/agenda/{agenda.year}"
    programme = region.programmes.order_by("code").first()
    session = Session.objects.filter(agenda=agenda).order_by("number").first()
    goal = Goal.objects.filter(agenda=agenda).order_by("code").first()
    project = Project.objects.filter(agenda=agenda).order_by("-is_pilot", "code").first()
    team = WorkingTeam.objects.filter(agenda=agenda).order_by("pk").first()
    planned = Project.objects.filter(agenda=agenda, steps__isnull=False).order_by("code").first() or project
    memorandum = Memorandum.objects.filter(agenda=agenda).order_by("pk").first()
    signed = (
        MemorandumRevision.objects.exclude(verification_code="")
        .filter(memorandum__agenda__region=region)
        .order_by("-number")
        .first()
    )
    coordinator = [
        ("home", "/"),
        ("region", f"{base}/"),
        ("agenda", f"{year}/"),
        ("role-matrix", f"{year}/roles/"),
        ("directory", f"{base}/stakeholders/"),
        ("sessions", f"{base}/sessions/"),
        ("sessions-timeline", f"{base}/sessions/timeline/"),
        ("session-detail", f"{base}/sessions/{session.pk}/"),
        ("swot", f"{year}/swot/"),
        ("challenges", f"{year}/challenges/"),
        ("goals", f"{year}/goals/"),
        ("goal-detail", f"{year}/goals/{goal.pk}/"),
        ("portfolio", f"{year}/portfolio/"),
        ("project-detail", f"{base}/projects/{project.pk}/"),
        ("teams", f"{year}/teams/"),
        ("team-detail", f"{base}/teams/{team.pk}/"),
        ("team-plan", f"{base}/projects/{planned.pk}/plan/"),
        ("region-dashboard", f"{base}/dashboard/"),
        ("memoranda", f"{base}/memoranda/"),
        ("memorandum-detail", f"{base}/memoranda/{memorandum.pk}/"),
    ]
    lead = [
        ("programme-timeline", f"/p/{programme.code}/timeline/"),
        ("programme-dashboard", f"/p/{programme.code}/"),
    ]
    anonymous = [
        ("login", "/accounts/login/"),
        ("verify", "/verify/"),
        ("verify-code", f"/verify/{signed.verification_code}/") if signed else None,
    ]
    return {"coordinator": coordinator, "lead": lead, "anonymous": [p for p in anonymous if p]}


def inspect(page, name: str, lang: str, problems: dict) -> None:
    """Check the page at desktop width, then resized to a phone; record what is wrong."""

    def note(label, issue):
        problems.setdefault(f"{name}-{lang}-{label}", []).append(issue)

    if page.locator("html").get_attribute("lang") != lang:
        note("desktop", f"<html lang> is {page.locator('html').get_attribute('lang')!r}")
    if page.locator("form.lang-switch").count() != 1:
        note("desktop", "no language switch")
    for viewport, label in ((DESKTOP, "desktop"), (PHONE, "phone")):
        page.set_viewport_size(viewport)
        if violations := axe(page):
            note(label, violations)
        if fields := unlabelled(page):
            note(label, f"unlabelled fields: {fields}")
        if label == "phone":
            try:
                assert_fits(page)
            except AssertionError as exc:
                note(label, str(exc))
        shoot(page, f"{name}-{lang}-{label}")
    page.set_viewport_size(DESKTOP)


def switch_language(page, lang: str) -> None:
    if page.locator("html").get_attribute("lang") != lang:
        with page.expect_navigation():
            page.click(f"form.lang-switch button[value={lang}]")
    assert page.locator("html").get_attribute("lang") == lang


@pytest.mark.parametrize("lang,locale", [("uk", "uk-UA"), ("en", "en-GB")])
def test_main_pages_are_accessible_labelled_and_fit_a_phone(page_factory, demo, lang, locale):
    pages = demo_pages()
    problems: dict[str, list] = {}
    visited = []
    # One browser context for the three visitors (a new context costs a renderer process and a cold
    # cache): anonymous first, then each account logged in through the form, cookies cleared in between.
    page = page_factory(viewport=DESKTOP, locale=locale)
    for who, email in (("anonymous", None), ("coordinator", COORDINATOR), ("lead", PROGRAMME_LEAD)):
        page.context.clear_cookies()
        if email:
            login(page, email, DEMO_PASSWORD)  # lands on the home page
        if urlsplit(page.url).path != "/":
            page.goto("/")
        switch_language(page, lang)
        for name, path in pages[who]:
            response = page.goto(path)
            if response.status != 200:
                problems.setdefault(f"{name}-{lang}", []).append(f"{path}: HTTP {response.status}")
                continue
            inspect(page, name, lang, problems)
            visited.append(name)
    assert not problems, pformat(problems, width=120)
    assert len(visited) == sum(len(p) for p in pages.values())
