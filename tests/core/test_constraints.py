"""Every named database constraint of the project rejects a row that breaks it.

VIOLATIONS maps each constraint name to a function that first builds valid rows and then writes one
that breaks exactly that rule; the database (not Python validation) must refuse it. A constraint added
to a model without an entry here fails `test_every_constraint_is_exercised`.
"""

import datetime
from decimal import Decimal

import pytest
from django.apps import apps
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from accounts.models import Invitation
from agenda.models import (
    Endorsement,
    IndicatorValue,
    MemorandumRevision,
    Signatory,
    Signature,
    SwotVote,
)
from projects.models import ActionStep, FundingLine, NormativeAct, TeamMembership
from regions.models import Material, ProgrammeMembership, RegionMembership
from sessions.models import AgendaItem, Attendance, DocumentAcceptance, ExternalEvent, Session, SessionKind
from stakeholders.models import Person
from tests import factories as f

PROJECT_APPS = {"accounts", "regions", "stakeholders", "agenda_sessions", "agenda", "projects"}
TODAY = datetime.date(2021, 6, 1)


def _revision():
    return MemorandumRevision.objects.create(memorandum=f.MemorandumFactory(), number=1)


def _signatory():
    memo = f.MemorandumFactory()
    return Signatory.objects.create(memorandum=memo, organisation=f.OrganisationFactory(region=memo.agenda.region))


def _signature(**kw):
    signatory = _signatory()
    rev = MemorandumRevision.objects.create(memorandum=signatory.memorandum, number=1)
    return Signature.objects.create(revision=rev, signatory=signatory, **kw)


def _membership(**kw):
    team = f.WorkingTeamFactory()
    person = f.PersonFactory(organisation__region=team.agenda.region)
    return TeamMembership.objects.create(team=team, person=person, organisation=person.organisation, **kw)


def _dup_membership_leader():
    m = _membership(role="leader")
    other = f.PersonFactory(organisation=m.organisation)
    TeamMembership.objects.create(team=m.team, person=other, organisation=other.organisation, role="leader")


def _dup_membership_person():
    m = _membership()
    TeamMembership.objects.create(team=m.team, person=m.person, organisation=m.organisation)


def _dup_invitation():
    person = f.PersonFactory(user=f.UserFactory())
    for _ in range(2):
        Invitation.objects.create(user=person.user, person=person, region=person.organisation.region)


def _session_kind(order=2):
    return f.SessionKindFactory(order=order)


VIOLATIONS = {
    "accounts_user_email_ci_unique": lambda: (f.UserFactory(email="a@x.org"), f.UserFactory(email="A@X.org", username="other")),
    "regions_programme_period_ordered": lambda: f.ProgrammeFactory(period_start=TODAY, period_end=TODAY - datetime.timedelta(days=1)),
    "regions_region_iso_code_format": lambda: f.RegionFactory(iso_code="XX-1"),
    "regions_domain_unique_name_per_region": lambda: (lambda d: f.DomainFactory(region=d.region, name_uk=d.name_uk))(f.DomainFactory()),
    "regions_membership_one_per_user_region": lambda: (lambda m: RegionMembership.objects.create(user=m.user, region=m.region, role="observer"))(
        f.RegionMembershipFactory()
    ),
    "regions_progmembership_one_per_user": lambda: (lambda m: ProgrammeMembership.objects.create(user=m.user, programme=m.programme))(
        f.ProgrammeMembershipFactory()
    ),
    "regions_material_has_owner": lambda: Material.objects.create(title="Посібник"),
    "regions_agenda_one_per_region_year": lambda: (lambda a: f.AgendaFactory(region=a.region, year=a.year))(f.AgendaFactory()),
    "regions_agenda_period_ordered": lambda: f.AgendaFactory(period_start=TODAY, period_end=TODAY - datetime.timedelta(days=1)),
    "regions_agenda_window_ordered": lambda: f.AgendaFactory(window_start=TODAY, window_end=TODAY - datetime.timedelta(days=1)),
    "stakeholders_organisation_unique_name_per_region": lambda: (lambda o: f.OrganisationFactory(region=o.region, name_uk=o.name_uk))(
        f.OrganisationFactory()
    ),
    "stakeholders_organisation_edrpou_8_digits": lambda: f.OrganisationFactory(edrpou="12AB"),
    "stakeholders_person_one_account_per_org": lambda: (lambda p: Person.objects.create(full_name="Друга", organisation=p.organisation, user=p.user))(
        f.PersonFactory(user=f.UserFactory())
    ),
    "stakeholders_person_consent_has_date": lambda: f.PersonFactory(consent_given=True, consent_date=None),
    "stakeholders_roleentry_one_per_agenda_org": lambda: (lambda e: f.RoleMatrixEntryFactory(agenda=e.agenda, organisation=e.organisation))(
        f.RoleMatrixEntryFactory()
    ),
    "stakeholders_roleentry_confirmation_has_author": lambda: f.RoleMatrixEntryFactory(confirmed_at=timezone.now(), confirmed_by=None),
    "stakeholders_roleentry_version_positive": lambda: f.RoleMatrixEntryFactory(version=0),
    "stakeholders_roleentry_one_leader_per_direction": lambda: (
        lambda e: f.RoleMatrixEntryFactory(agenda=e.agenda, is_leader=True, leader_direction=e.leader_direction)
    )(f.RoleMatrixEntryFactory(is_leader=True, leader_direction=f.DomainFactory())),
    "stakeholders_roleentry_direction_needs_leader": lambda: f.RoleMatrixEntryFactory(
        is_leader=False, leader_direction=f.DomainFactory()
    ),
    "agenda_sessions_kind_ris3_step_1_6": lambda: SessionKind.objects.create(order=9, code="x", name_uk="Х", ris3_step=7),
    "agenda_sessions_session_number_1_5": lambda: f.SessionFactory(number=6, kind=_session_kind()),
    "agenda_sessions_session_agenda_xor_programme": lambda: f.SessionFactory(programme=f.ProgrammeFactory()),
    "accounts_invitation_one_open_per_person_region": _dup_invitation,
    "agenda_sessions_session_one_number_per_agenda": lambda: (lambda s: f.SessionFactory(agenda=s.agenda, number=s.number, kind=s.kind))(
        f.SessionFactory()
    ),
    "agenda_sessions_session_one_number_per_programme": lambda: (
        lambda p: [f.SessionFactory(agenda=None, programme=p, number=1, kind=_session_kind(1)) for _ in range(2)]
    )(f.ProgrammeFactory()),
    "agenda_sessions_session_first_is_joint": lambda: f.SessionFactory(number=1, kind=_session_kind(1)),
    "agenda_sessions_session_held_has_minutes": lambda: f.SessionFactory(status="held", minutes=""),
    "agenda_sessions_item_unique_order": lambda: (lambda s: [AgendaItem.objects.create(session=s, order=1, title=t) for t in "ab"])(f.SessionFactory()),
    "agenda_sessions_attendance_one_per_person": lambda: (
        lambda s, p: [Attendance.objects.create(session=s, person=p, organisation=p.organisation) for _ in range(2)]
    )(f.SessionFactory(), f.PersonFactory()),
    "agenda_sessions_acceptance_one_per_region": lambda: (
        lambda s, r: [DocumentAcceptance.objects.create(session=s, region=r) for _ in range(2)]
    )(f.SessionFactory(), f.RegionFactory()),
    "agenda_sessions_event_ends_after_start": lambda: ExternalEvent.objects.create(
        agenda=f.AgendaFactory(), title_uk="Круглий стіл", starts_at=timezone.now(), ends_at=timezone.now() - datetime.timedelta(hours=1)
    ),
    "agenda_sessions_event_unique_import_uid": lambda: (
        lambda a: [
            ExternalEvent.objects.create(agenda=a, title_uk=t, starts_at=timezone.now(), import_uid="uid-1@example.org")
            for t in "ab"
        ]
    )(f.AgendaFactory()),
    "agenda_swotitem_importance_1_5": lambda: f.SwotItemFactory(importance=6),
    "agenda_swotvote_one_per_user_item": lambda: (lambda i, u: [SwotVote.objects.create(item=i, user=u) for _ in range(2)])(
        f.SwotItemFactory(), f.UserFactory()
    ),
    "agenda_challenge_unique_code": lambda: (lambda c: f.ChallengeFactory(agenda=c.agenda, code=c.code))(f.ChallengeFactory()),
    "agenda_indicatorvalue_one_per_date": lambda: (
        lambda i: [IndicatorValue.objects.create(indicator=i, period_date=TODAY, value=Decimal(1)) for _ in range(2)]
    )(f.IndicatorFactory()),
    "agenda_goal_unique_code": lambda: (lambda g: f.GoalFactory(agenda=g.agenda, code=g.code))(f.GoalFactory()),
    "agenda_goal_deadline_after_baseline": lambda: f.GoalFactory(baseline_date=TODAY, deadline=TODAY - datetime.timedelta(days=1)),
    "agenda_endorsement_one_per_org_version": lambda: (
        lambda a, o: [Endorsement.objects.create(agenda=a, organisation=o, content_hash="a" * 64) for _ in range(2)]
    )(f.AgendaFactory(), f.OrganisationFactory()),
    "agenda_endorsement_hash_is_sha256": lambda: Endorsement.objects.create(agenda=f.AgendaFactory(), organisation=f.OrganisationFactory(), content_hash="nothex"),
    "agenda_memorandum_term_ordered": lambda: f.MemorandumFactory(valid_from=TODAY, valid_until=TODAY - datetime.timedelta(days=1)),
    "agenda_memorevision_unique_number": lambda: (lambda r: MemorandumRevision.objects.create(memorandum=r.memorandum, number=1))(_revision()),
    "agenda_memorevision_unique_code": lambda: (
        lambda m: [
            MemorandumRevision.objects.create(
                memorandum=m, number=n, verification_code="ABCD-1234", superseded_at=timezone.now() if n == 1 else None
            )
            for n in (1, 2)
        ]
    )(f.MemorandumFactory()),
    "agenda_memorevision_one_current": lambda: (
        lambda m: [MemorandumRevision.objects.create(memorandum=m, number=n) for n in (1, 2)]
    )(f.MemorandumFactory()),
    "agenda_memorevision_opened_has_hash": lambda: MemorandumRevision.objects.create(memorandum=f.MemorandumFactory(), opened_at=timezone.now()),
    "agenda_signatory_one_per_org": lambda: (lambda s: Signatory.objects.create(memorandum=s.memorandum, organisation=s.organisation))(_signatory()),
    "agenda_signature_one_per_signatory_revision": lambda: (lambda s: Signature.objects.create(revision=s.revision, signatory=s.signatory))(_signature()),
    "agenda_signature_signed_has_time_and_hash": lambda: _signature(status="signed", signed_at=timezone.now(), content_hash=""),
    "agenda_signature_declined_has_reason": lambda: _signature(status="declined", decline_reason=""),
    "projects_project_unique_code": lambda: (lambda p: f.ProjectFactory(agenda=p.agenda, code=p.code))(f.ProjectFactory()),
    "projects_project_budget_not_negative": lambda: f.ProjectFactory(budget_total=Decimal("-1")),
    "projects_project_dates_ordered": lambda: f.ProjectFactory(start_date=TODAY, end_date=TODAY - datetime.timedelta(days=1)),
    "projects_fundingline_amount_positive": lambda: FundingLine.objects.create(project=f.ProjectFactory(), source_kind="own_funds", amount=Decimal(0)),
    "projects_normativeact_adopted_has_date": lambda: NormativeAct.objects.create(act_type="law", title="Закон", stage="adopted", date=None),
    "projects_team_unique_name": lambda: (lambda t: f.WorkingTeamFactory(agenda=t.agenda, name_uk=t.name_uk))(f.WorkingTeamFactory()),
    "projects_teammembership_one_active_leader": _dup_membership_leader,
    "projects_teammembership_one_active_per_person": _dup_membership_person,
    "projects_teammembership_left_after_joined": lambda: _membership(joined_on=TODAY, left_on=TODAY - datetime.timedelta(days=1)),
    "projects_actionstep_unique_number": lambda: (
        lambda p: [ActionStep.objects.create(project=p, number="1.1", title_uk=t) for t in "ab"]
    )(f.ProjectFactory()),
    "projects_actionstep_progress_0_100": lambda: ActionStep.objects.create(project=f.ProjectFactory(), number="1", title_uk="Крок", progress_pct=101),
    "projects_actionstep_dates_ordered": lambda: ActionStep.objects.create(
        project=f.ProjectFactory(), number="1", title_uk="Крок", start_date=TODAY, due_date=TODAY - datetime.timedelta(days=1)
    ),
}


def _project_constraint_names():
    return {
        c.name for m in apps.get_models() if m._meta.app_label in PROJECT_APPS for c in m._meta.constraints
    }


def test_every_constraint_is_exercised():
    assert _project_constraint_names() == set(VIOLATIONS)


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(VIOLATIONS))
def test_constraint_rejects_violating_row(name):
    with pytest.raises(IntegrityError) as excinfo, transaction.atomic():
        VIOLATIONS[name]()
    # PostgreSQL always names the violated constraint; SQLite names CHECK constraints and expression
    # indexes but reports plain unique constraints by their columns.
    message = str(excinfo.value)
    if connection.vendor == "postgresql" or "CHECK constraint" in message:
        assert name in message


@pytest.mark.django_db
def test_valid_rows_pass_the_same_constraints():
    """The builders above are not failing for an unrelated reason: their valid halves save."""
    _membership(role="leader")
    _signature(status="signed", signed_at=timezone.now(), content_hash="b" * 64)
    _signature(status="declined", decline_reason="Не погоджуємо пункт 3")
    f.SessionFactory(status="held", minutes="Протокол")
    f.SessionFactory(number=1, agenda=None, programme=f.ProgrammeFactory(), kind=_session_kind(1))
    NormativeAct.objects.create(act_type="law", title="Закон", stage="adopted", date=TODAY)
    assert Session.objects.count() == 2
