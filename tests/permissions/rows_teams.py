"""Working teams, their members and the pilots' action plans (projects/team_urls.py).

Coordinators manage; the representative of a step's responsible organisation (rep_x_a for step_a)
reports that step's progress; every reader of the region reads; region B's coordinator gets 404s."""

import datetime

from projects.models import WorkingTeam
from stakeholders.models import PersonRole
from tests import factories as f

from .table import Row
from .world import MANAGERS_A, READERS_A

OUTSIDERS_A = frozenset({"coord_b"})


def extend_world(w):
    for key in ("a", "b"):
        agenda = w.objects[f"agenda_{key}"]
        team = f.WorkingTeamFactory(
            agenda=agenda,
            name_uk=f"Команда {key}",
            domain=w.objects[f"domain_{key}"],
            status=WorkingTeam.Status.ACTIVE,
        )
        membership = f.TeamMembershipFactory(
            team=team, person=w.objects[f"person_x_{key}"], role=PersonRole.LEADER
        )
        project = f.ProjectFactory(agenda=agenda, code=f"P-{key.upper()}-1", is_pilot=True, team=team)
        step = f.ActionStepFactory(
            project=project,
            number="1.1",
            responsible_org=w.objects[f"org_x_{key}"],
            responsible_person=w.objects[f"person_x_{key}"],
            start_date=datetime.date(2021, 2, 1),
            due_date=datetime.date(2021, 3, 31),
        )
        w.objects.update(
            {
                f"team_{key}": team,
                f"membership_{key}": membership,
                f"project_{key}": project,
                f"step_{key}": step,
            }
        )


def _region(w):
    return {"region": w.region_a.slug}


def _year(w):
    return {"region": w.region_a.slug, "year": w.agenda_a.year}


def _team(w):
    return {"region": w.region_a.slug, "pk": w.team_a.pk}


def _member(w):
    return {"region": w.region_a.slug, "pk": w.team_a.pk, "membership_pk": w.membership_a.pk}


def _project(w):
    return {"region": w.region_a.slug, "pk": w.project_a.pk}


def _step(w):
    return {"region": w.region_a.slug, "pk": w.step_a.pk}


def _team_data(w):
    return {
        "name_uk": "Нова команда",
        "kind": "thematic_group",
        "status": "forming",
        "cadence": "monthly",
        "domain": w.domain_a.pk,
        "version": 1,
    }


def _step_data(w):
    return {
        "number": "1.2",
        "title_uk": "Наступний крок",
        "responsible_org": w.org_y_a.pk,
        "due_date": "2021-06-30",
        "status": "planned",
        "progress_pct": 0,
        "currency": "UAH",
        "version": 1,
    }


ROWS = [
    Row("teams:team-index", kwargs=_region, get=READERS_A, hide_from=OUTSIDERS_A),
    Row("teams:team-list", kwargs=_year, get=READERS_A, hide_from=OUTSIDERS_A),
    Row(
        "teams:team-create",
        kwargs=_year,
        get=MANAGERS_A,
        post=MANAGERS_A,
        data=_team_data,
        hide_from=OUTSIDERS_A,
    ),
    Row("teams:team-detail", kwargs=_team, get=READERS_A, hide_from=OUTSIDERS_A),
    Row(
        "teams:team-update",
        kwargs=_team,
        get=MANAGERS_A,
        post=MANAGERS_A,
        data=lambda w: {**_team_data(w), "name_uk": "Команда a", "status": "active"},
        hide_from=OUTSIDERS_A,
    ),
    Row(
        "teams:membership-create",
        kwargs=_team,
        get=MANAGERS_A,
        post=MANAGERS_A,
        data=lambda w: {"person": w.person_y_a.pk, "role": "member"},
        hide_from=OUTSIDERS_A,
    ),
    Row(
        "teams:membership-update",
        kwargs=_member,
        get=MANAGERS_A,
        post=MANAGERS_A,
        data=lambda w: {"role": "co_leader"},
        hide_from=OUTSIDERS_A,
    ),
    Row("teams:membership-end", kwargs=_member, post=MANAGERS_A, hide_from=OUTSIDERS_A),
    Row("teams:plan-list", kwargs=_year, get=READERS_A, hide_from=OUTSIDERS_A),
    Row("teams:plan-detail", kwargs=_project, get=READERS_A, hide_from=OUTSIDERS_A),
    Row("teams:project-gantt", kwargs=_project, get=READERS_A, hide_from=OUTSIDERS_A),
    Row(
        "teams:project-team",
        kwargs=_project,
        post=MANAGERS_A,
        data=lambda w: {"team": ""},
        hide_from=OUTSIDERS_A,
    ),
    Row(
        "teams:step-create",
        kwargs=_project,
        get=MANAGERS_A,
        post=MANAGERS_A,
        data=_step_data,
        hide_from=OUTSIDERS_A,
    ),
    Row(
        "teams:step-update",
        kwargs=_step,
        get=MANAGERS_A,
        post=MANAGERS_A,
        data=lambda w: {**_step_data(w), "number": "1.1"},
        hide_from=OUTSIDERS_A,
    ),
    # The representative of the responsible organisation (org X) reports progress; Y's may not.
    Row(
        "teams:step-progress",
        kwargs=_step,
        get=MANAGERS_A | {"rep_x_a"},
        post=MANAGERS_A | {"rep_x_a"},
        data=lambda w: {"status": "in_progress", "progress_pct": 40, "version": 1},
        hide_from=OUTSIDERS_A,
    ),
    Row("teams:step-delete", kwargs=_step, post=MANAGERS_A, hide_from=OUTSIDERS_A),
]
