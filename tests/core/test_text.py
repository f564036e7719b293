from core.text import render_markdown


def test_markdown_renders_lists_and_tables():
    html = render_markdown("# Протокол\n\n* пункт 1\n* пункт 2\n\n| a | b |\n|---|---|\n| 1 | 2 |")
    assert "<h1>Протокол</h1>" in html
    assert "<li>пункт 1</li>" in html
    assert "<table>" in html


def test_markdown_strips_script_and_event_handlers():
    html = render_markdown('<script>alert(1)</script><img src=x onerror=alert(2)> [link](javascript:alert(3))')
    assert "<script" not in html
    assert "onerror" not in html
    assert "javascript:" not in html
