"""Abstract bases and helpers shared by every app's models."""

from django.conf import settings
from django.db import models
from django.utils.choices import CallableChoiceIterator
from django.utils.encoding import force_str
from django.utils.hashable import make_hashable
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class BaseModel(models.Model):
    """Every row knows when and by whom it was made, and whether it is demo data (purgeable)."""

    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    is_demo = models.BooleanField(_("demo data"), default=False, editable=False)

    class Meta:
        abstract = True

    def _get_FIELD_display(self, field):
        """What `get_<field>_display()` returns — as Django's own, from a mapping built once per field:
        Django builds it at every call, hashing every lazy label (a translation lookup each), which on
        a page of fifty rows with four choice fields is some two thousand lookups."""
        value = getattr(self, field.attname)
        return force_str(choice_labels(field).get(make_hashable(value), value), strings_only=True)


def choice_labels(field) -> dict:
    """Value -> label (lazy: translated when shown) of a field's choices. Kept on the field, except for
    choices given as a callable, which may change."""
    labels = field.__dict__.get("_choice_labels")
    if labels is None:
        labels = {make_hashable(value): label for value, label in field.flatchoices}
        if not isinstance(field.choices, CallableChoiceIterator):
            field.__dict__["_choice_labels"] = labels
    return labels


def translated(base: str):
    """A read-only property returning `<base>_<language>` for the active language, falling back to
    Ukrainian (the language every record is required to have)."""

    def getter(self):
        lang = (get_language() or "uk")[:2]
        value = getattr(self, f"{base}_{lang}", "") or ""
        return value or getattr(self, f"{base}_uk", "") or ""

    return property(getter)
