"""The server-rendered SVG charts: escaped text, geometry from dates, no inline styles."""

import datetime

from projects import svg

D = datetime.date


def row(key, start, end, **kw):
    defaults = {
        "number": f"1.{key}",
        "title": f"Крок {key}",
        "status": "planned",
        "status_label": "Planned",
        "progress": 0,
        "overdue": False,
    }
    return svg.GanttRow(key=key, start=start, end=end, **{**defaults, **kw})


def test_gantt_needs_at_least_one_date():
    assert svg.gantt_svg([row(1, None, None)], today=D(2021, 5, 1), title="Plan") is None


def test_gantt_draws_bars_milestones_dependencies_and_today():
    chart = svg.gantt_svg(
        [
            row(1, D(2021, 1, 11), D(2021, 2, 26), status="done", progress=100),
            row(2, D(2021, 3, 1), D(2021, 4, 30), progress=40, overdue=True, depends_on=(1,)),
            row(3, None, D(2021, 6, 1)),
        ],
        today=D(2021, 5, 10),
        title="План <P-1>",
    )
    assert chart.startswith("<svg") and chart.endswith("</svg>")
    assert "style=" not in chart
    assert "План &lt;P-1&gt;" in chart
    assert chart.count('class="ca-gantt-bar ca-gantt-') == 3
    assert "ca-gantt-done" in chart and "ca-gantt-overdue" in chart and "ca-gantt-milestone" in chart
    assert "ca-gantt-dependency" in chart and 'marker-end="url(#gantt-arrow)"' in chart
    assert "ca-gantt-today" in chart
    assert chart.count("ca-gantt-progress") == 2  # the 0 % step has no progress bar


def test_gantt_leaves_today_out_when_outside_the_plan():
    chart = svg.gantt_svg([row(1, D(2021, 1, 1), D(2021, 2, 1))], today=D(2026, 1, 1), title="Plan")
    assert "ca-gantt-today" not in chart


def test_stacked_bars_escape_and_scale():
    series = [svg.Series("a", "A & B", "ca-fill-src-0"), svg.Series("b", "<b>", "ca-fill-src-1")]
    chart = svg.stacked_bars_svg(
        [("Область <1>", {"a": 1, "b": 3}), ("Область 2", {})],
        series=series,
        title="T",
        desc="D",
        id_prefix="x",
        normalise=True,
    )
    assert "Область &lt;1&gt;" in chart and "A &amp; B" in chart and "&lt;b&gt;" in chart
    assert "<b>" not in chart
    assert "(75 %)" in chart and "(25 %)" in chart
    assert "style=" not in chart
