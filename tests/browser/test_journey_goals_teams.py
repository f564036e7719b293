"""In a real browser, in Ukrainian: the SMART goal form answers incomplete and contradictory input with
visible, translated messages next to the fields and keeps everything typed; once corrected, the goal is
saved SMART-complete. Then a working team is created and members from two organisations are added."""

from pprint import pformat

import pytest

from agenda.models import Goal
from projects.models import TeamMembership, WorkingTeam
from tests import factories as f
from tests.agenda.helpers import region_with_people
from tests.browser_support import DESKTOP, PHONE, assert_fits, axe, login, shoot, unlabelled

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BASE = "/r/zaporizka/agenda/2021"
SPECIFIC = "Створити спільну лабораторію університету й кластеру з промислової автоматизації"


@pytest.fixture
def region():
    people = region_with_people(slug="zaporizka", iso="UA-23")
    people["challenge"] = f.ChallengeFactory(
        agenda=people["agenda"],
        code="C-ZP-1",
        title_uk="Розрив між освітою й потребами роботодавців",
        owner=people["org_y"],
    )
    people["domain"] = f.DomainFactory(
        region=people["region"], name_uk="Машинобудування", name_en="Machinery"
    )
    people["person_x"].full_name = "Олена Кластерна"
    people["person_x"].save()
    people["person_y"].full_name = "Богдан Університетський"
    people["person_y"].save()
    return people


def check(page, name):
    problems = axe(page)
    assert problems == [], pformat(problems)
    assert unlabelled(page) == []
    shoot(page, name)


@pytest.mark.parametrize("viewport,label", [(DESKTOP, "desktop"), (PHONE, "phone")])
def test_goal_form_explains_mistakes_keeps_input_then_saves(page_factory, region, viewport, label):
    page = page_factory(viewport=viewport)
    login(page, region["coordinator"].email)
    page.goto(f"{BASE}/goals/")
    with page.expect_navigation():
        page.locator("main a", has_text="Додати ціль").first.click()
    check(page, f"goal-form-empty-uk-{label}")

    # 1. Incomplete and contradictory: no code or title, a new indicator without its unit, a deadline
    # before the baseline date, and "agreed" although the goal is not SMART-complete.
    page.fill("textarea[name=specific_uk]", SPECIFIC)
    page.select_option("select[name=owner_org]", str(region["org_y"].pk))
    page.fill("input[name=new_indicator_name]", "Спільні лабораторії")
    page.fill("input[name=baseline_value]", "0")
    page.fill("input[name=baseline_date]", "2021-06-30")
    page.fill("input[name=target_value]", "1")
    page.fill("input[name=deadline]", "2021-03-01")
    page.select_option("select[name=status]", "agreed")
    with page.expect_navigation():
        page.locator("main form button[type=submit]", has_text="Зберегти").click()
    assert not Goal.objects.exists()

    invalid = page.locator("main .is-invalid")
    assert invalid.count() >= 4, invalid.count()
    main = page.inner_text("main")
    for message in (
        "Це поле обов'язкове.",  # code, title
        "Вкажіть одиницю нового показника.",
        "Строк (",  # "… має бути пізніше за дату базового значення …"
        "Вийти зі статусу чернетки може лише ціль",
    ):
        assert message in main, message
    assert "This field is required" not in main and "Give the unit" not in main
    # The errors are visible and marked on their fields.
    assert page.locator("#id_code.is-invalid").count() == 1
    assert page.locator("#id_title_uk.is-invalid").count() == 1
    assert page.get_by_text("Вкажіть одиницю нового показника.").is_visible()
    # Nothing typed is lost.
    assert page.input_value("textarea[name=specific_uk]") == SPECIFIC
    assert page.input_value("input[name=new_indicator_name]") == "Спільні лабораторії"
    assert page.input_value("input[name=baseline_date]") == "2021-06-30"
    assert page.input_value("input[name=deadline]") == "2021-03-01"
    assert page.input_value("input[name=target_value]") == "1"
    assert page.input_value("select[name=owner_org]") == str(region["org_y"].pk)
    assert page.input_value("select[name=status]") == "agreed"
    check(page, f"goal-form-errors-uk-{label}")
    if label == "phone":
        assert_fits(page)

    # 2. Corrected, the goal is saved SMART-complete and agreed.
    page.fill("input[name=code]", "G-ZP-1")
    page.fill("input[name=title_uk]", "Спільна лабораторія промислової автоматизації")
    page.select_option("select[name=unit]", "count")
    page.fill("input[name=baseline_date]", "2020-12-31")
    page.fill("input[name=deadline]", "2021-10-31")
    page.select_option("select[name=challenge]", str(region["challenge"].pk))
    page.fill("textarea[name=achievability_note]", "Міський бюджет і обладнання підприємства")
    page.fill("textarea[name=relevance_note]", "Стратегія розвитку області, ціль 1.2")
    with page.expect_navigation():
        page.locator("main form button[type=submit]", has_text="Зберегти").click()
    goal = Goal.objects.get()
    assert goal.code == "G-ZP-1" and goal.status == "agreed"
    assert page.url.endswith(f"/goals/{goal.pk}/")
    page.get_by_text("Відповідає SMART").first.wait_for()
    check(page, f"goal-detail-saved-uk-{label}")
    if label == "phone":
        assert_fits(page)


def test_working_team_is_created_and_members_added(page_factory, region):
    page = page_factory()
    login(page, region["coordinator"].email)
    page.goto(f"{BASE}/teams/")
    with page.expect_navigation():
        page.locator("main a", has_text="Додати команду").first.click()
    check(page, "team-form-uk-desktop")

    # Neither a direction nor a cross-sector area: a message, and the name typed is kept.
    page.fill("input[name=name_uk]", "Робоча група «Індустрія 4.0»")
    with page.expect_navigation():
        page.locator("main form button[type=submit]", has_text="Зберегти").click()
    assert not WorkingTeam.objects.exists()
    assert page.input_value("input[name=name_uk]") == "Робоча група «Індустрія 4.0»"
    assert page.get_by_text(
        "Вкажіть напрям смарт-спеціалізації команди або її міжгалузеву сферу."
    ).is_visible()

    page.select_option("select[name=domain]", str(region["domain"].pk))
    with page.expect_navigation():
        page.locator("main form button[type=submit]", has_text="Зберегти").click()
    team = WorkingTeam.objects.get()
    assert f"/teams/{team.pk}/" in page.url
    assert "До команди ще ніхто не приєднався." in page.inner_text("main")

    # Two members from two organisations; the first leads.
    form = page.locator("form[aria-labelledby=add-member-heading]")
    for person, role in ((region["person_x"], "leader"), (region["person_y"], "member")):
        form.locator("select[name=person]").select_option(str(person.pk))
        form.locator("select[name=role]").select_option(role)
        with page.expect_navigation():
            form.locator("button[type=submit]").click()
        assert f"{person.full_name} додано до команди." in page.inner_text("main")
    members = TeamMembership.objects.current().filter(team=team)
    assert {(m.person.full_name, m.role) for m in members} == {
        ("Олена Кластерна", "leader"),
        ("Богдан Університетський", "member"),
    }
    assert members.values("organisation").distinct().count() == 2
    main = page.inner_text("main")
    assert "Олена Кластерна" in main and "Богдан Університетський" in main
    check(page, "team-detail-members-uk-desktop")
