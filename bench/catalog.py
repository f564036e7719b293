"""The main pages measured by the benchmarks, with the number of rows each lists (shared by bench/pages.py,
the locustfile and the seed_scale test)."""

from django.urls import reverse

from regions import scale_data

YEAR = scale_data.YEAR


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
