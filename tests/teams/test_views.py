"""Pages of working teams and action plans: what they show, forms with bad input, concurrent edits,
constant query counts, and CSP-clean HTML."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from projects.models import ActionStep, TeamMembership, WorkingTeam
from regions.models import RegionMembership
from stakeholders.models import PersonRole
from tests import factories as f
from tests.test_pages import assert_csp_clean

pytestmark = pytest.mark.django_db


@pytest.fixture
def site(ready, client):
    coordinator = f.UserFactory()
    f.RegionMembershipFactory(
        user=coordinator, region=ready["region"], role=RegionMembership.Role.COORDINATOR
    )
    rep_a = f.UserFactory()
    f.PersonFactory(organisation=ready["org_a"], user=rep_a)
    client.force_login(coordinator)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"  # the assertions below read English messages
    slug = ready["region"].slug
    urls = {
        "list": reverse("teams:team-list", kwargs={"region": slug, "year": ready["agenda"].year}),
        "create": reverse("teams:team-create", kwargs={"region": slug, "year": ready["agenda"].year}),
        "detail": reverse("teams:team-detail", kwargs={"region": slug, "pk": ready["teams"][0].pk}),
        "update": reverse("teams:team-update", kwargs={"region": slug, "pk": ready["teams"][0].pk}),
        "plans": reverse("teams:plan-list", kwargs={"region": slug, "year": ready["agenda"].year}),
        "plan": reverse("teams:plan-detail", kwargs={"region": slug, "pk": ready["pilot"].pk}),
        "gantt": reverse("teams:project-gantt", kwargs={"region": slug, "pk": ready["pilot"].pk}),
        "step_create": reverse("teams:step-create", kwargs={"region": slug, "pk": ready["pilot"].pk}),
        "step_update": reverse("teams:step-update", kwargs={"region": slug, "pk": ready["step"].pk}),
        "progress": reverse("teams:step-progress", kwargs={"region": slug, "pk": ready["step"].pk}),
        "members": reverse("teams:membership-create", kwargs={"region": slug, "pk": ready["teams"][0].pk}),
    }
    return {**ready, "coordinator": coordinator, "rep_a": rep_a, "client": client, "urls": urls}


def test_every_page_renders_csp_clean(site):
    for name, url in site["urls"].items():
        response = site["client"].get(url)
        assert response.status_code == 200, name
        assert_csp_clean(response.content.decode())


def test_team_index_opens_the_newest_agenda(site):
    newer = f.AgendaFactory(region=site["region"], year=2022)
    response = site["client"].get(reverse("teams:team-index", kwargs={"region": site["region"].slug}))
    assert response["Location"] == reverse(
        "teams:team-list", kwargs={"region": site["region"].slug, "year": newer.year}
    )


def test_team_list_shows_criterion_and_team_checks(site):
    html = site["client"].get(site["urls"]["list"]).content.decode()
    assert "Команда 0" in html and "Команда 2" in html
    assert "ca-crit-met" in html


def test_create_team_and_bad_input_keeps_the_data(site):
    client, urls = site["client"], site["urls"]
    response = client.post(
        urls["create"],
        {
            "name_uk": "Команда 0",
            "kind": "thematic_group",
            "status": "forming",
            "cadence": "monthly",
            "cross_sector_area": "Кадри для Індустрії 4.0",
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "is-invalid" in html and "Кадри для Індустрії 4.0" in html
    assert WorkingTeam.objects.filter(agenda=site["agenda"]).count() == 3

    response = client.post(
        urls["create"],
        {
            "name_uk": "Кадри",
            "kind": "thematic_group",
            "status": "forming",
            "cadence": "monthly",
            "cross_sector_area": "Кадри",
            "projects": [site["pilot"].pk],
        },
    )
    team = WorkingTeam.objects.get(agenda=site["agenda"], name_uk="Кадри")
    assert response.status_code == 302 and response["Location"].endswith(f"/teams/{team.pk}/#members")
    site["pilot"].refresh_from_db()
    assert site["pilot"].team == team


def test_stale_team_form_is_refused_with_a_message(site):
    client, team = site["client"], site["teams"][0]
    data = {
        "name_uk": "Перша",
        "kind": "pilot_team",
        "status": "active",
        "cadence": "monthly",
        "domain": site["domains"][0].pk,
        "version": team.version,
        "projects": [site["pilot"].pk],
    }
    assert client.post(site["urls"]["update"], data).status_code == 302
    response = client.post(site["urls"]["update"], {**data, "name_uk": "Друга"})
    assert response.status_code == 200
    assert "Somebody else saved this" in response.content.decode()
    team.refresh_from_db()
    assert team.name_uk == "Перша"


def test_add_member_from_the_team_page(site):
    person = f.PersonFactory(organisation=site["org_b"], full_name="Нова учасниця")
    response = site["client"].post(
        site["urls"]["members"], {"person": person.pk, "role": PersonRole.LEADER, "joined_on": "2021-02-01"}
    )
    assert response.status_code == 302
    membership = TeamMembership.objects.get(team=site["teams"][0], person=person)
    assert membership.role == PersonRole.LEADER
    assert TeamMembership.objects.current().filter(team=site["teams"][0], role=PersonRole.LEADER).count() == 1


def test_member_form_refuses_a_person_of_another_region(site):
    foreign = f.PersonFactory()
    response = site["client"].post(site["urls"]["members"], {"person": foreign.pk, "role": PersonRole.MEMBER})
    assert response.status_code == 200 and "is-invalid" in response.content.decode()
    assert not TeamMembership.objects.filter(person=foreign).exists()


def test_step_form_validates_and_keeps_input(site):
    response = site["client"].post(
        site["urls"]["step_create"],
        {
            "number": "1.1",
            "title_uk": "Дублікат",
            "status": "planned",
            "progress_pct": 0,
            "currency": "UAH",
            "start_date": "2021-05-01",
            "due_date": "2021-04-01",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "already has a step with this number" in html
    assert "The due date cannot be before the start date" in html
    assert "Дублікат" in html
    assert ActionStep.objects.filter(project=site["pilot"]).count() == 1


def test_step_form_fills_the_organisation_from_the_person(site):
    person = f.PersonFactory(organisation=site["org_b"])
    response = site["client"].post(
        site["urls"]["step_create"],
        {
            "number": "1.2",
            "title_uk": "Крок",
            "responsible_person": person.pk,
            "status": "planned",
            "progress_pct": 0,
            "currency": "UAH",
            "due_date": "2021-09-01",
        },
    )
    assert response.status_code == 302
    step = ActionStep.objects.get(project=site["pilot"], number="1.2")
    assert step.responsible_org == site["org_b"]


def test_representative_reports_progress_of_own_step(site, client):
    client.force_login(site["rep_a"])
    plan = client.get(site["urls"]["plan"]).content.decode()
    assert site["urls"]["progress"] in plan
    assert site["urls"]["step_update"] not in plan
    response = client.post(
        site["urls"]["progress"],
        {
            "status": "in_progress",
            "progress_pct": 45,
            "evidence_url": "https://example.org/photo",
            "version": 1,
        },
    )
    assert response.status_code == 302
    step = ActionStep.objects.get(pk=site["step"].pk)
    assert (step.progress_pct, step.evidence_url) == (45, "https://example.org/photo")


def test_progress_over_100_is_refused(site):
    response = site["client"].post(
        site["urls"]["progress"], {"status": "in_progress", "progress_pct": 150, "version": 1}
    )
    assert response.status_code == 200 and "is-invalid" in response.content.decode()
    assert ActionStep.objects.get(pk=site["step"].pk).progress_pct == 0


def test_plan_shows_overdue_steps(site):
    html = site["client"].get(site["urls"]["plan"]).content.decode()
    assert "ca-row-overdue" in html  # due 30.06.2021, not done


def test_gantt_draws_the_steps_escaped(site):
    step = site["step"]
    step.title_uk = '<script>alert("x")</script>'
    step.start_date = datetime.date(2021, 4, 1)
    step.save()
    html = site["client"].get(site["urls"]["gantt"]).content.decode()
    assert "<svg" in html and 'role="img"' in html
    assert "<script>alert" not in html
    assert "ca-gantt-overdue" in html


def test_project_team_assignment_from_the_plan(site):
    url = reverse("teams:project-team", kwargs={"region": site["region"].slug, "pk": site["pilot"].pk})
    response = site["client"].post(url, {"team": site["teams"][2].pk})
    assert response.status_code == 302
    site["pilot"].refresh_from_db()
    assert site["pilot"].team == site["teams"][2]
    site["client"].post(url, {"team": f.WorkingTeamFactory().pk})
    site["pilot"].refresh_from_db()
    assert site["pilot"].team == site["teams"][2]


def _add_teams(agenda, org, count):
    for i in range(count):
        team = f.WorkingTeamFactory(
            agenda=agenda,
            name_uk=f"Додаткова {i:02d}",
            cross_sector_area="Зона",
            status=WorkingTeam.Status.ACTIVE,
        )
        f.TeamMembershipFactory(team=team, person=f.PersonFactory(organisation=org), role=PersonRole.LEADER)
        f.ProjectFactory(agenda=agenda, team=team)


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_team_list_queries_do_not_grow_with_teams(site):
    small = _count(site["client"], site["urls"]["list"])
    _add_teams(site["agenda"], site["org_a"], 12)
    assert _count(site["client"], site["urls"]["list"]) == small


def test_plan_pages_queries_do_not_grow_with_steps(site):
    plan_small = _count(site["client"], site["urls"]["plan"])
    plans_small = _count(site["client"], site["urls"]["plans"])
    gantt_small = _count(site["client"], site["urls"]["gantt"])
    previous = site["step"]
    for i in range(2, 20):
        step = f.ActionStepFactory(
            project=site["pilot"],
            number=f"1.{i}",
            responsible_org=site["org_b"],
            responsible_person=f.PersonFactory(organisation=site["org_b"]),
            due_date=datetime.date(2021, 12, 1),
        )
        step.depends_on.add(previous)
        step.co_executors.add(site["org_a"])
        previous = step
        f.ProjectFactory(agenda=site["agenda"])
    assert _count(site["client"], site["urls"]["plan"]) == plan_small
    assert _count(site["client"], site["urls"]["plans"]) == plans_small
    assert _count(site["client"], site["urls"]["gantt"]) == gantt_small


def test_team_list_pages_keep_the_filter(site):
    _add_teams(site["agenda"], site["org_a"], 22)
    html = site["client"].get(site["urls"]["list"] + "?status=active").content.decode()
    links = re.findall(r'href="(\?[^"]*page=2[^"]*)"', html)
    assert links and all("status=active" in link for link in links)


@pytest.mark.parametrize("value", ["²", "9" * 30, "x"], ids=["superscript", "huge", "letter"])
def test_team_form_ignores_a_direction_in_the_address_that_is_no_key(site, value):
    """`"²".isdigit()` is true and `int("²")` fails: the form opens with no direction chosen, not a 500."""
    response = site["client"].get(site["urls"]["create"], {"domain": value})
    assert response.status_code == 200
    select = re.search(r'<select name="domain".*?</select>', response.content.decode(), re.S).group(0)
    assert '<option value="" selected>' in select and select.count("selected") == 1


def test_team_form_preselects_the_direction_of_the_address(site):
    domain = site["domains"][0]
    html = site["client"].get(site["urls"]["create"], {"domain": domain.pk}).content.decode()
    assert re.search(rf'<option value="{domain.pk}"[^>]*selected', html)


def test_steps_with_labels_for_numbers_are_ordered_and_shown(site):
    """A step numbered «1.²» is a label: the plan, the next number and the report sort it without a 500."""
    pilot = site["pilot"]
    for number in ("1.10", "1.²", "1.2"):
        ActionStep.objects.create(project=pilot, number=number, title_uk=f"Крок {number}")
    plan = site["client"].get(site["urls"]["plan"])
    assert plan.status_code == 200
    html = plan.content.decode()
    assert html.index("Крок 1.2<") < html.index("Крок 1.10<") < html.index("Крок 1.²<")
    assert site["client"].get(site["urls"]["step_create"]).status_code == 200
    assert ActionStep.number_key("1.²") > ActionStep.number_key("1.10") > ActionStep.number_key("1.2")
