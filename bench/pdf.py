"""Memorandum PDF benchmarks (run by bench/run.sh with a Celery worker already starting):

1. render time of `agenda.pdf.render_memorandum_pdf` against bare WeasyPrint on the same HTML (same
   base URL and static-only fetcher, so both load the same stylesheet and fonts), in this process;
2. end-to-end latency: the last signature is given, the worker renders and stores the signed PDF —
   time until the revision is READY, with an idle (warmed) worker;
3. throughput: the last signatures of N memoranda are given at once; PDFs ready per second with the
   worker's two processes.

The memoranda belong to a bench region (prefix "pdf") whose number of parties gives a ~5-page PDF.
"""

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

import weasyprint  # noqa: E402
from django.db import transaction  # noqa: E402

from accounts.models import User  # noqa: E402
from agenda import memorandum_services as services  # noqa: E402
from agenda import pdf as agenda_pdf  # noqa: E402
from agenda.models import MemorandumRevision  # noqa: E402
from config.celery import app  # noqa: E402
from regions import scale_data  # noqa: E402
from regions.models import Agenda  # noqa: E402

PREFIX = "pdf"
READY = MemorandumRevision.PdfStatus.READY
FAILED = MemorandumRevision.PdfStatus.FAILED


def wait_for_worker(timeout: float = 60) -> float:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if app.control.ping(timeout=0.5):
            return time.monotonic() - started
        time.sleep(0.2)
    raise SystemExit("the Celery worker did not answer within 60 s")


def prepare_region(parties: int):
    scale_data.reset(PREFIX)
    scale_data.seed(1, parties, prefix=PREFIX)
    agenda = Agenda.objects.select_related("region").get(region__slug=scale_data.region_slug(PREFIX, 1))
    coordinator = User.objects.get(email=scale_data.coordinator_email(PREFIX, 1))
    return agenda, coordinator


def signed_but_one(agenda, coordinator):
    """A memorandum open for signature, signed by every party but the last; returns that signature."""
    with transaction.atomic():
        memorandum = services.memorandum_draft_from_agenda(agenda=agenda, acting_user=coordinator)
        revision = services.memorandum_open_for_signature(memorandum=memorandum, acting_user=coordinator)
    signatures = list(
        revision.signatures.select_related("signatory__person__user").order_by("signatory__order")
    )
    for signature in signatures[:-1]:
        sign(signature, revision)
    return signatures[-1], revision


def sign(signature, revision):
    user = signature.signatory.person.user
    services.signature_sign(
        signature=signature,
        acting_user=user,
        typed_name=user.full_name,
        consent=True,
        content_hash=revision.content_hash,
        ctx=services.SigningContext(ip_address="127.0.0.1", user_agent="bench/1.0"),
    )


def wait_ready(revision_ids, timeout: float = 300) -> dict[int, float]:
    """Poll until every revision is READY; returns when each was first seen ready (monotonic)."""
    pending, seen = set(revision_ids), {}
    deadline = time.monotonic() + timeout
    while pending and time.monotonic() < deadline:
        rows = dict(MemorandumRevision.objects.filter(pk__in=pending).values_list("pk", "pdf_status"))
        now = time.monotonic()
        for pk, status in rows.items():
            if status == FAILED:
                raise SystemExit(f"PDF of revision {pk} failed")
            if status == READY:
                seen[pk] = now
                pending.discard(pk)
        time.sleep(0.01)
    if pending:
        raise SystemExit(f"{len(pending)} PDFs not ready after {timeout} s")
    return seen


def render_comparison(revision, rounds: int) -> dict:
    captured = {}
    real_html = agenda_pdf.HTML

    def capturing(*args, **kwargs):
        captured.update(kwargs)
        return real_html(*args, **kwargs)

    agenda_pdf.HTML = capturing
    try:
        agenda_pdf.render_memorandum_pdf(revision)  # warm-up (imports, fonts)
    finally:
        agenda_pdf.HTML = real_html
    html = captured["string"]

    def bare():
        return weasyprint.HTML(
            string=html, base_url=agenda_pdf.STATIC_BASE, url_fetcher=agenda_pdf.StaticOnlyFetcher()
        ).write_pdf()

    pages = len(
        weasyprint.HTML(
            string=html, base_url=agenda_pdf.STATIC_BASE, url_fetcher=agenda_pdf.StaticOnlyFetcher()
        )
        .render()
        .pages
    )
    app_times, bare_times = [], []
    for _ in range(rounds):  # interleaved, so that the machine's noise hits both alike
        t = time.perf_counter()
        data = agenda_pdf.render_memorandum_pdf(revision)
        app_times.append(time.perf_counter() - t)
        t = time.perf_counter()
        bare()
        bare_times.append(time.perf_counter() - t)
    app_median, bare_median = statistics.median(app_times), statistics.median(bare_times)
    return {
        "pages": pages,
        "pdf_bytes": len(data),
        "html_bytes": len(html.encode()),
        "rounds": rounds,
        "app_median_s": round(app_median, 4),
        "bare_median_s": round(bare_median, 4),
        "app_times_s": [round(x, 4) for x in app_times],
        "bare_times_s": [round(x, 4) for x in bare_times],
        "ratio": round(app_median / bare_median, 3),
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", required=True)
    parser.add_argument("--tasks", type=int, default=20, help="memoranda signed at once for the throughput")
    parser.add_argument("--latency-samples", type=int, default=3)
    parser.add_argument("--parties", type=int, default=int(os.environ.get("BENCH_PDF_PARTIES", "6")))
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()

    agenda, coordinator = prepare_region(args.parties)
    warm, latency_set, batch = 2, args.latency_samples, args.tasks
    prepared = [signed_but_one(agenda, coordinator) for _ in range(warm + latency_set + batch)]
    ready_after = wait_for_worker()
    print(f"  worker answered ping after {ready_after:.1f} s; {len(prepared)} memoranda prepared", flush=True)

    # Warm both worker processes (their first render imports WeasyPrint and loads the fonts).
    for signature, revision in prepared[:warm]:
        sign(signature, revision)
    wait_ready([r.pk for _, r in prepared[:warm]])
    time.sleep(1)

    latencies = []
    for signature, revision in prepared[warm : warm + latency_set]:
        started = time.monotonic()
        sign(signature, revision)  # commits, then queues the render (delay_on_commit)
        latencies.append(wait_ready([revision.pk])[revision.pk] - started)
        time.sleep(0.5)  # the worker is idle again

    started = time.monotonic()
    for signature, revision in prepared[warm + latency_set :]:
        sign(signature, revision)
    signed_in = time.monotonic() - started
    seen = wait_ready([r.pk for _, r in prepared[warm + latency_set :]])
    elapsed = max(seen.values()) - started

    comparison = render_comparison(
        MemorandumRevision.objects.select_related("memorandum").get(pk=prepared[0][1].pk), args.rounds
    )
    result = {
        "parties": args.parties,
        "render": comparison,
        "latency_s": {
            "samples": [round(x, 3) for x in latencies],
            "median": round(statistics.median(latencies), 3),
            "max": round(max(latencies), 3),
        },
        "throughput": {
            "tasks": batch,
            "signing_s": round(signed_in, 3),
            "elapsed_s": round(elapsed, 3),
            "pdfs_per_s": round(batch / elapsed, 2),
        },
    }
    Path(args.out).write_text(json.dumps(result, indent=2))
    print(
        f"  {comparison['pages']}-page memorandum: app {comparison['app_median_s']} s vs bare "
        f"{comparison['bare_median_s']} s (x{comparison['ratio']}); latency median "
        f"{result['latency_s']['median']} s; {result['throughput']['pdfs_per_s']} PDFs/s",
        flush=True,
    )


if __name__ == "__main__":
    main()
