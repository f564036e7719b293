"""The load test's verdict on writes (`bench/load_check.check_writes`): every acknowledged write found
exactly once, and each kind of loss or duplicate it exists to catch is caught."""

import pytest

from agenda.models import SwotItem, SwotVote
from bench.load_check import check_writes
from tests import factories as f

pytestmark = pytest.mark.django_db

MARK = "LOADMARK-{kind}-{n:032x}"


def mark(kind: str, n: int) -> str:
    return MARK.format(kind=kind, n=n)


@pytest.fixture
def world():
    agenda = f.AgendaFactory()
    voter = f.UserFactory(email="voter@example.org")
    entry = f.RoleMatrixEntryFactory(agenda=agenda)
    items = [
        f.SwotItemFactory(agenda=agenda, text_uk=f"Пропозиція учасника {mark('swot', n)}") for n in (1, 2)
    ]
    # Two acknowledged edits of the row, in order: each one history row, the row holds the last.
    for n in (1, 2):
        entry.comment = mark("role", n)
        entry.save()
    SwotVote.objects.create(item=items[0], user=voter)
    SwotItem.objects.filter(pk=items[0].pk).update(votes_count=1)
    acks = [
        {"kind": "swot", "marker": mark("swot", 1), "item": items[0].pk, "user": voter.email},
        {"kind": "swot", "marker": mark("swot", 2), "item": items[1].pk, "user": voter.email},
        {"kind": "role", "marker": mark("role", 1), "entry": entry.pk, "user": voter.email},
        {"kind": "role", "marker": mark("role", 2), "entry": entry.pk, "user": voter.email},
        {"kind": "vote", "item": items[0].pk, "user": voter.email},
    ]
    return {"agenda": agenda, "voter": voter, "entry": entry, "items": items, "acks": acks}


def test_every_acknowledged_write_present_once_is_a_clean_verdict(world):
    verdict = check_writes(world["acks"])
    assert verdict["acknowledged"] == {"swot": 2, "role": 2, "vote": 1}
    assert (verdict["lost"], verdict["duplicated"], verdict["vote_counter_mismatches"]) == (0, 0, 0)
    assert verdict["problems"] == [] and verdict["unacknowledged_but_stored_swot"] == 0


def test_a_lost_swot_item_a_lost_vote_and_a_lost_role_edit_are_counted(world):
    acks = world["acks"] + [
        {"kind": "swot", "marker": mark("swot", 3), "item": None, "user": "voter@example.org"},
        {"kind": "vote", "item": world["items"][1].pk, "user": "voter@example.org"},
        # Acknowledged but never stored: missing from the history, and the row holds an older edit.
        {"kind": "role", "marker": mark("role", 3), "entry": world["entry"].pk, "user": "voter@example.org"},
    ]
    verdict = check_writes(acks)
    assert verdict["lost"] == 4 and verdict["duplicated"] == 0
    problems = " ".join(verdict["problems"])
    for label in (
        "1 acknowledged SWOT items missing",
        "1 acknowledged votes missing",
        "1 acknowledged role edits missing from the history",
        "1 rows not holding their last acknowledged edit",
    ):
        assert label in problems


def test_a_write_stored_twice_and_a_wrong_vote_counter_are_caught(world):
    f.SwotItemFactory(agenda=world["agenda"], text_uk=f"Пропозиція учасника {mark('swot', 2)}")
    world["entry"].save()  # the same edit recorded a second time
    SwotItem.objects.filter(pk=world["items"][1].pk).update(votes_count=3)
    verdict = check_writes(world["acks"])
    assert verdict["duplicated"] == 2 and verdict["vote_counter_mismatches"] == 1
    problems = " ".join(verdict["problems"])
    assert "1 SWOT items stored twice" in problems and "1 role edits recorded twice" in problems
    assert f"items whose vote counter differs from their votes: [{world['items'][1].pk}]" in problems


def test_an_item_stored_without_an_acknowledgement_is_reported_not_failed(world):
    # A client that gave up waiting: the server stored the item, the client never saw the redirect.
    f.SwotItemFactory(agenda=world["agenda"], text_uk=f"Пропозиція учасника {mark('swot', 9)}")
    verdict = check_writes(world["acks"])
    assert verdict["unacknowledged_but_stored_swot"] == 1 and verdict["problems"] == []
