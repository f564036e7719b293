"""Pages of working teams and of the pilots' action plans (criterion 3).

Every look-up goes through the region the user may see (`RegionScopedMixin`), so another region's team
or step is a 404; too few rights is a 403. Reading needs only access to the region; managing teams and
plans is for the region's coordinators; a step's status and progress may also be reported by the
representative of its responsible organisation. Lists are fetched in a fixed number of queries.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Avg, Count, Prefetch, Q
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django.views.generic import CreateView, DetailView, ListView, UpdateView

from agenda import criteria
from core.forms import parse_key
from regions.models import Agenda, Region
from regions.views import RegionScopedMixin

from . import svg
from .criteria import counted_members, team_leader
from .models import ActionStep, Project, TeamMembership, WorkingTeam
from .team_filters import PlanFilter, StepFilter, TeamFilter
from .team_forms import (
    ActionStepForm,
    MembershipEndForm,
    MembershipForm,
    MembershipRoleForm,
    ProjectTeamForm,
    StepProgressForm,
    WorkingTeamForm,
)
from .team_services import (
    can_manage_teams,
    can_update_step_progress,
    membership_add,
    membership_end,
    membership_update,
    project_team_set,
    step_create,
    step_delete,
    step_progress_update,
    step_update,
    team_create,
    team_update,
)

READ_ONLY = ["get", "head", "options"]


def member_queryset():
    return TeamMembership.objects.current().select_related("person", "organisation")


def team_checks(team: WorkingTeam) -> dict:
    """What criterion 3 asks of one team, from its prefetched `current_members`."""
    members = counted_members(team)
    leader = team_leader(team)
    organisations = {m.organisation_id for m in members}
    return {
        "leader": leader,
        "member_count": len(members),
        "organisation_count": len(organisations),
        "ok": leader is not None and len(members) >= 3 and len(organisations) >= 2,
    }


def _visible_region(request, slug: str) -> Region:
    return get_object_or_404(Region.objects.visible_to(request.user), slug=slug)


def _form_errors(form, exc: ValidationError) -> None:
    """Put a service's ValidationError on the form (field errors on their fields)."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


# --- scoping mixins ----------------------------------------------------------------------------------


class TeamsSectionMixin(RegionScopedMixin):
    section = "teams"
    manage_only = False

    def permission_object(self):
        return self.get_region()

    def dispatch(self, request, *args, **kwargs):
        if self.manage_only and not can_manage_teams(request.user, self.permission_object()):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["section"] = self.section
        return ctx


class AgendaMixin(TeamsSectionMixin):
    def get_agenda(self) -> Agenda:
        if not hasattr(self, "_agenda"):
            self._agenda = get_object_or_404(
                Agenda.objects.select_related("region"), region=self.get_region(), year=self.kwargs["year"]
            )
        return self._agenda

    def permission_object(self):
        return self.get_agenda()

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["agenda"] = self.get_agenda()
        return ctx


class TeamMixin(TeamsSectionMixin):
    def get_team(self) -> WorkingTeam:
        if not hasattr(self, "_team"):
            self._team = get_object_or_404(
                WorkingTeam.objects.select_related("agenda__region", "domain"),
                agenda__region=self.get_region(),
                pk=self.kwargs["pk"],
            )
        return self._team

    def permission_object(self):
        return self.get_team()


class ProjectMixin(TeamsSectionMixin):
    def get_project(self) -> Project:
        if not hasattr(self, "_project"):
            self._project = get_object_or_404(
                Project.objects.select_related("agenda__region", "team", "lead_org", "domain"),
                agenda__region=self.get_region(),
                pk=self.kwargs["pk"],
            )
        return self._project

    def permission_object(self):
        return self.get_project()

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["project"] = self.get_project()
        ctx["agenda"] = self.get_project().agenda
        return ctx


class StepMixin(TeamsSectionMixin):
    def get_step(self) -> ActionStep:
        if not hasattr(self, "_step"):
            self._step = get_object_or_404(
                ActionStep.objects.select_related("project__agenda__region"),
                project__agenda__region=self.get_region(),
                pk=self.kwargs["pk"],
            )
        return self._step

    def permission_object(self):
        return self.get_step()

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["step"] = self.get_step()
        ctx["project"] = self.get_step().project
        ctx["agenda"] = self.get_step().project.agenda
        return ctx


# --- teams -------------------------------------------------------------------------------------------


@require_safe
def team_index(request, region: str):
    """The region's "Teams" link: the team list of its newest agenda."""
    region = _visible_region(request, region)
    agenda = region.agendas.order_by("-year").first()
    if agenda is None:
        messages.info(request, _("This region has no agenda yet, so it has no working teams."))
        return redirect(region.get_absolute_url())
    return redirect("teams:team-list", region=region.slug, year=agenda.year)


class TeamListView(AgendaMixin, ListView):
    """The agenda's working teams with what criterion 3 asks of each, and the criterion itself.
    Queries: region, agenda, rules, filter choices, count, page of teams, their members, their projects,
    and the five of criterion 3 — whatever the number of teams."""

    template_name = "teams/team_list.html"
    context_object_name = "teams"
    paginate_by = 20
    http_method_names = READ_ONLY

    def get_queryset(self):
        agenda = self.get_agenda()
        queryset = (
            WorkingTeam.objects.filter(agenda=agenda)
            .select_related("domain")
            .prefetch_related(
                Prefetch("memberships", queryset=member_queryset(), to_attr="current_members"),
                Prefetch("projects", queryset=Project.objects.order_by("-is_pilot", "code")),
            )
            .order_by("name_uk")
        )
        self.filterset = TeamFilter(self.request.GET or None, queryset=queryset, region=agenda.region)
        return self.filterset.qs if self.filterset.is_bound and self.filterset.is_valid() else queryset

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        agenda = self.get_agenda()
        ctx["filter"] = self.filterset
        ctx["rows"] = [{"team": team, **team_checks(team)} for team in ctx["teams"]]
        ctx["criterion"] = criteria.criterion(agenda, 3)
        ctx["can_manage_teams"] = can_manage_teams(self.request.user, agenda)
        domain = (
            self.filterset.form.cleaned_data.get("domain")
            if self.filterset.is_bound and self.filterset.is_valid()
            else None
        )
        ctx["filter_domain"] = domain
        return ctx


class TeamCreateView(AgendaMixin, CreateView):
    template_name = "teams/team_form.html"
    form_class = WorkingTeamForm
    manage_only = True

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["agenda"] = self.get_agenda()
        return kwargs

    def get_initial(self):
        initial = super().get_initial()
        domain = self.request.GET.get("domain", "")
        if (key := parse_key(domain)) is not None:
            initial["domain"] = key
        return initial

    def form_valid(self, form):
        data = dict(form.cleaned_data)
        projects = data.pop("projects", None)
        try:
            team = team_create(
                agenda=self.get_agenda(), data=data, projects=projects, acting_user=self.request.user
            )
        except ValidationError as exc:
            _form_errors(form, exc)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("The working team «%(team)s» is created. Now add its members.") % {"team": team.name},
        )
        return redirect(
            reverse("teams:team-detail", kwargs={"region": self.get_region().slug, "pk": team.pk})
            + "#members"
        )


class TeamDetailView(TeamMixin, DetailView):
    template_name = "teams/team_detail.html"
    context_object_name = "team"
    http_method_names = READ_ONLY

    def get_object(self, queryset=None):
        return self.get_team()

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        team = self.object
        memberships = list(
            team.memberships.select_related("person", "organisation").order_by(
                "left_on", "role", "person__full_name"
            )
        )
        team.current_members = [m for m in memberships if m.left_on is None]
        ctx["current_members"] = sorted(
            team.current_members,
            key=lambda m: (m.role != "leader", m.role != "co_leader", m.person.full_name),
        )
        ctx["past_members"] = [m for m in memberships if m.left_on is not None]
        ctx["checks"] = team_checks(team)
        ctx["organisations"] = sorted({m.organisation.name for m in counted_members(team)})
        ctx["projects"] = team.projects.annotate(
            step_count=Count("steps", distinct=True),
            done_count=Count("steps", filter=Q(steps__status=ActionStep.Status.DONE), distinct=True),
        ).order_by("-is_pilot", "code")
        ctx["agenda"] = team.agenda
        manage = can_manage_teams(self.request.user, team)
        ctx["can_manage_teams"] = manage
        if manage:
            ctx["member_form"] = MembershipForm(team=team)
        return ctx


class TeamUpdateView(TeamMixin, UpdateView):
    template_name = "teams/team_form.html"
    form_class = WorkingTeamForm
    context_object_name = "team"
    manage_only = True

    def get_object(self, queryset=None):
        return self.get_team()

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["agenda"] = self.get_team().agenda
        return kwargs

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["agenda"] = self.get_team().agenda
        return ctx

    def form_valid(self, form):
        data = dict(form.cleaned_data)
        projects = data.pop("projects", None)
        version = data.pop("version")
        try:
            team = team_update(
                team=self.get_team(),
                version=version,
                data=data,
                projects=projects,
                acting_user=self.request.user,
            )
        except ValidationError as exc:
            _form_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("The working team «%(team)s» is saved.") % {"team": team.name})
        return redirect(
            reverse("teams:team-detail", kwargs={"region": self.get_region().slug, "pk": team.pk})
        )


def _scoped(mixin: type, request, **kwargs):
    """A scoping mixin of the class-based views, reused by the function views below."""
    view = mixin()
    view.request, view.kwargs = request, kwargs
    return view


def _managed_team(request, region: str, pk: int) -> WorkingTeam:
    team = _scoped(TeamMixin, request, region=region, pk=pk).get_team()
    if not can_manage_teams(request.user, team):
        raise PermissionDenied
    return team


def _team_url(team: WorkingTeam, anchor: str = "#members") -> str:
    return reverse("teams:team-detail", kwargs={"region": team.agenda.region.slug, "pk": team.pk}) + anchor


def _membership_context(request, team, **extra) -> dict:
    region = team.agenda.region
    return {
        "region": region,
        "team": team,
        "agenda": team.agenda,
        "section": "teams",
        "can_manage": True,
        **extra,
    }


@require_http_methods(["GET", "POST"])
def membership_create(request, region: str, pk: int):
    """Add a member. The team page shows the same form; this page shows it again with any errors."""
    team = _managed_team(request, region, pk)
    form = MembershipForm(request.POST or None, team=team)
    if request.method == "POST" and form.is_valid():
        try:
            membership_add(
                team=team,
                person=form.cleaned_data["person"],
                role=form.cleaned_data["role"],
                joined_on=form.cleaned_data["joined_on"],
                acting_user=request.user,
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(
                request, _("%(name)s joined the team.") % {"name": form.cleaned_data["person"].full_name}
            )
            return redirect(_team_url(team))
    return render(request, "teams/membership_form.html", _membership_context(request, team, form=form))


def _team_membership(request, region: str, pk: int, membership_pk: int) -> tuple[WorkingTeam, TeamMembership]:
    team = _managed_team(request, region, pk)
    membership = get_object_or_404(
        TeamMembership.objects.select_related("person", "organisation"), team=team, pk=membership_pk
    )
    membership.team = team
    return team, membership


@require_http_methods(["GET", "POST"])
def membership_update_view(request, region: str, pk: int, membership_pk: int):
    team, membership = _team_membership(request, region, pk, membership_pk)
    form = MembershipRoleForm(request.POST or None, initial={"role": membership.role})
    if request.method == "POST" and form.is_valid():
        try:
            membership_update(membership=membership, role=form.cleaned_data["role"], acting_user=request.user)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(
                request, _("The role of %(name)s is saved.") % {"name": membership.person.full_name}
            )
            return redirect(_team_url(team))
    return render(
        request,
        "teams/membership_role_form.html",
        _membership_context(request, team, form=form, membership=membership),
    )


@require_POST
def membership_end_view(request, region: str, pk: int, membership_pk: int):
    team, membership = _team_membership(request, region, pk, membership_pk)
    form = MembershipEndForm(request.POST)
    if form.is_valid():
        try:
            membership_end(
                membership=membership, left_on=form.cleaned_data["left_on"], acting_user=request.user
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request, _("%(name)s has left the team.") % {"name": membership.person.full_name}
            )
    else:
        messages.error(request, _("Enter a valid date."))
    return redirect(_team_url(team))


# --- action plans ------------------------------------------------------------------------------------


class PlanListView(AgendaMixin, ListView):
    """Every project of the agenda with its team and how far its action plan has got."""

    template_name = "teams/plan_list.html"
    context_object_name = "projects"
    paginate_by = 20
    http_method_names = READ_ONLY
    section = "plans"

    def get_queryset(self):
        agenda = self.get_agenda()
        today = timezone.localdate()
        open_steps = ~Q(steps__status__in=[ActionStep.Status.DONE, ActionStep.Status.CANCELLED])
        queryset = (
            Project.objects.filter(agenda=agenda)
            .select_related("team", "lead_org")
            .annotate(
                step_count=Count("steps", distinct=True),
                done_count=Count("steps", filter=Q(steps__status=ActionStep.Status.DONE), distinct=True),
                overdue_count=Count("steps", filter=open_steps & Q(steps__due_date__lt=today), distinct=True),
                progress=Avg("steps__progress_pct"),
            )
            .order_by("-is_pilot", "priority", "code")
        )
        self.filterset = PlanFilter(self.request.GET or None, queryset=queryset, agenda=agenda)
        return self.filterset.qs if self.filterset.is_bound and self.filterset.is_valid() else queryset

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["filter"] = self.filterset
        ctx["can_manage_teams"] = can_manage_teams(self.request.user, self.get_agenda())
        return ctx


class PlanDetailView(ProjectMixin, DetailView):
    """A project's action plan: its steps with owner, dates, status and progress; overdue computed."""

    template_name = "teams/plan_detail.html"
    context_object_name = "project"
    http_method_names = READ_ONLY
    section = "plans"
    paginate_by = 50

    def get_object(self, queryset=None):
        return self.get_project()

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        project = self.object
        region = self.get_region()
        base = (
            ActionStep.objects.filter(project=project)
            .select_related("responsible_org", "responsible_person", "goal")
            .prefetch_related(
                Prefetch("depends_on", queryset=ActionStep.objects.only("id", "number", "project_id")),
                "co_executors",
            )
        )
        step_filter = StepFilter(self.request.GET or None, queryset=base, region=region)
        steps = step_filter.qs if step_filter.is_bound and step_filter.is_valid() else base
        steps = sorted(steps, key=lambda s: ActionStep.number_key(s.number))
        user = self.request.user
        for step in steps:
            step.project = project  # already loaded with its agenda and region: no query per step
            step.can_update = can_update_step_progress(user, step)
        page = Paginator(steps, self.paginate_by).get_page(self.request.GET.get("page"))
        today = timezone.localdate()
        owned = Q(responsible_org__isnull=False) | Q(responsible_person__isnull=False)
        totals = ActionStep.objects.filter(project=project).aggregate(
            total=Count("pk"),
            overdue=Count(
                "pk",
                filter=Q(due_date__lt=today)
                & ~Q(status__in=[ActionStep.Status.DONE, ActionStep.Status.CANCELLED]),
            ),
            planned=Count("pk", filter=owned & Q(due_date__isnull=False)),
        )
        ctx.update(
            filter=step_filter,
            steps=page.object_list,
            page_obj=page,
            is_paginated=page.has_other_pages(),
            step_total=totals["total"],
            overdue_total=totals["overdue"],
            planned_total=totals["planned"],
            can_manage_teams=can_manage_teams(user, project),
        )
        if ctx["can_manage_teams"]:
            ctx["team_form"] = ProjectTeamForm(project=project)
        return ctx


@require_POST
def project_team_view(request, region: str, pk: int):
    """Choose the working team that carries a project (from the plan page)."""
    project = _scoped(ProjectMixin, request, region=region, pk=pk).get_project()
    if not can_manage_teams(request.user, project):
        raise PermissionDenied
    form = ProjectTeamForm(request.POST, project=project)
    if form.is_valid():
        try:
            project_team_set(project=project, team=form.cleaned_data["team"], acting_user=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            team = form.cleaned_data["team"]
            if team:
                messages.success(
                    request,
                    _("«%(team)s» now carries %(project)s.") % {"team": team.name, "project": project.code},
                )
            else:
                messages.success(
                    request, _("%(project)s has no working team now.") % {"project": project.code}
                )
    else:
        messages.error(request, _("Choose one of the agenda's working teams."))
    return redirect("teams:plan-detail", region=project.agenda.region.slug, pk=project.pk)


class GanttView(ProjectMixin, DetailView):
    template_name = "teams/plan_gantt.html"
    context_object_name = "project"
    http_method_names = READ_ONLY
    section = "plans"

    def get_object(self, queryset=None):
        return self.get_project()

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        project = self.object
        steps = sorted(
            ActionStep.objects.filter(project=project)
            .select_related("responsible_org", "responsible_person")
            .prefetch_related(Prefetch("depends_on", queryset=ActionStep.objects.only("id", "project_id"))),
            key=lambda s: ActionStep.number_key(s.number),
        )
        today = timezone.localdate()
        rows = [
            svg.GanttRow(
                key=s.pk,
                number=s.number,
                title=s.title,
                start=s.start_date,
                end=s.due_date,
                status=s.status,
                status_label=s.get_status_display(),
                progress=s.progress_pct,
                overdue=s.is_overdue,
                responsible=str(
                    s.responsible_person.full_name if s.responsible_person else s.responsible_org or ""
                ),
                depends_on=tuple(d.pk for d in s.depends_on.all()),
            )
            for s in steps
        ]
        ctx["chart"] = svg.gantt_svg(
            rows,
            today=today,
            title=_("Action plan of %(project)s") % {"project": f"{project.code} {project.title}"},
        )
        ctx["steps"] = steps
        ctx["undated"] = [s for s in steps if not (s.start_date or s.due_date)]
        return ctx


class StepCreateView(ProjectMixin, CreateView):
    template_name = "teams/step_form.html"
    form_class = ActionStepForm
    manage_only = True

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["project"] = self.get_project()
        return kwargs

    def get_initial(self):
        project = self.get_project()
        numbers = list(project.steps.values_list("number", flat=True))
        initial = super().get_initial()
        initial["number"] = _next_number(numbers)
        return initial

    def form_valid(self, form):
        data, m2m = _split_step_data(form.cleaned_data)
        try:
            step = step_create(project=self.get_project(), data=data, m2m=m2m, acting_user=self.request.user)
        except ValidationError as exc:
            _form_errors(form, exc)
            return self.form_invalid(form)
        messages.success(
            self.request, _("Step %(number)s is added to the action plan.") % {"number": step.number}
        )
        return redirect("teams:plan-detail", region=self.get_region().slug, pk=step.project_id)


def _next_number(numbers: list[str]) -> str:
    """After «1.3» comes «1.4»; for an empty plan «1.1»."""
    if not numbers:
        return "1.1"
    last = max(numbers, key=ActionStep.number_key)
    head, _sep, tail = last.rpartition(".")
    if tail.isdecimal():
        candidate = f"{head}.{int(tail) + 1}" if head else str(int(tail) + 1)
        if candidate not in numbers:
            return candidate
    return ""


def _split_step_data(cleaned: dict) -> tuple[dict, dict]:
    data = dict(cleaned)
    data.pop("version", None)
    m2m = {name: data.pop(name) for name in ("co_executors", "depends_on") if name in data}
    return data, m2m


class StepUpdateView(StepMixin, UpdateView):
    template_name = "teams/step_form.html"
    form_class = ActionStepForm
    context_object_name = "step"
    manage_only = True

    def get_object(self, queryset=None):
        return self.get_step()

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["project"] = self.get_step().project
        return kwargs

    def form_valid(self, form):
        version = form.cleaned_data["version"]
        data, m2m = _split_step_data(form.cleaned_data)
        try:
            step = step_update(
                step=self.get_step(), version=version, data=data, m2m=m2m, acting_user=self.request.user
            )
        except ValidationError as exc:
            _form_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("Step %(number)s is saved.") % {"number": step.number})
        return redirect("teams:plan-detail", region=self.get_region().slug, pk=step.project_id)


class StepProgressView(StepMixin, UpdateView):
    """The responsible representative (or a coordinator) reports status, progress and evidence."""

    template_name = "teams/step_progress_form.html"
    form_class = StepProgressForm
    context_object_name = "step"

    def dispatch(self, request, *args, **kwargs):
        if not can_update_step_progress(request.user, self.get_step()):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_object(self, queryset=None):
        return self.get_step()

    def form_valid(self, form):
        data = dict(form.cleaned_data)
        version = data.pop("version")
        try:
            step = step_progress_update(
                step=self.get_step(), version=version, data=data, acting_user=self.request.user
            )
        except ValidationError as exc:
            _form_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("Progress of step %(number)s is saved.") % {"number": step.number})
        return redirect("teams:plan-detail", region=self.get_region().slug, pk=step.project_id)


@require_POST
def step_delete_view(request, region: str, pk: int):
    step = _scoped(StepMixin, request, region=region, pk=pk).get_step()
    if not can_manage_teams(request.user, step):
        raise PermissionDenied
    step_delete(step=step, acting_user=request.user)
    messages.success(request, _("Step %(number)s is removed from the action plan.") % {"number": step.number})
    return HttpResponseRedirect(
        reverse("teams:plan-detail", kwargs={"region": region, "pk": step.project_id})
    )
