"""A region with an agenda, its coordinator, two organisations in the role matrix and their
representatives (with accounts), an observer, and a second region beside it."""

from dataclasses import dataclass

import pytest
from django.utils import translation

from regions.models import RegionMembership
from tests import factories as f


@pytest.fixture(autouse=True)
def _english(settings):
    """Messages are asserted in English, whatever the state of the Ukrainian catalogue (pages follow
    LANGUAGE_CODE, code called directly the active language)."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@dataclass
class Scene:
    region: object
    agenda: object
    coordinator: object
    observer: object
    cluster: object
    university: object
    rep_cluster: object
    rep_university: object
    person_cluster: object
    person_university: object
    entry_cluster: object
    entry_university: object
    domain: object
    domain2: object
    other_region: object
    other_coordinator: object


@pytest.fixture
def scene(db) -> Scene:
    region = f.RegionFactory(
        slug="kharkivska", name_uk="Харківська область", name_en="Kharkiv Oblast", iso_code="UA-63"
    )
    agenda = f.AgendaFactory(region=region, year=2021)
    coordinator = f.UserFactory(email="coord@example.org", full_name="Координаторка")
    f.RegionMembershipFactory(user=coordinator, region=region, role=RegionMembership.Role.COORDINATOR)
    observer = f.UserFactory(email="observer@example.org")
    f.RegionMembershipFactory(user=observer, region=region, role=RegionMembership.Role.OBSERVER)
    domain = f.DomainFactory(region=region, name_uk="Машинобудування", name_en="Machinery")
    domain2 = f.DomainFactory(region=region, name_uk="ІТ", name_en="IT")
    cluster = f.OrganisationFactory(
        region=region, name_uk="Кластер «Слобожанська автоматизація»", name_en="", kind="cluster"
    )
    university = f.OrganisationFactory(region=region, name_uk="Університет", name_en="", kind="university")
    rep_cluster = f.UserFactory(email="rep.cluster@example.org", full_name="Представник кластеру")
    rep_university = f.UserFactory(email="rep.uni@example.org", full_name="Проректор")
    person_cluster = f.PersonFactory(
        organisation=cluster, user=rep_cluster, email=rep_cluster.email, full_name="Менеджер кластеру"
    )
    person_university = f.PersonFactory(
        organisation=university,
        user=rep_university,
        email=rep_university.email,
        full_name="Проректор",
        preferred_language="en",
    )
    entry_cluster = f.RoleMatrixEntryFactory(
        agenda=agenda, organisation=cluster, representative=person_cluster
    )
    entry_university = f.RoleMatrixEntryFactory(
        agenda=agenda, organisation=university, representative=person_university
    )
    other_region = f.RegionFactory(slug="lvivska", iso_code="UA-46")
    f.AgendaFactory(region=other_region, year=2021)
    other_coordinator = f.UserFactory(email="coord.lviv@example.org")
    f.RegionMembershipFactory(
        user=other_coordinator, region=other_region, role=RegionMembership.Role.COORDINATOR
    )
    return Scene(
        region=region,
        agenda=agenda,
        coordinator=coordinator,
        observer=observer,
        cluster=cluster,
        university=university,
        rep_cluster=rep_cluster,
        rep_university=rep_university,
        person_cluster=person_cluster,
        person_university=person_university,
        entry_cluster=entry_cluster,
        entry_university=entry_university,
        domain=domain,
        domain2=domain2,
        other_region=other_region,
        other_coordinator=other_coordinator,
    )


def complete(entry, **extra) -> dict:
    """The content of a complete row, as a service call's `data`."""
    data = {
        "current_role_type": "intermediary",
        "current_role": "Об'єднує 40 підприємств",
        "refined_role_type": "coordinator",
        "refined_role": "Секретаріат робочих груп",
        "zone_of_responsibility": "Секретаріат, лабораторія ІАМ",
        "sphere_of_interest": "Автоматизація, експорт",
        "commitment": "Лідерство пілотного проєкту",
        "commitment_level": 4,
    }
    data.update(extra)
    return data
