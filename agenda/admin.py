from django.contrib import admin
from django.db import transaction
from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from simple_history.admin import SimpleHistoryAdmin

from core.admin import (
    ReadOnlyInlineMixin,
    RegionScopedAdmin,
    TabularInline,
    is_unscoped,
    record_fieldset,
    selected_rows,
)

from .models import (
    Challenge,
    Endorsement,
    Goal,
    GoalStatus,
    Indicator,
    IndicatorValue,
    Memorandum,
    MemorandumEvent,
    MemorandumRevision,
    Signatory,
    Signature,
    SwotItem,
    SwotVote,
)

MEMORANDUM_REGION = "memorandum__agenda__region"


# --- bulk operations (to move into agenda/services.py) ------------------------------------------


@transaction.atomic
def swot_items_recount_votes(*, queryset: QuerySet) -> int:
    """Recompute the denormalised `votes_count` of the items from their SwotVote rows. One UPDATE;
    returns the number of items."""
    votes = (
        SwotVote.objects.filter(item=OuterRef("pk"))
        .order_by()
        .values("item")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return selected_rows(queryset).update(
        votes_count=Coalesce(Subquery(votes, output_field=IntegerField()), Value(0)),
        updated_at=timezone.now(),
    )


@transaction.atomic
def goals_mark_agreed(*, queryset: QuerySet) -> int:
    """Move draft goals to *agreed*. Saved row by row so django-simple-history keeps an entry for
    each. Returns the number of goals changed."""
    count = 0
    for goal in selected_rows(queryset, lock=True).filter(status=GoalStatus.DRAFT):
        goal.status = GoalStatus.AGREED
        goal.save(update_fields=["status", "updated_at"])
        count += 1
    return count


@transaction.atomic
def memoranda_set_public(*, queryset: QuerySet, is_public: bool) -> int:
    """Publish (or withdraw) memoranda on the public pages. Row by row for the history; returns the
    number changed."""
    count = 0
    for memorandum in selected_rows(queryset, lock=True).exclude(is_public=is_public):
        memorandum.is_public = is_public
        memorandum.save(update_fields=["is_public", "updated_at"])
        count += 1
    return count


# --- SWOT and challenges --------------------------------------------------------------------------


@admin.register(SwotItem)
class SwotItemAdmin(RegionScopedAdmin):
    region_path = "agenda__region"
    list_display = ("__str__", "agenda", "quadrant", "dimension", "importance", "votes_count", "proposed_by")
    list_filter = (
        "quadrant",
        "dimension",
        "importance",
        "evidence_source",
        ("agenda__region", admin.RelatedOnlyFieldListFilter),
    )
    list_select_related = ("agenda__region", "proposed_by")
    search_fields = ("text_uk", "text_en", "evidence")
    autocomplete_fields = ("agenda", "proposed_by", "session")
    readonly_fields = ("votes_count",)
    actions = ("recount_votes",)

    @admin.action(description=_("Recount votes"), permissions=["change"])
    def recount_votes(self, request, queryset):
        count = swot_items_recount_votes(queryset=queryset)
        self.message_user(
            request,
            ngettext("Votes recounted for %(count)d item.", "Votes recounted for %(count)d items.", count)
            % {"count": count},
        )


@admin.register(SwotVote)
class SwotVoteAdmin(RegionScopedAdmin):
    region_path = "item__agenda__region"
    list_display = ("item", "user", "created_at")
    list_select_related = ("item", "user")
    search_fields = ("item__text_uk", "user__email", "user__full_name")
    autocomplete_fields = ("item", "user")


@admin.register(Challenge)
class ChallengeAdmin(RegionScopedAdmin):
    region_path = "agenda__region"
    list_display = ("code", "title_uk", "agenda", "dimension", "priority", "rank", "status", "owner")
    list_display_links = ("code", "title_uk")
    list_filter = ("status", "priority", "dimension", ("agenda__region", admin.RelatedOnlyFieldListFilter))
    list_select_related = ("agenda__region", "owner")
    search_fields = ("code", "title_uk", "title_en", "description")
    autocomplete_fields = ("agenda", "owner", "swot_items")


# --- indicators and goals -------------------------------------------------------------------------


class IndicatorValueInline(TabularInline):
    model = IndicatorValue
    fields = ("period_date", "value", "value_type", "source_note", "reported_by")
    autocomplete_fields = ("reported_by",)
    show_change_link = False


@admin.register(Indicator)
class IndicatorAdmin(RegionScopedAdmin):
    # National indicators (no region) can be chosen by every coordinator, changed only by admins.
    region_path = "region"
    shared_unassigned = True
    list_display = ("name_uk", "region", "kind", "unit", "direction", "frequency")
    list_filter = ("kind", "unit", "direction", "frequency", ("region", admin.RelatedOnlyFieldListFilter))
    list_select_related = ("region",)
    search_fields = ("name_uk", "name_en", "definition", "data_source")
    autocomplete_fields = ("region",)
    inlines = (IndicatorValueInline,)


@admin.register(IndicatorValue)
class IndicatorValueAdmin(RegionScopedAdmin):
    region_path = "indicator__region"
    shared_unassigned = True
    list_display = ("indicator", "period_date", "value", "value_type", "reported_by")
    list_filter = ("value_type",)
    list_select_related = ("indicator", "reported_by__organisation")
    search_fields = ("indicator__name_uk", "source_note")
    autocomplete_fields = ("indicator", "reported_by")
    date_hierarchy = "period_date"


@admin.register(Goal)
class GoalAdmin(RegionScopedAdmin, SimpleHistoryAdmin):
    region_path = "agenda__region"
    list_display = (
        "code",
        "title_uk",
        "agenda",
        "status",
        "indicator",
        "baseline_value",
        "target_value",
        "deadline",
        "owner_org",
    )
    list_display_links = ("code", "title_uk")
    list_filter = (
        "status",
        ("agenda__region", admin.RelatedOnlyFieldListFilter),
        ("deadline", admin.EmptyFieldListFilter),
    )
    list_select_related = ("agenda__region", "indicator", "owner_org")
    search_fields = ("code", "title_uk", "title_en", "specific_uk", "strategy_ref")
    autocomplete_fields = ("agenda", "challenge", "indicator", "owner_org", "owner_person", "domain")
    actions = ("mark_agreed",)
    fieldsets = (
        (None, {"fields": ("agenda", "code", "title_uk", "title_en", "status", "version")}),
        (_("Specific"), {"fields": ("specific_uk", "specific_en", "challenge", "domain", "strategy_ref")}),
        (_("Measurable"), {"fields": ("indicator", "baseline_value", "baseline_date", "target_value")}),
        (
            _("Achievable, relevant, time-bound"),
            {"fields": ("achievability_note", "relevance_note", "deadline")},
        ),
        (_("Owner"), {"fields": ("owner_org", "owner_person")}),
        record_fieldset(),
    )

    @admin.action(description=_("Mark draft goals as agreed"), permissions=["change"])
    def mark_agreed(self, request, queryset):
        count = goals_mark_agreed(queryset=queryset)
        self.message_user(
            request,
            ngettext("%(count)d goal marked as agreed.", "%(count)d goals marked as agreed.", count)
            % {"count": count},
        )


@admin.register(Endorsement)
class EndorsementAdmin(RegionScopedAdmin):
    region_path = "agenda__region"
    list_display = ("organisation", "agenda", "short_hash", "endorsed_by", "created_at")
    list_filter = (("agenda__region", admin.RelatedOnlyFieldListFilter),)
    list_select_related = ("organisation", "agenda__region", "endorsed_by")
    search_fields = ("organisation__name_uk", "content_hash", "comment")
    autocomplete_fields = ("agenda", "organisation", "endorsed_by")
    date_hierarchy = "created_at"

    def get_readonly_fields(self, request, obj=None):
        readonly = super().get_readonly_fields(request, obj)
        if obj is not None:
            # What was endorsed, by whom, is a record: only the comment stays editable.
            readonly = ("agenda", "organisation", "endorsed_by", "content_hash", "snapshot", *readonly)
        return readonly

    @admin.display(description=_("content hash"), ordering="content_hash")
    def short_hash(self, obj):
        return obj.content_hash[:12]


# --- memoranda ------------------------------------------------------------------------------------


class SignatoryInline(TabularInline):
    model = Signatory
    fields = (
        "order",
        "organisation",
        "side",
        "party_role",
        "person",
        "signer_position_uk",
        "signer_position_en",
    )
    autocomplete_fields = ("organisation", "person")


class MemorandumRevisionInline(ReadOnlyInlineMixin, TabularInline):
    model = MemorandumRevision
    fields = ("number", "opened_at", "verification_code", "superseded_at", "pdf_status", "content_hash")
    verbose_name_plural = _("revisions (read-only)")


@admin.register(Memorandum)
class MemorandumAdmin(RegionScopedAdmin, SimpleHistoryAdmin):
    region_path = "agenda__region"
    list_display = (
        "title_uk",
        "agenda",
        "number",
        "status",
        "valid_from",
        "valid_until",
        "signed_date",
        "is_public",
    )
    list_filter = ("status", "is_public", "language", ("agenda__region", admin.RelatedOnlyFieldListFilter))
    list_select_related = ("agenda__region",)
    search_fields = ("title_uk", "title_en", "number", "place")
    autocomplete_fields = ("agenda", "signing_event")
    inlines = (SignatoryInline, MemorandumRevisionInline)
    actions = ("publish", "unpublish")
    fieldsets = (
        (None, {"fields": ("agenda", "number", "title_uk", "title_en", "language", "status")}),
        (_("Term"), {"fields": ("valid_from", "valid_until", "auto_renewal")}),
        (
            _("Signing"),
            {"fields": ("ordered_signing", "signed_date", "place", "signing_event", "scan", "is_public")},
        ),
        record_fieldset(),
    )

    @admin.action(description=_("Publish"), permissions=["change"])
    def publish(self, request, queryset):
        count = memoranda_set_public(queryset=queryset, is_public=True)
        self.message_user(
            request,
            ngettext("%(count)d memorandum published.", "%(count)d memoranda published.", count)
            % {"count": count},
        )

    @admin.action(description=_("Withdraw from publication"), permissions=["change"])
    def unpublish(self, request, queryset):
        count = memoranda_set_public(queryset=queryset, is_public=False)
        self.message_user(
            request,
            ngettext("%(count)d memorandum withdrawn.", "%(count)d memoranda withdrawn.", count)
            % {"count": count},
        )


class SignatureInline(ReadOnlyInlineMixin, TabularInline):
    model = Signature
    fields = ("signatory", "status", "method", "signed_by", "signed_at", "content_hash")


# Set by the "open for signature" workflow and the PDF worker, never typed in.
REVISION_WORKFLOW_FIELDS = (
    "opened_at",
    "content_hash",
    "content_snapshot",
    "verification_code",
    "superseded_at",
    "pdf_file",
    "pdf_hash",
    "pdf_rendered_at",
)
# Frozen once opened for signature: the stored hash covers them.
REVISION_FROZEN_FIELDS = ("memorandum", "number", "subject", "body")


@admin.register(MemorandumRevision)
class MemorandumRevisionAdmin(RegionScopedAdmin):
    region_path = MEMORANDUM_REGION
    list_display = ("__str__", "number", "opened_at", "superseded_at", "pdf_status", "verification_code")
    list_filter = ("pdf_status", ("opened_at", admin.EmptyFieldListFilter))
    list_select_related = ("memorandum",)
    str_select_related = ("memorandum",)
    search_fields = ("memorandum__title_uk", "verification_code", "content_hash")
    autocomplete_fields = ("memorandum",)
    inlines = (SignatureInline,)

    def get_readonly_fields(self, request, obj=None):
        readonly = (*REVISION_WORKFLOW_FIELDS, *super().get_readonly_fields(request, obj))
        if obj is not None and obj.is_frozen:
            readonly = (*REVISION_FROZEN_FIELDS, *readonly)
        return readonly


@admin.register(Signatory)
class SignatoryAdmin(RegionScopedAdmin):
    region_path = MEMORANDUM_REGION
    list_display = ("organisation", "memorandum", "party_role", "side", "person", "order")
    list_filter = ("party_role", "side")
    list_select_related = ("organisation", "memorandum", "person__organisation")
    str_select_related = ("organisation",)
    search_fields = (
        "organisation__name_uk",
        "organisation__short_name",
        "person__full_name",
        "memorandum__title_uk",
    )
    autocomplete_fields = ("memorandum", "organisation", "person")


# Evidence of the act of signing: identity, time, address, agent and the hash that was signed.
SIGNATURE_EVIDENCE_FIELDS = (
    "signed_by",
    "typed_name",
    "signed_at",
    "ip_address",
    "user_agent",
    "content_hash",
)


@admin.register(Signature)
class SignatureAdmin(RegionScopedAdmin):
    region_path = f"revision__{MEMORANDUM_REGION}"
    list_display = ("signatory", "revision", "status", "method", "signed_by", "signed_at")
    list_filter = ("status", "method")
    list_select_related = ("signatory__organisation", "revision__memorandum", "signed_by")
    str_select_related = ("signatory__organisation",)
    search_fields = ("signatory__organisation__name_uk", "typed_name", "content_hash")
    autocomplete_fields = ("revision", "signatory")
    date_hierarchy = "signed_at"

    def get_readonly_fields(self, request, obj=None):
        readonly = (*SIGNATURE_EVIDENCE_FIELDS, *super().get_readonly_fields(request, obj))
        if obj is not None:
            readonly = ("revision", "signatory", *readonly)
        return readonly

    def has_delete_permission(self, request, obj=None):
        return is_unscoped(request) and super().has_delete_permission(request, obj)


@admin.register(MemorandumEvent)
class MemorandumEventAdmin(RegionScopedAdmin):
    """The audit trail: rows can be read (and, by administrators, added or removed), never edited."""

    region_path = "memorandum__agenda__region"
    list_display = ("created_at", "kind", "memorandum", "revision", "actor", "ip_address")
    list_filter = ("kind",)
    list_select_related = ("memorandum", "revision__memorandum", "actor")
    search_fields = ("memorandum__title_uk", "detail")
    autocomplete_fields = ("memorandum", "revision", "actor")
    date_hierarchy = "created_at"

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return is_unscoped(request) and super().has_delete_permission(request, obj)
