"""The SMART check: each letter lit or unlit with its reason, and every contradiction refused — by the
pure function, by the goal form and by the service."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from agenda.forms import GoalForm
from agenda.models import Indicator
from agenda.services import goal_create
from agenda.smart import GoalFacts, smart_check
from tests import factories as f

from .helpers import region_with_people

D = datetime.date

COMPLETE = GoalFacts(
    specific="Видати інноваційні ваучери агропереробним МСП області",
    owner_org="АРР",
    indicator_name="МСП з ваучером",
    indicator_kind=Indicator.Kind.OUTPUT,
    indicator_unit=Indicator.Unit.ORGANISATIONS,
    direction=Indicator.Direction.INCREASE,
    baseline_value=Decimal("0"),
    baseline_date=D(2020, 12, 31),
    target_value=Decimal("15"),
    deadline=D(2021, 12, 31),
    achievability_note="Обласний бюджет",
    relevance_note="Стратегія, ціль 2.1",
    challenge="C-1",
    horizon_start=D(2021, 1, 1),
    horizon_end=D(2021, 12, 31),
)


def facts(**changes) -> GoalFacts:
    return GoalFacts(**{**COMPLETE.__dict__, **changes})


def lit(result) -> str:
    return "".join(letter.code for letter in result.letters if letter.met)


def test_complete_goal_lights_all_five_letters():
    result = smart_check(COMPLETE)
    assert lit(result) == "SMART"
    assert result.complete
    assert result.contradictions == {}
    assert [letter.code for letter in result.letters] == list("SMART")
    assert all(letter.reason for letter in result.letters)


@pytest.mark.parametrize(
    ("changes", "unlit", "reason_part"),
    [
        ({"specific": ""}, "S", "empty"),
        ({"specific": "Ваучери"}, "S", "too short"),
        ({"owner_org": ""}, "S", "owner organisation"),
        (
            {"indicator_name": "", "indicator_kind": "", "indicator_unit": "", "direction": ""},
            "M",
            "an indicator",
        ),
        ({"indicator_kind": Indicator.Kind.CONTEXT}, "M", "output or result"),
        ({"baseline_value": None}, "M", "baseline value"),
        ({"target_value": None}, "M", "target value"),
        ({"achievability_note": "  "}, "A", "resources"),
        ({"challenge": ""}, "R", "challenge"),
        ({"relevance_note": "", "strategy_ref": ""}, "R", "strategy"),
        ({"deadline": None}, "T", "deadline"),
        ({"baseline_date": None}, "T", "date of the baseline"),
    ],
)
def test_missing_fact_leaves_its_letter_unlit_with_the_reason(changes, unlit, reason_part):
    result = smart_check(facts(**changes))
    assert unlit not in lit(result)
    assert len(lit(result)) == 4, "only the letter concerned goes out"
    assert reason_part in result.letter(unlit).reason
    assert not result.complete


def test_strategy_reference_alone_makes_it_relevant():
    assert smart_check(facts(relevance_note="", strategy_ref="Стратегія 2021–2027, 1.2.3")).complete


@pytest.mark.parametrize(
    ("changes", "field", "letter", "message_part"),
    [
        # target not beyond the baseline in the desired direction
        ({"target_value": Decimal("0")}, "target_value", "M", "not above the baseline"),
        (
            {"baseline_value": Decimal("20"), "target_value": Decimal("15")},
            "target_value",
            "M",
            "not above the baseline",
        ),
        ({"direction": Indicator.Direction.DECREASE}, "target_value", "M", "not below the baseline"),
        ({"direction": Indicator.Direction.MAINTAIN}, "target_value", "M", "must equal the baseline"),
        # deadline before (or on) the baseline date, or outside the agenda's horizon
        ({"deadline": D(2020, 12, 31)}, "deadline", "T", "after the baseline date"),
        (
            {"baseline_date": D(2021, 6, 1), "deadline": D(2021, 3, 1)},
            "deadline",
            "T",
            "after the baseline date",
        ),
        ({"deadline": D(2022, 3, 1)}, "deadline", "T", "after the end of the agenda's period"),
        ({"baseline_date": D(2020, 1, 1), "deadline": D(2020, 6, 1)}, "deadline", "T", "before the start"),
        # unit mismatch and values that do not fit the unit
        ({"values_unit": Indicator.Unit.PERCENT}, "unit", "M", "Unit mismatch"),
        (
            {"indicator_unit": Indicator.Unit.PERCENT, "target_value": Decimal("120")},
            "target_value",
            "M",
            "between 0 and 100",
        ),
        ({"target_value": Decimal("12.5")}, "target_value", "M", "not a whole number"),
        ({"baseline_value": Decimal("-3")}, "baseline_value", "M", "cannot be negative"),
    ],
)
def test_contradiction_is_reported_on_its_field_and_unlights_the_letter(changes, field, letter, message_part):
    result = smart_check(facts(**changes))
    assert field in result.contradictions
    assert any(message_part in m for m in result.contradictions[field])
    assert letter not in lit(result)
    assert message_part in result.letter(letter).reason


def test_decreasing_and_maintained_indicators_accept_targets_in_their_direction():
    assert smart_check(
        facts(
            direction=Indicator.Direction.DECREASE, baseline_value=Decimal("30"), target_value=Decimal("10")
        )
    ).complete
    assert smart_check(
        facts(
            direction=Indicator.Direction.MAINTAIN, baseline_value=Decimal("30"), target_value=Decimal("30")
        )
    ).complete


def test_same_unit_given_twice_is_no_mismatch_and_fractions_are_fine_in_money():
    assert smart_check(facts(values_unit=Indicator.Unit.ORGANISATIONS)).complete
    assert smart_check(
        facts(
            indicator_unit=Indicator.Unit.UAH_THOUSAND,
            baseline_value=Decimal("10.5"),
            target_value=Decimal("99.75"),
        )
    ).complete


def test_missing_facts_are_not_contradictions():
    """A draft with almost nothing in it is incomplete, not contradictory: the form accepts it."""
    result = smart_check(GoalFacts())
    assert result.contradictions == {}
    assert lit(result) == ""


# --- the same rules in the goal form and the service -----------------------------------------------------


def _form_data(world, **changes):
    data = {
        "code": "G-9",
        "title_uk": "Ваучери",
        "specific_uk": "Видати інноваційні ваучери агропереробним МСП області",
        "owner_org": world["org_x"].pk,
        "challenge": world["challenge"].pk,
        "new_indicator_name": "МСП з ваучером",
        "new_indicator_kind": "output",
        "new_indicator_direction": "increase",
        "unit": "organisations",
        "baseline_value": "0",
        "baseline_date": "2020-12-31",
        "target_value": "15",
        "deadline": "2021-12-31",
        "achievability_note": "Обласний бюджет",
        "relevance_note": "Стратегія",
        "status": "draft",
    }
    data.update(changes)
    return data


@pytest.fixture
def world(db):
    w = region_with_people()
    w["challenge"] = f.ChallengeFactory(agenda=w["agenda"], code="C-1")
    return w


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"target_value": "0"}, "target_value"),
        ({"new_indicator_direction": "decrease"}, "target_value"),
        ({"deadline": "2020-12-31"}, "deadline"),
        ({"deadline": "2020-11-30"}, "deadline"),
        ({"deadline": "2022-01-15"}, "deadline"),
        ({"unit": "percent", "target_value": "150"}, "target_value"),
        ({"target_value": "2.5"}, "target_value"),
    ],
)
def test_goal_form_refuses_each_contradiction(world, changes, field):
    form = GoalForm(data=_form_data(world, **changes), agenda=world["agenda"])
    assert not form.is_valid()
    assert field in form.errors


@pytest.mark.django_db
def test_goal_form_refuses_a_unit_other_than_the_chosen_indicators(world):
    indicator = f.IndicatorFactory(region=world["region"], name_uk="Учасники", unit=Indicator.Unit.PERSONS)
    data = _form_data(world, indicator=indicator.pk, new_indicator_name="", unit="percent")
    form = GoalForm(data=data, agenda=world["agenda"])
    assert not form.is_valid()
    assert "Unit mismatch" in str(form.errors["unit"])
    # Leaving the unit empty takes the indicator's.
    form = GoalForm(data={**data, "unit": ""}, agenda=world["agenda"])
    assert form.is_valid(), form.errors


@pytest.mark.django_db
def test_goal_form_accepts_an_incomplete_draft_but_not_an_incomplete_agreed_goal(world):
    draft = {"code": "G-2", "title_uk": "Розширити кластер", "status": "draft"}
    assert GoalForm(data=draft, agenda=world["agenda"]).is_valid()
    form = GoalForm(data={**draft, "status": "agreed"}, agenda=world["agenda"])
    assert not form.is_valid()
    assert "SMART-complete" in str(form.errors["status"])


@pytest.mark.django_db
def test_goal_service_refuses_contradictions_too(world):
    """Whoever calls the service (a view, the admin, the seed) gets the same refusal."""
    form = GoalForm(data=_form_data(world), agenda=world["agenda"])
    assert form.is_valid(), form.errors
    data = {**form.cleaned_data, "target_value": Decimal("0")}
    with pytest.raises(ValidationError) as exc:
        goal_create(agenda=world["agenda"], data=data, acting_user=world["coordinator"])
    assert "target_value" in exc.value.message_dict
    goal = goal_create(agenda=world["agenda"], data=form.cleaned_data, acting_user=world["coordinator"])
    assert goal.indicator.name_uk == "МСП з ваучером"
    assert goal.indicator.unit == Indicator.Unit.ORGANISATIONS
    assert goal.indicator.region == world["region"]
