from django.contrib.auth.decorators import login_not_required
from django.db.models import Count, Prefetch
from django.shortcuts import get_object_or_404, render
from django.views.generic import DetailView

from sessions.models import Session
from stakeholders.models import Organisation

from .models import Agenda, Region


@login_not_required
def home(request):
    """Anonymous visitors see what the platform is; members see the regions they may open."""
    regions = []
    if request.user.is_authenticated:
        regions = (
            Region.objects.visible_to(request.user)
            .annotate(org_count=Count("organisations", distinct=True))
            .prefetch_related(Prefetch("agendas", queryset=Agenda.objects.order_by("-year")))
            .order_by("name_uk")
        )
    return render(request, "home.html", {"regions": regions})


class RegionScopedMixin:
    """Looks the region up through what the user may see, so another region is a 404."""

    def get_region(self):
        if not hasattr(self, "_region"):
            self._region = get_object_or_404(Region.objects.visible_to(self.request.user), slug=self.kwargs["region"])
        return self._region

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["region"] = self.get_region()
        return ctx


class RegionDetailView(RegionScopedMixin, DetailView):
    template_name = "regions/region_detail.html"
    context_object_name = "region"

    def get_object(self, queryset=None):
        return self.get_region()

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        region = self.object
        ctx["agendas"] = region.agendas.order_by("-year")
        ctx["domains"] = region.domains.all()
        ctx["organisations"] = Organisation.objects.for_region(region).order_by("kind", "name_uk")
        return ctx


class AgendaDetailView(RegionScopedMixin, DetailView):
    template_name = "regions/agenda_detail.html"
    context_object_name = "agenda"

    def get_object(self, queryset=None):
        return get_object_or_404(Agenda.objects.select_related("region", "coordinator_org"), region=self.get_region(), year=self.kwargs["year"])

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        agenda = self.object
        ctx["role_entries"] = agenda.role_entries.select_related("organisation", "representative").order_by("organisation__name_uk")
        ctx["sessions"] = (
            Session.objects.filter(agenda=agenda).select_related("kind")
            | Session.objects.filter(programme__in=agenda.programmes.all()).select_related("kind")
        ).order_by("number")
        return ctx
