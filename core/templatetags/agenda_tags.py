from django import template

from core.text import render_markdown

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(value: str):
    """Render user Markdown as sanitised HTML: `{{ session.minutes|markdown }}`."""
    return render_markdown(value)


@register.filter
def minus(value, other):
    """`{{ total|minus:shown }}`: integer subtraction (0 when either side is not a number)."""
    try:
        return int(value) - int(other)
    except (TypeError, ValueError):
        return 0

