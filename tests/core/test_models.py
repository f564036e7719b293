"""The shared model base: `get_<field>_display()` reads a mapping built once per field, and says exactly
what Django's own would, in either language."""

from unittest import mock

from django.apps import apps
from django.db import models
from django.utils import translation

from core.models import BaseModel, choice_labels

PROJECT_APPS = {"accounts", "regions", "stakeholders", "agenda", "agenda_sessions", "projects"}


def _choice_fields():
    for model in apps.get_models():
        if model._meta.app_label in PROJECT_APPS and issubclass(model, BaseModel):
            for field in model._meta.concrete_fields:
                if field.choices:
                    yield model, field


def test_every_choice_label_is_what_django_would_say_in_both_languages():
    fields = list(_choice_fields())
    assert len(fields) > 20, "the project's choice fields are all checked"
    for language in ("uk", "en"):
        with translation.override(language):
            for model, field in fields:
                for value in [value for value, _label in field.flatchoices] + ["not-a-choice", None]:
                    instance = model(**{field.attname: value})
                    ours = instance._get_FIELD_display(field)
                    django = models.Model._get_FIELD_display(instance, field)
                    assert ours == django, (model.__name__, field.name, value, language)
                    assert type(ours) is type(django)


def test_the_mapping_is_built_once_per_field_and_labels_are_translated_when_shown():
    from stakeholders.models import RoleMatrixEntry

    field = RoleMatrixEntry._meta.get_field("commitment_level")
    assert choice_labels(field) is choice_labels(field)
    value = field.flatchoices[0][0]
    entry = RoleMatrixEntry(commitment_level=value)
    with translation.override("uk"):
        ukrainian = entry.get_commitment_level_display()
    with translation.override("en"):
        english = entry.get_commitment_level_display()
    assert ukrainian != english
    translation.gettext("")  # the translation functions are bound on first use
    real = translation._trans.gettext
    with mock.patch.object(translation._trans, "gettext", side_effect=real) as spy:
        entry.get_commitment_level_display()
        ours = spy.call_count
        models.Model._get_FIELD_display(entry, field)
        djangos = spy.call_count - ours
    assert ours <= 1, "one label translated, not every label of the field"
    assert djangos >= len(field.flatchoices), "(what it saves: Django's translates every label)"
