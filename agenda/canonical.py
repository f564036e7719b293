"""The canonical content of an agenda's goal list and project portfolio — what an endorsement endorses.

`canonical_contents(agendas)` returns, per agenda, a plain JSON-able dict that is the same on every run
and every database for the same content: no primary keys (goals, projects and challenges are named by
their codes, organisations by their Ukrainian names, mechanisms by their codes), Decimals as strings
with two places, dates in ISO format, texts in Unicode NFC with line endings normalised, every list
sorted. `content_hash()` is the SHA-256 of its compact, key-sorted JSON.

What is in it: every goal that is not cancelled and every project still in the portfolio (not
cancelled or rejected), with their mechanisms, legal acts and funding lines. What is deliberately not
in it: the workflow status of goals and projects (draft → agreed → on track, idea → approved → in
progress). Moving a project along is not a change of what was agreed and must not make every
endorsement stale; cancelling it removes it from the content and does. The stage of a legal act and the
status of a funding line *are* in it: they are the mechanisms and resources the parties endorse.

`canonical_diff(old, new)` lists what changed between two contents (an endorsement's snapshot and
the current one), goal by goal and project by project.
"""

import hashlib
import json
import unicodedata
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _

from regions.models import Agenda

from .models import Goal, GoalStatus

SCHEMA = 1


def _text(value) -> str:
    return unicodedata.normalize("NFC", (value or "").replace("\r\n", "\n").replace("\r", "\n")).strip()


def _dec(value: Decimal | None) -> str | None:
    return None if value is None else format(Decimal(value).quantize(Decimal("0.01")), "f")


def _date(value) -> str | None:
    return None if value is None else value.isoformat()


def _org(org) -> str | None:
    return _text(org.name_uk) if org is not None else None


def active_goals():
    """Goals that are part of the list (not cancelled), with what the content and the SMART check read."""
    return (
        Goal.objects.exclude(status=GoalStatus.CANCELLED)
        .select_related("indicator", "challenge", "owner_org", "owner_person", "domain", "agenda")
        .order_by("agenda_id", "code")
    )


def active_projects():
    """Projects still in the portfolio, with their goals, mechanisms, partners, acts and funding lines
    prefetched (five queries besides the projects themselves)."""
    from projects.models import NormativeAct, Project

    return (
        Project.objects.active()
        .select_related("lead_org", "domain")
        .prefetch_related(
            Prefetch(
                "goals",
                queryset=Goal.objects.exclude(status=GoalStatus.CANCELLED).only("id", "code", "status"),
            ),
            "mechanisms",
            "partners",
            "funding_lines",
            Prefetch("normative_acts", queryset=NormativeAct.objects.select_related("issuing_body")),
        )
        .order_by("agenda_id", "code")
    )


def goal_content(goal) -> dict:
    indicator = goal.indicator
    return {
        "code": _text(goal.code),
        "title_uk": _text(goal.title_uk),
        "title_en": _text(goal.title_en),
        "specific_uk": _text(goal.specific_uk),
        "specific_en": _text(goal.specific_en),
        "challenge": _text(goal.challenge.code) if goal.challenge_id else None,
        "indicator": (
            {
                "name_uk": _text(indicator.name_uk),
                "name_en": _text(indicator.name_en),
                "kind": indicator.kind,
                "unit": indicator.unit,
                "direction": indicator.direction,
            }
            if indicator is not None
            else None
        ),
        "baseline_value": _dec(goal.baseline_value),
        "baseline_date": _date(goal.baseline_date),
        "target_value": _dec(goal.target_value),
        "deadline": _date(goal.deadline),
        "owner_org": _org(goal.owner_org),
        "owner_person": _text(goal.owner_person.full_name) if goal.owner_person_id else None,
        "achievability_note": _text(goal.achievability_note),
        "relevance_note": _text(goal.relevance_note),
        "strategy_ref": _text(goal.strategy_ref),
        "domain": _text(goal.domain.name_uk) if goal.domain_id else None,
    }


def funding_content(line) -> dict:
    return {
        "source_kind": line.source_kind,
        "source_name": _text(line.source_name),
        "amount": _dec(line.amount),
        "currency": line.currency,
        "year": line.year,
        "status": line.status,
    }


def act_content(act) -> dict:
    return {
        "act_type": act.act_type,
        "title": _text(act.title),
        "issuing_body": _org(act.issuing_body),
        "number": _text(act.number),
        "date": _date(act.date),
        "stage": act.stage,
        "url": _text(act.url),
    }


def _sort_key(item: dict) -> str:
    return json.dumps(item, sort_keys=True, ensure_ascii=False)


def project_content(project) -> dict:
    return {
        "code": _text(project.code),
        "title_uk": _text(project.title_uk),
        "title_en": _text(project.title_en),
        "summary_uk": _text(project.summary_uk),
        "summary_en": _text(project.summary_en),
        "is_pilot": project.is_pilot,
        "priority": project.priority,
        "domain": _text(project.domain.name_uk) if project.domain_id else None,
        "lead_org": _org(project.lead_org),
        "partners": sorted(_org(org) for org in project.partners.all()),
        "goals": sorted(_text(goal.code) for goal in project.goals.all()),
        "mechanisms": sorted(kind.code for kind in project.mechanisms.all()),
        "normative_acts": sorted((act_content(act) for act in project.normative_acts.all()), key=_sort_key),
        "funding_lines": sorted(
            (funding_content(line) for line in project.funding_lines.all()), key=_sort_key
        ),
        "budget_total": _dec(project.budget_total),
        "currency": project.currency,
        "start_date": _date(project.start_date),
        "end_date": _date(project.end_date),
        "expected_results": _text(project.expected_results),
        "risks": _text(project.risks),
        "strategy_ref": _text(project.strategy_ref),
        "dfrr_eligible": project.dfrr_eligible,
    }


@dataclass
class AgendaPortfolio:
    """The goals and projects of one agenda as loaded once, with their canonical content and hash."""

    goals: list
    projects: list
    content: dict
    hash: str
    region_slug: str = ""
    year: int = 0


def load_portfolios(agendas: Sequence[Agenda]) -> dict[int, AgendaPortfolio]:
    """Goals, projects and content of each agenda. Eight queries however many agendas."""
    agendas = list(agendas)
    ids = [a.pk for a in agendas]
    rows = list(
        Agenda.objects.filter(pk__in=ids).values_list("pk", "region__iso_code", "region__slug", "year")
    )
    identity = {pk: {"region": iso, "year": year} for pk, iso, _slug, year in rows}
    slugs = {pk: slug for pk, _iso, slug, _year in rows}
    goals, projects = defaultdict(list), defaultdict(list)
    for goal in active_goals().filter(agenda_id__in=ids):
        goals[goal.agenda_id].append(goal)
    for project in active_projects().filter(agenda_id__in=ids):
        projects[project.agenda_id].append(project)
    result = {}
    for pk in ids:
        content = {
            "schema": SCHEMA,
            "agenda": identity.get(pk, {}),
            "goals": sorted((goal_content(g) for g in goals[pk]), key=lambda c: c["code"]),
            "projects": sorted((project_content(p) for p in projects[pk]), key=lambda c: c["code"]),
        }
        result[pk] = AgendaPortfolio(
            goals=goals[pk],
            projects=projects[pk],
            content=content,
            hash=content_hash(content),
            region_slug=slugs.get(pk, ""),
            year=identity.get(pk, {}).get("year", 0),
        )
    return result


def canonical_contents(agendas: Sequence[Agenda]) -> dict[int, dict]:
    return {pk: portfolio.content for pk, portfolio in load_portfolios(agendas).items()}


def canonical_content(agenda: Agenda) -> dict:
    return canonical_contents([agenda])[agenda.pk]


def canonical_json(content: dict) -> str:
    return json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def content_hash(content: dict) -> str:
    return hashlib.sha256(canonical_json(content).encode("utf-8")).hexdigest()


def current_hash(agenda: Agenda) -> str:
    return content_hash(canonical_content(agenda))


# --- what changed -----------------------------------------------------------------------------------

FIELD_LABELS = {
    "title_uk": _("title (Ukrainian)"),
    "title_en": _("title (English)"),
    "specific_uk": _("specific statement (Ukrainian)"),
    "specific_en": _("specific statement (English)"),
    "challenge": _("linked challenge"),
    "indicator": _("indicator"),
    "baseline_value": _("baseline value"),
    "baseline_date": _("baseline date"),
    "target_value": _("target value"),
    "deadline": _("deadline"),
    "owner_org": _("owner organisation"),
    "owner_person": _("owner person"),
    "achievability_note": _("achievable: resources"),
    "relevance_note": _("relevant: link to the strategy"),
    "strategy_ref": _("strategy reference"),
    "domain": _("specialisation domain"),
    "summary_uk": _("summary (Ukrainian)"),
    "summary_en": _("summary (English)"),
    "is_pilot": _("pilot"),
    "priority": _("priority"),
    "lead_org": _("lead organisation"),
    "partners": _("partners"),
    "goals": _("goals"),
    "mechanisms": _("mechanisms"),
    "normative_acts": _("legal acts"),
    "funding_lines": _("funding lines"),
    "budget_total": _("budget"),
    "currency": _("currency"),
    "start_date": _("start"),
    "end_date": _("end"),
    "expected_results": _("expected results"),
    "risks": _("risks"),
    "dfrr_eligible": _("DFRR-eligible"),
}


@dataclass(frozen=True)
class FieldChange:
    field: str
    old: str
    new: str

    @property
    def label(self):
        return FIELD_LABELS.get(self.field, self.field)


@dataclass(frozen=True)
class ContentChange:
    kind: str  # "goal" | "project" | "schema"
    code: str
    title: str
    change: str  # "added" | "removed" | "changed"
    fields: tuple[FieldChange, ...] = ()


def _show(value) -> str:
    """A compact, readable rendering of a content value (codes stay codes: it is a record)."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "✓" if value else "✗"
    if isinstance(value, dict):
        return " · ".join(str(v) for v in value.values() if v not in (None, ""))
    if isinstance(value, list):
        return "; ".join(_show(v) for v in value) or "—"
    return str(value)


def _diff_entries(kind: str, old: list[dict], new: list[dict]) -> list[ContentChange]:
    old_by, new_by = {e["code"]: e for e in old}, {e["code"]: e for e in new}
    changes = []
    for code in sorted(set(old_by) | set(new_by)):
        before, after = old_by.get(code), new_by.get(code)
        if before is None:
            changes.append(ContentChange(kind, code, after.get("title_uk", ""), "added"))
        elif after is None:
            changes.append(ContentChange(kind, code, before.get("title_uk", ""), "removed"))
        elif before != after:
            fields = tuple(
                FieldChange(name, _show(before.get(name)), _show(after.get(name)))
                for name in sorted(set(before) | set(after))
                if before.get(name) != after.get(name)
            )
            changes.append(ContentChange(kind, code, after.get("title_uk", ""), "changed", fields))
    return changes


def canonical_diff(old: dict, new: dict) -> list[ContentChange]:
    """What changed from `old` to `new`, goals first, then projects, each by code."""
    if old.get("schema") != new.get("schema"):
        return [ContentChange("schema", "", "", "changed")]
    return _diff_entries("goal", old.get("goals", []), new.get("goals", [])) + _diff_entries(
        "project", old.get("projects", []), new.get("projects", [])
    )
