"""Computed criteria are cached under a fingerprint of the data they read: an unchanged agenda is served
from the cache, and any change to what a criterion reads is seen at once."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from django.utils.functional import Promise

from agenda import criteria
from core.fingerprint import model_for_label
from projects.models import MechanismKind, TeamMembership
from stakeholders.models import Organisation, RoleMatrixEntry
from tests import factories as f

from .builders import build_programme

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return build_programme(2)


@pytest.fixture
def computed(monkeypatch):
    """Agenda ids whose criteria were computed (not served from the cache), call by call."""
    calls: list[set[int]] = []
    compute = criteria._compute

    def spy(agendas, numbers=None):
        calls.append({a.pk for a in agendas})
        return compute(agendas, numbers)

    monkeypatch.setattr(criteria, "_compute", spy)
    return calls


def _agendas(world):
    return [r["agenda"] for r in world["regions"]]


def test_unchanged_agendas_are_served_from_the_cache_per_language(world, computed):
    agendas = _agendas(world)
    first = criteria.evaluate_many(agendas)
    second = criteria.evaluate_many(agendas)
    assert computed == [{a.pk for a in agendas}]
    assert [(r.number, r.met, str(r.summary)) for r in second[agendas[0].pk]] == [
        (r.number, r.met, str(r.summary)) for r in first[agendas[0].pk]
    ]
    with translation.override("en"):
        criteria.evaluate_many(agendas)
    assert len(computed) == 2, "another language is computed on its own"


def test_cached_results_hold_text_of_their_language_not_lazy_translations(world):
    """A lazy translation is rebuilt as a new class when unpickled (slow), and would follow whatever
    language is active when shown; the cache holds each language's text instead."""
    agendas = _agendas(world)
    with translation.override("en"):
        english = criteria.evaluate_many(agendas)
    with translation.override("uk"):
        ukrainian = criteria.evaluate_many(agendas)
        served = criteria.evaluate_many(agendas)  # from the cache
    for results in (english, ukrainian, served):
        for found in results.values():
            for result in found:
                texts = [result.title, result.summary, *result.evidence, *(g.text for g in result.gaps)]
                assert all(isinstance(text, str) for text in texts), texts
                assert not any(isinstance(text, Promise) for text in texts)
    first = agendas[0].pk
    assert [r.title for r in english[first]] != [r.title for r in ukrainian[first]]
    with translation.override("en"):
        assert [r.title for r in served[first]] == [r.title for r in ukrainian[first]]


CHANGES = {
    "a role row saved": lambda w: (
        RoleMatrixEntry.objects.filter(agenda=w["regions"][0]["agenda"]).first().save()
    ),
    "a role row deleted": lambda w: (
        RoleMatrixEntry.objects.filter(agenda=w["regions"][0]["agenda"]).first().delete()
    ),
    "an organisation renamed": lambda w: Organisation.objects.filter(pk=w["regions"][0]["orgs"][0].pk).update(
        name_uk="Нова назва", updated_at=timezone.now()
    ),
    "a partner added without saving the project": lambda w: w["regions"][0]["project"].partners.add(
        w["regions"][0]["orgs"][3]
    ),
    "a team member removed": lambda w: (
        TeamMembership.objects.filter(team=w["regions"][0]["team"]).first().delete()
    ),
    "a goal added": lambda w: f.GoalFactory(agenda=w["regions"][0]["agenda"]),
    "a mechanism kind added": lambda w: MechanismKind.objects.create(code="new-kind", name_uk="Новий"),
}


@pytest.mark.parametrize("change", list(CHANGES))
def test_a_change_is_seen_at_once_and_only_its_agenda_is_recomputed(world, computed, change):
    agendas = _agendas(world)
    criteria.evaluate_many(agendas)
    CHANGES[change](world)
    criteria.evaluate_many(agendas)
    changed = world["regions"][0]["agenda"].pk
    if change == "a mechanism kind added":  # reference rows shared by every region
        assert computed[1] == {a.pk for a in agendas}
    else:
        assert computed[1] == {changed}


def test_the_fingerprint_covers_every_table_the_criteria_read(world):
    """A criterion that starts reading a new table must add it to the fingerprint."""
    covered = set()
    for label, _lookup in (*criteria.FINGERPRINT_AGENDA, *criteria.FINGERPRINT_REGION):
        covered.add(model_for_label(label)._meta.db_table)
    for label in criteria.FINGERPRINT_SHARED:
        covered.add(model_for_label(label)._meta.db_table)
    with CaptureQueriesContext(connection) as ctx:
        criteria._compute(_agendas(world))
    read = {
        table
        for query in ctx.captured_queries
        for table in re.findall(r'(?:FROM|JOIN) "([a-z_0-9]+)"', query["sql"])
    }
    assert read, "the criteria read something"
    assert read <= covered, f"read but not fingerprinted: {sorted(read - covered)}"


def _aggregating(queries) -> list[str]:
    """The queries that are not a read of the change stamps (or the once-per-process trigger lookup)."""
    return [q["sql"] for q in queries if "core_tablestamp" not in q["sql"] and "pg_trigger" not in q["sql"]]


def test_the_fingerprint_is_one_query(world):
    with CaptureQueriesContext(connection) as ctx:
        criteria.fingerprints(_agendas(world))
    assert len(_aggregating(ctx.captured_queries)) == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_unmoved_change_stamps_reuse_the_digests_without_aggregating_rows():
    world = build_programme(2)
    agendas = _agendas(world)
    first = criteria.fingerprints(agendas)
    with CaptureQueriesContext(connection) as ctx:
        assert criteria.fingerprints(agendas) == first
    assert _aggregating(ctx.captured_queries) == []
    assert len(ctx.captured_queries) == 1
    RoleMatrixEntry.objects.filter(agenda=agendas[0]).first().save()
    with CaptureQueriesContext(connection) as ctx:
        second = criteria.fingerprints(agendas)
    assert len(_aggregating(ctx.captured_queries)) == 1
    assert second[agendas[0].pk] != first[agendas[0].pk]
    assert second[agendas[1].pk] == first[agendas[1].pk]
    assert criteria.fingerprints(agendas[1:]) == {agendas[1].pk: first[agendas[1].pk]}, "its own set"


def test_a_link_row_swapped_for_another_is_seen(world, computed):
    """Same number of rows in a link table, another row: the highest key moves, so the agenda is recomputed."""
    project = world["regions"][0]["project"]
    project.partners.add(world["regions"][0]["orgs"][1])
    agendas = _agendas(world)
    criteria.evaluate_many(agendas)
    project.partners.set([world["regions"][0]["orgs"][2]])
    criteria.evaluate_many(agendas)
    assert computed[-1] == {agendas[0].pk}


@pytest.mark.django_db(transaction=True)
def test_the_fingerprint_is_compiled_once_and_outside_a_transaction_prepared_on_postgresql():
    """Requests run in autocommit: there the fingerprint is a statement prepared once per connection; a
    second set of agendas of the same size reuses the compiled query with its own ids."""
    world = build_programme(2)
    first, second = ([r["agenda"]] for r in world["regions"])
    before = criteria.fingerprints(first)
    assert criteria.fingerprints(first) == before
    other = criteria.fingerprints(second)
    assert set(other) == {second[0].pk} and other[second[0].pk] != before[first[0].pk]
    RoleMatrixEntry.objects.filter(agenda=second[0]).first().save()
    assert criteria.fingerprints(second) != other
    assert criteria.fingerprints(first) == before, "the other agenda's change is not this one's"
    assert len([key for key in criteria._compiled if key[:2] == (1, 1)]) == 1
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_prepared_statements WHERE name LIKE 'criteria_fp_%%'")
            assert cursor.fetchone()[0] >= 1


def test_one_criterion_is_computed_alone_and_cached_apart(world, monkeypatch):
    """The role matrix, goal list and team list each show one criterion: only that one is computed, then
    served from the cache until what it is computed from changes."""
    agenda = _agendas(world)[0]
    ran: list[int] = []
    functions = criteria.criterion_functions()

    def spying():
        def spy(number, fn):
            def run(agendas):
                ran.append(number)
                return fn(agendas)

            return run

        return [spy(number, fn) for number, fn in enumerate(functions, start=1)]

    monkeypatch.setattr(criteria, "criterion_functions", spying)
    first = criteria.criterion(agenda, 1)
    assert (first.number, ran) == (1, [1])
    assert criteria.criterion(agenda, 1) == first
    assert ran == [1], "served from the cache"
    RoleMatrixEntry.objects.filter(agenda=agenda).first().delete()
    assert criteria.criterion(agenda, 1) != first
    assert ran == [1, 1]
    assert [r.number for r in criteria.evaluate(agenda)] == [1, 2, 3]
    assert ran == [1, 1, 1, 2, 3], "the whole set is an entry of its own"
    assert criteria.criterion(agenda, 3).number == 3
    assert ran == [1, 1, 1, 2, 3, 3]
