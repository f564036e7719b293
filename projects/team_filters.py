"""Filters of the team list, the plan list and a plan's steps. Choices are limited to the region."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from regions.models import SpecialisationDomain
from stakeholders.models import Organisation

from .models import ActionStep, Project, TeamKind, WorkingTeam


def yes_no_widget():
    return forms.Select(choices=[("", "---------"), ("true", _("Yes")), ("false", _("No"))])


class StyledFilterSet(django_filters.FilterSet):
    """Bootstrap classes on the filter form's widgets (set after the region-limited choices)."""

    def style_form(self) -> None:
        for field in self.form.fields.values():
            css = (
                "form-control form-control-sm"
                if isinstance(field.widget, forms.TextInput)
                else "form-select form-select-sm"
            )
            field.widget.attrs.setdefault("class", css)


class TeamFilter(StyledFilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    status = django_filters.ChoiceFilter(label=_("Status"), choices=WorkingTeam.Status.choices)
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=TeamKind.choices)
    domain = django_filters.ModelChoiceFilter(
        label=_("Specialisation direction"), queryset=SpecialisationDomain.objects.none()
    )

    class Meta:
        model = WorkingTeam
        fields = ["q", "status", "kind", "domain"]

    def __init__(self, *args, region, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["domain"].queryset = SpecialisationDomain.objects.filter(region=region).order_by(
            "-is_main", "name_uk"
        )
        self.style_form()

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(name_uk__icontains=value) | Q(name_en__icontains=value) | Q(cross_sector_area__icontains=value)
        )


class PlanFilter(StyledFilterSet):
    """Projects of an agenda with their action plans."""

    pilot = django_filters.BooleanFilter(
        field_name="is_pilot", label=_("Pilot project"), widget=yes_no_widget()
    )
    team = django_filters.ModelChoiceFilter(label=_("Working team"), queryset=WorkingTeam.objects.none())

    class Meta:
        model = Project
        fields = ["pilot", "team"]

    def __init__(self, *args, agenda, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["team"].queryset = WorkingTeam.objects.filter(agenda=agenda).order_by("name_uk")
        self.style_form()


class StepFilter(StyledFilterSet):
    status = django_filters.ChoiceFilter(label=_("Status"), choices=ActionStep.Status.choices)
    responsible_org = django_filters.ModelChoiceFilter(
        label=_("Responsible organisation"), queryset=Organisation.objects.none()
    )
    overdue = django_filters.BooleanFilter(
        label=_("Overdue"), method="filter_overdue", widget=yes_no_widget()
    )

    class Meta:
        model = ActionStep
        fields = ["status", "responsible_org", "overdue"]

    def __init__(self, *args, region, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["responsible_org"].queryset = Organisation.objects.filter(region=region).order_by(
            "name_uk"
        )
        self.style_form()

    def filter_overdue(self, queryset, name, value):
        if value:
            return queryset.overdue(timezone.localdate())
        if value is False:
            return queryset.exclude(pk__in=ActionStep.objects.overdue(timezone.localdate()).values("pk"))
        return queryset
