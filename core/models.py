"""Abstract bases and helpers shared by every app's models."""

from django.conf import settings
from django.db import models
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


def translated(base: str):
    """A read-only property returning `<base>_<language>` for the active language, falling back to
    Ukrainian (the language every record is required to have)."""

    def getter(self):
        lang = (get_language() or "uk")[:2]
        value = getattr(self, f"{base}_{lang}", "") or ""
        return value or getattr(self, f"{base}_uk", "") or ""

    return property(getter)
