"""Many-to-many choices refuse keys the database cannot hold with a form error, on every backend.

SQLite raises OverflowError for an `__in` look-up with an integer beyond 64 bits (PostgreSQL finds
nothing), so a hostile tick-box value used to be a 500 on SQLite only."""

import importlib
import pkgutil
from pathlib import Path

import pytest
from django import forms
from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.test import RequestFactory
from django.utils import translation

from core.forms import BoundedModelMultipleChoiceField
from stakeholders.models import Organisation
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("value", [str(2**63), str(-(2**63) - 1), "99999999999999999999999"])
def test_a_key_beyond_the_column_is_an_invalid_value(value):
    org = f.OrganisationFactory()
    field = BoundedModelMultipleChoiceField(queryset=Organisation.objects.all())
    with pytest.raises(ValidationError) as caught:
        field.clean([str(org.pk), value])
    assert caught.value.code == "invalid_pk_value"


def test_a_key_in_range_that_is_not_offered_is_an_invalid_choice():
    f.OrganisationFactory()
    field = BoundedModelMultipleChoiceField(queryset=Organisation.objects.all())
    with pytest.raises(ValidationError) as caught:
        field.clean([str(2**31 - 1)])
    assert caught.value.code == "invalid_choice"


def test_the_offered_keys_still_clean():
    org = f.OrganisationFactory()
    field = BoundedModelMultipleChoiceField(queryset=Organisation.objects.all())
    assert list(field.clean([str(org.pk)])) == [org]


def test_the_message_is_in_ukrainian():
    field = BoundedModelMultipleChoiceField(queryset=Organisation.objects.all())
    with translation.override("uk"), pytest.raises(ValidationError) as caught:
        field.clean(["x", str(2**64)])
    with translation.override("uk"):
        assert caught.value.messages == [f"«{2**64}» немає серед доступних варіантів."]


def _product_apps():
    """The apps of this repository (top-level folders; the virtualenv's packages are not)."""
    root = Path(settings.BASE_DIR).resolve()
    return [config for config in apps.get_app_configs() if Path(config.path).resolve().parent == root]


def _product_form_classes():
    """Every form class defined in the project's own apps (their forms modules imported first)."""
    names = []
    for config in _product_apps():
        names.append(config.name)
        for module in pkgutil.iter_modules([config.path]):
            if module.name.endswith("forms"):
                importlib.import_module(f"{config.name}.{module.name}")
    seen, todo = [], [forms.BaseForm]
    while todo:
        cls = todo.pop()
        for sub in cls.__subclasses__():
            todo.append(sub)
            if sub.__module__.split(".")[0] in names:
                seen.append(sub)
    return seen


def test_every_multiple_choice_of_rows_in_the_apps_forms_is_bounded():
    offenders = [
        f"{cls.__module__}.{cls.__name__}.{name}"
        for cls in _product_form_classes()
        for name, field in cls.base_fields.items()
        if isinstance(field, forms.ModelMultipleChoiceField)
        and not isinstance(field, BoundedModelMultipleChoiceField)
    ]
    assert not offenders, "use core.forms.formfield / BoundedModelMultipleChoiceField"


def test_every_many_to_many_field_of_the_apps_admin_is_bounded():
    """Including the user admin's groups and permissions (Django's fields otherwise)."""
    request = RequestFactory().get("/")
    request.user = f.UserFactory(is_staff=True, is_superuser=True)
    labels = {config.label for config in _product_apps()}
    checked = []
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label not in labels:
            continue
        for db_field in model._meta.many_to_many:
            formfield = model_admin.formfield_for_dbfield(db_field, request)
            if isinstance(formfield, forms.ModelMultipleChoiceField):
                checked.append(f"{model.__name__}.{db_field.name}")
                assert isinstance(formfield, BoundedModelMultipleChoiceField), checked[-1]
    assert checked
