"""Reads of the session workflow: the progress of each stage's outputs (counted from the tools' own
models), links to those tools when their pages exist, and the timelines of a region and a programme.

Every function here takes many agendas at once and runs a fixed number of queries, so the programme
timeline of twenty regions costs what one region costs.
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .models import KYIV, OPEN_STATUSES, DocumentAcceptance, EventStatus, ExternalEvent, Session

# --- links to the stage tools -------------------------------------------------------------------------

# The tools are other features' pages. Each is tried under the names it may carry, with the agenda's
# region and year or with the region alone; a name that does not exist (yet) simply gives no link.
TOOL_ROUTES: dict[int, list[tuple[Promise, tuple[str, ...]]]] = {
    2: [
        (
            _("Role matrix"),
            ("stakeholders:role-entry-list", "stakeholders:roleentry-list", "stakeholders:role-matrix"),
        ),
    ],
    3: [
        (_("SWOT board"), ("agenda:swot-board", "agenda:swotitem-list", "agenda:swot", "agenda:swot-list")),
        (_("Key challenges"), ("agenda:challenge-list",)),
    ],
    4: [
        (_("SMART goals"), ("agenda:goal-list", "agenda:goals")),
        (
            _("Project portfolio"),
            ("projects:project-list", "projects:portfolio", "projects:project-portfolio"),
        ),
        (_("Endorsements"), ("agenda:endorsement-list",)),
    ],
    5: [
        (_("Working teams"), ("teams:team-list", "teams:team-index", "projects:team-list")),
        (
            _("Action plans"),
            ("teams:plan-list", "teams:plan-index", "teams:actionplan-list", "projects:plan-list"),
        ),
    ],
}


def optional_url(names: Iterable[str], *kwargs_options: dict) -> str | None:
    """The first of `names` that reverses with one of the kwargs sets, or None: a link to a page that
    may not exist yet."""
    for name in names:
        for kwargs in kwargs_options:
            try:
                return reverse(name, kwargs=kwargs)
            except NoReverseMatch:
                continue
    return None


@dataclass(frozen=True)
class ToolLink:
    label: str | Promise
    url: str | None


def tool_links(number: int, agenda) -> list[ToolLink]:
    if agenda is None:
        return []
    options = ({"region": agenda.region.slug, "year": agenda.year}, {"region": agenda.region.slug})
    return [ToolLink(label, optional_url(names, *options)) for label, names in TOOL_ROUTES.get(number, [])]


# --- progress of the stages' outputs --------------------------------------------------------------


@dataclass(frozen=True)
class Measure:
    label: str | Promise
    value: int
    target: int | None = None  # the value that counts as done, when there is one

    @property
    def met(self) -> bool:
        return self.target is None or self.value >= self.target


@dataclass
class StageProgress:
    number: int
    measures: list[Measure] = field(default_factory=list)
    tools: list[ToolLink] = field(default_factory=list)

    @property
    def done(self) -> bool:
        targets = [m for m in self.measures if m.target is not None]
        return bool(targets) and all(m.met for m in targets)


def _counts(queryset, key: str, **annotations) -> dict[int, dict]:
    return {row[key]: row for row in queryset.values(key).annotate(**annotations).order_by()}


def stage_progress_many(agendas: Sequence) -> dict[int, dict[int, StageProgress]]:
    """{agenda id: {stage number 2–5: StageProgress}} in seven queries, however many agendas."""
    from agenda.models import Challenge, Goal, SwotItem
    from projects.models import ActionStep, Project, WorkingTeam
    from stakeholders.models import RoleMatrixEntry

    ids = [a.pk for a in agendas]
    if not ids:
        return {}
    roles = _counts(
        RoleMatrixEntry.objects.filter(agenda_id__in=ids),
        "agenda_id",
        total=Count("id"),
        confirmed=Count("id", filter=Q(confirmed_at__isnull=False)),
        leaders=Count("id", filter=Q(is_leader=True)),
    )
    quadrants = defaultdict(set)
    swot_totals: dict[int, int] = defaultdict(int)
    for row in (
        SwotItem.objects.filter(agenda_id__in=ids)
        .values("agenda_id", "quadrant")
        .annotate(n=Count("id"))
        .order_by()
    ):
        quadrants[row["agenda_id"]].add(row["quadrant"])
        swot_totals[row["agenda_id"]] += row["n"]
    challenges = _counts(Challenge.objects.filter(agenda_id__in=ids), "agenda_id", n=Count("id"))
    goals = _counts(Goal.objects.filter(agenda_id__in=ids), "agenda_id", n=Count("id"))
    projects = _counts(
        Project.objects.filter(agenda_id__in=ids),
        "agenda_id",
        n=Count("id"),
        pilots=Count("id", filter=Q(is_pilot=True)),
    )
    teams = _counts(
        WorkingTeam.objects.filter(agenda_id__in=ids).exclude(status=WorkingTeam.Status.DISSOLVED),
        "agenda_id",
        n=Count("id"),
    )
    steps = _counts(
        ActionStep.objects.filter(project__agenda_id__in=ids), "project__agenda_id", n=Count("id")
    )

    def get(table, agenda_id, key="n"):
        return table.get(agenda_id, {}).get(key, 0)

    result = {}
    for agenda in agendas:
        a = agenda.pk
        total = get(roles, a, "total")
        result[a] = {
            2: StageProgress(
                2,
                [
                    Measure(_("organisations in the role matrix"), total, 1),
                    Measure(_("role-matrix rows confirmed"), get(roles, a, "confirmed"), total or None),
                    Measure(_("leaders named"), get(roles, a, "leaders"), 1),
                ],
            ),
            3: StageProgress(
                3,
                [
                    Measure(_("SWOT quadrants filled"), len(quadrants[a]), 4),
                    Measure(_("SWOT items"), swot_totals[a]),
                    Measure(_("key challenges"), get(challenges, a), 1),
                ],
            ),
            4: StageProgress(
                4,
                [
                    Measure(_("SMART goals"), get(goals, a), 1),
                    Measure(_("projects in the portfolio"), get(projects, a), 1),
                    Measure(_("pilot projects"), get(projects, a, "pilots"), 1),
                ],
            ),
            5: StageProgress(
                5,
                [
                    Measure(_("working teams"), get(teams, a), 3),
                    Measure(_("action-plan steps"), get(steps, a), 1),
                ],
            ),
        }
    return result


def joint_progress(session: Session, regions: Sequence) -> StageProgress:
    """Session 1: how many of the programme's regions accepted the common document (one query)."""
    accepted = DocumentAcceptance.objects.filter(session=session, accepted=True, region__in=regions).count()
    return StageProgress(1, [Measure(_("regions accepted the common document"), accepted, len(regions) or 1)])


def session_progress(session: Session) -> StageProgress | None:
    """The progress shown on a session's page, with the links to its tools."""
    if session.programme_id:
        return joint_progress(session, list(session.programme.regions.all()))
    progress = stage_progress_many([session.agenda]).get(session.agenda_id, {}).get(session.number)
    if progress is not None:
        progress.tools = tool_links(session.number, session.agenda)
    return progress


# --- timelines ------------------------------------------------------------------------------------------


def today() -> datetime.date:
    return timezone.localdate(timezone=KYIV)


def session_flags(session: Session, agenda=None, *, now=None) -> dict:
    """Overdue (its time has passed and it is not held, postponed or cancelled; or it has no date and
    the window is over) and outside the target window."""
    now = now or timezone.now()
    window_end = agenda.window_end if agenda is not None else None
    window_start = agenda.window_start if agenda is not None else None
    local = session.local_starts_at
    overdue = session.is_overdue or (
        session.starts_at is None
        and window_end is not None
        and window_end < now.astimezone(KYIV).date()
        and session.status in OPEN_STATUSES
    )
    late = bool(
        local and window_end and local.date() > window_end and session.status != EventStatus.CANCELLED
    )
    early = bool(local and window_start and local.date() < window_start)
    return {"overdue": overdue, "outside_window": late or early, "late": late}


@dataclass
class Column:
    start: datetime.date
    end: datetime.date  # inclusive
    label: str
    is_today: bool = False
    edge: str = ""  # "earlier" or "later" for the catch-all columns at the ends


def columns_for(first: datetime.date, last: datetime.date) -> tuple[str, list[Column]]:
    """Weeks (Monday to Sunday) when the range is up to 20 weeks, else calendar months."""
    first, last = min(first, last), max(first, last)
    now = today()
    if (last - first).days <= 20 * 7:
        start = first - datetime.timedelta(days=first.weekday())
        columns = []
        while start <= last:
            end = start + datetime.timedelta(days=6)
            columns.append(Column(start, end, start.strftime("%d.%m"), start <= now <= end))
            start = end + datetime.timedelta(days=1)
        return "week", columns
    columns = []
    start = first.replace(day=1)
    while start <= last:
        following = (start.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
        end = following - datetime.timedelta(days=1)
        columns.append(Column(start, end, start.strftime("%m.%Y"), start <= now <= end))
        start = following
    return "month", columns


@dataclass
class Cell:
    column: Column
    in_window: bool
    sessions: list = field(default_factory=list)
    events: list = field(default_factory=list)


def cells_for(
    columns: list[Column],
    window: tuple,
    sessions: Iterable[Session] = (),
    events: Iterable[ExternalEvent] = (),
) -> list[Cell]:
    start, end = window
    cells = [Cell(c, bool(start and end and c.start <= end and c.end >= start)) for c in columns]

    def place(day, bucket, obj):
        for cell in cells:
            if cell.column.start <= day <= cell.column.end:
                getattr(cell, bucket).append(obj)
                return

    for session in sessions:
        if session.starts_at:
            place(session.local_starts_at.date(), "sessions", session)
    for event in events:
        place(event.starts_at.astimezone(KYIV).date(), "events", event)
    return cells


def date_range(
    agendas: Iterable, sessions: Iterable[Session], events: Iterable[ExternalEvent]
) -> tuple[datetime.date, datetime.date]:
    """The span the grid shows: the agendas' target windows, stretched to the sessions and events
    that lie near them (within REACH) and to today when today is near. Anything further away goes into
    an "earlier" or "later" column, so one old joint session does not stretch the grid over years."""
    windows = [d for agenda in agendas for d in (agenda.window_start, agenda.window_end) if d]
    items = [s.local_starts_at.date() for s in sessions if s.starts_at]
    items += [e.starts_at.astimezone(KYIV).date() for e in events]
    now = today()
    if not windows and not items:
        return now, now
    first, last = (min(windows), max(windows)) if windows else (min(items), max(items))
    for day in [*items, now]:
        if first - REACH <= day <= last + REACH:
            first, last = min(first, day), max(last, day)
    return first, last


REACH = datetime.timedelta(days=60)


def edge_columns(columns: list[Column], days: Iterable[datetime.date]) -> list[Column]:
    """Add an "earlier" and a "later" column when something falls outside the columns."""
    days = list(days)
    if not columns:
        return columns
    if any(d < columns[0].start for d in days):
        columns = [
            Column(datetime.date.min, columns[0].start - datetime.timedelta(days=1), "«", edge="earlier"),
            *columns,
        ]
    if any(d > columns[-1].end for d in days):
        columns = [
            *columns,
            Column(columns[-1].end + datetime.timedelta(days=1), datetime.date.max, "»", edge="later"),
        ]
    return columns


@dataclass
class RegionTimeline:
    """One region's cycle: its agenda, the joint session 1 and sessions 2–5 in order, its external
    events, and the grid cells (filled by the caller once the shared columns are known)."""

    region: object
    agenda: object | None
    sessions: list = field(default_factory=list)
    events: list = field(default_factory=list)
    acceptance: object | None = None
    cells: list = field(default_factory=list)
    by_number: dict = field(default_factory=dict)

    @property
    def window(self):
        return (self.agenda.window_start, self.agenda.window_end) if self.agenda else (None, None)

    @property
    def held_count(self) -> int:
        return sum(1 for s in self.sessions if s.status == EventStatus.HELD)

    @property
    def overdue_count(self) -> int:
        return sum(1 for s in self.sessions if s.flags["overdue"])

    @property
    def slots(self) -> list:
        """Sessions 1–5 in order, None where the session does not exist."""
        return [self.by_number.get(number) for number in range(1, 6)]


def _distance(session: Session, agenda) -> float:
    """How far a joint session lies from the agenda's window: a region in two programmes shows the
    joint session 1 that belongs to this cycle."""
    if session.starts_at is None or agenda.window_start is None:
        return float("inf")
    return abs((session.local_starts_at.date() - agenda.window_start).days)


def build_timelines(regions: Sequence, year: int | None, programme=None) -> list[RegionTimeline]:
    """The timeline of each region for one agenda year (five queries, whatever the number of
    regions): agendas, their sessions, the programmes' joint sessions, external events, acceptances.
    With `programme`, session 1 is that programme's joint session for every region (the programme's
    page); otherwise the joint session of the region's programmes nearest to its window."""
    from regions.models import Agenda

    region_ids = [r.pk for r in regions]
    agendas = {}
    if year is not None:
        agendas = {
            a.region_id: a
            for a in Agenda.objects.filter(region_id__in=region_ids, year=year).prefetch_related("programmes")
        }
    agenda_ids = [a.pk for a in agendas.values()]
    sessions = defaultdict(list)
    for session in (
        Session.objects.filter(agenda_id__in=agenda_ids)
        .select_related("kind", "agenda__region")
        .order_by("number")
    ):
        sessions[session.agenda_id].append(session)
    programme_ids = {p.pk for a in agendas.values() for p in a.programmes.all()}
    if programme is not None:
        programme_ids = {programme.pk}
    joint = {
        s.programme_id: s
        for s in Session.objects.filter(programme_id__in=programme_ids, number=1)
        .select_related("kind", "programme")
        .order_by("pk")
    }
    events = defaultdict(list)
    for event in (
        ExternalEvent.objects.filter(agenda_id__in=agenda_ids)
        .select_related("stage", "session")
        .order_by("starts_at")
    ):
        events[event.agenda_id].append(event)
    acceptances = {
        (a.session_id, a.region_id): a
        for a in DocumentAcceptance.objects.filter(session__in=joint.values(), region_id__in=region_ids)
    }
    now = timezone.now()
    timelines = []
    for region in regions:
        agenda = agendas.get(region.pk)
        timeline = RegionTimeline(region=region, agenda=agenda)
        if agenda is not None:
            if programme is not None:
                firsts = [joint[programme.pk]] if programme.pk in joint else []
            else:
                firsts = sorted(
                    (joint[p.pk] for p in agenda.programmes.all() if p.pk in joint),
                    key=lambda s: _distance(s, agenda),
                )
            timeline.sessions = firsts[:1] + sessions[agenda.pk]
            timeline.events = events[agenda.pk]
            if firsts:
                timeline.acceptance = acceptances.get((firsts[0].pk, region.pk))
        for session in timeline.sessions:
            session.flags = session_flags(session, agenda if session.agenda_id else None, now=now)
            timeline.by_number.setdefault(session.number, session)
        timelines.append(timeline)
    return timelines


def fill_grid(timelines: list[RegionTimeline]) -> tuple[str, list[Column]]:
    """Shared columns for all the timelines and each timeline's cells."""
    first, last = date_range(
        [t.agenda for t in timelines if t.agenda],
        [s for t in timelines for s in t.sessions],
        [e for t in timelines for e in t.events],
    )
    unit, columns = columns_for(first, last)
    days = [s.local_starts_at.date() for t in timelines for s in t.sessions if s.starts_at]
    days += [e.starts_at.astimezone(KYIV).date() for t in timelines for e in t.events]
    columns = edge_columns(columns, days)
    for timeline in timelines:
        timeline.cells = cells_for(columns, timeline.window, timeline.sessions, timeline.events)
    return unit, columns
