"""Crispy forms rendered through `core.formcache`: the same HTML as `{% crispy form %}` and
`{{ field|as_crispy_field }}`, rendered once per process while the form is not submitted."""

from django import template

from core.formcache import crispy_field_html, crispy_form_html

register = template.Library()


@register.simple_tag
def crispy_once(form):
    """`{% crispy_once form %}` in place of `{% crispy form %}`."""
    return crispy_form_html(form)


@register.filter
def as_crispy_field_once(field):
    """`{{ field|as_crispy_field_once }}` in place of `{{ field|as_crispy_field }}`."""
    return crispy_field_html(field)
