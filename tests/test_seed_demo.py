"""`manage.py seed_demo`: what it loads, that it is idempotent, --purge, and who sees the password."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count

from accounts.models import User
from agenda.memorandum_canonical import content_hash
from agenda.models import Memorandum, MemorandumStatus, Signature
from projects.models import MechanismKind, TeamMembership
from regions.management.demo_loader import project_models
from regions.models import Agenda, Programme, Region, RegionMembership
from sessions.models import EventStatus, Session, SessionKind
from stakeholders.models import Person, PersonRole
from tests.factories import OrganisationFactory, RegionFactory

REGION_SLUGS = {"khersonska", "mykolaivska", "lvivska", "kharkivska"}


def seed(*args) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def row_counts() -> dict[str, int]:
    """Rows of every table of the project's apps, history tables and many-to-many tables included."""
    return {
        model._meta.label: model._default_manager.count()
        for model in project_models(include_auto_created=True)
    }


@pytest.mark.django_db
def test_seed_demo_loads_programmes_session_kinds_and_mechanisms():
    seed()

    assert set(Programme.objects.filter(is_demo=True).values_list("code", flat=True)) == {
        "integration_40",
        "clusterise",
    }
    kinds = list(SessionKind.objects.order_by("order").values_list("order", "code", "is_cross_regional"))
    assert kinds == [
        (1, "joint_agreement", True),
        (2, "roles", False),
        (3, "challenges", False),
        (4, "goals_plans", False),
        (5, "working_teams", False),
    ]
    assert MechanismKind.objects.count() == 16
    assert list(MechanismKind.objects.filter(is_normative=True).values_list("code", flat=True)) == [
        "normative_act"
    ]
    integration = Programme.objects.get(code="integration_40")
    assert set(integration.regions.values_list("slug", flat=True)) == REGION_SLUGS
    assert list(Programme.objects.get(code="clusterise").regions.values_list("slug", flat=True)) == [
        "kharkivska"
    ]


@pytest.mark.django_db
def test_seed_demo_gives_every_region_a_complete_agenda():
    seed()

    assert set(Region.objects.filter(is_demo=True).values_list("slug", flat=True)) == REGION_SLUGS
    for region in Region.objects.all():
        agenda = Agenda.objects.get(region=region, year=2021)
        assert agenda.status == Agenda.Status.AGREED
        organisations = set(region.organisations.all())
        assert len(organisations) >= 6
        assert {entry.organisation for entry in agenda.role_entries.all()} == organisations
        assert all(
            org.people.filter(is_representative=True, consent_given=False).exists() for org in organisations
        )

        sessions = agenda.sessions.order_by("number")
        assert [s.number for s in sessions] == [2, 3, 4, 5]
        assert all(s.status == EventStatus.HELD and s.minutes for s in sessions)
        assert sessions[0].attendances.exists() and sessions[0].items.exists()

        assert agenda.swot_items.values("quadrant").distinct().count() == 4
        assert agenda.challenges.get().swot_items.exists()
        assert agenda.goals.count() == 2 and all(g.indicator_id and g.deadline for g in agenda.goals.all())
        pilot = agenda.projects.get(is_pilot=True)
        assert pilot.team is not None and pilot.steps.count() >= 3 and pilot.mechanisms.exists()

        team = agenda.teams.get(kind="pilot_team")
        assert team.memberships.filter(role=PersonRole.LEADER, left_on__isnull=True).count() == 1
        memorandum = agenda.memoranda.get()
        assert memorandum.signatories.count() >= 5
        assert memorandum.revisions.filter(number=1).exists()
        assert agenda.external_events.exists()

    joint = Session.objects.get(programme__code="integration_40", number=1)
    assert joint.agenda is None and joint.status == EventStatus.HELD
    assert set(joint.acceptances.values_list("region__slug", flat=True)) == REGION_SLUGS


@pytest.mark.django_db
def test_seed_demo_regions_are_in_different_states():
    seed()

    def entries(slug):
        return Agenda.objects.get(region__slug=slug).role_entries

    kherson = entries("khersonska")
    assert 0 < kherson.confirmed().count() < kherson.count() and kherson.leaders().exists()
    assert not entries("mykolaivska").leaders().exists()
    for slug in ("lvivska", "kharkivska"):
        assert not entries(slug).pending().exists() and entries(slug).leaders().exists()
    assert all(e.confirmed_by_id for e in entries("kharkivska").all())

    statuses = dict(Memorandum.objects.values_list("agenda__region__slug", "status"))
    assert statuses == {
        "khersonska": MemorandumStatus.READY,
        "mykolaivska": MemorandumStatus.NEGOTIATION,
        "lvivska": MemorandumStatus.SIGNED,
        "kharkivska": MemorandumStatus.IN_FORCE,
    }
    for memorandum in Memorandum.objects.filter(
        status__in=[MemorandumStatus.SIGNED, MemorandumStatus.IN_FORCE]
    ):
        revision = memorandum.revisions.get(number=1)
        # Frozen as the platform freezes a revision: the canonical snapshot, its SHA-256, a code.
        assert revision.content_snapshot["body"] == revision.body.strip()
        assert revision.content_hash == content_hash(revision.content_snapshot)
        assert revision.verification_code
        signatures = Signature.objects.filter(revision=revision)
        assert signatures.count() == memorandum.signatories.count()
        assert all(
            s.status == Signature.Status.SIGNED and s.content_hash == revision.content_hash
            for s in signatures
        )
    negotiation = Memorandum.objects.get(status=MemorandumStatus.NEGOTIATION).revisions.get()
    assert negotiation.opened_at is None and not negotiation.signatures.exists()


@pytest.mark.django_db
def test_seed_demo_twice_changes_no_table():
    seed()
    first = row_counts()
    updated_at = dict(Agenda.objects.values_list("pk", "updated_at"))

    out = seed()

    assert row_counts() == first
    assert dict(Agenda.objects.values_list("pk", "updated_at")) == updated_at
    assert "0 created, 0 updated" in out


@pytest.mark.django_db
def test_seed_demo_users_and_memberships():
    seed()

    kharkiv_coordinator = User.objects.get(email="coordinator.kharkiv@demo.common-agenda.local")
    memberships = RegionMembership.objects.filter(user=kharkiv_coordinator)
    assert [(m.region.slug, m.role) for m in memberships] == [
        ("kharkivska", RegionMembership.Role.COORDINATOR)
    ]
    assert kharkiv_coordinator.is_staff and not kharkiv_coordinator.is_superuser
    assert kharkiv_coordinator.language == "uk"
    assert User.objects.get(email="admin@demo.common-agenda.local").is_superuser
    observer = User.objects.get(email="observer@demo.common-agenda.local")
    assert list(observer.region_memberships.values_list("region__slug", "role")) == [
        ("kharkivska", "observer")
    ]
    programme = User.objects.get(email="programme@demo.common-agenda.local")
    assert list(programme.programme_memberships.values_list("programme__code", flat=True)) == [
        "integration_40"
    ]
    rep = User.objects.get(email="rep.cluster.kharkiv@demo.common-agenda.local")
    assert rep.persons.get().organisation.kind == "cluster"
    assert list(Region.objects.visible_to(rep).values_list("slug", flat=True)) == ["kharkivska"]
    # A position appears once per organisation, however many teams and sessions it takes part in.
    assert (
        not Person.objects.values("organisation", "full_name")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .exists()
    )
    # Team members are people of the organisation they sit in the team for.
    assert all(m.person.organisation_id == m.organisation_id for m in TeamMembership.objects.all())


@pytest.mark.django_db
def test_demo_password_is_printed_only_with_debug(settings):
    settings.DEMO_PASSWORD = "unusual-demo-secret-42"

    settings.DEBUG = False
    quiet = seed()
    settings.DEBUG = True
    loud = seed()

    assert "unusual-demo-secret-42" not in quiet
    assert "coordinator.kharkiv@demo.common-agenda.local" in quiet
    assert "unusual-demo-secret-42" in loud
    user = User.objects.get(email="admin@demo.common-agenda.local")
    assert user.check_password("unusual-demo-secret-42")


@pytest.mark.django_db
def test_purge_then_reload_gives_the_same_tables():
    seed()
    first = row_counts()

    seed("--purge")

    assert row_counts() == first


@pytest.mark.django_db
def test_purge_only_removes_demo_rows_and_keeps_real_ones():
    real_region = RegionFactory(slug="real-region", iso_code="UA-99")
    seed()

    seed("--purge-only")

    assert Region.objects.get() == real_region
    assert not User.objects.filter(email__endswith="@demo.common-agenda.local").exists()
    for model in project_models():
        if any(f.name == "is_demo" for f in model._meta.concrete_fields):
            assert not model._default_manager.filter(is_demo=True).exists(), model._meta.label


@pytest.mark.django_db
def test_purge_refuses_and_changes_nothing_when_real_data_uses_a_demo_region():
    seed()
    OrganisationFactory(region=Region.objects.get(slug="lvivska"), name_uk="Справжня організація")
    before = row_counts()

    with pytest.raises(CommandError, match="non-demo data"):
        seed("--purge-only")

    assert row_counts() == before
