"""The PDF task, called directly: idempotent, keyed by the revision's content hash, bounded attempts."""

import pytest

from agenda import memorandum_services as services
from agenda import pdf as pdf_module
from agenda.models import MemorandumEvent, MemorandumRevision
from agenda.tasks import render_memorandum_revision_pdf
from config.celery import app as celery_app

from .conftest import open_memorandum, sign

pytestmark = pytest.mark.django_db
PdfStatus = MemorandumRevision.PdfStatus


@pytest.fixture
def signed(world):
    memorandum = open_memorandum(world)
    for key in world.orgs:
        sign(world, memorandum, key)  # the task is queued on commit; these tests run it themselves
    return MemorandumRevision.objects.get(memorandum=memorandum)


def stored_pdfs(settings) -> list:
    root = settings.MEDIA_ROOT / "memoranda" / "pdf"
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def test_running_the_task_twice_stores_exactly_one_pdf(signed, settings):
    assert render_memorandum_revision_pdf.apply(args=(signed.pk, signed.content_hash)).get() == "ready"
    first = MemorandumRevision.objects.get(pk=signed.pk)

    again = render_memorandum_revision_pdf.apply(args=(signed.pk, signed.content_hash)).get()

    assert again == "already-ready"
    second = MemorandumRevision.objects.get(pk=signed.pk)
    assert (second.pdf_hash, second.pdf_file.name, second.pdf_attempts) == (
        first.pdf_hash,
        first.pdf_file.name,
        1,
    )
    assert len(stored_pdfs(settings)) == 1
    assert MemorandumEvent.objects.filter(kind=MemorandumEvent.Kind.RENDERED).count() == 1


def test_a_rerun_after_a_crash_between_storing_and_committing_overwrites_the_orphan(signed, settings):
    """A worker that died after writing the file but before committing leaves an orphan under the
    revision's fixed name; the re-run replaces it instead of adding a second file."""
    orphan = settings.MEDIA_ROOT / services.pdf_storage_name(signed)
    orphan.parent.mkdir(parents=True)
    orphan.write_bytes(b"half-written")
    MemorandumRevision.objects.filter(pk=signed.pk).update(pdf_status=PdfStatus.RENDERING, pdf_attempts=1)

    assert render_memorandum_revision_pdf.apply(args=(signed.pk, signed.content_hash)).get() == "ready"

    revision = MemorandumRevision.objects.get(pk=signed.pk)
    assert stored_pdfs(settings) == [orphan] and orphan.read_bytes().startswith(b"%PDF")
    assert revision.pdf_attempts == 2


def test_a_task_for_another_text_does_nothing(signed):
    assert render_memorandum_revision_pdf.apply(args=(signed.pk, "0" * 64)).get() == "stale"
    assert MemorandumRevision.objects.get(pk=signed.pk).pdf_status == PdfStatus.QUEUED


def test_an_unsigned_revision_is_not_rendered(world):
    revision = open_memorandum(world).revisions.get()

    assert (
        render_memorandum_revision_pdf.apply(args=(revision.pk, revision.content_hash)).get() == "not-signed"
    )


def test_failures_are_retried_then_recorded_on_the_row(signed, monkeypatch):
    calls = []

    def broken(revision, **kwargs):
        calls.append(revision.pk)
        raise RuntimeError("fonts missing")

    monkeypatch.setattr(pdf_module, "render_memorandum_pdf", broken)
    # Eager retries run inline only when exceptions are not propagated (as in a worker).
    propagates = celery_app.conf.task_eager_propagates
    celery_app.conf.task_eager_propagates = False
    try:
        result = render_memorandum_revision_pdf.apply(args=(signed.pk, signed.content_hash))
    finally:
        celery_app.conf.task_eager_propagates = propagates

    revision = MemorandumRevision.objects.get(pk=signed.pk)
    assert len(calls) == services.MAX_PDF_ATTEMPTS  # the eager retries ran the task again
    assert revision.pdf_status == PdfStatus.FAILED and "fonts missing" in revision.pdf_error
    assert revision.pdf_attempts == services.MAX_PDF_ATTEMPTS
    assert result.get() == "failed"
    assert MemorandumEvent.objects.filter(kind=MemorandumEvent.Kind.RENDER_FAILED).count() == 1


def test_attempts_are_bounded_even_when_the_worker_keeps_dying(signed):
    """Redeliveries after a lost worker count too: once the attempts are used up the task gives up."""
    MemorandumRevision.objects.filter(pk=signed.pk).update(
        pdf_status=PdfStatus.RENDERING, pdf_attempts=services.MAX_PDF_ATTEMPTS
    )

    assert render_memorandum_revision_pdf.apply(args=(signed.pk, signed.content_hash)).get() == "gave-up"

    revision = MemorandumRevision.objects.get(pk=signed.pk)
    assert revision.pdf_status == PdfStatus.FAILED and str(services.MAX_PDF_ATTEMPTS) in revision.pdf_error


def test_task_is_acks_late_and_rejected_on_worker_loss():
    assert render_memorandum_revision_pdf.acks_late is True
    assert render_memorandum_revision_pdf.reject_on_worker_lost is True
