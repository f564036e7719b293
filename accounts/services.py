"""Invitations of stakeholder representatives: send, resend, revoke, accept."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from regions.models import Region
from regions.rules import can_manage_region, forget_cached_rules
from stakeholders.models import Person

from .models import Invitation, User
from .tokens import check_invitation_token


def _account_for(person: Person) -> User:
    """The account of the person: theirs already, one with the same e-mail, or a new one without a
    usable password (the invitation lets them choose it)."""
    if person.user_id:
        return person.user
    user = User.objects.filter(email__iexact=person.email).first()
    if user is None:
        user = User(email=person.email, username=person.email.lower(), full_name=person.full_name, language=person.preferred_language)
        user.set_unusable_password()
        user.save()
    person.user = user
    person.save(update_fields=["user", "updated_at"])
    return user


@transaction.atomic
def invitation_send(*, person: Person, region: Region, acting_user: User) -> Invitation:
    """Invite (or invite again) a representative. The e-mail is sent by a Celery task after commit;
    sending again moves `sent_at`, which invalidates the earlier link."""
    if not can_manage_region(acting_user, region):
        raise PermissionDenied
    if person.organisation.region_id != region.pk:
        raise ValidationError(_("This person does not belong to an organisation of this region."))
    if not person.email:
        raise ValidationError(_("%(name)s has no e-mail address.") % {"name": person.full_name})
    user = _account_for(person)
    if not user.is_active:
        raise ValidationError(_("The account of %(email)s is deactivated.") % {"email": user.email})
    invitation = Invitation.objects.select_for_update().pending().filter(person=person, region=region).first()
    if invitation is None:
        invitation = Invitation.objects.create(user=user, person=person, region=region, invited_by=acting_user)
    invitation.sent_at = timezone.now()
    invitation.send_count += 1
    invitation.invited_by = acting_user
    invitation.save(update_fields=["sent_at", "send_count", "invited_by"])

    from .tasks import send_invitation_email

    send_invitation_email.delay_on_commit(invitation.pk, invitation.sent_at.isoformat())
    return invitation


@transaction.atomic
def invitation_revoke(*, invitation: Invitation, acting_user: User) -> Invitation:
    if not can_manage_region(acting_user, invitation.region):
        raise PermissionDenied
    if invitation.accepted_at:
        raise ValidationError(_("An accepted invitation cannot be revoked."))
    if not invitation.revoked_at:
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
    return invitation


@transaction.atomic
def invitation_accept(*, invitation: Invitation, token: str, password: str) -> User:
    """Set the password chosen by the invited person and mark the invitation used. A token that does
    not match (used, resent, revoked, expired or forged) is refused."""
    invitation = Invitation.objects.select_for_update().select_related("user").get(pk=invitation.pk)
    if not check_invitation_token(invitation, token):
        raise ValidationError(_("This invitation link is no longer valid. Ask your coordinator to send a new one."))
    user = invitation.user
    user.set_password(password)
    user.save(update_fields=["password"])
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    Person.objects.filter(pk=invitation.person_id).update(user=user)
    forget_cached_rules(user)
    return user
