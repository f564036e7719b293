import time

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

# Stored in the session: when its expiry was last moved on (seconds since the epoch).
REFRESHED_KEY = "_refreshed"


class SessionRefreshMiddleware:
    """Sessions expire after a time without requests (SESSION_COOKIE_AGE; STAFF_SESSION_IDLE_SECONDS for
    staff — coordinators, administrators). Each request moves the deadline on, but the session is written
    at most once per SESSION_REFRESH_SECONDS: saving it on every request (Django's
    SESSION_SAVE_EVERY_REQUEST) costs a database write and a cookie on every page view, while the deadline
    only ever needs minute precision."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = getattr(request, "session", None)
        user = getattr(request, "user", None)
        if session is not None and session.session_key and user is not None and user.is_authenticated:
            refresh(session, user)
        return self.get_response(request)


def refresh(session, user, *, force: bool = False) -> None:
    """Marks the session modified (so that it is saved with a deadline from now) when it was last
    refreshed SESSION_REFRESH_SECONDS ago or more; staff sessions get their shorter idle time."""
    if user.is_staff and session.get("_session_expiry") != settings.STAFF_SESSION_IDLE_SECONDS:
        session.set_expiry(settings.STAFF_SESSION_IDLE_SECONDS)
    now = int(time.time())
    if force or now - session.get(REFRESHED_KEY, 0) >= settings.SESSION_REFRESH_SECONDS:
        session[REFRESHED_KEY] = now


@receiver(user_logged_in, dispatch_uid="accounts.session_refreshed_at_login")
def _refreshed_at_login(sender, request, user, **kwargs):
    """Signing in saves the session with a fresh deadline: the first page after it need not save it again."""
    if request is not None and hasattr(request, "session"):
        refresh(request.session, user, force=True)
