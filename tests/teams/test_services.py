"""Services of working teams and action plans: rules, permissions and concurrent edits."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from projects import team_services as s
from projects.models import ActionStep, Project, TeamMembership, WorkingTeam
from regions.models import RegionMembership
from regions.rules import forget_cached_rules
from stakeholders.models import PersonRole
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(ready):
    coordinator = f.UserFactory()
    f.RegionMembershipFactory(
        user=coordinator, region=ready["region"], role=RegionMembership.Role.COORDINATOR
    )
    observer = f.UserFactory()
    f.RegionMembershipFactory(user=observer, region=ready["region"], role=RegionMembership.Role.OBSERVER)
    rep_a = f.UserFactory()
    f.PersonFactory(organisation=ready["org_a"], user=rep_a)
    rep_b = f.UserFactory()
    f.PersonFactory(organisation=ready["org_b"], user=rep_b)
    return {**ready, "coordinator": coordinator, "observer": observer, "rep_a": rep_a, "rep_b": rep_b}


def team_data(w, **overrides):
    return {
        "name_uk": "Нова команда",
        "kind": "thematic_group",
        "status": "forming",
        "cadence": "monthly",
        "domain": w["domains"][0],
        **overrides,
    }


# --- teams -------------------------------------------------------------------------------------------


def test_coordinator_creates_a_team_carrying_a_project(world):
    project = f.ProjectFactory(agenda=world["agenda"], code="P-9")
    team = s.team_create(
        agenda=world["agenda"], data=team_data(world), projects=[project], acting_user=world["coordinator"]
    )
    assert team.created_by == world["coordinator"]
    project.refresh_from_db()
    assert project.team == team
    assert project.version == 2  # the project's own edit forms see that it changed


def test_observer_cannot_create_a_team(world):
    with pytest.raises(PermissionDenied):
        s.team_create(agenda=world["agenda"], data=team_data(world), acting_user=world["observer"])
    assert not WorkingTeam.objects.filter(name_uk="Нова команда").exists()


def test_coordinator_of_other_region_cannot_edit_team(world):
    other = f.UserFactory()
    f.RegionMembershipFactory(user=other, role=RegionMembership.Role.COORDINATOR)
    team = world["teams"][0]
    with pytest.raises(PermissionDenied):
        s.team_update(team=team, version=team.version, data=team_data(world), acting_user=other)


def test_team_needs_a_direction_or_an_area(world):
    with pytest.raises(ValidationError):
        s.team_create(
            agenda=world["agenda"], data=team_data(world, domain=None), acting_user=world["coordinator"]
        )


def test_team_direction_must_be_of_the_region(world):
    foreign = f.DomainFactory()
    with pytest.raises(ValidationError) as exc:
        s.team_create(
            agenda=world["agenda"], data=team_data(world, domain=foreign), acting_user=world["coordinator"]
        )
    assert "domain" in exc.value.error_dict


def test_team_names_are_unique_per_agenda(world):
    with pytest.raises(ValidationError) as exc:
        s.team_create(
            agenda=world["agenda"],
            data=team_data(world, name_uk="Команда 0"),
            acting_user=world["coordinator"],
        )
    assert "name_uk" in exc.value.error_dict


def test_stale_team_edit_is_refused(world):
    team = world["teams"][0]
    s.team_update(
        team=team, version=1, data=team_data(world, name_uk="Перша правка"), acting_user=world["coordinator"]
    )
    with pytest.raises(ValidationError) as exc:
        s.team_update(
            team=team,
            version=1,
            data=team_data(world, name_uk="Друга правка"),
            acting_user=world["coordinator"],
        )
    assert exc.value.code == "conflict"
    team.refresh_from_db()
    assert (team.name_uk, team.version) == ("Перша правка", 2)


def test_unlinking_projects_from_a_team(world):
    team, pilot = world["teams"][0], world["pilot"]
    s.team_update(
        team=team,
        version=team.version,
        data=team_data(world, name_uk=team.name_uk),
        projects=[],
        acting_user=world["coordinator"],
    )
    pilot.refresh_from_db()
    assert pilot.team is None


def test_projects_of_another_agenda_cannot_be_linked(world):
    foreign = f.ProjectFactory()
    with pytest.raises(ValidationError):
        s.team_create(
            agenda=world["agenda"],
            data=team_data(world),
            projects=[foreign],
            acting_user=world["coordinator"],
        )
    foreign.refresh_from_db()
    assert foreign.team is None


def test_project_team_set_refuses_other_agendas_and_dissolved_teams(world):
    pilot = world["pilot"]
    with pytest.raises(ValidationError):
        s.project_team_set(project=pilot, team=f.WorkingTeamFactory(), acting_user=world["coordinator"])
    dissolved = f.WorkingTeamFactory(agenda=world["agenda"], status=WorkingTeam.Status.DISSOLVED)
    with pytest.raises(ValidationError):
        s.project_team_set(project=pilot, team=dissolved, acting_user=world["coordinator"])
    s.project_team_set(project=pilot, team=world["teams"][1], acting_user=world["coordinator"])
    assert Project.objects.get(pk=pilot.pk).team == world["teams"][1]


# --- members -----------------------------------------------------------------------------------------


def test_naming_a_new_leader_demotes_the_old_one(world):
    team = world["teams"][0]
    old = team.memberships.get(role=PersonRole.LEADER)
    new = s.membership_add(
        team=team,
        person=f.PersonFactory(organisation=world["org_b"]),
        role=PersonRole.LEADER,
        acting_user=world["coordinator"],
    )
    old.refresh_from_db()
    assert old.role == PersonRole.MEMBER
    assert list(TeamMembership.objects.current().filter(team=team, role=PersonRole.LEADER)) == [new]


def test_changing_a_role_to_leader_demotes_the_old_one(world):
    team = world["teams"][0]
    old = team.memberships.get(role=PersonRole.LEADER)
    member = team.memberships.get(role=PersonRole.CO_LEADER)
    s.membership_update(membership=member, role=PersonRole.LEADER, acting_user=world["coordinator"])
    old.refresh_from_db()
    member.refresh_from_db()
    assert (old.role, member.role) == (PersonRole.MEMBER, PersonRole.LEADER)


def test_a_person_joins_a_team_once(world):
    team = world["teams"][0]
    person = team.memberships.first().person
    with pytest.raises(ValidationError):
        s.membership_add(team=team, person=person, role=PersonRole.MEMBER, acting_user=world["coordinator"])


def test_member_from_another_region_is_refused(world):
    with pytest.raises(ValidationError):
        s.membership_add(
            team=world["teams"][0],
            person=f.PersonFactory(),
            role=PersonRole.MEMBER,
            acting_user=world["coordinator"],
        )


def test_leaving_keeps_the_row_and_may_rejoin(world):
    team = world["teams"][0]
    member = team.memberships.get(role=PersonRole.MEMBER)
    member.joined_on = datetime.date(2021, 1, 1)
    member.save()
    s.membership_end(membership=member, left_on=datetime.date(2021, 5, 1), acting_user=world["coordinator"])
    with pytest.raises(ValidationError):
        s.membership_end(membership=member, acting_user=world["coordinator"])
    again = s.membership_add(
        team=team, person=member.person, role=PersonRole.MEMBER, acting_user=world["coordinator"]
    )
    assert TeamMembership.objects.filter(team=team, person=member.person).count() == 2
    assert again.left_on is None


def test_leaving_before_joining_is_refused(world):
    member = world["teams"][0].memberships.first()
    with pytest.raises(ValidationError):
        s.membership_end(
            membership=member,
            left_on=member.joined_on - datetime.timedelta(days=1),
            acting_user=world["coordinator"],
        )


# --- steps -------------------------------------------------------------------------------------------


def step_data(w, **overrides):
    return {
        "number": "1.2",
        "title_uk": "Крок",
        "responsible_org": w["org_b"],
        "due_date": datetime.date(2021, 9, 1),
        "status": "planned",
        "progress_pct": 0,
        **overrides,
    }


def test_coordinator_adds_a_step(world):
    step = s.step_create(
        project=world["pilot"],
        data=step_data(world),
        m2m={"depends_on": [world["step"]]},
        acting_user=world["coordinator"],
    )
    assert list(step.depends_on.all()) == [world["step"]]


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"number": "1.1"}, "number"),
        ({"start_date": datetime.date(2021, 10, 1)}, "due_date"),
        ({"progress_pct": 120}, "progress_pct"),
        ({"responsible_org": None, "responsible_person": None}, None),
    ],
)
def test_step_rules(world, overrides, field):
    if field is None:  # a step without owner is allowed (it just does not count for the criterion)
        s.step_create(
            project=world["pilot"], data=step_data(world, **overrides), acting_user=world["coordinator"]
        )
        return
    with pytest.raises(ValidationError) as exc:
        s.step_create(
            project=world["pilot"], data=step_data(world, **overrides), acting_user=world["coordinator"]
        )
    assert field in exc.value.error_dict


def test_responsible_person_must_work_for_the_responsible_organisation(world):
    person = f.PersonFactory(organisation=world["org_a"])
    with pytest.raises(ValidationError) as exc:
        s.step_create(
            project=world["pilot"],
            data=step_data(world, responsible_person=person),
            acting_user=world["coordinator"],
        )
    assert "responsible_person" in exc.value.error_dict


def test_dependencies_stay_within_the_plan_and_never_loop(world):
    first = world["step"]
    second = s.step_create(
        project=world["pilot"],
        data=step_data(world),
        m2m={"depends_on": [first]},
        acting_user=world["coordinator"],
    )
    with pytest.raises(ValidationError) as exc:
        s.step_update(
            step=first,
            version=first.version,
            data={},
            m2m={"depends_on": [second]},
            acting_user=world["coordinator"],
        )
    assert "depends_on" in exc.value.error_dict
    other_plan = f.ActionStepFactory(project=f.ProjectFactory(agenda=world["agenda"]))
    with pytest.raises(ValidationError):
        s.step_update(
            step=second,
            version=second.version,
            data={},
            m2m={"depends_on": [other_plan]},
            acting_user=world["coordinator"],
        )


def test_representative_reports_progress_of_own_step_only(world):
    step = world["step"]  # responsible: org A
    updated = s.step_progress_update(
        step=step,
        version=1,
        data={"status": "in_progress", "progress_pct": 30, "evidence_url": "https://example.org/r"},
        acting_user=world["rep_a"],
    )
    assert (updated.status, updated.progress_pct, updated.version) == ("in_progress", 30, 2)
    forget_cached_rules(world["rep_b"])
    with pytest.raises(PermissionDenied):
        s.step_progress_update(step=step, version=2, data={"progress_pct": 90}, acting_user=world["rep_b"])
    with pytest.raises(PermissionDenied):
        s.step_update(step=step, version=2, data={"title_uk": "Інше"}, acting_user=world["rep_a"])
    assert ActionStep.objects.get(pk=step.pk).progress_pct == 30


def test_progress_report_changes_nothing_else(world):
    step = world["step"]
    s.step_progress_update(
        step=step,
        version=1,
        data={"status": "done", "progress_pct": 10, "title_uk": "Злам"},
        acting_user=world["rep_a"],
    )
    step.refresh_from_db()
    assert step.title_uk != "Злам"
    assert step.progress_pct == 100  # done means complete


def test_stale_progress_report_is_refused(world):
    step = world["step"]
    s.step_progress_update(step=step, version=1, data={"progress_pct": 20}, acting_user=world["coordinator"])
    with pytest.raises(ValidationError) as exc:
        s.step_progress_update(step=step, version=1, data={"progress_pct": 50}, acting_user=world["rep_a"])
    assert exc.value.code == "conflict"
    assert ActionStep.objects.get(pk=step.pk).progress_pct == 20


def test_only_coordinators_delete_steps(world):
    with pytest.raises(PermissionDenied):
        s.step_delete(step=world["step"], acting_user=world["rep_a"])
    s.step_delete(step=world["step"], acting_user=world["coordinator"])
    assert not ActionStep.objects.filter(pk=world["step"].pk).exists()


def test_overdue_is_computed(world):
    step = world["step"]
    today = datetime.date(2021, 7, 1)
    assert list(ActionStep.objects.overdue(today)) == [step]
    step.status = ActionStep.Status.DONE
    step.save()
    assert not ActionStep.objects.overdue(today).exists()
