"""The canonical content of the goal list and portfolio: deterministic, free of database ids, and
sensitive to every change of what was agreed (but not to the workflow status)."""

import datetime
import hashlib
import json
from decimal import Decimal

import pytest

from agenda.canonical import canonical_content, canonical_diff, canonical_json, content_hash, current_hash
from agenda.models import Challenge, GoalStatus
from projects.models import FundingLine, NormativeAct, ProjectStatus
from tests import factories as f

from .helpers import backed_project, mechanism, region_with_people, smart_goal

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    w = region_with_people()
    w["goal"] = smart_goal(w["agenda"], owner=w["org_x"], code="G-1")
    w["project"] = backed_project(
        w["agenda"], goals=[w["goal"]], lead=w["org_y"], code="P-1", budget_total=Decimal("1500000")
    )
    return w


def test_content_is_plain_sorted_json_with_decimals_as_strings_and_iso_dates(world):
    content = canonical_content(world["agenda"])
    assert content["schema"] == 1
    assert content["agenda"] == {"region": "UA-31", "year": 2021}
    goal = content["goals"][0]
    assert goal["code"] == "G-1"
    assert goal["baseline_value"] == "0.00" and goal["target_value"] == "15.00"
    assert goal["baseline_date"] == "2020-12-31" and goal["deadline"] == "2021-12-31"
    assert goal["owner_org"] == world["org_x"].name_uk
    assert goal["challenge"] == "C-G-1"
    project = content["projects"][0]
    assert project["budget_total"] == "1500000.00"
    assert project["goals"] == ["G-1"] and project["mechanisms"] == ["grant"]
    assert project["funding_lines"] == [
        {
            "amount": "1000000.00",
            "currency": "UAH",
            "source_kind": "oblast_budget",
            "source_name": "",
            "status": "planned",
            "year": 2021,
        }
    ]
    text = canonical_json(content)
    assert json.loads(text) == content
    assert "\n" not in text and ": " not in text
    assert content_hash(content) == hashlib.sha256(text.encode("utf-8")).hexdigest()
    # No database id anywhere: nothing that differs between two databases holding the same content.
    for value in (world["goal"].pk, world["project"].pk, world["org_x"].pk):
        assert f'"id":{value}' not in text


def test_hash_does_not_depend_on_ids_or_insertion_order():
    """The same content entered in a different order (other primary keys) hashes the same."""
    a = region_with_people(slug="first", iso="UA-41")
    goal_2 = smart_goal(a["agenda"], owner=a["org_x"], code="G-2")
    goal_1 = smart_goal(a["agenda"], owner=a["org_y"], code="G-1")
    project = backed_project(
        a["agenda"], goals=[goal_2, goal_1], lead=a["org_x"], code="P-1", title_uk="Центр 4.0"
    )
    FundingLine.objects.create(
        project=project, source_kind="ita", amount=Decimal("40000"), currency="EUR", year=2021
    )
    project.partners.set([a["org_y"], a["org_x"]])
    first = canonical_content(a["agenda"])

    # Delete everything and enter it again, in the opposite order.
    project.delete()
    goal_1.delete()
    goal_2.delete()
    challenges = {c.code: c for c in Challenge.objects.filter(agenda=a["agenda"])}
    goal_1 = smart_goal(a["agenda"], owner=a["org_y"], code="G-1", challenge=challenges["C-G-1"])
    goal_2 = smart_goal(a["agenda"], owner=a["org_x"], code="G-2", challenge=challenges["C-G-2"])
    project = f.ProjectFactory(
        agenda=a["agenda"], code="P-1", priority=1, lead_org=a["org_x"], title_uk="Центр 4.0"
    )
    FundingLine.objects.create(
        project=project, source_kind="ita", amount=Decimal("40000.00"), currency="EUR", year=2021
    )
    FundingLine.objects.create(
        project=project, source_kind="oblast_budget", amount=Decimal("1000000"), year=2021
    )
    project.partners.set([a["org_x"], a["org_y"]])
    project.goals.set([goal_1, goal_2])
    project.mechanisms.add(mechanism())
    second = canonical_content(a["agenda"])

    assert second == first
    assert content_hash(second) == content_hash(first)


def test_line_endings_and_surrounding_spaces_do_not_change_the_hash(world):
    before = current_hash(world["agenda"])
    goal = world["goal"]
    goal.achievability_note = "  " + goal.achievability_note.replace(" ", " ") + "\r\n"
    goal.save()
    assert current_hash(world["agenda"]) == before


def test_workflow_status_is_not_content_but_cancelling_is(world):
    before = current_hash(world["agenda"])
    world["goal"].status = GoalStatus.AGREED
    world["goal"].save()
    world["project"].status = ProjectStatus.IN_PROGRESS
    world["project"].save()
    assert current_hash(world["agenda"]) == before

    world["project"].status = ProjectStatus.CANCELLED
    world["project"].save()
    assert current_hash(world["agenda"]) != before
    assert canonical_content(world["agenda"])["projects"] == []


@pytest.mark.parametrize(
    "change",
    [
        lambda w: setattr(w["goal"], "target_value", Decimal("16")) or w["goal"].save(),
        lambda w: setattr(w["goal"], "deadline", datetime.date(2021, 11, 30)) or w["goal"].save(),
        lambda w: setattr(w["project"], "title_uk", "Інша назва") or w["project"].save(),
        lambda w: w["project"].mechanisms.add(mechanism("tax_incentive")),
        lambda w: w["project"].partners.add(w["org_x"]),
        lambda w: FundingLine.objects.filter(project=w["project"]).update(status="confirmed"),
        lambda w: NormativeAct.objects.create(
            act_type="oblast_council_decision", title="Рішення"
        ).projects.add(w["project"]),
        lambda w: smart_goal(w["agenda"], owner=w["org_y"], code="G-2"),
    ],
    ids=[
        "target",
        "deadline",
        "project-title",
        "mechanism",
        "partner",
        "funding-status",
        "legal-act",
        "new-goal",
    ],
)
def test_every_change_of_content_changes_the_hash(world, change):
    before = current_hash(world["agenda"])
    change(world)
    assert current_hash(world["agenda"]) != before


def test_diff_names_added_removed_and_changed_fields(world):
    old = canonical_content(world["agenda"])
    world["goal"].target_value = Decimal("20")
    world["goal"].save()
    FundingLine.objects.filter(project=world["project"]).update(amount=Decimal("900000"))
    smart_goal(world["agenda"], owner=world["org_y"], code="G-2")
    new = canonical_content(world["agenda"])

    changes = canonical_diff(old, new)
    by_code = {(c.kind, c.code): c for c in changes}
    assert by_code[("goal", "G-2")].change == "added"
    goal_change = by_code[("goal", "G-1")]
    assert goal_change.change == "changed"
    assert [(x.field, x.old, x.new) for x in goal_change.fields] == [("target_value", "15.00", "20.00")]
    project_change = by_code[("project", "P-1")]
    assert [x.field for x in project_change.fields] == ["funding_lines"]
    assert "1000000.00" in project_change.fields[0].old and "900000.00" in project_change.fields[0].new

    removed = canonical_diff(new, old)
    assert {(c.kind, c.code, c.change) for c in removed} >= {("goal", "G-2", "removed")}
    assert canonical_diff(new, new) == []
