"""Writes of session 3 and 4: the SWOT board and its votes, key challenges, SMART goals and the
endorsements of the goal list and portfolio — and who may make them.

Who may do what (checked here, again, whatever the view did):

- regional coordinators (and administrators) manage everything of their region's agenda;
- representatives of an organisation of the region add SWOT items and vote; they edit and delete the
  items their organisation proposed, edit the goals their organisation owns (without handing the goal
  to another organisation), and endorse the goal list and portfolio for their own organisation if it
  has a row in the role matrix;
- observers and programme coordinators read.

Every service is atomic, takes the acting user, re-checks permissions (PermissionDenied) and refuses
bad states with a translated ValidationError. Editable rows carry a `version`: an update names the
version it started from and is refused when somebody saved the row in between.
"""

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from accounts.models import User
from regions.models import Agenda
from regions.rules import can_manage_region, can_participate_in_region, can_view_region, represents
from stakeholders.models import Organisation, RoleMatrixEntry

from .canonical import canonical_content, content_hash
from .models import Challenge, Endorsement, Goal, GoalStatus, Indicator, SwotItem, SwotVote
from .smart import GoalFacts, smart_check

# --- who may do what --------------------------------------------------------------------------------


def can_view_agenda(user, agenda: Agenda) -> bool:
    return can_view_region(user, agenda.region)


def can_manage_agenda(user, agenda: Agenda) -> bool:
    return can_manage_region(user, agenda.region)


def can_add_swot_item(user, agenda: Agenda) -> bool:
    return can_participate_in_region(user, agenda.region)


def can_vote_swot(user, agenda: Agenda) -> bool:
    return can_participate_in_region(user, agenda.region)


def can_edit_swot_item(user, item: SwotItem) -> bool:
    if can_manage_region(user, item.agenda.region):
        return True
    return can_participate_in_region(user, item.agenda.region) and bool(
        (item.proposed_by_id and represents(user, item.proposed_by_id))
        or (item.created_by_id and item.created_by_id == user.pk)
    )


def can_manage_challenges(user, agenda: Agenda) -> bool:
    return can_manage_region(user, agenda.region)


def can_manage_goals(user, agenda: Agenda) -> bool:
    """Create and delete goals, and hand a goal to another owner."""
    return can_manage_region(user, agenda.region)


def can_edit_goal(user, goal: Goal) -> bool:
    return can_manage_region(user, goal.agenda.region) or represents(user, goal.owner_org_id)


def participating_organisations(agenda: Agenda):
    """Organisations with a role-matrix row in the agenda: those whose endorsement criterion 2 needs."""
    return Organisation.objects.filter(role_entries__agenda=agenda).order_by("name_uk")


def endorsable_organisations(user, agenda: Agenda) -> list[Organisation]:
    """Participating organisations the user represents (one query)."""
    if not user.is_authenticated:
        return []
    return [org for org in participating_organisations(agenda) if represents(user, org.pk)]


def can_endorse(user, agenda: Agenda, organisation: Organisation) -> bool:
    return (
        represents(user, organisation.pk)
        and RoleMatrixEntry.objects.filter(agenda=agenda, organisation=organisation).exists()
    )


# --- helpers ----------------------------------------------------------------------------------------


def _check_version(obj, version: int | None, what: str) -> None:
    if version is not None and obj.version != version:
        raise ValidationError(
            _(
                "Somebody else saved this %(what)s while you were editing it. Your changes are kept in the form "
                "below; reload the page to see theirs and apply yours again."
            )
            % {"what": what},
            code="stale",
        )


def _apply(obj, data: dict[str, Any], fields: Iterable[str]) -> list[str]:
    changed = []
    for name in fields:
        if name in data and getattr(obj, name) != data[name]:
            setattr(obj, name, data[name])
            changed.append(name)
    return changed


def _organisation_in_region(org: Organisation | None, agenda: Agenda, label: str) -> None:
    """Organisations of the region, or national ones (no region), may be named; another region's may not."""
    if org is not None and org.region_id not in (agenda.region_id, None):
        raise ValidationError({label: _("Choose an organisation of this region.")})


# --- SWOT -------------------------------------------------------------------------------------------

SWOT_FIELDS = (
    "quadrant",
    "text_uk",
    "text_en",
    "dimension",
    "importance",
    "evidence",
    "evidence_source",
    "proposed_by",
)


def _check_proposer(*, agenda: Agenda, proposed_by: Organisation | None, acting_user: User) -> None:
    _organisation_in_region(proposed_by, agenda, "proposed_by")
    if can_manage_region(acting_user, agenda.region):
        return
    if proposed_by is None or not represents(acting_user, proposed_by.pk):
        raise ValidationError(
            {"proposed_by": _("Propose the item on behalf of an organisation you represent.")}
        )


def _challenges_session(agenda: Agenda):
    from sessions.models import Session

    return Session.objects.filter(agenda=agenda, number=3).first()


@transaction.atomic
def swot_item_add(*, agenda: Agenda, data: dict[str, Any], acting_user: User) -> SwotItem:
    """A stakeholder adds an item to the SWOT board of session 3 (the session is linked when it exists)."""
    if not can_add_swot_item(acting_user, agenda):
        raise PermissionDenied
    _check_proposer(agenda=agenda, proposed_by=data.get("proposed_by"), acting_user=acting_user)
    item = SwotItem(agenda=agenda, created_by=acting_user, session=_challenges_session(agenda))
    _apply(item, data, SWOT_FIELDS)
    item.full_clean(exclude=["session"])
    item.save()
    return item


@transaction.atomic
def swot_item_update(
    *, item: SwotItem, data: dict[str, Any], version: int | None, acting_user: User
) -> SwotItem:
    # Permissions are judged on the row as stored (a bound form may have changed `item` in memory).
    locked = SwotItem.objects.select_for_update().get(pk=item.pk)
    locked.agenda = item.agenda
    if not can_edit_swot_item(acting_user, locked):
        raise PermissionDenied
    _check_version(locked, version, _("SWOT item"))
    if "proposed_by" in data and data["proposed_by"] != locked.proposed_by:
        _check_proposer(agenda=item.agenda, proposed_by=data["proposed_by"], acting_user=acting_user)
    changed = _apply(locked, data, SWOT_FIELDS)
    if changed:
        locked.full_clean(exclude=["session"])
        locked.version += 1
        locked.save(update_fields=[*changed, "version", "updated_at"])
    return locked


@transaction.atomic
def swot_item_delete(*, item: SwotItem, acting_user: User) -> None:
    if not can_edit_swot_item(acting_user, item):
        raise PermissionDenied
    item.delete()


def _recount_votes(item_ids: Iterable[int]) -> None:
    """Set `votes_count` from the SwotVote rows, in one UPDATE."""
    votes = (
        SwotVote.objects.filter(item=OuterRef("pk"))
        .order_by()
        .values("item")
        .annotate(n=Count("pk"))
        .values("n")
    )
    SwotItem.objects.filter(pk__in=list(item_ids)).update(
        votes_count=Coalesce(Subquery(votes, output_field=IntegerField()), Value(0))
    )


@transaction.atomic
def swot_vote_set(*, item: SwotItem, acting_user: User, voted: bool | None = None) -> bool:
    """Give (`voted=True`), take back (`False`) or toggle (`None`) the user's vote for an item; returns
    whether the user now votes for it.

    Safe under concurrent clicks: the item row is locked first, so two requests for the same item run
    one after the other; the database constraint `agenda_swotvote_one_per_user_item` refuses a second
    vote anyway (its IntegrityError, raised inside a savepoint, means "already voted"); and the count is
    recomputed from the votes in the same transaction, so it cannot drift.
    """
    if not can_vote_swot(acting_user, item.agenda):
        raise PermissionDenied
    list(SwotItem.objects.select_for_update().filter(pk=item.pk).values_list("pk", flat=True))
    existing = SwotVote.objects.filter(item=item, user=acting_user)
    if voted is None:
        voted = not existing.exists()
    if voted:
        try:
            with transaction.atomic():
                SwotVote.objects.create(item=item, user=acting_user, created_by=acting_user)
        except IntegrityError:
            pass  # a concurrent click (or a second tab) voted first: the user votes once either way
    else:
        existing.delete()
    _recount_votes([item.pk])
    item.votes_count = SwotItem.objects.values_list("votes_count", flat=True).get(pk=item.pk)
    return voted


# --- challenges -------------------------------------------------------------------------------------

CHALLENGE_FIELDS = (
    "code",
    "title_uk",
    "title_en",
    "description",
    "root_causes",
    "dimension",
    "priority",
    "rank",
    "owner",
    "status",
)


def _check_swot_items(agenda: Agenda, swot_items) -> list[SwotItem]:
    items = list(swot_items or [])
    if any(item.agenda_id != agenda.pk for item in items):
        raise ValidationError({"swot_items": _("Link only SWOT items of this agenda.")})
    return items


@transaction.atomic
def challenge_create(*, agenda: Agenda, data: dict[str, Any], acting_user: User) -> Challenge:
    """A key challenge formulated from the SWOT items it comes from (`data["swot_items"]`)."""
    if not can_manage_challenges(acting_user, agenda):
        raise PermissionDenied
    _organisation_in_region(data.get("owner"), agenda, "owner")
    items = _check_swot_items(agenda, data.get("swot_items"))
    challenge = Challenge(agenda=agenda, created_by=acting_user)
    _apply(challenge, data, CHALLENGE_FIELDS)
    challenge.full_clean()
    challenge.save()
    challenge.swot_items.set(items)
    return challenge


@transaction.atomic
def challenge_update(
    *, challenge: Challenge, data: dict[str, Any], version: int | None, acting_user: User
) -> Challenge:
    if not can_manage_challenges(acting_user, challenge.agenda):
        raise PermissionDenied
    locked = Challenge.objects.select_for_update().get(pk=challenge.pk)
    _check_version(locked, version, _("challenge"))
    _organisation_in_region(data.get("owner"), challenge.agenda, "owner")
    changed = _apply(locked, data, CHALLENGE_FIELDS)
    links_changed = False
    if "swot_items" in data:
        items = _check_swot_items(challenge.agenda, data["swot_items"])
        links_changed = {i.pk for i in items} != set(locked.swot_items.values_list("pk", flat=True))
        if links_changed:
            locked.swot_items.set(items)
    if changed or links_changed:
        locked.full_clean()
        locked.version += 1
        locked.save(update_fields=[*changed, "version", "updated_at"])
    return locked


@transaction.atomic
def challenge_delete(*, challenge: Challenge, acting_user: User) -> None:
    """Goals that answered the challenge stay, unlinked (their R letter goes out)."""
    if not can_manage_challenges(acting_user, challenge.agenda):
        raise PermissionDenied
    challenge.delete()


# --- goals --------------------------------------------------------------------------------------------

GOAL_FIELDS = (
    "code",
    "title_uk",
    "title_en",
    "specific_uk",
    "specific_en",
    "challenge",
    "baseline_value",
    "baseline_date",
    "target_value",
    "deadline",
    "owner_org",
    "owner_person",
    "achievability_note",
    "relevance_note",
    "strategy_ref",
    "domain",
    "status",
)
# A goal may leave the draft only when it is SMART-complete (a cancelled one needs not be).
STATUSES_NEEDING_SMART = frozenset(set(GoalStatus.values) - {GoalStatus.DRAFT, GoalStatus.CANCELLED})


def goal_facts(*, agenda: Agenda, data: dict[str, Any]) -> GoalFacts:
    """Facts of a goal as entered in a form (cleaned data), for the SMART check before saving."""
    indicator: Indicator | None = data.get("indicator")
    owner = data.get("owner_org")
    challenge = data.get("challenge")
    if indicator is not None:
        name, kind, unit, direction = indicator.name, indicator.kind, indicator.unit, indicator.direction
        values_unit = data.get("unit") or ""
    else:
        name = data.get("new_indicator_name") or ""
        kind = data.get("new_indicator_kind") or ""
        unit = data.get("unit") or ""
        direction = data.get("new_indicator_direction") or ""
        values_unit = ""
    return GoalFacts(
        specific=data.get("specific_uk") or data.get("specific_en") or "",
        owner_org=owner.name if owner is not None else "",
        indicator_name=name,
        indicator_kind=kind,
        indicator_unit=unit,
        direction=direction,
        values_unit=values_unit,
        baseline_value=data.get("baseline_value"),
        baseline_date=data.get("baseline_date"),
        target_value=data.get("target_value"),
        deadline=data.get("deadline"),
        achievability_note=data.get("achievability_note") or "",
        relevance_note=data.get("relevance_note") or "",
        strategy_ref=data.get("strategy_ref") or "",
        challenge=challenge.code if challenge is not None else "",
        horizon_start=agenda.period_start,
        horizon_end=agenda.period_end,
    )


def _check_goal(*, agenda: Agenda, data: dict[str, Any]) -> None:
    """Refuse contradictions, foreign rows and a non-draft status without a complete SMART check."""
    _organisation_in_region(data.get("owner_org"), agenda, "owner_org")
    person = data.get("owner_person")
    if person is not None:
        owner = data.get("owner_org")
        if owner is None or person.organisation_id != owner.pk:
            raise ValidationError(
                {"owner_person": _("The owner person must work for the owner organisation.")}
            )
    for name in ("challenge",):
        if data.get(name) is not None and data[name].agenda_id != agenda.pk:
            raise ValidationError({name: _("Choose a challenge of this agenda.")})
    if data.get("domain") is not None and data["domain"].region_id != agenda.region_id:
        raise ValidationError({"domain": _("Choose a specialisation domain of this region.")})
    indicator = data.get("indicator")
    if indicator is not None and indicator.region_id not in (None, agenda.region_id):
        raise ValidationError({"indicator": _("Choose an indicator of this region.")})
    result = smart_check(goal_facts(agenda=agenda, data=data))
    if result.contradictions:
        raise ValidationError(result.contradictions)
    if data.get("status") in STATUSES_NEEDING_SMART and not result.complete:
        letters = ", ".join(letter.code for letter in result.missing)
        raise ValidationError(
            {
                "status": _("Only a SMART-complete goal can leave the draft; still missing: %(letters)s.")
                % {"letters": letters}
            }
        )


def _indicator_for(*, agenda: Agenda, data: dict[str, Any], acting_user: User) -> Indicator | None:
    """The chosen indicator, or a new one of the region made from the form's new-indicator fields."""
    if data.get("indicator") is not None:
        return data["indicator"]
    name = (data.get("new_indicator_name") or "").strip()
    if not name:
        return None
    return Indicator.objects.create(
        region=agenda.region,
        name_uk=name,
        kind=data.get("new_indicator_kind") or Indicator.Kind.OUTPUT,
        unit=data.get("unit") or Indicator.Unit.COUNT,
        direction=data.get("new_indicator_direction") or Indicator.Direction.INCREASE,
        created_by=acting_user,
    )


@transaction.atomic
def goal_create(*, agenda: Agenda, data: dict[str, Any], acting_user: User) -> Goal:
    if not can_manage_goals(acting_user, agenda):
        raise PermissionDenied
    _check_goal(agenda=agenda, data=data)
    goal = Goal(agenda=agenda, created_by=acting_user)
    _apply(goal, data, GOAL_FIELDS)
    goal.indicator = _indicator_for(agenda=agenda, data=data, acting_user=acting_user)
    goal.full_clean()
    goal.save()
    return goal


@transaction.atomic
def goal_update(*, goal: Goal, data: dict[str, Any], version: int | None, acting_user: User) -> Goal:
    """Edit a goal. A representative of the owner organisation may edit it but not hand it to another
    organisation; any change of content makes earlier endorsements stale (they are compared by hash)."""
    agenda = goal.agenda
    # Permissions are judged on the row as stored (a bound form may have changed `goal` in memory).
    locked = Goal.objects.select_for_update().get(pk=goal.pk)
    locked.agenda = agenda
    if not can_edit_goal(acting_user, locked):
        raise PermissionDenied
    _check_version(locked, version, _("goal"))
    if (
        "owner_org" in data
        and data["owner_org"] != locked.owner_org
        and not can_manage_goals(acting_user, agenda)
    ):
        raise ValidationError(
            {"owner_org": _("Only the coordinator can hand the goal to another organisation.")}
        )
    current = {name: getattr(locked, name) for name in GOAL_FIELDS} | {"indicator": locked.indicator}
    _check_goal(agenda=agenda, data=current | data)
    changed = _apply(locked, data, GOAL_FIELDS)
    if "indicator" in data or "new_indicator_name" in data:
        indicator = _indicator_for(agenda=agenda, data=data, acting_user=acting_user)
        if indicator != locked.indicator:
            locked.indicator = indicator
            changed.append("indicator")
    if changed:
        locked.full_clean()
        locked.version += 1
        locked.save(update_fields=[*changed, "version", "updated_at"])
    return locked


@transaction.atomic
def goal_delete(*, goal: Goal, acting_user: User) -> None:
    """Projects keep their other goals; the indicator stays in the region's library."""
    if not can_manage_goals(acting_user, goal.agenda):
        raise PermissionDenied
    goal.delete()


# --- endorsements -------------------------------------------------------------------------------------


@transaction.atomic
def endorsement_create(
    *, agenda: Agenda, organisation: Organisation, seen_hash: str, acting_user: User, comment: str = ""
) -> Endorsement:
    """The organisation's representative endorses exactly the version of the goal list and portfolio
    they saw (`seen_hash`). If it changed since, nothing is recorded and they are asked to look again.
    The endorsement keeps the hash and the full snapshot, so "what changed since" can be shown later."""
    if not can_endorse(acting_user, agenda, organisation):
        raise PermissionDenied
    content = canonical_content(agenda)
    current = content_hash(content)
    if seen_hash != current:
        raise ValidationError(
            _(
                "The goals or the portfolio changed after you opened the page. Nothing was endorsed: "
                "look at the current version and endorse it again."
            ),
            code="changed",
        )
    if not content["goals"]:
        raise ValidationError(_("There is no goal to endorse yet."), code="empty")
    try:
        with transaction.atomic():
            return Endorsement.objects.create(
                agenda=agenda,
                organisation=organisation,
                endorsed_by=acting_user,
                content_hash=current,
                snapshot=content,
                comment=comment,
                created_by=acting_user,
            )
    except IntegrityError:
        raise ValidationError(
            _("%(organisation)s has already endorsed this version.") % {"organisation": organisation},
            code="duplicate",
        ) from None
