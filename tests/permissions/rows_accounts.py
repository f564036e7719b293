from django.utils import timezone

from accounts.models import Invitation
from accounts.tokens import make_invitation_token
from tests import factories as f

from .table import Row
from .world import EVERYONE, LOGGED_IN, MANAGERS_A

OUTSIDERS_A = frozenset({"coord_b"})


def extend_world(w):
    invitee = f.UserFactory(email="invitee.a@example.org")
    invitee.set_unusable_password()
    invitee.save()
    person = f.PersonFactory(
        organisation=w.org_y_a, full_name="Запрошена особа", email=invitee.email, user=invitee
    )
    invitation = Invitation.objects.create(
        user=invitee,
        person=person,
        region=w.region_a,
        invited_by=w.users["coord_a"],
        sent_at=timezone.now(),
        send_count=1,
    )
    w.objects["invitation_a"] = invitation
    w.objects["invitation_token_a"] = make_invitation_token(invitation)


ROWS = [
    Row(
        "accounts:invitation-accept",
        kwargs=lambda w: {"pk": w.invitation_a.pk, "token": w.invitation_token_a},
        get=EVERYONE,
        post=EVERYONE,
        data=lambda w: {"new_password1": "Sunflower-Kyiv-2021", "new_password2": "Sunflower-Kyiv-2021"},
    ),
    Row(
        "accounts:invitation-list",
        kwargs=lambda w: {"region": w.region_a.slug},
        get=MANAGERS_A,
        hide_from=OUTSIDERS_A,
    ),
    Row(
        "accounts:invitation-send",
        kwargs=lambda w: {"region": w.region_a.slug},
        post=MANAGERS_A,
        data=lambda w: {"person": [w.person_y_a.pk]},
        hide_from=OUTSIDERS_A,
    ),
    Row(
        "accounts:invitation-revoke",
        kwargs=lambda w: {"region": w.region_a.slug, "pk": w.invitation_a.pk},
        post=MANAGERS_A,
        hide_from=OUTSIDERS_A,
    ),
    Row(
        "accounts:password_change",
        get=LOGGED_IN,
        post=LOGGED_IN,
        data=lambda w: {"old_password": "wrong", "new_password1": "x", "new_password2": "y"},
    ),
    Row("accounts:password_change_done", get=LOGGED_IN),
    Row(
        "accounts:password_reset", get=EVERYONE, post=EVERYONE, data=lambda w: {"email": "nobody@example.org"}
    ),
    Row("accounts:password_reset_done", get=EVERYONE),
    Row(
        "accounts:password_reset_confirm",
        kwargs=lambda w: {"uidb64": "MQ", "token": "set-password"},
        get=EVERYONE,
        post=EVERYONE,
    ),
    Row("accounts:password_reset_complete", get=EVERYONE),
]
