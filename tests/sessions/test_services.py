"""The session workflow's services against the database: opening an agenda, the status guards, invitations
and attendance, items, decisions, the acceptance of the common document, concurrent edits."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms.models import model_to_dict
from django.utils import timezone

from regions.models import Agenda
from regions.services import agenda_open, agenda_update
from sessions import services
from sessions.models import (
    KYIV,
    AgendaItem,
    Attendance,
    DocumentAcceptance,
    EventStatus,
    Format,
    Session,
    SessionKind,
)
from tests import factories as f

from .conftest import local, make_ready_to_hold, past

pytestmark = pytest.mark.django_db


# --- opening an agenda ---------------------------------------------------------------------------------


def test_agenda_open_creates_sessions_two_to_five_spread_over_the_window(setup):
    sessions = setup.agenda.sessions.order_by("number")
    assert [s.number for s in sessions] == [2, 3, 4, 5]
    assert [s.kind.code for s in sessions] == ["roles", "challenges", "goals_plans", "working_teams"]
    assert setup.agenda.window_start == datetime.date(2021, 3, 1)
    assert setup.agenda.window_end == datetime.date(2021, 6, 1)
    days = [s.starts_at.astimezone(KYIV) for s in sessions]
    assert all(setup.agenda.window_start <= d.date() <= setup.agenda.window_end for d in days)
    assert all(d.weekday() < 5 and (d.hour, d.minute) == (10, 0) for d in days)
    assert days == sorted(days) and len({d.date() for d in days}) == 4
    assert all(s.status == EventStatus.PLANNED and s.format == Format.HYBRID for s in sessions)
    assert list(setup.agenda.programmes.all()) == [setup.programme]


def test_agenda_open_creates_the_programmes_joint_session_once(setup):
    assert setup.joint.number == 1 and setup.joint.agenda is None
    assert setup.joint.starts_at.astimezone(KYIV) == local(2021, 3, 1)
    agenda_open(
        region=setup.other,
        year=2021,
        acting_user=setup.other_coordinator,
        window_start=datetime.date(2021, 4, 5),
    )
    assert Session.objects.filter(programme=setup.programme).count() == 1
    assert Session.objects.filter(agenda__region=setup.other).count() == 4


def test_agenda_open_longer_window_spreads_sessions_further(setup):
    agenda = agenda_open(
        region=setup.region,
        year=2022,
        acting_user=setup.coordinator,
        window_start=datetime.date(2022, 1, 3),
        window_months=6,
    )
    last = agenda.sessions.get(number=5).starts_at.astimezone(KYIV).date()
    short_last = setup.agenda.sessions.get(number=5).starts_at.astimezone(KYIV).date()
    assert (last - datetime.date(2022, 1, 3)).days > 1.8 * (short_last - datetime.date(2021, 3, 1)).days
    assert last <= agenda.window_end == datetime.date(2022, 7, 3)


def test_agenda_open_fills_in_the_default_session_kinds(setup):
    assert list(SessionKind.objects.values_list("order", flat=True)) == [1, 2, 3, 4, 5]
    assert SessionKind.objects.get(order=1).is_cross_regional


def test_agenda_open_refuses_a_second_agenda_for_the_year_and_other_users(setup):
    with pytest.raises(ValidationError) as exc:
        agenda_open(region=setup.region, year=2021, acting_user=setup.coordinator)
    assert "2021" in str(exc.value)
    for user in (setup.observer, setup.rep_user, setup.other_coordinator, setup.lead):
        with pytest.raises(PermissionDenied):
            agenda_open(region=setup.region, year=2023, acting_user=user)
    assert Agenda.objects.filter(region=setup.region).count() == 1


def test_agenda_update_detects_a_concurrent_edit(setup):
    agenda = setup.agenda
    agenda_update(
        agenda=agenda, acting_user=setup.coordinator, version=agenda.version, title_uk="Новий заголовок"
    )
    with pytest.raises(ValidationError) as exc:
        agenda_update(agenda=agenda, acting_user=setup.coordinator, version=1, title_uk="Старий")
    assert exc.value.code == "stale"
    agenda.refresh_from_db()
    assert agenda.title_uk == "Новий заголовок" and agenda.version == 2


# --- the status workflow -------------------------------------------------------------------------------


def _snapshot(session: Session) -> dict:
    session = Session.objects.get(pk=session.pk)
    return model_to_dict(session, exclude=["materials"]) | {
        "updated_at": session.updated_at,
        "version": session.version,
    }


def test_a_ready_session_is_marked_held_then_reopened_with_a_reason(setup):
    session = make_ready_to_hold(setup.sessions[2], [setup.rep, setup.rector])
    held = services.session_mark_held(session=session, acting_user=setup.coordinator)
    assert held.status == EventStatus.HELD and held.held_at is not None
    assert held.status_changed_by == setup.coordinator and held.version == session.version + 1
    reopened = services.session_reopen(
        session=held, acting_user=setup.coordinator, reason="Протокол неповний"
    )
    assert reopened.status == EventStatus.PLANNED and reopened.held_at is None
    assert (reopened.reopened_by, reopened.reopened_reason) == (setup.coordinator, "Протокол неповний")


def _illegal_cases():
    """(name, how to prepare the session, the action) — every one must be refused with a message."""

    def future(s, x):
        return Session.objects.filter(pk=s.pk).update(
            starts_at=timezone.now() + datetime.timedelta(days=2), minutes="x"
        )

    def ready(s, x):
        make_ready_to_hold(s, [x.rep])

    def status(value):
        def prepare(s, x):
            make_ready_to_hold(s, [x.rep])
            Session.objects.filter(pk=s.pk).update(
                status=value, status_reason="причина" if value != "held" else ""
            )

        return prepare

    def no_minutes(s, x):
        make_ready_to_hold(s, [x.rep])
        Session.objects.filter(pk=s.pk).update(minutes="")

    def unmarked(s, x):
        make_ready_to_hold(s, [x.rep])
        Attendance.objects.filter(session=s).update(attended=None)

    def nobody_came(s, x):
        make_ready_to_hold(s, [x.rep])
        Attendance.objects.filter(session=s).update(attended=False)

    def no_invitations(s, x):
        Session.objects.filter(pk=s.pk).update(starts_at=past(), minutes="Протокол")

    def hold(s, x):
        return services.session_mark_held(session=s, acting_user=x.coordinator)

    def postpone(reason):
        return lambda s, x: services.session_postpone(session=s, acting_user=x.coordinator, reason=reason)

    def cancel(reason):
        return lambda s, x: services.session_cancel(session=s, acting_user=x.coordinator, reason=reason)

    def reopen(reason):
        return lambda s, x: services.session_reopen(session=s, acting_user=x.coordinator, reason=reason)

    def confirm(s, x):
        return services.session_confirm(session=s, acting_user=x.coordinator)

    return [
        ("hold before the start time", future, hold),
        ("hold without minutes", no_minutes, hold),
        ("hold with unmarked attendance", unmarked, hold),
        ("hold when nobody attended", nobody_came, hold),
        ("hold without invitations", no_invitations, hold),
        ("hold twice", status("held"), hold),
        ("hold a cancelled session", status("cancelled"), hold),
        ("hold a postponed session", status("postponed"), hold),
        ("postpone without a reason", ready, postpone("   ")),
        ("postpone a held session", status("held"), postpone("пізно")),
        ("postpone twice", status("postponed"), postpone("ще раз")),
        ("cancel without a reason", ready, cancel("")),
        ("cancel a held session", status("held"), cancel("пізно")),
        ("cancel twice", status("cancelled"), cancel("ще раз")),
        ("reopen a planned session", ready, reopen("навіщо")),
        ("reopen without a reason", status("held"), reopen("")),
        ("confirm a held session", status("held"), confirm),
        ("confirm twice", status("confirmed"), confirm),
    ]


@pytest.mark.parametrize(
    "prepare, action", [c[1:] for c in _illegal_cases()], ids=[c[0] for c in _illegal_cases()]
)
def test_illegal_transition_is_refused_with_a_message_and_changes_nothing(setup, prepare, action):
    session = setup.sessions[3]
    prepare(session, setup)
    before = _snapshot(session)
    with pytest.raises(ValidationError) as exc:
        action(Session.objects.get(pk=session.pk), setup)
    assert exc.value.messages and all(m.strip() for m in exc.value.messages)
    assert _snapshot(session) == before


@pytest.mark.parametrize("who", ["observer", "rep_user", "other_coordinator", "lead"])
def test_only_the_regions_coordinator_moves_a_session(setup, who):
    session = make_ready_to_hold(setup.sessions[2], [setup.rep])
    Session.objects.filter(pk=session.pk).update(status=EventStatus.HELD)
    user = getattr(setup, who)
    before = _snapshot(session)
    for action in (
        lambda: services.session_reopen(session=session, acting_user=user, reason="хочу"),
        lambda: services.session_cancel(session=session, acting_user=user, reason="хочу"),
        lambda: services.session_update(session=session, acting_user=user, version=None, venue="Інше місце"),
    ):
        with pytest.raises(PermissionDenied):
            action()
    assert _snapshot(session) == before


def test_the_programme_coordinator_runs_the_joint_session_not_a_region_coordinator(setup):
    services.session_update(session=setup.joint, acting_user=setup.lead, version=None, venue="Онлайн")
    with pytest.raises(PermissionDenied):
        services.session_update(
            session=setup.joint, acting_user=setup.coordinator, version=None, venue="Мій зал"
        )


def test_postpone_records_the_reason_and_rescheduling_plans_it_again(setup):
    session = services.session_postpone(
        session=setup.sessions[4], acting_user=setup.coordinator, reason="Зал зайнятий"
    )
    assert (session.status, session.status_reason) == (EventStatus.POSTPONED, "Зал зайнятий")
    session = services.session_update(
        session=session, acting_user=setup.coordinator, version=session.version, starts_at=local(2021, 6, 1)
    )
    assert (session.status, session.status_reason) == (EventStatus.PLANNED, "")


def test_a_held_session_record_is_closed(setup):
    session = make_ready_to_hold(setup.sessions[2], [setup.rep])
    services.session_mark_held(session=session, acting_user=setup.coordinator)
    for action in (
        lambda s: services.session_minutes_save(
            session=s, acting_user=setup.coordinator, version=None, minutes=""
        ),
        lambda s: services.decision_save(session=s, acting_user=setup.coordinator, text="Нове"),
        lambda s: services.agenda_item_save(session=s, acting_user=setup.coordinator, title="Нове"),
        lambda s: services.attendance_invite(session=s, people=[setup.rector], acting_user=setup.coordinator),
    ):
        with pytest.raises(ValidationError):
            action(Session.objects.get(pk=session.pk))


def test_concurrent_edit_of_a_session_is_refused(setup):
    session = setup.sessions[2]
    version = session.version
    services.session_update(session=session, acting_user=setup.coordinator, version=version, venue="Зал А")
    with pytest.raises(ValidationError) as exc:
        services.session_update(
            session=session, acting_user=setup.coordinator, version=version, venue="Зал Б"
        )
    assert exc.value.code == "stale"
    assert Session.objects.get(pk=session.pk).venue == "Зал А"


# --- invitations, attendance, replies ---------------------------------------------------------------------


def test_invite_by_organisation_scope_and_reinvite(setup, django_capture_on_commit_callbacks):
    session = setup.sessions[2]
    with django_capture_on_commit_callbacks(execute=True):
        rows = services.attendance_invite(
            session=session, people=[setup.rep, setup.rector], acting_user=setup.coordinator
        )
    assert {a.person for a in rows} == {setup.rep, setup.rector}
    with pytest.raises(ValidationError):
        services.attendance_invite(
            session=session, people=[setup.other_person], acting_user=setup.coordinator
        )
    first = Attendance.objects.get(session=session, person=setup.rep).invited_at
    services.attendance_invite(
        session=session, people=[setup.rep], acting_user=setup.coordinator, send_email=False
    )
    assert Attendance.objects.filter(session=session).count() == 2
    assert Attendance.objects.get(session=session, person=setup.rep).invited_at > first


def test_joint_session_invites_people_of_every_region_of_the_programme(setup):
    rows = services.attendance_invite(
        session=setup.joint, people=[setup.rep, setup.other_person], acting_user=setup.lead, send_email=False
    )
    assert len(rows) == 2


def test_invitee_replies_for_themself_and_not_for_others(setup):
    session = setup.sessions[2]
    mine, theirs = services.attendance_invite(
        session=session, people=[setup.rep, setup.rector], acting_user=setup.coordinator, send_email=False
    )
    services.attendance_reply(attendance=mine, reply=Attendance.Reply.ACCEPTED, acting_user=setup.rep_user)
    assert Attendance.objects.get(pk=mine.pk).reply == Attendance.Reply.ACCEPTED
    with pytest.raises(PermissionDenied):
        services.attendance_reply(
            attendance=theirs, reply=Attendance.Reply.DECLINED, acting_user=setup.rep_user
        )


def test_attendance_is_marked_only_after_the_start(setup):
    session = setup.sessions[2]
    Session.objects.filter(pk=session.pk).update(starts_at=timezone.now() + datetime.timedelta(days=1))
    session.refresh_from_db()
    (row,) = services.attendance_invite(
        session=session, people=[setup.rep], acting_user=setup.coordinator, send_email=False
    )
    with pytest.raises(ValidationError):
        services.attendance_record(
            session=session, marks={row.pk: ("accepted", True)}, acting_user=setup.coordinator
        )
    assert Attendance.objects.get(pk=row.pk).attended is None
    later = session.starts_at + datetime.timedelta(minutes=5)
    services.attendance_record(
        session=session, marks={row.pk: ("accepted", True)}, acting_user=setup.coordinator, now=later
    )
    assert Attendance.objects.get(pk=row.pk).attended is True


# --- items, decisions, acceptance ---------------------------------------------------------------------


def test_agenda_items_insert_and_swap_keep_positions_unique(setup):
    session = setup.sessions[2]
    a = services.agenda_item_save(session=session, acting_user=setup.coordinator, title="А")
    b = services.agenda_item_save(session=session, acting_user=setup.coordinator, title="Б")
    c = services.agenda_item_save(session=session, acting_user=setup.coordinator, title="В", order=1)
    assert list(session.items.values_list("title", flat=True)) == ["В", "А", "Б"]
    services.agenda_item_save(
        session=session,
        acting_user=setup.coordinator,
        item=AgendaItem.objects.get(pk=b.pk),
        title="Б",
        order=1,
    )
    assert list(session.items.values_list("title", flat=True)) == ["Б", "А", "В"]
    assert {a.pk, b.pk, c.pk} == set(session.items.values_list("pk", flat=True))


def test_decision_keeps_its_responsible_organisation_of_the_region(setup):
    decision = services.decision_save(
        session=setup.sessions[2],
        acting_user=setup.coordinator,
        text=" Підготувати матрицю ",
        responsible_org=setup.cluster,
        due_date=datetime.date(2021, 4, 1),
    )
    assert (decision.text, decision.responsible_org, decision.due_date) == (
        "Підготувати матрицю",
        setup.cluster,
        datetime.date(2021, 4, 1),
    )
    with pytest.raises(ValidationError):
        services.decision_save(
            session=setup.sessions[2],
            acting_user=setup.coordinator,
            text="Х",
            responsible_org=setup.other_org,
        )


def test_each_region_records_its_own_acceptance_of_the_common_document(setup):
    acceptance = services.acceptance_record(
        session=setup.joint,
        region=setup.region,
        acting_user=setup.coordinator,
        comments="Застереження щодо строків",
    )
    assert (acceptance.accepted, acceptance.accepted_by, acceptance.comments) == (
        True,
        setup.coordinator,
        "Застереження щодо строків",
    )
    with pytest.raises(PermissionDenied):
        services.acceptance_record(session=setup.joint, region=setup.other, acting_user=setup.coordinator)
    with pytest.raises(ValidationError):
        services.acceptance_record(
            session=setup.joint, region=setup.other, acting_user=setup.other_coordinator, accepted=False
        )
    with pytest.raises(ValidationError):
        services.acceptance_record(
            session=setup.sessions[2], region=setup.region, acting_user=setup.coordinator
        )
    assert DocumentAcceptance.objects.count() == 1


def test_materials_from_another_region_cannot_be_attached(setup):
    mine = services.material_save(
        acting_user=setup.coordinator,
        region=setup.region,
        title="Звіт",
        kind="report",
        language="uk",
        url="https://example.org/r",
    )
    theirs = services.material_save(
        acting_user=setup.other_coordinator,
        region=setup.other,
        title="Чужий",
        kind="report",
        language="uk",
        url="https://example.org/o",
    )
    services.session_materials_set(session=setup.sessions[3], materials=[mine], acting_user=setup.coordinator)
    with pytest.raises(ValidationError):
        services.session_materials_set(
            session=setup.sessions[3], materials=[mine, theirs], acting_user=setup.coordinator
        )
    assert list(setup.sessions[3].materials.all()) == [mine]
    with pytest.raises(ValidationError):
        services.material_save(
            acting_user=setup.coordinator,
            region=setup.region,
            title="Без посилання",
            kind="report",
            language="uk",
            url="",
        )


def test_joint_session_ensure_is_for_programme_leads(setup):
    other_programme = f.ProgrammeFactory()
    with pytest.raises(PermissionDenied):
        services.session_joint_ensure(programme=other_programme, acting_user=setup.coordinator)
    session = services.session_joint_ensure(programme=setup.programme, acting_user=setup.lead)
    assert session == setup.joint
