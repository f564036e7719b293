"""Memorandum pages as a browser uses them: constant queries, CSP-clean HTML, signing by account and by
link, the PDF status block polled by htmx, download, retry, and the public verification page."""

import hashlib
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from agenda import memorandum_services as services
from agenda.memorandum_tokens import make_signing_token
from agenda.models import MemorandumEvent, MemorandumRevision, MemorandumStatus, Signature
from tests import factories as f

from .conftest import build_world, draft, open_memorandum, sign

pytestmark = pytest.mark.django_db
PdfStatus = MemorandumRevision.PdfStatus

INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc\s*=)[^>]*>", re.IGNORECASE)
INLINE_STYLE = re.compile(r"\sstyle\s*=|<style\b", re.IGNORECASE)


def assert_csp_clean(html: str) -> None:
    assert not INLINE_SCRIPT.search(html) and not INLINE_STYLE.search(html)


def detail_url(memorandum):
    return memorandum.get_absolute_url()


def sign_url(memorandum, signature):
    return reverse(
        "memoranda:signature-sign",
        kwargs={"region": memorandum.agenda.region.slug, "pk": memorandum.pk, "signature_pk": signature.pk},
    )


def signature_of(world, memorandum, key):
    return services.current_revision(memorandum).signatures.get(signatory__organisation=world.orgs[key])


def signed_with_pdf(world, capture):
    memorandum = open_memorandum(world)
    for key in ("oda", "city", "cluster"):
        sign(world, memorandum, key)
    with capture(execute=True):
        sign(world, memorandum, "university")
    return memorandum, MemorandumRevision.objects.get(memorandum=memorandum)


# -- lists and pages ------------------------------------------------------------------------------


def _list_queries(client, region) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("memoranda:memorandum-list", kwargs={"region": region.slug}))
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_list_runs_the_same_number_of_queries_for_few_and_many_memoranda(client, world):
    client.force_login(world.coordinator)
    draft(world)
    few = _list_queries(client, world.region)
    for _ in range(6):
        open_memorandum(world)

    many = _list_queries(client, world.region)

    assert many == few
    response = client.get(
        reverse("memoranda:memorandum-list", kwargs={"region": world.region.slug}) + "?status=ready"
    )
    assert response.content.decode().count("/memoranda/") >= 6
    assert_csp_clean(response.content.decode())


def test_list_is_paginated_and_keeps_its_filter(client, world):
    client.force_login(world.coordinator)
    for _ in range(21):
        services.memorandum_draft_from_agenda(agenda=world.agenda, acting_user=world.coordinator)

    response = client.get(
        reverse("memoranda:memorandum-list", kwargs={"region": world.region.slug}) + "?status=draft"
    )

    assert response.context["page_obj"].paginator.num_pages == 2
    assert "status=draft&amp;page=2" in response.content.decode()


def _detail_queries(client, memorandum) -> int:
    url = detail_url(memorandum)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_detail_runs_the_same_number_of_queries_for_few_and_many_parties_and_events(client):
    small, large = build_world("small-region", "UA-21"), build_world("large-region", "UA-22")
    for n in range(8):
        org = f.OrganisationFactory(region=large.region, name_uk=f"Підприємство {n}")
        person = f.PersonFactory(organisation=org, user=f.UserFactory())
        f.RoleMatrixEntryFactory(
            agenda=large.agenda, organisation=org, representative=person, commitment="Обладнання"
        )
    memo_small, memo_large = open_memorandum(small), open_memorandum(large)
    for key in ("oda", "city", "cluster"):
        sign(large, memo_large, key)
    admin = f.UserFactory(is_superuser=True, is_staff=True)
    client.force_login(admin)
    _detail_queries(client, memo_small)  # warm caches (content types, sessions)

    assert _detail_queries(client, memo_small) == _detail_queries(client, memo_large)


def test_detail_shows_the_frozen_text_hash_signatures_and_audit_trail(client, world):
    memorandum = open_memorandum(world)
    sign(world, memorandum, "cluster")
    revision = memorandum.revisions.get()
    client.force_login(world.users["city"])

    html = client.get(detail_url(memorandum)).content.decode()

    assert revision.content_hash in html and revision.verification_code in html
    assert world.orgs["cluster"].name_uk in html and "Підписант cluster" in html
    assert "Opened for signature" in html or "Відкрито" in html
    assert 'src="data:image/svg+xml' in html  # the QR code
    assert (
        sign_url(memorandum, signature_of(world, memorandum, "city")) in html
    )  # their own pending signature
    assert sign_url(memorandum, signature_of(world, memorandum, "oda")) not in html
    assert_csp_clean(html)


def test_region_b_coordinator_gets_404_and_observer_cannot_edit(client, world):
    memorandum = draft(world)
    other = build_world("region-b", "UA-30")
    client.force_login(other.coordinator)
    assert client.get(detail_url(memorandum)).status_code == 404
    observer = f.UserFactory()
    f.RegionMembershipFactory(user=observer, region=world.region, role="observer")
    client.force_login(observer)
    assert client.get(detail_url(memorandum)).status_code == 200
    edit = reverse("memoranda:memorandum-update", kwargs={"region": world.region.slug, "pk": memorandum.pk})
    assert client.get(edit).status_code == 403


def test_edit_form_rerenders_with_the_users_text_on_a_concurrent_edit(client, world):
    memorandum = draft(world)
    revision = memorandum.revisions.get()
    services.memorandum_update(
        memorandum=memorandum, acting_user=world.coordinator, version=revision.version, body="Чужа правка"
    )
    client.force_login(world.coordinator)
    url = reverse("memoranda:memorandum-update", kwargs={"region": world.region.slug, "pk": memorandum.pk})

    response = client.post(
        url,
        {"version": revision.version, "title_uk": "Заголовок", "language": "uk", "body": "Моя правка тексту"},
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert "Someone else changed" in html and "Моя правка тексту" in html
    assert MemorandumRevision.objects.get(pk=revision.pk).body == "Чужа правка"


def test_create_draft_and_open_through_the_pages(client, world):
    client.force_login(world.coordinator)
    response = client.post(
        reverse("memoranda:memorandum-create", kwargs={"region": world.region.slug}),
        {"agenda": world.agenda.pk, "language": "uk"},
    )
    memorandum = world.agenda.memoranda.get()
    assert response.status_code == 302 and response["Location"] == detail_url(memorandum)

    response = client.post(
        reverse("memoranda:memorandum-open", kwargs={"region": world.region.slug, "pk": memorandum.pk})
    )

    memorandum.refresh_from_db()
    assert response.status_code == 302 and memorandum.status == MemorandumStatus.READY


def test_parties_page_changes_a_signer_position(client, world):
    memorandum = draft(world)
    revision = memorandum.revisions.get()
    client.force_login(world.coordinator)
    url = reverse("memoranda:memorandum-parties", kwargs={"region": world.region.slug, "pk": memorandum.pk})
    data = {"version": revision.version}
    for s in memorandum.signatories.all():
        p = f"p{s.pk}-"
        data.update(
            {
                p + "order": s.order,
                p + "party_role": s.party_role,
                p + "side": s.side,
                p + "person": s.person_id or "",
                p + "signer_position_uk": s.signer_position_uk,
                p + "signer_position_en": s.signer_position_en,
                p + "own_obligations": s.own_obligations,
            }
        )
    city = memorandum.signatories.get(organisation=world.orgs["city"])
    data[f"p{city.pk}-signer_position_uk"] = "Секретар міської ради"

    response = client.post(url, data)

    assert response.status_code == 302
    city.refresh_from_db()
    assert city.signer_position_uk == "Секретар міської ради"


def test_preview_is_a_watermarked_pdf(client, world):
    memorandum = draft(world)
    client.force_login(world.users["cluster"])

    response = client.get(
        reverse("memoranda:memorandum-preview", kwargs={"region": world.region.slug, "pk": memorandum.pk})
    )

    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


# -- signing --------------------------------------------------------------------------------------


def test_signatory_signs_in_the_browser_and_a_second_submit_is_refused(client, world):
    memorandum = open_memorandum(world)
    signature = signature_of(world, memorandum, "cluster")
    revision = memorandum.revisions.get()
    client.force_login(world.users["cluster"])
    page = client.get(sign_url(memorandum, signature))
    assert page.status_code == 200 and revision.content_hash in page.content.decode()
    assert_csp_clean(page.content.decode())
    data = {
        "action": "sign",
        "typed_name": "Петро Іваненко",
        "consent": "on",
        "content_hash": revision.content_hash,
    }

    first = client.post(
        sign_url(memorandum, signature), data, HTTP_USER_AGENT="Firefox/130", REMOTE_ADDR="192.0.2.10"
    )
    second = client.post(sign_url(memorandum, signature), data)

    assert first.status_code == 302
    signature.refresh_from_db()
    assert (
        signature.status == Signature.Status.SIGNED
        and signature.user_agent == "Firefox/130"
        and signature.ip_address == "192.0.2.10"
    )
    assert second.status_code == 200 and "already signed" in second.content.decode()
    assert memorandum.events.filter(kind=MemorandumEvent.Kind.SIGNED).count() == 1


def test_sign_form_without_consent_rerenders_with_the_typed_name(client, world):
    memorandum = open_memorandum(world)
    signature = signature_of(world, memorandum, "cluster")
    client.force_login(world.users["cluster"])

    response = client.post(
        sign_url(memorandum, signature),
        {"typed_name": "Петро Іваненко", "content_hash": memorandum.revisions.get().content_hash},
    )

    assert response.status_code == 200
    assert "Петро Іваненко" in response.content.decode()
    assert Signature.objects.get(pk=signature.pk).status == Signature.Status.PENDING


def test_coordinator_cannot_open_someone_elses_signing_page(client, world):
    memorandum = open_memorandum(world)
    client.force_login(world.coordinator)

    assert client.get(sign_url(memorandum, signature_of(world, memorandum, "cluster"))).status_code == 403


def test_declining_in_the_browser_starts_a_new_draft_revision(client, world):
    memorandum = open_memorandum(world)
    signature = signature_of(world, memorandum, "city")
    client.force_login(world.users["city"])
    url = reverse(
        "memoranda:signature-decline",
        kwargs={"region": world.region.slug, "pk": memorandum.pk, "signature_pk": signature.pk},
    )

    response = client.post(url, {"reason": "Строк дії замалий"})

    assert response.status_code == 302
    assert [(r.number, r.superseded_at is None) for r in memorandum.revisions.order_by("number")] == [
        (1, False),
        (2, True),
    ]
    old = reverse(
        "memoranda:revision-detail", kwargs={"region": world.region.slug, "pk": memorandum.pk, "number": 1}
    )
    html = client.get(old).content.decode()
    assert "superseded" in html and "Строк дії замалий" in html


def test_signing_link_works_without_an_account_once(client, world):
    memorandum = open_memorandum(world)
    signature = signature_of(world, memorandum, "university")
    services.signature_send_link(signature=signature, acting_user=world.coordinator)
    signature.refresh_from_db()
    url = reverse(
        "memoranda:signature-sign-link",
        kwargs={
            "region": world.region.slug,
            "pk": memorandum.pk,
            "signature_pk": signature.pk,
            "token": make_signing_token(signature),
        },
    )
    revision = memorandum.revisions.get()

    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {"action": "sign", "typed_name": "Rector", "consent": "on", "content_hash": revision.content_hash},
    )

    assert response.status_code == 302
    signature.refresh_from_db()
    assert signature.status == Signature.Status.SIGNED and signature.via_link
    assert client.get(url).status_code == 404
    assert client.get(url.replace(make_signing_token(signature)[:4], "0000")).status_code == 404


# -- the signed PDF -------------------------------------------------------------------------------


def test_status_block_polls_while_rendering_and_stops_when_ready(
    client, world, django_capture_on_commit_callbacks
):
    memorandum, revision = signed_with_pdf(world, django_capture_on_commit_callbacks)
    client.force_login(world.users["oda"])
    url = reverse(
        "memoranda:revision-pdf-status",
        kwargs={"region": world.region.slug, "pk": memorandum.pk, "number": 1},
    )
    MemorandumRevision.objects.filter(pk=revision.pk).update(pdf_status=PdfStatus.RENDERING)

    rendering = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    MemorandumRevision.objects.filter(pk=revision.pk).update(pdf_status=PdfStatus.READY)
    ready = client.get(url, HTTP_HX_REQUEST="true").content.decode()

    assert 'hx-get="' + url + '"' in rendering and 'hx-trigger="every 2s"' in rendering
    assert "hx-trigger" not in ready and revision.pdf_hash in ready
    assert "<html" not in ready  # a partial, not a page
    assert_csp_clean(rendering)


def test_download_streams_the_stored_pdf_and_is_audited(client, world, django_capture_on_commit_callbacks):
    memorandum, revision = signed_with_pdf(world, django_capture_on_commit_callbacks)
    client.force_login(world.users["oda"])
    url = reverse(
        "memoranda:revision-pdf-download",
        kwargs={"region": world.region.slug, "pk": memorandum.pk, "number": 1},
    )

    response = client.post(url)

    body = b"".join(response.streaming_content)
    assert response.status_code == 200 and hashlib.sha256(body).hexdigest() == revision.pdf_hash
    assert memorandum.events.filter(kind=MemorandumEvent.Kind.DOWNLOADED, actor=world.users["oda"]).exists()
    assert client.get(url).status_code == 405


def test_retry_button_queues_a_failed_render_again(client, world, django_capture_on_commit_callbacks):
    memorandum, revision = signed_with_pdf(world, django_capture_on_commit_callbacks)
    MemorandumRevision.objects.filter(pk=revision.pk).update(
        pdf_status=PdfStatus.FAILED, pdf_error="boom", pdf_file="", pdf_hash=""
    )
    client.force_login(world.coordinator)
    html = client.get(detail_url(memorandum)).content.decode()
    assert "Render the PDF again" in html and "boom" in html
    url = reverse(
        "memoranda:revision-pdf-retry", kwargs={"region": world.region.slug, "pk": memorandum.pk, "number": 1}
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url)

    assert response.status_code == 302
    revision.refresh_from_db()
    assert revision.pdf_status == PdfStatus.READY and revision.pdf_hash


# -- public verification --------------------------------------------------------------------------


def test_verification_page_by_code_is_public_and_shows_parties_times_and_pdf_hash(
    client, world, django_capture_on_commit_callbacks
):
    memorandum, revision = signed_with_pdf(world, django_capture_on_commit_callbacks)

    response = client.get(
        reverse("verify:verify-index") + "?code=" + revision.verification_code.lower().replace("-", " ")
    )
    assert response.status_code == 302
    html = client.get(response["Location"]).content.decode()

    assert revision.pdf_hash in html and revision.content_hash in html
    for org in world.orgs.values():
        assert org.name_uk in html
    assert "203.0.113.7" not in html and "pytest-browser" not in html  # no personal evidence leaks
    assert_csp_clean(html)


def test_verification_accepts_the_signed_pdf_and_rejects_a_modified_copy(
    client, world, django_capture_on_commit_callbacks
):
    memorandum, revision = signed_with_pdf(world, django_capture_on_commit_callbacks)
    url = reverse("verify:verify-code", kwargs={"code": revision.verification_code})
    original = revision.pdf_file.open("rb").read()
    middle = len(original) // 2
    tampered = original[:middle] + bytes([original[middle] ^ 0x01]) + original[middle + 1 :]

    ok = client.post(url, {"pdf": SimpleUploadedFile("memo.pdf", original, content_type="application/pdf")})
    bad = client.post(url, {"pdf": SimpleUploadedFile("memo.pdf", tampered, content_type="application/pdf")})

    assert "Authentic" in ok.content.decode() and "Not the signed PDF" not in ok.content.decode()
    assert "Not the signed PDF" in bad.content.decode() and "Authentic" not in bad.content.decode()


def test_unknown_code_is_a_404_with_the_form(client):
    response = client.get(reverse("verify:verify-code", kwargs={"code": "AAAA-BBBB-CCCC"}))

    assert (
        response.status_code == 404
        and "No memorandum has this verification code" in response.content.decode()
    )


def test_a_memorandum_made_in_the_admin_without_a_revision_can_be_read_without_writing(client, world):
    memorandum = f.MemorandumFactory(agenda=world.agenda)
    client.force_login(world.coordinator)

    assert client.get(detail_url(memorandum)).status_code == 200
    preview = reverse(
        "memoranda:memorandum-preview", kwargs={"region": world.region.slug, "pk": memorandum.pk}
    )
    assert client.get(preview).content.startswith(b"%PDF")
    assert not memorandum.revisions.exists()
