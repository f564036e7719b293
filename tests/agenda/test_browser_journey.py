"""In a real browser: a region goes from an empty SWOT board to criterion 2 met, and the project page
shows the challenge and the SWOT items it answers. Votes and new items swap one quadrant (htmx)
without reloading the page; without JavaScript the same actions work as plain form posts."""

import importlib

import environ
import pytest
from django.apps import apps

from agenda.models import Endorsement, Goal, SwotItem
from projects.models import Project
from tests.browser_support import axe, login, shoot
from tests.conftest import require_service

from .helpers import region_with_people

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def region():
    # The live server is started once, with the settings of the environment: an HTTPS redirect there
    # sends the browser to a TLS port nobody listens on (`make test` switches it off).
    env = environ.Env()
    if env.bool("SECURE_SSL_REDIRECT", default=not env.bool("DEBUG", default=False)):
        require_service("browser tests need SECURE_SSL_REDIRECT=0 (see `make test`)")
    # The reference mechanism kinds come from a data migration, which a transactional test's flush removes.
    importlib.import_module(
        "projects.migrations.0004_funding_act_version_mechanism_kinds"
    ).add_default_mechanism_kinds(apps, None)
    return region_with_people(slug="zaporizka", iso="UA-23")


def test_empty_board_to_criterion_2_met(page_factory, region):
    base = "/r/zaporizka/agenda/2021"
    coordinator = page_factory(locale="en-GB")
    login(coordinator, region["coordinator"].email)

    # 1. The empty SWOT board; an item is added in the "Strengths" quadrant without a page reload.
    coordinator.goto(f"{base}/swot/")
    assert "The board is empty" in coordinator.inner_text("main")
    problems = axe(coordinator)
    assert problems == [], problems
    coordinator.evaluate("window.__stayed = true")
    quadrant = coordinator.locator("#quadrant-S")
    quadrant.locator("summary").click()
    quadrant.locator("textarea[name=text_uk]").fill("Потужна машинобудівна й наукова база")
    quadrant.locator("select[name=dimension]").select_option("research")
    quadrant.locator("button[type=submit]", has_text="Add").click()
    quadrant.get_by_text("Потужна машинобудівна й наукова база").wait_for()
    assert coordinator.evaluate("window.__stayed === true"), "the quadrant was swapped, the page not reloaded"
    item = SwotItem.objects.get()

    # 2. A representative votes for it; the count goes up in place.
    rep_x = page_factory(locale="en-GB")
    login(rep_x, region["rep_x"].email)
    rep_x.goto(f"{base}/swot/")
    rep_x.evaluate("window.__stayed = true")
    rep_x.click(f"#vote-{item.pk}")
    rep_x.locator(f"#vote-{item.pk}[aria-pressed=true]").wait_for()
    assert rep_x.locator(f"#vote-{item.pk} .ca-vote-count").inner_text() == "1"
    assert rep_x.evaluate("window.__stayed === true")
    shoot(rep_x, "swot-board-voted")

    # 3. The coordinator formulates a key challenge from the ticked item.
    coordinator.goto(f"{base}/swot/")
    coordinator.check(f"#pick-{item.pk}")
    coordinator.click("form#challenge-from-swot button[type=submit]")
    assert coordinator.locator(f"input[name=swot_items][value='{item.pk}']").is_checked()
    coordinator.fill("input[name=code]", "C-ZP-1")
    coordinator.fill("input[name=title_uk]", "Розрив між освітою й потребами роботодавців")
    coordinator.select_option("select[name=owner]", str(region["org_y"].pk))
    coordinator.click("main form button[type=submit]:has-text('Save')")
    coordinator.get_by_role("heading", name="C-ZP-1").wait_for()

    # 4. A SMART goal answering it.
    coordinator.click("text=Add a goal for it")
    coordinator.fill("input[name=code]", "G-ZP-1")
    coordinator.fill("input[name=title_uk]", "Спільна лабораторія промислової автоматизації")
    coordinator.fill(
        "textarea[name=specific_uk]", "Створити спільну лабораторію університету й кластеру з автоматизації"
    )
    coordinator.select_option("select[name=owner_org]", str(region["org_y"].pk))
    coordinator.fill("input[name=new_indicator_name]", "Спільні лабораторії")
    coordinator.select_option("select[name=unit]", "count")
    coordinator.fill("input[name=baseline_value]", "0")
    coordinator.fill("input[name=baseline_date]", "2020-12-31")
    coordinator.fill("input[name=target_value]", "1")
    coordinator.fill("input[name=deadline]", "2021-10-31")
    coordinator.fill("textarea[name=achievability_note]", "Міський бюджет і обладнання підприємства")
    coordinator.fill("textarea[name=relevance_note]", "Стратегія розвитку області, ціль 1.2")
    coordinator.click("main form button[type=submit]:has-text('Save')")
    coordinator.get_by_text("SMART-complete").wait_for()
    problems = axe(coordinator)
    assert problems == [], problems
    goal = Goal.objects.get()

    # 5. A high-priority project for the goal, with a mechanism and a funding line.
    coordinator.click("text=Add a project for it")
    assert coordinator.locator(f"input[name=goals][value='{goal.pk}']").is_checked()
    coordinator.fill("input[name=code]", "P-ZP-1")
    coordinator.fill("input[name=title_uk]", "Центр Індустрії 4.0 при університеті")
    coordinator.select_option("select[name=priority]", "1")
    coordinator.select_option("select[name=lead_org]", str(region["org_x"].pk))
    coordinator.get_by_label("Infrastructure (I4.0 centre, lab, DIH)").check()
    coordinator.click("main form button[type=submit]:has-text('Save')")
    coordinator.click("text=Add a funding line")
    coordinator.select_option("select[name=source_kind]", "local_budget")
    coordinator.fill("input[name=amount]", "1000000")
    coordinator.select_option("select[name=status]", "confirmed")
    coordinator.click("main form button[type=submit]:has-text('Save')")
    coordinator.get_by_text("1,000,000 UAH").wait_for()
    project = Project.objects.get()

    # The project page shows the chain it answers.
    main = coordinator.inner_text("main")
    assert "C-ZP-1" in main and "Потужна машинобудівна й наукова база" in main and "G-ZP-1" in main
    assert coordinator.locator("svg.ca-trace").count() == 1
    problems = axe(coordinator)
    assert problems == [], problems
    shoot(coordinator, "project-chain")

    # 6. Both participating organisations endorse; criterion 2 is met.
    coordinator.goto(f"{base}/endorsements/")
    assert "not met" in coordinator.inner_text("aside")
    for who in ("rep_x", "rep_y"):
        page = rep_x if who == "rep_x" else page_factory(locale="en-GB")
        if who == "rep_y":
            login(page, region["rep_y"].email)
        page.goto(f"{base}/endorsements/")
        page.click("button:has-text('Endorse this version')")
        page.get_by_text("endorsed this version").wait_for()
    assert Endorsement.objects.count() == 2
    coordinator.goto(f"{base}/endorsements/")
    aside = coordinator.inner_text("aside")
    assert "met" in aside and "not met" not in aside, aside
    shoot(coordinator, "endorsements-met")

    # 7. Any edit afterwards makes both endorsements stale.
    coordinator.goto(f"/r/zaporizka/projects/{project.pk}/edit/")
    coordinator.fill("textarea[name=risks]", "Затримка поставок обладнання")
    coordinator.click("main form button[type=submit]:has-text('Save')")
    coordinator.goto(f"{base}/endorsements/")
    assert coordinator.locator("text=stale: an earlier version").count() == 2
    assert "not met" in coordinator.inner_text("aside")


def test_votes_and_new_items_work_without_javascript(browser, live_server, region):
    item = SwotItem.objects.create(agenda=region["agenda"], quadrant="T", text_uk="Деіндустріалізація")
    context = browser.new_context(java_script_enabled=False, base_url=live_server.url, locale="en-GB")
    page = context.new_page()
    login(page, region["rep_y"].email)
    page.goto("/r/zaporizka/agenda/2021/swot/")
    page.click(f"#vote-{item.pk}")
    assert page.url.endswith(f"#swot-{item.pk}")
    assert page.locator(f"#vote-{item.pk} .ca-vote-count").inner_text() == "1"
    quadrant = page.locator("#quadrant-W")
    quadrant.locator("summary").click()
    quadrant.locator("textarea[name=text_uk]").fill("Фрагментація зусиль ЗВО і бізнесу")
    quadrant.locator("button[type=submit]", has_text="Add").click()
    assert "Фрагментація зусиль ЗВО і бізнесу" in page.locator("#quadrant-W").inner_text()
    assert SwotItem.objects.get(quadrant="W").proposed_by == region["org_y"]
    context.close()
