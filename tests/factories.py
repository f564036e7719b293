"""factory_boy factories shared by every test module."""

import datetime

import factory
from factory.django import DjangoModelFactory

from accounts.models import User
from agenda import models as agenda_models
from projects import models as project_models
from regions.models import (
    Agenda,
    Programme,
    ProgrammeMembership,
    Region,
    RegionMembership,
    SpecialisationDomain,
)
from sessions import models as session_models
from stakeholders.models import Organisation, OrganisationKind, Person, RoleMatrixEntry


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("email",)
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.org")
    username = factory.LazyAttribute(lambda o: o.email)
    full_name = factory.Sequence(lambda n: f"Користувач {n}")
    @factory.post_generation
    def password(obj, create, extracted, **kwargs):
        obj.set_password(extracted or "pass-12345")
        if create:
            obj.save(update_fields=["password"])


class ProgrammeFactory(DjangoModelFactory):
    class Meta:
        model = Programme

    code = factory.Sequence(lambda n: f"programme-{n}")
    name_uk = factory.Sequence(lambda n: f"Програма {n}")
    name_en = factory.Sequence(lambda n: f"Programme {n}")


class RegionFactory(DjangoModelFactory):
    class Meta:
        model = Region

    slug = factory.Sequence(lambda n: f"region-{n}")
    name_uk = factory.Sequence(lambda n: f"Область {n}")
    name_en = factory.Sequence(lambda n: f"Oblast {n}")
    iso_code = factory.Sequence(lambda n: f"UA-{n % 100:02d}")


class DomainFactory(DjangoModelFactory):
    class Meta:
        model = SpecialisationDomain

    region = factory.SubFactory(RegionFactory)
    name_uk = factory.Sequence(lambda n: f"Напрям {n}")
    name_en = factory.Sequence(lambda n: f"Domain {n}")


class RegionMembershipFactory(DjangoModelFactory):
    class Meta:
        model = RegionMembership

    user = factory.SubFactory(UserFactory)
    region = factory.SubFactory(RegionFactory)
    role = RegionMembership.Role.COORDINATOR


class ProgrammeMembershipFactory(DjangoModelFactory):
    class Meta:
        model = ProgrammeMembership

    user = factory.SubFactory(UserFactory)
    programme = factory.SubFactory(ProgrammeFactory)


class AgendaFactory(DjangoModelFactory):
    class Meta:
        model = Agenda

    region = factory.SubFactory(RegionFactory)
    year = 2021
    title_uk = "Спільний порядок денний розвитку інноваційної екосистеми"
    title_en = "Common agenda for the innovation ecosystem"
    period_start = datetime.date(2021, 1, 1)
    period_end = datetime.date(2021, 12, 31)


class OrganisationFactory(DjangoModelFactory):
    class Meta:
        model = Organisation

    name_uk = factory.Sequence(lambda n: f"Організація {n}")
    name_en = factory.Sequence(lambda n: f"Organisation {n}")
    kind = OrganisationKind.CLUSTER
    region = factory.SubFactory(RegionFactory)


class PersonFactory(DjangoModelFactory):
    class Meta:
        model = Person

    full_name = factory.Sequence(lambda n: f"Особа {n}")
    position_uk = "Директор"
    organisation = factory.SubFactory(OrganisationFactory)
    email = factory.Sequence(lambda n: f"person{n}@example.org")


class RoleMatrixEntryFactory(DjangoModelFactory):
    class Meta:
        model = RoleMatrixEntry

    agenda = factory.SubFactory(AgendaFactory)
    organisation = factory.SubFactory(OrganisationFactory, region=factory.SelfAttribute("..agenda.region"))


class SessionKindFactory(DjangoModelFactory):
    class Meta:
        model = session_models.SessionKind
        django_get_or_create = ("order",)

    order = factory.Sequence(lambda n: (n % 5) + 1)
    code = factory.LazyAttribute(lambda o: f"kind-{o.order}")
    name_uk = factory.LazyAttribute(lambda o: f"Сесія {o.order}")
    name_en = factory.LazyAttribute(lambda o: f"Session {o.order}")


class SessionFactory(DjangoModelFactory):
    class Meta:
        model = session_models.Session

    agenda = factory.SubFactory(AgendaFactory)
    number = 2
    kind = factory.SubFactory(SessionKindFactory, order=factory.SelfAttribute("..number"))


class SwotItemFactory(DjangoModelFactory):
    class Meta:
        model = agenda_models.SwotItem

    agenda = factory.SubFactory(AgendaFactory)
    quadrant = agenda_models.SwotQuadrant.STRENGTH
    text_uk = factory.Sequence(lambda n: f"Сильна сторона {n}")


class ChallengeFactory(DjangoModelFactory):
    class Meta:
        model = agenda_models.Challenge

    agenda = factory.SubFactory(AgendaFactory)
    code = factory.Sequence(lambda n: f"C-{n}")
    title_uk = factory.Sequence(lambda n: f"Виклик {n}")


class IndicatorFactory(DjangoModelFactory):
    class Meta:
        model = agenda_models.Indicator

    name_uk = factory.Sequence(lambda n: f"Показник {n}")


class GoalFactory(DjangoModelFactory):
    class Meta:
        model = agenda_models.Goal

    agenda = factory.SubFactory(AgendaFactory)
    code = factory.Sequence(lambda n: f"G-{n}")
    title_uk = factory.Sequence(lambda n: f"Ціль {n}")


class MemorandumFactory(DjangoModelFactory):
    class Meta:
        model = agenda_models.Memorandum

    agenda = factory.SubFactory(AgendaFactory)
    title_uk = "Меморандум про співпрацю"


class MechanismKindFactory(DjangoModelFactory):
    class Meta:
        model = project_models.MechanismKind
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"mechanism-{n}")
    name_uk = factory.Sequence(lambda n: f"Механізм {n}")


class ProjectFactory(DjangoModelFactory):
    class Meta:
        model = project_models.Project

    agenda = factory.SubFactory(AgendaFactory)
    code = factory.Sequence(lambda n: f"P-{n}")
    title_uk = factory.Sequence(lambda n: f"Проєкт {n}")


class WorkingTeamFactory(DjangoModelFactory):
    class Meta:
        model = project_models.WorkingTeam

    agenda = factory.SubFactory(AgendaFactory)
    name_uk = factory.Sequence(lambda n: f"Команда {n}")


class TeamMembershipFactory(DjangoModelFactory):
    class Meta:
        model = project_models.TeamMembership

    team = factory.SubFactory(WorkingTeamFactory)
    person = factory.SubFactory(PersonFactory)
    organisation = factory.SelfAttribute("person.organisation")


class ActionStepFactory(DjangoModelFactory):
    class Meta:
        model = project_models.ActionStep

    project = factory.SubFactory(ProjectFactory)
    number = factory.Sequence(lambda n: f"1.{n + 1}")
    title_uk = factory.Sequence(lambda n: f"Крок {n}")
