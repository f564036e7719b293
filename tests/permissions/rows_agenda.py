"""SWOT board, key challenges, SMART goals, endorsements and the traceability picture (agenda/urls.py).

Coordinators (and the administrator) manage everything; representatives add SWOT items and vote, edit
the items and goals of their own organisation (rep_x_a: organisation X proposed swot_a and owns goal_a)
and endorse for their organisation; observers and the programme coordinator read; region B's
coordinator gets 404s."""

import datetime
from decimal import Decimal

from agenda.canonical import current_hash
from agenda.models import Endorsement, Indicator, SwotQuadrant
from tests import factories as f

from .table import Row
from .world import MANAGERS_A, PARTICIPANTS_A, READERS_A

OUTSIDERS_A = frozenset({"coord_b"})
OWNER_X = MANAGERS_A | {"rep_x_a"}
REPRESENTATIVES_A = frozenset({"rep_x_a", "rep_y_a"})


def extend_world(w):
    for key in ("a", "b"):
        agenda = w.objects[f"agenda_{key}"]
        org_x, org_y = w.objects[f"org_x_{key}"], w.objects[f"org_y_{key}"]
        item = f.SwotItemFactory(
            agenda=agenda, quadrant=SwotQuadrant.WEAKNESS, text_uk=f"Слабкість {key}", proposed_by=org_x
        )
        challenge = f.ChallengeFactory(agenda=agenda, code=f"C-{key.upper()}-1", owner=org_y)
        challenge.swot_items.add(item)
        indicator = f.IndicatorFactory(
            region=agenda.region, name_uk=f"Лабораторії {key}", unit=Indicator.Unit.COUNT
        )
        goal = f.GoalFactory(
            agenda=agenda,
            code=f"G-{key.upper()}-1",
            challenge=challenge,
            specific_uk="Створити спільну лабораторію університету і кластеру",
            indicator=indicator,
            baseline_value=Decimal("0"),
            baseline_date=datetime.date(2020, 12, 31),
            target_value=Decimal("1"),
            deadline=datetime.date(2021, 10, 31),
            owner_org=org_x,
            achievability_note="Кошти міського бюджету",
            relevance_note="Стратегія, ціль 1.2",
        )
        endorsement = Endorsement.objects.create(
            agenda=agenda,
            organisation=org_y,
            content_hash=current_hash(agenda),
            snapshot={"schema": 1, "goals": [], "projects": []},
        )
        w.objects.update(
            {
                f"swot_{key}": item,
                f"challenge_{key}": challenge,
                f"indicator_{key}": indicator,
                f"goal_{key}": goal,
                f"endorsement_{key}": endorsement,
            }
        )


def _year(w):
    return {"region": w.region_a.slug, "year": w.agenda_a.year}


def _pk(name):
    return lambda w: {**_year(w), "pk": w.objects[name].pk}


def _swot_data(w):
    return {
        "quadrant": "S",
        "text_uk": "Нова сильна сторона",
        "dimension": "research",
        "importance": 3,
        "proposed_by": w.org_x_a.pk,
        "version": w.swot_a.version,
    }


def _challenge_data(w):
    return {
        "code": "C-A-2",
        "title_uk": "Новий виклик",
        "swot_items": [w.swot_a.pk],
        "dimension": "cooperation",
        "priority": 1,
        "rank": 2,
        "owner": w.org_y_a.pk,
        "status": "identified",
        "version": w.challenge_a.version,
    }


def _goal_data(w):
    return {
        "code": "G-A-2",
        "title_uk": "Нова ціль",
        "specific_uk": "Провести цифрові аудити промислових МСП регіону",
        "challenge": w.challenge_a.pk,
        "owner_org": w.org_x_a.pk,
        "indicator": w.indicator_a.pk,
        "baseline_value": "0",
        "baseline_date": "2020-12-31",
        "target_value": "5",
        "deadline": "2021-11-30",
        "achievability_note": "Обласний бюджет",
        "relevance_note": "Стратегія",
        "status": "draft",
        "version": w.goal_a.version,
    }


def _endorse_data(w):
    return {"organisation": w.org_x_a.pk, "content_hash": current_hash(w.agenda_a), "comment": "Погоджуємо"}


ROWS = [
    Row("agenda:swot-board", kwargs=_year, get=READERS_A, hide_from=OUTSIDERS_A),
    Row(
        "agenda:swot-item-create",
        kwargs=_year,
        get=PARTICIPANTS_A,
        post=PARTICIPANTS_A,
        data=_swot_data,
        hide_from=OUTSIDERS_A,
    ),
    Row("agenda:swot-item-detail", kwargs=_pk("swot_a"), get=READERS_A, hide_from=OUTSIDERS_A),
    Row(
        "agenda:swot-item-update",
        kwargs=_pk("swot_a"),
        get=OWNER_X,
        post=OWNER_X,
        data=_swot_data,
        hide_from=OUTSIDERS_A,
    ),
    Row("agenda:swot-item-delete", kwargs=_pk("swot_a"), post=OWNER_X, hide_from=OUTSIDERS_A),
    Row(
        "agenda:swot-vote",
        kwargs=_pk("swot_a"),
        post=PARTICIPANTS_A,
        data=lambda w: {"vote": "1"},
        hide_from=OUTSIDERS_A,
    ),
    Row("agenda:challenge-list", kwargs=_year, get=READERS_A, hide_from=OUTSIDERS_A),
    Row(
        "agenda:challenge-create",
        kwargs=_year,
        get=MANAGERS_A,
        post=MANAGERS_A,
        data=_challenge_data,
        hide_from=OUTSIDERS_A,
    ),
    Row("agenda:challenge-detail", kwargs=_pk("challenge_a"), get=READERS_A, hide_from=OUTSIDERS_A),
    Row(
        "agenda:challenge-update",
        kwargs=_pk("challenge_a"),
        get=MANAGERS_A,
        post=MANAGERS_A,
        data=_challenge_data,
        hide_from=OUTSIDERS_A,
    ),
    Row("agenda:challenge-delete", kwargs=_pk("challenge_a"), post=MANAGERS_A, hide_from=OUTSIDERS_A),
    Row("agenda:goal-list", kwargs=_year, get=READERS_A, hide_from=OUTSIDERS_A),
    Row(
        "agenda:goal-create",
        kwargs=_year,
        get=MANAGERS_A,
        post=MANAGERS_A,
        data=_goal_data,
        hide_from=OUTSIDERS_A,
    ),
    Row("agenda:goal-detail", kwargs=_pk("goal_a"), get=READERS_A, hide_from=OUTSIDERS_A),
    Row(
        "agenda:goal-update",
        kwargs=_pk("goal_a"),
        get=OWNER_X,
        post=OWNER_X,
        data=_goal_data,
        hide_from=OUTSIDERS_A,
    ),
    Row("agenda:goal-delete", kwargs=_pk("goal_a"), post=MANAGERS_A, hide_from=OUTSIDERS_A),
    Row("agenda:endorsement-list", kwargs=_year, get=READERS_A, hide_from=OUTSIDERS_A),
    Row(
        "agenda:endorsement-create",
        kwargs=_year,
        post=REPRESENTATIVES_A,
        data=_endorse_data,
        hide_from=OUTSIDERS_A,
    ),
    Row("agenda:endorsement-detail", kwargs=_pk("endorsement_a"), get=READERS_A, hide_from=OUTSIDERS_A),
    Row("agenda:trace-detail", kwargs=_year, get=READERS_A, hide_from=OUTSIDERS_A),
]
