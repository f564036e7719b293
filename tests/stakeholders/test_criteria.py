"""Criterion 1 (roles agreed), computed by stakeholders.criteria.roles_agreed."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from agenda.criteria import evaluate
from regions.models import Agenda
from stakeholders.criteria import roles_agreed
from tests import factories as f

pytestmark = pytest.mark.django_db


def agreed_row(agenda, name, *, leader=False, confirmed=True, **fields):
    org = f.OrganisationFactory(region=agenda.region, name_uk=name, name_en="")
    values = {
        "refined_role_type": "coordinator",
        "zone_of_responsibility": "Зона",
        "is_leader": leader,
        **fields,
    }
    if confirmed:
        values.update(confirmed_at=timezone.now(), confirmed_by=f.UserFactory())
    return f.RoleMatrixEntryFactory(agenda=agenda, organisation=org, **values)


def test_empty_matrix_is_not_met_and_points_to_adding_organisations():
    agenda = f.AgendaFactory()
    result = roles_agreed([agenda])[agenda.pk]
    assert not result.met and result.number == 1
    assert result.gaps[0].url == reverse(
        "stakeholders:role-entry-create", kwargs={"region": agenda.region.slug, "year": agenda.year}
    )


def test_met_when_all_confirmed_complete_and_a_leader_is_named():
    agenda = f.AgendaFactory()
    agreed_row(agenda, "А", leader=True)
    agreed_row(agenda, "Б")
    result = roles_agreed([agenda])[agenda.pk]
    assert result.met, result.summary
    assert result.gaps == []
    assert any("А" in str(line) for line in result.evidence)


def test_a_refined_role_in_words_only_counts():
    agenda = f.AgendaFactory()
    agreed_row(agenda, "А", leader=True, refined_role_type="", refined_role="Секретаріат")
    assert roles_agreed([agenda])[agenda.pk].met


@pytest.mark.parametrize(
    "broken, expected",
    [
        ({"confirmed": False}, "1 of 2 organisations confirmed; waiting for: Б"),
        ({"refined_role_type": ""}, "1 without a refined role"),
        ({"zone_of_responsibility": "   "}, "1 without a zone of responsibility"),
    ],
)
def test_one_missing_thing_is_not_met_and_named(broken, expected):
    agenda = f.AgendaFactory()
    row = agreed_row(agenda, "А", leader=True)
    other = agreed_row(agenda, "Б", **broken)
    result = roles_agreed([agenda])[agenda.pk]
    assert not result.met
    assert expected in result.summary
    assert [gap.url for gap in result.gaps] == [
        reverse(
            "stakeholders:role-entry-update",
            kwargs={"region": agenda.region.slug, "year": agenda.year, "pk": other.pk},
        )
    ]
    assert row.organisation.name not in " ".join(str(g.text) for g in result.gaps)


def test_no_leader_is_not_met_and_links_to_the_leader_setting():
    agenda = f.AgendaFactory()
    agreed_row(agenda, "А")
    result = roles_agreed([agenda])[agenda.pk]
    assert not result.met
    assert "no leader named" in result.summary
    assert result.gaps[-1].url == reverse(
        "stakeholders:role-entry-leaders", kwargs={"region": agenda.region.slug, "year": agenda.year}
    )


def test_summary_of_the_issue_example():
    agenda = f.AgendaFactory()
    for name in "АБВГ":
        agreed_row(agenda, name)
    for name in "ДЕЖ":
        agreed_row(agenda, name, confirmed=False)
    with translation.override("en"):
        result = roles_agreed([agenda])[agenda.pk]
    assert result.summary == "4 of 7 organisations confirmed; waiting for: Д, Е and Ж; no leader named"


def test_long_waiting_lists_are_shortened():
    agenda = f.AgendaFactory()
    for index in range(9):
        agreed_row(agenda, f"Організація {index}", confirmed=False, leader=index == 0)
    with translation.override("en"):
        assert "and 4 more" in roles_agreed([agenda])[agenda.pk].summary


def test_evaluate_picks_up_criterion_one():
    agenda = f.AgendaFactory()
    agreed_row(agenda, "А", leader=True)
    assert [r.number for r in evaluate(agenda)][0] == 1


def test_constant_queries_for_any_number_of_agendas():
    small = [f.AgendaFactory()]
    agreed_row(small[0], "А", leader=True)
    large = [f.AgendaFactory() for _ in range(6)]
    for agenda in large:
        for index in range(5):
            agreed_row(agenda, f"Орг {index}", confirmed=index % 2 == 0, leader=index == 1)
    counts = []
    for agendas in (small, large):
        fetched = list(Agenda.objects.filter(pk__in=[a.pk for a in agendas]))  # regions not loaded
        with CaptureQueriesContext(connection) as queries:
            results = roles_agreed(fetched)
        assert set(results) == {a.pk for a in agendas}
        counts.append(len(queries))
    assert counts[0] == counts[1] == 2
