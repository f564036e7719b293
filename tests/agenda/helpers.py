"""Builders shared by the tests of session 3–4: a region with participants, a SMART-complete goal, a
backed high-priority project, endorsements by everyone."""

import datetime
from decimal import Decimal

from agenda.canonical import canonical_content, content_hash
from agenda.models import Endorsement, Indicator
from projects.models import FundingLine, MechanismKind
from regions.models import RegionMembership
from tests import factories as f


def region_with_people(*, slug="oblast-a", iso="UA-31"):
    """A region, its 2021 agenda, two participating organisations with a representative each, and a
    coordinator. Returns a dict of them."""
    region = f.RegionFactory(slug=slug, iso_code=iso)
    agenda = f.AgendaFactory(region=region, year=2021)
    org_x = f.OrganisationFactory(region=region, name_uk=f"Кластер {slug}")
    org_y = f.OrganisationFactory(region=region, name_uk=f"Університет {slug}", kind="university")
    rep_x = f.UserFactory(email=f"rep.x.{slug}@example.org")
    rep_y = f.UserFactory(email=f"rep.y.{slug}@example.org")
    person_x = f.PersonFactory(organisation=org_x, user=rep_x)
    person_y = f.PersonFactory(organisation=org_y, user=rep_y)
    f.RoleMatrixEntryFactory(agenda=agenda, organisation=org_x, representative=person_x)
    f.RoleMatrixEntryFactory(agenda=agenda, organisation=org_y, representative=person_y)
    coordinator = f.UserFactory(email=f"coord.{slug}@example.org")
    f.RegionMembershipFactory(user=coordinator, region=region, role=RegionMembership.Role.COORDINATOR)
    observer = f.UserFactory(email=f"observer.{slug}@example.org")
    f.RegionMembershipFactory(user=observer, region=region, role=RegionMembership.Role.OBSERVER)
    return {
        "region": region,
        "agenda": agenda,
        "org_x": org_x,
        "org_y": org_y,
        "rep_x": rep_x,
        "rep_y": rep_y,
        "person_x": person_x,
        "person_y": person_y,
        "coordinator": coordinator,
        "observer": observer,
    }


def smart_goal(agenda, *, owner, code="G-1", challenge=None, **overrides):
    """A goal with all five SMART letters lit."""
    if challenge is None:
        challenge = f.ChallengeFactory(agenda=agenda, code=f"C-{code}", owner=owner)
    indicator = overrides.pop("indicator", None) or f.IndicatorFactory(
        region=agenda.region,
        name_uk=f"Показник {code}",
        kind=Indicator.Kind.OUTPUT,
        unit=Indicator.Unit.ORGANISATIONS,
    )
    values = {
        "title_uk": f"Ціль {code}",
        "specific_uk": "Видати інноваційні ваучери агропереробним МСП області",
        "indicator": indicator,
        "baseline_value": Decimal("0"),
        "baseline_date": datetime.date(2020, 12, 31),
        "target_value": Decimal("15"),
        "deadline": datetime.date(2021, 12, 31),
        "owner_org": owner,
        "achievability_note": "Обласний бюджет, 2 млн грн",
        "relevance_note": "Регіональна стратегія, ціль 2.1",
    }
    values.update(overrides)
    return f.GoalFactory(agenda=agenda, code=code, challenge=challenge, **values)


def mechanism(code="grant"):
    return MechanismKind.objects.get_or_create(code=code, defaults={"name_uk": code})[0]


def backed_project(agenda, *, goals, lead=None, code="P-1", priority=1, amount="1000000", **overrides):
    """A project serving `goals` with a mechanism and a funding line."""
    project = f.ProjectFactory(agenda=agenda, code=code, priority=priority, lead_org=lead, **overrides)
    project.goals.set(goals)
    project.mechanisms.add(mechanism())
    if amount:
        FundingLine.objects.create(
            project=project, source_kind="oblast_budget", amount=Decimal(amount), year=2021
        )
    return project


def endorse(agenda, organisation, user=None) -> Endorsement:
    content = canonical_content(agenda)
    return Endorsement.objects.create(
        agenda=agenda,
        organisation=organisation,
        endorsed_by=user,
        content_hash=content_hash(content),
        snapshot=content,
    )
