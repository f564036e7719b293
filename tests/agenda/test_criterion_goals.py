"""Success criterion 2 — goals and projects agreed: each condition, its precise gap with a link, and a
constant number of queries for any number of agendas."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from agenda.criteria import evaluate
from agenda.criterion_goals import goals_agreed
from agenda.models import GoalStatus
from projects.models import FundingLine, NormativeAct, ProjectStatus
from stakeholders.models import RoleMatrixEntry
from tests import factories as f

from .helpers import backed_project, endorse, region_with_people, smart_goal

pytestmark = pytest.mark.django_db


def met_world(slug="oblast-a", iso="UA-31"):
    """A region that meets criterion 2: one SMART goal, a backed high-priority project, both
    participating organisations endorsed."""
    w = region_with_people(slug=slug, iso=iso)
    w["goal"] = smart_goal(w["agenda"], owner=w["org_x"])
    w["project"] = backed_project(w["agenda"], goals=[w["goal"]], lead=w["org_y"])
    endorse(w["agenda"], w["org_x"])
    endorse(w["agenda"], w["org_y"])
    return w


def result(w):
    return goals_agreed([w["agenda"]])[w["agenda"].pk]


def gap_texts(w):
    return [str(g.text) for g in result(w).gaps]


def test_met_when_everything_is_in_place():
    w = met_world()
    r = result(w)
    assert r.met, r.gaps
    assert r.number == 2
    assert r.gaps == []
    assert any("1 of 1 goals are SMART-complete" in str(e) for e in r.evidence)
    assert any("2 of 2 participating organisations endorsed" in str(e) for e in r.evidence)


def test_no_goal_is_a_gap_linking_to_the_goal_list():
    w = region_with_people()
    r = result(w)
    assert not r.met
    gap = r.gaps[0]
    assert "No goal" in str(gap.text)
    assert gap.url == reverse("agenda:goal-list", kwargs={"region": w["region"].slug, "year": 2021})


def test_a_goal_that_is_not_smart_complete_is_named_with_its_missing_letters():
    w = met_world()
    w["goal"].deadline = None
    w["goal"].save()
    endorse(w["agenda"], w["org_x"])
    endorse(w["agenda"], w["org_y"])
    r = result(w)
    assert not r.met
    [gap] = r.gaps
    assert "G-1" in str(gap.text) and "T — Set a deadline" in str(gap.text)
    assert gap.url == reverse(
        "agenda:goal-detail", kwargs={"region": w["region"].slug, "year": 2021, "pk": w["goal"].pk}
    )


def test_a_goal_without_a_project_is_a_gap_and_cancelled_projects_do_not_serve():
    w = met_world()
    w["project"].status = ProjectStatus.CANCELLED
    w["project"].save()
    endorse(w["agenda"], w["org_x"])
    endorse(w["agenda"], w["org_y"])
    assert gap_texts(w) == ["No project of the portfolio serves goal G-1."]


def test_cancelled_goals_are_not_counted():
    w = met_world()
    smart_goal(w["agenda"], owner=w["org_x"], code="G-2", status=GoalStatus.CANCELLED, deadline=None)
    assert result(w).met


@pytest.mark.parametrize(
    ("setup", "expected"),
    [
        (lambda p: p.mechanisms.clear(), "has no mechanism"),
        (lambda p: p.funding_lines.all().delete(), "has no resources"),
        (lambda p: p.funding_lines.update(status=FundingLine.Status.REJECTED), "has no resources"),
        (
            lambda p: (p.mechanisms.clear(), p.funding_lines.all().delete()),
            "neither a mechanism nor resources",
        ),
    ],
    ids=["no-mechanism", "no-funding", "only-rejected-funding", "neither"],
)
def test_high_priority_project_needs_a_mechanism_and_resources(setup, expected):
    w = met_world()
    setup(w["project"])
    endorse(w["agenda"], w["org_x"])
    endorse(w["agenda"], w["org_y"])
    r = result(w)
    assert not r.met
    [gap] = r.gaps
    assert "P-1" in str(gap.text) and expected in str(gap.text)
    assert gap.url == reverse(
        "projects:project-detail", kwargs={"region": w["region"].slug, "pk": w["project"].pk}
    )


def test_a_budget_counts_as_resources_and_a_legal_act_as_a_mechanism():
    w = met_world()
    p = w["project"]
    p.mechanisms.clear()
    p.funding_lines.all().delete()
    p.budget_total = Decimal("500000")
    p.save()
    NormativeAct.objects.create(act_type="oblast_council_decision", title="Рішення").projects.add(p)
    endorse(w["agenda"], w["org_x"])
    endorse(w["agenda"], w["org_y"])
    assert result(w).met


def test_medium_priority_projects_need_no_mechanism_or_resources():
    w = met_world()
    bare = f.ProjectFactory(agenda=w["agenda"], code="P-2", priority=2)
    bare.goals.add(w["goal"])
    endorse(w["agenda"], w["org_x"])
    endorse(w["agenda"], w["org_y"])
    assert result(w).met


def test_missing_and_stale_endorsements_are_listed_by_organisation():
    w = met_world()
    w["goal"].target_value = Decimal("25")
    w["goal"].save()  # both endorsements are now of an earlier version
    endorse(w["agenda"], w["org_y"])
    newcomer = f.OrganisationFactory(region=w["region"], name_uk="ГО Інновації")
    RoleMatrixEntry.objects.create(agenda=w["agenda"], organisation=newcomer)
    texts = gap_texts(w)
    assert len(texts) == 2
    assert "earlier version" in texts[0] and str(w["org_x"]) in texts[0] and str(w["org_y"]) not in texts[0]
    assert texts[1] == f"Waiting for the endorsement of: {newcomer}."
    assert all(g.url.endswith("/agenda/2021/endorsements/") for g in result(w).gaps)


def test_no_participating_organisation_is_a_gap():
    w = met_world()
    RoleMatrixEntry.objects.filter(agenda=w["agenda"]).delete()
    assert any("No organisation takes part" in t for t in gap_texts(w))


def test_criterion_engine_includes_criterion_2():
    w = met_world()
    results = evaluate(w["agenda"])
    assert [r.number for r in results if r.number == 2] == [2]
    assert next(r for r in results if r.number == 2).met


def _queries(agendas) -> int:
    with CaptureQueriesContext(connection) as ctx:
        goals_agreed(agendas)
    return len(ctx.captured_queries)


def test_constant_queries_for_any_number_of_agendas():
    one = [met_world()["agenda"]]
    many = one + [met_world(slug=f"oblast-{i}", iso=f"UA-{40 + i}")["agenda"] for i in range(4)]
    for w_agenda in many[1:]:
        extra = smart_goal(w_agenda, owner=None, code="G-9", deadline=datetime.date(2021, 6, 30))
        backed_project(w_agenda, goals=[extra], code="P-9")
    assert _queries(one) == _queries(many) == 10
