from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from .models import Invitation
from .tokens import make_invitation_token


@shared_task(acks_late=True, max_retries=5, default_retry_delay=60, autoretry_for=(OSError,))
def send_invitation_email(invitation_id: int, sent_key: str) -> bool:
    """E-mail the invitation link in the recipient's language. `sent_key` is the `sent_at` it was queued
    for: a superseded send (resent since) or a used/revoked invitation sends nothing. Returns whether
    an e-mail went out."""
    invitation = Invitation.objects.select_related("user", "person__organisation", "region", "invited_by").filter(pk=invitation_id).first()
    if invitation is None or invitation.sent_at is None or invitation.sent_at.isoformat() != sent_key:
        return False
    if invitation.accepted_at or invitation.revoked_at:
        return False
    token = make_invitation_token(invitation)
    link = settings.SITE_URL + reverse("accounts:invitation-accept", kwargs={"pk": invitation.pk, "token": token})
    language = invitation.person.preferred_language or invitation.user.language or settings.LANGUAGE_CODE
    with translation.override(language):
        context = {
            "invitation": invitation,
            "person": invitation.person,
            "organisation": invitation.person.organisation,
            "region": invitation.region,
            "link": link,
            "ttl_days": settings.INVITATION_TTL.days,
        }
        subject = render_to_string("accounts/email/invitation_subject.txt", context).strip()
        text = render_to_string("accounts/email/invitation.txt", context)
        html = render_to_string("accounts/email/invitation.html", context)
    message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [invitation.user.email])
    message.attach_alternative(html, "text/html")
    message.send()
    return True
