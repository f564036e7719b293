"""Who may do what in a region. Every app's rules build on these predicates.

Actors: administrator (superuser); programme coordinator (reads every region of the programme, runs
the joint session 1); regional coordinator (manages the region's agenda); stakeholder representative
(a Person with an account, acting for their organisation); observer (reads a region).

Looking objects up through `Region.objects.visible_to(user)` makes another region's object a 404;
these predicates then decide between 200 and 403.
"""

import rules
from django.db.models import CharField, Value

from .models import ProgrammeMembership, Region, RegionMembership


def _region_of(obj) -> Region | None:
    """The region an object belongs to, following the usual paths (region, agenda.region, …)."""
    if obj is None or isinstance(obj, Region):
        return obj
    for path in ("region", "agenda", "memorandum", "session", "project", "team", "organisation"):
        target = getattr(obj, path, None)
        if target is not None:
            return _region_of(target)
    return None


def _cache(user) -> dict:
    """What the user coordinates, observes, reads through a programme and represents: read once per user
    object (i.e. once per request), in one query."""
    cache = getattr(user, "_region_rules_cache", None)
    if cache is None:
        cache = {key: set() for key in _RULE_SETS}
        for kind, first, second in _access_rows(user):
            if kind == RegionMembership.Role.COORDINATOR:
                cache["coordinates"].add(first)
            elif kind == RegionMembership.Role.OBSERVER:
                cache["observes"].add(first)
            elif kind == _PROGRAMME:
                cache["programme_regions"].add(first)
            elif kind == _REPRESENTS:
                cache["represents"].add(first)
                if second is not None:
                    cache["represents_in_regions"].add(second)
        user._region_rules_cache = cache
    return cache


_RULE_SETS = ("coordinates", "observes", "programme_regions", "represents", "represents_in_regions")
_PROGRAMME, _REPRESENTS = "~programme", "~represents"  # not a membership role


def _access_rows(user):
    """(kind, id, id) rows: (role, region, region) per region membership, (programme, region, region) per
    region of the user's programmes, (represents, organisation, its region) per represented organisation."""
    from stakeholders.models import Person  # stakeholders depends on regions, not the reverse

    def tag(kind):
        return Value(kind, output_field=CharField())

    memberships = RegionMembership.objects.filter(user=user).values_list("role", "region_id", "region_id")
    programmes = (
        Region.objects.filter(programmes__memberships__user=user)
        .annotate(kind=tag(_PROGRAMME))
        .values_list("kind", "id", "id")
    )
    persons = (
        Person.objects.filter(user=user, is_representative=True)
        .annotate(kind=tag(_REPRESENTS))
        .values_list("kind", "organisation_id", "organisation__region_id")
    )
    return memberships.order_by().union(programmes.order_by(), persons.order_by(), all=True)


def forget_cached_rules(user) -> None:
    if hasattr(user, "_region_rules_cache"):
        del user._region_rules_cache


@rules.predicate
def is_admin(user, obj=None) -> bool:
    return bool(user.is_authenticated and user.is_superuser)


@rules.predicate
def is_region_coordinator(user, obj=None) -> bool:
    region = _region_of(obj)
    return bool(user.is_authenticated and region is not None and region.pk in _cache(user)["coordinates"])


@rules.predicate
def is_programme_coordinator(user, obj=None) -> bool:
    region = _region_of(obj)
    return bool(
        user.is_authenticated and region is not None and region.pk in _cache(user)["programme_regions"]
    )


@rules.predicate
def is_region_observer(user, obj=None) -> bool:
    region = _region_of(obj)
    return bool(user.is_authenticated and region is not None and region.pk in _cache(user)["observes"])


@rules.predicate
def is_region_representative(user, obj=None) -> bool:
    region = _region_of(obj)
    return bool(
        user.is_authenticated and region is not None and region.pk in _cache(user)["represents_in_regions"]
    )


def represents(user, organisation_id: int | None) -> bool:
    return bool(user.is_authenticated and organisation_id and organisation_id in _cache(user)["represents"])


def represented_organisations(user) -> frozenset[int]:
    """The ids of the organisations the user represents (from the cached standing: no further query)."""
    return frozenset(_cache(user)["represents"]) if user.is_authenticated else frozenset()


def is_programme_coordinator_of(user, programme) -> bool:
    return bool(
        user.is_authenticated
        and (user.is_superuser or ProgrammeMembership.objects.filter(user=user, programme=programme).exists())
    )


can_manage_region = is_admin | is_region_coordinator
can_view_region = can_manage_region | is_programme_coordinator | is_region_observer | is_region_representative
can_participate_in_region = can_manage_region | is_region_representative

rules.add_perm("regions.view_region_data", can_view_region)
rules.add_perm("regions.manage_region", can_manage_region)
rules.add_perm("regions.participate_in_region", can_participate_in_region)
