"""The success-criteria engine: the methodology's three criteria, computed from the data, never typed.

1. Roles agreed (stakeholders.criteria.roles_agreed)
2. Goals and projects agreed (agenda.criterion_goals.goals_agreed)
3. Teams working (projects.criteria.teams_working)

Every criterion function takes a sequence of agendas and returns {agenda_id: CriterionResult}, with a
constant number of queries however many agendas it is given, so a programme dashboard of forty regions
costs what one region costs. Pages, the memorandum and exports all read results from `evaluate()` /
`evaluate_many()`; nothing else decides whether a criterion is met.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from importlib import import_module

from django.utils.functional import Promise


@dataclass(frozen=True)
class Gap:
    """One missing thing, said precisely, with the page where it is fixed."""

    text: str | Promise
    url: str | None = None


@dataclass(frozen=True)
class CriterionResult:
    number: int
    title: str | Promise
    met: bool
    summary: str | Promise
    evidence: list[str | Promise] = field(default_factory=list)
    gaps: list[Gap] = field(default_factory=list)


CriterionFunction = Callable[[Sequence], dict[int, CriterionResult]]

# Dotted paths, imported lazily: agenda must not import projects at module level (projects imports agenda).
CRITERIA: tuple[str, ...] = (
    "stakeholders.criteria.roles_agreed",
    "agenda.criterion_goals.goals_agreed",
    "projects.criteria.teams_working",
)


def _load(path: str) -> CriterionFunction:
    """Imports one criterion function; a missing module or function is an error, never a skipped criterion."""
    module_path, name = path.rsplit(".", 1)
    return getattr(import_module(module_path), name)


def criterion_functions() -> list[CriterionFunction]:
    return [_load(path) for path in CRITERIA]


def evaluate_many(agendas: Sequence) -> dict[int, list[CriterionResult]]:
    agendas = list(agendas)
    results: dict[int, list[CriterionResult]] = {a.pk: [] for a in agendas}
    if not agendas:
        return results
    for fn in criterion_functions():
        for agenda_id, result in fn(agendas).items():
            results[agenda_id].append(result)
    for agenda_id in results:
        results[agenda_id].sort(key=lambda r: r.number)
    return results


def evaluate(agenda) -> list[CriterionResult]:
    return evaluate_many([agenda])[agenda.pk]
