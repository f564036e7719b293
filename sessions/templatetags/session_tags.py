"""Template helpers of the session pages (`{% load session_tags %}`)."""

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def surl(context, name: str, *args) -> str:
    """The URL of a session action in the page's scope (region or programme):
    `{% surl "decision-edit" decision.pk %}` → /r/<region>/sessions/<pk>/decisions/<id>/edit/."""
    return context["scope"].url(name, context["session"].pk, *args)


@register.simple_tag(takes_context=True)
def scope_url(context, name: str, *args) -> str:
    """A URL of the page's scope that is not about one session (lists, materials)."""
    return context["scope"].url(name, *args)
