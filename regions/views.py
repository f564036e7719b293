"""Read-only pages of a region and of its common agenda.

Every look-up goes through `Region.objects.visible_to(user)`, so another region's page is a 404, and
every list is fetched with its relations in a fixed number of queries, whatever its length.
"""

from collections import Counter

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Prefetch, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe
from django.views.generic import DetailView, TemplateView

from core.pagecache import cached_page
from sessions.models import Session
from stakeholders.models import Helix, Organisation, OrganisationKind

from .dashboards import programme_dashboard, programme_regions, region_dashboard
from .models import Agenda, Programme, Region, RegionMembership
from .report import agenda_report_context, render_agenda_report_pdf
from .rules import can_manage_region, can_participate_in_region, is_programme_coordinator_of

# Organisations are listed in the order the kinds are declared (administration first, then councils,
# agencies, business, academia, civil society), not alphabetically by code.
KIND_ORDER = {kind: index for index, kind in enumerate(OrganisationKind.values)}


@login_not_required
@require_safe
def home(request):
    """Anonymous visitors see what the platform is; members see the regions they may open.

    Queries for a member: one for the regions (with the organisation count), one for their agendas and
    one for the member's own standing (coordinator/observer) in each.
    """
    regions = []
    if request.user.is_authenticated:
        # Scoping goes through a pk subquery: annotating `visible_to()` directly would reuse its join on
        # organisations__people and count only the representative's own organisation.
        regions = (
            Region.objects.filter(pk__in=Region.objects.visible_to(request.user).values("pk"))
            .annotate(org_count=Count("organisations"))
            .prefetch_related(
                Prefetch("agendas", queryset=Agenda.objects.order_by("-year")),
                Prefetch(
                    "memberships",
                    queryset=RegionMembership.objects.filter(user=request.user),
                    to_attr="my_memberships",
                ),
            )
            .order_by("name_uk")
        )
    return render(request, "home.html", {"regions": regions})


class RegionScopedMixin:
    """Looks the region up through what the user may see, so another region is a 404."""

    def get_region(self):
        if not hasattr(self, "_region"):
            self._region = get_object_or_404(
                Region.objects.visible_to(self.request.user), slug=self.kwargs["region"]
            )
        return self._region

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        region = self.get_region()
        ctx["region"] = region
        ctx["can_manage"] = can_manage_region(self.request.user, region)
        ctx["can_participate"] = can_participate_in_region(self.request.user, region)
        return ctx


def helix_summary(organisations) -> list[tuple[str, str, int]]:
    """(code, label, count) for each side of the quadruple helix, in a fixed order, from an already
    fetched list — no query of its own."""
    counts = Counter(org.helix for org in organisations)
    return [(code, label, counts.get(code, 0)) for code, label in Helix.choices]


class RegionDetailView(RegionScopedMixin, DetailView):
    template_name = "regions/region_detail.html"
    context_object_name = "region"

    def get_object(self, queryset=None):
        return self.get_region()

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        region = self.object
        organisations = sorted(
            Organisation.objects.for_region(region),
            key=lambda org: (KIND_ORDER.get(org.kind, len(KIND_ORDER)), org.name),
        )
        ctx["agendas"] = region.agendas.annotate(
            role_count=Count("role_entries", distinct=True),
            confirmed_count=Count(
                "role_entries", filter=Q(role_entries__confirmed_at__isnull=False), distinct=True
            ),
            # Its own sessions plus the joint (cross-regional) session 1 of its programmes.
            session_count=Count("sessions", distinct=True) + Count("programmes__sessions", distinct=True),
        ).order_by("-year")
        ctx["domains"] = region.domains.all()
        ctx["programmes"] = region.programmes.all()
        ctx["organisations"] = organisations
        ctx["helix"] = helix_summary(organisations)
        return ctx


class AgendaDetailView(RegionScopedMixin, DetailView):
    template_name = "regions/agenda_detail.html"
    context_object_name = "agenda"

    def get_object(self, queryset=None):
        return get_object_or_404(
            Agenda.objects.select_related("region", "coordinator_org"),
            region=self.get_region(),
            year=self.kwargs["year"],
        )

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        agenda = self.object
        role_entries = list(
            agenda.role_entries.select_related("organisation", "representative", "leader_direction").order_by(
                "-is_leader", "organisation__name_uk"
            )
        )
        ctx["role_entries"] = role_entries
        ctx["confirmed_count"] = sum(1 for entry in role_entries if entry.is_confirmed)
        ctx["leader_count"] = sum(1 for entry in role_entries if entry.is_leader)
        # Session 1 is held jointly for a whole programme, so it belongs to the programme, not the agenda.
        ctx["sessions"] = (
            Session.objects.filter(Q(agenda=agenda) | Q(programme__in=agenda.programmes.all()))
            .select_related("kind", "programme")
            .order_by("number", "starts_at")
        )
        ctx["programmes"] = agenda.programmes.all()
        return ctx


# --- dashboards and the agenda report (criterion engine read-outs) ---------------------------------


@method_decorator(cached_page("region"), name="dispatch")
class RegionDashboardView(RegionScopedMixin, TemplateView):
    """The region at a glance: the three criteria with their gaps, the five sessions, key counts,
    what is coming, overdue steps and recent changes. `?year=` picks another agenda."""

    template_name = "dashboards/region_dashboard.html"
    http_method_names = ["get", "head", "options"]

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        region = self.get_region()
        agendas = list(region.agendas.order_by("-year"))
        year = self.request.GET.get("year", "")
        agenda = next((a for a in agendas if str(a.year) == year), agendas[0] if agendas else None)
        ctx.update(region_dashboard(region, agenda))
        ctx.update(agendas=agendas, section="dashboard", programmes=region.programmes.all())
        return ctx


@require_safe
@cached_page("programme")
def programme_dashboard_view(request, programme: str):
    """Every region of a programme side by side. Programme coordinators (of this programme) and
    administrators see every region; a region's members see the programme with their own regions'
    rows only; anyone else gets a 404."""
    programme = get_object_or_404(Programme, code=programme)
    full = is_programme_coordinator_of(request.user, programme)
    regions = list(programme_regions(programme, request.user, full=full))
    if not full and not regions:
        raise Http404
    context = {"programme": programme, "full": full, **programme_dashboard(programme, regions)}
    return render(request, "dashboards/programme_dashboard.html", context)


class AgendaReportView(RegionScopedMixin, TemplateView):
    """The whole agenda on one printable page (and a link to its PDF)."""

    template_name = "report/agenda_report.html"
    http_method_names = ["get", "head", "options"]

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        agenda = get_object_or_404(
            Agenda.objects.select_related("region", "coordinator_org"),
            region=self.get_region(),
            year=self.kwargs["year"],
        )
        ctx.update(agenda_report_context(agenda))
        ctx["section"] = "dashboard"
        return ctx


@require_safe
def agenda_report_pdf(request, region: str, year: int):
    """The agenda report as a PDF, in the reader's language."""
    region = get_object_or_404(Region.objects.visible_to(request.user), slug=region)
    agenda = get_object_or_404(
        Agenda.objects.select_related("region", "coordinator_org"), region=region, year=year
    )
    language = (translation.get_language() or "uk")[:2]
    pdf = render_agenda_report_pdf(agenda, language=language)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="agenda-{region.slug}-{agenda.year}.pdf"'
    return response


# --- opening and editing an agenda (the five-session cycle) -------------------------------------------


def _form_errors(form, exc: ValidationError) -> None:
    """A service's ValidationError onto the form, on its field when the form has one."""
    errors = exc.error_dict if hasattr(exc, "error_dict") else {None: exc.error_list}
    for name, messages_ in errors.items():
        form.add_error(name if name in form.fields else None, messages_)


def _managed_region(request, slug: str) -> Region:
    region = get_object_or_404(Region.objects.visible_to(request.user), slug=slug)
    if not can_manage_region(request.user, region):
        raise PermissionDenied
    return region


@require_http_methods(["GET", "POST"])
def agenda_create(request, region: str):
    """Open the region's agenda for a year: the agenda, sessions 2–5 proposed across the target window,
    and the programme's joint session 1 if it has none yet."""
    from .forms import AgendaOpenForm
    from .services import agenda_open

    region = _managed_region(request, region)
    form = AgendaOpenForm(request.POST or None, initial=AgendaOpenForm.initial_for(region))
    if request.method == "POST" and form.is_valid():
        try:
            agenda = agenda_open(region=region, acting_user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(
                request,
                _("The agenda for %(year)d is open with its five sessions; adjust their dates as needed.")
                % {"year": agenda.year},
            )
            return redirect("sessions:session-timeline", region=region.slug)
    ctx = {
        "region": region,
        "form": form,
        "can_manage": True,
        "can_participate": True,
        "section": "overview",
        "agenda": None,
    }
    return render(request, "regions/agenda_form.html", ctx)


@require_http_methods(["GET", "POST"])
def agenda_edit(request, region: str, year: int):
    from .forms import AgendaEditForm
    from .services import agenda_update

    region = _managed_region(request, region)
    agenda = get_object_or_404(Agenda, region=region, year=year)
    form = AgendaEditForm(request.POST or None, initial=AgendaEditForm.initial_for(agenda), region=region)
    if request.method == "POST" and form.is_valid():
        try:
            agenda_update(
                agenda=agenda, acting_user=request.user, version=form.cleaned_data["version"], **form.values()
            )
        except ValidationError as exc:
            data = request.POST.copy()
            data["version"] = Agenda.objects.get(pk=agenda.pk).version
            form = AgendaEditForm(data, region=region)
            form.is_valid()
            _form_errors(form, exc)
        else:
            messages.success(request, _("The agenda is saved."))
            return redirect(agenda.get_absolute_url())
    ctx = {
        "region": region,
        "form": form,
        "can_manage": True,
        "can_participate": True,
        "section": "overview",
        "agenda": agenda,
    }
    return render(request, "regions/agenda_form.html", ctx)
