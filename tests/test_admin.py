"""The Django admin: every registered model opens, coordinators are confined to their regions, the
bulk actions do what they say, and change lists keep a constant number of queries."""

import datetime
import hashlib
import itertools
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.db.models import Model
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Invitation, User
from agenda.models import (
    Challenge,
    Endorsement,
    Goal,
    Indicator,
    IndicatorValue,
    Memorandum,
    MemorandumEvent,
    MemorandumRevision,
    Signatory,
    Signature,
    SwotItem,
    SwotVote,
)
from projects.models import (
    ActionStep,
    FundingLine,
    MechanismKind,
    NormativeAct,
    Project,
    TeamMembership,
    WorkingTeam,
)
from regions.models import (
    Agenda,
    Material,
    Programme,
    ProgrammeMembership,
    Region,
    RegionMembership,
    SpecialisationDomain,
)
from sessions.models import (
    AgendaItem,
    Attendance,
    CalendarFeed,
    Decision,
    DocumentAcceptance,
    EventStatus,
    ExternalEvent,
    Session,
    SessionKind,
)
from stakeholders.models import Organisation, Person, RoleMatrixEntry

from .factories import (
    AgendaFactory,
    ChallengeFactory,
    DomainFactory,
    GoalFactory,
    IndicatorFactory,
    MechanismKindFactory,
    MemorandumFactory,
    OrganisationFactory,
    PersonFactory,
    ProgrammeFactory,
    ProgrammeMembershipFactory,
    ProjectFactory,
    RegionFactory,
    RegionMembershipFactory,
    RoleMatrixEntryFactory,
    SessionFactory,
    SessionKindFactory,
    SwotItemFactory,
    TeamMembershipFactory,
    UserFactory,
    WorkingTeamFactory,
)

pytestmark = pytest.mark.django_db

PROJECT_APPS = ["accounts", "regions", "stakeholders", "agenda_sessions", "agenda", "projects"]

_seq = itertools.count(1)


def _n() -> int:
    return next(_seq)


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


# --- one saved object per registered model ---------------------------------------------------------


def build_material():
    return Material.objects.create(region=RegionFactory(), title=f"Матеріал {_n()}")


def build_agenda_item():
    return AgendaItem.objects.create(session=SessionFactory(), title=f"Пункт {_n()}")


def build_attendance():
    person = PersonFactory()
    return Attendance.objects.create(
        session=SessionFactory(), person=person, organisation=person.organisation
    )


def build_decision():
    return Decision.objects.create(
        session=SessionFactory(), text=f"Рішення {_n()}", responsible_org=OrganisationFactory()
    )


def build_acceptance():
    session = SessionFactory()
    return DocumentAcceptance.objects.create(
        session=session, region=session.agenda.region, accepted_by=UserFactory()
    )


def build_external_event():
    return ExternalEvent.objects.create(
        agenda=AgendaFactory(),
        title_uk=f"Круглий стіл {_n()}",
        starts_at=timezone.now(),
        stage=SessionKindFactory(order=3),
    )


def build_calendar_feed():
    return CalendarFeed.objects.create(region=RegionFactory(), token_hash=_sha(f"feed-{_n()}"))


def build_swot_vote():
    return SwotVote.objects.create(item=SwotItemFactory(), user=UserFactory())


def build_indicator_value():
    return IndicatorValue.objects.create(
        indicator=IndicatorFactory(region=RegionFactory()),
        period_date=datetime.date(2021, 1, 1) + datetime.timedelta(days=_n()),
        value=Decimal("12.50"),
        reported_by=PersonFactory(),
    )


def build_endorsement():
    entry = RoleMatrixEntryFactory()
    return Endorsement.objects.create(
        agenda=entry.agenda,
        organisation=entry.organisation,
        endorsed_by=UserFactory(),
        content_hash=_sha(f"e-{_n()}"),
        snapshot={"goals": []},
    )


def build_revision(memorandum=None):
    return MemorandumRevision.objects.create(
        memorandum=memorandum or MemorandumFactory(), body="Текст", subject="Предмет"
    )


def build_signatory(memorandum=None):
    memorandum = memorandum or MemorandumFactory()
    organisation = OrganisationFactory(region=memorandum.agenda.region)
    return Signatory.objects.create(
        memorandum=memorandum,
        organisation=organisation,
        person=PersonFactory(organisation=organisation),
        signer_position_uk="Голова",
    )


def build_signature():
    revision = build_revision()
    signatory = build_signatory(revision.memorandum)
    return Signature.objects.create(
        revision=revision,
        signatory=signatory,
        status=Signature.Status.SIGNED,
        signed_by=UserFactory(),
        signed_at=timezone.now(),
        content_hash=_sha("content"),
        typed_name="Особа",
    )


def build_memorandum_event():
    revision = build_revision()
    return MemorandumEvent.objects.create(
        memorandum=revision.memorandum,
        revision=revision,
        kind=MemorandumEvent.Kind.CREATED,
        actor=UserFactory(),
    )


def build_funding_line():
    return FundingLine.objects.create(
        project=ProjectFactory(), source_kind="oblast_budget", amount=Decimal("1000.00"), year=2021
    )


def build_normative_act():
    act = NormativeAct.objects.create(
        act_type=NormativeAct.ActType.OBLAST_COUNCIL_DECISION,
        title=f"Рішення ради {_n()}",
        issuing_body=OrganisationFactory(),
    )
    act.projects.add(ProjectFactory())
    return act


def build_action_step():
    return ActionStep.objects.create(
        project=ProjectFactory(),
        number=str(_n()),
        title_uk="Крок",
        responsible_org=OrganisationFactory(),
        due_date=datetime.date(2021, 6, 1),
    )


def build_session():
    session = SessionFactory(starts_at=timezone.now())
    AgendaItem.objects.create(session=session, title="Відкриття")
    return session


def build_project():
    project = ProjectFactory(lead_org=OrganisationFactory())
    build_step = ActionStep.objects.create(project=project, number="1", title_uk="Крок 1")
    FundingLine.objects.create(project=project, source_kind="own_funds", amount=Decimal("10.00"))
    assert build_step.pk
    return project


def build_team_with_member():
    return TeamMembershipFactory().team


def build_memorandum():
    memorandum = MemorandumFactory()
    build_signatory(memorandum)
    build_revision(memorandum)
    return memorandum


def build_invitation():
    person = PersonFactory()
    return Invitation.objects.create(
        user=UserFactory(), person=person, region=person.organisation.region, invited_by=UserFactory()
    )


BUILDERS: dict[type[Model], Callable[[], Model]] = {
    User: UserFactory,
    Invitation: build_invitation,
    Group: lambda: Group.objects.create(name=f"group-{_n()}"),
    Programme: ProgrammeFactory,
    Region: lambda: DomainFactory().region,
    SpecialisationDomain: DomainFactory,
    RegionMembership: RegionMembershipFactory,
    ProgrammeMembership: ProgrammeMembershipFactory,
    Material: build_material,
    Agenda: AgendaFactory,
    Organisation: lambda: PersonFactory().organisation,
    Person: PersonFactory,
    RoleMatrixEntry: RoleMatrixEntryFactory,
    SessionKind: SessionKindFactory,
    Session: build_session,
    AgendaItem: build_agenda_item,
    Attendance: build_attendance,
    Decision: build_decision,
    DocumentAcceptance: build_acceptance,
    ExternalEvent: build_external_event,
    CalendarFeed: build_calendar_feed,
    SwotItem: SwotItemFactory,
    SwotVote: build_swot_vote,
    Challenge: ChallengeFactory,
    Indicator: lambda: build_indicator_value().indicator,
    IndicatorValue: build_indicator_value,
    Goal: GoalFactory,
    Endorsement: build_endorsement,
    Memorandum: build_memorandum,
    MemorandumRevision: lambda: build_signature().revision,
    Signatory: build_signatory,
    Signature: build_signature,
    MemorandumEvent: build_memorandum_event,
    MechanismKind: MechanismKindFactory,
    Project: build_project,
    FundingLine: build_funding_line,
    NormativeAct: build_normative_act,
    WorkingTeam: build_team_with_member,
    TeamMembership: TeamMembershipFactory,
    ActionStep: build_action_step,
}

REGISTERED = sorted(admin.site._registry, key=lambda model: model._meta.label)


def _url(model: type[Model], view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def _builder(model: type[Model]) -> Callable[[], Model]:
    assert model in BUILDERS, (
        f"{model._meta.label} is registered in the admin but tests/test_admin.py has no object-builder for it"
    )
    return BUILDERS[model]


@pytest.fixture
def superuser(client):
    user = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(user)
    return user


def test_every_project_model_is_registered():
    from django.apps import apps

    missing = [
        m._meta.label
        for app in PROJECT_APPS
        for m in apps.get_app_config(app).get_models()
        if m not in admin.site._registry
    ]
    # django-simple-history's historical models are browsed through their model's history page.
    assert [label for label in missing if ".Historical" not in label] == []


@pytest.mark.parametrize("model", REGISTERED, ids=lambda m: m._meta.label)
def test_superuser_opens_changelist_add_change_and_delete_pages(client, superuser, model):
    obj = _builder(model)()
    assert client.get(_url(model, "changelist")).status_code == 200
    assert client.get(_url(model, "changelist"), {"q": "x"}).status_code == 200
    assert client.get(_url(model, "add")).status_code == 200
    response = client.get(_url(model, "change", obj.pk))
    assert response.status_code == 200
    assert client.get(_url(model, "delete", obj.pk)).status_code == 200
    if hasattr(model, "history") and model is not User:
        assert client.get(_url(model, "history", obj.pk)).status_code == 200


@pytest.mark.parametrize("model", REGISTERED, ids=lambda m: m._meta.label)
def test_changelist_query_count_does_not_grow_with_rows(client, superuser, model):
    build = _builder(model)
    build()
    url = _url(model, "changelist")
    client.get(url)  # warm caches (content types, site)
    with CaptureQueriesContext(connection) as one:
        assert client.get(url).status_code == 200
    for _ in range(3):
        build()
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(many) == len(one), "\n".join(q["sql"] for q in many.captured_queries)


# --- region scoping -------------------------------------------------------------------------------


class World:
    """Two regions with the same kinds of rows; names carry a token that appears nowhere else."""

    def __init__(self):
        self.programme = ProgrammeFactory(name_uk="Програма-спільна", name_en="Programme-shared")
        self.rows: dict[str, dict[type[Model], Model]] = {}
        for token in ("ALPHA", "BRAVO"):
            region = RegionFactory(name_uk=f"{token}-oblast", name_en=f"{token}-oblast")
            agenda = AgendaFactory(region=region, title_uk=f"{token}-agenda")
            organisation = OrganisationFactory(region=region, name_uk=f"{token}-org", name_en=f"{token}-org")
            self.rows[token] = {
                Region: region,
                Agenda: agenda,
                Organisation: organisation,
                Person: PersonFactory(organisation=organisation, full_name=f"{token}-person"),
                RoleMatrixEntry: RoleMatrixEntryFactory(agenda=agenda, organisation=organisation),
                Goal: GoalFactory(agenda=agenda, title_uk=f"{token}-goal"),
                Project: ProjectFactory(agenda=agenda, title_uk=f"{token}-project"),
                Session: SessionFactory(agenda=agenda, title=f"{token}-session"),
                Memorandum: MemorandumFactory(agenda=agenda, title_uk=f"{token}-memorandum"),
            }
        self.a = self.rows["ALPHA"]
        self.b = self.rows["BRAVO"]
        # Session 1 belongs to a programme: visible to the coordinators of the programme's regions.
        self.programme.regions.add(self.a[Region])
        self.joint_session = Session.objects.create(
            programme=self.programme, kind=SessionKindFactory(order=1), number=1, title="ALPHA-joint-session"
        )
        other = ProgrammeFactory(name_uk="Програма-інша")
        other.regions.add(self.b[Region])
        self.other_joint_session = Session.objects.create(
            programme=other, kind=SessionKindFactory(order=1), number=1, title="BRAVO-joint-session"
        )


@pytest.fixture
def world():
    return World()


@pytest.fixture
def coordinator(client, world):
    """Staff, not superuser, coordinator of region ALPHA, with every permission of the project's apps."""
    user = UserFactory(is_staff=True, email="coordinator@example.org")
    RegionMembershipFactory(user=user, region=world.a[Region], role=RegionMembership.Role.COORDINATOR)
    user.user_permissions.set(Permission.objects.filter(content_type__app_label__in=PROJECT_APPS))
    client.force_login(user)
    return user


SCOPED_CHANGELISTS = [
    Organisation,
    RoleMatrixEntry,
    Goal,
    Project,
    Session,
    Memorandum,
    Person,
    Agenda,
    Region,
]


@pytest.mark.parametrize("model", SCOPED_CHANGELISTS, ids=lambda m: m._meta.label)
def test_coordinator_changelist_shows_only_own_region(client, world, coordinator, model):
    response = client.get(_url(model, "changelist"))
    assert response.status_code == 200
    shown = {obj.pk for obj in response.context["cl"].result_list}
    assert world.a[model].pk in shown
    assert world.b[model].pk not in shown
    html = response.content.decode()
    assert "BRAVO" not in html
    # Searching does not widen the scope.
    response = client.get(_url(model, "changelist"), {"q": "BRAVO"})
    assert world.b[model].pk not in {obj.pk for obj in response.context["cl"].result_list}


def test_coordinator_sees_joint_session_of_own_programme_only(client, world, coordinator):
    response = client.get(_url(Session, "changelist"))
    shown = {obj.pk for obj in response.context["cl"].result_list}
    assert world.joint_session.pk in shown
    assert world.other_joint_session.pk not in shown
    assert client.get(_url(Session, "change", world.joint_session.pk)).status_code == 200


@pytest.mark.parametrize("model", SCOPED_CHANGELISTS, ids=lambda m: m._meta.label)
def test_coordinator_cannot_reach_other_region_object(client, world, coordinator, model):
    own = world.a[model]
    assert client.get(_url(model, "change", own.pk)).status_code == 200

    other = world.b[model]
    for view in ("change", "delete", "history"):
        if view == "history" and not hasattr(model, "history"):
            continue
        response = client.get(_url(model, view, other.pk))
        # Django admin answers an object outside get_queryset() with a redirect to the index
        # ("…doesn't exist. Perhaps it was deleted?"); simple-history with 403/404.
        assert response.status_code in (302, 403, 404), view
        if response.status_code == 302:
            assert response.url == reverse("admin:index")
        assert "BRAVO" not in response.content.decode()


def test_coordinator_cannot_open_other_region_history_version(client, world, coordinator):
    goal = world.b[Goal]
    version = goal.history.latest()
    url = reverse("admin:agenda_goal_simple_history", args=(goal.pk, version.history_id))
    assert client.get(url).status_code == 403


def test_coordinator_cannot_change_other_region_object_by_post(client, world, coordinator):
    other = world.b[Organisation]
    response = client.post(
        _url(Organisation, "change", other.pk), {"name_uk": "hijacked", "kind": other.kind}
    )
    assert response.status_code in (302, 403, 404)
    other.refresh_from_db()
    assert other.name_uk == "BRAVO-org"


def test_coordinator_autocomplete_of_organisations_is_scoped(client, world, coordinator):
    response = client.get(
        reverse("admin:autocomplete"),
        {
            "app_label": "stakeholders",
            "model_name": "rolematrixentry",
            "field_name": "organisation",
            "term": "",
        },
    )
    assert response.status_code == 200
    ids = {int(row["id"]) for row in response.json()["results"]}
    assert ids == {world.a[Organisation].pk}

    response = client.get(
        reverse("admin:autocomplete"),
        {
            "app_label": "stakeholders",
            "model_name": "rolematrixentry",
            "field_name": "organisation",
            "term": "BRAVO",
        },
    )
    assert response.json()["results"] == []


def test_coordinator_cannot_add_row_to_other_region(client, world, coordinator):
    response = client.post(
        _url(RoleMatrixEntry, "add"),
        {
            "agenda": world.b[Agenda].pk,
            "organisation": world.a[Organisation].pk,
            "commitment_level": 0,
            "domains": [],
        },
    )
    assert response.status_code == 200
    assert "agenda" in response.context["adminform"].form.errors
    assert not RoleMatrixEntry.objects.filter(
        agenda=world.b[Agenda], organisation=world.a[Organisation]
    ).exists()


def test_coordinator_adds_organisation_with_person_and_both_record_the_author(client, world, coordinator):
    response = client.post(
        _url(Organisation, "add"),
        {
            "name_uk": "ALPHA-new-org",
            "kind": "university",
            "region": world.a[Region].pk,
            "people-TOTAL_FORMS": "1",
            "people-INITIAL_FORMS": "0",
            "people-MIN_NUM_FORMS": "0",
            "people-MAX_NUM_FORMS": "1000",
            "people-0-full_name": "ALPHA-new-person",
            "people-0-preferred_language": "uk",
            "people-0-is_representative": "on",
        },
    )
    assert response.status_code == 302, (
        response.context["adminform"].form.errors if response.context else response
    )
    organisation = Organisation.objects.get(name_uk="ALPHA-new-org")
    assert organisation.created_by == coordinator
    assert organisation.helix == "academia"
    assert organisation.people.get().created_by == coordinator


def test_coordinator_cannot_pick_region_of_others_for_organisation(client, world, coordinator):
    response = client.post(
        _url(Organisation, "add"),
        {"name_uk": "x", "kind": "university", "region": world.b[Region].pk, **_empty_people()},
    )
    assert response.status_code == 200
    assert "region" in response.context["adminform"].form.errors


def _empty_people():
    return {
        "people-TOTAL_FORMS": "0",
        "people-INITIAL_FORMS": "0",
        "people-MIN_NUM_FORMS": "0",
        "people-MAX_NUM_FORMS": "1000",
    }


def test_coordinator_must_give_a_region_to_a_new_organisation(client, world, coordinator):
    response = client.post(
        _url(Organisation, "add"),
        {"name_uk": "national?", "kind": "university", "region": "", **_empty_people()},
    )
    assert response.status_code == 200
    assert "region" in response.context["adminform"].form.errors
    assert not Organisation.objects.filter(name_uk="national?").exists()


def test_coordinator_admin_index_lists_project_apps(client, world, coordinator):
    response = client.get(reverse("admin:index"))
    assert response.status_code == 200
    labels = {app["app_label"] for app in response.context["app_list"]}
    assert {"stakeholders", "agenda", "projects", "regions", "agenda_sessions"} <= labels


def test_coordinator_cannot_add_or_delete_regions(client, world, coordinator):
    assert client.get(_url(Region, "add")).status_code == 403
    assert client.get(_url(Region, "delete", world.a[Region].pk)).status_code == 403


def test_staff_without_region_sees_nothing(client, world):
    user = UserFactory(is_staff=True)
    user.user_permissions.set(Permission.objects.filter(content_type__app_label__in=PROJECT_APPS))
    client.force_login(user)
    response = client.get(_url(Organisation, "changelist"))
    assert list(response.context["cl"].result_list) == []
    assert client.get(_url(Organisation, "add")).status_code == 403


def test_national_indicator_is_readable_but_not_changeable_by_coordinator(client, world, coordinator):
    national = IndicatorFactory(name_uk="national-indicator")
    foreign = IndicatorFactory(name_uk="BRAVO-indicator", region=world.b[Region])
    shown = {obj.pk for obj in client.get(_url(Indicator, "changelist")).context["cl"].result_list}
    assert national.pk in shown and foreign.pk not in shown
    response = client.get(_url(Indicator, "change", national.pk))
    assert response.status_code == 200
    assert response.context["has_change_permission"] is False
    response = client.post(
        _url(Indicator, "change", national.pk), {"name_uk": "changed", "kind": "output", "unit": "count"}
    )
    assert response.status_code == 403
    assert client.get(_url(Indicator, "delete", national.pk)).status_code == 403


def test_coordinator_bulk_action_ignores_rows_of_other_regions(client, world, coordinator):
    sessions = [world.a[Session], world.b[Session]]
    response = client.post(
        _url(Session, "changelist"),
        {"action": "mark_postponed", "_selected_action": [s.pk for s in sessions]},
    )
    assert response.status_code == 302
    for session in sessions:
        session.refresh_from_db()
    assert world.a[Session].status == EventStatus.POSTPONED
    assert "coordinator@example.org" in world.a[Session].status_reason
    assert world.b[Session].status == EventStatus.PLANNED


def test_coordinator_cannot_delete_other_region_rows_in_bulk(client, world, coordinator):
    pks = [world.a[Goal].pk, world.b[Goal].pk]
    client.post(
        _url(Goal, "changelist"), {"action": "delete_selected", "_selected_action": pks, "post": "yes"}
    )
    assert not Goal.objects.filter(pk=world.a[Goal].pk).exists()
    assert Goal.objects.filter(pk=world.b[Goal].pk).exists()


# --- actions --------------------------------------------------------------------------------------


def test_clear_confirmation_action(client, superuser):
    confirmed = RoleMatrixEntryFactory(confirmed_at=timezone.now(), confirmed_by=UserFactory())
    pending = RoleMatrixEntryFactory()
    response = client.post(
        _url(RoleMatrixEntry, "changelist"),
        {"action": "clear_confirmation", "_selected_action": [confirmed.pk, pending.pk]},
        follow=True,
    )
    assert response.status_code == 200
    confirmed.refresh_from_db()
    assert confirmed.confirmed_at is None and confirmed.confirmed_by is None
    assert confirmed.version == 2
    assert superuser.email in confirmed.confirmation_cleared_reason
    assert confirmed.history.count() == 2
    assert len(list(response.context["messages"])) == 1


def test_editing_confirmed_row_in_admin_clears_confirmation(client, superuser):
    entry = RoleMatrixEntryFactory(
        confirmed_at=timezone.now(), confirmed_by=UserFactory(), refined_role="old"
    )
    response = client.post(
        _url(RoleMatrixEntry, "change", entry.pk),
        {
            "agenda": entry.agenda_id,
            "organisation": entry.organisation_id,
            "refined_role": "new",
            "commitment_level": 0,
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    entry.refresh_from_db()
    assert entry.refined_role == "new"
    assert entry.confirmed_at is None
    assert entry.version == 2


def test_goal_and_memorandum_and_project_actions(client, superuser):
    goal = GoalFactory()
    client.post(_url(Goal, "changelist"), {"action": "mark_agreed", "_selected_action": [goal.pk]})
    goal.refresh_from_db()
    assert goal.status == "agreed"

    memorandum = MemorandumFactory()
    client.post(_url(Memorandum, "changelist"), {"action": "publish", "_selected_action": [memorandum.pk]})
    memorandum.refresh_from_db()
    assert memorandum.is_public

    project = ProjectFactory()
    client.post(_url(Project, "changelist"), {"action": "mark_pilot", "_selected_action": [project.pk]})
    project.refresh_from_db()
    assert project.is_pilot


def test_swot_recount_and_team_and_step_actions(client, superuser):
    item = SwotItemFactory()
    SwotVote.objects.create(item=item, user=UserFactory())
    SwotVote.objects.create(item=item, user=UserFactory())
    client.post(_url(SwotItem, "changelist"), {"action": "recount_votes", "_selected_action": [item.pk]})
    item.refresh_from_db()
    assert item.votes_count == 2

    team = WorkingTeamFactory()
    TeamMembershipFactory(team=team)
    client.post(_url(WorkingTeam, "changelist"), {"action": "mark_active", "_selected_action": [team.pk]})
    team.refresh_from_db()
    assert team.status == WorkingTeam.Status.ACTIVE

    step = build_action_step()
    client.post(_url(ActionStep, "changelist"), {"action": "mark_done", "_selected_action": [step.pk]})
    step.refresh_from_db()
    assert (step.status, step.progress_pct) == (ActionStep.Status.DONE, 100)

    membership = TeamMembershipFactory(joined_on=datetime.date(2021, 1, 1))
    client.post(
        _url(TeamMembership, "changelist"), {"action": "end_membership", "_selected_action": [membership.pk]}
    )
    membership.refresh_from_db()
    assert membership.left_on == timezone.localdate()


def test_calendar_feed_revoke_replaces_the_hash(client, superuser):
    feed = build_calendar_feed()
    old = feed.token_hash
    client.post(_url(CalendarFeed, "changelist"), {"action": "revoke_links", "_selected_action": [feed.pk]})
    feed.refresh_from_db()
    assert feed.token_hash != old and len(feed.token_hash) == 64


def test_delete_selected_works_on_annotated_changelists(client, superuser):
    team = build_team_with_member()
    client.post(
        _url(WorkingTeam, "changelist"),
        {"action": "delete_selected", "_selected_action": [team.pk], "post": "yes"},
    )
    assert not WorkingTeam.objects.filter(pk=team.pk).exists()
    programme = ProgrammeFactory()
    programme.regions.add(RegionFactory(), RegionFactory())
    client.post(
        _url(Programme, "changelist"),
        {"action": "delete_selected", "_selected_action": [programme.pk], "post": "yes"},
    )
    assert not Programme.objects.filter(pk=programme.pk).exists()


# --- forms ----------------------------------------------------------------------------------------


def test_user_add_fills_username_from_email(client, superuser):
    response = client.post(
        _url(User, "add"),
        {
            "email": "new.person@example.org",
            "username": "",
            "full_name": "Нова Особа",
            "language": "en",
            "usable_password": "true",
            "password1": "a-long-Pass-phrase-42",
            "password2": "a-long-Pass-phrase-42",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    user = User.objects.get(email="new.person@example.org")
    assert user.username == "new.person@example.org"
    assert user.language == "en"
    assert user.check_password("a-long-Pass-phrase-42")


def test_user_add_rejects_duplicate_email_case_insensitively(client, superuser):
    UserFactory(email="taken@example.org")
    response = client.post(
        _url(User, "add"),
        {"email": "TAKEN@example.org", "username": "other", "language": "uk", "usable_password": "false"},
    )
    assert response.status_code == 200
    assert User.objects.filter(email__iexact="taken@example.org").count() == 1


def test_constraint_on_read_only_field_is_a_form_error_not_a_500(client, superuser):
    signature = build_signature()
    Signature.objects.filter(pk=signature.pk).update(
        status=Signature.Status.PENDING, signed_at=None, content_hash=""
    )
    response = client.post(_url(Signature, "change", signature.pk), {"status": "signed", "method": "online"})
    assert response.status_code == 200
    assert response.context["adminform"].form.non_field_errors()
    signature.refresh_from_db()
    assert signature.status == Signature.Status.PENDING


def test_frozen_revision_text_is_read_only(client, superuser):
    revision = build_revision()
    MemorandumRevision.objects.filter(pk=revision.pk).update(opened_at=timezone.now(), content_hash=_sha("x"))
    response = client.get(_url(MemorandumRevision, "change", revision.pk))
    assert "body" not in response.context["adminform"].form.fields
    assert "pdf_status" in response.context["adminform"].form.fields


def test_superuser_add_session_records_author(client, superuser):
    agenda = AgendaFactory()
    kind = SessionKindFactory(order=3)
    response = client.post(
        _url(Session, "add"),
        {
            "agenda": agenda.pk,
            "kind": kind.pk,
            "number": 3,
            "status": "planned",
            "format": "online",
            "duration_minutes": 120,
            **{
                f"{prefix}-{key}": value
                for prefix in ("items", "attendances", "decisions")
                for key, value in _mgmt().items()
            },
            "items-TOTAL_FORMS": "1",
            "items-0-order": "1",
            "items-0-title": "Відкриття",
            "items-0-duration_minutes": "15",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    session = Session.objects.get(agenda=agenda, number=3)
    assert session.created_by == superuser
    assert session.items.get().created_by == superuser


def _mgmt():
    return {"TOTAL_FORMS": "0", "INITIAL_FORMS": "0", "MIN_NUM_FORMS": "0", "MAX_NUM_FORMS": "1000"}


def test_coordinator_saving_a_row_keeps_links_outside_the_region(client, world, coordinator):
    """A project of region ALPHA led by a national organisation with a partner from BRAVO: the
    coordinator cannot pick those for anything else, but saving the project must not drop them."""
    national = OrganisationFactory(region=None, name_uk="national-org")
    project = world.a[Project]
    project.lead_org = national
    project.save()
    project.partners.add(world.b[Organisation], world.a[Organisation])

    response = client.get(_url(Project, "change", project.pk))
    form = response.context["adminform"].form
    assert national in form.fields["lead_org"].queryset
    assert world.b[Organisation] in form.fields["partners"].queryset
    assert OrganisationFactory(region=None) not in form.fields["lead_org"].queryset

    data = {
        "agenda": project.agenda_id,
        "code": project.code,
        "title_uk": project.title_uk,
        "status": project.status,
        "priority": project.priority,
        "currency": project.currency,
        "version": project.version,
        "lead_org": national.pk,
        "partners": [world.a[Organisation].pk, world.b[Organisation].pk],
        **{
            f"{prefix}-{key}": value
            for prefix in ("funding_lines", "steps")
            for key, value in _mgmt().items()
        },
    }
    response = client.post(_url(Project, "change", project.pk), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    project.refresh_from_db()
    assert project.lead_org == national
    assert set(project.partners.all()) == {world.a[Organisation], world.b[Organisation]}

    # …but another ALPHA project cannot be given the BRAVO partner.
    other = ProjectFactory(agenda=world.a[Agenda])
    response = client.post(
        _url(Project, "change", other.pk),
        {**data, "code": other.code, "lead_org": "", "partners": [world.b[Organisation].pk]},
    )
    assert response.status_code == 200
    assert "partners" in response.context["adminform"].form.errors


def test_staff_with_user_permissions_cannot_promote_themselves(client, world, coordinator):
    admin_user = UserFactory(is_staff=True, is_superuser=True)
    response = client.get(_url(User, "change", coordinator.pk))
    assert response.status_code == 200
    assert "is_superuser" not in response.context["adminform"].form.fields
    client.post(
        _url(User, "change", coordinator.pk),
        {
            "email": coordinator.email,
            "username": coordinator.username,
            "language": "uk",
            "is_active": "on",
            "is_superuser": "on",
            "is_staff": "on",
        },
    )
    coordinator.refresh_from_db()
    assert not coordinator.is_superuser
    response = client.post(
        _url(User, "change", admin_user.pk), {"email": "x@example.org", "username": "x", "language": "uk"}
    )
    assert response.status_code == 403
    admin_user.refresh_from_db()
    assert admin_user.email != "x@example.org"


def test_invitation_added_in_admin_is_sent_through_the_service(client, superuser):
    person = PersonFactory(email="invitee@example.org")
    region = person.organisation.region
    response = client.post(_url(Invitation, "add"), {"person": person.pk, "region": region.pk})
    assert response.status_code == 302, response.context["adminform"].form.errors
    invitation = Invitation.objects.get(person=person, region=region)
    assert invitation.user.email == "invitee@example.org"
    assert invitation.invited_by == superuser
    assert invitation.send_count == 1

    client.post(_url(Invitation, "changelist"), {"action": "revoke", "_selected_action": [invitation.pk]})
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None


def test_invitation_for_person_of_another_region_is_a_form_error(client, superuser):
    person = PersonFactory()
    response = client.post(_url(Invitation, "add"), {"person": person.pk, "region": RegionFactory().pk})
    assert response.status_code == 200
    assert "person" in response.context["adminform"].form.errors


def test_national_organisation_change_page_has_no_view_on_site_link(client, superuser):
    national = OrganisationFactory(region=None)
    response = client.get(_url(Organisation, "change", national.pk))
    assert response.status_code == 200
    assert response.context["has_absolute_url"] is False
