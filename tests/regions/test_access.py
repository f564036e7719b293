"""Which regions a user reads and what the region rules know of them: each path to a region (membership,
programme, represented organisation) on its own and together, read in one query."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from regions.models import Region, RegionMembership
from regions.rules import _cache, can_manage_region, can_participate_in_region, can_view_region, represents
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    regions = {
        name: f.RegionFactory(slug=name) for name in ("coord", "observe", "prog-a", "prog-b", "rep", "other")
    }
    user = f.UserFactory()
    f.RegionMembershipFactory(user=user, region=regions["coord"], role=RegionMembership.Role.COORDINATOR)
    f.RegionMembershipFactory(user=user, region=regions["observe"], role=RegionMembership.Role.OBSERVER)
    programme = f.ProgrammeFactory()
    programme.regions.add(regions["prog-a"], regions["prog-b"], regions["coord"])
    f.ProgrammeMembershipFactory(user=user, programme=programme)
    represented = f.OrganisationFactory(region=regions["rep"])
    national = f.OrganisationFactory(region=None)
    f.PersonFactory(user=user, organisation=represented, is_representative=True)
    f.PersonFactory(user=user, organisation=national, is_representative=True)
    f.PersonFactory(
        user=user, organisation=f.OrganisationFactory(region=regions["other"]), is_representative=False
    )
    return {"user": user, "regions": regions, "represented": represented, "national": national}


def test_visible_regions_follow_every_path_once(world):
    slugs = list(Region.objects.visible_to(world["user"]).values_list("slug", flat=True))
    # "other": the user is a person of an organisation there, not its representative: reads, takes no part.
    assert sorted(slugs) == ["coord", "observe", "other", "prog-a", "prog-b", "rep"]
    assert len(slugs) == len(set(slugs)), "a region reached by two paths is listed once"


def test_rules_know_every_path_from_one_query(world):
    user = world["user"]
    with CaptureQueriesContext(connection) as ctx:
        cache = _cache(user)
    assert len(ctx.captured_queries) == 1
    ids = {slug: region.pk for slug, region in world["regions"].items()}
    assert cache["coordinates"] == {ids["coord"]}
    assert cache["observes"] == {ids["observe"]}
    assert cache["programme_regions"] == {ids["prog-a"], ids["prog-b"], ids["coord"]}
    assert cache["represents"] == {world["represented"].pk, world["national"].pk}
    assert cache["represents_in_regions"] == {ids["rep"]}
    regions = world["regions"]
    assert can_manage_region(user, regions["coord"]) and not can_manage_region(user, regions["observe"])
    assert can_view_region(user, regions["prog-b"]) and not can_participate_in_region(user, regions["other"])
    assert can_participate_in_region(user, regions["rep"]) and not can_participate_in_region(
        user, regions["prog-a"]
    )
    assert represents(user, world["national"].pk) and not represents(user, None)


def test_a_user_with_no_access_has_empty_rules(world):
    user = f.UserFactory()
    assert not Region.objects.visible_to(user).exists()
    assert all(not ids for ids in _cache(user).values())
