"""One FilterSet per list page: sessions, external events, materials."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from regions.models import Material

from .models import OPEN_STATUSES, EventStatus, ExternalEventKind, Format, SessionKind


class StyledFilterSet(django_filters.FilterSet):
    """Bootstrap classes on the filter controls (the form is built lazily, after __init__)."""

    @property
    def form(self):
        form = super().form
        if not getattr(form, "_styled", False):
            for field in form.fields.values():
                widget = field.widget
                if isinstance(widget, forms.CheckboxInput):
                    widget.attrs.setdefault("class", "form-check-input")
                elif isinstance(widget, forms.Select):
                    widget.attrs.setdefault("class", "form-select form-select-sm")
                else:
                    widget.attrs.setdefault("class", "form-control form-control-sm")
            form._styled = True
        return form


def _year_choices(region):
    return (
        [(y, str(y)) for y in region.agendas.order_by("-year").values_list("year", flat=True)]
        if region
        else []
    )


class SessionFilter(StyledFilterSet):
    year = django_filters.ChoiceFilter(
        label=_("Agenda year"), method="filter_year", empty_label=_("all years")
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=EventStatus.choices, empty_label=_("any status")
    )
    kind = django_filters.ModelChoiceFilter(
        label=pgettext_lazy("workshop", "Stage"),
        queryset=SessionKind.objects.all(),
        empty_label=_("any stage"),
    )
    format = django_filters.ChoiceFilter(
        label=_("Format"), choices=Format.choices, empty_label=_("any format")
    )
    overdue = django_filters.BooleanFilter(
        label=_("Only overdue"), method="filter_overdue", widget=forms.CheckboxInput
    )

    def __init__(self, *args, region=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["year"].extra["choices"] = _year_choices(region)

    def filter_year(self, queryset, name, value):
        # The joint session 1 belongs to the programme, not to one year's agenda: it is always listed.
        return queryset.filter(Q(agenda__year=int(value)) | Q(agenda__isnull=True)) if value else queryset

    def filter_overdue(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(starts_at__lt=timezone.now(), status__in=OPEN_STATUSES)


class ExternalEventFilter(StyledFilterSet):
    year = django_filters.ChoiceFilter(
        label=_("Agenda year"), field_name="agenda__year", empty_label=_("all years")
    )
    kind = django_filters.ChoiceFilter(
        label=_("Kind"), choices=ExternalEventKind.choices, empty_label=_("any kind")
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=EventStatus.choices, empty_label=_("any status")
    )
    stage = django_filters.ModelChoiceFilter(
        label=pgettext_lazy("workshop", "Stage"),
        queryset=SessionKind.objects.all(),
        empty_label=_("any stage"),
    )
    q = django_filters.CharFilter(label=_("Search"), method="filter_q")

    def __init__(self, *args, region=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["year"].extra["choices"] = _year_choices(region)

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(title_uk__icontains=value) | Q(title_en__icontains=value) | Q(location__icontains=value)
        )


class MaterialFilter(StyledFilterSet):
    kind = django_filters.ChoiceFilter(
        label=_("Kind"), choices=Material.Kind.choices, empty_label=_("any kind")
    )
    language = django_filters.ChoiceFilter(
        label=_("Language"),
        choices=[("uk", _("Ukrainian")), ("en", _("English"))],
        empty_label=_("any language"),
    )
    q = django_filters.CharFilter(label=_("Search"), method="filter_q")

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(title__icontains=value) | Q(description__icontains=value))
