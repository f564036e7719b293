"""Pages of the project portfolio: the list with filters and budget totals, a project's page with the
chain it answers (goals, challenges, SWOT items) and its team, and the forms of projects, funding lines
and legal acts.

Every look-up goes through the region the user may see (another region's project is a 404); too few
rights is a 403. Views only read and hand form data to `projects.services`. The portfolio list is read in
a fixed number of queries whatever its length.
"""

from collections import defaultdict
from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Prefetch, Sum
from django.shortcuts import get_object_or_404, redirect
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.generic import DetailView, FormView, ListView

from agenda.criterion_goals import project_has_mechanism, project_has_resources
from agenda.models import Goal, GoalStatus, Priority, SwotItem
from agenda.svg import focus_on, load_trace, trace_svg
from core.forms import parse_key
from core.pagecache import cached_page
from regions.models import Agenda, Region
from regions.views import RegionScopedMixin

from . import services
from .filters import ProjectFilter
from .forms import FundingLineForm, NormativeActForm, ProjectForm, error_fields
from .models import Currency, FundingLine, FundingSourceKind, NormativeAct, Project

READ_ONLY = ["get", "head", "options"]
PAGE_SIZE = 25


class AgendaScopedMixin(RegionScopedMixin):
    """The agenda named by the URL's region and year, looked up through what the user may see."""

    section = "portfolio"

    def get_agenda(self) -> Agenda:
        if not hasattr(self, "_agenda"):
            region = self.get_region()
            self._agenda = get_object_or_404(Agenda, region=region, year=self.kwargs["year"])
            self._agenda.region = region
        return self._agenda

    def check_permission(self) -> None:
        """Raise PermissionDenied when the user may see the region but not do this."""

    def dispatch(self, request, *args, **kwargs):
        self.get_agenda()
        self.check_permission()
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["agenda"] = self.get_agenda()
        ctx["section"] = self.section
        return ctx


class ProjectScopedMixin(RegionScopedMixin):
    """The project named by the URL, in a region the user may see (else 404)."""

    section = "portfolio"

    def get_project(self) -> Project:
        if not hasattr(self, "_project"):
            region = self.get_region()
            project = get_object_or_404(
                Project.objects.select_related("agenda", "lead_org", "domain", "team"),
                agenda__region=region,
                pk=self.kwargs["pk"],
            )
            project.agenda.region = region
            self._project = project
        return self._project

    def check_permission(self) -> None:
        if not services.can_edit_project(self.request.user, self.get_project()):
            raise PermissionDenied

    def dispatch(self, request, *args, **kwargs):
        self.get_project()
        self.check_permission()
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        project = self.get_project()
        ctx["project"] = project
        ctx["agenda"] = project.agenda
        ctx["section"] = self.section
        return ctx

    def project_url(self) -> str:
        return self.get_project().get_absolute_url()


def _scoped_project(request, region: str, pk: int) -> Project:
    region_obj = get_object_or_404(Region.objects.visible_to(request.user), slug=region)
    project = get_object_or_404(
        Project.objects.select_related("agenda", "lead_org"), agenda__region=region_obj, pk=pk
    )
    project.agenda.region = region_obj
    return project


# --- the portfolio ---------------------------------------------------------------------------------------


def budget_totals(projects) -> dict:
    """Funding of the given projects by source and status, per currency, and their budgets per currency.

    Two grouped queries whatever the number of projects. Returns {"currencies": [{"currency", "rows":
    [{"source_kind", "label", "cells": [amount per status], "total"}], "column_totals", "total"}],
    "statuses": [(code, label)], "budgets": [(currency, amount)]}.
    """
    statuses = list(FundingLine.Status.choices)
    grouped: dict[str, dict[str, dict[str, Decimal]]] = defaultdict(
        lambda: defaultdict(lambda: defaultdict(Decimal))
    )
    for source_kind, status, currency, total in (
        FundingLine.objects.filter(project__in=projects)
        .order_by()
        .values_list("source_kind", "status", "currency")
        .annotate(total=Sum("amount"))
    ):
        grouped[currency][source_kind][status] += total
    labels = dict(FundingSourceKind.choices)
    currencies = []
    for currency in [c for c in Currency.values if c in grouped]:
        rows = []
        for source_kind in [k for k in FundingSourceKind.values if k in grouped[currency]]:
            cells = [grouped[currency][source_kind].get(code, Decimal(0)) for code, _label in statuses]
            rows.append(
                {
                    "source_kind": source_kind,
                    "label": labels[source_kind],
                    "cells": cells,
                    "total": sum(cells),
                }
            )
        column_totals = [sum(row["cells"][i] for row in rows) for i in range(len(statuses))]
        currencies.append(
            {"currency": currency, "rows": rows, "column_totals": column_totals, "total": sum(column_totals)}
        )
    budgets = list(
        Project.objects.filter(pk__in=projects.values("pk"), budget_total__isnull=False)
        .order_by()
        .values_list("currency")
        .annotate(total=Sum("budget_total"), n=Count("pk"))
        .order_by("currency")
    )
    return {"currencies": currencies, "statuses": statuses, "budgets": budgets}


@method_decorator(cached_page("region"), name="dispatch")
class ProjectListView(AgendaScopedMixin, ListView):
    """The portfolio: filters, one page of projects, and budget totals of everything the filters keep."""

    template_name = "projects/portfolio_list.html"
    paginate_by = PAGE_SIZE
    http_method_names = READ_ONLY

    def get_queryset(self):
        agenda = self.get_agenda()
        self.filterset = ProjectFilter(
            self.request.GET, queryset=Project.objects.filter(agenda=agenda), agenda=agenda
        )
        self.filtered = self.filterset.qs
        return (
            self.filtered.select_related("lead_org", "domain", "team")
            .prefetch_related(
                Prefetch(
                    "goals",
                    queryset=Goal.objects.exclude(status=GoalStatus.CANCELLED)
                    .select_related("challenge")
                    .order_by("code"),
                ),
                "mechanisms",
                "funding_lines",
                "normative_acts",
            )
            .order_by("priority", "code")
        )

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        agenda = self.get_agenda()
        projects = ctx["object_list"] = ctx["project_list"] = list(ctx["object_list"])
        for project in projects:
            project.agenda = agenda
            project.backed = project_has_mechanism(project) and project_has_resources(project)
        ctx["filter"] = self.filterset
        query = self.request.GET.copy()
        query.pop("page", None)
        ctx["query"] = query.urlencode()
        ctx["totals"] = budget_totals(self.filtered)
        ctx["can_manage_portfolio"] = services.can_manage_portfolio(self.request.user, agenda)
        ctx["high_priority"] = Priority.HIGH
        return ctx


class ProjectDetailView(ProjectScopedMixin, DetailView):
    """A project with the chain it answers: its goals, their challenges and the SWOT items behind them."""

    template_name = "projects/project_detail.html"
    context_object_name = "project"
    http_method_names = READ_ONLY

    def check_permission(self):
        """Every reader of the region may read the project."""

    def get_object(self, queryset=None):
        return self.get_project()

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        project, agenda, user = self.object, self.object.agenda, self.request.user
        goals = list(
            project.goals.exclude(status=GoalStatus.CANCELLED)
            .select_related("challenge", "owner_org", "indicator")
            .order_by("code")
        )
        challenge_ids = {g.challenge_id for g in goals if g.challenge_id}
        challenges = {g.challenge for g in goals if g.challenge_id}
        ctx["goals"] = goals
        ctx["challenges"] = sorted(challenges, key=lambda c: (c.rank, c.code))
        ctx["swot_items"] = (
            SwotItem.objects.filter(challenges__in=challenge_ids)
            .distinct()
            .select_related("proposed_by")
            .order_by("quadrant", "-votes_count", "pk")
        )
        ctx["partners"] = project.partners.order_by("name_uk")
        ctx["mechanisms"] = project.mechanisms.order_by("order", "code")
        ctx["funding_lines"] = project.funding_lines.order_by("year", "source_kind", "pk")
        ctx["acts"] = project.normative_acts.select_related("issuing_body").order_by("date", "title")
        ctx["has_mechanism"] = bool(ctx["mechanisms"]) or bool(ctx["acts"])
        ctx["has_resources"] = project_has_resources(project)
        ctx["can_edit"] = services.can_edit_project(user, project)
        ctx["can_manage_portfolio"] = services.can_manage_portfolio(user, agenda)
        ctx["history"] = project.history.select_related("history_user").order_by("-history_date")[:10]
        graph = focus_on(load_trace(agenda), f"project-{project.pk}")
        ctx["chain_svg"] = (
            trace_svg(graph, title=_("What this project answers"), id_prefix="chain") if graph else None
        )
        return ctx


class _ProjectFormMixin:
    template_name = "projects/project_form.html"
    form_class = ProjectForm
    section = "portfolio"

    def form_valid(self, form):
        try:
            project = self.save(form)
        except ValidationError as exc:
            error_fields(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("Project %(code)s is saved.") % {"code": project.code})
        return redirect("projects:project-detail", region=self.get_region().slug, pk=project.pk)


class ProjectCreateView(_ProjectFormMixin, AgendaScopedMixin, FormView):
    def check_permission(self):
        if not services.can_manage_portfolio(self.request.user, self.get_agenda()):
            raise PermissionDenied

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        agenda = self.get_agenda()
        kwargs.update(agenda=agenda, can_manage=True, instance=Project(agenda=agenda))
        return kwargs

    def get_initial(self):
        initial = super().get_initial()
        goal = self.request.GET.get("goal", "")
        if (key := parse_key(goal)) is not None:
            initial["goals"] = [key]
        return initial

    def save(self, form):
        return services.project_create(
            agenda=self.get_agenda(), data=form.cleaned_data, acting_user=self.request.user
        )


class ProjectUpdateView(_ProjectFormMixin, ProjectScopedMixin, FormView):
    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        project = self.get_project()
        kwargs.update(
            agenda=project.agenda,
            can_manage=services.can_manage_portfolio(self.request.user, project.agenda),
            instance=project,
        )
        return kwargs

    def save(self, form):
        return services.project_update(
            project=self.get_project(),
            data=form.cleaned_data,
            version=form.cleaned_data.get("version"),
            acting_user=self.request.user,
        )


@require_POST
def project_delete(request, region: str, pk: int):
    project = _scoped_project(request, region, pk)
    services.project_delete(project=project, acting_user=request.user)
    messages.success(request, _("Project %(code)s is deleted.") % {"code": project.code})
    return redirect("projects:project-list", region=project.agenda.region.slug, year=project.agenda.year)


# --- funding lines ---------------------------------------------------------------------------------------


class _ProjectChildFormView(ProjectScopedMixin, FormView):
    """A form about one project (a funding line, a legal act); back to the project's page when saved."""

    success_message = ""

    def form_valid(self, form):
        try:
            self.save(form)
        except ValidationError as exc:
            error_fields(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, self.success_message)
        return redirect(self.project_url())


class FundingCreateView(_ProjectChildFormView):
    template_name = "projects/funding_form.html"
    form_class = FundingLineForm

    def get_initial(self):
        return {"year": self.get_project().agenda.year}

    def save(self, form):
        self.success_message = _("The funding line is added.")
        return services.funding_line_add(
            project=self.get_project(), data=form.cleaned_data, acting_user=self.request.user
        )


class FundingUpdateView(_ProjectChildFormView):
    template_name = "projects/funding_form.html"
    form_class = FundingLineForm

    def get_line(self) -> FundingLine:
        if not hasattr(self, "_line"):
            self._line = get_object_or_404(FundingLine, project=self.get_project(), pk=self.kwargs["line"])
            self._line.project = self.get_project()
        return self._line

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = self.get_line()
        return kwargs

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["line"] = self.get_line()
        return ctx

    def save(self, form):
        self.success_message = _("The funding line is saved.")
        return services.funding_line_update(
            line=self.get_line(),
            data=form.cleaned_data,
            version=form.cleaned_data.get("version"),
            acting_user=self.request.user,
        )


@require_POST
def funding_delete(request, region: str, pk: int, line: int):
    project = _scoped_project(request, region, pk)
    funding = get_object_or_404(FundingLine, project=project, pk=line)
    funding.project = project
    services.funding_line_delete(line=funding, acting_user=request.user)
    messages.success(request, _("The funding line is deleted."))
    return redirect(project.get_absolute_url())


# --- legal acts ------------------------------------------------------------------------------------------


class ActCreateView(_ProjectChildFormView):
    template_name = "projects/project_act_form.html"
    form_class = NormativeActForm

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["agenda"] = self.get_project().agenda
        return kwargs

    def save(self, form):
        self.success_message = _("The legal act is added.")
        return services.normative_act_add(
            project=self.get_project(), data=form.cleaned_data, acting_user=self.request.user
        )


class ActUpdateView(ActCreateView):
    def get_act(self) -> NormativeAct:
        if not hasattr(self, "_act"):
            self._act = get_object_or_404(NormativeAct, projects=self.get_project(), pk=self.kwargs["act"])
        return self._act

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = self.get_act()
        return kwargs

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["act"] = self.get_act()
        return ctx

    def save(self, form):
        self.success_message = _("The legal act is saved.")
        return services.normative_act_update(
            act=self.get_act(),
            project=self.get_project(),
            data=form.cleaned_data,
            version=form.cleaned_data.get("version"),
            acting_user=self.request.user,
        )


@require_POST
def act_delete(request, region: str, pk: int, act: int):
    project = _scoped_project(request, region, pk)
    normative = get_object_or_404(NormativeAct, projects=project, pk=act)
    services.normative_act_remove(act=normative, project=project, acting_user=request.user)
    messages.success(request, _("The legal act is removed from the project."))
    return redirect(project.get_absolute_url())
