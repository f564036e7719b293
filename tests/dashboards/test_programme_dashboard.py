"""The programme dashboard: every region side by side for the programme's coordinators, only their own
regions for region members, nothing for outsiders; a constant number of queries for 4 and 40 regions."""

import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from agenda.criteria import evaluate
from tests import factories as f
from tests.test_pages import assert_csp_clean

from .builders import build_programme

pytestmark = pytest.mark.django_db


def url(programme) -> str:
    return reverse("programmes:programme-dashboard", kwargs={"programme": programme.code})


def region_rows(html: str) -> list[str]:
    """Names of the regions in the side-by-side table."""
    table = html.split('class="table align-middle ca-table ca-side-by-side', 1)[1].split("</table>", 1)[0]
    return re.findall(r'<th scope="row">\s*<a href="[^"]+">([^<]+)</a>', table)


def test_programme_coordinator_sees_every_region_with_charts(client):
    world = build_programme(3)
    client.force_login(world["lead"])
    response = client.get(url(world["programme"]))
    assert response.status_code == 200
    html = response.content.decode()
    assert_csp_clean(html)
    assert region_rows(html) == ["Область 00", "Область 01", "Область 02"]
    assert html.count('class="ca-chart ca-bars"') == 3  # helix + UAH + EUR
    assert "1\u202f000\u202f000" in html  # the budget table, readable without the chart
    assert "ca-crit-cell" in html


def test_region_member_sees_only_own_regions(client):
    world = build_programme(3)
    member = world["regions"][1]["coordinator"]
    client.force_login(member)
    html = client.get(url(world["programme"])).content.decode()
    assert region_rows(html) == ["Область 01"]
    assert "Область 00" not in html and "Область 02" not in html


def test_outsider_gets_404_and_post_is_refused(client):
    world = build_programme(1)
    client.force_login(f.UserFactory())
    assert client.get(url(world["programme"])).status_code == 404
    client.force_login(world["lead"])
    assert client.post(url(world["programme"])).status_code == 405


def test_coordinator_of_another_programme_sees_only_shared_regions(client):
    world = build_programme(2)
    other = f.ProgrammeFactory()
    other.regions.add(world["regions"][0]["region"])
    lead = f.UserFactory()
    f.ProgrammeMembershipFactory(user=lead, programme=other)
    client.force_login(lead)
    assert region_rows(client.get(url(world["programme"])).content.decode()) == ["Область 00"]


def test_admin_sees_every_region(client):
    world = build_programme(2)
    client.force_login(f.UserFactory(is_superuser=True, is_staff=True))
    assert len(region_rows(client.get(url(world["programme"])).content.decode())) == 2


def _queries(client, programme) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url(programme)).status_code == 200
    return len(queries)


def test_queries_are_the_same_for_4_and_for_40_regions(client):
    small = build_programme(4)
    large = build_programme(40)
    client.force_login(f.UserFactory(is_superuser=True, is_staff=True))
    _queries(client, small["programme"])  # warm per-process caches (content types, session kinds)
    cache.clear()  # computed criteria are cached: measure the cold page, then the warm one
    four = _queries(client, small["programme"])
    forty = _queries(client, large["programme"])
    print(f"programme dashboard: {four} queries for 4 regions, {forty} for 40")
    assert four == forty, f"4 regions: {four} queries, 40 regions: {forty}"
    warm_four, warm_forty = _queries(client, small["programme"]), _queries(client, large["programme"])
    assert warm_four == warm_forty < four


def test_long_gap_lists_are_cut_with_a_link_to_the_region_dashboard(client):
    world = build_programme(1)
    region = world["regions"][0]
    for _ in range(7):
        f.RoleMatrixEntryFactory(
            agenda=region["agenda"], organisation=f.OrganisationFactory(region=region["region"])
        )
    client.force_login(world["lead"])
    html = client.get(
        reverse("programmes:programme-dashboard", kwargs={"programme": world["programme"].code})
    ).content.decode()
    card = html[html.index(f'id="region-{region["region"].pk}-criteria"') :]
    card = card[: card.index("</article>\n        </div>")]
    first = card[: card.index("</article>")]  # criterion 1
    dashboard = reverse("regions:region-dashboard", kwargs={"region": region["region"].slug})
    assert first.count("<li>") == 5
    gaps = len(evaluate(region["agenda"])[0].gaps)
    assert re.search(rf'<a href="{dashboard}">[^<]*\b{gaps - 5}\b[^<]*</a>', first)


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "uk",
            [
                "Сесія 1: не заплановано",
                "Сесія 2: Проведено",
                "Сесія 3: Заплановано",
                "Сесія 4: не заплановано",
                "Сесія 5: не заплановано",
            ],
        ),
        (
            "en",
            [
                "Session 1: not planned",
                "Session 2: Held",
                "Session 3: Planned",
                "Session 4: not planned",
                "Session 5: not planned",
            ],
        ),
    ],
)
def test_each_regions_session_line_names_every_session_and_its_status(client, language, expected):
    world = build_programme(1)  # session 2 held, session 3 planned, 1, 4 and 5 not planned
    client.force_login(world["lead"])
    client.cookies["django_language"] = language
    html = client.get(url(world["programme"]), headers={"accept-language": language}).content.decode()
    line = html.split('class="ca-stage-line ca-stage-line-compact"', 1)[1].split("</ol>", 1)[0]
    assert re.findall(r'<span class="visually-hidden">([^<]+)</span>', line) == expected
