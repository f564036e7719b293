import datetime
import re

import pytest
from django.contrib.sessions.models import Session
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.middleware import REFRESHED_KEY
from accounts.models import Invitation
from regions.models import RegionMembership
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("value", ["²", "٣", "9" * 5000])
def test_invitation_send_shrugs_off_digits_that_are_not_a_key(client, value):
    """str.isdigit() passes "²", which int() refuses; 5000 digits exceed int()'s limit. No 500, no invitation."""
    region = f.RegionFactory()
    coordinator = f.UserFactory()
    f.RegionMembershipFactory(user=coordinator, region=region, role=RegionMembership.Role.COORDINATOR)
    client.force_login(coordinator)
    url = reverse("accounts:invitation-send", kwargs={"region": region.slug})
    assert client.post(url, {"person": [value]}).status_code == 302
    assert not Invitation.objects.exists()


def test_invited_representative_sets_password_and_lands_on_their_row(
    client, django_capture_on_commit_callbacks
):
    agenda = f.AgendaFactory()
    coordinator = f.UserFactory()
    f.RegionMembershipFactory(user=coordinator, region=agenda.region, role=RegionMembership.Role.COORDINATOR)
    person = f.PersonFactory(organisation__region=agenda.region, email="rep@example.org")
    f.RoleMatrixEntryFactory(agenda=agenda, organisation=person.organisation, representative=person)

    client.force_login(coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("accounts:invitation-send", kwargs={"region": agenda.region.slug}),
            {"person": [person.pk]},
        )
    assert response.status_code == 302
    client.logout()

    link = re.search(r"https?://\S+/accounts/invitation/\S+/", mail.outbox[0].body).group(0)
    path = link.split("://", 1)[1].split("/", 1)[1]
    page = client.get("/" + path)
    assert page.status_code == 200 and "rep@example.org" in page.content.decode()

    weak = client.post("/" + path, {"new_password1": "123", "new_password2": "123"})
    assert weak.status_code == 200  # re-rendered with the validator's message, nothing accepted
    assert Invitation.objects.get().accepted_at is None

    done = client.post(
        "/" + path, {"new_password1": "Sunflower-Kyiv-2021", "new_password2": "Sunflower-Kyiv-2021"}
    )
    assert done.status_code == 302
    assert done["Location"].endswith(f"#org-{person.organisation_id}")
    assert client.get(reverse("home")).context["user"].email == "rep@example.org"

    # The link is single-use.
    client.logout()
    again = client.get("/" + path)
    assert again.status_code == 404
    assert Client().login(username="REP@example.org", password="Sunflower-Kyiv-2021")


def test_login_is_locked_after_five_failures_with_429(client, settings):
    user = f.UserFactory(email="locked@example.org")
    url = reverse("accounts:login")
    for _ in range(settings.LOGIN_FAILURE_LIMIT - 1):
        assert client.post(url, {"username": user.email, "password": "wrong"}).status_code == 200
    locked = client.post(url, {"username": user.email, "password": "wrong"})
    assert locked.status_code == 429
    assert "locked" in locked.content.decode() or "заблоковано" in locked.content.decode()
    # Even the right password is refused during the lockout, and the e-mail stays in the form.
    right = client.post(url, {"username": user.email, "password": "pass-12345"})
    assert right.status_code == 429
    assert 'value="locked@example.org"' in right.content.decode()
    assert "_auth_user_id" not in client.session


def test_successful_login_resets_the_failure_count(client, settings):
    user = f.UserFactory(email="ok@example.org")
    url = reverse("accounts:login")
    for _ in range(settings.LOGIN_FAILURE_LIMIT - 1):
        client.post(url, {"username": user.email, "password": "wrong"})
    assert client.post(url, {"username": user.email, "password": "pass-12345"}).status_code == 302
    client.logout()
    for _ in range(settings.LOGIN_FAILURE_LIMIT - 1):
        assert client.post(url, {"username": user.email, "password": "wrong"}).status_code == 200


def test_password_change_logs_out_other_sessions():
    user = f.UserFactory(email="two@example.org")
    first, second = Client(), Client()
    assert first.login(username=user.email, password="pass-12345")
    assert second.login(username=user.email, password="pass-12345")
    response = first.post(
        reverse("accounts:password_change"),
        {
            "old_password": "pass-12345",
            "new_password1": "New-Sunflower-2021",
            "new_password2": "New-Sunflower-2021",
        },
    )
    assert response.status_code == 302
    assert first.get(reverse("accounts:password_change")).status_code == 200
    assert second.get(reverse("accounts:password_change")).status_code == 302  # back to login


def test_staff_sessions_expire_when_idle(client, settings):
    staff = f.UserFactory(is_staff=True)
    client.force_login(staff)
    client.get(reverse("home"))
    assert client.session.get_expiry_age() == settings.STAFF_SESSION_IDLE_SECONDS


def _session_writes(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return sum(1 for q in ctx.captured_queries if q["sql"].startswith(('UPDATE "django_session"', "INSERT")))


@pytest.mark.parametrize("staff", [False, True], ids=["stakeholder", "staff"])
def test_sessions_slide_but_are_saved_at_most_once_per_refresh_period(client, settings, staff):
    """Each request moves the idle deadline on, without writing the session on every page view."""
    settings.SESSION_REFRESH_SECONDS = 60
    client.force_login(f.UserFactory(is_staff=staff))
    home = reverse("home")
    assert _session_writes(client, home) == 0  # signing in has just set the deadline
    stored = Session.objects.get(session_key=client.session.session_key)
    assert _session_writes(client, home) == 0
    assert _session_writes(client, home) == 0
    age = settings.STAFF_SESSION_IDLE_SECONDS if staff else settings.SESSION_COOKIE_AGE
    assert client.session.get_expiry_age() == age
    session = client.session
    session[REFRESHED_KEY] -= 61  # a minute later
    session.save()
    Session.objects.filter(pk=stored.pk).update(
        expire_date=stored.expire_date - datetime.timedelta(seconds=61)
    )
    assert _session_writes(client, home) == 1
    assert Session.objects.get(pk=stored.pk).expire_date >= stored.expire_date


def test_anonymous_visitors_get_no_session(client):
    client.get(reverse("accounts:login"))
    assert not client.cookies.get("sessionid")


def test_coordinator_sees_who_has_not_accepted(client, django_capture_on_commit_callbacks):
    region = f.RegionFactory()
    coordinator = f.UserFactory()
    f.RegionMembershipFactory(user=coordinator, region=region, role=RegionMembership.Role.COORDINATOR)
    invited = f.PersonFactory(organisation__region=region, full_name="Очікує Відповіді")
    client.force_login(coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("accounts:invitation-send", kwargs={"region": region.slug}), {"person": [invited.pk]}
        )
    page = client.get(reverse("accounts:invitation-list", kwargs={"region": region.slug})).content.decode()
    assert "Очікує Відповіді" in page
    invitation = Invitation.objects.get()
    assert invitation.state == Invitation.State.PENDING
    client.post(reverse("accounts:invitation-revoke", kwargs={"region": region.slug, "pk": invitation.pk}))
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
