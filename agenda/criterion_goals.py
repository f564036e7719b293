"""Success criterion 2 — "goals and projects agreed" — computed from the goals, the portfolio and the
endorsements.

The criterion is met for an agenda when:

1. it has at least one goal (cancelled goals do not count);
2. every goal is SMART-complete (`agenda.smart.smart_check`: all five letters lit);
3. every goal is served by at least one project of the portfolio (not cancelled or rejected);
4. every high-priority project has at least one mechanism (a mechanism kind or a legal act) and
   resources: a funding line that was not rejected, or a budget above zero;
5. every participating organisation (one with a role-matrix row in the agenda) has endorsed the
   current version of the goal list and portfolio — the one whose canonical hash is current now.

Each missing thing is one `Gap` with a link to a page every reader of the region may open and where the
coordinator (or the organisation concerned) fixes it: the goal's page, the project's page, the goal list,
the endorsements page.

`goals_agreed(agendas)` costs ten queries however many agendas it is given.
"""

from collections import defaultdict
from collections.abc import Sequence

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from stakeholders.models import RoleMatrixEntry

from .canonical import AgendaPortfolio, load_portfolios
from .criteria import CriterionResult, Gap
from .models import Endorsement, Priority
from .smart import goal_smart

NUMBER = 2
TITLE = gettext_lazy("Goals and projects agreed")


def project_has_mechanism(project) -> bool:
    """Needs `mechanisms` and `normative_acts` prefetched."""
    return bool(project.mechanisms.all()) or bool(project.normative_acts.all())


def project_has_resources(project) -> bool:
    """A funding line that was not rejected, or a budget above zero. Needs `funding_lines` prefetched."""
    from projects.models import FundingLine

    if project.budget_total is not None and project.budget_total > 0:
        return True
    return any(line.status != FundingLine.Status.REJECTED for line in project.funding_lines.all())


def endorsement_states(agenda_ids: Sequence[int], hashes: dict[int, str]) -> dict[int, dict]:
    """Per agenda: participating organisations in name order, and for each its current endorsement
    (of the current hash) and its latest one. Two queries."""
    participants: dict[int, list] = defaultdict(list)
    for entry in (
        RoleMatrixEntry.objects.filter(agenda_id__in=agenda_ids)
        .select_related("organisation")
        .order_by("organisation__name_uk")
    ):
        participants[entry.agenda_id].append(entry.organisation)
    latest: dict[tuple[int, int], Endorsement] = {}
    current: dict[tuple[int, int], Endorsement] = {}
    for endorsement in Endorsement.objects.filter(agenda_id__in=agenda_ids).order_by("created_at", "pk"):
        key = (endorsement.agenda_id, endorsement.organisation_id)
        latest[key] = endorsement
        if endorsement.content_hash == hashes.get(endorsement.agenda_id):
            current[key] = endorsement
    return {
        agenda_id: {
            "organisations": participants[agenda_id],
            "current": {org.pk: current.get((agenda_id, org.pk)) for org in participants[agenda_id]},
            "latest": {org.pk: latest.get((agenda_id, org.pk)) for org in participants[agenda_id]},
        }
        for agenda_id in agenda_ids
    }


def evaluate_loaded(portfolio: AgendaPortfolio, endorsements: dict) -> CriterionResult:
    """The criterion from an already loaded portfolio and its endorsement states (no query)."""
    slug, year = portfolio.region_slug, portfolio.year

    def url(name, **kwargs):
        namespace = "projects" if name.startswith("project") else "agenda"
        if namespace == "agenda":
            kwargs["year"] = year
        return reverse(f"{namespace}:{name}", kwargs={"region": slug, **kwargs})

    gaps: list[Gap] = []
    evidence: list[str] = []
    goals, projects = portfolio.goals, portfolio.projects

    # 1. At least one goal.
    if not goals:
        gaps.append(Gap(_("No goal has been set yet."), url("goal-list")))

    # 2. Every goal SMART-complete.
    complete = 0
    for goal in goals:
        result = goal_smart(goal)
        if result.complete:
            complete += 1
            continue
        missing = "; ".join(f"{letter.code} — {letter.reason}" for letter in result.missing)
        gaps.append(
            Gap(
                _("Goal %(code)s is not SMART-complete: %(missing)s")
                % {"code": goal.code, "missing": missing},
                url("goal-detail", pk=goal.pk),
            )
        )
    if goals:
        evidence.append(
            _("%(complete)d of %(total)d goals are SMART-complete.")
            % {"complete": complete, "total": len(goals)}
        )

    # 3. Every goal served by a project.
    served = {goal.pk for project in projects for goal in project.goals.all()}
    for goal in goals:
        if goal.pk not in served:
            gaps.append(
                Gap(
                    _("No project of the portfolio serves goal %(code)s.") % {"code": goal.code},
                    url("goal-detail", pk=goal.pk),
                )
            )

    # 4. High-priority projects backed by mechanisms and resources.
    high = [p for p in projects if p.priority == Priority.HIGH]
    backed = 0
    for project in high:
        has_mechanism, has_resources = project_has_mechanism(project), project_has_resources(project)
        if has_mechanism and has_resources:
            backed += 1
            continue
        if not (has_mechanism or has_resources):
            text = _(
                "High-priority project %(code)s has neither a mechanism nor resources (a funding line or a budget)."
            )
        elif not has_mechanism:
            text = _("High-priority project %(code)s has no mechanism (instrument or legal act).")
        else:
            text = _("High-priority project %(code)s has no resources (a funding line or a budget).")
        gaps.append(Gap(text % {"code": project.code}, url("project-detail", pk=project.pk)))
    evidence.append(
        ngettext(
            "%(count)d project in the portfolio",
            "%(count)d projects in the portfolio",
            len(projects),
        )
        % {"count": len(projects)}
        + "; "
        + _("%(backed)d of %(high)d high-priority projects backed by mechanisms and resources.")
        % {"backed": backed, "high": len(high)}
    )

    # 5. Every participating organisation endorsed the current version.
    organisations = endorsements["organisations"]
    endorsements_url = url("endorsement-list")
    if not organisations:
        gaps.append(
            Gap(
                _("No organisation takes part in the role matrix yet, so nobody can endorse."),
                endorsements_url,
            )
        )
    waiting, stale = [], []
    for org in organisations:
        if endorsements["current"][org.pk] is not None:
            continue
        (stale if endorsements["latest"][org.pk] is not None else waiting).append(str(org))
    endorsed = len(organisations) - len(waiting) - len(stale)
    if organisations:
        evidence.append(
            _(
                "%(endorsed)d of %(total)d participating organisations endorsed the current version (%(hash)s)."
            )
            % {"endorsed": endorsed, "total": len(organisations), "hash": portfolio.hash[:10]}
        )
    if stale:
        gaps.append(
            Gap(
                _("Endorsed an earlier version, must look at the changes and endorse again: %(names)s.")
                % {"names": ", ".join(stale)},
                endorsements_url,
            )
        )
    if waiting:
        gaps.append(
            Gap(
                _("Waiting for the endorsement of: %(names)s.") % {"names": ", ".join(waiting)},
                endorsements_url,
            )
        )

    met = not gaps
    if met:
        summary = ngettext(
            "Every goal is SMART and served by projects; the %(orgs)d participating organisation endorsed the current version.",
            "Every goal is SMART and served by projects; all %(orgs)d participating organisations endorsed the current version.",
            len(organisations),
        ) % {"orgs": len(organisations)}
    else:
        summary = ngettext("%(count)d thing is missing.", "%(count)d things are missing.", len(gaps)) % {
            "count": len(gaps)
        }
    return CriterionResult(number=NUMBER, title=TITLE, met=met, summary=summary, evidence=evidence, gaps=gaps)


def goals_agreed(agendas: Sequence) -> dict[int, CriterionResult]:
    agendas = list(agendas)
    if not agendas:
        return {}
    portfolios = load_portfolios(agendas)
    states = endorsement_states([a.pk for a in agendas], {pk: p.hash for pk, p in portfolios.items()})
    return {pk: evaluate_loaded(portfolio, states[pk]) for pk, portfolio in portfolios.items()}
