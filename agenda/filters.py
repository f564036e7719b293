"""Filters of the SWOT board, the challenge list and the goal list (one FilterSet per list)."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.widgets import FastSelect
from stakeholders.models import Organisation

from .models import Challenge, EcosystemDimension, Goal, GoalStatus, SwotItem, SwotQuadrant


def _search(fields):
    def method(queryset, name, value):
        value = (value or "").strip()
        if not value:
            return queryset
        condition = Q()
        for field in fields:
            condition |= Q(**{f"{field}__icontains": value})
        return queryset.filter(condition)

    return method


def style_filter_form(form) -> None:
    """Bootstrap classes on a filter form's widgets (small, to fit one row). A plain single select is
    rendered as a FastSelect (same HTML): the organisation filters list every organisation of the region,
    one template per option otherwise."""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput):
            widget.attrs.setdefault("class", "form-check-input")
        elif isinstance(widget, forms.Select):
            widget.attrs.setdefault("class", "form-select form-select-sm")
            if type(widget) is forms.Select:
                widget.__class__ = FastSelect  # only its render differs: the field's choices stay bound
        else:
            widget.attrs.setdefault("class", "form-control form-control-sm")


class _AgendaFilterSet(django_filters.FilterSet):
    def __init__(self, *args, agenda, **kwargs):
        super().__init__(*args, **kwargs)
        self.agenda = agenda
        for name in ("proposed_by", "owner", "owner_org"):
            if name in self.filters:
                self.filters[name].queryset = Organisation.objects.filter(region=agenda.region).order_by(
                    "name_uk"
                )
        if "challenge" in self.filters:
            self.filters["challenge"].queryset = Challenge.objects.filter(agenda=agenda).order_by(
                "rank", "code"
            )

    @property
    def form(self):
        form = super().form
        if not getattr(form, "_styled", False):
            style_filter_form(form)
            form._styled = True
        return form


class SwotItemFilter(_AgendaFilterSet):
    q = django_filters.CharFilter(label=_("search"), method=_search(["text_uk", "text_en", "evidence"]))
    quadrant = django_filters.ChoiceFilter(
        label=_("quadrant"), choices=SwotQuadrant.choices, empty_label=_("all four")
    )
    dimension = django_filters.ChoiceFilter(
        label=_("ecosystem dimension"), choices=EcosystemDimension.choices
    )
    proposed_by = django_filters.ModelChoiceFilter(
        label=_("proposed by"), queryset=Organisation.objects.none()
    )

    class Meta:
        model = SwotItem
        fields = ["q", "quadrant", "dimension", "proposed_by"]


class ChallengeFilter(_AgendaFilterSet):
    q = django_filters.CharFilter(
        label=_("search"), method=_search(["code", "title_uk", "title_en", "description"])
    )
    status = django_filters.ChoiceFilter(label=_("status"), choices=Challenge.Status.choices)
    owner = django_filters.ModelChoiceFilter(label=_("owner"), queryset=Organisation.objects.none())

    class Meta:
        model = Challenge
        fields = ["q", "status", "owner"]


class GoalFilter(_AgendaFilterSet):
    q = django_filters.CharFilter(
        label=_("search"), method=_search(["code", "title_uk", "title_en", "specific_uk"])
    )
    status = django_filters.ChoiceFilter(label=_("status"), choices=GoalStatus.choices)
    owner_org = django_filters.ModelChoiceFilter(
        label=_("owner organisation"), queryset=Organisation.objects.none()
    )
    challenge = django_filters.ModelChoiceFilter(label=_("challenge"), queryset=Challenge.objects.none())
    without_projects = django_filters.BooleanFilter(
        label=_("without projects only"),
        method="filter_without_projects",
        widget=forms.CheckboxInput,
    )

    class Meta:
        model = Goal
        fields = ["q", "status", "owner_org", "challenge", "without_projects"]

    def filter_without_projects(self, queryset, name, value):
        if not value:
            return queryset
        from projects.models import CLOSED_PROJECT_STATUSES

        return queryset.exclude(projects__in=self._open_projects(CLOSED_PROJECT_STATUSES))

    def _open_projects(self, closed):
        from projects.models import Project

        return Project.objects.filter(agenda=self.agenda).exclude(status__in=closed)
