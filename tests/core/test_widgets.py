"""FastSelect renders the same HTML as Django's Select, only faster."""

import pytest
from django import forms
from django.test.html import parse_html

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
    assert "<\"quoted\">" not in fast


def test_grouped_choices_fall_back_to_django_select():
    grouped = [("Group", [(1, "One"), (2, "Two")])]
    fast = FastSelect(choices=grouped).render("x", 2)
    assert parse_html(fast) == parse_html(forms.Select(choices=grouped).render("x", 2))
