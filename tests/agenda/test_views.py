"""Pages of the SWOT board, challenges, goals, endorsements and the traceability picture: htmx and
no-JavaScript paths, constant query counts, bad input kept and explained, CSP-clean HTML."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from agenda.canonical import current_hash
from agenda.models import Challenge, Endorsement, Goal, SwotItem, SwotQuadrant, SwotVote
from tests import factories as f
from tests.test_pages import assert_csp_clean

from .helpers import backed_project, region_with_people, smart_goal

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def world():
    return region_with_people()


def url(w, name, **kwargs):
    return reverse(f"agenda:{name}", kwargs={"region": w["region"].slug, "year": 2021, **kwargs})


def login(client, user):
    client.force_login(user)
    return client


# --- the SWOT board ------------------------------------------------------------------------------------


def _fill_board(w, n):
    """n items spread over the quadrants, each with a vote and linked to a challenge."""
    quadrants = SwotQuadrant.values
    SwotItem.objects.bulk_create(
        [
            SwotItem(
                agenda=w["agenda"],
                quadrant=quadrants[i % 4],
                text_uk=f"Твердження {i}",
                proposed_by=w["org_x"] if i % 2 else w["org_y"],
                importance=1 + i % 5,
                votes_count=1,
            )
            for i in range(n)
        ]
    )
    items = list(SwotItem.objects.filter(agenda=w["agenda"], votes__isnull=True))
    SwotVote.objects.bulk_create([SwotVote(item=item, user=w["rep_x"]) for item in items])
    challenge = Challenge.objects.get_or_create(
        agenda=w["agenda"], code="C-1", defaults={"title_uk": "Виклик"}
    )[0]
    challenge.swot_items.add(*items)


def _count_queries(client, path) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_swot_board_costs_the_same_queries_for_10_and_500_items(client, world):
    login(client, world["rep_x"])
    board = url(world, "swot-board")
    _fill_board(world, 10)
    small = _count_queries(client, board)
    _fill_board(world, 490)
    large = _count_queries(client, board)
    assert small == large, (small, large)
    # One quadrant alone is paginated, at the same cost.
    assert _count_queries(client, board + "?quadrant=S") <= large + 1


def test_swot_board_lists_the_proposers_once_for_its_filter_and_its_four_forms_without_counting(
    client, world
):
    login(client, world["coordinator"])
    with CaptureQueriesContext(connection) as ctx:
        html = client.get(url(world, "swot-board")).content.decode()
    organisations = [q["sql"] for q in ctx.captured_queries if 'FROM "stakeholders_organisation"' in q["sql"]]
    assert not [sql for sql in organisations if "COUNT(" in sql], organisations
    assert len(organisations) == 2, "the filter's list, and one list for the four add forms"
    selects = [part.split("</select>")[0] for part in html.split('name="proposed_by"')[1:]]
    assert len(selects) == 5
    assert all(f'<option value="{world["org_x"].pk}"' in select for select in selects)


def test_board_shows_items_ordered_by_votes_with_links_both_ways(client, world):
    low = f.SwotItemFactory(agenda=world["agenda"], text_uk="Мало голосів", votes_count=1)
    high = f.SwotItemFactory(agenda=world["agenda"], text_uk="Багато голосів", votes_count=5)
    challenge = f.ChallengeFactory(agenda=world["agenda"], code="C-7")
    challenge.swot_items.add(low)
    html = login(client, world["observer"]).get(url(world, "swot-board")).content.decode()
    assert html.index("Багато голосів") < html.index("Мало голосів")
    assert url(world, "challenge-detail", pk=challenge.pk) in html
    assert url(world, "swot-item-detail", pk=high.pk) in html
    # Readers see the counts but no vote button and no add form.
    assert 'name="vote"' not in html and "swot-item-create" not in html and "Add to" not in html
    assert_csp_clean(html)


def test_vote_with_htmx_answers_with_the_reordered_quadrant(client, world):
    first = f.SwotItemFactory(agenda=world["agenda"], text_uk="Перше", votes_count=0)
    second = f.SwotItemFactory(agenda=world["agenda"], text_uk="Друге", votes_count=0)
    SwotItem.objects.filter(pk=first.pk).update(votes_count=0)
    login(client, world["rep_x"])
    response = client.post(url(world, "swot-vote", pk=second.pk), {"vote": "1", "board": ""}, **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html, "a partial, not a page"
    assert 'id="q-S-heading"' in html
    assert html.index("Друге") < html.index("Перше")
    assert re.search(
        rf'id="vote-{second.pk}"[^>]*aria-pressed="true"|aria-pressed="true"[^>]*id="vote-{second.pk}"',
        html,
        re.S,
    ) or (f'id="vote-{second.pk}"' in html and 'aria-pressed="true"' in html)
    assert SwotItem.objects.get(pk=second.pk).votes_count == 1
    assert_csp_clean(html)


def test_vote_without_javascript_redirects_back_to_the_item(client, world):
    item = f.SwotItemFactory(agenda=world["agenda"])
    login(client, world["rep_y"])
    response = client.post(url(world, "swot-vote", pk=item.pk), {"vote": "1", "board": "dimension=research"})
    assert response.status_code == 302
    assert response["Location"] == url(world, "swot-board") + f"?dimension=research#swot-{item.pk}"
    # The same "vote" again (double click) changes nothing; "0" takes it back.
    client.post(url(world, "swot-vote", pk=item.pk), {"vote": "1"})
    assert SwotItem.objects.get(pk=item.pk).votes_count == 1
    client.post(url(world, "swot-vote", pk=item.pk), {"vote": "0"})
    assert SwotItem.objects.get(pk=item.pk).votes_count == 0


def test_add_item_with_htmx_puts_it_in_its_quadrant(client, world):
    login(client, world["rep_x"])
    data = {
        "quadrant": "O",
        "text_uk": "Центри Індустрії 4.0",
        "dimension": "infrastructure",
        "importance": 4,
        "proposed_by": world["org_x"].pk,
    }
    response = client.post(url(world, "swot-item-create"), data, **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html and "Центри Індустрії 4.0" in html and 'id="q-O-heading"' in html
    item = SwotItem.objects.get()
    assert (item.quadrant, item.proposed_by, item.created_by) == ("O", world["org_x"], world["rep_x"])


def test_add_item_with_bad_input_keeps_the_text_and_writes_nothing(client, world):
    login(client, world["rep_x"])
    data = {
        "quadrant": "W",
        "text_uk": "",
        "text_en": "Weak links",
        "dimension": "cooperation",
        "importance": 9,
        "proposed_by": world["org_x"].pk,
    }
    htmx = client.post(url(world, "swot-item-create"), data, **HTMX).content.decode()
    assert "Weak links" in htmx and "is-invalid" in htmx and " open" in htmx
    page = client.post(url(world, "swot-item-create"), data)
    assert (
        page.status_code == 200 and "<html" in page.content.decode() and "Weak links" in page.content.decode()
    )
    assert not SwotItem.objects.exists()


def test_add_item_without_javascript_redirects_to_the_board(client, world):
    login(client, world["coordinator"])
    response = client.post(
        url(world, "swot-item-create"),
        {"quadrant": "T", "text_uk": "Деіндустріалізація", "dimension": "markets", "importance": 5},
    )
    item = SwotItem.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"#swot-{item.pk}")
    assert item.proposed_by is None  # a coordinator may record an item on nobody's behalf


def test_empty_board_invites_the_first_items(client, world):
    html = login(client, world["rep_x"]).get(url(world, "swot-board")).content.decode()
    assert "The board is empty" in html
    assert html.count('name="text_uk"') == 4, "one add form per quadrant"


# --- challenges and goals -------------------------------------------------------------------------------


def test_challenge_form_prefills_the_ticked_items(client, world):
    a, b = f.SwotItemFactory(agenda=world["agenda"]), f.SwotItemFactory(agenda=world["agenda"])
    html = (
        login(client, world["coordinator"])
        .get(url(world, "challenge-create") + f"?swot={a.pk}&swot={b.pk}")
        .content.decode()
    )
    assert html.count("checked") >= 2


def test_challenge_form_refuses_a_swot_item_beyond_the_database_and_keeps_the_input(client, world):
    """A tick-box value past 64 bits is a form error on every backend (SQLite used to raise OverflowError)."""
    item = f.SwotItemFactory(agenda=world["agenda"])
    response = login(client, world["coordinator"]).post(
        url(world, "challenge-create"),
        {"code": "C-9", "title_uk": "Відтік кадрів", "swot_items": [str(item.pk), str(2**63)]},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert f"“{2**63}” is not one of the available choices." in html
    assert 'value="Відтік кадрів"' in html and 'value="C-9"' in html
    assert not Challenge.objects.filter(code="C-9").exists()


def test_goal_list_shows_smart_letters_and_criterion_2_with_constant_queries(client, world):
    login(client, world["observer"])
    for i in range(3):
        goal = smart_goal(world["agenda"], owner=world["org_x"], code=f"G-{i}")
        backed_project(world["agenda"], goals=[goal], code=f"P-{i}")
    small = _count_queries(client, url(world, "goal-list"))
    for i in range(3, 20):
        goal = smart_goal(
            world["agenda"], owner=world["org_y"], code=f"G-{i}", achievability_note="" if i % 2 else "Кошти"
        )
        backed_project(world["agenda"], goals=[goal], code=f"P-{i}")
    large = _count_queries(client, url(world, "goal-list"))
    assert small == large
    html = client.get(url(world, "goal-list")).content.decode()
    assert "ca-smart-off" in html and "ca-smart-on" in html
    assert "Goals and projects agreed" in html
    assert_csp_clean(html)


def test_goal_form_shows_the_contradiction_and_keeps_the_input(client, world):
    challenge = f.ChallengeFactory(agenda=world["agenda"])
    login(client, world["coordinator"])
    data = {
        "code": "G-5",
        "title_uk": "Скоротити відтік кадрів",
        "specific_uk": "Скоротити відтік інженерів з області",
        "owner_org": world["org_x"].pk,
        "challenge": challenge.pk,
        "new_indicator_name": "Виїхали інженери",
        "new_indicator_kind": "result",
        "new_indicator_direction": "decrease",
        "unit": "persons",
        "baseline_value": "120",
        "baseline_date": "2020-12-31",
        "target_value": "150",
        "deadline": "2021-12-31",
        "status": "draft",
    }
    response = client.post(url(world, "goal-create"), data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "should decrease" in html and "Скоротити відтік кадрів" in html
    assert not Goal.objects.exists()
    response = client.post(url(world, "goal-create"), {**data, "target_value": "90"})
    goal = Goal.objects.get()
    assert response.status_code == 302 and response["Location"] == url(world, "goal-detail", pk=goal.pk)


def test_goal_edit_from_a_stale_page_is_refused_with_the_users_text_kept(client, world):
    goal = smart_goal(world["agenda"], owner=world["org_x"])
    login(client, world["rep_x"])
    form_url = url(world, "goal-update", pk=goal.pk)
    page = client.get(form_url).content.decode()
    assert 'name="owner_org"' in page and "disabled" in page  # the representative cannot hand it on
    Goal.objects.filter(pk=goal.pk).update(version=2, title_uk="Змінено іншим")
    data = {
        "code": goal.code,
        "title_uk": "Моя правка",
        "specific_uk": goal.specific_uk,
        "challenge": goal.challenge_id,
        "indicator": goal.indicator_id,
        "baseline_value": "0",
        "baseline_date": "2020-12-31",
        "target_value": "15",
        "deadline": "2021-12-31",
        "achievability_note": "x",
        "relevance_note": "y",
        "status": "draft",
        "version": 1,
    }
    html = client.post(form_url, data).content.decode()
    assert "Somebody else saved this goal" in html and "Моя правка" in html
    assert Goal.objects.get(pk=goal.pk).title_uk == "Змінено іншим"


def test_goal_page_traces_up_to_swot_and_down_to_projects_and_teams(client, world):
    item = f.SwotItemFactory(agenda=world["agenda"], text_uk="Фрагментація зусиль")
    challenge = f.ChallengeFactory(agenda=world["agenda"], code="C-KH-1")
    challenge.swot_items.add(item)
    goal = smart_goal(world["agenda"], owner=world["org_x"], challenge=challenge)
    team = f.WorkingTeamFactory(agenda=world["agenda"], name_uk="ІАМ-освіта")
    project = backed_project(world["agenda"], goals=[goal], team=team)
    html = login(client, world["observer"]).get(url(world, "goal-detail", pk=goal.pk)).content.decode()
    for link in (
        url(world, "challenge-detail", pk=challenge.pk),
        url(world, "swot-item-detail", pk=item.pk),
        reverse("projects:project-detail", kwargs={"region": world["region"].slug, "pk": project.pk}),
        reverse("teams:team-detail", kwargs={"region": world["region"].slug, "pk": team.pk}),
    ):
        assert link in html
    assert "<svg" in html and "ca-trace" in html
    assert_csp_clean(html)


# --- endorsements ------------------------------------------------------------------------------------------


def test_representative_endorses_from_the_page_and_the_coordinator_sees_who_endorsed_what(client, world):
    goal = smart_goal(world["agenda"], owner=world["org_x"])
    backed_project(world["agenda"], goals=[goal])
    login(client, world["rep_x"])
    page = client.get(url(world, "endorsement-list")).content.decode()
    current = current_hash(world["agenda"])
    assert f'value="{current}"' in page
    response = client.post(
        url(world, "endorsement-create"), {"organisation": world["org_x"].pk, "content_hash": current}
    )
    assert response.status_code == 302
    endorsement = Endorsement.objects.get()
    assert (endorsement.organisation, endorsement.endorsed_by, endorsement.content_hash) == (
        world["org_x"],
        world["rep_x"],
        current,
    )

    # A later edit: the coordinator's page shows X as stale with what changed, Y as not yet.
    Goal.objects.filter(pk=goal.pk).update(target_value=30)
    html = login(client, world["coordinator"]).get(url(world, "endorsement-list")).content.decode()
    assert "stale: an earlier version" in html and "not yet" in html
    assert "target value" in html and "30.00" in html
    assert current[:12] in html
    detail = client.get(url(world, "endorsement-detail", pk=endorsement.pk)).content.decode()
    assert "What changed since" in detail and current in detail
    assert_csp_clean(html)


def test_endorsing_a_version_that_changed_meanwhile_is_refused(client, world):
    goal = smart_goal(world["agenda"], owner=world["org_x"])
    login(client, world["rep_x"])
    seen = current_hash(world["agenda"])
    Goal.objects.filter(pk=goal.pk).update(title_uk="Змінено")
    response = client.post(
        url(world, "endorsement-create"),
        {"organisation": world["org_x"].pk, "content_hash": seen},
        follow=True,
    )
    assert "changed after you opened the page" in response.content.decode()
    assert not Endorsement.objects.exists()


def test_representative_cannot_endorse_for_another_organisation(client, world):
    smart_goal(world["agenda"], owner=world["org_x"])
    login(client, world["rep_y"])
    response = client.post(
        url(world, "endorsement-create"),
        {"organisation": world["org_x"].pk, "content_hash": current_hash(world["agenda"])},
    )
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    assert not Endorsement.objects.exists()


# --- traceability --------------------------------------------------------------------------------------------


def test_trace_page_draws_the_whole_chain_as_linked_svg(client, world):
    item = f.SwotItemFactory(
        agenda=world["agenda"], quadrant="W", text_uk="Слабкі зв'язки <b>ІТ</b> і промисловості"
    )
    f.SwotItemFactory(agenda=world["agenda"], text_uk="Без виклику")
    challenge = f.ChallengeFactory(agenda=world["agenda"], code="C-LV-1")
    challenge.swot_items.add(item)
    goal = smart_goal(world["agenda"], owner=world["org_x"], challenge=challenge, code="G-LV-1")
    lonely = smart_goal(
        world["agenda"], owner=world["org_x"], code="G-LV-2", deadline=datetime.date(2021, 11, 30)
    )
    project = backed_project(world["agenda"], goals=[goal], code="P-LV-1")
    html = login(client, world["observer"]).get(url(world, "trace-detail")).content.decode()
    svg = html[html.index("<svg") : html.index("</svg>")]
    assert "&lt;b&gt;ІТ&lt;/b&gt;" in svg or "&lt;b&gt;ІТ" in svg, "texts are escaped"
    assert "Без виклику" not in svg, "items no challenge comes from are hidden by default"
    for code in ("C-LV-1", "G-LV-1", "G-LV-2", "P-LV-1"):
        assert code in svg
    # item→C-LV-1→G-LV-1→P-LV-1, and G-LV-2's own challenge → G-LV-2
    assert svg.count("ca-trace-edge") == 4
    assert (
        reverse("projects:project-detail", kwargs={"region": world["region"].slug, "pk": project.pk}) in svg
    )
    assert "ca-trace-open" in svg  # G-LV-2 has no project, P-LV-1 no team
    assert url(world, "goal-detail", pk=lonely.pk) in html
    assert "Без виклику" in client.get(url(world, "trace-detail") + "?all=1").content.decode()
    focused = client.get(url(world, "trace-detail") + f"?focus=project-{project.pk}").content.decode()
    assert "G-LV-1" in focused and "G-LV-2" not in focused
    assert client.get(url(world, "trace-detail") + "?focus=goal-999999").status_code == 404
    assert_csp_clean(html)


@pytest.mark.parametrize(
    ("page", "param"), [("challenge-create", "swot"), ("goal-create", "challenge")], ids=["challenge", "goal"]
)
@pytest.mark.parametrize(
    "value", ["²", "9" * 30, "-1", " 12 "], ids=["superscript", "huge", "negative", "spaces"]
)
def test_a_preselection_in_the_address_that_is_no_key_is_ignored(client, world, page, param, value):
    """`"²".isdigit()` is true and `int("²")` fails: such a value in the address opens the empty form."""
    response = login(client, world["coordinator"]).get(url(world, page), {param: value})
    assert response.status_code == 200
    assert "<form" in response.content.decode()


def test_goal_form_preselects_the_challenge_of_the_address(client, world):
    challenge = f.ChallengeFactory(agenda=world["agenda"], code="C-9")
    html = (
        login(client, world["coordinator"])
        .get(url(world, "goal-create"), {"challenge": challenge.pk})
        .content
    )
    assert re.search(rf'<option value="{challenge.pk}"[^>]*selected', html.decode())
