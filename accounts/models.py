from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models.functions import Lower
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
