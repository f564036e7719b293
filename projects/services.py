"""Writes of the project portfolio (session 4): projects, their funding lines and legal acts — and who
may make them.

Who may do what (checked here again, whatever the view did):

- regional coordinators (and administrators) create, edit and delete every project of their region;
- the representative of a project's lead organisation edits that project, its funding lines and its
  legal acts, but cannot hand the lead to another organisation, create or delete projects;
- everybody else who may read the region only reads.

Any change to a project, a funding line or a legal act changes the canonical content of the portfolio
(`agenda.canonical`), so earlier endorsements become stale by themselves: nothing to do here.
"""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from agenda.models import GoalStatus
from regions.models import Agenda
from regions.rules import can_manage_region, represents

from .models import FundingLine, MechanismKind, NormativeAct, Project

# --- who may do what --------------------------------------------------------------------------------


def can_manage_portfolio(user, agenda: Agenda) -> bool:
    """Create and delete projects, hand the lead to another organisation."""
    return can_manage_region(user, agenda.region)


def can_edit_project(user, project: Project) -> bool:
    return can_manage_region(user, project.agenda.region) or represents(user, project.lead_org_id)


# --- helpers ----------------------------------------------------------------------------------------


def _check_version(obj, version: int | None, what: str) -> None:
    if version is not None and obj.version != version:
        raise ValidationError(
            _(
                "Somebody else saved this %(what)s while you were editing it. Your changes are kept in the form "
                "below; reload the page to see theirs and apply yours again."
            )
            % {"what": what},
            code="stale",
        )


def _apply(obj, data: dict[str, Any], fields) -> list[str]:
    changed = []
    for name in fields:
        if name in data and getattr(obj, name) != data[name]:
            setattr(obj, name, data[name])
            changed.append(name)
    return changed


def _check_org(org, agenda: Agenda, field: str) -> None:
    """The region's own organisations or national ones (no region); never another region's."""
    if org is not None and org.region_id not in (agenda.region_id, None):
        raise ValidationError({field: _("Choose an organisation of this region.")})


def _check_relations(agenda: Agenda, data: dict[str, Any]) -> None:
    _check_org(data.get("lead_org"), agenda, "lead_org")
    for org in data.get("partners") or []:
        _check_org(org, agenda, "partners")
    if any(goal.agenda_id != agenda.pk for goal in data.get("goals") or []):
        raise ValidationError({"goals": _("Link only goals of this agenda.")})
    if any(goal.status == GoalStatus.CANCELLED for goal in data.get("goals") or []):
        raise ValidationError({"goals": _("A cancelled goal cannot be served by a project.")})
    domain = data.get("domain")
    if domain is not None and domain.region_id != agenda.region_id:
        raise ValidationError({"domain": _("Choose a specialisation domain of this region.")})
    start, end = data.get("start_date"), data.get("end_date")
    if start and end and end < start:
        raise ValidationError({"end_date": _("The end cannot come before the start.")})


def _set_m2m(project: Project, data: dict[str, Any]) -> bool:
    changed = False
    for name in ("goals", "mechanisms", "partners"):
        if name in data:
            wanted = {obj.pk for obj in data[name] or []}
            manager = getattr(project, name)
            if wanted != set(manager.values_list("pk", flat=True)):
                manager.set(list(data[name] or []))
                changed = True
    return changed


# --- projects ---------------------------------------------------------------------------------------

PROJECT_FIELDS = (
    "code",
    "title_uk",
    "title_en",
    "summary_uk",
    "summary_en",
    "is_pilot",
    "priority",
    "domain",
    "status",
    "lead_org",
    "budget_total",
    "currency",
    "start_date",
    "end_date",
    "expected_results",
    "risks",
    "strategy_ref",
    "dfrr_eligible",
)


@transaction.atomic
def project_create(*, agenda: Agenda, data: dict[str, Any], acting_user: User) -> Project:
    if not can_manage_portfolio(acting_user, agenda):
        raise PermissionDenied
    _check_relations(agenda, data)
    project = Project(agenda=agenda, created_by=acting_user)
    _apply(project, data, PROJECT_FIELDS)
    project.full_clean(exclude=["team"])
    project.save()
    _set_m2m(project, data)
    return project


@transaction.atomic
def project_update(
    *, project: Project, data: dict[str, Any], version: int | None, acting_user: User
) -> Project:
    """Edit a project. The lead organisation's representative may edit it but not hand the lead on."""
    agenda = project.agenda
    # Permissions are judged on the row as stored (a bound form may have changed `project` in memory).
    locked = Project.objects.select_for_update().get(pk=project.pk)
    locked.agenda = agenda
    if not can_edit_project(acting_user, locked):
        raise PermissionDenied
    _check_version(locked, version, _("project"))
    if (
        "lead_org" in data
        and data["lead_org"] != locked.lead_org
        and not can_manage_portfolio(acting_user, agenda)
    ):
        raise ValidationError(
            {"lead_org": _("Only the coordinator can hand the project to another lead organisation.")}
        )
    _check_relations(agenda, data)
    changed = _apply(locked, data, PROJECT_FIELDS)
    links_changed = _set_m2m(locked, data)
    if changed or links_changed:
        locked.full_clean(exclude=["team"])
        locked.version += 1
        locked.save(update_fields=[*changed, "version", "updated_at"])
    return locked


@transaction.atomic
def project_delete(*, project: Project, acting_user: User) -> None:
    """Deletes the project with its funding lines (and its action plan); legal acts that served only
    this project go too."""
    if not can_manage_portfolio(acting_user, project.agenda):
        raise PermissionDenied
    orphan_acts = [act.pk for act in project.normative_acts.all() if act.projects.count() == 1]
    project.delete()
    NormativeAct.objects.filter(pk__in=orphan_acts, projects__isnull=True).delete()


# --- funding lines ------------------------------------------------------------------------------------

FUNDING_FIELDS = ("source_kind", "source_name", "amount", "currency", "year", "status")


@transaction.atomic
def funding_line_add(*, project: Project, data: dict[str, Any], acting_user: User) -> FundingLine:
    if not can_edit_project(acting_user, project):
        raise PermissionDenied
    line = FundingLine(project=project, created_by=acting_user)
    _apply(line, data, FUNDING_FIELDS)
    line.full_clean()
    line.save()
    return line


@transaction.atomic
def funding_line_update(
    *, line: FundingLine, data: dict[str, Any], version: int | None, acting_user: User
) -> FundingLine:
    if not can_edit_project(acting_user, line.project):
        raise PermissionDenied
    locked = FundingLine.objects.select_for_update().get(pk=line.pk)
    _check_version(locked, version, _("funding line"))
    changed = _apply(locked, data, FUNDING_FIELDS)
    if changed:
        locked.full_clean()
        locked.version += 1
        locked.save(update_fields=[*changed, "version", "updated_at"])
    return locked


@transaction.atomic
def funding_line_delete(*, line: FundingLine, acting_user: User) -> None:
    if not can_edit_project(acting_user, line.project):
        raise PermissionDenied
    line.delete()


# --- legal (normative) acts -----------------------------------------------------------------------------

ACT_FIELDS = ("act_type", "title", "issuing_body", "number", "date", "stage", "url")


def _normative_kind() -> MechanismKind | None:
    return MechanismKind.objects.filter(is_normative=True).order_by("order", "code").first()


def _check_act(project: Project, data: dict[str, Any]) -> None:
    _check_org(data.get("issuing_body"), project.agenda, "issuing_body")
    if data.get("stage") == NormativeAct.Stage.ADOPTED and not data.get("date"):
        raise ValidationError({"date": _("An adopted act needs the date of its adoption.")})


@transaction.atomic
def normative_act_add(*, project: Project, data: dict[str, Any], acting_user: User) -> NormativeAct:
    """A legal act the project relies on (draft or adopted). The project then counts the "legal act"
    mechanism among its mechanisms."""
    if not can_edit_project(acting_user, project):
        raise PermissionDenied
    _check_act(project, data)
    kind = _normative_kind()
    act = NormativeAct(mechanism=kind, created_by=acting_user)
    _apply(act, data, ACT_FIELDS)
    act.full_clean()
    act.save()
    act.projects.add(project)
    if kind is not None:
        project.mechanisms.add(kind)
    return act


@transaction.atomic
def normative_act_update(
    *, act: NormativeAct, project: Project, data: dict[str, Any], version: int | None, acting_user: User
) -> NormativeAct:
    """Edit an act from one of its projects' pages (the other projects it serves see the change too)."""
    if not can_edit_project(acting_user, project):
        raise PermissionDenied
    if not act.projects.filter(pk=project.pk).exists():
        raise PermissionDenied
    locked = NormativeAct.objects.select_for_update().get(pk=act.pk)
    _check_version(locked, version, _("legal act"))
    _check_act(project, data)
    changed = _apply(locked, data, ACT_FIELDS)
    if changed:
        locked.full_clean()
        locked.version += 1
        locked.save(update_fields=[*changed, "version", "updated_at"])
    return locked


@transaction.atomic
def normative_act_remove(*, act: NormativeAct, project: Project, acting_user: User) -> None:
    """Unlink the act from the project; an act no other project relies on is deleted."""
    if not can_edit_project(acting_user, project):
        raise PermissionDenied
    act.projects.remove(project)
    if not act.projects.exists():
        act.delete()
