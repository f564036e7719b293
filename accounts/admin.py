from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from core.admin import FORMFIELD_OVERRIDES, RegionScopedAdmin

from . import services
from .models import Invitation, User


class UserCreationAdminForm(AdminUserCreationForm):
    """People log in by e-mail. AbstractUser still requires a unique `username`; when it is left
    empty it is filled from the e-mail address."""

    class Meta(AdminUserCreationForm.Meta):
        model = User
        fields = ("email", "username", "full_name", "language")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        username = self.fields["username"]
        username.required = False
        username.help_text = _("Leave empty to use the e-mail address.")
        username.widget.attrs.pop("autofocus", None)
        self.fields["email"].widget.attrs["autofocus"] = True

    def clean(self):
        cleaned_data = super().clean()
        email = cleaned_data.get("email")
        if email and not cleaned_data.get("username") and not self.has_error("username"):
            # The same case-insensitive check UserCreationForm.clean_username applies to a typed name.
            if User.objects.filter(username__iexact=email).exists():
                self.add_error("username", _("A user with this username already exists."))
            else:
                cleaned_data["username"] = email
        return cleaned_data


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    add_form = UserCreationAdminForm
    formfield_overrides = FORMFIELD_OVERRIDES  # groups and permissions refuse keys past the column too
    list_display = (
        "email",
        "full_name",
        "username",
        "language",
        "is_active",
        "is_staff",
        "is_superuser",
        "last_login",
    )
    list_filter = ("is_staff", "is_superuser", "is_active", "language", "groups")
    search_fields = ("email", "full_name", "username", "first_name", "last_name")
    ordering = ("email",)
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Personal info"), {"fields": ("full_name", "language", "username", "first_name", "last_name")}),
        (
            _("Permissions"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": (
                    "email",
                    "full_name",
                    "language",
                    "username",
                    "usable_password",
                    "password1",
                    "password2",
                ),
            },
        ),
    )
    readonly_fields = ("last_login", "date_joined")

    # Only superusers hand out staff status, superuser status and permissions, and only they edit
    # superuser accounts: a staff member who may change users cannot promote themselves.
    PRIVILEGE_FIELDS = ("is_staff", "is_superuser", "groups", "user_permissions")

    def get_readonly_fields(self, request, obj=None):
        readonly = tuple(super().get_readonly_fields(request, obj))
        if obj is not None and not request.user.is_superuser:
            readonly += self.PRIVILEGE_FIELDS
        return readonly

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_delete_permission(request, obj)


class InvitationAddForm(forms.ModelForm):
    """Only who and where: the account, the sender and the sending are the service's business."""

    class Meta:
        model = Invitation
        fields = ("person", "region")

    def clean(self):
        cleaned_data = super().clean()
        person, region = cleaned_data.get("person"), cleaned_data.get("region")
        # The service raises the same errors; checked here too so they show on the form, not as a 500.
        if person and region:
            if person.organisation.region_id != region.pk:
                self.add_error("person", _("This person does not belong to an organisation of this region."))
            elif not person.email:
                self.add_error("person", _("This person has no e-mail address."))
        return cleaned_data


@admin.register(Invitation)
class InvitationAdmin(RegionScopedAdmin):
    """Invitations are sent, resent and revoked through accounts.services; the rows themselves are a
    record and are not edited by hand."""

    region_path = "region"
    list_display = (
        "person",
        "user",
        "region",
        "state_label",
        "sent_at",
        "send_count",
        "accepted_at",
        "revoked_at",
        "invited_by",
    )
    list_filter = (
        ("region", admin.RelatedOnlyFieldListFilter),
        ("accepted_at", admin.EmptyFieldListFilter),
        ("revoked_at", admin.EmptyFieldListFilter),
    )
    list_select_related = ("person__organisation", "user", "region", "invited_by")
    str_select_related = ("person__organisation", "region")
    search_fields = ("person__full_name", "person__email", "user__email", "region__name_uk")
    autocomplete_fields = ("person", "region")
    date_hierarchy = "created_at"
    readonly_fields = (
        "user",
        "person",
        "region",
        "invited_by",
        "created_at",
        "sent_at",
        "send_count",
        "accepted_at",
        "revoked_at",
    )
    actions = ("resend", "revoke")

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = InvitationAddForm
        return super().get_form(request, obj, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        return super().get_readonly_fields(request, obj) if obj is not None else ()

    def get_fields(self, request, obj=None):
        return ("person", "region") if obj is None else super().get_fields(request, obj)

    def has_change_permission(self, request, obj=None):
        # View-only detail page; actions that need "change" are offered on the list.
        return obj is None and super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        """Adding an invitation sends it (or resends the open one for the same person and region)."""
        invitation = services.invitation_send(person=obj.person, region=obj.region, acting_user=request.user)
        obj.pk = invitation.pk
        obj.refresh_from_db()

    @admin.display(description=_("state"))
    def state_label(self, obj):
        return obj.state.label

    def _each(self, request, queryset, operation) -> int:
        """Run a service on each invitation; a refusal becomes an error message for that row."""
        done = 0
        for invitation in queryset:
            try:
                operation(invitation)
            except (PermissionDenied, ValidationError) as exc:
                reason = "; ".join(getattr(exc, "messages", [])) or gettext("Permission denied.")
                self.message_user(request, f"{invitation}: {reason}", level=messages.ERROR)
            else:
                done += 1
        return done

    @admin.action(description=_("Send again"), permissions=["change"])
    def resend(self, request, queryset):
        done = self._each(
            request,
            queryset.filter(accepted_at__isnull=True, revoked_at__isnull=True),
            lambda inv: services.invitation_send(
                person=inv.person, region=inv.region, acting_user=request.user
            ),
        )
        self.message_user(
            request,
            ngettext("%(count)d invitation sent again.", "%(count)d invitations sent again.", done)
            % {"count": done},
        )

    @admin.action(description=_("Revoke"), permissions=["change"])
    def revoke(self, request, queryset):
        done = self._each(
            request,
            queryset,
            lambda inv: services.invitation_revoke(invitation=inv, acting_user=request.user),
        )
        self.message_user(
            request,
            ngettext("%(count)d invitation revoked.", "%(count)d invitations revoked.", done)
            % {"count": done},
        )
