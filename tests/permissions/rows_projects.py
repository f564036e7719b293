"""The project portfolio: projects, funding lines and legal acts (projects/urls.py).

Coordinators (and the administrator) manage the portfolio; the representative of a project's lead
organisation (rep_x_a for portfolio_project_a) edits that project, its funding lines and legal acts;
every reader of the region reads; region B's coordinator gets 404s."""

from decimal import Decimal

from projects.models import FundingLine, NormativeAct
from tests import factories as f

from .table import Row
from .world import MANAGERS_A, READERS_A

OUTSIDERS_A = frozenset({"coord_b"})
LEAD_X = MANAGERS_A | {"rep_x_a"}


def extend_world(w):
    for key in ("a", "b"):
        agenda = w.objects[f"agenda_{key}"]
        project = f.ProjectFactory(
            agenda=agenda, code=f"PP-{key.upper()}-1", lead_org=w.objects[f"org_x_{key}"], priority=1
        )
        line = FundingLine.objects.create(
            project=project, source_kind="oblast_budget", amount=Decimal("1000000"), year=2021
        )
        act = NormativeAct.objects.create(
            act_type="oblast_council_decision", title=f"Рішення обласної ради {key}"
        )
        act.projects.add(project)
        w.objects.update({f"portfolio_project_{key}": project, f"funding_{key}": line, f"act_{key}": act})


def _year(w):
    return {"region": w.region_a.slug, "year": w.agenda_a.year}


def _project(w):
    return {"region": w.region_a.slug, "pk": w.portfolio_project_a.pk}


def _line(w):
    return {**_project(w), "line": w.funding_a.pk}


def _act(w):
    return {**_project(w), "act": w.act_a.pk}


def _project_data(w):
    return {
        "code": "PP-A-2",
        "title_uk": "Новий проєкт",
        "priority": 2,
        "status": "idea",
        "lead_org": w.org_x_a.pk,
        "currency": "UAH",
        "budget_total": "100000",
        "version": w.portfolio_project_a.version,
    }


def _funding_data(w):
    return {
        "source_kind": "own_funds",
        "source_name": "Власні кошти",
        "amount": "250000",
        "currency": "UAH",
        "year": 2021,
        "status": "confirmed",
        "version": w.funding_a.version,
    }


def _act_data(w):
    return {
        "act_type": "city_council_decision",
        "title": "Рішення міської ради",
        "stage": "draft",
        "version": w.act_a.version,
    }


ROWS = [
    Row("projects:project-list", kwargs=_year, get=READERS_A, hide_from=OUTSIDERS_A),
    Row(
        "projects:project-create",
        kwargs=_year,
        get=MANAGERS_A,
        post=MANAGERS_A,
        data=_project_data,
        hide_from=OUTSIDERS_A,
    ),
    Row("projects:project-detail", kwargs=_project, get=READERS_A, hide_from=OUTSIDERS_A),
    Row(
        "projects:project-update",
        kwargs=_project,
        get=LEAD_X,
        post=LEAD_X,
        data=_project_data,
        hide_from=OUTSIDERS_A,
    ),
    Row("projects:project-delete", kwargs=_project, post=MANAGERS_A, hide_from=OUTSIDERS_A),
    Row(
        "projects:funding-create",
        kwargs=_project,
        get=LEAD_X,
        post=LEAD_X,
        data=_funding_data,
        hide_from=OUTSIDERS_A,
    ),
    Row(
        "projects:funding-update",
        kwargs=_line,
        get=LEAD_X,
        post=LEAD_X,
        data=_funding_data,
        hide_from=OUTSIDERS_A,
    ),
    Row("projects:funding-delete", kwargs=_line, post=LEAD_X, hide_from=OUTSIDERS_A),
    Row(
        "projects:act-create", kwargs=_project, get=LEAD_X, post=LEAD_X, data=_act_data, hide_from=OUTSIDERS_A
    ),
    Row("projects:act-update", kwargs=_act, get=LEAD_X, post=LEAD_X, data=_act_data, hide_from=OUTSIDERS_A),
    Row("projects:act-delete", kwargs=_act, post=LEAD_X, hide_from=OUTSIDERS_A),
]
