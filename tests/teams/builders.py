"""A region whose agenda meets criterion 3 exactly; each test breaks one thing."""

import datetime

from projects.models import WorkingTeam
from stakeholders.models import PersonRole
from tests import factories as f


def build_ready(region=None, agenda=None) -> dict:
    """Three main directions, three active teams (one per direction, each with a leader and three members
    from two organisations) and one pilot project with a team and an owned, dated step."""
    region = region or f.RegionFactory()
    agenda = agenda or f.AgendaFactory(region=region)
    domains = [f.DomainFactory(region=region, name_uk=f"Напрям {i}", name_en="") for i in range(3)]
    org_a = f.OrganisationFactory(region=region, name_uk="Кластер")
    org_b = f.OrganisationFactory(region=region, name_uk="Університет")
    teams = []
    for i, domain in enumerate(domains):
        team = f.WorkingTeamFactory(
            agenda=agenda, name_uk=f"Команда {i}", domain=domain, status=WorkingTeam.Status.ACTIVE
        )
        f.TeamMembershipFactory(team=team, person=f.PersonFactory(organisation=org_a), role=PersonRole.LEADER)
        f.TeamMembershipFactory(team=team, person=f.PersonFactory(organisation=org_a), role=PersonRole.MEMBER)
        f.TeamMembershipFactory(
            team=team, person=f.PersonFactory(organisation=org_b), role=PersonRole.CO_LEADER
        )
        teams.append(team)
    pilot = f.ProjectFactory(agenda=agenda, code="P-1", is_pilot=True, team=teams[0])
    step = f.ActionStepFactory(
        project=pilot, number="1.1", responsible_org=org_a, due_date=datetime.date(2021, 6, 30)
    )
    return {
        "region": region,
        "agenda": agenda,
        "domains": domains,
        "teams": teams,
        "org_a": org_a,
        "org_b": org_b,
        "pilot": pilot,
        "step": step,
    }
