"""Celery tasks of the agenda app: thin wrappers around one service each, queued after commit.

Both are idempotent, so acks_late redelivery (settings: CELERY_TASK_ACKS_LATE and
CELERY_TASK_REJECT_ON_WORKER_LOST) can run them again after a worker died without harm.
"""

import os
import time

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from .memorandum_services import MAX_PDF_ATTEMPTS, PdfRenderFailed, revision_pdf_render
from .memorandum_tokens import SIGNING_LINK_TTL, make_signing_token
from .models import Signature

# Test-only switch: seconds to sleep before rendering, so that the integration test can kill the worker
# in the middle of a render. Set only in that test's worker subprocess environment.
RENDER_DELAY_ENV = "CA_TEST_PDF_RENDER_DELAY"


def _render_delay() -> float:
    try:
        return max(0.0, float(os.environ.get(RENDER_DELAY_ENV, "") or 0))
    except ValueError:
        return 0.0


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=MAX_PDF_ATTEMPTS,
    default_retry_delay=10,
)
def render_memorandum_revision_pdf(self, revision_id: int, content_hash: str) -> str:
    """Render and store the signed PDF of one revision (keyed by its content hash, so a task queued for
    a superseded text does nothing). The row's pdf_attempts bounds the attempts, redeliveries after a
    lost worker included."""
    delay = _render_delay()
    try:
        return revision_pdf_render(
            revision_id=revision_id,
            content_hash=content_hash,
            before_render=(lambda: time.sleep(delay)) if delay else None,
        )
    except PdfRenderFailed as exc:
        if exc.retry:
            raise self.retry(exc=exc, countdown=5 * (self.request.retries + 1)) from exc
        return "failed"


@shared_task(acks_late=True, max_retries=5, default_retry_delay=60, autoretry_for=(OSError,))
def send_signing_link_email(signature_id: int, sent_key: str) -> bool:
    """E-mail the personal signing link in the signer's language (text and HTML). `sent_key` is the
    `link_sent_at` it was queued for: a link sent again since, a signature no longer pending or a
    superseded revision sends nothing. Returns whether an e-mail went out."""
    signature = (
        Signature.objects.select_related(
            "revision__memorandum__agenda__region", "signatory__person__user", "signatory__organisation"
        )
        .filter(pk=signature_id)
        .first()
    )
    if signature is None or signature.link_sent_at is None or signature.link_sent_at.isoformat() != sent_key:
        return False
    revision = signature.revision
    person = signature.signatory.person
    if (
        signature.status != Signature.Status.PENDING
        or revision.superseded_at
        or person is None
        or not person.email
    ):
        return False
    memorandum = revision.memorandum
    link = settings.SITE_URL + reverse(
        "memoranda:signature-sign-link",
        kwargs={
            "region": memorandum.agenda.region.slug,
            "pk": memorandum.pk,
            "signature_pk": signature.pk,
            "token": make_signing_token(signature),
        },
    )
    language = (
        person.preferred_language or (person.user.language if person.user else "") or settings.LANGUAGE_CODE
    )
    with translation.override(language):
        context = {
            "person": person,
            "organisation": signature.signatory.organisation,
            "memorandum": memorandum,
            "revision": revision,
            "link": link,
            "ttl_days": SIGNING_LINK_TTL.days,
        }
        subject = render_to_string("memoranda/email/signing_link_subject.txt", context).strip()
        text = render_to_string("memoranda/email/signing_link.txt", context)
        html = render_to_string("memoranda/email/signing_link.html", context)
    message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [person.email])
    message.attach_alternative(html, "text/html")
    message.send()
    return True
