"""Endorsements: exactly the version seen is endorsed; any later change of a goal, a project or a
funding line makes the endorsement stale and shows what changed; who may endorse."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from agenda.canonical import canonical_content, canonical_diff, current_hash
from agenda.criterion_goals import goals_agreed
from agenda.models import Endorsement
from agenda.services import endorsement_create, goal_update
from projects.models import FundingLine
from projects.services import funding_line_update, project_update
from tests import factories as f

from .helpers import backed_project, region_with_people, smart_goal

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    w = region_with_people()
    w["goal"] = smart_goal(w["agenda"], owner=w["org_x"])
    w["project"] = backed_project(w["agenda"], goals=[w["goal"]], lead=w["org_y"])
    w["line"] = w["project"].funding_lines.get()
    return w


def _endorse(world, who="rep_x", org="org_x"):
    return endorsement_create(
        agenda=world["agenda"],
        organisation=world[org],
        seen_hash=current_hash(world["agenda"]),
        acting_user=world[who],
    )


def _is_current(endorsement) -> bool:
    return endorsement.content_hash == current_hash(endorsement.agenda)


def test_endorsement_records_the_hash_and_the_snapshot_of_what_was_seen(world):
    content = canonical_content(world["agenda"])
    endorsement = _endorse(world)
    assert endorsement.content_hash == current_hash(world["agenda"])
    assert endorsement.snapshot == content
    assert endorsement.endorsed_by == world["rep_x"]
    assert _is_current(endorsement)


def test_a_version_that_changed_after_the_page_was_opened_is_not_endorsed(world):
    seen = current_hash(world["agenda"])
    goal_update(
        goal=world["goal"], data={"target_value": Decimal("16")}, version=1, acting_user=world["coordinator"]
    )
    with pytest.raises(ValidationError) as exc:
        endorsement_create(
            agenda=world["agenda"], organisation=world["org_x"], seen_hash=seen, acting_user=world["rep_x"]
        )
    assert exc.value.code == "changed"
    assert not Endorsement.objects.exists()


def test_the_same_version_is_endorsed_once(world):
    _endorse(world)
    with pytest.raises(ValidationError) as exc:
        _endorse(world)
    assert exc.value.code == "duplicate"
    assert Endorsement.objects.count() == 1


@pytest.mark.parametrize(
    ("who", "org"),
    [("rep_y", "org_x"), ("coordinator", "org_x"), ("observer", "org_y")],
)
def test_only_the_organisations_representative_endorses_for_it(world, who, org):
    with pytest.raises(PermissionDenied):
        _endorse(world, who=who, org=org)


def test_an_organisation_outside_the_role_matrix_cannot_endorse(world):
    outsider = f.OrganisationFactory(region=world["region"])
    user = f.UserFactory()
    f.PersonFactory(organisation=outsider, user=user)
    with pytest.raises(PermissionDenied):
        endorsement_create(
            agenda=world["agenda"],
            organisation=outsider,
            seen_hash=current_hash(world["agenda"]),
            acting_user=user,
        )


def _stale_after(world, edit) -> list:
    endorsement = _endorse(world)
    assert _is_current(endorsement)
    edit(world)
    endorsement.refresh_from_db()
    assert not _is_current(endorsement), "the endorsement must be stale after the edit"
    criterion = goals_agreed([world["agenda"]])[world["agenda"].pk]
    assert not criterion.met
    assert any(
        "Endorsed an earlier version" in str(gap.text) and str(world["org_x"]) in str(gap.text)
        for gap in criterion.gaps
    )
    return canonical_diff(endorsement.snapshot, canonical_content(world["agenda"]))


def test_editing_a_goal_makes_the_endorsement_stale_and_shows_the_change(world):
    changes = _stale_after(
        world,
        lambda w: goal_update(
            goal=w["goal"], data={"title_uk": "Ваучери для 20 МСП"}, version=1, acting_user=w["coordinator"]
        ),
    )
    assert [(c.kind, c.code, c.change) for c in changes] == [("goal", "G-1", "changed")]
    assert [(x.field, x.new) for x in changes[0].fields] == [("title_uk", "Ваучери для 20 МСП")]


def test_editing_a_project_makes_the_endorsement_stale_and_shows_the_change(world):
    changes = _stale_after(
        world,
        lambda w: project_update(
            project=w["project"],
            data={"risks": "Затримка співфінансування"},
            version=1,
            acting_user=w["coordinator"],
        ),
    )
    assert [(c.kind, c.code) for c in changes] == [("project", "P-1")]
    assert [x.field for x in changes[0].fields] == ["risks"]


def test_editing_a_funding_line_makes_the_endorsement_stale_and_shows_the_change(world):
    changes = _stale_after(
        world,
        lambda w: funding_line_update(
            line=w["line"], data={"amount": Decimal("750000")}, version=1, acting_user=w["rep_y"]
        ),
    )
    assert [x.field for x in changes[0].fields] == ["funding_lines"]
    assert "750000.00" in changes[0].fields[0].new
    assert FundingLine.objects.get().version == 2


def test_saving_without_a_change_keeps_the_endorsement_current(world):
    endorsement = _endorse(world)
    goal_update(
        goal=world["goal"],
        data={"title_uk": world["goal"].title_uk},
        version=1,
        acting_user=world["coordinator"],
    )
    assert _is_current(endorsement)


def test_re_endorsing_the_new_version_makes_the_organisation_current_again(world):
    _endorse(world)
    goal_update(
        goal=world["goal"], data={"target_value": Decimal("18")}, version=1, acting_user=world["coordinator"]
    )
    _endorse(world)
    assert Endorsement.objects.count() == 2
    criterion = goals_agreed([world["agenda"]])[world["agenda"].pk]
    assert not any("earlier version" in str(g.text) for g in criterion.gaps)
    assert any(str(world["org_y"]) in str(g.text) for g in criterion.gaps)  # Y has still to endorse
