"""The memorandum workflow: drafting from the agenda, freezing, signing, declining, wet ink, links."""

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation

from agenda import memorandum_canonical as canonical
from agenda import memorandum_services as services
from agenda.memorandum_tokens import check_signing_token, make_signing_token
from agenda.models import (
    Memorandum,
    MemorandumEvent,
    MemorandumRevision,
    MemorandumStatus,
    SignatoryRole,
    Signature,
)
from tests import factories as f

from .conftest import draft, open_memorandum, sign

pytestmark = pytest.mark.django_db
Kind = MemorandumEvent.Kind


def kinds(memorandum) -> list[str]:
    return list(memorandum.events.order_by("created_at", "id").values_list("kind", flat=True))


# -- drafting -------------------------------------------------------------------------------------


def test_draft_takes_parties_commitments_goals_and_stakes_from_the_agenda(world):
    memorandum = draft(world)

    signatories = list(memorandum.signatories.select_related("organisation", "person"))
    assert {s.organisation for s in signatories} == set(world.orgs.values())
    oda = next(s for s in signatories if s.organisation == world.orgs["oda"])
    assert oda.party_role == SignatoryRole.INITIATOR and oda.side == "government"
    assert (
        oda.person == world.people["oda"]
        and oda.signer_position_uk == "Голова обласної державної адміністрації"
    )
    assert oda.own_obligations == world.entries["oda"].commitment
    assert [s.organisation.kind for s in signatories][:2] == ["regional_admin", "city_council"]
    revision = memorandum.revisions.get()
    assert revision.number == 1 and not revision.is_frozen
    assert "Погіршення довіри".lower() in revision.body.lower()  # the stakes of seed §3
    snapshot = canonical.revision_snapshot(revision)
    assert [g["code"] for g in snapshot["goals"]] == ["G-1", "G-2"]
    assert snapshot["goals"][0]["target"] == "15" and snapshot["goals"][0]["deadline"] == "2021-12-31"
    assert kinds(memorandum) == [Kind.CREATED]


def test_english_draft_has_an_english_text(world):
    memorandum = draft(world, language="en")

    assert memorandum.language == "en"
    assert "The stakes" in memorandum.revisions.get().body


def test_only_a_coordinator_drafts(world):
    with pytest.raises(PermissionDenied):
        services.memorandum_draft_from_agenda(agenda=world.agenda, acting_user=world.users["cluster"])


def test_draft_edit_detects_a_concurrent_edit(world):
    memorandum = draft(world)
    revision = memorandum.revisions.get()
    services.memorandum_update(
        memorandum=memorandum, acting_user=world.coordinator, version=revision.version, body="Перша правка"
    )

    with pytest.raises(ValidationError, match="Someone else changed"):
        services.memorandum_update(
            memorandum=memorandum,
            acting_user=world.coordinator,
            version=revision.version,
            body="Друга правка",
        )

    assert MemorandumRevision.objects.get(pk=revision.pk).body == "Перша правка"


# -- opening for signature ------------------------------------------------------------------------


def test_opening_freezes_the_text_stores_the_hash_and_creates_pending_signatures(world):
    memorandum = open_memorandum(world)
    revision = memorandum.revisions.get()

    assert memorandum.status == MemorandumStatus.READY
    assert revision.is_frozen and len(revision.content_hash) == 64
    assert revision.content_hash == canonical.content_hash(revision.content_snapshot)
    assert len(revision.verification_code) == 14
    assert revision.signatures.filter(status=Signature.Status.PENDING).count() == 4
    assert kinds(memorandum) == [Kind.CREATED, Kind.OPENED]


def test_no_edit_after_opening(world):
    memorandum = open_memorandum(world)
    revision = memorandum.revisions.get()

    with pytest.raises(ValidationError, match="frozen"):
        services.memorandum_update(
            memorandum=memorandum,
            acting_user=world.coordinator,
            version=revision.version,
            body="Змінений текст",
        )
    with pytest.raises(ValidationError, match="frozen"):
        services.memorandum_parties_update(
            memorandum=memorandum,
            acting_user=world.coordinator,
            version=revision.version,
            remove=[memorandum.signatories.first().pk],
        )
    with pytest.raises(ValidationError, match="frozen"):
        services.memorandum_open_for_signature(memorandum=memorandum, acting_user=world.coordinator)

    frozen = MemorandumRevision.objects.get(pk=revision.pk)
    assert frozen.body == revision.body and frozen.content_hash == revision.content_hash
    assert memorandum.signatories.count() == 4


def test_frozen_text_does_not_follow_later_changes_of_goals_or_organisations(world):
    memorandum = open_memorandum(world)
    revision = memorandum.revisions.get()
    world.agenda.goals.filter(code="G-1").update(title_uk="Інша ціль")
    world.orgs["cluster"].name_uk = "Перейменований кластер"
    world.orgs["cluster"].save()

    revision.refresh_from_db()
    assert services.revision_content(revision) == revision.content_snapshot
    assert canonical.content_hash(services.revision_content(revision)) == revision.content_hash
    assert revision.content_snapshot["goals"][0]["title_uk"] == "Запустити інноваційні ваучери"


def test_opening_needs_two_signing_parties_with_positions(world):
    memorandum = draft(world)
    revision = memorandum.revisions.get()
    ids = list(memorandum.signatories.values_list("pk", flat=True))
    services.memorandum_parties_update(
        memorandum=memorandum, acting_user=world.coordinator, version=revision.version, remove=ids[1:]
    )

    with pytest.raises(ValidationError, match="at least two"):
        services.memorandum_open_for_signature(memorandum=memorandum, acting_user=world.coordinator)
    assert not MemorandumRevision.objects.get(pk=revision.pk).is_frozen


# -- signing --------------------------------------------------------------------------------------


def test_signing_records_time_ip_agent_name_and_hash(world):
    memorandum = open_memorandum(world)

    signature = sign(world, memorandum, "cluster", typed_name="  Петро   Іваненко ")

    signature.refresh_from_db()
    revision = memorandum.revisions.get()
    assert signature.status == Signature.Status.SIGNED and signature.method == Signature.Method.ONLINE
    assert signature.signed_by == world.users["cluster"] and signature.typed_name == "Петро Іваненко"
    assert signature.ip_address == "203.0.113.7" and signature.user_agent == "pytest-browser/1.0"
    assert signature.content_hash == revision.content_hash and signature.signed_at is not None
    assert kinds(memorandum)[-1] == Kind.SIGNED


def test_signing_twice_is_refused(world):
    memorandum = open_memorandum(world)
    sign(world, memorandum, "cluster")
    first = Signature.objects.get(signatory__organisation=world.orgs["cluster"])

    with pytest.raises(ValidationError, match="already signed"):
        sign(world, memorandum, "cluster", typed_name="Хтось інший")

    again = Signature.objects.get(pk=first.pk)
    assert again.typed_name == first.typed_name and again.signed_at == first.signed_at
    assert kinds(memorandum).count(Kind.SIGNED) == 1


@pytest.mark.parametrize("impostor", ["coordinator", "admin", "other_party"])
def test_nobody_signs_for_someone_else(world, impostor):
    memorandum = open_memorandum(world)
    user = {
        "coordinator": world.coordinator,
        "admin": f.UserFactory(is_superuser=True, is_staff=True),
        "other_party": world.users["university"],
    }[impostor]

    with pytest.raises(PermissionDenied):
        sign(world, memorandum, "cluster", user=user)

    assert (
        Signature.objects.get(signatory__organisation=world.orgs["cluster"]).status
        == Signature.Status.PENDING
    )


def test_signing_a_different_text_than_the_frozen_one_is_refused(world):
    memorandum = open_memorandum(world)

    with pytest.raises(ValidationError, match="hash differs"):
        sign(world, memorandum, "cluster", content_hash="0" * 64)


def test_signing_needs_consent_and_a_typed_name(world):
    memorandum = open_memorandum(world)
    revision = memorandum.revisions.get()
    signature = revision.signatures.get(signatory__organisation=world.orgs["cluster"])
    ctx = services.SigningContext()

    with pytest.raises(ValidationError, match="Confirm"):
        services.signature_sign(
            signature=signature,
            acting_user=world.users["cluster"],
            typed_name="Петро Іваненко",
            consent=False,
            content_hash=revision.content_hash,
            ctx=ctx,
        )
    with pytest.raises(ValidationError, match="full name"):
        services.signature_sign(
            signature=signature,
            acting_user=world.users["cluster"],
            typed_name=" ",
            consent=True,
            content_hash=revision.content_hash,
            ctx=ctx,
        )


def test_ordered_signing_lets_initiators_sign_first(world):
    memorandum = draft(world)
    revision = memorandum.revisions.get()
    services.memorandum_update(
        memorandum=memorandum, acting_user=world.coordinator, version=revision.version, ordered_signing=True
    )
    services.memorandum_open_for_signature(memorandum=memorandum, acting_user=world.coordinator)

    with pytest.raises(ValidationError, match="initiating parties sign first"):
        sign(world, memorandum, "cluster")
    sign(world, memorandum, "oda")
    sign(world, memorandum, "city")
    sign(world, memorandum, "cluster")

    assert Signature.objects.filter(status=Signature.Status.SIGNED).count() == 3


def test_last_signature_completes_the_memorandum_and_queues_the_pdf(
    world, django_capture_on_commit_callbacks
):
    memorandum = open_memorandum(world)
    for key in ("oda", "city", "cluster"):
        sign(world, memorandum, key)
    assert Memorandum.objects.get(pk=memorandum.pk).status == MemorandumStatus.READY

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        sign(world, memorandum, "university")

    memorandum.refresh_from_db()
    revision = memorandum.revisions.get()
    assert memorandum.status == MemorandumStatus.SIGNED and memorandum.signed_date == timezone.localdate()
    assert len(callbacks) == 1  # the PDF task, queued only after commit (eager here)
    assert revision.pdf_status == MemorandumRevision.PdfStatus.READY and revision.pdf_attempts == 1
    assert revision.pdf_file.read().startswith(b"%PDF")
    assert kinds(memorandum)[-3:] == [Kind.COMPLETED, Kind.RENDER_QUEUED, Kind.RENDERED]


# -- declining ------------------------------------------------------------------------------------


def test_decline_returns_a_new_draft_revision_and_keeps_the_old_one_read_only(world):
    memorandum = open_memorandum(world)
    sign(world, memorandum, "oda")
    old = memorandum.revisions.get()
    signature = old.signatures.get(signatory__organisation=world.orgs["city"])

    new = services.signature_decline(
        signature=signature,
        acting_user=world.users["city"],
        reason="Не погоджуємо пункт 3",
        ctx=services.SigningContext(),
    )

    memorandum.refresh_from_db()
    old.refresh_from_db()
    assert memorandum.status == MemorandumStatus.NEGOTIATION
    assert old.superseded_at is not None and old.is_frozen
    assert new.number == 2 and not new.is_frozen and new.body == old.body
    assert old.signatures.get(pk=signature.pk).decline_reason == "Не погоджуємо пункт 3"
    # The new draft can be edited; the old revision cannot be signed any more.
    services.memorandum_update(
        memorandum=memorandum,
        acting_user=world.coordinator,
        version=new.version,
        body=new.body + "\n\nНовий пункт.",
    )
    with pytest.raises(ValidationError, match="superseded"):
        services.signature_sign(
            signature=old.signatures.get(signatory__organisation=world.orgs["cluster"]),
            acting_user=world.users["cluster"],
            typed_name="Підписант",
            consent=True,
            content_hash=old.content_hash,
            ctx=services.SigningContext(),
        )
    assert kinds(memorandum)[-3:] == [Kind.DECLINED, Kind.CREATED, Kind.EDITED]


def test_decline_needs_a_reason(world):
    memorandum = open_memorandum(world)
    signature = memorandum.revisions.get().signatures.get(signatory__organisation=world.orgs["city"])

    with pytest.raises(ValidationError, match="why"):
        services.signature_decline(
            signature=signature, acting_user=world.users["city"], reason="", ctx=services.SigningContext()
        )
    assert memorandum.revisions.count() == 1


def test_the_reopened_revision_gets_a_new_hash_and_code_and_fresh_signatures(world):
    memorandum = open_memorandum(world)
    old = memorandum.revisions.get()
    signature = old.signatures.get(signatory__organisation=world.orgs["city"])
    new = services.signature_decline(
        signature=signature,
        acting_user=world.users["city"],
        reason="Змінити строк",
        ctx=services.SigningContext(),
    )
    services.memorandum_update(
        memorandum=memorandum,
        acting_user=world.coordinator,
        version=new.version,
        body=new.body + "\n\nСтрок — 2022 рік.",
    )

    reopened = services.memorandum_open_for_signature(memorandum=memorandum, acting_user=world.coordinator)

    assert reopened.content_hash != old.content_hash and reopened.verification_code != old.verification_code
    assert reopened.signatures.filter(status=Signature.Status.PENDING).count() == 4


# -- wet ink and signing links --------------------------------------------------------------------


def test_coordinator_records_a_wet_ink_signature_with_its_scan(world):
    memorandum = open_memorandum(world)
    signature = memorandum.revisions.get().signatures.get(signatory__organisation=world.orgs["oda"])
    scan = SimpleUploadedFile("scan.pdf", b"%PDF-1.4 scan", content_type="application/pdf")

    services.signature_record_wet_ink(
        signature=signature, acting_user=world.coordinator, typed_name="Голова ОДА", scan=scan
    )

    signature.refresh_from_db()
    assert signature.method == Signature.Method.WET_INK and signature.status == Signature.Status.SIGNED
    assert signature.signed_by == world.coordinator and signature.scan.read() == b"%PDF-1.4 scan"
    assert kinds(memorandum)[-1] == Kind.WET_INK


def test_a_signatory_cannot_record_wet_ink(world):
    memorandum = open_memorandum(world)
    signature = memorandum.revisions.get().signatures.get(signatory__organisation=world.orgs["oda"])

    with pytest.raises(PermissionDenied):
        services.signature_record_wet_ink(
            signature=signature,
            acting_user=world.users["oda"],
            typed_name="Голова",
            scan=SimpleUploadedFile("s.png", b"x"),
        )


def test_signing_link_is_emailed_in_the_signers_language_with_text_and_html(
    world, django_capture_on_commit_callbacks
):
    memorandum = open_memorandum(world)
    signature = memorandum.revisions.get().signatures.get(signatory__organisation=world.orgs["university"])

    with django_capture_on_commit_callbacks(execute=True):
        services.signature_send_link(signature=signature, acting_user=world.coordinator)

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [world.people["university"].email]
    assert message.subject.startswith("Please sign")  # the signer's language is English
    signature.refresh_from_db()
    token = make_signing_token(signature)
    assert token in message.body and token in message.alternatives[0][0]
    assert message.alternatives[0][1] == "text/html"


def test_signing_by_link_and_the_link_then_dies(world):
    memorandum = open_memorandum(world)
    signature = memorandum.revisions.get().signatures.get(signatory__organisation=world.orgs["university"])
    services.signature_send_link(signature=signature, acting_user=world.coordinator)
    signature.refresh_from_db()
    token = make_signing_token(signature)
    assert check_signing_token(signature, token)

    services.signature_sign(
        signature=signature,
        acting_user=None,
        typed_name="Rector Name",
        consent=True,
        content_hash=signature.revision.content_hash,
        ctx=services.SigningContext(ip_address="198.51.100.2", token=token),
    )

    signature.refresh_from_db()
    assert signature.via_link and signature.signed_by == world.users["university"]
    assert not check_signing_token(signature, token)


def test_a_resent_link_invalidates_the_earlier_one_and_forged_tokens_fail(world):
    memorandum = open_memorandum(world)
    signature = memorandum.revisions.get().signatures.get(signatory__organisation=world.orgs["city"])
    services.signature_send_link(signature=signature, acting_user=world.coordinator)
    signature.refresh_from_db()
    first = make_signing_token(signature)
    signature.link_sent_at = timezone.now() + timezone.timedelta(seconds=1)
    signature.save()

    assert not check_signing_token(signature, first)
    with pytest.raises(PermissionDenied):
        services.signature_sign(
            signature=signature,
            acting_user=None,
            typed_name="Міський голова",
            consent=True,
            content_hash=signature.revision.content_hash,
            ctx=services.SigningContext(token="f" * 32),
        )


@pytest.mark.parametrize(
    ("language", "acting", "created", "completed"),
    [("uk", "en", "Редакція 1", "Усі сторони підписали"), ("en", "uk", "Revision 1", "All parties signed")],
)
def test_the_audit_trail_speaks_the_memorandums_language_whoever_acts(
    world, language, acting, created, completed
):
    """The trail is printed in the memorandum's PDF: a signatory using the other language does not put
    that language into it."""
    with translation.override(acting):
        memorandum = open_memorandum(world, language=language)
        for key in world.orgs:
            sign(world, memorandum, key)
    details = dict(memorandum.events.values_list("kind", "detail").order_by("created_at", "id"))
    assert details[Kind.CREATED] == created
    assert details[Kind.COMPLETED] == completed
