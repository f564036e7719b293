"""`manage.py seed_scale`: counts, a second run adds nothing, --reset, and the main pages of a scale
region answer 200 to its coordinator (and the programme dashboard to the programme coordinator)."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client

from accounts.models import User
from agenda.models import Goal, SwotItem, SwotVote
from bench.catalog import main_pages
from projects.models import ActionStep, Project, TeamMembership, WorkingTeam
from regions import scale_data
from regions.models import Agenda, Region
from sessions.models import Attendance, Session
from stakeholders.models import Organisation, Person, RoleMatrixEntry


def seed_scale(*args) -> str:
    out = StringIO()
    call_command("seed_scale", *args, stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (
            Region,
            Organisation,
            Person,
            Agenda,
            RoleMatrixEntry,
            SwotItem,
            Goal,
            Project,
            WorkingTeam,
            TeamMembership,
            ActionStep,
            Session,
            Attendance,
        )
    }


@pytest.mark.django_db
def test_seed_scale_creates_every_kind_of_row_and_is_idempotent():
    seed_scale("--regions", "2", "--orgs-per-region", "5")

    c = counts()
    assert c["Region"] == 2 and c["Agenda"] == 2
    assert c["Organisation"] == 10 and c["Person"] == 10 and c["RoleMatrixEntry"] == 10
    assert c["SwotItem"] == 20 and c["Goal"] == 2 and c["Project"] == 2
    assert c["WorkingTeam"] == 6 and c["TeamMembership"] == 10 and c["ActionStep"] == 8
    assert c["Session"] == 2 * 4 + 1  # sessions 2-5 per region and the programme's joint session 1
    assert c["Attendance"] == 2 * 4 * 5
    # Every organisation has a representative with an account and exactly one role-matrix row.
    for org in Organisation.objects.all():
        assert org.people.filter(is_representative=True, user__isnull=False).count() == 1
        assert org.role_entries.count() == 1
    # Vote counters agree with the votes.
    for item in SwotItem.objects.all():
        assert item.votes_count == SwotVote.objects.filter(item=item).count()
    assert (
        not User.objects.filter(email__endswith=scale_data.EMAIL_DOMAIN)
        .exclude(password__startswith="!")
        .exists()
    )

    out = seed_scale("--regions", "2", "--orgs-per-region", "5")
    assert "already existed" in out
    assert counts() == c

    seed_scale("--regions", "1", "--orgs-per-region", "3", "--reset")
    assert counts()["Region"] == 1 and counts()["Organisation"] == 3


@pytest.mark.django_db
def test_main_pages_of_a_scale_region_answer_200():
    seed_scale("--regions", "2", "--orgs-per-region", "5")
    coordinator = User.objects.get(email=scale_data.coordinator_email("scale", 1))
    programme_coordinator = User.objects.get(email=scale_data.programme_coordinator_email("scale"))
    pages = main_pages(scale_data.region_slug("scale", 1), scale_data.programme_code("scale"))
    for name, url in pages.items():
        client = Client()
        client.force_login(programme_coordinator if name == "programme_dashboard" else coordinator)
        response = client.get(url)
        assert response.status_code == 200, (name, url, response.status_code)
    # Another scale region's coordinator cannot read region 1's role matrix.
    other = Client()
    other.force_login(User.objects.get(email=scale_data.coordinator_email("scale", 2)))
    assert other.get(pages["role_matrix"]).status_code == 404
