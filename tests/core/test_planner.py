"""PostgreSQL plans a page's rows by looking them up, not by joining them to every region's rows: the
connections price random reads as on SSDs / memory (settings: DB_RANDOM_PAGE_COST, 1.1)."""

import pytest
from django.conf import settings
from django.db import connection

from accounts.models import User
from stakeholders.models import Organisation, Person, RoleMatrixEntry
from tests import factories as f

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def test_every_connection_prices_random_reads_as_set():
    assert settings.RANDOM_PAGE_COST == "1.1"
    with connection.cursor() as cursor:
        cursor.execute("SHOW random_page_cost")
        assert float(cursor.fetchone()[0]) == 1.1


def test_a_role_matrix_page_does_not_read_every_regions_organisations_and_people():
    agenda = f.AgendaFactory()
    ours = Organisation.objects.bulk_create(
        [Organisation(region=agenda.region, name_uk=f"Організація {n:03d}") for n in range(200)]
    )
    people = Person.objects.bulk_create(
        [Person(organisation=org, full_name=f"Особа {org.pk}") for org in ours]
    )
    RoleMatrixEntry.objects.bulk_create(
        [
            RoleMatrixEntry(agenda=agenda, organisation=o, representative=p)
            for o, p in zip(ours, people, strict=True)
        ]
    )
    # Forty other regions' worth of organisations and their people, each with an account.
    elsewhere = f.RegionFactory()
    theirs = Organisation.objects.bulk_create(
        [Organisation(region=elsewhere, name_uk=f"Інша {n:04d}") for n in range(8000)]
    )
    users = User.objects.bulk_create(
        [User(username=f"u{n}", email=f"u{n}@example.org", password="!") for n in range(8000)]
    )
    Person.objects.bulk_create(
        [
            Person(organisation=org, full_name="Інша особа", user=user)
            for org, user in zip(theirs, users, strict=True)
        ]
    )
    with connection.cursor() as cursor:
        for table in (
            "stakeholders_organisation",
            "stakeholders_person",
            "stakeholders_rolematrixentry",
            "accounts_user",
        ):
            cursor.execute(f"ANALYZE {table}")

    # The matrix's query (stakeholders.views.role_entry_list), one page of it.
    rows = agenda.role_entries.with_related().order_by("organisation__name_uk", "pk")[:50]
    plan = rows.explain()
    for table in ("stakeholders_organisation", "stakeholders_person", "accounts_user"):
        assert f"Seq Scan on {table}" not in plan, plan
    assert [e.organisation.name_uk for e in rows][:2] == ["Організація 000", "Організація 001"]
