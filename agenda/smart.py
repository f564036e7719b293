"""The SMART check of a goal: a pure function of the goal's facts, with no database access.

One function decides, for the goal page, the goal form and success criterion 2 alike, which of the five
letters are lit and why, and which entries contradict each other. Missing facts only leave a letter
unlit (a draft may be incomplete); contradictions are refused by the form:

- the target does not go beyond the baseline in the indicator's desired direction;
- the deadline is not after the baseline date, or falls outside the agenda's horizon;
- the values are given in another unit than the indicator's, or do not fit that unit (a percentage
  above 100, a fractional or negative number of organisations).
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import Indicator

# Units counted in whole things: a goal cannot reach 2.5 organisations.
WHOLE_UNITS = frozenset({Indicator.Unit.COUNT, Indicator.Unit.PERSONS, Indicator.Unit.ORGANISATIONS})
# Indicator kinds a goal may be measured by (a context indicator describes the situation only).
GOAL_INDICATOR_KINDS = frozenset({Indicator.Kind.OUTPUT, Indicator.Kind.RESULT})
# A "specific" statement shorter than this many words is a slogan, not a statement of what exactly.
MIN_SPECIFIC_WORDS = 4

LETTER_NAMES = {
    "S": gettext_lazy("Specific"),
    "M": gettext_lazy("Measurable"),
    "A": gettext_lazy("Achievable"),
    "R": gettext_lazy("Relevant"),
    "T": gettext_lazy("Time-bound"),
}


@dataclass(frozen=True)
class GoalFacts:
    """What the check needs to know about a goal, saved or still in a form."""

    specific: str = ""
    owner_org: str = ""  # the owner organisation's name ("" = none)
    indicator_name: str = ""
    indicator_kind: str = ""
    indicator_unit: str = ""
    direction: str = ""
    values_unit: str = ""  # the unit the baseline and target are given in ("" = the indicator's)
    baseline_value: Decimal | None = None
    baseline_date: datetime.date | None = None
    target_value: Decimal | None = None
    deadline: datetime.date | None = None
    achievability_note: str = ""
    relevance_note: str = ""
    strategy_ref: str = ""
    challenge: str = ""  # the linked challenge's code ("" = none)
    horizon_start: datetime.date | None = None
    horizon_end: datetime.date | None = None


@dataclass(frozen=True)
class SmartLetter:
    code: str
    met: bool
    reason: str

    @property
    def name(self):
        return LETTER_NAMES[self.code]


@dataclass(frozen=True)
class SmartResult:
    letters: tuple[SmartLetter, ...]
    # field name -> messages; the form shows them on those fields and refuses to save.
    contradictions: dict[str, list[str]] = field(default_factory=dict)

    @property
    def complete(self) -> bool:
        return all(letter.met for letter in self.letters)

    @property
    def missing(self) -> list[SmartLetter]:
        return [letter for letter in self.letters if not letter.met]

    @property
    def lit(self) -> int:
        return sum(1 for letter in self.letters if letter.met)

    def letter(self, code: str) -> SmartLetter:
        return next(letter for letter in self.letters if letter.code == code)


def facts_from_goal(goal, *, horizon_start=None, horizon_end=None) -> GoalFacts:
    """Facts of a saved goal. Reads `goal.indicator`, `goal.owner_org`, `goal.challenge` and
    `goal.agenda` (select_related them when checking many goals); the horizon defaults to the agenda's
    period."""
    indicator = goal.indicator if goal.indicator_id else None
    if horizon_start is None and horizon_end is None:
        horizon_start, horizon_end = goal.agenda.period_start, goal.agenda.period_end
    return GoalFacts(
        specific=goal.specific_uk or goal.specific_en,
        owner_org=goal.owner_org.name if goal.owner_org_id else "",
        indicator_name=(indicator.name if indicator else ""),
        indicator_kind=(indicator.kind if indicator else ""),
        indicator_unit=(indicator.unit if indicator else ""),
        direction=(indicator.direction if indicator else ""),
        values_unit="",
        baseline_value=goal.baseline_value,
        baseline_date=goal.baseline_date,
        target_value=goal.target_value,
        deadline=goal.deadline,
        achievability_note=goal.achievability_note,
        relevance_note=goal.relevance_note,
        strategy_ref=goal.strategy_ref,
        challenge=goal.challenge.code if goal.challenge_id else "",
        horizon_start=horizon_start,
        horizon_end=horizon_end,
    )


def _unit_label(unit: str) -> str:
    try:
        return str(Indicator.Unit(unit).label)
    except ValueError:
        return unit


def _num(value: Decimal) -> str:
    """15.00 → "15", 12.50 → "12.5" (in the active language's number format)."""
    value = value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize()
    return number_format(value)


def _date(value: datetime.date) -> str:
    return date_format(value, "SHORT_DATE_FORMAT")


def _value_errors(name: str, value: Decimal | None, unit: str) -> list[str]:
    """The value does not fit the unit it is measured in."""
    if value is None or not unit:
        return []
    errors = []
    if unit == Indicator.Unit.PERCENT and not (0 <= value <= 100):
        errors.append(
            _("A percentage must lie between 0 and 100; the %(name)s is %(value)s.")
            % {"name": name, "value": _num(value)}
        )
    elif unit in WHOLE_UNITS and value != value.to_integral_value():
        errors.append(
            _("The indicator counts whole %(unit)s; the %(name)s %(value)s is not a whole number.")
            % {"unit": _unit_label(unit), "name": name, "value": _num(value)}
        )
    if value < 0 and unit != Indicator.Unit.OTHER:
        errors.append(
            _("The %(name)s cannot be negative in %(unit)s.") % {"name": name, "unit": _unit_label(unit)}
        )
    return errors


def _direction_error(facts: GoalFacts) -> str | None:
    base, target = facts.baseline_value, facts.target_value
    if base is None or target is None or not facts.direction:
        return None
    values = {"target": _num(target), "baseline": _num(base)}
    if facts.direction == Indicator.Direction.INCREASE and target <= base:
        return (
            _(
                "The indicator should increase, but the target (%(target)s) is not above the baseline (%(baseline)s)."
            )
            % values
        )
    if facts.direction == Indicator.Direction.DECREASE and target >= base:
        return (
            _(
                "The indicator should decrease, but the target (%(target)s) is not below the baseline (%(baseline)s)."
            )
            % values
        )
    if facts.direction == Indicator.Direction.MAINTAIN and target != base:
        return (
            _(
                "The indicator should be maintained, so the target (%(target)s) must equal the baseline (%(baseline)s)."
            )
            % values
        )
    return None


def _contradictions(facts: GoalFacts) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}

    def add(name, message):
        found.setdefault(name, []).append(message)

    unit = facts.indicator_unit or facts.values_unit
    if facts.values_unit and facts.indicator_unit and facts.values_unit != facts.indicator_unit:
        add(
            "unit",
            _(
                "Unit mismatch: the indicator «%(indicator)s» is measured in %(indicator_unit)s, the values are given in %(values_unit)s."
            )
            % {
                "indicator": facts.indicator_name,
                "indicator_unit": _unit_label(facts.indicator_unit),
                "values_unit": _unit_label(facts.values_unit),
            },
        )
    for name, label, value in (
        ("baseline_value", _("baseline"), facts.baseline_value),
        ("target_value", _("target"), facts.target_value),
    ):
        for message in _value_errors(label, value, unit):
            add(name, message)
    if message := _direction_error(facts):
        add("target_value", message)
    if facts.deadline and facts.baseline_date and facts.deadline <= facts.baseline_date:
        add(
            "deadline",
            _("The deadline (%(deadline)s) must come after the baseline date (%(baseline)s).")
            % {"deadline": _date(facts.deadline), "baseline": _date(facts.baseline_date)},
        )
    if facts.deadline and facts.horizon_end and facts.deadline > facts.horizon_end:
        add(
            "deadline",
            _("The deadline (%(deadline)s) is after the end of the agenda's period (%(end)s).")
            % {"deadline": _date(facts.deadline), "end": _date(facts.horizon_end)},
        )
    if facts.deadline and facts.horizon_start and facts.deadline < facts.horizon_start:
        add(
            "deadline",
            _("The deadline (%(deadline)s) is before the start of the agenda's period (%(start)s).")
            % {"deadline": _date(facts.deadline), "start": _date(facts.horizon_start)},
        )
    return found


def smart_check(facts: GoalFacts) -> SmartResult:
    """The five letters, each lit or not with the reason, and the contradictions between the entries."""
    contradictions = _contradictions(facts)

    # S — what exactly, and who answers for it.
    specific_words = len((facts.specific or "").split())
    if specific_words == 0:
        s = SmartLetter("S", False, _("Say what exactly will be achieved: the specific statement is empty."))
    elif specific_words < MIN_SPECIFIC_WORDS:
        s = SmartLetter(
            "S", False, _("The specific statement is too short to say what exactly will be done.")
        )
    elif not facts.owner_org:
        s = SmartLetter("S", False, _("Name the owner organisation that answers for the goal."))
    else:
        s = SmartLetter(
            "S",
            True,
            _("Says what exactly will be done; %(owner)s answers for it.") % {"owner": facts.owner_org},
        )

    # M — an output or result indicator with a unit, a baseline and a target that agree.
    missing = []
    if not facts.indicator_name:
        missing.append(_("an indicator"))
    elif facts.indicator_kind not in GOAL_INDICATOR_KINDS:
        missing.append(_("an output or result indicator (not a context one)"))
    if not (facts.indicator_unit or facts.values_unit):
        missing.append(_("a unit"))
    if facts.baseline_value is None:
        missing.append(_("a baseline value"))
    if facts.target_value is None:
        missing.append(_("a target value"))
    value_conflicts = [
        m for name in ("unit", "baseline_value", "target_value") for m in contradictions.get(name, [])
    ]
    if missing:
        m = SmartLetter("M", False, _("Missing: %(what)s.") % {"what": ", ".join(str(x) for x in missing)})
    elif value_conflicts:
        m = SmartLetter("M", False, value_conflicts[0])
    else:
        m = SmartLetter(
            "M",
            True,
            _("%(indicator)s: from %(baseline)s to %(target)s %(unit)s.")
            % {
                "indicator": facts.indicator_name,
                "baseline": _num(facts.baseline_value),
                "target": _num(facts.target_value),
                "unit": _unit_label(facts.indicator_unit or facts.values_unit),
            },
        )

    # A — the resources that make it achievable.
    if (facts.achievability_note or "").strip():
        a = SmartLetter("A", True, _("The resources that make it achievable are named."))
    else:
        a = SmartLetter(
            "A", False, _("Name the resources (money, people, equipment) that make the goal achievable.")
        )

    # R — answers a key challenge and serves the regional strategy.
    if not facts.challenge:
        r = SmartLetter("R", False, _("Link the goal to the key challenge it answers."))
    elif not ((facts.relevance_note or "").strip() or (facts.strategy_ref or "").strip()):
        r = SmartLetter(
            "R", False, _("Say how the goal serves the regional strategy (a note or a strategy reference).")
        )
    else:
        r = SmartLetter(
            "R", True, _("Answers challenge %(code)s and refers to the strategy.") % {"code": facts.challenge}
        )

    # T — from a dated baseline to a deadline inside the agenda's horizon.
    date_conflicts = contradictions.get("deadline", [])
    if not facts.deadline:
        t = SmartLetter("T", False, _("Set a deadline."))
    elif not facts.baseline_date:
        t = SmartLetter("T", False, _("Give the date of the baseline value."))
    elif date_conflicts:
        t = SmartLetter("T", False, date_conflicts[0])
    else:
        t = SmartLetter(
            "T",
            True,
            _("From %(baseline)s to %(deadline)s.")
            % {"baseline": _date(facts.baseline_date), "deadline": _date(facts.deadline)},
        )
    return SmartResult(letters=(s, m, a, r, t), contradictions=contradictions)


def goal_smart(goal) -> SmartResult:
    """The check of a saved goal (see `facts_from_goal` for the relations it reads)."""
    return smart_check(facts_from_goal(goal))
