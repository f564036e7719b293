"""Programmes, regions, their smart-specialisation domains, who belongs to them, the appendix library,
and the Agenda: one region's common agenda for one cycle (year). The Agenda lives here, beside its
region, so that every other app can point at it while dependencies still run one way."""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.models import BaseModel, translated


class RegionQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Regions the user may read: superusers all; programme coordinators the regions of their
        programmes; everyone else the regions they are a member of or represent an organisation in."""
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self
        # Three key subqueries rather than joins + DISTINCT: half the planning, a tenth of the execution,
        # and no DISTINCT to trip up a caller's annotations.
        from stakeholders.models import Person  # stakeholders depends on regions, not the reverse

        ProgrammeRegion = Programme.regions.through

        return self.filter(
            Q(pk__in=RegionMembership.objects.filter(user=user).values("region"))
            | Q(pk__in=ProgrammeRegion.objects.filter(programme__memberships__user=user).values("region"))
            | Q(pk__in=Person.objects.filter(user=user).values("organisation__region"))
        )

    def managed_by(self, user):
        """Regions whose agenda the user may change (coordinator of the region, or administrator)."""
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self
        return self.filter(memberships__user=user, memberships__role=RegionMembership.Role.COORDINATOR)


class Programme(BaseModel):
    """An initiative that joins several regions (Інтеграція 4.0, ClusteRISE)."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name_uk = models.CharField(_("name (Ukrainian)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    operator = models.CharField(_("operator"), max_length=300, blank=True)
    funder = models.CharField(_("funder"), max_length=300, blank=True)
    period_start = models.DateField(_("period start"), null=True, blank=True)
    period_end = models.DateField(_("period end"), null=True, blank=True)
    url = models.URLField(_("website"), blank=True)
    regions = models.ManyToManyField("Region", related_name="programmes", blank=True, verbose_name=_("regions"))

    name = translated("name")

    class Meta:
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")
        ordering = ["name_uk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__isnull=True) | Q(period_start__isnull=True) | Q(period_end__gte=models.F("period_start")),
                name="regions_programme_period_ordered",
            )
        ]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.code,)


class Region(BaseModel):
    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    name_uk = models.CharField(_("name (Ukrainian)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    iso_code = models.CharField(_("ISO 3166-2 code"), max_length=6, unique=True, help_text=_("For example UA-48."))
    admin_centre_uk = models.CharField(_("administrative centre (Ukrainian)"), max_length=100, blank=True)
    admin_centre_en = models.CharField(_("administrative centre (English)"), max_length=100, blank=True)
    strategy_title = models.CharField(_("regional strategy"), max_length=300, blank=True)
    strategy_period = models.CharField(_("strategy period"), max_length=20, blank=True)
    strategy_url = models.URLField(_("strategy link"), blank=True)

    objects = RegionQuerySet.as_manager()

    name = translated("name")
    admin_centre = translated("admin_centre")

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["name_uk"]
        constraints = [
            models.CheckConstraint(condition=Q(iso_code__regex=r"^UA-[0-9]{2}$"), name="regions_region_iso_code_format"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("regions:region-detail", kwargs={"region": self.slug})

    def natural_key(self):
        return (self.slug,)


class SpecialisationDomain(BaseModel):
    class DomainType(models.TextChoices):
        EXISTING = "existing", _("Existing")
        EMERGING = "emerging", _("Emerging")
        CROSS_CUTTING = "cross_cutting", _("Cross-cutting")

    class Source(models.TextChoices):
        STRATEGY = "strategy", _("Strategy")
        EDP = "edp", _("EDP")
        PROPOSAL = "proposal", _("Proposal")

    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="domains", verbose_name=_("region"))
    name_uk = models.CharField(_("name (Ukrainian)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    kved = models.CharField(_("NACE (KVED) codes"), max_length=200, blank=True)
    domain_type = models.CharField(_("type"), max_length=20, choices=DomainType, default=DomainType.EXISTING)
    source = models.CharField(_("source"), max_length=20, choices=Source, default=Source.STRATEGY)
    is_main = models.BooleanField(
        _("main direction"), default=True, help_text=_("Main directions must each be covered by a working team.")
    )

    name = translated("name")

    class Meta:
        verbose_name = _("smart-specialisation domain")
        verbose_name_plural = _("smart-specialisation domains")
        ordering = ["region", "name_uk"]
        constraints = [
            models.UniqueConstraint(fields=["region", "name_uk"], name="regions_domain_unique_name_per_region"),
        ]

    def __str__(self):
        return self.name


class RegionMembership(BaseModel):
    """A user's standing in a region: coordinator (manages its agenda) or observer (reads it)."""

    class Role(models.TextChoices):
        COORDINATOR = "coordinator", _("Regional coordinator")
        OBSERVER = "observer", _("Observer")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="region_memberships", verbose_name=_("user"))
    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("region"))
    role = models.CharField(_("role"), max_length=20, choices=Role)

    class Meta:
        verbose_name = _("region membership")
        verbose_name_plural = _("region memberships")
        ordering = ["region", "role", "user"]
        constraints = [
            models.UniqueConstraint(fields=["user", "region"], name="regions_membership_one_per_user_region"),
        ]

    def __str__(self):
        return f"{self.user} · {self.region} · {self.get_role_display()}"


class ProgrammeMembership(BaseModel):
    """A programme coordinator reads every region of the programme and runs its joint session 1."""

    class Role(models.TextChoices):
        COORDINATOR = "coordinator", _("Programme coordinator")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="programme_memberships", verbose_name=_("user"))
    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("programme"))
    role = models.CharField(_("role"), max_length=20, choices=Role, default=Role.COORDINATOR)

    class Meta:
        verbose_name = _("programme membership")
        verbose_name_plural = _("programme memberships")
        ordering = ["programme", "user"]
        constraints = [
            models.UniqueConstraint(fields=["user", "programme"], name="regions_progmembership_one_per_user"),
        ]

    def __str__(self):
        return f"{self.user} · {self.programme}"


class Material(BaseModel):
    """Appendix 1 of the methodology: methodological materials and regional reports."""

    class Kind(models.TextChoices):
        METHODOLOGY = "methodology", _("Methodological material")
        REPORT = "report", _("Regional report")
        PRESENTATION = "presentation", _("Presentation")
        MINUTES = "minutes", _("Minutes")
        SCAN = "scan", _("Scan")
        PHOTO = "photo", _("Photo")
        OTHER = "other", _("Other")

    programme = models.ForeignKey(Programme, null=True, blank=True, on_delete=models.CASCADE, related_name="materials", verbose_name=_("programme"))
    region = models.ForeignKey(Region, null=True, blank=True, on_delete=models.CASCADE, related_name="materials", verbose_name=_("region"))
    title = models.CharField(_("title"), max_length=300)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind, default=Kind.METHODOLOGY)
    language = models.CharField(_("language"), max_length=2, choices=[("uk", _("Ukrainian")), ("en", _("English"))], default="uk")
    url = models.URLField(_("link"), blank=True)
    file = models.FileField(_("file"), upload_to="materials/%Y/", blank=True)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("material")
        verbose_name_plural = _("materials")
        ordering = ["-created_at", "title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(programme__isnull=False) | Q(region__isnull=False), name="regions_material_has_owner"
            ),
        ]

    def __str__(self):
        return self.title


class AgendaQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(region__in=Region.objects.visible_to(user))

    def for_region(self, region):
        return self.filter(region=region)


def _default_start():
    return datetime.date(datetime.date.today().year, 1, 1)


def _default_end():
    return datetime.date(datetime.date.today().year, 12, 31)


class Agenda(BaseModel):
    """One region's common agenda for one cycle: roles, sessions, SWOT, goals, portfolio, teams and
    the memorandum all hang off it."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        IN_DISCUSSION = "in_discussion", _("In discussion")
        AGREED = "agreed", _("Agreed")
        SIGNED = "signed", _("Signed")
        IMPLEMENTING = "implementing", _("Implementing")
        REVIEW = "review", _("Under review")
        CLOSED = "closed", _("Closed")

    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="agendas", verbose_name=_("region"))
    programmes = models.ManyToManyField(Programme, blank=True, related_name="agendas", verbose_name=_("programmes"))
    year = models.PositiveSmallIntegerField(_("year"))
    title_uk = models.CharField(_("title (Ukrainian)"), max_length=300)
    title_en = models.CharField(_("title (English)"), max_length=300, blank=True)
    period_start = models.DateField(_("period start"), default=_default_start)
    period_end = models.DateField(_("period end"), default=_default_end)
    vision_uk = models.TextField(_("vision (Ukrainian)"), blank=True)
    vision_en = models.TextField(_("vision (English)"), blank=True)
    coordinator_org = models.ForeignKey(
        "stakeholders.Organisation", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("coordinating organisation")
    )
    status = models.CharField(_("status"), max_length=20, choices=Status, default=Status.DRAFT)
    version = models.PositiveIntegerField(_("version"), default=1)
    approved_at = models.DateField(_("approval date"), null=True, blank=True)
    window_start = models.DateField(_("sessions window start"), null=True, blank=True)
    window_end = models.DateField(_("sessions window end"), null=True, blank=True)

    objects = AgendaQuerySet.as_manager()

    title = translated("title")
    vision = translated("vision")

    class Meta:
        verbose_name = _("common agenda")
        verbose_name_plural = _("common agendas")
        ordering = ["region", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["region", "year"], name="regions_agenda_one_per_region_year"),
            models.CheckConstraint(condition=Q(period_end__gte=models.F("period_start")), name="regions_agenda_period_ordered"),
            models.CheckConstraint(
                condition=Q(window_end__isnull=True) | Q(window_start__isnull=True) | Q(window_end__gte=models.F("window_start")),
                name="regions_agenda_window_ordered",
            ),
        ]

    def __str__(self):
        return f"{self.region} · {self.year}"

    def get_absolute_url(self):
        return reverse("regions:agenda-detail", kwargs={"region": self.region.slug, "year": self.year})
