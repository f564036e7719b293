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


@register.filter
def head(items, limit):
    """`{% for x in items|head:n %}`: the first `n` items, all of them when `n` is 0 or empty. A template
    loop that skips the rest still walks every item; a region can have hundreds of gaps."""
    return items[: int(limit)] if limit else items
