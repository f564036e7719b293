"""Invitation tokens: Django's HMAC token machinery keyed on the invitation's and the account's state.

A token stays valid only while nothing it was made from changes: setting a password, accepting,
revoking or resending the invitation (which moves `sent_at`) all invalidate it. Tokens are never stored.
"""

from django.conf import settings
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

KEY_SALT = "common_agenda.accounts.invitation"


def _hash_value(invitation) -> str:
    user = invitation.user
    login_ts = "" if user.last_login is None else user.last_login.replace(microsecond=0, tzinfo=None)
    return (
        f"{invitation.pk}|{user.pk}|{user.password}|{login_ts}|{user.email}|"
        f"{invitation.sent_at and invitation.sent_at.isoformat()}|{invitation.accepted_at}|{invitation.revoked_at}"
    )


def make_invitation_token(invitation) -> str:
    return salted_hmac(KEY_SALT, _hash_value(invitation), secret=settings.SECRET_KEY, algorithm="sha256").hexdigest()[::2]


def check_invitation_token(invitation, token: str) -> bool:
    if not token or invitation.sent_at is None or invitation.accepted_at or invitation.revoked_at:
        return False
    if timezone.now() - invitation.sent_at > settings.INVITATION_TTL:
        return False
    for secret in [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]:
        expected = salted_hmac(KEY_SALT, _hash_value(invitation), secret=secret, algorithm="sha256").hexdigest()[::2]
        if constant_time_compare(expected, token):
            return True
    return False
