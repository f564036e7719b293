"""Form widgets shared by the apps."""

from django import forms
from django.forms.utils import flatatt
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe


class FastSelect(forms.Select):
    """A single <select> rendered in Python instead of one template per option.

    The HTML is the same as `forms.Select` (attributes, the selected option, escaping); it is meant for
    long lists such as every organisation of a region, where the per-option templates cost most of a
    page's time. Grouped choices are rendered by `forms.Select` itself."""

    def render(self, name, value, attrs=None, renderer=None):
        # Not list(): it asks a model choice iterator its length first, a COUNT query of its own.
        choices = [choice for choice in self.choices]  # noqa: C416
        if any(isinstance(label, (list, tuple)) for _value, label in choices):
            return super().render(name, value, attrs, renderer)
        final_attrs = self.build_attrs(self.attrs, attrs)
        final_attrs["name"] = name
        selected = {str(v) for v in self.format_value(value)}
        parts = [f"<select{flatatt(final_attrs)}>"]
        chosen = False
        for option_value, label in choices:
            text = "" if option_value is None else str(option_value)
            mark = ""
            if not chosen and text in selected:
                mark, chosen = " selected", True
            parts.append(
                f'<option value="{conditional_escape(text)}"{mark}>{conditional_escape(label)}</option>'
            )
        parts.append("</select>")
        return mark_safe("\n".join(parts))  # noqa: S308 - every value above is escaped
