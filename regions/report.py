"""The agenda report: a region's whole common agenda on one printable page and as a PDF.

`agenda_report_context(agenda)` reads everything the report shows (role matrix, SWOT, challenges, goals,
portfolio, teams, action plans, success criteria) in a fixed number of queries. The PDF is a pure function
`render_agenda_report_pdf(agenda, language=…) -> bytes`, rendered by WeasyPrint inside the requested
language with the memorandum renderer's fetcher (`agenda.pdf.StaticOnlyFetcher`), which serves only our
static files and data: URIs — no file://, no network.
"""

from django.conf import settings
from django.db.models import Prefetch
from django.template.loader import render_to_string
from django.utils import timezone, translation

from agenda.criteria import evaluate
from agenda.models import Challenge, Goal, SwotItem, SwotQuadrant
from projects.criteria import counted_members, team_leader
from projects.models import ActionStep, Project, TeamMembership, WorkingTeam
from stakeholders.models import RoleMatrixEntry

from .models import Agenda


def agenda_report_context(agenda: Agenda) -> dict:
    """Everything in the report, in the active language. Eleven queries, whatever the agenda's size."""
    role_entries = list(
        RoleMatrixEntry.objects.filter(agenda=agenda)
        .select_related("organisation", "representative", "leader_direction")
        .order_by("-is_leader", "organisation__name_uk")
    )
    swot_items = list(SwotItem.objects.filter(agenda=agenda).select_related("proposed_by"))
    swot = [
        (code, label, [i for i in swot_items if i.quadrant == code]) for code, label in SwotQuadrant.choices
    ]
    challenges = list(
        Challenge.objects.filter(agenda=agenda).select_related("owner").order_by("rank", "code")
    )
    goals = list(
        Goal.objects.filter(agenda=agenda)
        .select_related("indicator", "owner_org", "owner_person", "challenge")
        .order_by("code")
    )
    projects = list(
        Project.objects.filter(agenda=agenda)
        .select_related("lead_org", "team", "domain")
        .prefetch_related(
            "mechanisms",
            "funding_lines",
            Prefetch(
                "steps",
                queryset=ActionStep.objects.select_related("responsible_org", "responsible_person"),
                to_attr="plan",
            ),
        )
        .order_by("-is_pilot", "priority", "code")
    )
    for project in projects:
        project.plan.sort(key=lambda s: ActionStep.number_key(s.number))
    teams = list(
        WorkingTeam.objects.filter(agenda=agenda)
        .select_related("domain")
        .prefetch_related(
            Prefetch(
                "memberships",
                queryset=TeamMembership.objects.current().select_related("person", "organisation"),
                to_attr="current_members",
            )
        )
        .order_by("name_uk")
    )
    for team in teams:
        team.leader = team_leader(team)
        team.counted = counted_members(team)
    return {
        "agenda": agenda,
        "region": agenda.region,
        "role_entries": role_entries,
        "swot": swot,
        "challenges": challenges,
        "goals": goals,
        "projects": projects,
        "plans": [p for p in projects if p.plan],
        "teams": teams,
        "criteria": evaluate(agenda),
        "generated_at": timezone.localtime(),
    }


def render_agenda_report_pdf(agenda: Agenda, *, language: str = "uk") -> bytes:
    """The report as an A4 PDF in `language`. Reads the agenda; writes nothing."""
    from weasyprint import HTML  # imported here: WeasyPrint takes most of a second to import

    from agenda.pdf import STATIC_BASE, StaticOnlyFetcher

    with translation.override(language):
        context = agenda_report_context(agenda)
        context.update(language=language, static_base=STATIC_BASE, site_url=settings.SITE_URL.rstrip("/"))
        html = render_to_string("report/agenda_report_pdf.html", context)
        return HTML(string=html, base_url=STATIC_BASE, url_fetcher=StaticOnlyFetcher()).write_pdf()
