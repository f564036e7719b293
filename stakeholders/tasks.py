from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from .models import RoleMatrixEntry
from .services import reminder_recipients, with_reminder_people


@shared_task(acks_late=True, max_retries=5, default_retry_delay=60, autoretry_for=(OSError,))
def send_role_reminders(entry_ids: list[int], requested_key: str) -> int:
    """E-mail the representatives of the given role-matrix rows, each in their own language, asking
    them to complete and confirm their row. `requested_key` is the `reminder_requested_at` the reminder
    was queued for: a row reminded again since, already confirmed, or already mailed for this request
    (a redelivered task) is skipped. Returns the number of e-mails sent."""
    entries = with_reminder_people(
        RoleMatrixEntry.objects.filter(pk__in=entry_ids).select_related("agenda__region")
    ).order_by("pk")
    sent = 0
    for entry in entries:
        requested = entry.reminder_requested_at
        if requested is None or requested.isoformat() != requested_key or entry.is_confirmed:
            continue
        if entry.reminder_sent_at is not None and entry.reminder_sent_at >= requested:
            continue
        agenda, region = entry.agenda, entry.agenda.region
        link = (
            settings.SITE_URL
            + reverse("stakeholders:role-entry-list", kwargs={"region": region.slug, "year": agenda.year})
            + f"#org-{entry.organisation_id}"
        )
        for person in reminder_recipients(entry):
            with translation.override(person.preferred_language or settings.LANGUAGE_CODE):
                context = {
                    "person": person,
                    "entry": entry,
                    "organisation": entry.organisation,
                    "agenda": agenda,
                    "region": region,
                    "link": link,
                }
                subject = render_to_string("stakeholders/email/role_reminder_subject.txt", context).strip()
                text = render_to_string("stakeholders/email/role_reminder.txt", context)
                html = render_to_string("stakeholders/email/role_reminder.html", context)
            message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [person.email])
            message.attach_alternative(html, "text/html")
            message.send()
            sent += 1
        RoleMatrixEntry.objects.filter(pk=entry.pk, reminder_requested_at=requested).update(
            reminder_sent_at=timezone.now()
        )
    return sent
