"""Services of the SWOT board, challenges and goals: permissions, votes under concurrent clicks,
concurrent edits."""

import threading
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, connections

from agenda.models import Challenge, Goal, SwotItem, SwotQuadrant, SwotVote
from agenda.services import (
    challenge_create,
    challenge_update,
    goal_update,
    swot_item_add,
    swot_item_delete,
    swot_item_update,
    swot_vote_set,
)
from tests import factories as f

from .helpers import region_with_people, smart_goal

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return region_with_people()


def _item_data(world, **changes):
    data = {
        "quadrant": SwotQuadrant.STRENGTH,
        "text_uk": "Потужна наукова база",
        "text_en": "",
        "dimension": "research",
        "importance": 4,
        "evidence": "",
        "evidence_source": "",
        "proposed_by": world["org_x"],
    }
    data.update(changes)
    return data


# --- SWOT items ---------------------------------------------------------------------------------------


def test_representative_adds_an_item_for_their_organisation(world):
    item = swot_item_add(agenda=world["agenda"], data=_item_data(world), acting_user=world["rep_x"])
    assert item.proposed_by == world["org_x"]
    assert item.created_by == world["rep_x"]
    assert item.votes_count == 0


def test_representative_cannot_propose_for_another_organisation(world):
    with pytest.raises(ValidationError) as exc:
        swot_item_add(agenda=world["agenda"], data=_item_data(world), acting_user=world["rep_y"])
    assert "proposed_by" in exc.value.message_dict
    assert not SwotItem.objects.exists()


def test_observer_cannot_add_items(world):
    with pytest.raises(PermissionDenied):
        swot_item_add(agenda=world["agenda"], data=_item_data(world), acting_user=world["observer"])


def test_coordinator_of_other_region_cannot_add_items(world):
    other = region_with_people(slug="oblast-b", iso="UA-32")
    with pytest.raises(PermissionDenied):
        swot_item_add(agenda=world["agenda"], data=_item_data(world), acting_user=other["coordinator"])


def test_only_the_proposer_and_the_coordinator_edit_an_item(world):
    item = swot_item_add(agenda=world["agenda"], data=_item_data(world), acting_user=world["rep_x"])
    with pytest.raises(PermissionDenied):
        swot_item_update(item=item, data={"text_uk": "Інакше"}, version=1, acting_user=world["rep_y"])
    with pytest.raises(PermissionDenied):
        swot_item_delete(item=item, acting_user=world["rep_y"])
    swot_item_update(item=item, data={"text_uk": "Інакше"}, version=1, acting_user=world["rep_x"])
    swot_item_update(item=item, data={"importance": 5}, version=2, acting_user=world["coordinator"])
    item.refresh_from_db()
    assert (item.text_uk, item.importance, item.version) == ("Інакше", 5, 3)


def test_concurrent_edit_of_an_item_is_refused_not_overwritten(world):
    item = swot_item_add(agenda=world["agenda"], data=_item_data(world), acting_user=world["rep_x"])
    swot_item_update(item=item, data={"text_uk": "Перша правка"}, version=1, acting_user=world["coordinator"])
    with pytest.raises(ValidationError) as exc:
        swot_item_update(item=item, data={"text_uk": "Друга правка"}, version=1, acting_user=world["rep_x"])
    assert exc.value.code == "stale"
    item.refresh_from_db()
    assert item.text_uk == "Перша правка"


# --- votes ----------------------------------------------------------------------------------------------


def test_vote_toggles_and_counts(world):
    item = f.SwotItemFactory(agenda=world["agenda"])
    assert swot_vote_set(item=item, acting_user=world["rep_x"]) is True
    assert swot_vote_set(item=item, acting_user=world["rep_y"]) is True
    item.refresh_from_db()
    assert item.votes_count == 2
    assert swot_vote_set(item=item, acting_user=world["rep_x"]) is False
    item.refresh_from_db()
    assert item.votes_count == 1
    assert list(SwotVote.objects.values_list("user", flat=True)) == [world["rep_y"].pk]


def test_double_click_votes_once(world):
    """Two "vote" submissions (a double click, two tabs) leave one vote: the second insert hits the
    database constraint, whose IntegrityError the service takes as "already voted"."""
    item = f.SwotItemFactory(agenda=world["agenda"])
    assert swot_vote_set(item=item, acting_user=world["rep_x"], voted=True) is True
    assert swot_vote_set(item=item, acting_user=world["rep_x"], voted=True) is True
    item.refresh_from_db()
    assert item.votes_count == 1
    assert SwotVote.objects.filter(item=item).count() == 1


def test_vote_after_a_vote_inserted_behind_the_services_back_keeps_the_count_right(world):
    """A vote row that already exists (a concurrent request committed it) makes the insert fail inside
    a savepoint; the transaction goes on and the count is recomputed from the rows."""
    item = f.SwotItemFactory(agenda=world["agenda"])
    SwotVote.objects.create(item=item, user=world["rep_x"])  # votes_count still says 0
    SwotItem.objects.filter(pk=item.pk).update(votes_count=7)  # and even drifted
    assert swot_vote_set(item=item, acting_user=world["rep_x"], voted=True) is True
    item.refresh_from_db()
    assert item.votes_count == 1
    assert item.votes.count() == 1


def test_observer_cannot_vote(world):
    item = f.SwotItemFactory(agenda=world["agenda"])
    with pytest.raises(PermissionDenied):
        swot_vote_set(item=item, acting_user=world["observer"], voted=True)
    assert not SwotVote.objects.exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_clicks_on_postgresql_leave_one_vote_per_person_and_a_right_count():
    """Real concurrency: eight threads, two users, each clicking "vote" four times at once."""
    world = region_with_people(slug="concurrent", iso="UA-33")
    item = f.SwotItemFactory(agenda=world["agenda"])
    users = [world["rep_x"], world["rep_y"]] * 4
    barrier = threading.Barrier(len(users))
    errors = []

    def click(user):
        try:
            barrier.wait()
            swot_vote_set(
                item=SwotItem.objects.select_related("agenda__region").get(pk=item.pk),
                acting_user=user,
                voted=True,
            )
        except Exception as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=click, args=(u,)) for u in users]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    item.refresh_from_db()
    assert SwotVote.objects.filter(item=item).count() == 2
    assert item.votes_count == 2
    assert connection.vendor == "postgresql"


# --- challenges and goals -------------------------------------------------------------------------------------


def test_challenge_links_only_items_of_its_agenda(world):
    own = f.SwotItemFactory(agenda=world["agenda"])
    other = region_with_people(slug="oblast-c", iso="UA-34")
    foreign = f.SwotItemFactory(agenda=other["agenda"])
    data = {"code": "C-1", "title_uk": "Виклик", "priority": 1, "rank": 1, "status": "identified"}
    with pytest.raises(ValidationError):
        challenge_create(
            agenda=world["agenda"],
            data={**data, "swot_items": [own, foreign]},
            acting_user=world["coordinator"],
        )
    challenge = challenge_create(
        agenda=world["agenda"], data={**data, "swot_items": [own]}, acting_user=world["coordinator"]
    )
    assert list(challenge.swot_items.all()) == [own]
    with pytest.raises(PermissionDenied):
        challenge_create(agenda=world["agenda"], data={**data, "code": "C-2"}, acting_user=world["rep_x"])
    challenge_update(
        challenge=challenge, data={"swot_items": []}, version=1, acting_user=world["coordinator"]
    )
    challenge.refresh_from_db()
    assert challenge.version == 2 and not challenge.swot_items.exists()
    assert Challenge.objects.count() == 1


def test_owner_representative_edits_the_goal_but_cannot_hand_it_on(world):
    goal = smart_goal(world["agenda"], owner=world["org_x"])
    goal_update(goal=goal, data={"target_value": Decimal("20")}, version=1, acting_user=world["rep_x"])
    goal.refresh_from_db()
    assert goal.target_value == Decimal("20") and goal.version == 2
    with pytest.raises(ValidationError) as exc:
        goal_update(goal=goal, data={"owner_org": world["org_y"]}, version=2, acting_user=world["rep_x"])
    assert "owner_org" in exc.value.message_dict
    with pytest.raises(PermissionDenied):
        goal_update(goal=goal, data={"target_value": Decimal("30")}, version=2, acting_user=world["rep_y"])
    goal_update(goal=goal, data={"owner_org": world["org_y"]}, version=2, acting_user=world["coordinator"])
    assert Goal.objects.get(pk=goal.pk).owner_org == world["org_y"]


def test_goal_edit_with_an_old_version_is_refused(world):
    goal = smart_goal(world["agenda"], owner=world["org_x"])
    goal_update(goal=goal, data={"title_uk": "Перша"}, version=1, acting_user=world["coordinator"])
    with pytest.raises(ValidationError) as exc:
        goal_update(goal=goal, data={"title_uk": "Друга"}, version=1, acting_user=world["rep_x"])
    assert exc.value.code == "stale"
    assert Goal.objects.get(pk=goal.pk).title_uk == "Перша"


def test_goal_cannot_leave_the_draft_until_smart_complete(world):
    goal = smart_goal(world["agenda"], owner=world["org_x"], achievability_note="")
    with pytest.raises(ValidationError) as exc:
        goal_update(goal=goal, data={"status": "agreed"}, version=1, acting_user=world["coordinator"])
    assert "A" in str(exc.value.message_dict["status"])
    goal_update(
        goal=goal,
        data={"status": "agreed", "achievability_note": "Бюджет"},
        version=1,
        acting_user=world["coordinator"],
    )
    assert Goal.objects.get(pk=goal.pk).status == "agreed"
