"""Portfolio pages: constant queries for 10 and 500 projects, budget totals by source and status,
filters kept across pages, and a project page that shows the challenge and SWOT items it answers."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from agenda.models import SwotItem
from projects.models import FundingLine, MechanismKind, NormativeAct, Project
from tests import factories as f
from tests.agenda.helpers import backed_project, region_with_people, smart_goal
from tests.test_pages import assert_csp_clean

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    w = region_with_people()
    w["goal"] = smart_goal(w["agenda"], owner=w["org_x"])
    return w


def portfolio_url(w, query=""):
    return reverse("projects:project-list", kwargs={"region": w["region"].slug, "year": 2021}) + (
        f"?{query}" if query else ""
    )


def project_url(w, project, name="project-detail", **kwargs):
    return reverse(f"projects:{name}", kwargs={"region": w["region"].slug, "pk": project.pk, **kwargs})


def _add_projects(w, start, count):
    mechanisms = list(MechanismKind.objects.all()[:3])
    team = f.WorkingTeamFactory(agenda=w["agenda"], name_uk=f"Команда {start}")
    projects = Project.objects.bulk_create(
        [
            Project(
                agenda=w["agenda"],
                code=f"P-{i:04d}",
                title_uk=f"Проєкт {i}",
                priority=1 + i % 3,
                lead_org=w["org_x"] if i % 2 else w["org_y"],
                team=team if i % 3 == 0 else None,
                domain=None,
            )
            for i in range(start, start + count)
        ]
    )
    Goal = Project.goals.through
    Goal.objects.bulk_create([Goal(project=p, goal=w["goal"]) for p in projects])
    Mech = Project.mechanisms.through
    Mech.objects.bulk_create(
        [Mech(project=p, mechanismkind=mechanisms[i % 3]) for i, p in enumerate(projects)]
    )
    Partner = Project.partners.through
    Partner.objects.bulk_create([Partner(project=p, organisation=w["org_y"]) for p in projects])
    FundingLine.objects.bulk_create(
        [
            FundingLine(
                project=p,
                source_kind=kind,
                amount=Decimal("1000"),
                currency=currency,
                status=status,
                year=2021,
            )
            for p in projects
            for kind, currency, status in (("oblast_budget", "UAH", "planned"), ("ita", "EUR", "confirmed"))
        ]
    )
    act = NormativeAct.objects.create(act_type="oblast_council_decision", title=f"Рішення {start}")
    act.projects.add(*projects)


def _queries(client, path) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_portfolio_costs_the_same_queries_for_10_and_500_projects(client, world):
    client.force_login(world["observer"])
    _add_projects(world, 0, 10)
    small = _queries(client, portfolio_url(world))
    _add_projects(world, 10, 490)
    large = _queries(client, portfolio_url(world))
    assert small == large, (small, large)
    assert _queries(client, portfolio_url(world, "priority=1&page=3")) == large


def test_to_many_filters_list_a_project_once_and_only_they_make_the_list_distinct(client, world):
    client.force_login(world["observer"])
    _add_projects(world, 0, 3)
    # A second oblast-budget line, planned as well: the project matches the filters through two rows.
    first = Project.objects.get(code="P-0000")
    FundingLine.objects.create(
        project=first, source_kind="oblast_budget", amount=Decimal("5"), currency="UAH", status="planned"
    )
    for query in ("source_kind=oblast_budget", "funding_status=planned", "goal=" + str(world["goal"].pk)):
        with CaptureQueriesContext(connection) as ctx:
            page = client.get(portfolio_url(world, query), HTTP_CACHE_CONTROL="no-cache")
        assert [p.code for p in page.context["page_obj"]] == ["P-0000", "P-0001", "P-0002"], query
        assert any("SELECT DISTINCT" in q["sql"] and '"projects_project"' in q["sql"] for q in ctx), query
    # Unfiltered, or by the project's own columns, the list needs no DISTINCT.
    for query in ("", "priority=1", "lead_org=" + str(world["org_x"].pk)):
        with CaptureQueriesContext(connection) as ctx:
            page = client.get(portfolio_url(world, query), HTTP_CACHE_CONTROL="no-cache")
        assert page.status_code == 200 and len(page.context["page_obj"]) >= 1
        assert not any("DISTINCT" in q["sql"] and '"projects_project"."id"' in q["sql"] for q in ctx), query


def test_budget_totals_by_source_and_status_follow_the_filters(client, world):
    client.force_login(world["observer"])
    _add_projects(world, 0, 30)
    response = client.get(portfolio_url(world))
    totals = response.context["totals"]
    uah = next(c for c in totals["currencies"] if c["currency"] == "UAH")
    eur = next(c for c in totals["currencies"] if c["currency"] == "EUR")
    assert uah["total"] == Decimal("30000") and eur["total"] == Decimal("30000")
    planned = [code for code, _label in totals["statuses"]].index("planned")
    assert uah["rows"][0]["source_kind"] == "oblast_budget" and uah["rows"][0]["cells"][planned] == Decimal(
        "30000"
    )
    # Totals are of everything the filters keep, not of the page shown.
    high = client.get(portfolio_url(world, "priority=1")).context["totals"]
    assert next(c for c in high["currencies"] if c["currency"] == "UAH")["total"] == Decimal("10000")
    assert_csp_clean(response.content.decode())


def test_page_links_keep_the_filters(client, world):
    client.force_login(world["observer"])
    _add_projects(world, 0, 60)
    html = client.get(portfolio_url(world, "lead_org=" + str(world["org_y"].pk))).content.decode()
    assert f"lead_org={world['org_y'].pk}&amp;page=2" in html


def test_cancelled_projects_leave_the_portfolio_unless_asked_for(client, world):
    client.force_login(world["observer"])
    backed_project(world["agenda"], goals=[world["goal"]], code="P-LIVE")
    backed_project(world["agenda"], goals=[world["goal"]], code="P-GONE", status="cancelled")
    assert "P-GONE" not in client.get(portfolio_url(world)).content.decode()
    assert "P-GONE" in client.get(portfolio_url(world, "status=cancelled")).content.decode()


def test_project_page_shows_the_challenge_and_swot_items_it_answers(client, world):
    item = f.SwotItemFactory(agenda=world["agenda"], quadrant="O", text_uk="Центри Індустрії 4.0 при ЗВО")
    unrelated = f.SwotItemFactory(agenda=world["agenda"], text_uk="Не пов'язаний пункт")
    challenge = world["goal"].challenge
    challenge.swot_items.add(item)
    team = f.WorkingTeamFactory(agenda=world["agenda"], name_uk="ІАМ-освіта")
    project = backed_project(
        world["agenda"], goals=[world["goal"]], lead=world["org_x"], team=team, is_pilot=True
    )
    client.force_login(world["observer"])
    html = client.get(project_url(world, project)).content.decode()
    assert challenge.code in html and challenge.title_uk in html
    assert "Центри Індустрії 4.0 при ЗВО" in html and unrelated.text_uk not in html
    year = {"region": world["region"].slug, "year": 2021}
    assert reverse("agenda:swot-item-detail", kwargs={**year, "pk": item.pk}) in html
    assert reverse("agenda:challenge-detail", kwargs={**year, "pk": challenge.pk}) in html
    assert reverse("agenda:goal-detail", kwargs={**year, "pk": world["goal"].pk}) in html
    assert reverse("teams:team-detail", kwargs={"region": world["region"].slug, "pk": team.pk}) in html
    assert "<svg" in html
    assert "Edit the project" not in html  # an observer reads only
    assert_csp_clean(html)
    assert SwotItem.objects.count() == 2


def test_lead_representative_sees_the_lead_locked_in_the_form(client, world):
    project = backed_project(world["agenda"], goals=[world["goal"]], lead=world["org_x"])
    client.force_login(world["rep_x"])
    html = client.get(project_url(world, project, "project-update")).content.decode()
    assert 'name="lead_org"' in html and "disabled" in html
    response = client.post(
        project_url(world, project, "project-update"),
        {
            "code": project.code,
            "title_uk": "Нова назва",
            "priority": 1,
            "status": "idea",
            "lead_org": world["org_y"].pk,
            "currency": "UAH",
            "goals": [world["goal"].pk],
            "version": 1,
        },
    )
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.title_uk == "Нова назва" and project.lead_org == world["org_x"]


def test_funding_form_refuses_a_zero_amount_and_keeps_the_input(client, world):
    project = backed_project(world["agenda"], goals=[world["goal"]], lead=world["org_x"])
    client.force_login(world["rep_x"])
    response = client.post(
        project_url(world, project, "funding-create"),
        {
            "source_kind": "own_funds",
            "source_name": "Кошти підприємства",
            "amount": "0",
            "currency": "UAH",
            "status": "planned",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200 and "Кошти підприємства" in html and "is-invalid" in html
    assert project.funding_lines.count() == 1


def test_adopted_act_without_a_date_is_refused_in_the_form(client, world):
    project = backed_project(world["agenda"], goals=[world["goal"]], lead=world["org_x"])
    client.force_login(world["coordinator"])
    response = client.post(
        project_url(world, project, "act-create"),
        {"act_type": "law", "title": "Закон про індустріальні парки", "stage": "adopted"},
    )
    assert response.status_code == 200 and "adopted act needs the date" in response.content.decode()
    assert not NormativeAct.objects.exists()
