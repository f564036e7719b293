"""Memoranda: drafting and editing (coordinators), reading (readers of the region), signing (only the
named signatory, by account or by the e-mailed link), and the public verification pages."""

import hashlib

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from agenda import memorandum_services as services
from agenda.memorandum_tokens import make_signing_token
from agenda.models import MemorandumRevision, Signature

from .table import Row
from .world import EVERYONE, MANAGERS_A, READERS_A

OUTSIDERS_A = frozenset({"coord_b"})
SIGNER_X_A = frozenset({"rep_x_a"})
PDF_BYTES = b"%PDF-1.4\n% permission-table test document\n%%EOF\n"


def _sign_all(memorandum, users):
    revision = services.current_revision(memorandum)
    for signature in revision.signatures.select_related("signatory__person"):
        services.signature_sign(
            signature=signature,
            acting_user=users[signature.signatory.person.user.email],
            typed_name="Підписант",
            consent=True,
            content_hash=revision.content_hash,
            ctx=services.SigningContext(ip_address="127.0.0.1"),
        )
    return revision


def extend_world(w):
    coordinator = w.users["coord_a"]
    draft = services.memorandum_draft_from_agenda(agenda=w.agenda_a, acting_user=coordinator)
    opened = services.memorandum_draft_from_agenda(agenda=w.agenda_a, acting_user=coordinator)
    services.memorandum_open_for_signature(memorandum=opened, acting_user=coordinator)
    signed = services.memorandum_draft_from_agenda(agenda=w.agenda_a, acting_user=coordinator)
    services.memorandum_open_for_signature(memorandum=signed, acting_user=coordinator)
    by_email = {u.email: u for u in w.users.values() if u is not None}
    revision = _sign_all(signed, by_email)
    revision = MemorandumRevision.objects.get(pk=revision.pk)
    revision.pdf_file.save(services.pdf_storage_name(revision), ContentFile(PDF_BYTES), save=False)
    revision.pdf_hash = hashlib.sha256(PDF_BYTES).hexdigest()
    revision.pdf_status = MemorandumRevision.PdfStatus.READY
    revision.save()

    open_revision = services.current_revision(opened)
    signature_x = open_revision.signatures.get(signatory__organisation=w.org_x_a)
    signature_y = open_revision.signatures.get(signatory__organisation=w.org_y_a)
    Signature.objects.filter(pk=signature_y.pk).update(link_sent_at=timezone.now())
    signature_y.refresh_from_db()
    w.objects.update(
        memo_draft_a=draft,
        memo_open_a=opened,
        memo_open_revision_a=open_revision,
        memo_signed_a=signed,
        memo_signed_revision_a=revision,
        signature_x_a=signature_x,
        signature_y_a=signature_y,
        signature_y_token_a=make_signing_token(signature_y),
    )


def _memo(key):
    return lambda w: {"region": w.region_a.slug, "pk": w.objects[key].pk}


def _revision(key, revision_key):
    return lambda w: {
        "region": w.region_a.slug,
        "pk": w.objects[key].pk,
        "number": w.objects[revision_key].number,
    }


def _signature(key):
    return lambda w: {"region": w.region_a.slug, "pk": w.memo_open_a.pk, "signature_pk": w.objects[key].pk}


def _sign_data(w):
    return {
        "action": "sign",
        "typed_name": "Представник X",
        "consent": "on",
        "content_hash": w.memo_open_revision_a.content_hash,
    }


def _edit_data(w):
    revision = services.current_revision(w.memo_draft_a)
    return {
        "version": revision.version,
        "title_uk": "Меморандум (змінено)",
        "language": "uk",
        "body": "## Преамбула\n\nЗмінений текст.",
    }


def _parties_data(w):
    revision = services.current_revision(w.memo_draft_a)
    data = {"version": revision.version}
    for s in w.memo_draft_a.signatories.all():
        prefix = f"p{s.pk}-"
        data.update(
            {
                prefix + "id": s.pk,
                prefix + "order": s.order,
                prefix + "party_role": s.party_role,
                prefix + "side": s.side,
                prefix + "signer_position_uk": "Директор",
            }
        )
    return data


ROWS = [
    Row(
        "memoranda:memorandum-list",
        kwargs=lambda w: {"region": w.region_a.slug},
        get=READERS_A,
        hide_from=OUTSIDERS_A,
    ),
    Row(
        "memoranda:memorandum-create",
        kwargs=lambda w: {"region": w.region_a.slug},
        get=MANAGERS_A,
        post=MANAGERS_A,
        data=lambda w: {"agenda": w.agenda_a.pk, "language": "uk"},
        hide_from=OUTSIDERS_A,
    ),
    Row("memoranda:memorandum-detail", kwargs=_memo("memo_open_a"), get=READERS_A, hide_from=OUTSIDERS_A),
    Row(
        "memoranda:memorandum-update",
        kwargs=_memo("memo_draft_a"),
        get=MANAGERS_A,
        post=MANAGERS_A,
        data=_edit_data,
        hide_from=OUTSIDERS_A,
    ),
    Row(
        "memoranda:memorandum-parties",
        kwargs=_memo("memo_draft_a"),
        get=MANAGERS_A,
        post=MANAGERS_A,
        data=_parties_data,
        hide_from=OUTSIDERS_A,
    ),
    Row("memoranda:memorandum-open", kwargs=_memo("memo_draft_a"), post=MANAGERS_A, hide_from=OUTSIDERS_A),
    Row("memoranda:memorandum-preview", kwargs=_memo("memo_draft_a"), get=READERS_A, hide_from=OUTSIDERS_A),
    Row(
        "memoranda:revision-detail",
        kwargs=_revision("memo_open_a", "memo_open_revision_a"),
        get=READERS_A,
        hide_from=OUTSIDERS_A,
    ),
    Row(
        "memoranda:revision-pdf-status",
        kwargs=_revision("memo_signed_a", "memo_signed_revision_a"),
        get=READERS_A,
        hide_from=OUTSIDERS_A,
    ),
    Row(
        "memoranda:revision-pdf-download",
        kwargs=_revision("memo_signed_a", "memo_signed_revision_a"),
        post=READERS_A,
        hide_from=OUTSIDERS_A,
    ),
    Row(
        "memoranda:revision-pdf-retry",
        kwargs=_revision("memo_signed_a", "memo_signed_revision_a"),
        post=MANAGERS_A,
        hide_from=OUTSIDERS_A,
    ),
    # Only the named signatory signs: not the coordinator, not an administrator.
    Row(
        "memoranda:signature-sign",
        kwargs=_signature("signature_x_a"),
        get=SIGNER_X_A,
        post=SIGNER_X_A,
        data=_sign_data,
        hide_from=OUTSIDERS_A,
    ),
    Row(
        "memoranda:signature-decline",
        kwargs=_signature("signature_x_a"),
        post=SIGNER_X_A,
        data=lambda w: {"action": "decline", "reason": "Не погоджуємо пункт 2"},
        hide_from=OUTSIDERS_A,
    ),
    Row(
        "memoranda:signature-wet-ink",
        kwargs=_signature("signature_y_a"),
        get=MANAGERS_A,
        post=MANAGERS_A,
        data=lambda w: {
            "typed_name": "Представник Y",
            "scan": SimpleUploadedFile("scan.pdf", b"%PDF-1.4 scan", content_type="application/pdf"),
        },
        hide_from=OUTSIDERS_A,
    ),
    Row(
        "memoranda:signature-send-link",
        kwargs=_signature("signature_y_a"),
        post=MANAGERS_A,
        hide_from=OUTSIDERS_A,
    ),
    # The e-mailed link: its token stands for the signatory, with or without an account.
    Row(
        "memoranda:signature-sign-link",
        kwargs=lambda w: {
            "region": w.region_a.slug,
            "pk": w.memo_open_a.pk,
            "signature_pk": w.signature_y_a.pk,
            "token": w.signature_y_token_a,
        },
        get=EVERYONE,
        post=EVERYONE,
        data=lambda w: {**_sign_data(w), "typed_name": "Представник Y"},
    ),
    Row("memoranda:signature-link-done", kwargs=_memo("memo_open_a"), get=EVERYONE),
    Row("verify:verify-index", get=EVERYONE),
    Row(
        "verify:verify-code",
        kwargs=lambda w: {"code": w.memo_signed_revision_a.verification_code},
        get=EVERYONE,
        post=EVERYONE,
        data=lambda w: {"pdf": SimpleUploadedFile("memo.pdf", PDF_BYTES, content_type="application/pdf")},
    ),
]
