import datetime

from django.contrib import admin
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from simple_history.admin import SimpleHistoryAdmin

from core.admin import AuditedAdmin, RegionScopedAdmin, TabularInline, record_fieldset, selected_rows

from .models import ActionStep, FundingLine, MechanismKind, NormativeAct, Project, TeamMembership, WorkingTeam

# --- bulk operations (to move into projects/services.py) ----------------------------------------


@transaction.atomic
def projects_set_pilot(*, queryset: QuerySet, is_pilot: bool) -> int:
    """Flag (or unflag) projects as pilots. Saved row by row so django-simple-history keeps an
    entry for each; returns the number changed."""
    count = 0
    for project in selected_rows(queryset, lock=True).exclude(is_pilot=is_pilot):
        project.is_pilot = is_pilot
        project.save(update_fields=["is_pilot", "updated_at"])
        count += 1
    return count


@transaction.atomic
def teams_set_status(*, queryset: QuerySet, status: str) -> int:
    """Move working teams to `status`, row by row for the history; returns the number changed."""
    count = 0
    for team in selected_rows(queryset, lock=True).exclude(status=status):
        team.status = status
        team.save(update_fields=["status", "updated_at"])
        count += 1
    return count


@transaction.atomic
def action_steps_mark_done(*, queryset: QuerySet) -> int:
    """Mark steps done at 100 % progress (cancelled steps are left alone). One UPDATE."""
    return (
        selected_rows(queryset)
        .exclude(status__in=[ActionStep.Status.DONE, ActionStep.Status.CANCELLED])
        .update(status=ActionStep.Status.DONE, progress_pct=100, updated_at=timezone.now())
    )


@transaction.atomic
def team_memberships_end(*, queryset: QuerySet, on: datetime.date) -> int:
    """End the active memberships on the date `on` (not before they started). One UPDATE."""
    return (
        selected_rows(queryset)
        .filter(left_on__isnull=True, joined_on__lte=on)
        .update(left_on=on, updated_at=timezone.now())
    )


# --- lookup tables --------------------------------------------------------------------------------


@admin.register(MechanismKind)
class MechanismKindAdmin(AuditedAdmin):
    list_display = ("code", "name_uk", "name_en", "is_normative", "order")
    list_editable = ("order",)
    list_filter = ("is_normative",)
    search_fields = ("code", "name_uk", "name_en")


# --- portfolio ------------------------------------------------------------------------------------


class FundingLineInline(TabularInline):
    model = FundingLine
    fields = ("source_kind", "source_name", "amount", "currency", "year", "status")
    show_change_link = False


class ActionStepInline(TabularInline):
    model = ActionStep
    fields = (
        "number",
        "title_uk",
        "responsible_org",
        "responsible_person",
        "start_date",
        "due_date",
        "status",
        "progress_pct",
    )
    autocomplete_fields = ("responsible_org", "responsible_person")


@admin.register(Project)
class ProjectAdmin(RegionScopedAdmin, SimpleHistoryAdmin):
    region_path = "agenda__region"
    list_display = (
        "code",
        "title_uk",
        "agenda",
        "priority",
        "is_pilot",
        "status",
        "lead_org",
        "team",
        "budget_total",
        "currency",
    )
    list_display_links = ("code", "title_uk")
    list_filter = (
        "status",
        "is_pilot",
        "priority",
        "dfrr_eligible",
        ("agenda__region", admin.RelatedOnlyFieldListFilter),
        "mechanisms",
    )
    list_select_related = ("agenda__region", "lead_org", "team")
    search_fields = ("code", "title_uk", "title_en", "summary_uk", "strategy_ref")
    autocomplete_fields = ("agenda", "domain", "goals", "lead_org", "partners", "team")
    filter_horizontal = ("mechanisms",)
    inlines = (FundingLineInline, ActionStepInline)
    actions = ("mark_pilot", "unmark_pilot")
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "agenda",
                    "code",
                    "title_uk",
                    "title_en",
                    "status",
                    "priority",
                    "is_pilot",
                    "version",
                )
            },
        ),
        (
            _("Content"),
            {
                "fields": (
                    "summary_uk",
                    "summary_en",
                    "expected_results",
                    "risks",
                    "domain",
                    "goals",
                    "strategy_ref",
                )
            },
        ),
        (
            _("Mechanisms and resources"),
            {"fields": ("mechanisms", "budget_total", "currency", "dfrr_eligible", "start_date", "end_date")},
        ),
        (_("Who"), {"fields": ("lead_org", "partners", "team")}),
        record_fieldset(),
    )

    @admin.action(description=_("Mark as pilot"), permissions=["change"])
    def mark_pilot(self, request, queryset):
        count = projects_set_pilot(queryset=queryset, is_pilot=True)
        self.message_user(
            request,
            ngettext("%(count)d project marked as pilot.", "%(count)d projects marked as pilot.", count)
            % {"count": count},
        )

    @admin.action(description=_("Remove pilot mark"), permissions=["change"])
    def unmark_pilot(self, request, queryset):
        count = projects_set_pilot(queryset=queryset, is_pilot=False)
        self.message_user(
            request,
            ngettext(
                "Pilot mark removed from %(count)d project.",
                "Pilot mark removed from %(count)d projects.",
                count,
            )
            % {"count": count},
        )


class ProjectChildAdmin(RegionScopedAdmin):
    region_path = "project__agenda__region"
    autocomplete_fields = ("project",)


@admin.register(FundingLine)
class FundingLineAdmin(ProjectChildAdmin):
    list_display = ("__str__", "project", "source_name", "year", "status")
    list_filter = ("source_kind", "status", "currency", "year")
    list_select_related = ("project",)
    search_fields = ("source_name", "project__code", "project__title_uk")


@admin.register(ActionStep)
class ActionStepAdmin(ProjectChildAdmin):
    list_display = ("number", "title_uk", "project", "responsible_org", "due_date", "status", "progress_pct")
    list_display_links = ("number", "title_uk")
    list_filter = ("status", ("due_date", admin.EmptyFieldListFilter), "funding_source")
    list_select_related = ("project", "responsible_org")
    search_fields = ("number", "title_uk", "title_en", "project__code", "project__title_uk")
    autocomplete_fields = (
        "project",
        "goal",
        "decision",
        "responsible_org",
        "responsible_person",
        "co_executors",
        "depends_on",
    )
    date_hierarchy = "due_date"
    actions = ("mark_done",)
    fieldsets = (
        (None, {"fields": ("project", "number", "title_uk", "title_en", "description", "goal", "decision")}),
        (
            _("Responsibility"),
            {"fields": ("responsible_org", "responsible_person", "co_executors", "depends_on")},
        ),
        (
            _("Schedule and progress"),
            {"fields": ("start_date", "due_date", "status", "progress_pct", "deliverable", "evidence_url")},
        ),
        (_("Budget"), {"fields": ("budget", "currency", "funding_source")}),
        record_fieldset(),
    )

    @admin.action(description=_("Mark as done"), permissions=["change"])
    def mark_done(self, request, queryset):
        count = action_steps_mark_done(queryset=queryset)
        self.message_user(
            request,
            ngettext("%(count)d step marked as done.", "%(count)d steps marked as done.", count)
            % {"count": count},
        )


@admin.register(NormativeAct)
class NormativeActAdmin(RegionScopedAdmin):
    # An act belongs to the regions of the projects it supports.
    region_path = "projects__agenda__region"
    list_display = ("title", "act_type", "number", "date", "stage", "issuing_body", "mechanism")
    list_filter = ("act_type", "stage", "mechanism")
    list_select_related = ("issuing_body", "mechanism")
    search_fields = ("title", "number")
    autocomplete_fields = ("projects", "issuing_body", "mechanism")
    date_hierarchy = "date"


# --- working teams --------------------------------------------------------------------------------


class TeamMembershipInline(TabularInline):
    model = TeamMembership
    fields = ("person", "organisation", "role", "joined_on", "left_on")
    autocomplete_fields = ("person", "organisation")
    show_change_link = False


@admin.register(WorkingTeam)
class WorkingTeamAdmin(RegionScopedAdmin, SimpleHistoryAdmin):
    region_path = "agenda__region"
    list_display = (
        "name_uk",
        "agenda",
        "kind",
        "domain",
        "status",
        "cadence",
        "next_meeting",
        "member_count",
    )
    list_filter = ("status", "kind", "cadence", ("agenda__region", admin.RelatedOnlyFieldListFilter))
    list_select_related = ("agenda__region", "domain")
    search_fields = ("name_uk", "name_en", "cross_sector_area")
    autocomplete_fields = ("agenda", "domain")
    inlines = (TeamMembershipInline,)
    actions = ("mark_active", "mark_paused")

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                active_members=Count(
                    "memberships", filter=Q(memberships__left_on__isnull=True), distinct=True
                )
            )
        )

    @admin.display(description=_("active members"), ordering="active_members")
    def member_count(self, obj):
        return obj.active_members

    def _set_status(self, request, queryset, status):
        count = teams_set_status(queryset=queryset, status=status)
        self.message_user(
            request,
            ngettext("%(count)d team moved to “%(status)s”.", "%(count)d teams moved to “%(status)s”.", count)
            % {"count": count, "status": WorkingTeam.Status(status).label},
        )

    @admin.action(description=_("Mark as active"), permissions=["change"])
    def mark_active(self, request, queryset):
        self._set_status(request, queryset, WorkingTeam.Status.ACTIVE)

    @admin.action(description=_("Mark as paused"), permissions=["change"])
    def mark_paused(self, request, queryset):
        self._set_status(request, queryset, WorkingTeam.Status.PAUSED)


@admin.register(TeamMembership)
class TeamMembershipAdmin(RegionScopedAdmin):
    region_path = "team__agenda__region"
    list_display = ("person", "organisation", "team", "role", "joined_on", "left_on")
    list_filter = ("role", ("left_on", admin.EmptyFieldListFilter))
    list_select_related = ("person__organisation", "organisation", "team")
    str_select_related = ("person__organisation", "team")
    search_fields = ("person__full_name", "organisation__name_uk", "team__name_uk")
    autocomplete_fields = ("team", "person", "organisation")
    actions = ("end_membership",)

    @admin.action(description=_("End membership today"), permissions=["change"])
    def end_membership(self, request, queryset):
        count = team_memberships_end(queryset=queryset, on=timezone.localdate())
        self.message_user(
            request,
            ngettext("%(count)d membership ended.", "%(count)d memberships ended.", count) % {"count": count},
        )
