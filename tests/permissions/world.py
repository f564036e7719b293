"""Two regions with every kind of actor and a few objects in each: the stage of the permission table.

Region A and region B belong to one programme. Actors (by the names the table uses):
anonymous, observer_a, rep_x_a (representative of organisation X in A), rep_y_a (representative of
organisation Y in A), coord_a, coord_b, programme (coordinator of the programme), admin.
"""

import datetime
from dataclasses import dataclass, field

from django.utils import timezone

from regions.models import RegionMembership
from tests import factories as f

ACTORS = ("anonymous", "observer_a", "rep_x_a", "rep_y_a", "coord_a", "coord_b", "programme", "admin")

# Handy actor sets for table entries.
NOBODY: frozenset = frozenset()
EVERYONE = frozenset(ACTORS)
LOGGED_IN = EVERYONE - {"anonymous"}
ADMIN = frozenset({"admin"})
MANAGERS_A = frozenset({"coord_a", "admin"})
PARTICIPANTS_A = MANAGERS_A | {"rep_x_a", "rep_y_a"}
READERS_A = PARTICIPANTS_A | {"observer_a", "programme"}
PROGRAMME_LEADS = frozenset({"programme", "admin"})


@dataclass
class World:
    users: dict = field(default_factory=dict)
    objects: dict = field(default_factory=dict)

    def __getattr__(self, name):
        try:
            return self.__dict__["objects"][name]
        except KeyError as exc:
            raise AttributeError(name) from exc


def _user(email, **kw):
    return f.UserFactory(email=email, username=email, **kw)


def build_world() -> World:
    w = World()
    programme = f.ProgrammeFactory(code="integration", name_uk="Інтеграція 4.0")
    region_a = f.RegionFactory(slug="region-a", iso_code="UA-01", name_uk="Область А", name_en="Oblast A")
    region_b = f.RegionFactory(slug="region-b", iso_code="UA-02", name_uk="Область Б", name_en="Oblast B")
    programme.regions.add(region_a, region_b)
    objs = w.objects
    objs.update(programme=programme, region_a=region_a, region_b=region_b)

    for key, region in (("a", region_a), ("b", region_b)):
        agenda = f.AgendaFactory(region=region, year=2021)
        agenda.programmes.add(programme)
        domain = f.DomainFactory(region=region, name_uk=f"Машинобудування {key}")
        org_x = f.OrganisationFactory(region=region, name_uk=f"Кластер {key}", kind="cluster")
        org_y = f.OrganisationFactory(region=region, name_uk=f"Університет {key}", kind="university")
        person_x = f.PersonFactory(organisation=org_x, full_name=f"Представник X {key}")
        person_y = f.PersonFactory(organisation=org_y, full_name=f"Представник Y {key}")
        entry_x = f.RoleMatrixEntryFactory(agenda=agenda, organisation=org_x, representative=person_x)
        entry_y = f.RoleMatrixEntryFactory(agenda=agenda, organisation=org_y, representative=person_y)
        kind = f.SessionKindFactory(order=2, code="roles")
        session = f.SessionFactory(
            agenda=agenda, number=2, kind=kind, starts_at=timezone.now() + datetime.timedelta(days=7)
        )
        objs.update(
            {
                f"agenda_{key}": agenda,
                f"domain_{key}": domain,
                f"org_x_{key}": org_x,
                f"org_y_{key}": org_y,
                f"person_x_{key}": person_x,
                f"person_y_{key}": person_y,
                f"entry_x_{key}": entry_x,
                f"entry_y_{key}": entry_y,
                f"session_{key}": session,
            }
        )

    w.users["anonymous"] = None
    w.users["admin"] = _user("admin@example.org", is_superuser=True, is_staff=True)
    w.users["coord_a"] = _user("coord.a@example.org", is_staff=True)
    w.users["coord_b"] = _user("coord.b@example.org", is_staff=True)
    w.users["observer_a"] = _user("observer.a@example.org")
    w.users["programme"] = _user("programme@example.org")
    w.users["rep_x_a"] = _user("rep.x.a@example.org")
    w.users["rep_y_a"] = _user("rep.y.a@example.org")
    f.RegionMembershipFactory(
        user=w.users["coord_a"], region=region_a, role=RegionMembership.Role.COORDINATOR
    )
    f.RegionMembershipFactory(
        user=w.users["coord_b"], region=region_b, role=RegionMembership.Role.COORDINATOR
    )
    f.RegionMembershipFactory(
        user=w.users["observer_a"], region=region_a, role=RegionMembership.Role.OBSERVER
    )
    f.ProgrammeMembershipFactory(user=w.users["programme"], programme=programme)
    objs["person_x_a"].user = w.users["rep_x_a"]
    objs["person_x_a"].save()
    objs["person_y_a"].user = w.users["rep_y_a"]
    objs["person_y_a"].save()
    return w
