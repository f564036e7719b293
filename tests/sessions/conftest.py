"""A region with its coordinator, an observer, a representative, two organisations with people, an
agenda opened through agenda_open (so sessions 2–5 and the programme's joint session 1 exist), and a
second region of the same programme."""

import datetime
from types import SimpleNamespace

import pytest
from django.utils import timezone

from regions.models import RegionMembership
from regions.services import agenda_open
from sessions.models import KYIV, Attendance
from tests import factories as f


@pytest.fixture
def setup(db):
    programme = f.ProgrammeFactory(code="integration", name_uk="Інтеграція 4.0", name_en="Integration 4.0")
    region = f.RegionFactory(
        slug="kharkiv", name_uk="Харківська область", name_en="Kharkiv Oblast", iso_code="UA-63"
    )
    other = f.RegionFactory(slug="lviv", name_uk="Львівська область", name_en="Lviv Oblast", iso_code="UA-46")
    programme.regions.add(region, other)
    coordinator = f.UserFactory(email="coord@example.org", full_name="Олена Коваленко")
    f.RegionMembershipFactory(user=coordinator, region=region, role=RegionMembership.Role.COORDINATOR)
    other_coordinator = f.UserFactory(email="coord.lviv@example.org")
    f.RegionMembershipFactory(user=other_coordinator, region=other, role=RegionMembership.Role.COORDINATOR)
    observer = f.UserFactory(email="observer@example.org")
    f.RegionMembershipFactory(user=observer, region=region, role=RegionMembership.Role.OBSERVER)
    lead = f.UserFactory(email="programme@example.org")
    f.ProgrammeMembershipFactory(user=lead, programme=programme)
    cluster = f.OrganisationFactory(
        region=region, name_uk="Кластер «Слобожанська автоматизація»", short_name="Кластер"
    )
    university = f.OrganisationFactory(
        region=region, name_uk="Слобожанський політехнічний університет", kind="university"
    )
    rep_user = f.UserFactory(email="rep@example.org")
    rep = f.PersonFactory(
        organisation=cluster, full_name="Менеджер кластеру", email="rep@example.org", user=rep_user
    )
    rector = f.PersonFactory(
        organisation=university, full_name="Проректор", email="", preferred_language="en"
    )
    other_org = f.OrganisationFactory(region=other, name_uk="Кластер Львова")
    other_person = f.PersonFactory(organisation=other_org, full_name="Представник Львова")
    agenda = agenda_open(
        region=region, year=2021, acting_user=coordinator, window_start=datetime.date(2021, 3, 1)
    )
    sessions = {s.number: s for s in agenda.sessions.all()}
    joint = programme.sessions.get(number=1)
    return SimpleNamespace(**locals())


def past(hours: int = 2) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(hours=hours)


def make_ready_to_hold(session, people, *, starts_at=None):
    """A session that has started, with minutes and every invitation marked."""
    session.starts_at = starts_at or past()
    session.minutes = "## Протокол\n\n1. Погоджено матрицю ролей."
    session.save()
    for i, person in enumerate(people):
        Attendance.objects.create(
            session=session,
            person=person,
            organisation=person.organisation,
            attended=(i == 0),
            reply="accepted",
        )
    session.refresh_from_db()
    return session


def local(year, month, day, hour=10, minute=0):
    return datetime.datetime(year, month, day, hour, minute, tzinfo=KYIV)


@pytest.fixture(autouse=True)
def _english():
    """Messages are asserted in English (the msgids); pages requested through the client follow the
    request's language as usual."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def client(client, settings):
    """Pages in English, so tests read the msgids."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client
