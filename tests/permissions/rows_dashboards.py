"""The region dashboard, the agenda report (page and PDF) and the programme dashboard.

The programme dashboard is open to the programme's coordinators and administrators (every region) and
to the members of its regions (only their own regions' rows, see tests/dashboards); in this world every
logged-in actor belongs to a region of the programme, so all of them may read it."""

from .table import Row
from .world import LOGGED_IN, READERS_A

OUTSIDERS_A = frozenset({"coord_b"})


def _year(w):
    return {"region": w.region_a.slug, "year": w.agenda_a.year}


ROWS = [
    Row(
        "regions:region-dashboard",
        kwargs=lambda w: {"region": w.region_a.slug},
        get=READERS_A,
        hide_from=OUTSIDERS_A,
    ),
    Row("regions:agenda-report", kwargs=_year, get=READERS_A, hide_from=OUTSIDERS_A),
    Row("regions:agenda-report-pdf", kwargs=_year, get=READERS_A, hide_from=OUTSIDERS_A),
    Row("programmes:programme-dashboard", kwargs=lambda w: {"programme": w.programme.code}, get=LOGGED_IN),
]
