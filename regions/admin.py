from django.contrib import admin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from core.admin import AuditedAdmin, RegionScopedAdmin, TabularInline, is_unscoped, record_fieldset

from .models import (
    Agenda,
    Material,
    Programme,
    ProgrammeMembership,
    Region,
    RegionMembership,
    SpecialisationDomain,
)


class SpecialisationDomainInline(TabularInline):
    model = SpecialisationDomain
    fields = ("name_uk", "name_en", "domain_type", "source", "is_main", "kved")


class RegionMembershipInline(TabularInline):
    model = RegionMembership
    fields = ("user", "role")
    autocomplete_fields = ("user",)
    show_change_link = False


@admin.register(Programme)
class ProgrammeAdmin(AuditedAdmin):
    list_display = ("name_uk", "code", "operator", "period_start", "period_end", "region_count")
    search_fields = ("name_uk", "name_en", "code")
    prepopulated_fields = {"code": ("name_en",)}
    filter_horizontal = ("regions",)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(region_count=Count("regions", distinct=True))

    @admin.display(description=_("regions"), ordering="region_count")
    def region_count(self, obj):
        return obj.region_count


@admin.register(Region)
class RegionAdmin(RegionScopedAdmin):
    region_path = ""
    list_display = ("name_uk", "name_en", "iso_code", "admin_centre_uk", "strategy_period")
    search_fields = ("name_uk", "name_en", "iso_code", "slug")
    prepopulated_fields = {"slug": ("name_en",)}
    inlines = (SpecialisationDomainInline, RegionMembershipInline)
    fieldsets = (
        (None, {"fields": ("name_uk", "name_en", "slug", "iso_code", "admin_centre_uk", "admin_centre_en")}),
        (_("Regional strategy"), {"fields": ("strategy_title", "strategy_period", "strategy_url")}),
        record_fieldset(),
    )

    # Regions are reference data set up by administrators (DESIGN §4); a coordinator may correct
    # their own region's details but not create or remove regions.
    def has_add_permission(self, request):
        return is_unscoped(request) and super().has_add_permission(request)

    def has_delete_permission(self, request, obj=None):
        return is_unscoped(request) and super().has_delete_permission(request, obj)


@admin.register(SpecialisationDomain)
class SpecialisationDomainAdmin(RegionScopedAdmin):
    region_path = "region"
    list_display = ("name_uk", "region", "domain_type", "source", "is_main")
    list_filter = ("domain_type", "source", "is_main", ("region", admin.RelatedOnlyFieldListFilter))
    list_select_related = ("region",)
    search_fields = ("name_uk", "name_en", "kved", "region__name_uk")
    autocomplete_fields = ("region",)


@admin.register(RegionMembership)
class RegionMembershipAdmin(RegionScopedAdmin):
    region_path = "region"
    list_display = ("user", "region", "role", "created_at")
    list_filter = ("role", ("region", admin.RelatedOnlyFieldListFilter))
    list_select_related = ("user", "region")
    search_fields = ("user__email", "user__full_name", "region__name_uk")
    autocomplete_fields = ("user", "region")


@admin.register(ProgrammeMembership)
class ProgrammeMembershipAdmin(AuditedAdmin):
    list_display = ("user", "programme", "role", "created_at")
    list_filter = ("role", "programme")
    list_select_related = ("user", "programme")
    search_fields = ("user__email", "user__full_name", "programme__name_uk")
    autocomplete_fields = ("user", "programme")


@admin.register(Material)
class MaterialAdmin(RegionScopedAdmin):
    # Programme-wide materials (no region) are readable by every coordinator, changeable by admins.
    region_path = "region"
    shared_unassigned = True
    list_display = ("title", "kind", "language", "region", "programme", "created_at")
    list_filter = ("kind", "language", ("region", admin.RelatedOnlyFieldListFilter), "programme")
    list_select_related = ("region", "programme")
    search_fields = ("title", "description")
    autocomplete_fields = ("region", "programme")
    date_hierarchy = "created_at"


@admin.register(Agenda)
class AgendaAdmin(RegionScopedAdmin):
    region_path = "region"
    choice_scopes = {"programmes": "regions"}
    list_display = ("__str__", "title_uk", "status", "version", "period_start", "period_end", "approved_at")
    list_filter = ("status", "year", ("region", admin.RelatedOnlyFieldListFilter))
    list_select_related = ("region",)
    str_select_related = ("region",)
    search_fields = ("title_uk", "title_en", "region__name_uk", "region__name_en")
    autocomplete_fields = ("region", "coordinator_org")
    filter_horizontal = ("programmes",)
    fieldsets = (
        (None, {"fields": ("region", "year", "title_uk", "title_en", "status", "version", "approved_at")}),
        (_("Period"), {"fields": ("period_start", "period_end", "window_start", "window_end")}),
        (
            _("Vision and coordination"),
            {"fields": ("vision_uk", "vision_en", "coordinator_org", "programmes")},
        ),
        record_fieldset(),
    )
