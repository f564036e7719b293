from django.contrib import admin
from django.db import transaction
from django.db.models import Case, QuerySet, Value, When
from django.urls import NoReverseMatch
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from simple_history.admin import SimpleHistoryAdmin

from core.admin import RegionScopedAdmin, TabularInline, record_fieldset, selected_rows

from .models import KIND_HELIX, Helix, Organisation, Person, RoleMatrixEntry

# Fields a representative fills and confirms; changing any of them in the admin clears the
# confirmation, as on the site (DESIGN §4.2: "any change after confirmation clears that confirmation").
CONFIRMED_FIELDS = frozenset(
    {
        "organisation",
        "representative",
        "current_role",
        "current_role_type",
        "refined_role",
        "refined_role_type",
        "zone_of_responsibility",
        "sphere_of_interest",
        "domains",
        "commitment",
        "commitment_level",
    }
)


@transaction.atomic
def organisations_reset_helix(*, queryset: QuerySet) -> int:
    """Set each organisation's quadruple-helix side back to the default of its kind (KIND_HELIX).
    One UPDATE; returns the number of rows. To move into stakeholders.services."""
    whens = [When(kind=kind, then=Value(helix.value)) for kind, helix in KIND_HELIX.items()]
    return selected_rows(queryset).update(
        helix=Case(*whens, default=Value(Helix.OTHER.value)), updated_at=timezone.now()
    )


@transaction.atomic
def role_entries_clear_confirmation(*, queryset: QuerySet, reason: str) -> int:
    """Clear the confirmation of the confirmed rows in `queryset`, recording why, and raise their
    version (the site's edit forms compare it). Rows are saved one by one so that django-simple-history
    keeps an entry for each (the acting user comes from HistoryRequestMiddleware). Returns the number
    of rows cleared. To be replaced by stakeholders.services.role_entry_clear_confirmation."""
    count = 0
    for entry in selected_rows(queryset, lock=True).filter(confirmed_at__isnull=False):
        entry.confirmed_at = None
        entry.confirmed_by = None
        entry.confirmation_cleared_reason = reason[:300]
        entry.version += 1
        entry.save(
            update_fields=[
                "confirmed_at",
                "confirmed_by",
                "confirmation_cleared_reason",
                "version",
                "updated_at",
            ]
        )
        count += 1
    return count


@transaction.atomic
def role_entries_set_leader(*, queryset: QuerySet, is_leader: bool) -> int:
    """Mark (or unmark) the organisations of the rows as leaders of their agenda. Saved row by row
    for the history. Returns the number of rows that changed."""
    count = 0
    for entry in selected_rows(queryset, lock=True).exclude(is_leader=is_leader):
        entry.is_leader = is_leader
        entry.version += 1
        entry.save(update_fields=["is_leader", "version", "updated_at"])
        count += 1
    return count


class PersonInline(TabularInline):
    model = Person
    fields = (
        "full_name",
        "position_uk",
        "email",
        "phone",
        "preferred_language",
        "user",
        "is_representative",
        "consent_given",
        "consent_date",
    )
    autocomplete_fields = ("user",)


@admin.register(Organisation)
class OrganisationAdmin(RegionScopedAdmin):
    region_path = "region"
    list_display = ("name_uk", "short_name", "kind", "helix", "region", "city", "edrpou", "has_rnd_unit")
    list_filter = ("helix", "kind", "size", "has_rnd_unit", ("region", admin.RelatedOnlyFieldListFilter))
    list_select_related = ("region",)
    search_fields = ("name_uk", "name_en", "short_name", "edrpou", "city")
    autocomplete_fields = ("region", "parent")
    inlines = (PersonInline,)
    actions = ("reset_helix",)
    fieldsets = (
        (None, {"fields": ("name_uk", "name_en", "short_name", "kind", "helix", "region", "city", "parent")}),
        (_("Details"), {"fields": ("edrpou", "size", "has_rnd_unit", "website")}),
        record_fieldset(),
    )

    def view_on_site(self, obj):
        """A national organisation (no region) has no page: Organisation.get_absolute_url() needs a
        region slug, and the organisation pages may not be wired yet."""
        if obj.region_id is None:
            return None
        try:
            return obj.get_absolute_url()
        except NoReverseMatch:
            return None

    @admin.action(description=_("Reset helix side from the kind"), permissions=["change"])
    def reset_helix(self, request, queryset):
        count = organisations_reset_helix(queryset=queryset)
        self.message_user(
            request,
            ngettext(
                "Helix side reset for %(count)d organisation.",
                "Helix side reset for %(count)d organisations.",
                count,
            )
            % {"count": count},
        )


@admin.register(Person)
class PersonAdmin(RegionScopedAdmin):
    region_path = "organisation__region"
    list_display = (
        "full_name",
        "position_uk",
        "organisation",
        "email",
        "user",
        "is_representative",
        "consent_given",
    )
    list_filter = (
        "is_representative",
        "consent_given",
        "preferred_language",
        ("organisation__region", admin.RelatedOnlyFieldListFilter),
    )
    list_select_related = ("organisation", "user")
    str_select_related = ("organisation",)
    search_fields = (
        "full_name",
        "email",
        "position_uk",
        "position_en",
        "organisation__name_uk",
        "organisation__short_name",
    )
    autocomplete_fields = ("organisation", "user")


@admin.register(RoleMatrixEntry)
class RoleMatrixEntryAdmin(RegionScopedAdmin, SimpleHistoryAdmin):
    region_path = "agenda__region"
    list_display = (
        "organisation",
        "agenda",
        "refined_role_type",
        "commitment_level",
        "influence",
        "interest",
        "is_leader",
        "confirmed_at",
    )
    list_filter = (
        "is_leader",
        ("confirmed_at", admin.EmptyFieldListFilter),
        "refined_role_type",
        "commitment_level",
        "influence",
        "interest",
        ("agenda__region", admin.RelatedOnlyFieldListFilter),
    )
    list_select_related = ("organisation", "agenda__region")
    str_select_related = ("organisation", "agenda__region")
    search_fields = (
        "organisation__name_uk",
        "organisation__short_name",
        "current_role",
        "refined_role",
        "zone_of_responsibility",
    )
    autocomplete_fields = ("agenda", "organisation", "representative", "leader_direction")
    filter_horizontal = ("domains",)
    readonly_fields = ("confirmed_at", "confirmed_by", "confirmation_cleared_reason", "version")
    actions = ("clear_confirmation", "mark_leader", "unmark_leader")
    fieldsets = (
        (None, {"fields": ("agenda", "organisation", "representative")}),
        (
            _("Roles"),
            {"fields": ("current_role", "current_role_type", "refined_role", "refined_role_type", "comment")},
        ),
        (
            _("Responsibility and interests"),
            {"fields": ("zone_of_responsibility", "sphere_of_interest", "domains")},
        ),
        (_("Commitment"), {"fields": ("commitment", "commitment_level", "influence", "interest")}),
        (_("Leadership"), {"fields": ("is_leader", "leader_direction")}),
        (
            _("Confirmation"),
            {"fields": ("confirmed_at", "confirmed_by", "confirmation_cleared_reason", "version")},
        ),
        record_fieldset(),
    )

    def save_model(self, request, obj, form, change):
        if change:
            # "Raised on every save; detects concurrent edits."
            obj.version = (obj.version or 0) + 1
            if obj.confirmed_at and CONFIRMED_FIELDS.intersection(form.changed_data):
                obj.confirmed_at, obj.confirmed_by = None, None
                obj.confirmation_cleared_reason = str(
                    _("Changed in the admin by %(user)s") % {"user": request.user.email}
                )[:300]
        super().save_model(request, obj, form, change)

    @admin.action(description=_("Clear confirmation"), permissions=["change"])
    def clear_confirmation(self, request, queryset):
        reason = str(_("Cleared in the admin by %(user)s") % {"user": request.user.email})
        count = role_entries_clear_confirmation(queryset=queryset, reason=reason)
        self.message_user(
            request,
            ngettext(
                "Confirmation cleared for %(count)d row.", "Confirmation cleared for %(count)d rows.", count
            )
            % {"count": count},
        )

    @admin.action(description=_("Mark as leader"), permissions=["change"])
    def mark_leader(self, request, queryset):
        count = role_entries_set_leader(queryset=queryset, is_leader=True)
        self.message_user(
            request,
            ngettext("%(count)d row marked as leader.", "%(count)d rows marked as leader.", count)
            % {"count": count},
        )

    @admin.action(description=_("Remove leader mark"), permissions=["change"])
    def unmark_leader(self, request, queryset):
        count = role_entries_set_leader(queryset=queryset, is_leader=False)
        self.message_user(
            request,
            ngettext(
                "Leader mark removed from %(count)d row.", "Leader mark removed from %(count)d rows.", count
            )
            % {"count": count},
        )
