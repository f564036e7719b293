"""The success-criteria engine: one shape of result for all three criteria, and no silent skipping."""

import pytest

from agenda import criteria
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_evaluate_returns_the_three_criteria_in_order():
    agenda = f.AgendaFactory()
    results = criteria.evaluate(agenda)
    assert [r.number for r in results] == [1, 2, 3]
    for result in results:
        assert isinstance(result, criteria.CriterionResult)
        assert str(result.title) and str(result.summary)
        assert result.met == (not result.gaps)
        assert all(isinstance(g, criteria.Gap) for g in result.gaps)


def test_evaluate_many_keys_every_agenda_even_without_data():
    agendas = [f.AgendaFactory(), f.AgendaFactory()]
    results = criteria.evaluate_many(agendas)
    assert set(results) == {a.pk for a in agendas}
    assert criteria.evaluate_many([]) == {}


def test_a_missing_criterion_module_is_an_error(monkeypatch):
    monkeypatch.setattr(criteria, "CRITERIA", (*criteria.CRITERIA, "projects.no_such_criteria.teams_working"))
    with pytest.raises(ModuleNotFoundError):
        criteria.evaluate_many([f.AgendaFactory()])
