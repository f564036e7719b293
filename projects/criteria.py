"""Success criterion 3 — "teams working" — computed from the teams, their members, the region's main
specialisation directions and the pilot projects' action plans.

The criterion is met when, for an agenda:

1. at least MIN_ACTIVE_TEAMS working teams are *active*;
2. the region has main specialisation directions (`SpecialisationDomain.is_main`) and every one of them is
   covered by an active team;
3. every active team has a current leader and at least MIN_MEMBERS current members from at least
   MIN_ORGANISATIONS organisations (observers watch and do not count; people who left do not count);
4. the portfolio has at least one pilot project (not cancelled or rejected), and every pilot project has a
   working team that is not dissolved and an action plan with at least one step that has an owner
   (a responsible organisation or person) and a due date.

Each missing thing is one `Gap`, with a link to a page every reader of the region may open and where a
coordinator fixes it (the team list, a team's page, a project's action plan).

`teams_working(agendas)` costs five queries however many agendas it is given.
"""

from collections import defaultdict
from collections.abc import Sequence

from django.db.models import Count, Prefetch, Q
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from agenda.criteria import CriterionResult, Gap
from regions.models import Agenda, SpecialisationDomain
from stakeholders.models import PersonRole

from .models import Project, ProjectStatus, TeamMembership, WorkingTeam

NUMBER = 3
TITLE = gettext_lazy("Teams working")
MIN_ACTIVE_TEAMS = 3
MIN_MEMBERS = 3
MIN_ORGANISATIONS = 2
# Projects in these states no longer need a team or a plan.
CLOSED_PROJECT_STATUSES = (ProjectStatus.CANCELLED, ProjectStatus.REJECTED)

# A step is planned when somebody owns it and it has a due date.
PLANNED_STEP = Q(steps__due_date__isnull=False) & (
    Q(steps__responsible_org__isnull=False) | Q(steps__responsible_person__isnull=False)
)


def counted_members(team: WorkingTeam) -> list[TeamMembership]:
    """Current members who carry work (observers excluded). Needs `team.current_members` (prefetched)."""
    return [m for m in team.current_members if m.role != PersonRole.OBSERVER]


def team_leader(team: WorkingTeam) -> TeamMembership | None:
    return next((m for m in team.current_members if m.role == PersonRole.LEADER), None)


def teams_for(agenda_ids: Sequence[int]):
    """Teams of the agendas with their current members (two queries)."""
    return (
        WorkingTeam.objects.filter(agenda_id__in=agenda_ids)
        .select_related("domain")
        .prefetch_related(
            Prefetch(
                "memberships",
                queryset=TeamMembership.objects.current().select_related("person", "organisation"),
                to_attr="current_members",
            )
        )
        .order_by("agenda_id", "name_uk")
    )


def pilots_for(agenda_ids: Sequence[int]):
    """Open pilot projects with their team and step counts (one query)."""
    return (
        Project.objects.filter(agenda_id__in=agenda_ids, is_pilot=True)
        .exclude(status__in=CLOSED_PROJECT_STATUSES)
        .select_related("team")
        .annotate(
            step_count=Count("steps", distinct=True),
            planned_step_count=Count("steps", filter=PLANNED_STEP, distinct=True),
        )
        .order_by("agenda_id", "priority", "code")
    )


def teams_working(agendas: Sequence[Agenda]) -> dict[int, CriterionResult]:
    agenda_ids = [a.pk for a in agendas]
    if not agenda_ids:
        return {}
    # Region slug and year for the links, whatever the caller did or did not select_related.
    where = {
        pk: (region_id, slug, year)
        for pk, region_id, slug, year in Agenda.objects.filter(pk__in=agenda_ids).values_list(
            "pk", "region_id", "region__slug", "year"
        )
    }
    teams_by_agenda: dict[int, list[WorkingTeam]] = defaultdict(list)
    for team in teams_for(agenda_ids):
        teams_by_agenda[team.agenda_id].append(team)
    main_domains: dict[int, list[SpecialisationDomain]] = defaultdict(list)
    for domain in SpecialisationDomain.objects.filter(
        region_id__in={region_id for region_id, _slug, _year in where.values()}, is_main=True
    ).order_by("name_uk"):
        main_domains[domain.region_id].append(domain)
    pilots_by_agenda: dict[int, list[Project]] = defaultdict(list)
    for project in pilots_for(agenda_ids):
        pilots_by_agenda[project.agenda_id].append(project)

    results = {}
    for agenda_id in agenda_ids:
        if agenda_id not in where:
            continue
        region_id, slug, year = where[agenda_id]
        results[agenda_id] = _evaluate(
            slug=slug,
            year=year,
            teams=teams_by_agenda[agenda_id],
            domains=main_domains[region_id],
            pilots=pilots_by_agenda[agenda_id],
        )
    return results


def _evaluate(*, slug: str, year: int, teams, domains, pilots) -> CriterionResult:
    def team_list_url(**query) -> str:
        url = reverse("teams:team-list", kwargs={"region": slug, "year": year})
        return f"{url}?{urlencode(query)}" if query else url

    def team_url(team) -> str:
        return reverse("teams:team-detail", kwargs={"region": slug, "pk": team.pk}) + "#members"

    def plan_url(project) -> str:
        return reverse("teams:plan-detail", kwargs={"region": slug, "pk": project.pk})

    gaps: list[Gap] = []
    evidence: list[str] = []
    active = [t for t in teams if t.status == WorkingTeam.Status.ACTIVE]

    # 1. At least three active teams.
    if active:
        evidence.append(
            ngettext(
                "%(count)d active working team: %(names)s",
                "%(count)d active working teams: %(names)s",
                len(active),
            )
            % {"count": len(active), "names": ", ".join(f"«{t.name}»" for t in active)}
        )
    if len(active) < MIN_ACTIVE_TEAMS:
        forming = [t for t in teams if t.status == WorkingTeam.Status.FORMING]
        text = ngettext(
            "%(count)d active working team; at least %(needed)d are needed.",
            "%(count)d active working teams; at least %(needed)d are needed.",
            len(active),
        ) % {"count": len(active), "needed": MIN_ACTIVE_TEAMS}
        if forming:
            text += " " + _("Still forming: %(names)s.") % {
                "names": ", ".join(f"«{t.name}»" for t in forming)
            }
        gaps.append(Gap(text, team_list_url()))

    # 2. Every main direction covered by an active team.
    covered_ids = {t.domain_id for t in active if t.domain_id}
    if not domains:
        gaps.append(
            Gap(
                _("No main specialisation direction is recorded for the region."),
                reverse("regions:region-detail", kwargs={"region": slug}),
            )
        )
    else:
        covered = [d for d in domains if d.pk in covered_ids]
        evidence.append(
            _("Main directions covered: %(covered)d of %(total)d")
            % {"covered": len(covered), "total": len(domains)}
        )
        for domain in domains:
            if domain.pk not in covered_ids:
                gaps.append(
                    Gap(
                        _("Main direction «%(direction)s» has no active working team.")
                        % {"direction": domain.name},
                        team_list_url(domain=domain.pk),
                    )
                )

    # 3. Leader, members, organisations of every active team.
    for team in active:
        members = counted_members(team)
        organisations = {m.organisation_id for m in members}
        if team_leader(team) is None:
            gaps.append(Gap(_("Team «%(team)s» has no leader.") % {"team": team.name}, team_url(team)))
        if len(members) < MIN_MEMBERS:
            gaps.append(
                Gap(
                    ngettext(
                        "Team «%(team)s» has %(count)d member; at least %(needed)d are needed.",
                        "Team «%(team)s» has %(count)d members; at least %(needed)d are needed.",
                        len(members),
                    )
                    % {"team": team.name, "count": len(members), "needed": MIN_MEMBERS},
                    team_url(team),
                )
            )
        if len(organisations) < MIN_ORGANISATIONS:
            gaps.append(
                Gap(
                    ngettext(
                        "Team «%(team)s» has members from %(count)d organisation; at least %(needed)d are needed.",
                        "Team «%(team)s» has members from %(count)d organisations; at least %(needed)d are needed.",
                        len(organisations),
                    )
                    % {"team": team.name, "count": len(organisations), "needed": MIN_ORGANISATIONS},
                    team_url(team),
                )
            )

    # 4. Pilot projects: a team and an action plan with an owned, dated step.
    if not pilots:
        gaps.append(
            Gap(
                _("No pilot project is marked in the portfolio; the teams must carry at least one."),
                reverse("teams:plan-list", kwargs={"region": slug, "year": year}),
            )
        )
    for project in pilots:
        team_ok = project.team_id is not None and project.team.status != WorkingTeam.Status.DISSOLVED
        if project.team_id is None:
            gaps.append(
                Gap(
                    _("Pilot project %(project)s has no working team.") % {"project": project.code},
                    plan_url(project),
                )
            )
        elif not team_ok:
            gaps.append(
                Gap(
                    _("The team of pilot project %(project)s, «%(team)s», is dissolved.")
                    % {"project": project.code, "team": project.team.name},
                    plan_url(project),
                )
            )
        if project.planned_step_count == 0:
            if project.step_count == 0:
                text = _("Pilot project %(project)s has no action plan.") % {"project": project.code}
            else:
                text = ngettext(
                    "The action plan of pilot project %(project)s has %(count)d step, but none with a responsible and a due date.",
                    "The action plan of pilot project %(project)s has %(count)d steps, but none with a responsible and a due date.",
                    project.step_count,
                ) % {"project": project.code, "count": project.step_count}
            gaps.append(Gap(text, plan_url(project)))
        elif team_ok:
            evidence.append(
                ngettext(
                    "Pilot project %(project)s: team «%(team)s», action plan of %(count)d step",
                    "Pilot project %(project)s: team «%(team)s», action plan of %(count)d steps",
                    project.step_count,
                )
                % {"project": project.code, "team": project.team.name, "count": project.step_count}
            )

    met = not gaps
    if met:
        summary = ngettext(
            "%(teams)d active teams cover every main direction; %(pilots)d pilot project has a team and an action plan.",
            "%(teams)d active teams cover every main direction; %(pilots)d pilot projects have a team and an action plan.",
            len(pilots),
        ) % {"teams": len(active), "pilots": len(pilots)}
    else:
        summary = ngettext(
            "%(teams)d of %(needed)d active teams; %(gaps)d thing is missing.",
            "%(teams)d of %(needed)d active teams; %(gaps)d things are missing.",
            len(gaps),
        ) % {"teams": len(active), "needed": MIN_ACTIVE_TEAMS, "gaps": len(gaps)}
    return CriterionResult(number=NUMBER, title=TITLE, met=met, summary=summary, evidence=evidence, gaps=gaps)
