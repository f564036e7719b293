from .table import Row
from .world import READERS_A

OUTSIDERS_A = frozenset({"coord_b"})

ROWS = [
    Row(
        "regions:region-detail",
        kwargs=lambda w: {"region": w.region_a.slug},
        get=READERS_A,
        hide_from=OUTSIDERS_A,
    ),
    Row(
        "regions:agenda-detail",
        kwargs=lambda w: {"region": w.region_a.slug, "year": w.agenda_a.year},
        get=READERS_A,
        hide_from=OUTSIDERS_A,
    ),
]
