from django import template

from core.text import render_markdown

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(value: str):
    """Render user Markdown as sanitised HTML: `{{ session.minutes|markdown }}`."""
    return render_markdown(value)
