import hashlib
import secrets

from django.contrib import admin
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext_lazy

from core.admin import AuditedAdmin, RegionScopedAdmin, TabularInline, record_fieldset, selected_rows

from .models import (
    AgendaItem,
    Attendance,
    CalendarFeed,
    Decision,
    DocumentAcceptance,
    EventStatus,
    ExternalEvent,
    Session,
    SessionKind,
)

SESSION_REGION = ("agenda__region", "programme__regions")
CHILD_OF_SESSION_REGION = ("session__agenda__region", "session__programme__regions")

# A session or event that has taken place, or was called off, is not postponed any more.
FINAL_STATUSES = (EventStatus.HELD, EventStatus.CANCELLED)


@transaction.atomic
def events_set_status(*, queryset: QuerySet, status: str, reason: str = "") -> int:
    """Move sessions or external events that are not held or cancelled yet to `status`
    (postponed, confirmed, cancelled), optionally recording the reason on sessions. One UPDATE;
    returns the number of rows changed. Marking a session *held* is not offered here: it needs
    minutes and belongs to the future sessions.services.session_mark_held."""
    values = {"status": status, "updated_at": timezone.now()}
    if reason and any(field.name == "status_reason" for field in queryset.model._meta.fields):
        values["status_reason"] = reason
    return selected_rows(queryset).exclude(status__in=FINAL_STATUSES).exclude(status=status).update(**values)


@transaction.atomic
def attendance_mark(*, queryset: QuerySet, attended: bool) -> int:
    """Record whether the invited people attended. One UPDATE; returns the number of rows."""
    return selected_rows(queryset).update(attended=attended, updated_at=timezone.now())


def new_feed_token_hash() -> str:
    """SHA-256 of a fresh random token that nobody is shown: the feed's old links stop working and a
    new link must be issued from the site (which rotates the token and shows it once)."""
    return hashlib.sha256(secrets.token_urlsafe(32).encode()).hexdigest()


@transaction.atomic
def calendar_feeds_revoke(*, queryset: QuerySet) -> int:
    """Invalidate every subscription link of the feeds by replacing each token hash. Row by row
    (each hash is unique); returns the number of feeds."""
    count = 0
    for feed in selected_rows(queryset, lock=True):
        feed.token_hash = new_feed_token_hash()
        feed.rotated_at = timezone.now()
        feed.save(update_fields=["token_hash", "rotated_at", "updated_at"])
        count += 1
    return count


class StatusActionsMixin:
    """Bulk status changes shared by sessions and external events."""

    def _set_status(self, request, queryset, status, reason=""):
        count = events_set_status(queryset=queryset, status=status, reason=reason)
        self.message_user(
            request,
            ngettext(
                "%(count)d row moved to “%(status)s”.",
                "%(count)d rows moved to “%(status)s”.",
                count,
            )
            % {"count": count, "status": EventStatus(status).label},
        )

    @admin.action(description=_("Mark as postponed"), permissions=["change"])
    def mark_postponed(self, request, queryset):
        self._set_status(
            request,
            queryset,
            EventStatus.POSTPONED,
            str(_("Postponed in the admin by %(user)s") % {"user": request.user.email}),
        )

    @admin.action(description=_("Mark as confirmed"), permissions=["change"])
    def mark_confirmed(self, request, queryset):
        self._set_status(request, queryset, EventStatus.CONFIRMED)

    @admin.action(description=_("Mark as cancelled"), permissions=["change"])
    def mark_cancelled(self, request, queryset):
        self._set_status(
            request,
            queryset,
            EventStatus.CANCELLED,
            str(_("Cancelled in the admin by %(user)s") % {"user": request.user.email}),
        )


@admin.register(SessionKind)
class SessionKindAdmin(AuditedAdmin):
    list_display = (
        "order",
        "code",
        "name_uk",
        "name_en",
        "ris3_step",
        "is_cross_regional",
        "default_offset_days",
        "default_duration_minutes",
    )
    list_display_links = ("order", "code")
    list_filter = ("is_cross_regional",)
    search_fields = ("code", "name_uk", "name_en")


class AgendaItemInline(TabularInline):
    model = AgendaItem
    fields = ("order", "starts_at", "duration_minutes", "title", "presenter")
    show_change_link = False


class AttendanceInline(TabularInline):
    model = Attendance
    fields = ("person", "organisation", "role", "invited_at", "reply", "attended")
    autocomplete_fields = ("person", "organisation")


class DecisionInline(TabularInline):
    model = Decision
    fields = ("text", "responsible_org", "due_date")
    autocomplete_fields = ("responsible_org",)


@admin.register(Session)
class SessionAdmin(StatusActionsMixin, RegionScopedAdmin):
    # Sessions 2-5 belong to a region's agenda; session 1 to a programme (all its regions).
    region_path = SESSION_REGION
    choice_scopes = {"programme": "regions"}
    list_display = ("__str__", "agenda", "programme", "kind", "starts_at", "format", "status")
    list_filter = (
        "status",
        "format",
        "kind",
        ("agenda__region", admin.RelatedOnlyFieldListFilter),
        "programme",
    )
    list_select_related = ("agenda__region", "programme", "kind")
    str_select_related = ("kind",)
    search_fields = (
        "title",
        "venue",
        "agenda__title_uk",
        "agenda__region__name_uk",
        "programme__name_uk",
        "kind__name_uk",
    )
    autocomplete_fields = ("agenda", "programme", "kind", "facilitator")
    filter_horizontal = ("materials",)
    date_hierarchy = "starts_at"
    readonly_fields = ("held_at",)
    inlines = (AgendaItemInline, AttendanceInline, DecisionInline)
    actions = ("mark_postponed", "mark_confirmed", "mark_cancelled")
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "agenda",
                    "programme",
                    "kind",
                    "number",
                    "title",
                    "status",
                    "status_reason",
                    "held_at",
                )
            },
        ),
        (
            _("When and where"),
            {"fields": ("starts_at", "duration_minutes", "format", "venue", "online_url", "facilitator")},
        ),
        (_("Minutes and summary"), {"fields": ("minutes", "summary_uk", "summary_en", "materials")}),
        record_fieldset(),
    )


class SessionChildAdmin(RegionScopedAdmin):
    region_path = CHILD_OF_SESSION_REGION
    autocomplete_fields = ("session",)
    str_select_related = ("session__kind",)


@admin.register(AgendaItem)
class AgendaItemAdmin(SessionChildAdmin):
    list_display = ("title", "session", "order", "starts_at", "duration_minutes", "presenter")
    list_select_related = ("session__kind",)
    search_fields = ("title", "presenter")


@admin.register(Attendance)
class AttendanceAdmin(SessionChildAdmin):
    list_display = ("person", "organisation", "session", "role", "reply", "attended")
    list_filter = ("reply", "attended", "role")
    list_select_related = ("person__organisation", "organisation", "session__kind")
    str_select_related = ("person__organisation", "session__kind")
    search_fields = ("person__full_name", "organisation__name_uk", "session__title")
    autocomplete_fields = ("session", "person", "organisation")
    actions = ("mark_attended", "mark_absent")

    def _mark(self, request, queryset, attended):
        count = attendance_mark(queryset=queryset, attended=attended)
        self.message_user(
            request,
            ngettext("%(count)d attendance updated.", "%(count)d attendances updated.", count)
            % {"count": count},
        )

    @admin.action(description=_("Mark as attended"), permissions=["change"])
    def mark_attended(self, request, queryset):
        self._mark(request, queryset, True)

    @admin.action(description=_("Mark as absent"), permissions=["change"])
    def mark_absent(self, request, queryset):
        self._mark(request, queryset, False)


@admin.register(Decision)
class DecisionAdmin(SessionChildAdmin):
    list_display = ("__str__", "session", "responsible_org", "due_date", "created_at")
    list_select_related = ("session__kind", "responsible_org")
    search_fields = ("text",)
    autocomplete_fields = ("session", "responsible_org")


@admin.register(DocumentAcceptance)
class DocumentAcceptanceAdmin(RegionScopedAdmin):
    region_path = "region"
    list_display = ("region", "session", "accepted", "accepted_at", "accepted_by")
    list_filter = ("accepted", ("region", admin.RelatedOnlyFieldListFilter))
    list_select_related = ("region", "session__kind", "accepted_by")
    str_select_related = ("region", "session__kind")
    search_fields = ("region__name_uk", "comments")
    autocomplete_fields = ("session", "region", "accepted_by")


@admin.register(ExternalEvent)
class ExternalEventAdmin(StatusActionsMixin, RegionScopedAdmin):
    region_path = "agenda__region"
    list_display = (
        "title_uk",
        "kind",
        "agenda",
        "starts_at",
        "format",
        "stage",
        "status",
        "participants_count",
    )
    list_filter = ("status", "kind", "format", "stage", ("agenda__region", admin.RelatedOnlyFieldListFilter))
    list_select_related = ("agenda__region", "stage")
    search_fields = ("title_uk", "title_en", "location", "organiser__name_uk")
    autocomplete_fields = ("agenda", "organiser", "stage", "session")
    date_hierarchy = "starts_at"
    actions = ("mark_postponed", "mark_confirmed", "mark_cancelled")
    fieldsets = (
        (None, {"fields": ("agenda", "kind", "title_uk", "title_en", "status")}),
        (_("When and where"), {"fields": ("starts_at", "ends_at", "format", "location", "organiser")}),
        (
            pgettext_lazy("workshop", "Stage of the method"),
            {"fields": ("stage", "session", "target_audience", "expected_outcome")},
        ),
        (_("Outcome"), {"fields": ("actual_outcome", "participants_count", "report_url")}),
        record_fieldset(),
    )


@admin.register(CalendarFeed)
class CalendarFeedAdmin(RegionScopedAdmin):
    region_path = "region"
    list_display = ("region", "rotated_at")
    list_select_related = ("region",)
    search_fields = ("region__name_uk",)
    autocomplete_fields = ("region",)
    # Only a hash of the secret is stored; it is never typed in by hand.
    readonly_fields = ("token_hash", "rotated_at")
    actions = ("revoke_links",)

    def save_model(self, request, obj, form, change):
        if not obj.token_hash:
            obj.token_hash = new_feed_token_hash()
        super().save_model(request, obj, form, change)

    @admin.action(description=_("Revoke subscription links (rotate token)"), permissions=["change"])
    def revoke_links(self, request, queryset):
        count = calendar_feeds_revoke(queryset=queryset)
        self.message_user(
            request,
            ngettext(
                "Subscription links of %(count)d calendar feed revoked; issue new ones from the region page.",
                "Subscription links of %(count)d calendar feeds revoked; issue new ones from the region page.",
                count,
            )
            % {"count": count},
        )
