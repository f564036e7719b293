from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.forms import SetPasswordForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from core.forms import parse_key
from regions.models import Region
from regions.rules import can_manage_region
from stakeholders.models import Person

from . import throttle
from .forms import EmailAuthenticationForm
from .models import Invitation
from .services import invitation_accept, invitation_revoke, invitation_send
from .tokens import check_invitation_token


class ThrottledLoginView(auth_views.LoginView):
    """Login by e-mail. After LOGIN_FAILURE_LIMIT failures for one account or address both are locked
    out for LOGIN_LOCKOUT_SECONDS and answered with HTTP 429 and a clear message."""

    template_name = "accounts/login.html"
    authentication_form = EmailAuthenticationForm
    redirect_authenticated_user = True

    def _locked_response(self, form):
        minutes = max(1, settings.LOGIN_LOCKOUT_SECONDS // 60)
        form.add_error(
            None,
            _("Too many failed attempts. Login for this account and address is locked for %(minutes)d minutes.")
            % {"minutes": minutes},
        )
        return self.render_to_response(self.get_context_data(form=form), status=429)

    def post(self, request, *args, **kwargs):
        email = request.POST.get("username", "")
        if throttle.is_locked(email, throttle.client_ip(request)):
            form = self.get_form()
            form.is_bound and form.errors  # noqa: B018 - keep the user's input shown
            return self._locked_response(form)
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form):
        email = self.request.POST.get("username", "")
        if throttle.register_failure(email, throttle.client_ip(self.request)):
            return self._locked_response(form)
        return super().form_invalid(form)

    def form_valid(self, form):
        throttle.reset(form.get_user().email, throttle.client_ip(self.request))
        return super().form_valid(form)


def landing_url(invitation: Invitation) -> str:
    """Where an invited representative lands: their organisation's row, pinned on top of the role
    matrix of the region's newest agenda."""
    region = invitation.region
    agenda = region.agendas.order_by("-year").first()
    if agenda is None:
        return region.get_absolute_url()
    matrix = reverse("stakeholders:role-entry-list", kwargs={"region": region.slug, "year": agenda.year})
    return f"{matrix}#org-{invitation.person.organisation_id}"


@login_not_required
@sensitive_post_parameters()
@require_http_methods(["GET", "POST"])
def invitation_accept_view(request, pk: int, token: str):
    invitation = Invitation.objects.select_related("user", "region", "person__organisation").filter(pk=pk).first()
    if invitation is None or not check_invitation_token(invitation, token):
        return render(request, "accounts/invitation_invalid.html", status=404)
    form = SetPasswordForm(invitation.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = invitation_accept(invitation=invitation, token=token, password=form.cleaned_data["new_password1"])
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            login(request, user, backend="accounts.backends.EmailBackend")
            messages.success(request, _("Welcome! Your password is set. This is your organisation's row."))
            return redirect(landing_url(invitation))
    return render(request, "accounts/invitation_accept.html", {"form": form, "invitation": invitation})


def _managed_region(request, slug: str) -> Region:
    region = get_object_or_404(Region.objects.visible_to(request.user), slug=slug)
    if not can_manage_region(request.user, region):
        raise PermissionDenied
    return region


@require_safe
def invitation_list(request, region: str):
    """The coordinator's view of who was invited, who accepted and who has not."""
    region = _managed_region(request, region)
    people = (
        Person.objects.filter(organisation__region=region)
        .select_related("organisation", "user")
        .prefetch_related(Prefetch("invitations", queryset=Invitation.objects.filter(region=region).order_by("-created_at")))
        .order_by("organisation__name_uk", "full_name")
    )
    rows = [{"person": p, "invitation": next(iter(p.invitations.all()), None)} for p in people]
    pending = sum(1 for r in rows if r["invitation"] and r["invitation"].state == Invitation.State.PENDING)
    return render(request, "accounts/invitation_list.html", {"region": region, "rows": rows, "pending": pending})


@require_POST
def invitation_send_view(request, region: str):
    """Invite (or invite again) the selected people; each one is reported."""
    region = _managed_region(request, region)
    ids = [key for i in request.POST.getlist("person") if (key := parse_key(i))]
    people = Person.objects.filter(pk__in=ids, organisation__region=region).select_related("organisation", "user")
    if not people:
        messages.error(request, _("Select at least one person to invite."))
    sent = 0
    for person in people:
        try:
            invitation_send(person=person, region=region, acting_user=request.user)
            sent += 1
        except ValidationError as exc:
            messages.error(request, "; ".join(exc.messages))
    if sent:
        messages.success(request, _("Invitations sent: %(count)d.") % {"count": sent})
    return redirect(reverse("accounts:invitation-list", kwargs={"region": region.slug}))


@require_POST
def invitation_revoke_view(request, region: str, pk: int):
    region = _managed_region(request, region)
    invitation = get_object_or_404(Invitation, pk=pk, region=region)
    try:
        invitation_revoke(invitation=invitation, acting_user=request.user)
        messages.success(request, _("The invitation of %(name)s is revoked; its link no longer works.") % {"name": invitation.person.full_name})
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
    return redirect(reverse("accounts:invitation-list", kwargs={"region": region.slug}))


@method_decorator(login_not_required, name="dispatch")
class PasswordResetView(auth_views.PasswordResetView):
    template_name = "accounts/password_reset_form.html"
    email_template_name = "accounts/email/password_reset.txt"
    html_email_template_name = "accounts/email/password_reset.html"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")
