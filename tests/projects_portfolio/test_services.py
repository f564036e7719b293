"""Services of the portfolio: who edits what, legal acts as mechanisms, concurrent edits."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from projects.models import FundingLine, MechanismKind, NormativeAct, Project
from projects.services import (
    funding_line_add,
    funding_line_update,
    normative_act_add,
    normative_act_remove,
    project_create,
    project_delete,
    project_update,
)
from tests import factories as f
from tests.agenda.helpers import backed_project, region_with_people, smart_goal

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    w = region_with_people()
    w["goal"] = smart_goal(w["agenda"], owner=w["org_x"])
    w["project"] = backed_project(w["agenda"], goals=[w["goal"]], lead=w["org_x"])
    return w


def test_default_mechanism_kinds_exist_without_the_demo():
    """DOMAIN.md's list of mechanisms is reference data loaded by a migration."""
    codes = set(MechanismKind.objects.values_list("code", flat=True))
    assert {
        "normative_act",
        "tax_incentive",
        "regional_programme",
        "grant",
        "cofinancing",
        "infrastructure",
    } <= codes
    assert list(MechanismKind.objects.filter(is_normative=True).values_list("code", flat=True)) == [
        "normative_act"
    ]


def test_coordinator_creates_a_project_with_goals_mechanisms_and_partners(world):
    data = {
        "code": "P-2",
        "title_uk": "Програма ваучерів",
        "priority": 1,
        "status": "idea",
        "lead_org": world["org_y"],
        "partners": [world["org_x"]],
        "goals": [world["goal"]],
        "mechanisms": [MechanismKind.objects.get(code="tax_incentive")],
        "currency": "UAH",
    }
    project = project_create(agenda=world["agenda"], data=data, acting_user=world["coordinator"])
    assert list(project.goals.all()) == [world["goal"]]
    assert [m.code for m in project.mechanisms.all()] == ["tax_incentive"]
    with pytest.raises(PermissionDenied):
        project_create(agenda=world["agenda"], data={**data, "code": "P-3"}, acting_user=world["rep_y"])


def test_project_refuses_goals_and_organisations_of_another_region(world):
    other = region_with_people(slug="oblast-b", iso="UA-32")
    foreign_goal = smart_goal(other["agenda"], owner=other["org_x"])
    base = {"code": "P-2", "title_uk": "Х", "priority": 2, "status": "idea", "currency": "UAH"}
    with pytest.raises(ValidationError) as exc:
        project_create(
            agenda=world["agenda"], data={**base, "goals": [foreign_goal]}, acting_user=world["coordinator"]
        )
    assert "goals" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        project_create(
            agenda=world["agenda"],
            data={**base, "lead_org": other["org_x"]},
            acting_user=world["coordinator"],
        )
    assert "lead_org" in exc.value.message_dict
    assert Project.objects.filter(code="P-2").count() == 0


def test_lead_representative_edits_the_project_but_cannot_hand_on_the_lead(world):
    project = world["project"]
    project_update(project=project, data={"risks": "Затримки"}, version=1, acting_user=world["rep_x"])
    with pytest.raises(ValidationError):
        project_update(
            project=project, data={"lead_org": world["org_y"]}, version=2, acting_user=world["rep_x"]
        )
    with pytest.raises(PermissionDenied):
        project_update(project=project, data={"risks": "Інші"}, version=2, acting_user=world["rep_y"])
    with pytest.raises(PermissionDenied):
        project_delete(project=project, acting_user=world["rep_x"])
    project.refresh_from_db()
    assert (project.risks, project.version, project.lead_org) == ("Затримки", 2, world["org_x"])


def test_concurrent_project_edit_is_refused(world):
    project_update(
        project=world["project"], data={"risks": "Перша"}, version=1, acting_user=world["coordinator"]
    )
    with pytest.raises(ValidationError) as exc:
        project_update(
            project=world["project"], data={"risks": "Друга"}, version=1, acting_user=world["rep_x"]
        )
    assert exc.value.code == "stale"


def test_funding_lines_by_the_lead_and_their_version(world):
    line = funding_line_add(
        project=world["project"],
        data={
            "source_kind": "ita",
            "source_name": "EU4Business",
            "amount": Decimal("40000"),
            "currency": "EUR",
            "year": 2021,
            "status": "applied",
        },
        acting_user=world["rep_x"],
    )
    funding_line_update(line=line, data={"status": "confirmed"}, version=1, acting_user=world["coordinator"])
    with pytest.raises(ValidationError):
        funding_line_update(line=line, data={"status": "rejected"}, version=1, acting_user=world["rep_x"])
    with pytest.raises(PermissionDenied):
        funding_line_add(
            project=world["project"],
            data={"source_kind": "other", "amount": Decimal(1)},
            acting_user=world["rep_y"],
        )
    with pytest.raises(ValidationError):
        funding_line_add(
            project=world["project"],
            data={"source_kind": "other", "amount": Decimal(0)},
            acting_user=world["rep_x"],
        )
    assert FundingLine.objects.get(pk=line.pk).status == "confirmed"


def test_a_legal_act_counts_as_the_legal_act_mechanism_and_goes_when_no_project_needs_it(world):
    act = normative_act_add(
        project=world["project"],
        data={
            "act_type": "city_council_decision",
            "title": "Рішення про індустріальний парк",
            "stage": "idea",
        },
        acting_user=world["rep_x"],
    )
    assert world["project"].mechanisms.filter(code="normative_act").exists()
    assert act.mechanism.code == "normative_act"
    with pytest.raises(ValidationError) as exc:
        normative_act_add(
            project=world["project"],
            data={"act_type": "law", "title": "Закон", "stage": "adopted"},
            acting_user=world["rep_x"],
        )
    assert "date" in exc.value.message_dict
    other = f.ProjectFactory(agenda=world["agenda"], code="P-9")
    act.projects.add(other)
    normative_act_remove(act=act, project=world["project"], acting_user=world["rep_x"])
    assert NormativeAct.objects.filter(pk=act.pk).exists(), "still serves P-9"
    normative_act_remove(act=act, project=other, acting_user=world["coordinator"])
    assert not NormativeAct.objects.filter(pk=act.pk).exists()


def test_deleting_a_project_takes_its_own_legal_acts_along(world):
    act = normative_act_add(
        project=world["project"],
        data={
            "act_type": "oda_order",
            "title": "Розпорядження",
            "stage": "adopted",
            "date": datetime.date(2021, 3, 1),
        },
        acting_user=world["coordinator"],
    )
    project_delete(project=world["project"], acting_user=world["coordinator"])
    assert not NormativeAct.objects.filter(pk=act.pk).exists()
    assert not FundingLine.objects.exists()
