"""Server-rendered SVG: the Gantt chart of an action plan and the stacked-bar charts of the dashboards.

No JavaScript and no inline `style` (the Content-Security-Policy forbids it): geometry goes into SVG
attributes, colours into classes styled by static/css/app.css (and the PDF stylesheet). Every text is
escaped. Each chart has a <title> and <desc> for screen readers, every mark a <title> tooltip, and the
pages also show the same figures as a table.
"""

import datetime
import html
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from django.utils.dateformat import format as date_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _


def escape(value) -> str:
    """`value` as HTML-escaped text, the same as `django.utils.html.escape` without its wrapper for lazy
    strings: a dashboard's charts escape about a thousand values."""
    return html.escape(str(value))


def _num(value: float) -> str:
    """SVG numbers: short, no exponent, no trailing zeros."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _attrs(**attrs) -> str:
    parts = []
    for key, value in attrs.items():
        if value is None:
            continue
        name = key.rstrip("_").replace("_", "-")
        if isinstance(value, float | int) and not isinstance(value, bool):
            value = _num(value)
        parts.append(f'{name}="{escape(value)}"')
    return " ".join(parts)


def _el(tag: str, content: str = "", **attrs) -> str:
    return f"<{tag} {_attrs(**attrs)}>{content}</{tag}>" if content else f"<{tag} {_attrs(**attrs)}/>"


def _svg(
    body: list[str], *, width: float, height: float, title: str, desc: str, id_prefix: str, css_class: str
) -> SafeString:
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" {_attrs(viewBox=f"0 0 {_num(width)} {_num(height)}", width=width, height=height, role="img", class_=css_class, aria_labelledby=f"{id_prefix}-title {id_prefix}-desc", preserveAspectRatio="xMinYMin meet")}>'
        f'<title id="{escape(id_prefix)}-title">{escape(title)}</title><desc id="{escape(id_prefix)}-desc">{escape(desc)}</desc>'
    )
    return mark_safe(head + "".join(body) + "</svg>")  # noqa: S308 - every text above is escaped


# --- Gantt ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GanttRow:
    key: int
    number: str
    title: str
    start: datetime.date | None
    end: datetime.date | None
    status: str
    status_label: str
    progress: int
    overdue: bool
    responsible: str = ""
    depends_on: tuple[int, ...] = ()


def _month_starts(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    months, day = [], first.replace(day=1)
    while day <= last:
        months.append(day)
        day = (day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    return months


def gantt_svg(
    rows: Sequence[GanttRow],
    *,
    today: datetime.date,
    title: str,
    id_prefix: str = "gantt",
    label_width: int = 280,
    chart_width: int = 720,
) -> SafeString | None:
    """A Gantt chart: one bar per step from its start to its due date, the done part filled by progress,
    overdue steps marked, dependencies drawn as arrows, today as a dashed line. A step with only one
    date is a milestone diamond. Returns None when no step has any date."""
    dated = [d for r in rows for d in (r.start, r.end) if d]
    if not dated:
        return None
    first = min(dated).replace(day=1)
    last_date = max(dated)
    last = (last_date.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)  # start of the next month
    total_days = max((last - first).days, 1)
    header, row_h, bar_h, pad = 34, 30, 14, 8
    width = label_width + chart_width + pad
    height = header + row_h * len(rows) + pad

    def x(day: datetime.date) -> float:
        return label_width + chart_width * (day - first).days / total_days

    body: list[str] = [
        "<defs>",
        f'<marker id="{escape(id_prefix)}-arrow" viewBox="0 0 8 8" refX="7" refY="4" markerWidth="7" markerHeight="7" orient="auto-start-reverse">'
        '<path d="M0,0 L8,4 L0,8 z" class="ca-gantt-arrowhead"/></marker>',
        "</defs>",
        _el("rect", x=0, y=0, width=width, height=height, class_="ca-gantt-bg"),
    ]
    months = _month_starts(first, last - datetime.timedelta(days=1))
    label_every = 1 if len(months) <= 12 else 3 if len(months) <= 36 else 12
    for index, month in enumerate(months):
        mx = x(month)
        body.append(_el("line", x1=mx, y1=header - 6, x2=mx, y2=height - pad, class_="ca-gantt-grid"))
        if index % label_every == 0:
            label = date_format(month, "M Y") if index == 0 or month.month == 1 else date_format(month, "M")
            body.append(_el("text", escape(label), x=mx + 4, y=header - 12, class_="ca-gantt-month"))
    ends: dict[int, tuple[float, float]] = {}
    starts: dict[int, tuple[float, float]] = {}
    for index, row in enumerate(rows):
        y = header + index * row_h
        mid = y + row_h / 2
        if index % 2:
            body.append(_el("rect", x=0, y=y, width=width, height=row_h, class_="ca-gantt-stripe"))
        label = f"{row.number} {row.title}"
        limit = int(label_width / 7.6)  # ≈ characters that fit in the label column at 12px
        if len(label) > limit:
            label = label[: limit - 1] + "…"
        body.append(
            _el(
                "text",
                escape(label),
                x=6,
                y=mid + 4,
                class_="ca-gantt-label" + (" ca-gantt-label-overdue" if row.overdue else ""),
            )
        )
        dates = ", ".join(
            part
            for part in (
                f"{date_format(row.start, 'd.m.Y')} – {date_format(row.end, 'd.m.Y')}"
                if row.start and row.end
                else "",
                date_format(row.start or row.end, "d.m.Y") if bool(row.start) != bool(row.end) else "",
            )
            if part
        )
        tip = f"{row.number} {row.title} · {dates} · {row.status_label} · {row.progress} %"
        if row.responsible:
            tip += f" · {row.responsible}"
        if row.overdue:
            tip += f" · {_('overdue')}"
        classes = f"ca-gantt-bar ca-gantt-{row.status}" + (" ca-gantt-overdue" if row.overdue else "")
        if row.start and row.end:
            x1, x2 = x(row.start), x(row.end + datetime.timedelta(days=1))
            w = max(x2 - x1, 3)
            body.append(
                "<g>"
                + _el("title", escape(tip))
                + _el("rect", x=x1, y=mid - bar_h / 2, width=w, height=bar_h, rx=3, class_=classes)
                + (
                    _el(
                        "rect",
                        x=x1,
                        y=mid - bar_h / 2,
                        width=w * row.progress / 100,
                        height=bar_h,
                        rx=3,
                        class_="ca-gantt-progress",
                    )
                    if row.progress
                    else ""
                )
                + "</g>"
            )
            starts[row.key], ends[row.key] = (x1, mid), (x1 + w, mid)
        else:
            day = row.start or row.end
            cx, r = x(day), bar_h / 2 + 1
            body.append(
                "<g>"
                + _el("title", escape(tip))
                + _el(
                    "path",
                    d=f"M{_num(cx)},{_num(mid - r)} L{_num(cx + r)},{_num(mid)} L{_num(cx)},{_num(mid + r)} L{_num(cx - r)},{_num(mid)} z",
                    class_=classes + " ca-gantt-milestone",
                )
                + "</g>"
            )
            starts[row.key], ends[row.key] = (cx - r, mid), (cx + r, mid)
    for row in rows:
        for dep in row.depends_on:
            if dep in ends and row.key in starts:
                (ex, ey), (sx, sy) = ends[dep], starts[row.key]
                elbow = max(ex + 6, min(sx - 6, ex + 12))
                body.append(
                    _el(
                        "path",
                        d=f"M{_num(ex)},{_num(ey)} H{_num(elbow)} V{_num(sy)} H{_num(sx - 1)}",
                        class_="ca-gantt-dependency",
                        marker_end=f"url(#{id_prefix}-arrow)",
                    )
                )
    if first <= today < last:
        tx = x(today)
        body.append(_el("line", x1=tx, y1=header - 8, x2=tx, y2=height - pad, class_="ca-gantt-today"))
        body.append(
            _el("text", escape(_("today")), x=tx + 3, y=height - pad - 2, class_="ca-gantt-today-label")
        )
    desc = _("%(count)d steps from %(first)s to %(last)s; the table below lists them.") % {
        "count": len(rows),
        "first": date_format(first, "d.m.Y"),
        "last": date_format(last_date, "d.m.Y"),
    }
    return _svg(
        body,
        width=width,
        height=height,
        title=title,
        desc=desc,
        id_prefix=id_prefix,
        css_class="ca-chart ca-gantt",
    )


# --- stacked bars ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Series:
    key: str
    label: str
    css_class: str


def stacked_bars_svg(
    rows: Iterable[tuple[str, dict[str, float]]],
    *,
    series: Sequence[Series],
    title: str,
    desc: str,
    id_prefix: str,
    normalise: bool = False,
    value_format: Callable[[float], str] = lambda v: _num(v),
    label_width: int = 200,
    bar_width: int = 520,
) -> SafeString:
    """Horizontal stacked bars, one per row (e.g. a region), one segment per series. With `normalise`
    every bar is 100 % wide and shows shares; otherwise bars are scaled to the largest total, which is
    written at the bar's end."""
    rows = list(rows)
    row_h, bar_h, top, line_h, total_w = 30, 18, 8, 20, 110
    width = label_width + bar_width + total_w
    # The legend wraps onto as many lines as it needs (≈7 px per character).
    legend: list[tuple[Series, float, int]] = []
    lx, line = 8.0, 0
    for s in series:
        item_w = 24 + 7 * len(s.label)
        if lx + item_w > width and lx > 8:
            lx, line = 8.0, line + 1
        legend.append((s, lx, line))
        lx += item_w
    height = top + row_h * max(len(rows), 1) + 12 + line_h * (line + 1)
    largest = max((sum(values.values()) for _label, values in rows), default=0) or 1
    body: list[str] = [_el("rect", x=0, y=0, width=width, height=height, class_="ca-chart-bg")]
    for index, (label, values) in enumerate(rows):
        y = top + index * row_h
        mid = y + row_h / 2
        total = sum(values.values())
        short = label if len(label) <= 28 else label[:27] + "…"
        body.append(
            _el(
                "text",
                escape(short),
                x=label_width - 8,
                y=mid + 4,
                class_="ca-chart-label",
                text_anchor="end",
            )
        )
        body.append(
            _el(
                "rect",
                x=label_width,
                y=mid - bar_h / 2,
                width=bar_width,
                height=bar_h,
                class_="ca-chart-track",
            )
        )
        scale = bar_width / (total if normalise else largest) if total else 0
        cursor = float(label_width)
        for s in series:
            value = values.get(s.key, 0)
            if not value:
                continue
            w = value * scale
            share = value / total * 100 if total else 0
            tip = f"{label} — {s.label}: {value_format(value)} ({share:.0f} %)"
            body.append(
                "<g>"
                + _el("title", escape(tip))
                + _el(
                    "rect",
                    x=cursor,
                    y=mid - bar_h / 2,
                    width=w,
                    height=bar_h,
                    class_=f"ca-chart-seg {s.css_class}",
                )
                + "</g>"
            )
            if normalise and w >= 26:
                body.append(
                    _el(
                        "text",
                        escape(value_format(value)),
                        x=cursor + w / 2,
                        y=mid + 4,
                        class_="ca-chart-seg-label",
                        text_anchor="middle",
                    )
                )
            cursor += w
        total_text = value_format(total) if total else "—"
        body.append(
            _el("text", escape(total_text), x=label_width + bar_width + 8, y=mid + 4, class_="ca-chart-total")
        )
    legend_top = top + row_h * max(len(rows), 1) + 16
    for s, lx, line in legend:
        ly = legend_top + line * line_h
        body.append(_el("rect", x=lx, y=ly - 9, width=10, height=10, class_=f"ca-chart-seg {s.css_class}"))
        body.append(_el("text", escape(s.label), x=lx + 14, y=ly, class_="ca-chart-legend"))
    return _svg(
        body,
        width=width,
        height=height,
        title=title,
        desc=desc,
        id_prefix=id_prefix,
        css_class="ca-chart ca-bars",
    )
