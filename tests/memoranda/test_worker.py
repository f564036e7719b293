"""Integration with a REAL Celery worker (Redis broker, PostgreSQL test database): the signed PDF is
rendered by the worker process, and a worker killed in the middle of a render leads to the task running
again (acks_late + reject_on_worker_lost) with exactly one stored PDF in the end.

Locally without Redis/PostgreSQL these tests skip; CI (REQUIRE_SERVICES=1) fails them instead."""

import hashlib
import os
import signal
import time

import pytest

from agenda.models import MemorandumEvent, MemorandumRevision
from agenda.tasks import RENDER_DELAY_ENV

from .conftest import build_world, open_memorandum, pdf_text, sign

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]
PdfStatus = MemorandumRevision.PdfStatus


def wait_for(predicate, *, timeout: float, what: str, worker=None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    log = worker.log_text()[-4000:] if worker else ""
    pytest.fail(f"timed out after {timeout} s waiting for {what}\n{log}")


def revision_row(pk) -> MemorandumRevision:
    return MemorandumRevision.objects.get(pk=pk)


def stored_pdfs(settings) -> list:
    root = settings.MEDIA_ROOT / "memoranda" / "pdf"
    return sorted(p for p in root.rglob("*.pdf")) if root.exists() else []


def sign_everyone(world):
    memorandum = open_memorandum(world)
    for key in world.orgs:
        sign(world, memorandum, key)  # the last signature queues the task after commit
    return memorandum.revisions.get()


def test_real_worker_renders_the_signed_memorandum(celery_worker, settings, tmp_path):
    world = build_world()
    revision = sign_everyone(world)
    assert revision_row(revision.pk).pdf_status in (PdfStatus.QUEUED, PdfStatus.RENDERING, PdfStatus.READY)

    done = wait_for(
        lambda: (r := revision_row(revision.pk)).pdf_status in (PdfStatus.READY, PdfStatus.FAILED) and r,
        timeout=120,
        what="the worker to render the PDF",
        worker=celery_worker,
    )

    assert done.pdf_status == PdfStatus.READY, done.pdf_error
    files = stored_pdfs(settings)
    assert len(files) == 1 and hashlib.sha256(files[0].read_bytes()).hexdigest() == done.pdf_hash
    text = " ".join(pdf_text(files[0].read_bytes(), tmp_path).split())
    assert "Меморандум про співпрацю" in text and done.verification_code in text
    assert MemorandumEvent.objects.filter(revision=done, kind=MemorandumEvent.Kind.RENDERED).count() == 1


@pytest.mark.celery_worker_env(**{RENDER_DELAY_ENV: "4"})
def test_worker_killed_mid_render_runs_the_task_again_and_stores_one_pdf(celery_worker, settings):
    world = build_world()
    revision = sign_everyone(world)

    wait_for(
        lambda: revision_row(revision.pk).pdf_status == PdfStatus.RENDERING,
        timeout=60,
        what="the render to start",
        worker=celery_worker,
    )
    children = celery_worker.pool_children()
    assert len(children) == 1, children
    os.kill(children[0], signal.SIGKILL)  # the pool process doing the render dies mid-render

    done = wait_for(
        lambda: (r := revision_row(revision.pk)).pdf_status in (PdfStatus.READY, PdfStatus.FAILED) and r,
        timeout=120,
        what="the task to run again after the worker was lost",
        worker=celery_worker,
    )

    assert done.pdf_status == PdfStatus.READY, done.pdf_error
    assert done.pdf_attempts == 2  # the killed attempt and the redelivered one
    assert children[0] not in celery_worker.pool_children()
    files = stored_pdfs(settings)
    assert len(files) == 1 and hashlib.sha256(files[0].read_bytes()).hexdigest() == done.pdf_hash
    assert MemorandumEvent.objects.filter(revision=done, kind=MemorandumEvent.Kind.RENDERED).count() == 1
    assert "WorkerLostError" in celery_worker.log_text()
