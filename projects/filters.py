"""The portfolio's filters (one FilterSet for the project list)."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from agenda.filters import style_filter_form
from agenda.models import Goal, Priority

from .models import (
    CLOSED_PROJECT_STATUSES,
    FundingLine,
    FundingSourceKind,
    MechanismKind,
    Project,
    ProjectStatus,
)


class ProjectFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("search"), method="filter_q")
    priority = django_filters.ChoiceFilter(label=_("priority"), choices=Priority.choices)
    is_pilot = django_filters.ChoiceFilter(
        label=_("pilot"), choices=[("1", _("pilots only")), ("0", _("not pilots"))], method="filter_pilot"
    )
    status = django_filters.ChoiceFilter(
        label=_("status"),
        choices=ProjectStatus.choices,
        method="filter_status",
        empty_label=_("in the portfolio (not cancelled or rejected)"),
    )
    domain = django_filters.ModelChoiceFilter(label=_("specialisation domain"), queryset=None)
    lead_org = django_filters.ModelChoiceFilter(label=_("lead organisation"), queryset=None)
    mechanism = django_filters.ModelChoiceFilter(
        label=_("mechanism"),
        field_name="mechanisms",
        queryset=MechanismKind.objects.order_by("order", "code"),
    )
    goal = django_filters.ModelChoiceFilter(label=_("goal"), field_name="goals", queryset=None)
    source_kind = django_filters.ChoiceFilter(
        label=_("funding source"), choices=FundingSourceKind.choices, method="filter_source_kind"
    )
    funding_status = django_filters.ChoiceFilter(
        label=_("funding status"), choices=FundingLine.Status.choices, method="filter_funding_status"
    )

    class Meta:
        model = Project
        fields = [
            "q",
            "priority",
            "is_pilot",
            "status",
            "domain",
            "lead_org",
            "mechanism",
            "goal",
            "source_kind",
            "funding_status",
        ]

    def __init__(self, *args, agenda, **kwargs):
        super().__init__(*args, **kwargs)
        from stakeholders.models import Organisation

        self.filters["domain"].queryset = agenda.region.domains.all()
        self.filters["lead_org"].queryset = (
            Organisation.objects.filter(led_projects__agenda=agenda).distinct().order_by("name_uk")
        )
        self.filters["goal"].queryset = Goal.objects.filter(agenda=agenda).order_by("code")

    # Filters that follow a to-many relation: a project matching through two of its rows would be listed
    # twice, so only these make the list DISTINCT (whose sort over every column of the page's joined
    # rows cost the unfiltered portfolio 3 ms of planning alone).
    TO_MANY = ("mechanism", "goal", "source_kind", "funding_status")

    def filter_queryset(self, queryset):
        # Without a status chosen the portfolio shows the projects still in it.
        if not self.form.cleaned_data.get("status"):
            queryset = queryset.exclude(status__in=CLOSED_PROJECT_STATUSES)
        queryset = super().filter_queryset(queryset)
        if any(self.form.cleaned_data.get(name) for name in self.TO_MANY):
            queryset = queryset.distinct()
        return queryset

    @property
    def form(self):
        form = super().form
        if not getattr(form, "_styled", False):
            style_filter_form(form)
            form._styled = True
        return form

    def filter_pilot(self, queryset, name, value):
        return queryset.filter(is_pilot=value == "1") if value in ("0", "1") else queryset

    def filter_q(self, queryset, name, value):
        value = (value or "").strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(code__icontains=value)
            | Q(title_uk__icontains=value)
            | Q(title_en__icontains=value)
            | Q(summary_uk__icontains=value)
        )

    def filter_status(self, queryset, name, value):
        return queryset.filter(status=value) if value else queryset

    def filter_source_kind(self, queryset, name, value):
        return queryset.filter(funding_lines__source_kind=value) if value else queryset

    def filter_funding_status(self, queryset, name, value):
        return queryset.filter(funding_lines__status=value) if value else queryset
