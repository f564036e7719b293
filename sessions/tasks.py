"""E-mails about sessions: invitations and updates (queued after commit by sessions.services) and the
24-hour reminders (Celery beat, CELERY_BEAT_SCHEDULE). Each e-mail carries the session's .ics and is
written in the recipient's language. Tasks are idempotent: a superseded invitation or update sends
nothing, and a reminder is claimed on its row before it is sent."""

import logging

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import timezone, translation

from .ics import session_ics
from .models import KYIV, OPEN_STATUSES, Attendance
from .services import attendance_claim_reminder, reminders_due

logger = logging.getLogger(__name__)

ICS_ATTACHMENT_TYPE = "text/calendar; method=PUBLISH; charset=utf-8"


def _attendance(attendance_id: int) -> Attendance | None:
    return (
        Attendance.objects.select_related(
            "person__user",
            "organisation",
            "session__kind",
            "session__agenda__region",
            "session__programme",
            "session__facilitator",
        )
        .filter(pk=attendance_id)
        .first()
    )


def _send(attendance: Attendance, purpose: str) -> None:
    """Render and send one e-mail (`purpose`: invitation, update or reminder) with the .ics attached."""
    session, person = attendance.session, attendance.person
    language = (
        person.preferred_language
        or (person.user.language if person.user_id else "")
        or settings.LANGUAGE_CODE
    )
    with translation.override(language):
        context = {
            "purpose": purpose,
            "attendance": attendance,
            "person": person,
            "session": session,
            "starts": session.starts_at.astimezone(KYIV) if session.starts_at else None,
            "items": list(session.items.all()),
            "link": settings.SITE_URL + session.get_absolute_url(),
        }
        subject = " ".join(render_to_string("sessions/email/session_subject.txt", context).split())
        text = render_to_string("sessions/email/session.txt", context)
        html = render_to_string("sessions/email/session.html", context)
        ics = session_ics(session) if session.starts_at else None
    message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [person.email])
    message.attach_alternative(html, "text/html")
    if ics:
        message.attach("session.ics", ics, ICS_ATTACHMENT_TYPE)
    message.send()


@shared_task(acks_late=True, max_retries=5, default_retry_delay=60, autoretry_for=(OSError,))
def send_session_invitation(attendance_id: int, invited_key: str) -> bool:
    """The invitation queued when the person was invited at `invited_key` (invited_at, ISO). An
    invitation re-sent since, withdrawn, or for a session no longer open sends nothing."""
    attendance = _attendance(attendance_id)
    if (
        attendance is None
        or attendance.invited_at is None
        or attendance.invited_at.isoformat() != invited_key
    ):
        return False
    if attendance.session.status not in OPEN_STATUSES or not attendance.person.email:
        return False
    _send(attendance, "invitation")
    return True


@shared_task(acks_late=True, max_retries=5, default_retry_delay=60, autoretry_for=(OSError,))
def send_session_update(attendance_id: int, version: int) -> bool:
    """The changed date or place, queued for `version` of the session; a later change supersedes it."""
    attendance = _attendance(attendance_id)
    if attendance is None or attendance.session.version != version or not attendance.person.email:
        return False
    if attendance.reply == Attendance.Reply.DECLINED:
        return False
    _send(attendance, "update")
    return True


@shared_task(acks_late=True)
def send_session_reminders() -> int:
    """Beat task: remind everyone invited (and not declined) of a session starting within 24 hours.
    Each invitation is claimed before sending, so overlapping runs send each reminder once; a failed
    send releases the claim for the next run. Returns the number of e-mails sent."""
    sent = 0
    due = reminders_due().values_list("pk", "session__starts_at")
    for attendance_id, starts_at in list(due):
        if not attendance_claim_reminder(attendance_id=attendance_id, starts_at=starts_at):
            continue
        attendance = _attendance(attendance_id)
        try:
            _send(attendance, "reminder")
        except OSError:
            logger.exception("reminder for attendance %s failed; will retry on the next run", attendance_id)
            Attendance.objects.filter(pk=attendance_id, reminded_for=starts_at).update(
                reminded_for=None, updated_at=timezone.now()
            )
            continue
        sent += 1
    return sent
