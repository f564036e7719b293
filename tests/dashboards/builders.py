"""A programme of N regions with a complete-looking agenda each, for the dashboards' tests."""

import datetime
from decimal import Decimal

from django.utils import timezone

from projects.models import FundingLine, FundingSourceKind, WorkingTeam
from regions.models import RegionMembership
from sessions.models import EventStatus
from stakeholders.models import OrganisationKind, PersonRole
from tests import factories as f


def build_region(programme, index: int) -> dict:
    region = f.RegionFactory(name_uk=f"Область {index:02d}", name_en="")
    programme.regions.add(region)
    agenda = f.AgendaFactory(region=region)
    agenda.programmes.add(programme)
    domain = f.DomainFactory(region=region)
    orgs = [
        f.OrganisationFactory(region=region, kind=kind)
        for kind in (
            OrganisationKind.REGIONAL_ADMIN,
            OrganisationKind.CLUSTER,
            OrganisationKind.UNIVERSITY,
            OrganisationKind.CIVIL_SOCIETY,
        )
    ]
    for org in orgs:
        f.RoleMatrixEntryFactory(agenda=agenda, organisation=org)
    team = f.WorkingTeamFactory(agenda=agenda, domain=domain, status=WorkingTeam.Status.ACTIVE)
    for role, org in (
        (PersonRole.LEADER, orgs[1]),
        (PersonRole.MEMBER, orgs[2]),
        (PersonRole.MEMBER, orgs[0]),
    ):
        f.TeamMembershipFactory(team=team, person=f.PersonFactory(organisation=org), role=role)
    project = f.ProjectFactory(agenda=agenda, is_pilot=True, team=team)
    f.ActionStepFactory(project=project, responsible_org=orgs[1], due_date=datetime.date(2021, 3, 1))
    FundingLine.objects.create(
        project=project,
        source_kind=FundingSourceKind.OBLAST_BUDGET,
        amount=Decimal("1000000"),
        currency="UAH",
    )
    FundingLine.objects.create(
        project=project, source_kind=FundingSourceKind.ITA, amount=Decimal("40000"), currency="EUR"
    )
    f.GoalFactory(agenda=agenda)
    f.MemorandumFactory(agenda=agenda)
    for number in (2, 3):
        f.SessionFactory(
            agenda=agenda,
            number=number,
            kind=f.SessionKindFactory(order=number),
            status=EventStatus.HELD if number == 2 else EventStatus.PLANNED,
            minutes="Протокол" if number == 2 else "",
            starts_at=timezone.now() + datetime.timedelta(days=number - 3),
        )
    coordinator = f.UserFactory()
    f.RegionMembershipFactory(user=coordinator, region=region, role=RegionMembership.Role.COORDINATOR)
    return {
        "region": region,
        "agenda": agenda,
        "coordinator": coordinator,
        "orgs": orgs,
        "team": team,
        "project": project,
    }


def build_programme(count: int, programme=None) -> dict:
    programme = programme or f.ProgrammeFactory()
    regions = [build_region(programme, i) for i in range(count)]
    lead = f.UserFactory()
    f.ProgrammeMembershipFactory(user=lead, programme=programme)
    return {"programme": programme, "regions": regions, "lead": lead}
