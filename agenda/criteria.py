"""The success-criteria engine: the methodology's three criteria, computed from the data, never typed.

1. Roles agreed (stakeholders.criteria.roles_agreed)
2. Goals and projects agreed (agenda.criterion_goals.goals_agreed)
3. Teams working (projects.criteria.teams_working)

Every criterion function takes a sequence of agendas and returns {agenda_id: CriterionResult}, with a
constant number of queries however many agendas it is given, so a programme dashboard of forty regions
costs what one region costs. Pages, the memorandum and exports all read results from `evaluate()` /
`evaluate_many()`; nothing else decides whether a criterion is met.

Evaluating is costly for large agendas (criterion 2 rebuilds and hashes the whole portfolio), so results
are cached per agenda and language under a *fingerprint* of the data they are computed from: for every
table a criterion reads, the number of the agenda's rows and their latest `updated_at` (link tables:
the number of rows). The fingerprint is read from the database in one query on every call, so a change
by any process — a page, the admin, a worker — is seen at once, whatever cache backend is configured;
only unchanged agendas are served from the cache. On PostgreSQL the per-table change stamps
(core.stamps) are read first, and while none of the tables has been written the digests computed last
time for the same agendas are used without aggregating their rows again.
"""

import functools
import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from importlib import import_module

from django.core.cache import cache
from django.db import connection
from django.db.models import F, IntegerField, Value
from django.utils import translation
from django.utils.functional import Promise

from core import stamps
from core.fingerprint import change_aggregates, execute_prepared, model_for_label


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


# What the criteria read, as (model label, lookup to the agenda id — or to the region id for rows that
# belong to a region, or None for reference rows shared by every region). A criterion that starts reading
# another table must add it here, or its results could be served stale from the cache.
FINGERPRINT_AGENDA = (
    ("regions.Agenda", "id"),
    ("stakeholders.RoleMatrixEntry", "agenda_id"),
    ("stakeholders.RoleMatrixEntry_domains", "rolematrixentry__agenda_id"),
    ("agenda.SwotItem", "agenda_id"),
    ("agenda.Challenge", "agenda_id"),
    ("agenda.Challenge_swot_items", "challenge__agenda_id"),
    ("agenda.Goal", "agenda_id"),
    ("agenda.Endorsement", "agenda_id"),
    ("projects.Project", "agenda_id"),
    ("projects.Project_goals", "project__agenda_id"),
    ("projects.Project_partners", "project__agenda_id"),
    ("projects.Project_mechanisms", "project__agenda_id"),
    ("projects.FundingLine", "project__agenda_id"),
    ("projects.NormativeAct_projects", "project__agenda_id"),
    ("projects.NormativeAct", "projects__agenda_id"),
    ("projects.WorkingTeam", "agenda_id"),
    ("projects.TeamMembership", "team__agenda_id"),
    ("projects.ActionStep", "project__agenda_id"),
)
FINGERPRINT_REGION = (
    ("regions.Region", "id"),
    ("regions.SpecialisationDomain", "region_id"),
    ("stakeholders.Organisation", "region_id"),
    ("stakeholders.Person", "organisation__region_id"),
    ("agenda.Indicator", "region_id"),
)
FINGERPRINT_SHARED = ("projects.MechanismKind",)
CACHE_SECONDS = 24 * 60 * 60


def _stamp(source: int, model, key_lookup: str | None, key_ids):
    qs = model._default_manager.all()
    if key_lookup is not None:
        qs = qs.filter(**{f"{key_lookup}__in": key_ids}).annotate(fp_key=F(key_lookup))
    else:
        qs = qs.annotate(fp_key=Value(0, output_field=IntegerField()))
    return (
        qs.annotate(fp_source=Value(source, output_field=IntegerField()))
        .values("fp_source", "fp_key")
        .annotate(**change_aggregates(model))
        .values_list("fp_source", "fp_key", "fp_n", "fp_top", "fp_latest")
        .order_by()
    )


# Marks where the i-th agenda or region id goes (MARK - i): negative, so never a key, and within any
# integer column's range, so that the ORM keeps them as they are.
_AGENDA_MARK, _REGION_MARK = -1_000_000_000, -1_500_000_000
_compiled: dict[tuple, tuple[str, tuple]] = {}


def _fingerprint_sql(n_agendas: int, n_regions: int) -> tuple[str, tuple]:
    """The fingerprint query for so many agendas and regions, compiled once per process with marks where
    their ids go (building a union of some thirty aggregates with the ORM costs more than running it)."""
    key = (n_agendas, n_regions, connection.vendor)
    if key not in _compiled:
        agenda_marks = [_AGENDA_MARK - i for i in range(n_agendas)]
        region_marks = [_REGION_MARK - i for i in range(n_regions)]
        parts = []
        for label, lookup in FINGERPRINT_AGENDA:
            parts.append(_stamp(len(parts), model_for_label(label), lookup, agenda_marks))
        for label, lookup in FINGERPRINT_REGION:
            parts.append(_stamp(len(parts), model_for_label(label), lookup, region_marks))
        for label in FINGERPRINT_SHARED:
            parts.append(_stamp(len(parts), model_for_label(label), None, None))
        _compiled[key] = parts[0].union(*parts[1:], all=True).query.sql_with_params()
    return _compiled[key]


def _id_for(mark, agenda_ids: list[int], region_ids: list[int]):
    if isinstance(mark, int) and not isinstance(mark, bool):
        if _AGENDA_MARK - len(agenda_ids) < mark <= _AGENDA_MARK:
            return agenda_ids[_AGENDA_MARK - mark]
        if _REGION_MARK - len(region_ids) < mark <= _REGION_MARK:
            return region_ids[_REGION_MARK - mark]
    return mark


@functools.cache
def fingerprint_tables() -> tuple[str, ...]:
    labels = [*(label for label, _lookup in (*FINGERPRINT_AGENDA, *FINGERPRINT_REGION)), *FINGERPRINT_SHARED]
    return tuple(sorted({model_for_label(label)._meta.db_table for label in labels}))


def fingerprints(agendas: Sequence) -> dict[int, str]:
    """A digest per agenda of everything its criteria are computed from. One query; while no write to
    any of the tables has committed since the same agendas were last fingerprinted (their change stamps,
    core.stamps, are unmoved), the digests of then are used instead."""
    agenda_ids = sorted({a.pk for a in agendas})
    region_of = {a.pk: a.region_id for a in agendas}
    stamped = stamps.read(fingerprint_tables())
    memo_key = "criteria-fingerprints:" + hashlib.sha256(repr(sorted(region_of.items())).encode()).hexdigest()
    if stamped is not None:
        memo = cache.get(memo_key)
        if memo is not None and memo[0] == stamped:
            return memo[1]
    result = _fingerprints(agenda_ids, region_of)
    if stamped is not None:
        cache.set(memo_key, (stamped, result), CACHE_SECONDS)
    return result


def _fingerprints(agenda_ids: list[int], region_of: dict[int, int]) -> dict[int, str]:
    region_ids = sorted(set(region_of.values()))
    sql, marked = _fingerprint_sql(len(agenda_ids), len(region_ids))
    params = [_id_for(p, agenda_ids, region_ids) for p in marked]
    with connection.cursor() as cursor:
        execute_prepared(cursor, sql, params, prefix="criteria_fp")
        rows = cursor.fetchall()
    n_agenda, n_region = len(FINGERPRINT_AGENDA), len(FINGERPRINT_REGION)
    by_agenda: dict[int, list] = {pk: [] for pk in agenda_ids}
    by_region: dict[int, list] = {pk: [] for pk in region_ids}
    shared: list = []
    for source, key, n, top, latest in rows:
        # Read without the ORM's converters: a prepared statement returns the source number as text, and
        # SQLite the latest change as its stored text.
        source = int(source)
        stamp = (source, n, top, latest.isoformat() if hasattr(latest, "isoformat") else latest or "")
        if source < n_agenda:
            by_agenda.setdefault(key, []).append(stamp)
        elif source < n_agenda + n_region:
            by_region.setdefault(key, []).append(stamp)
        else:
            shared.append(stamp)
    result = {}
    for pk in agenda_ids:
        material = repr((sorted(by_agenda[pk]), sorted(by_region[region_of[pk]]), sorted(shared)))
        result[pk] = hashlib.sha256(material.encode()).hexdigest()[:32]
    return result


def _compute(agendas: list, numbers: tuple[int, ...] | None = None) -> dict[int, list[CriterionResult]]:
    """Every criterion of `agendas`, or only those `numbers` (CRITERIA lists them in order: 1, 2, 3)."""
    results: dict[int, list[CriterionResult]] = {a.pk: [] for a in agendas}
    for number, fn in enumerate(criterion_functions(), start=1):
        if numbers is not None and number not in numbers:
            continue
        for agenda_id, result in fn(agendas).items():
            results[agenda_id].append(result)
    for agenda_id in results:
        results[agenda_id].sort(key=lambda r: r.number)
    return results


def _text(value):
    return str(value) if isinstance(value, Promise) else value


def _resolved(result: CriterionResult) -> CriterionResult:
    """The result with its lazy texts turned into text of the active language. Cached results are per
    language anyway, and a lazy text costs a class built anew for each one unpickled (≈ 60 ms per view of
    the programme dashboard, for 40 agendas)."""
    return replace(
        result,
        title=_text(result.title),
        summary=_text(result.summary),
        evidence=[_text(item) for item in result.evidence],
        gaps=[replace(gap, text=_text(gap.text)) for gap in result.gaps],
    )


def evaluate_many(
    agendas: Sequence, numbers: tuple[int, ...] | None = None
) -> dict[int, list[CriterionResult]]:
    """Every criterion of each agenda (or only those `numbers`, cached apart: a page showing one
    criterion does not compute the other two)."""
    agendas = list(agendas)
    if not agendas:
        return {}
    language = translation.get_language() or "uk"
    which = "" if numbers is None else ":" + ",".join(str(n) for n in sorted(numbers))
    keys = {pk: f"criteria:{pk}:{language}:{digest}{which}" for pk, digest in fingerprints(agendas).items()}
    cached = cache.get_many(list(keys.values()))
    results = {pk: cached[key] for pk, key in keys.items() if key in cached}
    missing = [a for a in agendas if a.pk not in results]
    if missing:
        computed = {pk: [_resolved(r) for r in found] for pk, found in _compute(missing, numbers).items()}
        cache.set_many({keys[pk]: value for pk, value in computed.items()}, CACHE_SECONDS)
        results.update(computed)
    return results


def evaluate(agenda) -> list[CriterionResult]:
    return evaluate_many([agenda])[agenda.pk]


def criterion(agenda, number: int) -> CriterionResult:
    """One criterion of one agenda, from the cache while nothing it is computed from changed."""
    (result,) = evaluate_many([agenda], numbers=(number,))[agenda.pk]
    if result.number != number:  # CRITERIA must list the criteria in their order
        raise LookupError(f"criterion {number} computed as criterion {result.number}")
    return result
