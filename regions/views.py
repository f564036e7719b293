"""Read-only pages of a region and of its common agenda.

Every look-up goes through `Region.objects.visible_to(user)`, so another region's page is a 404, and
every list is fetched with its relations in a fixed number of queries, whatever its length.
"""

from collections import Counter

from django.contrib.auth.decorators import login_not_required
from django.db.models import Count, Prefetch, Q
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe
from django.views.generic import DetailView

from sessions.models import Session
from stakeholders.models import Helix, Organisation, OrganisationKind

from .models import Agenda, Region, RegionMembership
from .rules import can_manage_region, can_participate_in_region

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
