"""The bare reference view of the benchmarks: `n` rows from one simple PostgreSQL query, rendered by a
plain Django template (no base layout, no forms, no permissions beyond the login every page needs).
A main page that lists `n` rows is compared against it in the same run."""

from pathlib import Path

from django.http import HttpResponse
from django.template import engines

from stakeholders.models import Organisation

TEMPLATE = engines["django"].from_string((Path(__file__).parent / "templates" / "reference.html").read_text())


def reference(request, n: int):
    rows = list(
        Organisation.objects.order_by("pk").values("pk", "name_uk", "short_name", "kind", "created_at")[
            : max(1, n)
        ]
    )
    return HttpResponse(TEMPLATE.render({"rows": rows, "n": n}, request))
