"""The main pages measured by the benchmarks and the load test, with the number of rows each lists
(shared by bench/pages.py, bench/locustfile.py and the seed_scale test)."""

from django.db.models import Count
from django.urls import reverse

from regions import scale_data

YEAR = scale_data.YEAR

# Page sizes of the paginated pages (stakeholders.views, agenda.views, projects.views).
MATRIX_PAGE, DIRECTORY_PAGE, SWOT_TOP, PORTFOLIO_PAGE = 50, 25, 25, 25


def main_pages(region_slug: str, programme_code: str) -> dict[str, str]:
    """Page name -> URL of the main pages of one scale region (and its programme)."""
    r = {"region": region_slug}
    ry = {"region": region_slug, "year": YEAR}
    return {
        "role_matrix": reverse("stakeholders:role-entry-list", kwargs=ry),
        "directory": reverse("stakeholders:organisation-list", kwargs=r),
        "swot_board": reverse("agenda:swot-board", kwargs=ry),
        "portfolio": reverse("projects:project-list", kwargs=ry),
        "region_dashboard": reverse("regions:region-dashboard", kwargs=r),
        "programme_dashboard": reverse(
            "programmes:programme-dashboard", kwargs={"programme": programme_code}
        ),
        "session_timeline": reverse("sessions:session-timeline", kwargs=r),
    }


def page_rows(region_slug: str, programme_code: str) -> dict[str, int]:
    """How many data rows each main page lists for this region (what its reference view renders)."""
    from agenda.models import SwotItem
    from projects.models import Project
    from regions.models import Agenda, Programme
    from sessions.models import Session

    agenda = Agenda.objects.get(region__slug=region_slug, year=YEAR)
    per_quadrant = SwotItem.objects.filter(agenda=agenda).values("quadrant").annotate(n=Count("pk"))
    sessions = Session.objects.filter(agenda=agenda).count() + 1  # and the programme's joint session 1
    return {
        "role_matrix": min(agenda.role_entries.count(), MATRIX_PAGE),
        "directory": min(agenda.region.organisations.count(), DIRECTORY_PAGE),
        "swot_board": sum(min(q["n"], SWOT_TOP) for q in per_quadrant),
        "portfolio": min(Project.objects.filter(agenda=agenda).count(), PORTFOLIO_PAGE),
        "region_dashboard": sessions + 3,  # the five sessions and the three criteria
        "programme_dashboard": Programme.objects.get(code=programme_code).regions.count(),
        "session_timeline": sessions,
    }
