import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from accounts.models import Invitation, User
from accounts.services import invitation_accept, invitation_revoke, invitation_send
from accounts.tokens import check_invitation_token, make_invitation_token
from regions.models import RegionMembership
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup():
    region = f.RegionFactory()
    coordinator = f.UserFactory()
    f.RegionMembershipFactory(user=coordinator, region=region, role=RegionMembership.Role.COORDINATOR)
    person = f.PersonFactory(organisation__region=region, email="Rep@Cluster.example.org", preferred_language="en")
    return region, coordinator, person


def _send(setup, django_capture_on_commit_callbacks):
    region, coordinator, person = setup
    with django_capture_on_commit_callbacks(execute=True):
        return invitation_send(person=person, region=region, acting_user=coordinator)


def test_send_creates_account_without_password_and_emails_link_in_recipients_language(setup, django_capture_on_commit_callbacks):
    invitation = _send(setup, django_capture_on_commit_callbacks)
    user = invitation.user
    assert user.email == "Rep@Cluster.example.org" and not user.has_usable_password()
    assert invitation.person.user == user
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["Rep@Cluster.example.org"]
    assert "invited" in message.body  # English: the person's preferred language
    assert message.alternatives and message.alternatives[0][1] == "text/html"
    token = make_invitation_token(invitation)
    assert f"/accounts/invitation/{invitation.pk}/{token}/" in message.body


def test_send_links_an_existing_account_by_email_case_insensitively(setup, django_capture_on_commit_callbacks):
    existing = f.UserFactory(email="rep@cluster.example.org")
    invitation = _send(setup, django_capture_on_commit_callbacks)
    assert invitation.user == existing
    assert User.objects.filter(email__iexact="rep@cluster.example.org").count() == 1


def test_resend_invalidates_the_earlier_link(setup, django_capture_on_commit_callbacks):
    first = _send(setup, django_capture_on_commit_callbacks)
    old_token = make_invitation_token(first)
    second = _send(setup, django_capture_on_commit_callbacks)
    assert second.pk == first.pk and second.send_count == 2
    assert not check_invitation_token(second, old_token)
    assert check_invitation_token(second, make_invitation_token(second))


def test_accept_sets_password_once(setup, django_capture_on_commit_callbacks):
    invitation = _send(setup, django_capture_on_commit_callbacks)
    token = make_invitation_token(invitation)
    user = invitation_accept(invitation=invitation, token=token, password="a-Strong-passw0rd")
    assert user.check_password("a-Strong-passw0rd")
    invitation.refresh_from_db()
    assert invitation.accepted_at is not None
    with pytest.raises(ValidationError):
        invitation_accept(invitation=invitation, token=token, password="another-Passw0rd!")


def test_expired_and_revoked_and_forged_tokens_are_refused(setup, django_capture_on_commit_callbacks, settings):
    region, coordinator, person = setup
    invitation = _send(setup, django_capture_on_commit_callbacks)
    token = make_invitation_token(invitation)
    assert not check_invitation_token(invitation, token[:-1] + ("0" if token[-1] != "0" else "1"))
    Invitation.objects.filter(pk=invitation.pk).update(sent_at=timezone.now() - settings.INVITATION_TTL - datetime.timedelta(minutes=1))
    invitation.refresh_from_db()
    assert invitation.state == Invitation.State.EXPIRED
    assert not check_invitation_token(invitation, make_invitation_token(invitation))
    invitation = _send(setup, django_capture_on_commit_callbacks)
    invitation_revoke(invitation=invitation, acting_user=coordinator)
    assert invitation.state == Invitation.State.REVOKED
    assert not check_invitation_token(invitation, make_invitation_token(invitation))


def test_only_the_regions_coordinator_may_invite(setup):
    region, coordinator, person = setup
    other_region_coordinator = f.UserFactory()
    f.RegionMembershipFactory(user=other_region_coordinator, role=RegionMembership.Role.COORDINATOR)
    with pytest.raises(PermissionDenied):
        invitation_send(person=person, region=region, acting_user=other_region_coordinator)
    assert not Invitation.objects.exists()


def test_person_without_email_or_from_another_region_is_refused(setup):
    region, coordinator, person = setup
    person.email = ""
    person.save()
    with pytest.raises(ValidationError):
        invitation_send(person=person, region=region, acting_user=coordinator)
    stranger = f.PersonFactory()
    with pytest.raises(ValidationError):
        invitation_send(person=stranger, region=region, acting_user=coordinator)
    assert not Invitation.objects.exists()


def test_token_never_stored(setup, django_capture_on_commit_callbacks):
    invitation = _send(setup, django_capture_on_commit_callbacks)
    token = make_invitation_token(invitation)
    values = " ".join(str(v) for v in Invitation.objects.values_list().get(pk=invitation.pk))
    assert token not in values
