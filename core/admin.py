"""Admin machinery shared by every app.

* ``AuditedAdmin`` shows ``created_by / created_at / updated_at / is_demo`` read-only and stamps
  ``created_by`` with the acting user on add, for the main object and for new inline rows.
* ``RegionScopedAdmin`` confines a staff user who is a regional coordinator (not a superuser) to the
  rows of the regions they coordinate: the change list, change/delete pages, autocomplete, bulk
  actions, the choices of every foreign key / many-to-many field and the object-level permissions all
  go through one ``scope_queryset``. Another region's row simply does not exist for them.
* ``ConstraintCheckingForm`` re-checks every model constraint before saving. Django skips a constraint
  when one of its fields is read-only or not on the form, which would end in an IntegrityError (a 500)
  instead of a message.

Usage::

    @admin.register(Goal)
    class GoalAdmin(RegionScopedAdmin, SimpleHistoryAdmin):
        region_path = "agenda__region"

Superusers are never scoped. Models without a region (lookup tables, users, programmes) use
``AuditedAdmin`` and Django's ordinary model permissions.
"""

from collections.abc import Iterable

from django import forms
from django.contrib import admin
from django.core.exceptions import NON_FIELD_ERRORS, FieldDoesNotExist, PermissionDenied, ValidationError
from django.db import models
from django.db.models import Model, Q, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from core.forms import BoundedModelMultipleChoiceField
from regions.models import Region

AUDIT_FIELDS = ("created_by", "created_at", "updated_at", "is_demo")

# Links typed without a scheme are taken as https (Django 6's default; silences its deprecation).
# Many-to-many choices refuse keys the database cannot hold instead of failing in the query.
FORMFIELD_OVERRIDES = {
    models.URLField: {"assume_scheme": "https"},
    models.ManyToManyField: {"form_class": BoundedModelMultipleChoiceField},
}

_REGION_IDS_ATTR = "_admin_managed_region_ids"
_SCOPE_CACHE_ATTR = "_admin_scope_cache"


def managed_region_ids(request: HttpRequest) -> frozenset[int]:
    """Ids of the regions the requesting user coordinates. One query, cached on the request."""
    ids = getattr(request, _REGION_IDS_ATTR, None)
    if ids is None:
        ids = frozenset(Region.objects.managed_by(request.user).values_list("pk", flat=True))
        setattr(request, _REGION_IDS_ATTR, ids)
    return ids


def is_unscoped(request: HttpRequest | None) -> bool:
    """Superusers (and internal calls without a request) see everything."""
    return request is None or request.user.is_superuser


def _as_paths(path: str | Iterable[str]) -> tuple[str, ...]:
    return (path,) if isinstance(path, str) else tuple(path)


def path_is_multivalued(model: type[Model], path: str) -> bool:
    """True when the lookup path crosses a many-to-many or reverse foreign key, i.e. filtering on it
    can return a row more than once."""
    if not path:
        return False
    for name in path.split("__"):
        field = model._meta.get_field(name)
        if field.many_to_many or field.one_to_many:
            return True
        model = field.related_model
    return False


def scope_by_region(
    queryset: QuerySet,
    paths: str | Iterable[str],
    region_ids: Iterable[int],
    *,
    include_unassigned: bool = False,
) -> QuerySet:
    """Rows of `queryset` whose region (reached by any of `paths`, "" meaning the row is a Region)
    is one of `region_ids`. With `include_unassigned`, rows whose (first) path is empty are kept
    too: shared reference rows such as a national indicator.

    Multi-valued paths are applied through a pk subquery so that rows are neither duplicated nor
    marked DISTINCT (a DISTINCT queryset cannot be bulk-deleted on every backend)."""
    paths = _as_paths(paths)
    region_ids = list(region_ids)
    condition = Q()
    for path in paths:
        condition |= Q(pk__in=region_ids) if path == "" else Q(**{f"{path}__in": region_ids})
    if include_unassigned and paths[0]:
        condition |= Q(**{f"{paths[0]}__isnull": True})
    model = queryset.model
    if any(path_is_multivalued(model, path) for path in paths):
        return queryset.filter(pk__in=model._base_manager.filter(condition).values("pk"))
    return queryset.filter(condition)


def selected_rows(queryset: QuerySet, *, lock: bool = False) -> QuerySet:
    """The rows of an admin action's queryset, re-read by primary key from the plain table.

    The change list's queryset may carry joins, aggregate annotations or subqueries that
    ``SELECT … FOR UPDATE`` and ``UPDATE`` refuse on some backends; the pk subquery keeps exactly the
    selected (and scoped) rows. With `lock`, the rows are locked until the transaction ends."""
    rows = queryset.model._base_manager.filter(pk__in=queryset.order_by().values("pk"))
    return rows.select_for_update() if lock else rows


def record_fieldset(*, collapse: bool = True) -> tuple:
    """The read-only audit block to append to explicit `fieldsets`."""
    return (_("Record"), {"fields": AUDIT_FIELDS, "classes": ("collapse",) if collapse else ()})


class ConstraintCheckingForm(forms.ModelForm):
    """A ModelForm that validates *all* model constraints of the instance as it will be saved.

    Django's ModelForm skips a constraint that mentions a field not on the form (read-only in the
    admin, or excluded). Such a violation would only surface as an IntegrityError on save. Once the
    form is otherwise valid, every constraint is checked again and a failure becomes a form error
    (on its field when the field is on the form, otherwise a non-field error)."""

    def _post_clean(self):
        super()._post_clean()
        if self._errors:
            return
        try:
            self.instance.validate_constraints()
        except ValidationError as exc:
            error_dict = exc.error_dict if hasattr(exc, "error_dict") else {NON_FIELD_ERRORS: exc.error_list}
            for field, errors in error_dict.items():
                self.add_error(field if field in self.fields else None, errors)


def keep_current_choices(fields: dict, model: type[Model], rows: QuerySet) -> None:
    """Widen the scoped choices of the relation fields in `fields` by the values the `rows` already
    point to.

    A row of the coordinator's region may legitimately point outside it (a national partner
    organisation, a project of another region supported by the same act). Without this the current
    value would have no option, the browser would post nothing and saving would silently drop it.
    The values are already linked to the row, so showing them reveals nothing new; they still cannot
    be chosen for any other row. Lazy subqueries: no extra query until the form renders."""
    for name, field in fields.items():
        if not isinstance(field, forms.ModelChoiceField):  # includes ModelMultipleChoiceField
            continue
        try:
            db_field = model._meta.get_field(name)
        except FieldDoesNotExist:
            continue
        if (
            not (db_field.many_to_one or db_field.many_to_many or db_field.one_to_one)
            or db_field.auto_created
        ):
            continue
        current = rows.filter(**{f"{name}__isnull": False}).values(name)
        related = field.queryset.model
        field.queryset = related._default_manager.filter(
            Q(pk__in=field.queryset.values("pk")) | Q(pk__in=current)
        )


class ScopedChoicesMixin:
    """Limits the choices of foreign-key and many-to-many fields (plain selects and autocomplete
    validation alike) to what the user may see in the related model's admin.

    A related model whose admin is a `RegionScopedAdmin` is scoped by that admin. For a related model
    without a scoped admin, name the field in `choice_scopes` with the region path on the related
    model, e.g. ``choice_scopes = {"programme": "regions"}``."""

    choice_scopes: dict[str, str] = {}

    def get_field_queryset(self, db, db_field, request):
        queryset = super().get_field_queryset(db, db_field, request)
        if is_unscoped(request):
            return queryset
        related_model = db_field.remote_field.model
        base = queryset if queryset is not None else related_model._default_manager.using(db).all()
        if db_field.name in self.choice_scopes:
            return scope_by_region(base, self.choice_scopes[db_field.name], managed_region_ids(request))
        related_admin = self.admin_site._registry.get(related_model)
        if isinstance(related_admin, RegionScopedAdmin):
            return related_admin.scope_queryset(base, request)
        return queryset


class AuditedAdmin(ScopedChoicesMixin, admin.ModelAdmin):
    """Base for every admin of a `core.models.BaseModel` model.

    The audit fields are appended to `readonly_fields` (and therefore shown at the bottom of a form
    without explicit `fieldsets`; with fieldsets, add `record_fieldset()`). `created_by` is set to the
    acting user on add, also on rows added through inlines."""

    form = ConstraintCheckingForm
    formfield_overrides = FORMFIELD_OVERRIDES
    list_per_page = 50
    # Relations that __str__ follows. They are selected in every queryset of the admin (change list,
    # autocomplete results, change page), together with `list_select_related`: Django skips
    # `list_select_related` once the queryset already selects related rows.
    str_select_related: tuple[str, ...] = ()

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if self.str_select_related:
            listed = self.list_select_related if isinstance(self.list_select_related, list | tuple) else ()
            queryset = queryset.select_related(*self.str_select_related, *listed)
        return queryset

    def get_readonly_fields(self, request, obj=None):
        readonly = tuple(super().get_readonly_fields(request, obj))
        return readonly + tuple(
            name for name in AUDIT_FIELDS if name not in readonly and self._has_field(name)
        )

    def _has_field(self, name: str) -> bool:
        try:
            self.model._meta.get_field(name)
        except FieldDoesNotExist:
            return False
        return True

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if obj is not None and obj.pk is not None and not is_unscoped(request):
            keep_current_choices(form.base_fields, self.model, self.model._base_manager.filter(pk=obj.pk))
        return form

    def save_model(self, request, obj, form, change):
        if not change and self._has_field("created_by") and obj.created_by_id is None:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        instances = formset.save(commit=False)
        for obj in formset.deleted_objects:
            obj.delete()
        for obj in instances:
            if obj._state.adding and hasattr(obj, "created_by_id") and obj.created_by_id is None:
                obj.created_by = request.user
            obj.save()
        formset.save_m2m()


class RegionScopedAdmin(AuditedAdmin):
    """Confines regional coordinators (staff, not superuser) to the rows of their regions.

    `region_path` is the lookup from the model to `regions.Region`: ``"agenda__region"``,
    ``"region"``, ``""`` for Region itself, or a tuple of alternatives that are OR-ed (a session
    belongs to a region through its agenda *or* its programme). With `shared_unassigned`, rows whose
    region is empty (national indicators, programme materials) are readable by every coordinator but
    changeable only by superusers.

    Mix it in before another ModelAdmin subclass, e.g. ``class GoalAdmin(RegionScopedAdmin,
    SimpleHistoryAdmin)``."""

    region_path: str | tuple[str, ...] = "agenda__region"
    shared_unassigned: bool = False

    # --- the scope ---------------------------------------------------------------------------

    def scope_queryset(self, queryset: QuerySet, request: HttpRequest, *, writable: bool = False) -> QuerySet:
        """`queryset` restricted to what the user may read (or, with `writable`, change)."""
        if is_unscoped(request):
            return queryset
        return scope_by_region(
            queryset,
            self.region_path,
            managed_region_ids(request),
            include_unassigned=self.shared_unassigned and not writable,
        )

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        # A coordinator cannot save a row without a region (it would leave their scope): when the
        # region is a direct field, ask for it on the form instead of refusing after the fact.
        paths = _as_paths(self.region_path)
        if len(paths) == 1 and paths[0] and "__" not in paths[0] and not is_unscoped(request):
            field = form.base_fields.get(paths[0])
            if field is not None:
                field.required = True
        return form

    def get_queryset(self, request):
        # The change list, change/delete/history views, actions and autocomplete all start here.
        return self.scope_queryset(super().get_queryset(request), request)

    def obj_in_scope(self, request: HttpRequest, obj: Model | None, *, writable: bool) -> bool:
        """One query per object and request (cached): the delete confirmation asks for every object
        of the cascade."""
        if obj is None or obj.pk is None or is_unscoped(request):
            return True
        cache = request.__dict__.setdefault(_SCOPE_CACHE_ATTR, {})
        key = (obj._meta.label, obj.pk, writable)
        if key not in cache:
            rows = self.model._base_manager.filter(pk=obj.pk)
            cache[key] = self.scope_queryset(rows, request, writable=writable).exists()
        return cache[key]

    # --- permissions consistent with the scope ----------------------------------------------

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) and self.obj_in_scope(request, obj, writable=False)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self.obj_in_scope(request, obj, writable=True)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self.obj_in_scope(request, obj, writable=True)

    def has_add_permission(self, request):
        return super().has_add_permission(request) and (
            is_unscoped(request) or bool(managed_region_ids(request))
        )

    def save_related(self, request, form, formsets, change):
        """Last line of defence, after many-to-many fields are saved: a coordinator may not save a
        row outside their regions. Raised inside the admin's transaction, so nothing is kept."""
        super().save_related(request, form, formsets, change)
        if not is_unscoped(request):
            request.__dict__.pop(_SCOPE_CACHE_ATTR, None)
            if not self.obj_in_scope(request, form.instance, writable=True):
                raise PermissionDenied


class ScopedInlineMixin(ScopedChoicesMixin):
    """For inlines: their foreign-key choices are scoped like the parent's, keeping the values the
    parent's existing rows already point to."""

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        if obj is not None and obj.pk is not None and not is_unscoped(request):
            rows = self.model._base_manager.filter(**{formset.fk.name: obj})
            keep_current_choices(formset.form.base_fields, self.model, rows)
        return formset


class TabularInline(ScopedInlineMixin, admin.TabularInline):
    formfield_overrides = FORMFIELD_OVERRIDES
    extra = 0
    show_change_link = True


class StackedInline(ScopedInlineMixin, admin.StackedInline):
    formfield_overrides = FORMFIELD_OVERRIDES
    extra = 0
    show_change_link = True


class ReadOnlyInlineMixin:
    """An inline that lists rows but never adds, changes or deletes them (e.g. frozen revisions)."""

    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
