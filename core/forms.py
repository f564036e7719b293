"""Form fields shared by the apps' forms (and the admin's)."""

from django import forms
from django.db import connections, models
from django.utils.translation import gettext_lazy as _


class BoundedModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """A multiple choice of rows that refuses a key the database column cannot hold as an invalid value,
    before the database is asked.

    Django guards `pk=<huge>` (it finds nothing) but not `pk__in=[<huge>]`: SQLite then raises
    OverflowError for an integer beyond 64 bits, a 500 instead of a form error, while PostgreSQL finds
    nothing. Every many-to-many choice of the apps' forms uses this field; `formfield` below gives it to
    model forms."""

    # Django's own message is not translated into Ukrainian.
    default_error_messages = {"invalid_pk_value": _("“%(pk)s” is not one of the available choices.")}

    def clean(self, value):
        value = self.prepare_value(value)
        bounds = self._key_range() if isinstance(value, list | tuple) else None
        if bounds:
            for pk in value:
                try:
                    number = int(pk)
                except (TypeError, ValueError, OverflowError):
                    continue  # not a number: the parent class reports it
                if not bounds[0] <= number <= bounds[1]:
                    raise forms.ValidationError(
                        self.error_messages["invalid_pk_value"], code="invalid_pk_value", params={"pk": pk}
                    )
        return super().clean(value)

    def _key_range(self) -> tuple[int, int] | None:
        """(min, max) of the integer column the choices are looked up by; None for other columns."""
        opts = self.queryset.model._meta
        field = opts.get_field(self.to_field_name) if self.to_field_name else opts.pk
        while field.is_relation:  # a one-to-one primary key: the column holds the target's key
            field = field.target_field
        if not isinstance(field, models.IntegerField):  # includes the auto fields
            return None
        try:
            low, high = connections[self.queryset.db].ops.integer_field_range(field.get_internal_type())
        except KeyError:
            return None
        return (low if low is not None else -(2**63), high if high is not None else 2**63 - 1)


def formfield(model_field: models.Field, **kwargs) -> forms.Field | None:
    """`Meta.formfield_callback` of the apps' model forms: many-to-many fields get a
    `BoundedModelMultipleChoiceField` (a subclass given in `Meta.field_classes` wins)."""
    if isinstance(model_field, models.ManyToManyField):
        kwargs.setdefault("form_class", BoundedModelMultipleChoiceField)
    return model_field.formfield(**kwargs)


def parse_key(text: str | None) -> int | None:
    """A row key from a query-string or import value, or None when it cannot be one.

    `str.isdigit()` accepts "²", which `int()` refuses, and thousands of digits, which `int()` refuses past
    its limit and no database column holds: `isdecimal()` is exactly what `int()` reads, and a key has at
    most 19 digits."""
    text = (text or "").strip()
    if not text.isdecimal() or len(text) > 19:
        return None
    number = int(text)
    return number if number < 2**63 else None
