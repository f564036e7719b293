"""The seeded Kherson memorandum is frozen exactly as the platform freezes one; three parties signed in
wet ink, and the two demo signatories with logins complete it, which renders the signed PDF."""

import pytest
from django.core.management import call_command

from accounts.models import User
from agenda import memorandum_canonical as canonical
from agenda import memorandum_services as services
from agenda.models import Memorandum, MemorandumRevision, MemorandumStatus, Signature

pytestmark = pytest.mark.django_db


def test_seeded_kherson_memorandum_is_consistent_and_signable_by_two_demo_users(
    django_capture_on_commit_callbacks,
):
    call_command("seed_demo", verbosity=0, stdout=open("/dev/null", "w"))  # noqa: SIM115
    memorandum = Memorandum.objects.get(agenda__region__slug="khersonska")
    revision = services.current_revision(memorandum)

    assert memorandum.status == MemorandumStatus.READY and revision.is_frozen
    assert revision.content_hash == canonical.content_hash(revision.content_snapshot)
    assert revision.content_hash == canonical.content_hash(canonical.revision_snapshot(revision))
    assert services.revision_by_code(revision.verification_code) == revision
    assert (
        revision.signatures.filter(status=Signature.Status.SIGNED, method=Signature.Method.WET_INK).count()
        == 3
    )
    assert revision.signatures.filter(status=Signature.Status.PENDING).count() == 2

    for email in ("rep.cluster.kherson@demo.common-agenda.local", "rep.rda.kherson@demo.common-agenda.local"):
        user = User.objects.get(email=email)
        signature = next(
            s for s in revision.signatures.select_related("signatory__person") if services.is_signer(user, s)
        )
        with django_capture_on_commit_callbacks(execute=True):
            services.signature_sign(
                signature=signature,
                acting_user=user,
                typed_name=user.full_name,
                consent=True,
                content_hash=revision.content_hash,
                ctx=services.SigningContext(ip_address="127.0.0.1"),
            )
    assert revision.signatures.filter(status=Signature.Status.SIGNED).count() == 5
    memorandum.refresh_from_db()
    revision.refresh_from_db()
    assert memorandum.status == MemorandumStatus.SIGNED
    # Celery runs eagerly in ordinary tests: the last signature queued the render, which stored the PDF.
    assert revision.pdf_status == MemorandumRevision.PdfStatus.READY
    assert revision.pdf_file.read(5) == b"%PDF-"
