"""Stakeholder organisations, their people, and the role matrix (success criterion 1)."""

from django.conf import settings
from django.db import models
from django.db.models import Prefetch, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core import urlcache
from core.history import AgendaHistory
from core.models import BaseModel, translated
from regions.models import Region


class Helix(models.TextChoices):
    GOVERNMENT = "government", _("Government")
    BUSINESS = "business", _("Business")
    ACADEMIA = "academia", _("Academia & research")
    CIVIL_SOCIETY = "civil_society", _("Civil society")
    OTHER = "other", _("Other")


class OrganisationKind(models.TextChoices):
    REGIONAL_ADMIN = "regional_admin", _("Regional state administration")
    REGIONAL_COUNCIL = "regional_council", _("Oblast council")
    CITY_COUNCIL = "city_council", _("City council")
    CENTRAL_AUTHORITY = "central_authority", _("Central government body")
    RDA = "rda", _("Regional development agency")
    CLUSTER = "cluster", _("Cluster organisation")
    BUSINESS_ASSOCIATION = "business_association", _("Business association, chamber")
    ENTERPRISE = "enterprise", _("Advanced enterprise")
    SME_STARTUP = "sme_startup", _("SME, start-up")
    UNIVERSITY = "university", _("University, HEI")
    RESEARCH_INSTITUTE = "research_institute", _("Research institute")
    SCIENCE_PARK = "science_park", _("Science, technology, industrial park, hub")
    CIVIL_SOCIETY = "civil_society", _("NGO, civil society")
    EXPERT = "expert", _("Expert, consultancy, media")
    INTERNATIONAL = "international", _("International partner, donor")
    OTHER = "other", _("Other")


KIND_HELIX = {
    OrganisationKind.REGIONAL_ADMIN: Helix.GOVERNMENT,
    OrganisationKind.REGIONAL_COUNCIL: Helix.GOVERNMENT,
    OrganisationKind.CITY_COUNCIL: Helix.GOVERNMENT,
    OrganisationKind.CENTRAL_AUTHORITY: Helix.GOVERNMENT,
    OrganisationKind.RDA: Helix.GOVERNMENT,
    OrganisationKind.CLUSTER: Helix.BUSINESS,
    OrganisationKind.BUSINESS_ASSOCIATION: Helix.BUSINESS,
    OrganisationKind.ENTERPRISE: Helix.BUSINESS,
    OrganisationKind.SME_STARTUP: Helix.BUSINESS,
    OrganisationKind.UNIVERSITY: Helix.ACADEMIA,
    OrganisationKind.RESEARCH_INSTITUTE: Helix.ACADEMIA,
    OrganisationKind.SCIENCE_PARK: Helix.ACADEMIA,
    OrganisationKind.CIVIL_SOCIETY: Helix.CIVIL_SOCIETY,
    OrganisationKind.EXPERT: Helix.CIVIL_SOCIETY,
    OrganisationKind.INTERNATIONAL: Helix.OTHER,
    OrganisationKind.OTHER: Helix.OTHER,
}


class PersonRole(models.TextChoices):
    LEADER = "leader", _("Leader")
    CO_LEADER = "co_leader", _("Co-leader")
    MEMBER = "member", _("Member")
    OBSERVER = "observer", _("Observer")
    FACILITATOR = "facilitator", _("Facilitator")
    SECRETARY = "secretary", _("Secretary")
    EXPERT = "expert", _("Expert")


class EcosystemRole(models.TextChoices):
    COORDINATOR = "coordinator", _("Coordinator")
    POLICY_MAKER = "policy_maker", _("Policy maker, regulator")
    FUNDER = "funder", _("Funder")
    KNOWLEDGE_PROVIDER = "knowledge_provider", _("Knowledge & R&D provider")
    TALENT_PROVIDER = "talent_provider", _("Talent & skills provider")
    TECHNOLOGY_PROVIDER = "technology_provider", _("Technology provider")
    ADOPTER = "adopter", _("Innovation adopter")
    INTERMEDIARY = "intermediary", _("Intermediary, broker")
    INFRASTRUCTURE = "infrastructure", _("Infrastructure operator")
    PROMOTER = "promoter", _("Promoter")
    OBSERVER = "observer", _("Observer")


class CommitmentLevel(models.IntegerChoices):
    NOT_DEFINED = 0, _("Not defined")
    INFORMATIONAL = 1, _("Informational support")
    EXPERTISE = 2, _("Staff time & expertise")
    RESOURCES = 3, _("Resources (money, equipment, premises)")
    LEADERSHIP = 4, _("Project leadership")


class Level3(models.TextChoices):
    HIGH = "high", _("High")
    MEDIUM = "medium", _("Medium")
    LOW = "low", _("Low")


class OrganisationQuerySet(models.QuerySet):
    def for_region(self, region):
        return self.filter(region=region)

    def visible_to(self, user):
        return self.filter(region__in=Region.objects.visible_to(user))


class Organisation(BaseModel):
    class Size(models.TextChoices):
        MICRO = "micro", _("Micro")
        SMALL = "small", _("Small")
        MEDIUM = "medium", _("Medium")
        LARGE = "large", _("Large")

    name_uk = models.CharField(_("name (Ukrainian)"), max_length=300)
    name_en = models.CharField(_("name (English)"), max_length=300, blank=True)
    short_name = models.CharField(_("short name"), max_length=100, blank=True)
    kind = models.CharField(_("kind"), max_length=30, choices=OrganisationKind)
    helix = models.CharField(
        _("helix side"),
        max_length=20,
        choices=Helix,
        blank=True,
        help_text=_("Filled from the kind when left empty."),
    )
    region = models.ForeignKey(
        Region,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="organisations",
        verbose_name=_("region"),
        help_text=_("Empty for a national organisation."),
    )
    city = models.CharField(_("city"), max_length=100, blank=True)
    edrpou = models.CharField(_("EDRPOU code"), max_length=8, blank=True)
    size = models.CharField(_("size"), max_length=10, choices=Size, blank=True)
    has_rnd_unit = models.BooleanField(_("has innovation/R&D unit"), default=False)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="units",
        verbose_name=_("parent organisation"),
    )
    website = models.URLField(_("website"), blank=True)

    objects = OrganisationQuerySet.as_manager()

    name = translated("name")

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name_uk"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "name_uk"], name="stakeholders_organisation_unique_name_per_region"
            ),
            models.CheckConstraint(
                condition=Q(edrpou="") | Q(edrpou__regex=r"^[0-9]{8}$"),
                name="stakeholders_organisation_edrpou_8_digits",
            ),
        ]

    def __str__(self):
        return self.short_name or self.name

    def save(self, *args, **kwargs):
        if not self.helix and self.kind:
            self.helix = KIND_HELIX.get(self.kind, Helix.OTHER)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str | None:
        """The organisation's page in its region's directory. A national organisation (no region) has
        no page on the site — it is kept in the admin — so this returns None; templates link only when
        there is a URL."""
        if self.region_id is None:
            return None
        # Remembered: the role matrix links every row's organisation.
        return urlcache.reverse(
            "stakeholders:organisation-detail", kwargs={"region": self.region.slug, "pk": self.pk}
        )


class PersonQuerySet(models.QuerySet):
    def for_region(self, region):
        return self.filter(organisation__region=region)

    def representatives(self):
        return self.filter(is_representative=True)


class Person(BaseModel):
    """A named representative of an organisation. Demo persons are positions, not real people."""

    full_name = models.CharField(_("full name"), max_length=200)
    position_uk = models.CharField(_("position (Ukrainian)"), max_length=200, blank=True)
    position_en = models.CharField(_("position (English)"), max_length=200, blank=True)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="people", verbose_name=_("organisation")
    )
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    preferred_language = models.CharField(
        _("language"), max_length=2, choices=[("uk", _("Ukrainian")), ("en", _("English"))], default="uk"
    )
    consent_given = models.BooleanField(_("data-processing consent"), default=False)
    consent_date = models.DateField(_("consent date"), null=True, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="persons",
        verbose_name=_("account"),
    )
    is_representative = models.BooleanField(_("acts for the organisation"), default=True)

    objects = PersonQuerySet.as_manager()

    position = translated("position")

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["organisation", "full_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "user"], name="stakeholders_person_one_account_per_org"
            ),
            models.CheckConstraint(
                condition=Q(consent_given=False) | Q(consent_date__isnull=False),
                name="stakeholders_person_consent_has_date",
            ),
        ]

    def __str__(self):
        return f"{self.full_name} ({self.organisation})"


class RoleMatrixEntryQuerySet(models.QuerySet):
    def for_agenda(self, agenda):
        return self.filter(agenda=agenda)

    def for_region(self, region):
        return self.filter(agenda__region=region)

    def visible_to(self, user):
        return self.filter(agenda__region__in=Region.objects.visible_to(user))

    def with_related(self):
        """Everything a role-matrix row shows, in one query plus one for the domains, which each row holds
        as the list `domain_list` (a row's related manager costs more to build than its domains to show).
        The agenda is not joined: the pages read one agenda and hand it to every row."""
        return self.select_related(
            "organisation", "representative", "leader_direction", "confirmed_by"
        ).prefetch_related(Prefetch("domains", to_attr="domain_list"))

    def confirmed(self):
        return self.filter(confirmed_at__isnull=False)

    def pending(self):
        return self.filter(confirmed_at__isnull=True)

    def leaders(self):
        return self.filter(is_leader=True)


class RoleMatrixEntry(BaseModel):
    """One participating organisation's row of the role matrix (seed §5, extended)."""

    agenda = models.ForeignKey(
        "regions.Agenda", on_delete=models.CASCADE, related_name="role_entries", verbose_name=_("agenda")
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="role_entries", verbose_name=_("organisation")
    )
    representative = models.ForeignKey(
        Person,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="role_entries",
        verbose_name=_("representative"),
    )
    current_role = models.TextField(_("current role"), blank=True)
    current_role_type = models.CharField(
        _("current role type"), max_length=30, choices=EcosystemRole, blank=True
    )
    refined_role = models.TextField(_("refined role"), blank=True)
    refined_role_type = models.CharField(
        _("refined role type"), max_length=30, choices=EcosystemRole, blank=True
    )
    comment = models.TextField(_("comment"), blank=True)
    zone_of_responsibility = models.TextField(_("zone of responsibility"), blank=True)
    sphere_of_interest = models.TextField(_("sphere of interest"), blank=True)
    domains = models.ManyToManyField(
        "regions.SpecialisationDomain",
        blank=True,
        related_name="role_entries",
        verbose_name=_("domains of interest"),
    )
    commitment = models.TextField(_("commitment"), blank=True)
    commitment_level = models.PositiveSmallIntegerField(
        _("commitment level"), choices=CommitmentLevel, default=CommitmentLevel.NOT_DEFINED
    )
    influence = models.CharField(_("influence"), max_length=10, choices=Level3, blank=True)
    interest = models.CharField(_("interest"), max_length=10, choices=Level3, blank=True)
    is_leader = models.BooleanField(_("leader"), default=False)
    leader_direction = models.ForeignKey(
        "regions.SpecialisationDomain",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="leader_entries",
        verbose_name=_("direction led"),
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("confirmed by"),
    )
    confirmation_cleared_reason = models.CharField(
        _("why the confirmation was cleared"), max_length=300, blank=True
    )
    version = models.PositiveIntegerField(
        _("version"), default=1, help_text=_("Raised on every save; detects concurrent edits.")
    )
    # Reminders to a pending representative: when the coordinator asked for one, and when the e-mail
    # went out (the task compares both, so a redelivered task does not send twice). Written with
    # QuerySet.update(), so they never create history rows, and kept out of the history.
    reminder_requested_at = models.DateTimeField(
        _("reminder requested at"), null=True, blank=True, editable=False
    )
    reminder_sent_at = models.DateTimeField(_("reminder sent at"), null=True, blank=True, editable=False)

    objects = RoleMatrixEntryQuerySet.as_manager()
    history = AgendaHistory(
        excluded_fields=["reminder_requested_at", "reminder_sent_at"], m2m_fields=[domains]
    )

    class Meta:
        verbose_name = _("role-matrix row")
        verbose_name_plural = _("role-matrix rows")
        ordering = ["agenda", "organisation__name_uk"]
        constraints = [
            models.UniqueConstraint(
                fields=["agenda", "organisation"], name="stakeholders_roleentry_one_per_agenda_org"
            ),
            models.CheckConstraint(
                condition=Q(confirmed_at__isnull=True) | Q(confirmed_by__isnull=False),
                name="stakeholders_roleentry_confirmation_has_author",
            ),
            models.CheckConstraint(
                condition=Q(version__gte=1), name="stakeholders_roleentry_version_positive"
            ),
            models.CheckConstraint(
                condition=Q(is_leader=True) | Q(leader_direction__isnull=True),
                name="stakeholders_roleentry_direction_needs_leader",
            ),
            models.UniqueConstraint(
                fields=["agenda", "leader_direction"],
                condition=Q(leader_direction__isnull=False),
                name="stakeholders_roleentry_one_leader_per_direction",
            ),
        ]

    def __str__(self):
        return f"{self.organisation} · {self.agenda}"

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed_at is not None

    @property
    def has_refined_role(self) -> bool:
        return bool(self.refined_role_type or self.refined_role.strip())

    @property
    def has_zone(self) -> bool:
        return bool(self.zone_of_responsibility.strip())

    def get_absolute_url(self) -> str:
        return reverse(
            "stakeholders:role-entry-detail",
            kwargs={"region": self.agenda.region.slug, "year": self.agenda.year, "pk": self.pk},
        )
