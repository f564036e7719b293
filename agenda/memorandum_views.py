"""Memorandum pages of a region: list, drafting, parties, signing, the PDF and its status.

Every look-up goes through `Region.objects.visible_to(user)` (another region is a 404); too few rights
is a 403. Views are thin: forms validate, one service call does the work, then redirect. The e-mailed
signing link is the only page here reachable without an account: its token stands for the signatory.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Q
from django.http import FileResponse, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.throttle import client_ip
from regions.models import Region
from regions.rules import can_manage_region, can_participate_in_region
from stakeholders.models import Organisation, Person

from . import memorandum_services as services
from .memorandum_filters import MemorandumFilter
from .memorandum_forms import (
    DeclineForm,
    MemorandumCreateForm,
    MemorandumEditForm,
    PartyAddForm,
    PartyForm,
    SignForm,
    VerifyCodeForm,
    VerifyUploadForm,
    WetInkForm,
)
from .memorandum_tokens import check_signing_token
from .models import Memorandum, MemorandumRevision, MemorandumStatus, SignatoryRole, Signature
from .pdf import document_context, qr_data_uri, render_memorandum_pdf, verification_url

PdfStatus = MemorandumRevision.PdfStatus
PAGE_SIZE = 20


# -- look-ups -------------------------------------------------------------------------------------


def _region(request, slug: str) -> Region:
    return get_object_or_404(Region.objects.visible_to(request.user), slug=slug)


def _memorandum(request, region_slug: str, pk: int, *, manage: bool = False) -> Memorandum:
    region = _region(request, region_slug)
    memorandum = get_object_or_404(
        Memorandum.objects.select_related("agenda__region"), pk=pk, agenda__region=region
    )
    if manage and not can_manage_region(request.user, region):
        raise PermissionDenied
    return memorandum


def _signature(memorandum: Memorandum, signature_pk: int) -> Signature:
    return get_object_or_404(
        Signature.objects.select_related(
            "revision__memorandum__agenda__region", "signatory__organisation", "signatory__person__user"
        ),
        pk=signature_pk,
        revision__memorandum=memorandum,
    )


def _ctx(request) -> services.SigningContext:
    return services.SigningContext(
        ip_address=client_ip(request), user_agent=request.META.get("HTTP_USER_AGENT", "")[:400]
    )


def _int(value) -> int:
    """A posted integer, or -1 when it is not one (a version that never matches)."""
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return -1


def _errors(exc: ValidationError) -> str:
    return " ".join(exc.messages)


def _detail_url(memorandum: Memorandum) -> str:
    return memorandum.get_absolute_url()


def _base_context(request, memorandum: Memorandum) -> dict:
    region = memorandum.agenda.region
    return {
        "region": region,
        "memorandum": memorandum,
        "can_manage": can_manage_region(request.user, region),
        "can_participate": can_participate_in_region(request.user, region),
        "section": "memoranda",
    }


# -- list and drafting ----------------------------------------------------------------------------


@require_safe
def memorandum_list(request, region: str):
    """The region's memoranda, filtered and paginated. Three queries whatever the number of rows: the
    count, the page (with its agenda and party/signature counts), and the region."""
    region_obj = _region(request, region)
    current = Q(revisions__superseded_at__isnull=True)
    queryset = (
        Memorandum.objects.for_region(region_obj)
        .select_related("agenda__region")
        .annotate(
            party_count=Count(
                "signatories", filter=~Q(signatories__party_role=SignatoryRole.OBSERVER), distinct=True
            ),
            signed_count=Count(
                "revisions__signatures",
                filter=current & Q(revisions__signatures__status=Signature.Status.SIGNED),
                distinct=True,
            ),
            revision_count=Count("revisions", distinct=True),
        )
        .order_by("-agenda__year", "-created_at", "-pk")
    )
    filterset = MemorandumFilter(request.GET or None, queryset=queryset)
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "memoranda/memorandum_list.html",
        {
            "region": region_obj,
            "filter": filterset,
            "page_obj": page,
            "memoranda": page.object_list,
            "can_manage": can_manage_region(request.user, region_obj),
            "can_participate": can_participate_in_region(request.user, region_obj),
            "section": "memoranda",
        },
    )


@require_http_methods(["GET", "POST"])
def memorandum_create(request, region: str):
    region_obj = _region(request, region)
    if not can_manage_region(request.user, region_obj):
        raise PermissionDenied
    form = MemorandumCreateForm(request.POST or None, region=region_obj)
    if request.method == "POST" and form.is_valid():
        try:
            memorandum = services.memorandum_draft_from_agenda(
                agenda=form.cleaned_data["agenda"],
                acting_user=request.user,
                language=form.cleaned_data["language"],
                title_uk=form.cleaned_data["title_uk"],
                title_en=form.cleaned_data["title_en"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                _("The draft memorandum is ready: parties, goals and commitments are taken from the agenda."),
            )
            return redirect(memorandum.get_absolute_url())
    return render(
        request,
        "memoranda/memorandum_create.html",
        {"region": region_obj, "form": form, "can_manage": True, "section": "memoranda"},
    )


def _revision_rows(memorandum: Memorandum) -> list[MemorandumRevision]:
    return list(memorandum.revisions.order_by("-number"))


@require_safe
def memorandum_detail(request, region: str, pk: int):
    """The memorandum: its current text (frozen snapshot once opened), parties and signatures, the PDF
    status, earlier revisions and the audit trail. A fixed number of queries."""
    memorandum = _memorandum(request, region, pk)
    revisions = _revision_rows(memorandum)
    revision = next((r for r in revisions if r.superseded_at is None), None) or services.current_revision(
        memorandum, create=False
    )
    return render(
        request,
        "memoranda/memorandum_detail.html",
        _revision_page_context(request, memorandum, revision, revisions),
    )


def _revision_page_context(request, memorandum, revision, revisions) -> dict:
    ctx = _base_context(request, memorandum)
    signatures = (
        list(
            revision.signatures.select_related(
                "signatory__organisation", "signatory__person", "signed_by"
            ).order_by("signatory__order", "signatory__id")
        )
        if revision.pk
        else []  # an admin-made memorandum without a revision yet
    )
    waiting_initiators = [
        s
        for s in signatures
        if s.status == Signature.Status.PENDING and s.signatory.party_role == SignatoryRole.INITIATOR
    ]
    for signature in signatures:
        signature.mine = services.is_signer(request.user, signature)
        signature.blocked_by_order = bool(
            memorandum.ordered_signing
            and signature.signatory.party_role != SignatoryRole.INITIATOR
            and waiting_initiators
        )
    with translation.override(memorandum.language):
        document = document_context(revision)
    is_current = revision.superseded_at is None
    editable = is_current and not revision.is_frozen and memorandum.status in services.EDITABLE_STATUSES
    ctx.update(
        {
            "revision": revision,
            "revisions": revisions,
            "is_current": is_current,
            "editable": editable,
            "document": document,
            "signatures": signatures,
            "my_pending": [
                s for s in signatures if s.mine and s.status == Signature.Status.PENDING and is_current
            ],
            "signatories": []
            if revision.is_frozen
            else list(memorandum.signatories.select_related("organisation", "person")),
            "events": list(
                memorandum.events.select_related("actor", "revision").order_by("-created_at", "-id")
            ),
            "fully_signed": bool(signatures)
            and all(s.status == Signature.Status.SIGNED for s in signatures)
            and revision.is_frozen,
            "verify_url": verification_url(revision.verification_code) if revision.verification_code else "",
            "qr": qr_data_uri(verification_url(revision.verification_code))
            if revision.verification_code
            else "",
            "can_retry": ctx["can_manage"] and services.can_retry_pdf(revision),
            "Signature": Signature,
            "PdfStatus": PdfStatus,
            "MemorandumStatus": MemorandumStatus,
        }
    )
    return ctx


@require_safe
def revision_detail(request, region: str, pk: int, number: int):
    """An earlier (or the current) revision, read-only, with the signatures it collected."""
    memorandum = _memorandum(request, region, pk)
    revisions = _revision_rows(memorandum)
    revision = next((r for r in revisions if r.number == number), None)
    if revision is None:
        return render(request, "404.html", status=404)
    return render(
        request,
        "memoranda/revision_detail.html",
        _revision_page_context(request, memorandum, revision, revisions),
    )


@require_http_methods(["GET", "POST"])
def memorandum_update(request, region: str, pk: int):
    memorandum = _memorandum(request, region, pk, manage=True)
    revision = services.current_revision(memorandum)
    if revision.is_frozen or memorandum.status not in services.EDITABLE_STATUSES:
        messages.error(
            request, _("The text is frozen: this revision is open for signature and can no longer be edited.")
        )
        return redirect(_detail_url(memorandum))
    form = MemorandumEditForm(
        request.POST or None, initial=MemorandumEditForm.initial_for(memorandum, revision)
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version")
        try:
            services.memorandum_update(
                memorandum=memorandum, acting_user=request.user, version=version, **data
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The draft is saved."))
            return redirect(_detail_url(memorandum))
    ctx = _base_context(request, memorandum)
    ctx.update({"form": form, "revision": revision})
    return render(request, "memoranda/memorandum_form.html", ctx)


@require_http_methods(["GET", "POST"])
def memorandum_parties(request, region: str, pk: int):
    """All parties of the draft on one page: signer, «в особі», side, role, order, commitments; remove
    a party or add an organisation of the region."""
    memorandum = _memorandum(request, region, pk, manage=True)
    revision = services.current_revision(memorandum)
    if revision.is_frozen or memorandum.status not in services.EDITABLE_STATUSES:
        messages.error(request, _("The parties are frozen with the text once it is open for signature."))
        return redirect(_detail_url(memorandum))
    signatories = list(
        memorandum.signatories.select_related("organisation", "person").order_by("order", "id")
    )
    people_by_org: dict[int, list] = {}
    for person in Person.objects.filter(organisation__in=[s.organisation_id for s in signatories]).order_by(
        "full_name"
    ):
        people_by_org.setdefault(person.organisation_id, []).append(person.pk)
    data = request.POST if request.method == "POST" else None
    forms = [
        PartyForm(
            data,
            prefix=f"p{s.pk}",
            people=Person.objects.filter(pk__in=people_by_org.get(s.organisation_id, [])),
            organisation_name=s.organisation.name,
            initial={
                "id": s.pk,
                "order": s.order,
                "party_role": s.party_role,
                "side": s.side,
                "person": s.person_id,
                "signer_position_uk": s.signer_position_uk,
                "signer_position_en": s.signer_position_en,
                "own_obligations": s.own_obligations,
            },
        )
        for s in signatories
    ]
    candidates = (
        Organisation.objects.for_region(memorandum.agenda.region)
        .exclude(pk__in=[s.organisation_id for s in signatories])
        .order_by("name_uk")
    )
    add_form = PartyAddForm(data, organisations=candidates, prefix="add")
    version = _int(request.POST.get("version")) if data else revision.version
    if data is not None and all(f.is_valid() for f in forms) and add_form.is_valid():
        changes, remove = {}, []
        for signatory, form in zip(signatories, forms, strict=True):
            values = dict(form.cleaned_data)
            values.pop("id")  # the party is the one this form was built for, whatever was posted
            signatory_id = signatory.pk
            if values.pop("remove"):
                remove.append(signatory_id)
            else:
                changes[signatory_id] = values
        add = [add_form.cleaned_data["organisation"]] if add_form.cleaned_data.get("organisation") else []
        try:
            services.memorandum_parties_update(
                memorandum=memorandum,
                acting_user=request.user,
                version=version,
                changes=changes,
                remove=remove,
                add=add,
            )
        except ValidationError as exc:
            messages.error(request, _errors(exc))
        else:
            messages.success(request, _("The parties are saved."))
            if add:
                return redirect(
                    reverse("memoranda:memorandum-parties", kwargs={"region": region, "pk": memorandum.pk})
                )
            return redirect(_detail_url(memorandum))
    ctx = _base_context(request, memorandum)
    ctx.update({"forms": forms, "add_form": add_form, "revision": revision, "version": version})
    return render(request, "memoranda/memorandum_parties.html", ctx)


@require_POST
def memorandum_open(request, region: str, pk: int):
    memorandum = _memorandum(request, region, pk, manage=True)
    try:
        revision = services.memorandum_open_for_signature(
            memorandum=memorandum, acting_user=request.user, ip_address=client_ip(request)
        )
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    else:
        messages.success(
            request,
            _("Revision %(n)d is open for signature. Its text is frozen; SHA-256 %(hash)s.")
            % {"n": revision.number, "hash": revision.content_hash},
        )
    return redirect(_detail_url(memorandum))


@require_safe
def memorandum_preview(request, region: str, pk: int):
    """The current revision as a PDF watermarked «ПРОЄКТ / DRAFT» (rendered in the request: a preview
    is never stored, so it can never pass for the signed PDF)."""
    memorandum = _memorandum(request, region, pk)
    revision = services.current_revision(memorandum, create=False)
    data = render_memorandum_pdf(revision, preview=True)
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'inline; filename="memorandum-{memorandum.pk}-rev{revision.number}-draft.pdf"'
    )
    return response


# -- the signed PDF -------------------------------------------------------------------------------


def _revision(memorandum: Memorandum, number: int) -> MemorandumRevision:
    return get_object_or_404(
        MemorandumRevision.objects.select_related("memorandum__agenda__region"),
        memorandum=memorandum,
        number=number,
    )


@require_safe
def revision_pdf_status(request, region: str, pk: int, number: int):
    """The small status block of the signed PDF; htmx polls it while the PDF is queued or rendering."""
    memorandum = _memorandum(request, region, pk)
    revision = _revision(memorandum, number)
    ctx = _base_context(request, memorandum)
    ctx.update(
        {
            "revision": revision,
            "fully_signed": services.is_fully_signed(revision),
            "can_retry": ctx["can_manage"] and services.can_retry_pdf(revision),
            "PdfStatus": PdfStatus,
        }
    )
    return render(request, "memoranda/includes/pdf_status.html", ctx)


@require_POST
def revision_pdf_download(request, region: str, pk: int, number: int):
    """Stream the signed PDF; the download is recorded in the audit trail (hence POST)."""
    memorandum = _memorandum(request, region, pk)
    revision = _revision(memorandum, number)
    try:
        services.revision_pdf_download(
            revision=revision, acting_user=request.user, ip_address=client_ip(request)
        )
    except ValidationError as exc:
        messages.error(request, _errors(exc))
        return redirect(_detail_url(memorandum))
    filename = f"memorandum-{memorandum.pk}-rev{revision.number}-{revision.verification_code}.pdf"
    return FileResponse(
        revision.pdf_file.open("rb"), as_attachment=True, filename=filename, content_type="application/pdf"
    )


@require_POST
def revision_pdf_retry(request, region: str, pk: int, number: int):
    memorandum = _memorandum(request, region, pk, manage=True)
    revision = _revision(memorandum, number)
    try:
        services.revision_pdf_retry(revision=revision, acting_user=request.user)
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    else:
        messages.success(request, _("The PDF is queued again."))
    return redirect(_detail_url(memorandum))


# -- signing --------------------------------------------------------------------------------------


def _sign_page(request, memorandum, signature, *, sign_form=None, decline_form=None, token=None, status=200):
    revision = signature.revision
    ctx = _base_context(request, memorandum)
    with translation.override(memorandum.language):
        document = document_context(revision)
    waiting = (
        services.pending_initiators(revision)
        if memorandum.ordered_signing and signature.signatory.party_role != SignatoryRole.INITIATOR
        else []
    )
    ctx.update(
        {
            "signature": signature,
            "revision": revision,
            "document": document,
            "token": token,
            "sign_form": sign_form or SignForm(initial={"content_hash": revision.content_hash}),
            "decline_form": decline_form or DeclineForm(),
            "can_act": signature.status == Signature.Status.PENDING
            and revision.superseded_at is None
            and revision.is_frozen,
            "waiting_initiators": waiting,
            "Signature": Signature,
        }
    )
    return render(request, "memoranda/signature_sign.html", ctx, status=status)


def _handle_sign(request, memorandum, signature, *, token=None, done_url):
    """POST of the signing page: action=sign (default) or action=decline."""
    ctx = _ctx(request)
    if token is not None:
        ctx = services.SigningContext(ip_address=ctx.ip_address, user_agent=ctx.user_agent, token=token)
    if request.POST.get("action") == "decline":
        form = DeclineForm(request.POST)
        if form.is_valid():
            try:
                services.signature_decline(
                    signature=signature, acting_user=request.user, reason=form.cleaned_data["reason"], ctx=ctx
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(
                    request, _("You declined this revision. The memorandum returns to a new draft revision.")
                )
                return redirect(done_url)
        return _sign_page(request, memorandum, signature, decline_form=form, token=token)
    form = SignForm(request.POST)
    if form.is_valid():
        try:
            services.signature_sign(
                signature=signature,
                acting_user=request.user,
                typed_name=form.cleaned_data["typed_name"],
                consent=form.cleaned_data["consent"],
                content_hash=form.cleaned_data["content_hash"],
                ctx=ctx,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("You signed the memorandum. Thank you."))
            return redirect(done_url)
    return _sign_page(request, memorandum, signature, sign_form=form, token=token)


@require_http_methods(["GET", "POST"])
def signature_sign(request, region: str, pk: int, signature_pk: int):
    """The signatory (by their own account) reads the frozen text and its hash, types their name,
    consents and signs — or declines with a reason."""
    memorandum = _memorandum(request, region, pk)
    signature = _signature(memorandum, signature_pk)
    if not services.is_signer(request.user, signature):
        raise PermissionDenied
    if request.method == "POST":
        return _handle_sign(request, memorandum, signature, done_url=_detail_url(memorandum))
    return _sign_page(request, memorandum, signature)


@require_POST
def signature_decline(request, region: str, pk: int, signature_pk: int):
    memorandum = _memorandum(request, region, pk)
    signature = _signature(memorandum, signature_pk)
    if not services.is_signer(request.user, signature):
        raise PermissionDenied
    form = DeclineForm(request.POST)
    if form.is_valid():
        try:
            services.signature_decline(
                signature=signature,
                acting_user=request.user,
                reason=form.cleaned_data["reason"],
                ctx=_ctx(request),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request, _("You declined this revision. The memorandum returns to a new draft revision.")
            )
            return redirect(_detail_url(memorandum))
    return _sign_page(request, memorandum, signature, decline_form=form)


@login_not_required
@require_http_methods(["GET", "POST"])
def signature_sign_link(request, region: str, pk: int, signature_pk: int, token: str):
    """The page the e-mailed signing link opens, with or without an account: the token stands for the
    signatory. An invalid, used, resent or expired link is a 404 page that says so."""
    signature = (
        Signature.objects.select_related(
            "revision__memorandum__agenda__region", "signatory__organisation", "signatory__person__user"
        )
        .filter(
            pk=signature_pk, revision__memorandum_id=pk, revision__memorandum__agenda__region__slug=region
        )
        .first()
    )
    if signature is None or not check_signing_token(signature, token):
        return render(request, "memoranda/signing_link_invalid.html", status=404)
    memorandum = signature.revision.memorandum
    done_url = reverse("memoranda:signature-link-done", kwargs={"region": region, "pk": pk})
    if request.method == "POST":
        return _handle_sign(request, memorandum, signature, token=token, done_url=done_url)
    return _sign_page(request, memorandum, signature, token=token)


@login_not_required
@require_safe
def signature_link_done(request, region: str, pk: int):
    """Where a signatory who came by the link lands: the link no longer works, so it only thanks."""
    return render(request, "memoranda/signing_link_done.html")


@require_http_methods(["GET", "POST"])
def signature_wet_ink(request, region: str, pk: int, signature_pk: int):
    """A coordinator records a signature on a paper copy of the frozen text, with its scan."""
    memorandum = _memorandum(request, region, pk, manage=True)
    signature = _signature(memorandum, signature_pk)
    form = WetInkForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.signature_record_wet_ink(
                signature=signature,
                acting_user=request.user,
                typed_name=form.cleaned_data["typed_name"],
                scan=form.cleaned_data["scan"],
                ip_address=client_ip(request),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The wet-ink signature is recorded."))
            return redirect(_detail_url(memorandum))
    ctx = _base_context(request, memorandum)
    ctx.update({"form": form, "signature": signature, "revision": signature.revision})
    return render(request, "memoranda/signature_wet_ink.html", ctx)


@require_POST
def signature_send_link(request, region: str, pk: int, signature_pk: int):
    memorandum = _memorandum(request, region, pk, manage=True)
    signature = _signature(memorandum, signature_pk)
    try:
        with transaction.atomic():
            services.signature_send_link(signature=signature, acting_user=request.user)
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    else:
        messages.success(
            request,
            _("A signing link was e-mailed to %(email)s; any earlier link no longer works.")
            % {"email": signature.signatory.person.email},
        )
    return redirect(_detail_url(memorandum))


# -- public verification --------------------------------------------------------------------------


@login_not_required
@require_safe
def verify_index(request):
    """Anyone types the code printed on a memorandum; a known code leads to its verification page."""
    form = VerifyCodeForm(request.GET or None)
    if form.is_bound and form.is_valid():
        revision = services.revision_by_code(form.cleaned_data["code"])
        if revision is not None:
            return redirect(reverse("verify:verify-code", kwargs={"code": revision.verification_code}))
        form.add_error(
            "code", _("No memorandum has this verification code. Check the code printed on the document.")
        )
    return render(request, "memoranda/verify_index.html", {"form": form})


@login_not_required
@require_http_methods(["GET", "POST"])
def verify_code(request, code: str):
    """Public: the title, parties and signing times of the memorandum with this code and the SHA-256 of
    its signed PDF; an uploaded PDF is compared byte for byte with the signed one. No IP addresses,
    user agents or e-mail addresses are shown."""
    revision = services.revision_by_code(code)
    if revision is None:
        return render(
            request,
            "memoranda/verify_index.html",
            {"form": VerifyCodeForm(initial={"code": code}), "unknown": True},
            status=404,
        )
    if revision.verification_code != code:
        return redirect(reverse("verify:verify-code", kwargs={"code": revision.verification_code}))
    memorandum = revision.memorandum
    form = VerifyUploadForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        match, uploaded_hash = services.revision_verify_upload(
            revision=revision, uploaded=form.cleaned_data["pdf"]
        )
        result = {"match": match, "uploaded_hash": uploaded_hash, "name": form.cleaned_data["pdf"].name}
    signatures = list(
        revision.signatures.select_related("signatory__organisation").order_by(
            "signatory__order", "signatory__id"
        )
    )
    with translation.override(memorandum.language):
        document = document_context(revision)
    # The parties as the signed document names them (its language), each with its signature.
    by_name = {s.signatory.organisation.name_uk: s for s in signatures}
    parties = [
        dict(p, signature=by_name.get(p["organisation_uk"])) for p in document["parties"] if p["is_signing"]
    ]
    return render(
        request,
        "memoranda/verify_code.html",
        {
            "revision": revision,
            "memorandum": memorandum,
            "document": document,
            "parties": parties,
            "fully_signed": services.is_fully_signed(revision),
            "form": form,
            "result": result,
            "Signature": Signature,
            "PdfStatus": PdfStatus,
        },
        status=200,
    )
