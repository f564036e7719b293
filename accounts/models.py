from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Language(models.TextChoices):
    UK = "uk", _("Ukrainian")
    EN = "en", _("English")


class AccountManager(UserManager):
    def get_by_natural_key(self, username):
        # Log in by e-mail, case-insensitively; the username is kept only for Django's admin.
        return self.get(**{f"{self.model.EMAIL_FIELD}__iexact": username})


class User(AbstractUser):
    """A person who can log in. What they may see comes from memberships (regions, programmes) and
    from the Person records that link them to an organisation."""

    email = models.EmailField(_("e-mail address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=200, blank=True)
    language = models.CharField(_("language"), max_length=2, choices=Language, default=Language.UK)

    objects = AccountManager()

    REQUIRED_FIELDS = ["email"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["email"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="accounts_user_email_ci_unique"),
        ]

    def __str__(self):
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.full_name or self.get_full_name() or self.email or self.username


class InvitationQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(accepted_at__isnull=True, revoked_at__isnull=True)

    def for_region(self, region):
        return self.filter(region=region)


class Invitation(models.Model):
    """An e-mailed, single-use, expiring link that lets a stakeholder representative set a password and
    land on their organisation's row. The token is derived (HMAC) from this row and the account's state;
    it is never stored, so resending, accepting or revoking invalidates every earlier link."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="invitations", verbose_name=_("account"))
    person = models.ForeignKey("stakeholders.Person", on_delete=models.CASCADE, related_name="invitations", verbose_name=_("person"))
    region = models.ForeignKey("regions.Region", on_delete=models.CASCADE, related_name="invitations", verbose_name=_("region"))
    invited_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("invited by"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("last sent at"), null=True, blank=True)
    send_count = models.PositiveSmallIntegerField(_("times sent"), default=0)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "region"],
                condition=models.Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="accounts_invitation_one_open_per_person_region",
            ),
        ]

    def __str__(self):
        return f"{self.person} · {self.region}"

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting for acceptance")
        EXPIRED = "expired", _("Expired")
        ACCEPTED = "accepted", _("Accepted")
        REVOKED = "revoked", _("Revoked")

    @property
    def state(self) -> "Invitation.State":
        if self.revoked_at:
            return self.State.REVOKED
        if self.accepted_at:
            return self.State.ACCEPTED
        if self.sent_at and timezone.now() - self.sent_at > settings.INVITATION_TTL:
            return self.State.EXPIRED
        return self.State.PENDING
