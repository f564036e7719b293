"""Change stamps (core.stamps): every committed write to a table the page cache knows gives the table a new
stamp — whatever made the write — and writers never wait for each other's stamps before they commit."""

import psycopg2
import pytest
from django.db import connection, transaction

from agenda.models import SwotItem, SwotQuadrant
from core import pagecache, stamps
from projects.models import MechanismKind
from stakeholders.models import Organisation
from tests import factories as f

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

SWOT = SwotItem._meta.db_table
ORGS = Organisation._meta.db_table
KINDS = MechanismKind._meta.db_table


def _stamp(table: str):
    found = stamps.read([table])
    assert found is not None, "stamps are read outside a transaction with pending writes"
    versions = dict(item.split(":") for item in found[1:])
    return versions.get(table)


def test_every_table_the_page_cache_knows_carries_the_trigger():
    assert set(pagecache.models_by_table()) <= stamps._tables_with_trigger(connection)


def test_installing_again_changes_nothing_but_keeps_the_triggers():
    assert set(stamps.install()) == set(pagecache.models_by_table())
    assert set(pagecache.models_by_table()) <= stamps._tables_with_trigger(connection)


def _kind(code="k1"):
    return MechanismKind.objects.create(code=code, name_uk="Механізм")


WRITES = {
    "insert": lambda: _kind("k2"),
    "save": lambda: MechanismKind.objects.get(code="k1").save(),
    "bulk insert": lambda: MechanismKind.objects.bulk_create(
        [MechanismKind(code=f"b{i}", name_uk="Б") for i in range(3)]
    ),
    "update()": lambda: MechanismKind.objects.update(name_uk="Нова назва"),
    "delete()": lambda: MechanismKind.objects.filter(code="k1").delete(),
    "raw SQL": lambda: connection.cursor().execute(f"UPDATE {KINDS} SET name_en = 'Raw'"),
    "truncate": lambda: connection.cursor().execute(f"TRUNCATE {KINDS} CASCADE"),
}


@pytest.mark.parametrize("write", list(WRITES))
def test_every_kind_of_committed_write_moves_the_tables_stamp(write):
    _kind()
    before, other = _stamp(KINDS), _stamp(SWOT)
    WRITES[write]()
    assert _stamp(KINDS) != before
    assert _stamp(SWOT) == other, "a table not written keeps its stamp"


def test_a_write_is_stamped_at_commit_and_a_rolled_back_one_never():
    _kind()
    before = _stamp(KINDS)
    with transaction.atomic():
        _kind("k2")
        assert stamps.read([KINDS]) is None, "uncommitted writes of this transaction: stamps say nothing"
    after = _stamp(KINDS)
    assert after != before
    with pytest.raises(RuntimeError), transaction.atomic():
        _kind("k3")
        raise RuntimeError
    assert _stamp(KINDS) == after


def test_a_many_to_many_change_moves_the_link_tables_stamp():
    project = f.ProjectFactory()
    org = f.OrganisationFactory(region=project.agenda.region)
    link = project.partners.through._meta.db_table
    before = _stamp(link)
    project.partners.add(org)
    assert _stamp(link) != before


def _raw_connection():
    db = connection.settings_dict
    raw = psycopg2.connect(
        dbname=db["NAME"], user=db["USER"], host=db["HOST"] or None, port=db["PORT"] or None,
        password=db["PASSWORD"] or None,
    )  # fmt: skip
    with raw.cursor() as cursor:
        # A writer waiting for another's stamp row would wait forever in this one thread: fail instead.
        cursor.execute("SET lock_timeout = '3s'")
    raw.commit()
    return raw


def test_two_writers_touching_two_tables_in_opposite_orders_never_wait_for_each_other():
    """Stamps are taken at commit, in table-name order: two open transactions writing the same two
    tables in opposite orders go on without waiting (a stamp row locked at the write would make the
    second writer wait for the first, and the first for the second: a deadlock)."""
    kind, other_kind = _kind(), _kind("k2")
    agenda = f.AgendaFactory()
    item, other_item = (
        SwotItem.objects.create(agenda=agenda, quadrant=SwotQuadrant.STRENGTH, text_uk=f"Сильна сторона {i}")
        for i in (1, 2)
    )
    before = (_stamp(KINDS), _stamp(SWOT))
    one, two = _raw_connection(), _raw_connection()
    try:
        with one.cursor() as a, two.cursor() as b:
            a.execute(f"UPDATE {KINDS} SET name_en = 'one' WHERE id = %s", [kind.pk])
            b.execute(f"UPDATE {SWOT} SET text_en = 'two' WHERE id = %s", [item.pk])
            a.execute(f"UPDATE {SWOT} SET text_en = 'one' WHERE id = %s", [other_item.pk])
            b.execute(f"UPDATE {KINDS} SET name_en = 'two' WHERE id = %s", [other_kind.pk])
        one.commit()
        middle = (_stamp(KINDS), _stamp(SWOT))
        two.commit()
    finally:
        one.close()
        two.close()
    after = (_stamp(KINDS), _stamp(SWOT))
    assert before[0] != middle[0] != after[0]
    assert before[1] != middle[1] != after[1]


def test_stamps_are_not_trusted_for_a_table_without_the_trigger(monkeypatch):
    monkeypatch.setitem(stamps._triggered, (connection.alias, connection.settings_dict["NAME"]), frozenset())
    assert stamps.read([KINDS]) is None
