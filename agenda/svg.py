"""The traceability picture: SWOT item → challenge → goal → project → team, as a server-rendered SVG.

`load_trace(agenda)` reads the chain of one agenda in six queries, whatever its size, into a plain
`TraceGraph`; `focus_on(graph, key)` keeps one node with everything upstream and downstream of it (the
chain a project answers, the projects a SWOT item led to); `trace_svg(graph)` renders it, a pure
function of the graph.

No JavaScript and no inline `style` (the Content-Security-Policy forbids both): geometry is in SVG
attributes, colours in classes of static/css/app.css. Every node is a link to its page and carries a
<title> with its full text; every text is escaped. A node with nothing downstream (a challenge no goal
answers, a goal no project serves, a project without a team) is drawn dashed: the picture shows the gaps.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from .models import Challenge, Goal, GoalStatus, SwotItem, SwotQuadrant

COLUMNS = ("swot", "challenge", "goal", "project", "team")
NODE_W, NODE_H, GAP_Y, GAP_X, PAD, HEAD = 210, 48, 10, 62, 12, 34
CHARS_PER_LINE = 27


@dataclass
class Node:
    key: str
    column: int
    label: str  # short tag: "S", "C-KH-1", "G-KH-1", "P-KH-1", a team's name
    title: str
    url: str
    css: str = ""
    order: tuple = ()
    parents: list[str] = field(default_factory=list)
    children: list[str] = field(default_factory=list)


@dataclass
class TraceGraph:
    nodes: dict[str, Node] = field(default_factory=dict)
    unlinked_swot: int = 0  # SWOT items no challenge comes from (not drawn unless asked)
    focus: str | None = None

    def column(self, index: int) -> list[Node]:
        return sorted((n for n in self.nodes.values() if n.column == index), key=lambda n: n.order)

    @property
    def edges(self) -> list[tuple[str, str]]:
        return [(n.key, child) for n in self.nodes.values() for child in n.children if child in self.nodes]

    def __bool__(self) -> bool:
        return bool(self.nodes)


def _pick(uk: str, en: str) -> str:
    return (en if (get_language() or "uk")[:2] == "en" and en else uk) or ""


def _link(graph: TraceGraph, parent: str, child: str) -> None:
    if parent in graph.nodes and child in graph.nodes:
        graph.nodes[parent].children.append(child)
        graph.nodes[child].parents.append(parent)


def load_trace(agenda, *, include_unlinked_swot: bool = False) -> TraceGraph:
    """The chain of one agenda (six queries). `agenda.region` should be loaded."""
    from projects.models import Project, WorkingTeam

    slug, year = agenda.region.slug, agenda.year
    graph = TraceGraph()
    links = list(
        Challenge.swot_items.through.objects.filter(challenge__agenda=agenda).values_list(
            "swotitem_id", "challenge_id"
        )
    )
    linked_items = {item_id for item_id, _c in links}
    quadrant_order = {q: i for i, q in enumerate(SwotQuadrant.values)}
    for item in SwotItem.objects.filter(agenda=agenda).only(
        "pk", "quadrant", "text_uk", "text_en", "votes_count"
    ):
        if item.pk not in linked_items and not include_unlinked_swot:
            graph.unlinked_swot += 1
            continue
        graph.nodes[f"swot-{item.pk}"] = Node(
            key=f"swot-{item.pk}",
            column=0,
            label=item.quadrant,
            title=_pick(item.text_uk, item.text_en),
            url=reverse("agenda:swot-item-detail", kwargs={"region": slug, "year": year, "pk": item.pk}),
            css=f"ca-trace-swot ca-trace-swot-{item.quadrant}",
            order=(quadrant_order.get(item.quadrant, 9), -item.votes_count, item.pk),
        )
    for challenge in Challenge.objects.filter(agenda=agenda).only(
        "pk", "code", "title_uk", "title_en", "rank"
    ):
        graph.nodes[f"challenge-{challenge.pk}"] = Node(
            key=f"challenge-{challenge.pk}",
            column=1,
            label=challenge.code,
            title=_pick(challenge.title_uk, challenge.title_en),
            url=reverse("agenda:challenge-detail", kwargs={"region": slug, "year": year, "pk": challenge.pk}),
            css="ca-trace-challenge",
            order=(challenge.rank, challenge.code),
        )
    for item_id, challenge_id in links:
        _link(graph, f"swot-{item_id}", f"challenge-{challenge_id}")
    goals = Goal.objects.filter(agenda=agenda).exclude(status=GoalStatus.CANCELLED)
    for goal in goals.only("pk", "code", "title_uk", "title_en", "challenge_id"):
        graph.nodes[f"goal-{goal.pk}"] = Node(
            key=f"goal-{goal.pk}",
            column=2,
            label=goal.code,
            title=_pick(goal.title_uk, goal.title_en),
            url=reverse("agenda:goal-detail", kwargs={"region": slug, "year": year, "pk": goal.pk}),
            css="ca-trace-goal",
            order=(goal.code,),
        )
        if goal.challenge_id:
            _link(graph, f"challenge-{goal.challenge_id}", f"goal-{goal.pk}")
    projects = list(
        Project.objects.active()
        .filter(agenda=agenda)
        .only("pk", "code", "title_uk", "title_en", "team_id", "priority")
    )
    for project in projects:
        graph.nodes[f"project-{project.pk}"] = Node(
            key=f"project-{project.pk}",
            column=3,
            label=project.code,
            title=_pick(project.title_uk, project.title_en),
            url=reverse("projects:project-detail", kwargs={"region": slug, "pk": project.pk}),
            css=f"ca-trace-project ca-trace-priority-{project.priority}",
            order=(project.code,),
        )
    for project_id, goal_id in Project.goals.through.objects.filter(project__agenda=agenda).values_list(
        "project_id", "goal_id"
    ):
        _link(graph, f"goal-{goal_id}", f"project-{project_id}")
    team_ids = {p.team_id for p in projects if p.team_id}
    for team in WorkingTeam.objects.filter(pk__in=team_ids).only("pk", "name_uk", "name_en"):
        name = _pick(team.name_uk, team.name_en)
        graph.nodes[f"team-{team.pk}"] = Node(
            key=f"team-{team.pk}",
            column=4,
            label=name,
            title=name,
            url=reverse("teams:team-detail", kwargs={"region": slug, "pk": team.pk}),
            css="ca-trace-team",
            order=(name,),
        )
    for project in projects:
        if project.team_id:
            _link(graph, f"project-{project.pk}", f"team-{project.team_id}")
    _arrange(graph)
    return graph


def _arrange(graph: TraceGraph) -> None:
    """Order each column by where its neighbours sit, so that the lines cross as little as possible:
    goals under their challenge, projects under their first goal, teams under their first project, and
    SWOT items beside the first challenge they feed."""
    position: dict[str, int] = {}

    def place(index: int) -> None:
        for i, node in enumerate(graph.column(index)):
            position[node.key] = i

    place(1)
    for index in (2, 3, 4):
        for node in (n for n in graph.nodes.values() if n.column == index):
            ranks = [position[p] for p in node.parents if p in position]
            node.order = (min(ranks) if ranks else 10**6, *node.order)
        place(index)
    for node in (n for n in graph.nodes.values() if n.column == 0):
        ranks = [position[c] for c in node.children if c in position]
        node.order = (min(ranks) if ranks else 10**6, *node.order)


def focus_on(graph: TraceGraph, key: str) -> TraceGraph:
    """The node `key` with its ancestors and descendants only (the chain it belongs to)."""
    if key not in graph.nodes:
        return TraceGraph()
    keep = {key}
    for direction in ("parents", "children"):
        stack = [key]
        while stack:
            for other in getattr(graph.nodes[stack.pop()], direction):
                if other not in keep and other in graph.nodes:
                    keep.add(other)
                    stack.append(other)
    nodes = {}
    for k in keep:
        node = graph.nodes[k]
        nodes[k] = Node(
            key=node.key,
            column=node.column,
            label=node.label,
            title=node.title,
            url=node.url,
            css=node.css,
            order=node.order,
            parents=[p for p in node.parents if p in keep],
            children=[c for c in node.children if c in keep],
        )
    return TraceGraph(nodes=nodes, focus=key)


def _wrap(text: str, width: int = CHARS_PER_LINE, lines: int = 2) -> list[str]:
    words, out, line = text.split(), [], ""
    for word in words:
        candidate = f"{line} {word}".strip()
        if len(candidate) <= width:
            line = candidate
            continue
        if line:
            out.append(line)
        line = word if len(word) <= width else word[: width - 1] + "…"
        if len(out) == lines:
            break
    if line and len(out) < lines:
        out.append(line)
    if len(out) == lines and " ".join(out) != " ".join(words):
        last = out[-1]
        out[-1] = (last[: width - 1] if len(last) >= width else last) + "…"
    return out[:lines] or [""]


def _num(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def column_titles() -> tuple[str, ...]:
    return (_("SWOT items"), _("Key challenges"), _("SMART goals"), _("Projects"), _("Working teams"))


def trace_svg(graph: TraceGraph, *, title: str, id_prefix: str = "trace") -> SafeString:
    """Render the graph. Pure: reads nothing but its arguments."""
    columns = [graph.column(i) for i in range(len(COLUMNS))]
    tallest = max((len(c) for c in columns), default=0)
    body_h = max(tallest * (NODE_H + GAP_Y) - GAP_Y, NODE_H)
    width = PAD * 2 + len(COLUMNS) * NODE_W + (len(COLUMNS) - 1) * GAP_X
    height = PAD * 2 + HEAD + body_h
    where: dict[str, tuple[float, float]] = {}
    parts: list[str] = []
    for index, nodes in enumerate(columns):
        x = PAD + index * (NODE_W + GAP_X)
        parts.append(
            f'<text class="ca-trace-head" x="{_num(x)}" y="{_num(PAD + 14)}">{escape(column_titles()[index])} '
            f"({len(nodes)})</text>"
        )
        offset = (body_h - (len(nodes) * (NODE_H + GAP_Y) - GAP_Y)) / 2 if nodes else 0
        for row, node in enumerate(nodes):
            where[node.key] = (x, PAD + HEAD + offset + row * (NODE_H + GAP_Y))
    for parent, child in sorted(graph.edges):
        (x1, y1), (x2, y2) = where[parent], where[child]
        x1, y1, y2 = x1 + NODE_W, y1 + NODE_H / 2, y2 + NODE_H / 2
        bend = GAP_X / 2
        parts.append(
            f'<path class="ca-trace-edge" d="M{_num(x1)} {_num(y1)} C{_num(x1 + bend)} {_num(y1)}, '
            f'{_num(x2 - bend)} {_num(y2)}, {_num(x2)} {_num(y2)}"/>'
        )
    for index, nodes in enumerate(columns):
        for node in nodes:
            x, y = where[node.key]
            classes = ["ca-trace-node", node.css]
            if index < len(COLUMNS) - 1 and not node.children:
                classes.append("ca-trace-open")
            if node.key == graph.focus:
                classes.append("ca-trace-focus")
            lines = _wrap(node.title if index == 4 else f"{node.label} · {node.title}")
            text = "".join(
                f'<tspan x="{_num(x + 9)}" y="{_num(y + 19 + i * 15)}">{escape(line)}</tspan>'
                for i, line in enumerate(lines)
            )
            parts.append(
                f'<a href="{escape(node.url)}" class="{escape(" ".join(c for c in classes if c))}">'
                f"<title>{escape(node.label)} — {escape(node.title)}</title>"
                f'<rect x="{_num(x)}" y="{_num(y)}" width="{NODE_W}" height="{NODE_H}" rx="7"/>'
                f'<text class="ca-trace-text">{text}</text></a>'
            )
    desc = _(
        "%(swot)d SWOT items, %(challenges)d challenges, %(goals)d goals, %(projects)d projects, %(teams)d teams; "
        "lines lead from each item to what answers it."
    ) % dict(
        zip(("swot", "challenges", "goals", "projects", "teams"), (len(c) for c in columns), strict=True)
    )
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="ca-trace" viewBox="0 0 {width} {_num(height)}" '
        f'width="{width}" height="{_num(height)}" role="group" aria-labelledby="{id_prefix}-title" aria-describedby="{id_prefix}-desc">'
        f'<title id="{id_prefix}-title">{escape(title)}</title><desc id="{id_prefix}-desc">{escape(desc)}</desc>'
    )
    return mark_safe(head + "".join(parts) + "</svg>")  # noqa: S308 - every text above is escaped


def chain_of(graph: TraceGraph) -> dict[str, list[Node]]:
    """The nodes of each column, for the text version of the picture."""
    grouped = defaultdict(list)
    for index, name in enumerate(COLUMNS):
        grouped[name] = graph.column(index)
    return grouped
