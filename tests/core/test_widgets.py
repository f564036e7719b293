"""FastSelect renders the same HTML as Django's Select, only faster."""

import pytest
from django import forms
from django.db import connection
from django.test.html import parse_html
from django.test.utils import CaptureQueriesContext

from core.widgets import FastSelect

CHOICES = [("", "---------"), (1, "Кластер «Таврія»"), (2, 'A & B <"quoted">'), (3, "Third")]


@pytest.mark.parametrize("value", [None, "", 2, "3", 99])
@pytest.mark.parametrize(
    "attrs", [{"id": "id_proposed_by", "class": "form-select", "required": True}, {"aria-invalid": "true"}]
)
def test_same_html_as_django_select(value, attrs):
    fast = FastSelect(choices=CHOICES).render("proposed_by", value, attrs=attrs)
    django = forms.Select(choices=CHOICES).render("proposed_by", value, attrs=attrs)
    assert parse_html(fast) == parse_html(django)
    assert '<"quoted">' not in fast


def test_grouped_choices_fall_back_to_django_select():
    grouped = [("Group", [(1, "One"), (2, "Two")])]
    fast = FastSelect(choices=grouped).render("x", 2)
    assert parse_html(fast) == parse_html(forms.Select(choices=grouped).render("x", 2))


@pytest.mark.django_db
def test_filter_forms_render_their_selects_fast_with_the_same_html():
    """The filter forms' plain selects (the organisation filters list a whole region) are FastSelects
    that say exactly what Django's Select would, the chosen option included."""
    from agenda.filters import SwotItemFilter
    from agenda.models import SwotItem
    from tests import factories as f

    agenda = f.AgendaFactory()
    orgs = [f.OrganisationFactory(region=agenda.region, name_uk=f"Організація «{i}» & Ко") for i in range(3)]
    for params in ({}, {"proposed_by": str(orgs[1].pk), "quadrant": "S", "dimension": "bogus"}):
        form = SwotItemFilter(params, queryset=SwotItem.objects.all(), agenda=agenda).form
        fast = [name for name, field in form.fields.items() if type(field.widget) is FastSelect]
        assert {"proposed_by", "quadrant", "dimension"} <= set(fast)
        for name in fast:
            ours = str(form[name])
            form.fields[name].widget.__class__ = forms.Select
            assert parse_html(ours) == parse_html(str(form[name])), name
        if params:
            assert f'value="{orgs[1].pk}" selected' in str(form["proposed_by"])
    form = SwotItemFilter({}, queryset=SwotItem.objects.all(), agenda=agenda).form
    with CaptureQueriesContext(connection) as ctx:
        str(form["proposed_by"])
    assert len(ctx.captured_queries) == 1, "the organisations are read once, never counted first"
