"""The region dashboard and the agenda report (page and PDF)."""

import datetime
import logging

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from agenda.models import Goal, Memorandum
from projects.models import ActionStep, Project, WorkingTeam
from regions.report import render_agenda_report_pdf
from sessions.models import ExternalEvent
from stakeholders.models import RoleMatrixEntry
from tests import factories as f
from tests.test_pages import assert_csp_clean

from .builders import build_programme

pytestmark = pytest.mark.django_db


@pytest.fixture
def one(client):
    world = build_programme(1)
    region = world["regions"][0]
    client.force_login(region["coordinator"])
    return {**region, "client": client, "programme": world["programme"]}


def dashboard(one) -> str:
    response = one["client"].get(reverse("regions:region-dashboard", kwargs={"region": one["region"].slug}))
    assert response.status_code == 200
    return response.content.decode()


def test_dashboard_shows_criteria_sessions_counts_and_overdue_steps(one):
    ExternalEvent.objects.create(
        agenda=one["agenda"],
        title_uk="Круглий стіл «Індустрія 4.0»",
        starts_at=timezone.now() + datetime.timedelta(days=10),
    )
    html = dashboard(one)
    assert_csp_clean(html)
    assert html.count('class="ca-crit ') == 3  # the three criteria, computed by the engine
    assert html.count('class="ca-stage ca-stage-') == 5  # the five sessions, planned or not
    assert "ca-stage-held" in html and "ca-stage-missing" in html
    assert "Круглий стіл «Індустрія 4.0»" in html  # upcoming event
    step = ActionStep.objects.get(project=one["project"])
    assert f"#step-{step.pk}" in html  # overdue (due 01.03.2021)
    assert reverse("programmes:programme-dashboard", kwargs={"programme": one["programme"].code}) in html


def test_dashboard_lists_recent_changes_from_history(one):
    team = one["team"]
    team.name_uk = "Перейменована команда"
    team.save()
    html = dashboard(one)
    assert "Перейменована команда" in html


@pytest.mark.parametrize("model", [RoleMatrixEntry, Goal, Project, WorkingTeam, Memorandum])
def test_every_history_read_for_recent_changes_is_indexed_by_agenda_newest_first(model):
    table = model.history.model._meta.db_table
    with connection.cursor() as cursor:
        indexes = connection.introspection.get_constraints(cursor, table).values()
    assert any(i["index"] and i["columns"] == ["agenda_id", "history_date"] for i in indexes), table


@pytest.mark.postgres
def test_recent_changes_read_their_agendas_rows_not_every_regions_history(one):
    # A few hundred edits of our agenda's rows, and another region's agenda with a longer history, newer
    # than ours: without the index PostgreSQL walks the history backwards (history_date order) through
    # the other region's rows to find our latest ones.
    History = RoleMatrixEntry.history.model
    ours = History.objects.filter(agenda_id=one["agenda"].pk).values().first()
    theirs = History.objects.filter(id=f.RoleMatrixEntryFactory().pk).values().get()
    now = timezone.now()
    History.objects.bulk_create(
        [
            History(**{**record, "history_id": None, "history_date": now + datetime.timedelta(seconds=n)})
            for record, start, count in ((ours, 0, 300), (theirs, 1000, 3000))
            for n in range(start, start + count)
        ]
    )
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {History._meta.db_table}")
    query = (
        RoleMatrixEntry.history.filter(agenda_id=one["agenda"].pk)
        .select_related("history_user", "organisation")
        .order_by("-history_date")[:12]
    )
    plan = query.explain(analyze=True)
    assert "h_rolematrixentry_agenda_date" in plan, plan
    assert "Rows Removed by Filter" not in plan, plan


def test_dashboard_without_agenda(client):
    region = f.RegionFactory()
    user = f.UserFactory()
    f.RegionMembershipFactory(user=user, region=region)
    client.force_login(user)
    response = client.get(reverse("regions:region-dashboard", kwargs={"region": region.slug}))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="ca-empty"' in html and "ca-crit" not in html


def test_dashboard_queries_do_not_grow(one):
    url = reverse("regions:region-dashboard", kwargs={"region": one["region"].slug})
    one["client"].get(url)
    cache.clear()  # computed criteria are cached: compare cold pages
    with CaptureQueriesContext(connection) as before:
        one["client"].get(url)
    for i in range(15):
        f.ActionStepFactory(
            project=one["project"],
            responsible_org=one["orgs"][0],
            due_date=datetime.date(2021, 1, 1) + datetime.timedelta(days=i),
        )
        one["team"].name_uk = f"Команда v{i}"
        one["team"].save()
    cache.clear()
    with CaptureQueriesContext(connection) as after:
        one["client"].get(url)
    assert len(after) == len(before)


def test_agenda_report_page(one):
    url = reverse("regions:agenda-report", kwargs={"region": one["region"].slug, "year": one["agenda"].year})
    response = one["client"].get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert_csp_clean(html)
    for anchor in (
        "r-criteria",
        "r-roles",
        "r-swot",
        "r-challenges",
        "r-goals",
        "r-portfolio",
        "r-teams",
        "r-plans",
    ):
        assert f'id="{anchor}"' in html
    assert one["team"].name_uk in html
    assert (
        reverse(
            "regions:agenda-report-pdf", kwargs={"region": one["region"].slug, "year": one["agenda"].year}
        )
        in html
    )


def test_agenda_report_pdf(one, caplog):
    team = one["team"]
    team.name_uk = 'Команда <img src="file:///etc/passwd"><link rel="attachment" href="file:///etc/passwd">'
    team.save()
    url = reverse(
        "regions:agenda-report-pdf", kwargs={"region": one["region"].slug, "year": one["agenda"].year}
    )
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        response = one["client"].get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    pdf = response.content
    assert pdf.startswith(b"%PDF-")
    assert b"/EmbeddedFile" not in pdf  # the team name was escaped text, not an attachment
    # Our own stylesheet came through the static-only fetcher; nothing was refused.
    assert "refused" not in caplog.text and "not a static file" not in caplog.text


def test_report_pdf_renders_in_the_requested_language(one):
    english = render_agenda_report_pdf(one["agenda"], language="en")
    ukrainian = render_agenda_report_pdf(one["agenda"], language="uk")
    assert english.startswith(b"%PDF-") and ukrainian.startswith(b"%PDF-")
    assert english != ukrainian
