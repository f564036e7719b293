"""Criterion 3 ("teams working"): met exactly when every rule holds; each broken rule is one precise gap
whose link leads to the page where it is fixed."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import resolve
from django.utils import translation

from projects.criteria import teams_working
from projects.models import ProjectStatus, WorkingTeam
from stakeholders.models import PersonRole
from tests import factories as f

from .builders import build_ready

pytestmark = pytest.mark.django_db


def result_for(agenda):
    with translation.override("en"):
        return teams_working([agenda])[agenda.pk]


def gap_texts(result) -> list[str]:
    return [str(g.text) for g in result.gaps]


def test_ready_agenda_meets_criterion_3(ready):
    result = result_for(ready["agenda"])
    assert result.met, gap_texts(result)
    assert result.number == 3
    assert result.gaps == []
    assert any("3 active working teams" in str(line) for line in result.evidence)
    assert any("P-1" in str(line) for line in result.evidence)


def test_two_active_teams_are_not_enough(ready):
    ready["teams"][2].status = WorkingTeam.Status.FORMING
    ready["teams"][2].save()
    result = result_for(ready["agenda"])
    assert not result.met
    texts = gap_texts(result)
    assert any(
        "2 active working teams; at least 3 are needed" in t and "Still forming: «Команда 2»" in t
        for t in texts
    )
    # The forming team no longer covers its direction either.
    assert any("«Напрям 2» has no active working team" in t for t in texts)


def test_a_cross_sector_team_counts_but_covers_no_direction(ready):
    extra = f.WorkingTeamFactory(
        agenda=ready["agenda"],
        name_uk="Цифровізація",
        cross_sector_area="Цифровізація",
        status=WorkingTeam.Status.ACTIVE,
    )
    for role, org in (
        (PersonRole.LEADER, "org_a"),
        (PersonRole.MEMBER, "org_b"),
        (PersonRole.MEMBER, "org_b"),
    ):
        f.TeamMembershipFactory(team=extra, person=f.PersonFactory(organisation=ready[org]), role=role)
    ready["teams"][1].domain = None
    ready["teams"][1].cross_sector_area = "Кадри"
    ready["teams"][1].save()
    result = result_for(ready["agenda"])
    assert gap_texts(result) == ["Main direction «Напрям 1» has no active working team."]


def test_only_main_directions_need_a_team(ready):
    f.DomainFactory(region=ready["region"], name_uk="Побічний напрям", is_main=False)
    assert result_for(ready["agenda"]).met


def test_region_without_main_directions_is_a_gap(ready):
    for domain in ready["domains"]:
        domain.is_main = False
        domain.save()
    result = result_for(ready["agenda"])
    assert gap_texts(result) == ["No main specialisation direction is recorded for the region."]
    assert resolve(result.gaps[0].url).url_name == "region-detail"


def test_team_without_leader(ready):
    team = ready["teams"][1]
    team.memberships.filter(role=PersonRole.LEADER).update(role=PersonRole.MEMBER)
    result = result_for(ready["agenda"])
    assert gap_texts(result) == ["Team «Команда 1» has no leader."]
    match = resolve(result.gaps[0].url.split("#")[0])
    assert (match.namespace, match.url_name, match.kwargs["pk"]) == ("teams", "team-detail", team.pk)


def test_a_leader_who_left_is_no_leader(ready):
    team = ready["teams"][0]
    team.memberships.filter(role=PersonRole.LEADER).update(
        left_on=datetime.date(2021, 3, 1), joined_on=datetime.date(2021, 1, 1)
    )
    f.TeamMembershipFactory(
        team=team, person=f.PersonFactory(organisation=ready["org_b"]), role=PersonRole.MEMBER
    )
    assert gap_texts(result_for(ready["agenda"])) == ["Team «Команда 0» has no leader."]


def test_team_needs_three_members_and_observers_do_not_count(ready):
    team = ready["teams"][0]
    team.memberships.filter(role=PersonRole.MEMBER).update(role=PersonRole.OBSERVER)
    assert gap_texts(result_for(ready["agenda"])) == [
        "Team «Команда 0» has 2 members; at least 3 are needed."
    ]


def test_team_needs_members_from_two_organisations(ready):
    team = ready["teams"][2]
    team.memberships.exclude(organisation=ready["org_a"]).delete()
    f.TeamMembershipFactory(team=team, person=f.PersonFactory(organisation=ready["org_a"]))
    assert gap_texts(result_for(ready["agenda"])) == [
        "Team «Команда 2» has members from 1 organisation; at least 2 are needed."
    ]


def test_inactive_teams_are_not_checked_for_members(ready):
    paused = f.WorkingTeamFactory(
        agenda=ready["agenda"], name_uk="Пауза", domain=ready["domains"][0], status=WorkingTeam.Status.PAUSED
    )
    assert paused.memberships.count() == 0
    assert result_for(ready["agenda"]).met


def test_pilot_without_team(ready):
    ready["pilot"].team = None
    ready["pilot"].save()
    result = result_for(ready["agenda"])
    assert gap_texts(result) == ["Pilot project P-1 has no working team."]
    match = resolve(result.gaps[0].url)
    assert (match.namespace, match.url_name, match.kwargs["pk"]) == (
        "teams",
        "plan-detail",
        ready["pilot"].pk,
    )


def test_pilot_with_dissolved_team(ready):
    ready["teams"][0].status = WorkingTeam.Status.DISSOLVED
    ready["teams"][0].save()
    texts = gap_texts(result_for(ready["agenda"]))
    assert "The team of pilot project P-1, «Команда 0», is dissolved." in texts


def test_pilot_without_action_plan(ready):
    ready["step"].delete()
    assert gap_texts(result_for(ready["agenda"])) == ["Pilot project P-1 has no action plan."]


@pytest.mark.parametrize("missing", ["owner", "due_date"])
def test_pilot_steps_need_an_owner_and_a_due_date(ready, missing):
    step = ready["step"]
    if missing == "owner":
        step.responsible_org = None
    else:
        step.due_date = None
    step.save()
    assert gap_texts(result_for(ready["agenda"])) == [
        "The action plan of pilot project P-1 has 1 step, but none with a responsible and a due date."
    ]


def test_a_responsible_person_is_an_owner_too(ready):
    step = ready["step"]
    step.responsible_org = None
    step.responsible_person = f.PersonFactory(organisation=ready["org_b"])
    step.save()
    assert result_for(ready["agenda"]).met


def test_at_least_one_pilot_is_needed(ready):
    ready["pilot"].is_pilot = False
    ready["pilot"].save()
    result = result_for(ready["agenda"])
    assert gap_texts(result) == [
        "No pilot project is marked in the portfolio; the teams must carry at least one."
    ]
    assert resolve(result.gaps[0].url).url_name == "plan-list"


def test_cancelled_pilots_need_nothing(ready):
    f.ProjectFactory(agenda=ready["agenda"], code="P-2", is_pilot=True, status=ProjectStatus.CANCELLED)
    assert result_for(ready["agenda"]).met


def test_every_pilot_is_checked(ready):
    f.ProjectFactory(agenda=ready["agenda"], code="P-2", is_pilot=True, team=ready["teams"][1])
    assert gap_texts(result_for(ready["agenda"])) == ["Pilot project P-2 has no action plan."]


def test_another_agendas_teams_do_not_count(ready):
    other = f.AgendaFactory(region=ready["region"], year=2022)
    result = result_for(other)
    assert not result.met
    assert "0 active working teams; at least 3 are needed." in gap_texts(result)


def test_gap_texts_follow_the_language(ready):
    ready["pilot"].team = None
    ready["pilot"].save()
    with translation.override("uk"):
        result = teams_working([ready["agenda"]])[ready["agenda"].pk]
    assert result.gaps and "P-1" in str(result.gaps[0].text)


def test_constant_queries_for_any_number_of_agendas():
    one = [build_ready()["agenda"]]
    many = [build_ready()["agenda"] for _ in range(6)]
    with CaptureQueriesContext(connection) as few:
        teams_working(one)
    with CaptureQueriesContext(connection) as lots:
        results = teams_working(many + one)
    assert len(lots) == len(few) == 5
    assert all(results[a.pk].met for a in many + one)


def test_no_agendas_no_queries(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert teams_working([]) == {}
