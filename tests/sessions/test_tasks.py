"""E-mails of the session workflow: the invitation carries the .ics in the recipient's language, a
superseded invitation sends nothing, and the beat task reminds each invitee once, 24 hours ahead."""

import datetime

import icalendar
import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone

from sessions import services, tasks
from sessions.models import Attendance, Session

pytestmark = pytest.mark.django_db


def test_invitation_email_carries_the_calendar_entry(setup, django_capture_on_commit_callbacks):
    session = setup.sessions[3]
    with django_capture_on_commit_callbacks(execute=True):
        services.attendance_invite(session=session, people=[setup.rep], acting_user=setup.coordinator)
    (message,) = mail.outbox
    assert message.to == ["rep@example.org"]
    assert "Запрошення" in message.subject or "Invitation" in message.subject
    (name, content, mimetype) = message.attachments[0]
    assert name == "session.ics" and mimetype.startswith("text/calendar")
    (event,) = icalendar.Calendar.from_ical(content).walk("VEVENT")
    assert event.decoded("dtstart") == session.starts_at
    assert session.get_absolute_url() in message.body


def test_superseded_invitation_sends_nothing(setup):
    (row,) = services.attendance_invite(
        session=setup.sessions[3], people=[setup.rep], acting_user=setup.coordinator, send_email=False
    )
    stale = (row.invited_at - datetime.timedelta(minutes=1)).isoformat()
    assert tasks.send_session_invitation(row.pk, stale) is False
    assert tasks.send_session_invitation(row.pk, row.invited_at.isoformat()) is True
    assert len(mail.outbox) == 1


def test_update_is_sent_for_the_latest_version_only(setup, django_capture_on_commit_callbacks):
    session = setup.sessions[3]
    services.attendance_invite(
        session=session, people=[setup.rep], acting_user=setup.coordinator, send_email=False
    )
    with django_capture_on_commit_callbacks(execute=True):
        session = services.session_update(
            session=session,
            acting_user=setup.coordinator,
            version=session.version,
            notify=True,
            venue="Новий зал",
        )
    assert len(mail.outbox) == 1 and "Новий зал" in mail.outbox[0].body
    row = Attendance.objects.get(session=session)
    assert tasks.send_session_update(row.pk, session.version - 1) is False


def test_reminders_go_out_once_a_day_ahead_and_again_after_a_reschedule(setup):
    soon, later = setup.sessions[2], setup.sessions[3]
    Session.objects.filter(pk=soon.pk).update(starts_at=timezone.now() + datetime.timedelta(hours=20))
    Session.objects.filter(pk=later.pk).update(starts_at=timezone.now() + datetime.timedelta(hours=30))
    services.attendance_invite(
        session=soon, people=[setup.rep], acting_user=setup.coordinator, send_email=False
    )
    declined = setup.rep.organisation.people.create(full_name="Директор", email="dir@example.org")
    (row,) = services.attendance_invite(
        session=soon, people=[declined], acting_user=setup.coordinator, send_email=False
    )
    Attendance.objects.filter(pk=row.pk).update(reply=Attendance.Reply.DECLINED)
    services.attendance_invite(
        session=later, people=[setup.rep], acting_user=setup.coordinator, send_email=False
    )

    assert tasks.send_session_reminders() == 1
    assert mail.outbox[0].to == ["rep@example.org"] and mail.outbox[0].attachments
    assert tasks.send_session_reminders() == 0  # a second run (or a redelivered task) sends nothing

    soon.refresh_from_db()
    services.session_update(
        session=soon,
        acting_user=setup.coordinator,
        version=soon.version,
        starts_at=soon.starts_at + datetime.timedelta(hours=2),
    )
    assert tasks.send_session_reminders() == 1
    assert len(mail.outbox) == 2


def test_cancelled_sessions_are_not_reminded(setup):
    session = setup.sessions[2]
    Session.objects.filter(pk=session.pk).update(starts_at=timezone.now() + datetime.timedelta(hours=5))
    services.attendance_invite(
        session=session, people=[setup.rep], acting_user=setup.coordinator, send_email=False
    )
    services.session_cancel(session=session, acting_user=setup.coordinator, reason="Немає кворуму")
    assert tasks.send_session_reminders() == 0


def test_reminders_are_scheduled_in_celery_beat():
    schedule = settings.CELERY_BEAT_SCHEDULE["session-reminders"]
    assert schedule["task"] == "sessions.tasks.send_session_reminders"
    assert schedule["schedule"] <= 60 * 60
