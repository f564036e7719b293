"""Memoranda of cooperation: drafting from the agenda, the signing workflow and the signed PDF.

Workflow (each step is a guarded service; a double submit cannot corrupt it):

    draft / negotiation ──open──▶ ready (text frozen, SHA-256 stored) ──all signed──▶ signed
            ▲                        │
            └── decline (reason) ────┘  a new draft revision; the declined one stays read-only

Every write records an audit row (MemorandumEvent). The PDF of a signed revision is rendered by a
Celery task queued after commit; its state lives on the revision row (pdf_status and friends).
"""

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.models import User
from regions.models import Agenda
from regions.rules import can_manage_region, can_view_region
from stakeholders.models import Organisation, OrganisationKind, RoleMatrixEntry

from . import memorandum_canonical as canonical
from .memorandum_tokens import check_signing_token
from .models import (
    Memorandum,
    MemorandumEvent,
    MemorandumRevision,
    MemorandumStatus,
    Signatory,
    SignatoryRole,
    Signature,
)

PdfStatus = MemorandumRevision.PdfStatus
logger = logging.getLogger(__name__)

# A render that keeps failing (or keeps killing its worker) stops after this many attempts.
MAX_PDF_ATTEMPTS = 3
# A queued or rendering PDF whose row has not moved for this long may be queued again by hand.
PDF_STALE_AFTER = timezone.timedelta(minutes=10)

EDITABLE_STATUSES = {MemorandumStatus.DRAFT, MemorandumStatus.NEGOTIATION}

# «В особі» when the organisation's representative has no position of their own.
DEFAULT_SIGNER_POSITIONS = {
    OrganisationKind.REGIONAL_ADMIN: (
        "Голова обласної державної адміністрації",
        "Head of the Regional State Administration",
    ),
    OrganisationKind.REGIONAL_COUNCIL: ("Голова обласної ради", "Chair of the Oblast Council"),
    OrganisationKind.CITY_COUNCIL: ("Міський голова", "Mayor"),
    OrganisationKind.UNIVERSITY: ("Ректор", "Rector"),
    OrganisationKind.CLUSTER: ("Голова правління", "Chair of the Board"),
}
DEFAULT_SIGNER_POSITION = ("Керівник", "Head")
# Heads of regional administrations and mayors initiate the memorandum (seed §3) and sign first when
# the signing is ordered.
INITIATOR_KINDS = {OrganisationKind.REGIONAL_ADMIN, OrganisationKind.CITY_COUNCIL}
KIND_ORDER = {kind: index for index, kind in enumerate(OrganisationKind.values)}


# -- permissions ----------------------------------------------------------------------------------


def region_of(memorandum: Memorandum):
    return memorandum.agenda.region


def can_view_memorandum(user, memorandum: Memorandum) -> bool:
    return bool(can_view_region(user, region_of(memorandum)))


def can_manage_memorandum(user, memorandum: Memorandum) -> bool:
    return bool(can_manage_region(user, region_of(memorandum)))


def is_signer(user, signature: Signature) -> bool:
    """Only the person named as the party's signer, by their own account, signs online. Nobody signs
    for someone else — not a coordinator, not an administrator."""
    person = signature.signatory.person
    return bool(
        user is not None and user.is_authenticated and person is not None and person.user_id == user.pk
    )


# -- reads ----------------------------------------------------------------------------------------


def current_revision(
    memorandum: Memorandum, *, lock: bool = False, create: bool = True
) -> MemorandumRevision:
    """The revision that is not superseded. A memorandum made outside the services (in the admin) may
    have none yet: writers get revision 1 created; readers (`create=False`) an unsaved, empty one."""
    qs = MemorandumRevision.objects.filter(memorandum=memorandum, superseded_at__isnull=True)
    if lock:
        qs = qs.select_for_update()
    revision = qs.order_by("-number").first()
    if revision is None:
        revision = MemorandumRevision(memorandum=memorandum, number=1)
        if create:
            revision.save()
    return revision


def signing_signatories(memorandum: Memorandum):
    return memorandum.signatories.exclude(party_role=SignatoryRole.OBSERVER)


def revision_content(revision: MemorandumRevision) -> dict:
    """The frozen snapshot of an opened revision, or the live content of a draft."""
    if revision.is_frozen and revision.content_snapshot:
        return revision.content_snapshot
    return canonical.revision_snapshot(revision)


def pending_initiators(revision: MemorandumRevision) -> list[Signature]:
    return list(
        revision.signatures.filter(
            status=Signature.Status.PENDING, signatory__party_role=SignatoryRole.INITIATOR
        ).select_related("signatory__organisation")
    )


def is_fully_signed(revision: MemorandumRevision) -> bool:
    if revision.pk is None or not revision.is_frozen:
        return False
    signatures = list(revision.signatures.values_list("status", flat=True))
    return bool(signatures and all(s == Signature.Status.SIGNED for s in signatures))


# -- audit ----------------------------------------------------------------------------------------


def _said(memorandum, message: str, **params) -> str:
    """A detail of the audit trail in the memorandum's language, whatever the language of whoever acts:
    the trail is printed in the memorandum's PDF. `message` is marked with gettext_noop."""
    with translation.override(memorandum.language or "uk"):
        text = _(message)
    return text % params if params else text


def _event(memorandum, kind, *, revision=None, actor=None, detail="", ip_address=None) -> MemorandumEvent:
    actor = actor if actor is not None and getattr(actor, "is_authenticated", False) else None
    return MemorandumEvent.objects.create(
        memorandum=memorandum,
        revision=revision,
        kind=kind,
        actor=actor,
        detail=detail[:2000],
        ip_address=ip_address or None,
        created_by=actor,
    )


# -- drafting -------------------------------------------------------------------------------------


def _signer_position(entry: RoleMatrixEntry) -> tuple[str, str]:
    person = entry.representative
    if person is not None and person.position_uk:
        return person.position_uk, person.position_en
    return DEFAULT_SIGNER_POSITIONS.get(entry.organisation.kind, DEFAULT_SIGNER_POSITION)


def draft_body(*, agenda: Agenda, language: str) -> str:
    """The Markdown text pre-filled from the agenda: preamble, the stakes of seed §3, the subject, and
    pointers to the parties' and goals' tables (those are structured and frozen with the text)."""
    region = agenda.region
    with translation.override(language):
        return (
            render_to_string(
                f"memoranda/body/{language}.md",
                {
                    "agenda": agenda,
                    "region": region,
                    "region_name": region.name_en if language == "en" and region.name_en else region.name_uk,
                    "year": agenda.year,
                },
            ).strip()
            + "\n"
        )


@transaction.atomic
def memorandum_draft_from_agenda(
    *, agenda: Agenda, acting_user: User, language: str = "uk", title_uk: str = "", title_en: str = ""
) -> Memorandum:
    """A new memorandum, revision 1 in draft: every organisation with a role-matrix row is a party,
    represented by its representative («в особі» their position), with its commitment as the party's
    obligations; heads of administrations and city councils are the initiating parties."""
    if not can_manage_region(acting_user, agenda.region):
        raise PermissionDenied
    if language not in ("uk", "en"):
        raise ValidationError(_("Choose Ukrainian or English."))
    region = agenda.region
    memorandum = Memorandum.objects.create(
        agenda=agenda,
        title_uk=title_uk or f"Меморандум про співпрацю з розвитку інноваційної екосистеми: {region.name_uk}",
        title_en=title_en
        or f"Memorandum of cooperation on the development of the innovation ecosystem of {region.name_en or region.name_uk}",
        language=language,
        place=region.admin_centre_uk
        if language == "uk"
        else (region.admin_centre_en or region.admin_centre_uk),
        valid_from=None,
        valid_until=agenda.period_end,
        status=MemorandumStatus.DRAFT,
        created_by=acting_user,
    )
    entries = sorted(
        RoleMatrixEntry.objects.filter(agenda=agenda).select_related("organisation", "representative"),
        key=lambda e: (KIND_ORDER.get(e.organisation.kind, 99), e.organisation.name_uk),
    )
    for order, entry in enumerate(entries, start=1):
        position_uk, position_en = _signer_position(entry)
        Signatory.objects.create(
            memorandum=memorandum,
            organisation=entry.organisation,
            side=entry.organisation.helix,
            signer_position_uk=position_uk,
            signer_position_en=position_en,
            person=entry.representative,
            party_role=SignatoryRole.INITIATOR
            if entry.organisation.kind in INITIATOR_KINDS
            else SignatoryRole.PARTY,
            own_obligations=entry.commitment,
            order=order,
            created_by=acting_user,
        )
    if language == "en":
        subject = f"Cooperation of the parties in implementing the common agenda of {region.name_en or region.name_uk} for {agenda.year}."
    else:
        subject = f"Співпраця сторін у реалізації Спільного порядку денного ({region.name_uk}) на {agenda.year} рік."
    revision = MemorandumRevision.objects.create(
        memorandum=memorandum,
        number=1,
        subject=subject,
        body=draft_body(agenda=agenda, language=language),
        created_by=acting_user,
    )
    _event(
        memorandum,
        MemorandumEvent.Kind.CREATED,
        revision=revision,
        actor=acting_user,
        detail=_said(memorandum, gettext_noop("Revision %(n)d"), n=1),
    )
    return memorandum


def _editable_revision(memorandum: Memorandum, acting_user: User, version: int | None) -> MemorandumRevision:
    """The current revision, locked, if it may still be edited by this user; raises otherwise."""
    if not can_manage_memorandum(acting_user, memorandum):
        raise PermissionDenied
    revision = current_revision(memorandum, lock=True)
    if revision.is_frozen or memorandum.status not in EDITABLE_STATUSES:
        raise ValidationError(
            _("The text is frozen: this revision is open for signature and can no longer be edited.")
        )
    if version is not None and version != revision.version:
        raise ValidationError(
            _(
                "Someone else changed this memorandum while you were editing. Reload the page and apply your changes again."
            )
        )
    return revision


MEMORANDUM_FIELDS = (
    "title_uk",
    "title_en",
    "number",
    "language",
    "place",
    "valid_from",
    "valid_until",
    "auto_renewal",
    "ordered_signing",
)
REVISION_FIELDS = ("subject", "body")


@transaction.atomic
def memorandum_update(
    *, memorandum: Memorandum, acting_user: User, version: int, **changes
) -> MemorandumRevision:
    """Edit the draft: the memorandum's title, language, term and signing order, and the revision's
    subject and Markdown text. Refused once opened; `version` detects a concurrent edit."""
    memorandum = Memorandum.objects.select_for_update().get(pk=memorandum.pk)
    revision = _editable_revision(memorandum, acting_user, version)
    unknown = set(changes) - set(MEMORANDUM_FIELDS) - set(REVISION_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    valid_from, valid_until = (
        changes.get("valid_from", memorandum.valid_from),
        changes.get("valid_until", memorandum.valid_until),
    )
    if valid_from and valid_until and valid_until < valid_from:
        raise ValidationError(_("The memorandum cannot end before it starts."))
    changed = []
    for name in MEMORANDUM_FIELDS:
        if name in changes and getattr(memorandum, name) != changes[name]:
            setattr(memorandum, name, changes[name])
            changed.append(name)
    if changed:
        memorandum.save(update_fields=[*changed, "updated_at"])
    for name in REVISION_FIELDS:
        if name in changes and getattr(revision, name) != changes[name]:
            setattr(revision, name, changes[name])
            changed.append(name)
    revision.version += 1
    revision.save(update_fields=["subject", "body", "version", "updated_at"])
    if changed:
        _event(
            memorandum,
            MemorandumEvent.Kind.EDITED,
            revision=revision,
            actor=acting_user,
            detail=", ".join(changed),
        )
    return revision


SIGNATORY_FIELDS = (
    "order",
    "party_role",
    "side",
    "person",
    "signer_position_uk",
    "signer_position_en",
    "own_obligations",
)


@transaction.atomic
def memorandum_parties_update(
    *,
    memorandum: Memorandum,
    acting_user: User,
    version: int,
    changes: dict[int, dict] | None = None,
    remove: list[int] | None = None,
    add: list[Organisation] | None = None,
) -> MemorandumRevision:
    """Edit the parties of the draft in one go: `changes` maps signatory ids to new field values,
    `remove` lists signatory ids to drop, `add` organisations of the region to add (pre-filled from
    their role-matrix row when they have one)."""
    memorandum = Memorandum.objects.select_for_update().get(pk=memorandum.pk)
    revision = _editable_revision(memorandum, acting_user, version)
    signatories = {s.pk: s for s in memorandum.signatories.select_related("organisation")}
    region = region_of(memorandum)
    touched = []
    for pk, values in (changes or {}).items():
        signatory = signatories.get(pk)
        if signatory is None:
            raise ValidationError(_("This party is no longer part of the memorandum. Reload the page."))
        person = values.get("person", signatory.person)
        if person is not None and person.organisation_id != signatory.organisation_id:
            raise ValidationError(_("The signer must belong to the party's own organisation."))
        fields = [
            name for name in SIGNATORY_FIELDS if name in values and getattr(signatory, name) != values[name]
        ]
        for name in fields:
            setattr(signatory, name, values[name])
        if fields:
            signatory.save(update_fields=[*fields, "updated_at"])
            touched.append(signatory.organisation.name_uk)
    for pk in remove or []:
        signatory = signatories.get(pk)
        if signatory is not None:
            touched.append(f"−{signatory.organisation.name_uk}")
            signatory.delete()
    next_order = max((s.order for s in signatories.values()), default=0) + 1
    for organisation in add or []:
        if organisation.region_id != region.pk:
            raise ValidationError(_("Only organisations of this region can be parties."))
        if memorandum.signatories.filter(organisation=organisation).exists():
            continue
        entry = (
            RoleMatrixEntry.objects.filter(agenda=memorandum.agenda, organisation=organisation)
            .select_related("representative", "organisation")
            .first()
        )
        if entry is not None:
            position = _signer_position(entry)
        else:
            position = DEFAULT_SIGNER_POSITIONS.get(organisation.kind, DEFAULT_SIGNER_POSITION)
        Signatory.objects.create(
            memorandum=memorandum,
            organisation=organisation,
            side=organisation.helix,
            signer_position_uk=position[0],
            signer_position_en=position[1],
            person=entry.representative if entry else None,
            party_role=SignatoryRole.INITIATOR
            if organisation.kind in INITIATOR_KINDS
            else SignatoryRole.PARTY,
            own_obligations=entry.commitment if entry else "",
            order=next_order,
            created_by=acting_user,
        )
        next_order += 1
        touched.append(f"+{organisation.name_uk}")
    revision.version += 1
    revision.save(update_fields=["version", "updated_at"])
    if touched:
        _event(
            memorandum,
            MemorandumEvent.Kind.EDITED,
            revision=revision,
            actor=acting_user,
            detail=_said(memorandum, gettext_noop("Parties: %(list)s"), list="; ".join(touched)),
        )
    return revision


# -- opening for signature ------------------------------------------------------------------------


@transaction.atomic
def memorandum_open_for_signature(
    *, memorandum: Memorandum, acting_user: User, ip_address: str | None = None
) -> MemorandumRevision:
    """Freeze the text: store the canonical snapshot, its SHA-256 and a verification code, and create a
    pending signature for every signing party."""
    memorandum = Memorandum.objects.select_for_update().select_related("agenda__region").get(pk=memorandum.pk)
    revision = _editable_revision(memorandum, acting_user, None)
    signatories = list(signing_signatories(memorandum).select_related("organisation", "person"))
    problems = []
    if not revision.body.strip():
        problems.append(_("The text of the memorandum is empty."))
    if len(signatories) < 2:
        problems.append(_("A memorandum needs at least two signing parties."))
    for signatory in signatories:
        if not signatory.signer_position_uk.strip():
            problems.append(
                _("%(party)s: say who signs for the party (position).")
                % {"party": signatory.organisation.name_uk}
            )
    if problems:
        raise ValidationError(problems)
    snapshot = canonical.revision_snapshot(
        revision, memorandum.signatories.select_related("organisation", "person")
    )
    code = canonical.new_verification_code()
    while MemorandumRevision.objects.filter(verification_code=code).exists():  # ~58 bits: practically never
        code = canonical.new_verification_code()
    revision.content_snapshot = snapshot
    revision.content_hash = canonical.content_hash(snapshot)
    revision.verification_code = code
    revision.opened_at = timezone.now()
    revision.version += 1
    revision.save(
        update_fields=[
            "content_snapshot",
            "content_hash",
            "verification_code",
            "opened_at",
            "version",
            "updated_at",
        ]
    )
    Signature.objects.bulk_create(
        [Signature(revision=revision, signatory=s, created_by=acting_user) for s in signatories],
        ignore_conflicts=True,
    )
    memorandum.status = MemorandumStatus.READY
    memorandum.save(update_fields=["status", "updated_at"])
    _event(
        memorandum,
        MemorandumEvent.Kind.OPENED,
        revision=revision,
        actor=acting_user,
        detail=f"SHA-256 {revision.content_hash}",
        ip_address=ip_address,
    )
    return revision


# -- signing --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SigningContext:
    """Where the act comes from: recorded with the signature as its evidence."""

    ip_address: str | None = None
    user_agent: str = ""
    token: str | None = None  # set when the signatory came through the e-mailed link


def _lock_for_signing(signature: Signature) -> tuple[Signature, MemorandumRevision]:
    # The revision row is locked first so that two last signatures cannot both miss completing it.
    revision = (
        MemorandumRevision.objects.select_for_update()
        .select_related("memorandum__agenda__region")
        .get(pk=signature.revision_id)
    )
    signature = (
        Signature.objects.select_for_update(of=("self",))
        .select_related("signatory__person", "signatory__organisation")
        .get(pk=signature.pk)
    )
    signature.revision = revision
    return signature, revision


def _check_signer(signature: Signature, acting_user, ctx: SigningContext) -> None:
    if ctx.token is not None:
        if not check_signing_token(signature, ctx.token):
            raise PermissionDenied(_("This signing link is no longer valid."))
    elif not is_signer(acting_user, signature):
        raise PermissionDenied(_("Only the signatory named for this party can sign or decline for it."))


def _check_open(signature: Signature, revision: MemorandumRevision) -> None:
    if revision.superseded_at is not None:
        raise ValidationError(_("This revision was superseded by a newer one and can no longer be signed."))
    if not revision.is_frozen:
        raise ValidationError(_("This revision is not open for signature."))
    if signature.status == Signature.Status.SIGNED:
        raise ValidationError(_("This party has already signed this revision."))
    if signature.status == Signature.Status.DECLINED:
        raise ValidationError(_("This party has already declined this revision."))


@transaction.atomic
def signature_sign(
    *,
    signature: Signature,
    acting_user,
    typed_name: str,
    consent: bool,
    content_hash: str,
    ctx: SigningContext,
) -> Signature:
    """The signatory signs the frozen text whose hash they were shown. Records time, IP, user agent and
    the hash; the last signature completes the memorandum and queues its PDF."""
    signature, revision = _lock_for_signing(signature)
    _check_signer(signature, acting_user, ctx)
    _check_open(signature, revision)
    memorandum = revision.memorandum
    if content_hash.strip().lower() != revision.content_hash:
        raise ValidationError(
            _(
                "The text you read is not the one open for signature (its hash differs). Reload the page and read it again."
            )
        )
    typed_name = " ".join((typed_name or "").split())
    if len(typed_name) < 3:
        raise ValidationError(_("Type your full name to sign."))
    if not consent:
        raise ValidationError(_("Confirm that you agree to sign this text electronically."))
    if memorandum.ordered_signing and signature.signatory.party_role != SignatoryRole.INITIATOR:
        waiting = pending_initiators(revision)
        if waiting:
            raise ValidationError(
                _("The initiating parties sign first. Still waiting for: %(parties)s.")
                % {"parties": ", ".join(s.signatory.organisation.name_uk for s in waiting)}
            )
    person = signature.signatory.person
    signature.status = Signature.Status.SIGNED
    signature.method = Signature.Method.ONLINE
    signature.signed_by = (
        acting_user if is_signer(acting_user, signature) else (person.user if person else None)
    )
    signature.typed_name = typed_name[:200]
    signature.signed_at = timezone.now()
    signature.ip_address = ctx.ip_address or None
    signature.user_agent = (ctx.user_agent or "")[:400]
    signature.content_hash = revision.content_hash
    signature.via_link = ctx.token is not None
    signature.save()
    _event(
        memorandum,
        MemorandumEvent.Kind.SIGNED,
        revision=revision,
        actor=signature.signed_by,
        ip_address=ctx.ip_address,
        detail=f"{signature.signatory.organisation.name_uk} — {typed_name}"
        + (" (" + _("signing link") + ")" if signature.via_link else "")
        + f" — SHA-256 {revision.content_hash}",
    )
    _complete_if_signed(revision, actor=signature.signed_by)
    return signature


@transaction.atomic
def signature_decline(
    *, signature: Signature, acting_user, reason: str, ctx: SigningContext
) -> MemorandumRevision:
    """The signatory declines with a reason: the revision is superseded (kept read-only) and a new draft
    revision with the same text is opened for changes. Returns the new revision."""
    signature, revision = _lock_for_signing(signature)
    _check_signer(signature, acting_user, ctx)
    _check_open(signature, revision)
    reason = (reason or "").strip()
    if len(reason) < 3:
        raise ValidationError(_("Say why you decline, so that the text can be changed."))
    memorandum = Memorandum.objects.select_for_update().get(pk=revision.memorandum_id)
    now = timezone.now()
    signature.status = Signature.Status.DECLINED
    signature.decline_reason = reason
    signature.ip_address = ctx.ip_address or None
    signature.user_agent = (ctx.user_agent or "")[:400]
    signature.via_link = ctx.token is not None
    signature.save()
    revision.superseded_at = now
    revision.save(update_fields=["superseded_at", "updated_at"])
    new_revision = MemorandumRevision.objects.create(
        memorandum=memorandum,
        number=revision.number + 1,
        subject=revision.subject,
        body=revision.body,
        created_by=acting_user if getattr(acting_user, "is_authenticated", False) else None,
    )
    memorandum.status = MemorandumStatus.NEGOTIATION
    memorandum.save(update_fields=["status", "updated_at"])
    person = signature.signatory.person
    actor = (
        acting_user if getattr(acting_user, "is_authenticated", False) else (person.user if person else None)
    )
    _event(
        memorandum,
        MemorandumEvent.Kind.DECLINED,
        revision=revision,
        actor=actor,
        ip_address=ctx.ip_address,
        detail=f"{signature.signatory.organisation.name_uk}: {reason}",
    )
    _event(
        memorandum,
        MemorandumEvent.Kind.CREATED,
        revision=new_revision,
        actor=actor,
        detail=_said(
            memorandum,
            gettext_noop("Revision %(n)d, after revision %(old)d was declined"),
            n=new_revision.number,
            old=revision.number,
        ),
    )
    return new_revision


@transaction.atomic
def signature_record_wet_ink(
    *, signature: Signature, acting_user: User, typed_name: str, scan, ip_address: str | None = None
) -> Signature:
    """A coordinator records that the party signed a paper copy of this revision, with its scan. The
    signature is marked as wet ink; the coordinator is recorded as the one who entered it."""
    signature, revision = _lock_for_signing(signature)
    if not can_manage_memorandum(acting_user, revision.memorandum):
        raise PermissionDenied
    _check_open(signature, revision)
    typed_name = " ".join((typed_name or "").split())
    if len(typed_name) < 3:
        raise ValidationError(_("Type the full name of the person who signed the paper copy."))
    if not scan:
        raise ValidationError(_("Upload the scan of the signed paper copy."))
    signature.status = Signature.Status.SIGNED
    signature.method = Signature.Method.WET_INK
    signature.signed_by = acting_user
    signature.typed_name = typed_name[:200]
    signature.signed_at = timezone.now()
    signature.ip_address = ip_address or None
    signature.user_agent = ""
    signature.content_hash = revision.content_hash
    signature.scan.save(f"rev{revision.pk}-sig{signature.pk}-{scan.name}"[-120:], scan, save=False)
    signature.save()
    _event(
        revision.memorandum,
        MemorandumEvent.Kind.WET_INK,
        revision=revision,
        actor=acting_user,
        ip_address=ip_address,
        detail=f"{signature.signatory.organisation.name_uk} — {typed_name}",
    )
    _complete_if_signed(revision, actor=acting_user)
    return signature


@transaction.atomic
def signature_send_link(*, signature: Signature, acting_user: User) -> Signature:
    """E-mail the signatory a personal signing link (sending again invalidates the earlier one)."""
    signature, revision = _lock_for_signing(signature)
    if not can_manage_memorandum(acting_user, revision.memorandum):
        raise PermissionDenied
    _check_open(signature, revision)
    person = signature.signatory.person
    if person is None or not person.email:
        raise ValidationError(
            _("%(party)s has no signer with an e-mail address: choose the signer on the parties page first.")
            % {"party": signature.signatory.organisation.name_uk}
        )
    signature.link_sent_at = timezone.now()
    signature.save(update_fields=["link_sent_at", "updated_at"])
    _event(
        revision.memorandum,
        MemorandumEvent.Kind.LINK_SENT,
        revision=revision,
        actor=acting_user,
        detail=f"{signature.signatory.organisation.name_uk} → {person.email}",
    )

    from .tasks import send_signing_link_email

    send_signing_link_email.delay_on_commit(signature.pk, signature.link_sent_at.isoformat())
    return signature


def _complete_if_signed(revision: MemorandumRevision, *, actor) -> None:
    if not is_fully_signed(revision):
        return
    memorandum = revision.memorandum
    memorandum.status = MemorandumStatus.SIGNED
    memorandum.signed_date = timezone.localdate()
    memorandum.save(update_fields=["status", "signed_date", "updated_at"])
    _event(
        memorandum,
        MemorandumEvent.Kind.COMPLETED,
        revision=revision,
        actor=actor,
        detail=_said(memorandum, gettext_noop("All parties signed")),
    )
    _queue_pdf(revision, actor=actor)


# -- the signed PDF -------------------------------------------------------------------------------


def _queue_pdf(revision: MemorandumRevision, *, actor) -> None:
    revision.pdf_status = PdfStatus.QUEUED
    revision.pdf_error = ""
    revision.pdf_attempts = 0
    revision.save(update_fields=["pdf_status", "pdf_error", "pdf_attempts", "updated_at"])
    _event(revision.memorandum, MemorandumEvent.Kind.RENDER_QUEUED, revision=revision, actor=actor)

    from .tasks import render_memorandum_revision_pdf

    render_memorandum_revision_pdf.delay_on_commit(revision.pk, revision.content_hash)


def can_retry_pdf(revision: MemorandumRevision) -> bool:
    if revision.pdf_status in (PdfStatus.FAILED, PdfStatus.NONE):
        return True
    if revision.pdf_status in (PdfStatus.QUEUED, PdfStatus.RENDERING):
        return timezone.now() - revision.updated_at > PDF_STALE_AFTER
    return False


@transaction.atomic
def revision_pdf_retry(*, revision: MemorandumRevision, acting_user: User) -> MemorandumRevision:
    """Queue the signed PDF again after a failure (or when a queued render went stale)."""
    revision = (
        MemorandumRevision.objects.select_for_update()
        .select_related("memorandum__agenda__region")
        .get(pk=revision.pk)
    )
    if not can_manage_memorandum(acting_user, revision.memorandum):
        raise PermissionDenied
    if not is_fully_signed(revision):
        raise ValidationError(_("The PDF is rendered once every party has signed."))
    if not can_retry_pdf(revision):
        raise ValidationError(_("The PDF is already queued, being rendered or ready."))
    _queue_pdf(revision, actor=acting_user)
    return revision


@transaction.atomic
def revision_pdf_download(
    *, revision: MemorandumRevision, acting_user, ip_address: str | None = None
) -> MemorandumRevision:
    """Record in the audit trail that the signed PDF was downloaded; returns the revision (the caller
    streams its file)."""
    if not can_view_memorandum(acting_user, revision.memorandum):
        raise PermissionDenied
    if revision.pdf_status != PdfStatus.READY or not revision.pdf_file:
        raise ValidationError(_("The signed PDF is not ready yet."))
    _event(
        revision.memorandum,
        MemorandumEvent.Kind.DOWNLOADED,
        revision=revision,
        actor=acting_user,
        ip_address=ip_address,
    )
    return revision


def pdf_storage_name(revision: MemorandumRevision) -> str:
    """One fixed name per revision: a re-run overwrites, so there is never more than one stored PDF."""
    return (
        f"memoranda/pdf/{revision.memorandum_id}/memorandum-{revision.memorandum_id}-rev{revision.number}.pdf"
    )


class PdfRenderFailed(Exception):
    """The render failed; the task may try again (`retry` is False once the attempts are used up)."""

    def __init__(self, message: str, *, retry: bool):
        super().__init__(message)
        self.retry = retry


def revision_pdf_render(
    *, revision_id: int, content_hash: str, before_render: Callable[[], None] | None = None
) -> str:
    """Render and store the signed PDF of one revision. Idempotent: safe to run twice, concurrently, or
    again after a worker died half-way (acks_late redelivery). Returns what happened:
    "ready", "already-ready", "stale", "missing", "not-signed" or "gave-up".

    Three short transactions around the render itself (which holds no lock and writes nothing):
    claim the row (status rendering, attempts + 1), render, then store the file under its fixed name
    unless another run stored it first.
    """
    from .pdf import render_memorandum_pdf

    with transaction.atomic():
        revision = (
            MemorandumRevision.objects.select_for_update()
            .select_related("memorandum__agenda__region")
            .filter(pk=revision_id)
            .first()
        )
        if revision is None:
            return "missing"
        if revision.content_hash != content_hash or revision.superseded_at is not None:
            return "stale"
        if revision.pdf_status == PdfStatus.READY and revision.pdf_file:
            return "already-ready"
        if not is_fully_signed(revision):
            return "not-signed"
        if revision.pdf_attempts >= MAX_PDF_ATTEMPTS:
            revision.pdf_status = PdfStatus.FAILED
            revision.pdf_error = revision.pdf_error or _("Gave up after %(n)d attempts.") % {
                "n": revision.pdf_attempts
            }
            revision.save(update_fields=["pdf_status", "pdf_error", "updated_at"])
            _event(
                revision.memorandum,
                MemorandumEvent.Kind.RENDER_FAILED,
                revision=revision,
                detail=revision.pdf_error,
            )
            return "gave-up"
        revision.pdf_status = PdfStatus.RENDERING
        revision.pdf_attempts += 1
        revision.save(update_fields=["pdf_status", "pdf_attempts", "updated_at"])
        attempt = revision.pdf_attempts

    try:
        if before_render is not None:
            before_render()
        data = render_memorandum_pdf(revision)
    except Exception as exc:  # noqa: BLE001 - any render error is recorded on the row
        message = f"{type(exc).__name__}: {exc}"[:2000]
        retry = attempt < MAX_PDF_ATTEMPTS
        with transaction.atomic():
            row = MemorandumRevision.objects.select_for_update().get(pk=revision_id)
            if row.pdf_status != PdfStatus.READY:
                row.pdf_status = PdfStatus.QUEUED if retry else PdfStatus.FAILED
                row.pdf_error = message
                row.save(update_fields=["pdf_status", "pdf_error", "updated_at"])
                if not retry:
                    _event(row.memorandum, MemorandumEvent.Kind.RENDER_FAILED, revision=row, detail=message)
        raise PdfRenderFailed(message, retry=retry) from exc

    with transaction.atomic():
        row = MemorandumRevision.objects.select_for_update().select_related("memorandum").get(pk=revision_id)
        if row.pdf_status == PdfStatus.READY and row.pdf_file:
            return "already-ready"
        name = pdf_storage_name(row)
        storage = row.pdf_file.storage
        if storage.exists(name):  # left by a run that died between storing and committing
            storage.delete(name)
        row.pdf_file.name = storage.save(name, ContentFile(data))
        row.pdf_hash = hashlib.sha256(data).hexdigest()
        row.pdf_status = PdfStatus.READY
        row.pdf_error = ""
        row.pdf_rendered_at = timezone.now()
        row.save(
            update_fields=["pdf_file", "pdf_hash", "pdf_status", "pdf_error", "pdf_rendered_at", "updated_at"]
        )
        _event(row.memorandum, MemorandumEvent.Kind.RENDERED, revision=row, detail=f"SHA-256 {row.pdf_hash}")
    return "ready"


# -- verification ---------------------------------------------------------------------------------


def revision_by_code(code: str) -> MemorandumRevision | None:
    code = canonical.normalise_code(code)
    if not code:
        return None
    return (
        MemorandumRevision.objects.filter(verification_code=code)
        .exclude(verification_code="")
        .select_related("memorandum__agenda__region")
        .first()
    )


def revision_verify_upload(*, revision: MemorandumRevision, uploaded) -> tuple[bool, str]:
    """Is the uploaded file byte-for-byte the signed PDF? Returns (match, the upload's SHA-256).

    Writes nothing: the page is public and anonymous, so recording each check would let anyone flood
    a memorandum's audit trail. Checks are logged instead."""
    digest = hashlib.sha256()
    for chunk in uploaded.chunks():
        digest.update(chunk)
    uploaded_hash = digest.hexdigest()
    match = bool(revision.pdf_hash) and uploaded_hash == revision.pdf_hash
    logger.info(
        "verification of %s: %s (%s)",
        revision.verification_code,
        "match" if match else "no match",
        uploaded_hash,
    )
    return match, uploaded_hash
