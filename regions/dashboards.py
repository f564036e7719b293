"""Read functions of the region dashboard and the programme dashboard.

Nothing here writes, and nothing decides a success criterion: the criteria come from
`agenda.criteria.evaluate_many`. Every function reads a fixed number of queries whatever the number
of regions, teams or steps: a programme dashboard of forty regions costs what one of four costs.
"""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from agenda.criteria import CriterionResult, evaluate_many
from agenda.models import Goal, Memorandum
from projects import svg
from projects.models import ActionStep, FundingLine, FundingSourceKind, Project, WorkingTeam
from sessions.models import EventStatus, ExternalEvent, Session, SessionKind
from stakeholders.models import Helix, Organisation, RoleMatrixEntry

from .models import Agenda, Programme, Region

SESSION_NUMBERS = (1, 2, 3, 4, 5)
CLOSED_STEP_STATUSES = (ActionStep.Status.DONE, ActionStep.Status.CANCELLED)
RECENT_CHANGES = 12
OVERDUE_SHOWN = 10
UPCOMING_SHOWN = 6


# --- shared pieces -------------------------------------------------------------------------------


@dataclass
class SessionSlot:
    """One of the method's five sessions on an agenda's timeline (None when not planned yet)."""

    number: int
    kind_name: str
    session: Session | None

    @property
    def status(self) -> str:
        return self.session.status if self.session else "missing"

    @property
    def is_held(self) -> bool:
        return bool(self.session and self.session.status == EventStatus.HELD)

    @property
    def label(self) -> str:
        """«Session 3: held», what the compact line says to screen readers (the programme dashboard draws
        forty lines: one property instead of a translation tag and a lookup per session in the template)."""
        status = self.session.get_status_display() if self.session else _("not planned")
        title = _("Session %(number)s") % {"number": self.number}
        return f"{title}: {status}"


def _agenda_counts(agenda_ids: list[int], today: datetime.date) -> dict[int, Counter]:
    """Key counts per agenda: one grouped query per table."""
    counts: dict[int, Counter] = defaultdict(Counter)
    for row in (
        RoleMatrixEntry.objects.filter(agenda_id__in=agenda_ids)
        .values("agenda_id")
        .annotate(
            n=Count("pk"),
            confirmed=Count("pk", filter=Q(confirmed_at__isnull=False)),
            leaders=Count("pk", filter=Q(is_leader=True)),
        )
        .order_by()
    ):
        counts[row["agenda_id"]].update(
            organisations=row["n"], confirmed=row["confirmed"], leaders=row["leaders"]
        )
    for row in (
        Goal.objects.filter(agenda_id__in=agenda_ids).values("agenda_id").annotate(n=Count("pk")).order_by()
    ):
        counts[row["agenda_id"]]["goals"] = row["n"]
    for row in (
        Project.objects.filter(agenda_id__in=agenda_ids)
        .values("agenda_id")
        .annotate(n=Count("pk"), pilots=Count("pk", filter=Q(is_pilot=True)))
        .order_by()
    ):
        counts[row["agenda_id"]].update(projects=row["n"], pilots=row["pilots"])
    for row in (
        WorkingTeam.objects.filter(agenda_id__in=agenda_ids)
        .values("agenda_id")
        .annotate(n=Count("pk"), active=Count("pk", filter=Q(status=WorkingTeam.Status.ACTIVE)))
        .order_by()
    ):
        counts[row["agenda_id"]].update(teams=row["n"], active_teams=row["active"])
    open_overdue = Q(due_date__lt=today) & ~Q(status__in=CLOSED_STEP_STATUSES)
    for row in (
        ActionStep.objects.filter(project__agenda_id__in=agenda_ids)
        .values("project__agenda_id")
        .annotate(
            n=Count("pk"),
            done=Count("pk", filter=Q(status=ActionStep.Status.DONE)),
            overdue=Count("pk", filter=open_overdue),
        )
        .order_by()
    ):
        counts[row["project__agenda_id"]].update(
            steps=row["n"], steps_done=row["done"], steps_overdue=row["overdue"]
        )
    return counts


def _latest_memoranda(agenda_ids: list[int]) -> dict[int, Memorandum]:
    latest: dict[int, Memorandum] = {}
    for memo in (
        Memorandum.objects.filter(agenda_id__in=agenda_ids)
        .only("id", "agenda_id", "status", "title_uk", "title_en", "created_at")
        .order_by("agenda_id", "-created_at")
    ):
        latest.setdefault(memo.agenda_id, memo)
    return latest


def _session_kinds() -> dict[int, str]:
    return {kind.order: kind.name for kind in SessionKind.objects.filter(order__in=SESSION_NUMBERS)}


def _slots(own: list[Session], joint: list[Session], kinds: dict[int, str]) -> list[SessionSlot]:
    """Session 1 comes from the programme (joint meeting), 2–5 from the agenda."""
    by_number: dict[int, Session] = {}
    for session in sorted(joint, key=lambda s: s.starts_at or timezone.now()):
        by_number.setdefault(session.number, session)
    for session in own:
        by_number[session.number] = session
    return [
        SessionSlot(
            number=n,
            kind_name=(by_number[n].kind.name if n in by_number else kinds.get(n, "")),
            session=by_number.get(n),
        )
        for n in SESSION_NUMBERS
    ]


# --- region dashboard ------------------------------------------------------------------------------


@dataclass
class Change:
    when: datetime.datetime
    who: str
    action: str
    what: str
    label: str


def _translated(record, base: str) -> str:
    """`<base>_<language>` of a historical record (which lacks the model's `translated()` properties)."""
    language = (get_language() or "uk")[:2]
    return getattr(record, f"{base}_{language}", "") or getattr(record, f"{base}_uk", "") or ""


def _recent_changes(agenda: Agenda, limit: int = RECENT_CHANGES) -> list[Change]:
    """The latest edits of the agenda's role matrix, goals, projects, teams and memoranda, from
    django-simple-history (one query per history table)."""
    actions = {"+": _("created"), "~": _("changed"), "-": _("deleted")}
    sources = [
        (RoleMatrixEntry, ("organisation",), lambda h: str(h.organisation) if h.organisation_id else ""),
        (Goal, (), lambda h: f"{h.code} {_translated(h, 'title')}"),
        (Project, (), lambda h: f"{h.code} {_translated(h, 'title')}"),
        (WorkingTeam, (), lambda h: _translated(h, "name")),
        (Memorandum, (), lambda h: _translated(h, "title")),
    ]
    changes: list[Change] = []
    for model, related, label in sources:
        records = (
            model.history.filter(agenda_id=agenda.pk)
            .select_related("history_user", *related)
            .order_by("-history_date")[:limit]
        )
        for h in records:
            user = h.history_user
            changes.append(
                Change(
                    when=h.history_date,
                    who=(getattr(user, "display_name", None) or str(user)) if user else _("system"),
                    action=actions.get(h.history_type, h.history_type),
                    what=str(model._meta.verbose_name),
                    label=label(h),
                )
            )
    changes.sort(key=lambda c: c.when, reverse=True)
    return changes[:limit]


def region_dashboard(region: Region, agenda: Agenda | None) -> dict:
    """Everything the region dashboard shows for one agenda (the newest by default)."""
    today = timezone.localdate()
    now = timezone.now()
    ctx: dict = {"agenda": agenda, "today": today}
    ctx["organisation_total"] = Organisation.objects.for_region(region).count()
    if agenda is None:
        return ctx
    programme_ids = list(agenda.programmes.values_list("pk", flat=True))
    sessions = list(
        Session.objects.filter(Q(agenda=agenda) | Q(programme_id__in=programme_ids))
        .select_related("kind", "programme")
        .order_by("number", "starts_at")
    )
    own = [s for s in sessions if s.agenda_id == agenda.pk]
    joint = [s for s in sessions if s.programme_id]
    ctx["slots"] = _slots(own, joint, _session_kinds())
    ctx["sessions_held"] = sum(1 for slot in ctx["slots"] if slot.is_held)
    ctx["criteria"] = evaluate_many([agenda])[agenda.pk]
    ctx["criteria_met"] = sum(1 for c in ctx["criteria"] if c.met)
    ctx["counts"] = _agenda_counts([agenda.pk], today)[agenda.pk]
    ctx["memorandum"] = _latest_memoranda([agenda.pk]).get(agenda.pk)
    upcoming_sessions = [
        s
        for s in sessions
        if s.starts_at and s.starts_at >= now and s.status not in (EventStatus.HELD, EventStatus.CANCELLED)
    ]
    events = list(
        ExternalEvent.objects.filter(agenda=agenda, starts_at__gte=now)
        .exclude(status=EventStatus.CANCELLED)
        .order_by("starts_at")[:UPCOMING_SHOWN]
    )
    upcoming = [
        {
            "kind": "session",
            "when": s.starts_at,
            "title": s.title or s.kind.name,
            "number": s.number,
            "obj": s,
        }
        for s in upcoming_sessions
    ]
    upcoming += [
        {"kind": "event", "when": e.starts_at, "title": e.title, "label": e.get_kind_display(), "obj": e}
        for e in events
    ]
    ctx["upcoming"] = sorted(upcoming, key=lambda item: item["when"])[:UPCOMING_SHOWN]
    overdue = (
        ActionStep.objects.filter(project__agenda=agenda)
        .overdue(today)
        .select_related("project", "responsible_org", "responsible_person")
        .order_by("due_date", "number")
    )
    ctx["overdue_steps"] = list(overdue[:OVERDUE_SHOWN])
    ctx["changes"] = _recent_changes(agenda)
    return ctx


# --- programme dashboard ---------------------------------------------------------------------------


@dataclass
class ProgrammeRow:
    region: Region
    agenda: Agenda | None
    criteria: list[CriterionResult] = field(default_factory=list)
    slots: list[SessionSlot] = field(default_factory=list)
    counts: Counter = field(default_factory=Counter)
    helix: dict[str, int] = field(default_factory=dict)
    budgets: dict[str, dict[str, Decimal]] = field(default_factory=dict)  # currency → source kind → amount
    memorandum: Memorandum | None = None

    @property
    def sessions_held(self) -> int:
        return sum(1 for slot in self.slots if slot.is_held)

    @property
    def criteria_met(self) -> int:
        return sum(1 for c in self.criteria if c.met)

    @property
    def criteria_slots(self) -> list[CriterionResult | None]:
        """Criteria 1, 2, 3 in their columns (None where a criterion could not be computed)."""
        by_number = {c.number: c for c in self.criteria}
        return [by_number.get(n) for n in (1, 2, 3)]


def programme_regions(programme: Programme, user, *, full: bool):
    """The programme's regions the user may see a row for: all of them for its coordinators and
    administrators (`full`), otherwise only the regions the user is a member of."""
    regions = Region.objects.filter(programmes=programme)
    if not full:
        regions = regions.filter(pk__in=Region.objects.visible_to(user).values("pk"))
    return regions.order_by("name_uk")


def _choose_agendas(programme: Programme, region_ids: list[int]) -> dict[int, Agenda]:
    """Per region, the newest agenda of this programme (or, failing that, the newest agenda)."""
    in_programme = Agenda.programmes.through.objects.filter(
        agenda_id=OuterRef("pk"), programme_id=programme.pk
    )
    chosen: dict[int, Agenda] = {}
    for agenda in (
        Agenda.objects.filter(region_id__in=region_ids)
        .annotate(in_programme=Exists(in_programme))
        .order_by("region_id", "-in_programme", "-year")
    ):
        chosen.setdefault(agenda.region_id, agenda)
    return chosen


def programme_dashboard(programme: Programme, regions) -> dict:
    """Rows of the programme dashboard (one per region) plus the charts and their tables."""
    today = timezone.localdate()
    regions = list(regions)
    region_ids = [r.pk for r in regions]
    chosen = _choose_agendas(programme, region_ids)
    agendas = list(chosen.values())
    agenda_ids = [a.pk for a in agendas]
    region_by_id = {r.pk: r for r in regions}
    for agenda in agendas:  # the engine and the links read agenda.region
        agenda.region = region_by_id[agenda.region_id]
    criteria = evaluate_many(agendas) if agendas else {}
    counts = _agenda_counts(agenda_ids, today)
    memoranda = _latest_memoranda(agenda_ids)
    kinds = _session_kinds()
    sessions = list(
        Session.objects.filter(Q(agenda_id__in=agenda_ids) | Q(programme=programme))
        .select_related("kind")
        .order_by("number", "starts_at")
    )
    joint = [s for s in sessions if s.programme_id]
    own: dict[int, list[Session]] = defaultdict(list)
    for session in sessions:
        if session.agenda_id:
            own[session.agenda_id].append(session)
    helix: dict[int, Counter] = defaultdict(Counter)
    for row in (
        RoleMatrixEntry.objects.filter(agenda_id__in=agenda_ids)
        .values("agenda_id", "organisation__helix")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        helix[row["agenda_id"]][row["organisation__helix"] or Helix.OTHER] += row["n"]
    budgets: dict[int, dict[str, dict[str, Decimal]]] = defaultdict(lambda: defaultdict(dict))
    for row in (
        FundingLine.objects.filter(project__agenda_id__in=agenda_ids)
        .exclude(status=FundingLine.Status.REJECTED)
        .values("project__agenda_id", "currency", "source_kind")
        .annotate(total=Sum("amount"))
        .order_by()
    ):
        budgets[row["project__agenda_id"]][row["currency"]][row["source_kind"]] = row["total"]

    rows = []
    for region in regions:
        agenda = chosen.get(region.pk)
        if agenda is None:
            rows.append(ProgrammeRow(region=region, agenda=None, slots=_slots([], joint, kinds)))
            continue
        rows.append(
            ProgrammeRow(
                region=region,
                agenda=agenda,
                criteria=criteria.get(agenda.pk, []),
                slots=_slots(own[agenda.pk], joint, kinds),
                counts=counts[agenda.pk],
                helix={code: helix[agenda.pk].get(code, 0) for code in Helix.values},
                budgets={currency: dict(by_source) for currency, by_source in budgets[agenda.pk].items()},
                memorandum=memoranda.get(agenda.pk),
            )
        )
    return {"rows": rows, **_charts(rows)}


def money(value) -> str:
    """1500000 → «1 500 000» (thin spaces between thousands, no decimals for whole amounts)."""
    value = Decimal(value or 0)
    text = f"{value:,.0f}" if value == value.to_integral() else f"{value:,.2f}"
    return text.replace(",", "\u202f")


def _charts(rows: list[ProgrammeRow]) -> dict:
    """The helix chart and one budget chart per currency, with the same figures as tables."""
    helix_series = [svg.Series(code, str(label), f"ca-fill-helix-{code}") for code, label in Helix.choices]
    with_agenda = [r for r in rows if r.agenda]
    helix_chart = svg.stacked_bars_svg(
        [(r.region.name, r.helix) for r in with_agenda],
        series=helix_series,
        title=_("Quadruple-helix balance of the participating organisations"),
        desc=_(
            "Share of government, business, academia and civil-society organisations in each region's role matrix."
        ),
        id_prefix="helix-chart",
        normalise=True,
        value_format=lambda v: str(int(v)),
    )
    currencies = sorted({currency for r in with_agenda for currency in r.budgets})
    source_labels = dict(FundingSourceKind.choices)
    budget_charts = []
    for currency in currencies:
        used = [
            code
            for code in FundingSourceKind.values
            if any(r.budgets.get(currency, {}).get(code) for r in with_agenda)
        ]
        series = [
            svg.Series(code, str(source_labels[code]), f"ca-fill-src-{FundingSourceKind.values.index(code)}")
            for code in used
        ]
        chart_rows = [
            (r.region.name, {k: float(v) for k, v in r.budgets.get(currency, {}).items()})
            for r in with_agenda
        ]
        budget_charts.append(
            {
                "currency": currency,
                "series": series,
                "svg": svg.stacked_bars_svg(
                    chart_rows,
                    series=series,
                    title=_("Budgets by funding source, %(currency)s") % {"currency": currency},
                    desc=_(
                        "Planned, applied, confirmed and received funding of each region's projects, by source (rejected lines left out)."
                    ),
                    id_prefix=f"budget-chart-{currency.lower()}",
                    value_format=money,
                ),
                "table": [
                    {
                        "region": r.region,
                        "cells": [money(r.budgets.get(currency, {}).get(s.key, 0)) for s in series],
                        "total": money(sum(r.budgets.get(currency, {}).values(), Decimal(0))),
                    }
                    for r in with_agenda
                ],
            }
        )
    helix_table = [
        {"region": r.region, "cells": [r.helix.get(s.key, 0) for s in helix_series]} for r in with_agenda
    ]
    return {
        "helix_series": helix_series,
        "helix_chart": helix_chart,
        "helix_table": helix_table,
        "budget_charts": budget_charts,
    }


def region_dashboard_url(region: Region) -> str:
    return reverse("regions:region-dashboard", kwargs={"region": region.slug})
