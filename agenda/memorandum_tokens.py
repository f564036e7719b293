"""Signing-link tokens: an HMAC over the signature's state, never stored (as accounts/tokens.py does).

A token is valid only while nothing it was made from changes: sending the link again (which moves
`link_sent_at`), signing, declining, or the revision being superseded all invalidate it; and it expires
SIGNING_LINK_TTL after it was sent.
"""

import datetime

from django.conf import settings
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

KEY_SALT = "common_agenda.agenda.memorandum_signing_link"
SIGNING_LINK_TTL = datetime.timedelta(days=30)


def _hash_value(signature) -> str:
    revision = signature.revision
    person = signature.signatory.person
    return (
        f"{signature.pk}|{revision.pk}|{revision.content_hash}|{revision.superseded_at}|{signature.status}|"
        f"{signature.signatory_id}|{person.pk if person else ''}|{person.email if person else ''}|"
        f"{signature.link_sent_at and signature.link_sent_at.isoformat()}"
    )


def _token(signature, secret) -> str:
    return salted_hmac(KEY_SALT, _hash_value(signature), secret=secret, algorithm="sha256").hexdigest()[::2]


def make_signing_token(signature) -> str:
    return _token(signature, settings.SECRET_KEY)


def check_signing_token(signature, token: str) -> bool:
    if not token or signature.link_sent_at is None:
        return False
    if timezone.now() - signature.link_sent_at > SIGNING_LINK_TTL:
        return False
    for secret in [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]:
        if constant_time_compare(_token(signature, secret), token):
            return True
    return False
