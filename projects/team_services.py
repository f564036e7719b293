"""Working teams, their members, and the action plans of the projects they carry.

Who may do what (the predicates below are the one place that says it):
- the region's coordinators (and administrators) manage teams, members, team–project links and plan steps;
- the representative of a step's responsible organisation updates that step's status, progress and
  evidence link — and nothing else;
- everyone else who may read the region reads.

Every write takes `acting_user`, re-checks the permission, and runs in one transaction. Edits of a team or
a step carry the `version` the user saw; a newer version in the database means somebody else saved in
between, and the edit is refused with a message instead of silently overwriting theirs.
"""

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from regions.models import Agenda, Region
from regions.rules import can_manage_region, represents
from stakeholders.models import Person, PersonRole

from .models import ActionStep, Project, TeamMembership, WorkingTeam

TEAM_FIELDS = (
    "kind",
    "name_uk",
    "name_en",
    "mandate_uk",
    "mandate_en",
    "domain",
    "cross_sector_area",
    "status",
    "cadence",
    "next_meeting",
    "channel_url",
)
STEP_FIELDS = (
    "number",
    "title_uk",
    "title_en",
    "description",
    "responsible_org",
    "responsible_person",
    "start_date",
    "due_date",
    "status",
    "progress_pct",
    "deliverable",
    "evidence_url",
    "budget",
    "currency",
    "funding_source",
    "goal",
    "decision",
)
STEP_M2M = ("co_executors", "depends_on")
PROGRESS_FIELDS = ("status", "progress_pct", "evidence_url")


# --- permissions -------------------------------------------------------------------------------------


def _region(obj) -> Region:
    if isinstance(obj, Region):
        return obj
    if isinstance(obj, Agenda):
        return obj.region
    if isinstance(obj, WorkingTeam | Project):
        return obj.agenda.region
    if isinstance(obj, TeamMembership):
        return obj.team.agenda.region
    if isinstance(obj, ActionStep):
        return obj.project.agenda.region
    raise TypeError(obj)


def can_manage_teams(user, obj) -> bool:
    """Coordinators of the region (and administrators) manage teams and action plans."""
    return bool(can_manage_region(user, _region(obj)))


def can_update_step_progress(user, step: ActionStep) -> bool:
    """The coordinators, and the representative of the organisation responsible for the step."""
    return can_manage_teams(user, step) or represents(user, step.responsible_org_id)


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def _conflict() -> ValidationError:
    return ValidationError(
        _(
            "Somebody else saved this in the meantime. Reload the page to see their changes, then make yours again."
        ),
        code="conflict",
    )


# --- teams -------------------------------------------------------------------------------------------


def _check_team(agenda: Agenda, data: dict[str, Any], *, team: WorkingTeam | None = None) -> None:
    domain = data.get("domain")
    if domain is not None and domain.region_id != agenda.region_id:
        raise ValidationError({"domain": _("Choose a specialisation direction of this region.")})
    if domain is None and not (data.get("cross_sector_area") or "").strip():
        raise ValidationError(_("Name the team's specialisation direction or its cross-sector area."))
    clash = WorkingTeam.objects.filter(agenda=agenda, name_uk=data.get("name_uk", team.name_uk if team else ""))
    if team is not None:
        clash = clash.exclude(pk=team.pk)
    if clash.exists():
        raise ValidationError({"name_uk": _("This agenda already has a team with this name.")})


def _link_projects(team: WorkingTeam, projects) -> None:
    """Make `projects` exactly the projects this team carries (projects of the same agenda only). Each
    changed project is saved on its own so its history records the change and its version moves on."""
    if projects is None:
        return
    wanted = {p.pk for p in projects}
    if Project.objects.filter(pk__in=wanted).exclude(agenda_id=team.agenda_id).exists():
        raise ValidationError({"projects": _("Choose projects of this agenda.")})
    for project in Project.objects.select_for_update().filter(agenda_id=team.agenda_id):
        if project.pk in wanted and project.team_id != team.pk:
            project.team = team
        elif project.pk not in wanted and project.team_id == team.pk:
            project.team = None
        else:
            continue
        project.version += 1
        project.save(update_fields=["team", "version", "updated_at"])


@transaction.atomic
def team_create(*, agenda: Agenda, data: dict[str, Any], projects=None, acting_user: User) -> WorkingTeam:
    """A new working team of the agenda; `projects` are the projects it carries."""
    _require(can_manage_teams(acting_user, agenda))
    _check_team(agenda, data)
    team = WorkingTeam(
        agenda=agenda, created_by=acting_user, **{k: data[k] for k in TEAM_FIELDS if k in data}
    )
    team.save()
    _link_projects(team, projects)
    return team


@transaction.atomic
def team_update(
    *, team: WorkingTeam, version: int, data: dict[str, Any], projects=None, acting_user: User
) -> WorkingTeam:
    _require(can_manage_teams(acting_user, team))
    locked = WorkingTeam.objects.select_for_update().select_related("agenda__region").get(pk=team.pk)
    if locked.version != version:
        raise _conflict()
    _check_team(locked.agenda, data, team=locked)
    for name in TEAM_FIELDS:
        if name in data:
            setattr(locked, name, data[name])
    locked.version += 1
    locked.save()
    _link_projects(locked, projects)
    return locked


@transaction.atomic
def project_team_set(*, project: Project, team: WorkingTeam | None, acting_user: User) -> Project:
    """Give a project the team that carries it (or none)."""
    _require(can_manage_teams(acting_user, project))
    project = Project.objects.select_for_update().select_related("agenda__region").get(pk=project.pk)
    if team is not None and team.agenda_id != project.agenda_id:
        raise ValidationError({"team": _("Choose a team of this agenda.")})
    if team is not None and team.status == WorkingTeam.Status.DISSOLVED:
        raise ValidationError({"team": _("A dissolved team cannot carry a project.")})
    if project.team_id != (team.pk if team else None):
        project.team = team
        project.version += 1
        project.save(update_fields=["team", "version", "updated_at"])
    return project


# --- members -----------------------------------------------------------------------------------------


def _demote_leader(team: WorkingTeam, *, keep: TeamMembership | None = None) -> TeamMembership | None:
    """Make the current leader (if any, other than `keep`) an ordinary member; returns them."""
    leader = TeamMembership.objects.select_for_update().current().filter(team=team, role=PersonRole.LEADER)
    if keep is not None:
        leader = leader.exclude(pk=keep.pk)
    leader = leader.first()
    if leader is not None:
        leader.role = PersonRole.MEMBER
        leader.save(update_fields=["role", "updated_at"])
    return leader


@transaction.atomic
def membership_add(
    *, team: WorkingTeam, person: Person, role: str, joined_on: datetime.date | None = None, acting_user: User
) -> TeamMembership:
    """Add a person (for their organisation) to a team. Naming a new leader makes the previous leader a
    member: a team has at most one leader (the database enforces it too)."""
    _require(can_manage_teams(acting_user, team))
    WorkingTeam.objects.select_for_update().filter(pk=team.pk).first()  # serialise changes of one team
    if person.organisation.region_id != team.agenda.region_id:
        raise ValidationError({"person": _("Choose a person from an organisation of this region.")})
    if TeamMembership.objects.current().filter(team=team, person=person).exists():
        raise ValidationError(
            {"person": _("%(name)s is already a member of this team.") % {"name": person.full_name}}
        )
    if role == PersonRole.LEADER:
        _demote_leader(team)
    return TeamMembership.objects.create(
        team=team,
        person=person,
        organisation=person.organisation,
        role=role,
        joined_on=joined_on or timezone.localdate(),
        created_by=acting_user,
    )


@transaction.atomic
def membership_update(*, membership: TeamMembership, role: str, acting_user: User) -> TeamMembership:
    """Change a current member's role; making them leader makes the previous leader a member."""
    _require(can_manage_teams(acting_user, membership))
    membership = (
        TeamMembership.objects.select_for_update()
        .select_related("team__agenda__region")
        .get(pk=membership.pk)
    )
    if membership.left_on is not None:
        raise ValidationError(_("This person has left the team; add them again instead."))
    if role == PersonRole.LEADER:
        _demote_leader(membership.team, keep=membership)
    if membership.role != role:
        membership.role = role
        membership.save(update_fields=["role", "updated_at"])
    return membership


@transaction.atomic
def membership_end(
    *, membership: TeamMembership, left_on: datetime.date | None = None, acting_user: User
) -> TeamMembership:
    """The person leaves the team on `left_on` (today by default); the row stays as the team's history."""
    _require(can_manage_teams(acting_user, membership))
    membership = (
        TeamMembership.objects.select_for_update()
        .select_related("team__agenda__region")
        .get(pk=membership.pk)
    )
    if membership.left_on is not None:
        raise ValidationError(_("This person has already left the team."))
    left_on = left_on or timezone.localdate()
    if left_on < membership.joined_on:
        raise ValidationError(
            {
                "left_on": _("A member cannot leave before joining (%(date)s).")
                % {"date": membership.joined_on}
            }
        )
    membership.left_on = left_on
    membership.save(update_fields=["left_on", "updated_at"])
    return membership


# --- action plans ------------------------------------------------------------------------------------


def _check_step(
    project: Project, data: dict[str, Any], m2m: dict[str, Any], *, step: ActionStep | None = None
) -> None:
    region_id = project.agenda.region_id
    errors: dict[str, str] = {}
    org = data.get("responsible_org")
    person = data.get("responsible_person")
    if org is not None and org.region_id != region_id:
        errors["responsible_org"] = _("Choose an organisation of this region.")
    if person is not None:
        if person.organisation.region_id != region_id:
            errors["responsible_person"] = _("Choose a person from an organisation of this region.")
        elif org is not None and person.organisation_id != org.pk:
            errors["responsible_person"] = _(
                "The responsible person must work for the responsible organisation."
            )
    start, due = data.get("start_date"), data.get("due_date")
    if start and due and due < start:
        errors["due_date"] = _("The due date cannot be before the start date.")
    progress = data.get("progress_pct")
    if progress is not None and not 0 <= progress <= 100:
        errors["progress_pct"] = _("Progress is a percentage from 0 to 100.")
    goal = data.get("goal")
    if goal is not None and goal.agenda_id != project.agenda_id:
        errors["goal"] = _("Choose a goal of this agenda.")
    decision = data.get("decision")
    if decision is not None and decision.session.agenda_id != project.agenda_id:
        errors["decision"] = _("Choose a decision of a session of this agenda.")
    if "number" in data:
        clash = ActionStep.objects.filter(project=project, number=data["number"])
        if step is not None:
            clash = clash.exclude(pk=step.pk)
        if clash.exists():
            errors["number"] = _("This action plan already has a step with this number.")
    for co in m2m.get("co_executors") or ():
        if co.region_id != region_id:
            errors["co_executors"] = _("Choose organisations of this region.")
    depends = list(m2m.get("depends_on") or ())
    if any(d.project_id != project.pk for d in depends):
        errors["depends_on"] = _("A step can only depend on steps of the same action plan.")
    elif step is not None and _creates_cycle(step, depends):
        errors["depends_on"] = _("These dependencies would make a loop: a step cannot wait for itself.")
    if errors:
        raise ValidationError(errors)


def _creates_cycle(step: ActionStep, depends: list[ActionStep]) -> bool:
    """Whether `step` would (indirectly) depend on itself. One query for the plan's dependency edges."""
    edges: dict[int, set[int]] = {}
    through = ActionStep.depends_on.through
    for from_id, to_id in through.objects.filter(from_actionstep__project_id=step.project_id).values_list(
        "from_actionstep_id", "to_actionstep_id"
    ):
        edges.setdefault(from_id, set()).add(to_id)
    edges[step.pk] = {d.pk for d in depends}
    seen: set[int] = set()
    stack = list(edges[step.pk])
    while stack:
        current = stack.pop()
        if current == step.pk:
            return True
        if current not in seen:
            seen.add(current)
            stack.extend(edges.get(current, ()))
    return False


def _normalise_progress(step: ActionStep) -> None:
    """A done step is 100 % complete."""
    if step.status == ActionStep.Status.DONE:
        step.progress_pct = 100


@transaction.atomic
def step_create(
    *, project: Project, data: dict[str, Any], m2m: dict[str, Any] | None = None, acting_user: User
) -> ActionStep:
    """A new step of the project's action plan."""
    _require(can_manage_teams(acting_user, project))
    m2m = m2m or {}
    Project.objects.select_for_update().filter(pk=project.pk).first()  # serialise numbering within one plan
    _check_step(project, data, m2m)
    step = ActionStep(
        project=project, created_by=acting_user, **{k: data[k] for k in STEP_FIELDS if k in data}
    )
    _normalise_progress(step)
    step.save()
    for name in STEP_M2M:
        if name in m2m:
            getattr(step, name).set(m2m[name])
    return step


@transaction.atomic
def step_update(
    *,
    step: ActionStep,
    version: int,
    data: dict[str, Any],
    m2m: dict[str, Any] | None = None,
    acting_user: User,
) -> ActionStep:
    _require(can_manage_teams(acting_user, step))
    m2m = m2m or {}
    locked = ActionStep.objects.select_for_update().select_related("project__agenda__region").get(pk=step.pk)
    if locked.version != version:
        raise _conflict()
    _check_step(locked.project, data, m2m, step=locked)
    for name in STEP_FIELDS:
        if name in data:
            setattr(locked, name, data[name])
    _normalise_progress(locked)
    locked.version += 1
    locked.save()
    for name in STEP_M2M:
        if name in m2m:
            getattr(locked, name).set(m2m[name])
    return locked


@transaction.atomic
def step_progress_update(
    *, step: ActionStep, version: int, data: dict[str, Any], acting_user: User
) -> ActionStep:
    """The responsible organisation's representative (or a coordinator) reports on a step: status,
    progress and a link to the evidence. Nothing else of the step changes."""
    locked = ActionStep.objects.select_for_update().select_related("project__agenda__region").get(pk=step.pk)
    _require(can_update_step_progress(acting_user, locked))
    if locked.version != version:
        raise _conflict()
    progress = data.get("progress_pct", locked.progress_pct)
    if progress is None or not 0 <= progress <= 100:
        raise ValidationError({"progress_pct": _("Progress is a percentage from 0 to 100.")})
    for name in PROGRESS_FIELDS:
        if name in data:
            setattr(locked, name, data[name])
    _normalise_progress(locked)
    locked.version += 1
    locked.save(update_fields=[*PROGRESS_FIELDS, "version", "updated_at"])
    return locked


@transaction.atomic
def step_delete(*, step: ActionStep, acting_user: User) -> None:
    _require(can_manage_teams(acting_user, step))
    ActionStep.objects.filter(pk=step.pk).delete()
