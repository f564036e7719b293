"""Who may do what in a region. Every app's rules build on these predicates.

Actors: administrator (superuser); programme coordinator (reads every region of the programme, runs
the joint session 1); regional coordinator (manages the region's agenda); stakeholder representative
(a Person with an account, acting for their organisation); observer (reads a region).

Looking objects up through `Region.objects.visible_to(user)` makes another region's object a 404;
these predicates then decide between 200 and 403.
"""

import rules

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
    # Memberships are read once per user object (i.e. once per request).
    cache = getattr(user, "_region_rules_cache", None)
    if cache is None:
        cache = {
            "coordinates": set(
                RegionMembership.objects.filter(user=user, role=RegionMembership.Role.COORDINATOR).values_list("region_id", flat=True)
            ),
            "observes": set(
                RegionMembership.objects.filter(user=user, role=RegionMembership.Role.OBSERVER).values_list("region_id", flat=True)
            ),
            "programme_regions": set(
                Region.objects.filter(programmes__memberships__user=user).values_list("id", flat=True)
            ),
            "represents": set(user.persons.filter(is_representative=True).values_list("organisation_id", flat=True)),
            "represents_in_regions": set(
                user.persons.filter(is_representative=True, organisation__region__isnull=False).values_list("organisation__region_id", flat=True)
            ),
        }
        user._region_rules_cache = cache
    return cache


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
    return bool(user.is_authenticated and region is not None and region.pk in _cache(user)["programme_regions"])


@rules.predicate
def is_region_observer(user, obj=None) -> bool:
    region = _region_of(obj)
    return bool(user.is_authenticated and region is not None and region.pk in _cache(user)["observes"])


@rules.predicate
def is_region_representative(user, obj=None) -> bool:
    region = _region_of(obj)
    return bool(user.is_authenticated and region is not None and region.pk in _cache(user)["represents_in_regions"])


def represents(user, organisation_id: int | None) -> bool:
    return bool(user.is_authenticated and organisation_id and organisation_id in _cache(user)["represents"])


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
