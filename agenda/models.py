"""SWOT, challenges, SMART goals and their indicators, endorsements of the goals and portfolio, and
memoranda of cooperation with their revisions, parties and signatures."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.history import AgendaHistory
from core.models import BaseModel, translated
from stakeholders.models import Helix


class SwotQuadrant(models.TextChoices):
    STRENGTH = "S", _("Strengths")
    WEAKNESS = "W", _("Weaknesses")
    OPPORTUNITY = "O", _("Opportunities")
    THREAT = "T", _("Threats")


class EcosystemDimension(models.TextChoices):
    HUMAN_CAPITAL = "human_capital", _("Human capital & skills")
    RESEARCH = "research", _("Research & R&D")
    INFRASTRUCTURE = "infrastructure", _("Innovation infrastructure")
    FINANCE = "finance", _("Finance & investment")
    COOPERATION = "cooperation", _("Cooperation & networks")
    REGULATION = "regulation", _("Regulatory framework")
    MARKETS = "markets", _("Markets & export")
    DIGITAL = "digital", _("Digitalisation, Industry 4.0")
    GOVERNANCE = "governance", _("Institutional capacity")
    OTHER = "other", _("Other")


class EvidenceSource(models.TextChoices):
    SESSION = "session", _("Session")
    DESK = "desk", _("Desk research")
    STATISTICS = "statistics", _("Statistics")
    SURVEY = "survey", _("Survey")
    INTERVIEW = "interview", _("Interview")
    STRATEGY = "strategy", _("Regional strategy")


class Priority(models.IntegerChoices):
    HIGH = 1, _("High")
    MEDIUM = 2, _("Medium")
    LOW = 3, _("Low")


class AgendaChildQuerySet(models.QuerySet):
    """Read vocabulary of the rows that hang off an agenda (SWOT items, challenges, goals, endorsements)."""

    def for_region(self, region):
        return self.filter(agenda__region=region)

    def for_agenda(self, agenda):
        return self.filter(agenda=agenda)

    def visible_to(self, user):
        from regions.models import Region

        return self.filter(agenda__region__in=Region.objects.visible_to(user))


class SwotItem(BaseModel):
    agenda = models.ForeignKey("regions.Agenda", on_delete=models.CASCADE, related_name="swot_items", verbose_name=_("agenda"))
    quadrant = models.CharField(_("quadrant"), max_length=1, choices=SwotQuadrant)
    text_uk = models.TextField(_("statement (Ukrainian)"))
    text_en = models.TextField(_("statement (English)"), blank=True)
    dimension = models.CharField(_("ecosystem dimension"), max_length=20, choices=EcosystemDimension, default=EcosystemDimension.OTHER)
    importance = models.PositiveSmallIntegerField(_("importance"), default=3)
    evidence = models.TextField(_("evidence"), blank=True)
    evidence_source = models.CharField(_("evidence source"), max_length=20, choices=EvidenceSource, blank=True)
    proposed_by = models.ForeignKey("stakeholders.Organisation", null=True, blank=True, on_delete=models.SET_NULL, related_name="swot_items", verbose_name=_("proposed by"))
    session = models.ForeignKey("agenda_sessions.Session", null=True, blank=True, on_delete=models.SET_NULL, related_name="swot_items", verbose_name=_("session"))
    votes_count = models.PositiveIntegerField(_("votes"), default=0, editable=False)
    order = models.PositiveIntegerField(_("order"), default=0)
    version = models.PositiveIntegerField(_("version"), default=1, help_text=_("Raised on every save; detects concurrent edits."))

    objects = AgendaChildQuerySet.as_manager()

    text = translated("text")

    class Meta:
        verbose_name = _("SWOT item")
        verbose_name_plural = _("SWOT items")
        ordering = ["quadrant", "-votes_count", "order", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(importance__gte=1, importance__lte=5), name="agenda_swotitem_importance_1_5"),
        ]

    def __str__(self):
        return f"{self.quadrant}: {self.text[:60]}"

    def get_absolute_url(self):
        """Reads `agenda.region`: select_related("agenda__region") when listing."""
        return reverse(
            "agenda:swot-item-detail", kwargs={"region": self.agenda.region.slug, "year": self.agenda.year, "pk": self.pk}
        )


class SwotVote(BaseModel):
    """One vote per person per item; the database refuses a second one even under concurrent clicks."""

    item = models.ForeignKey(SwotItem, on_delete=models.CASCADE, related_name="votes", verbose_name=_("SWOT item"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="swot_votes", verbose_name=_("user"))

    class Meta:
        verbose_name = _("SWOT vote")
        verbose_name_plural = _("SWOT votes")
        ordering = ["item", "user"]
        constraints = [models.UniqueConstraint(fields=["item", "user"], name="agenda_swotvote_one_per_user_item")]

    def __str__(self):
        return f"{self.user} → {self.item}"


class Challenge(BaseModel):
    class Status(models.TextChoices):
        IDENTIFIED = "identified", _("Identified")
        PRIORITISED = "prioritised", _("Prioritised")
        ADDRESSED = "addressed", _("Addressed by goals")
        ARCHIVED = "archived", _("Archived")

    agenda = models.ForeignKey("regions.Agenda", on_delete=models.CASCADE, related_name="challenges", verbose_name=_("agenda"))
    code = models.CharField(_("code"), max_length=20)
    title_uk = models.CharField(_("title (Ukrainian)"), max_length=300)
    title_en = models.CharField(_("title (English)"), max_length=300, blank=True)
    description = models.TextField(_("description"), blank=True)
    root_causes = models.TextField(_("root causes"), blank=True)
    swot_items = models.ManyToManyField(SwotItem, blank=True, related_name="challenges", verbose_name=_("linked SWOT items"))
    dimension = models.CharField(_("ecosystem dimension"), max_length=20, choices=EcosystemDimension, default=EcosystemDimension.OTHER)
    priority = models.PositiveSmallIntegerField(_("priority"), choices=Priority, default=Priority.MEDIUM)
    rank = models.PositiveSmallIntegerField(_("rank"), default=1)
    owner = models.ForeignKey("stakeholders.Organisation", null=True, blank=True, on_delete=models.SET_NULL, related_name="owned_challenges", verbose_name=_("owner"))
    status = models.CharField(_("status"), max_length=20, choices=Status, default=Status.IDENTIFIED)
    version = models.PositiveIntegerField(_("version"), default=1, help_text=_("Raised on every save; detects concurrent edits."))

    objects = AgendaChildQuerySet.as_manager()

    title = translated("title")

    class Meta:
        verbose_name = _("challenge")
        verbose_name_plural = _("challenges")
        ordering = ["agenda", "rank", "code"]
        constraints = [models.UniqueConstraint(fields=["agenda", "code"], name="agenda_challenge_unique_code")]

    def __str__(self):
        return f"{self.code} {self.title}"

    def get_absolute_url(self):
        """Reads `agenda.region`: select_related("agenda__region") when listing."""
        return reverse(
            "agenda:challenge-detail", kwargs={"region": self.agenda.region.slug, "year": self.agenda.year, "pk": self.pk}
        )


class Indicator(BaseModel):
    class Kind(models.TextChoices):
        OUTPUT = "output", _("Output")
        RESULT = "result", _("Result")
        CONTEXT = "context", _("Context")

    class Unit(models.TextChoices):
        COUNT = "count", _("units")
        PERSONS = "persons", _("persons")
        ORGANISATIONS = "organisations", _("organisations")
        PERCENT = "percent", _("percent")
        UAH_THOUSAND = "uah_thousand", _("UAH thousand")
        EUR = "eur", _("EUR")
        OTHER = "other", _("other")

    class Direction(models.TextChoices):
        INCREASE = "increase", _("Increase")
        DECREASE = "decrease", _("Decrease")
        MAINTAIN = "maintain", _("Maintain")

    class Frequency(models.TextChoices):
        MONTHLY = "monthly", _("Monthly")
        QUARTERLY = "quarterly", _("Quarterly")
        ANNUAL = "annual", _("Annual")

    region = models.ForeignKey("regions.Region", null=True, blank=True, on_delete=models.CASCADE, related_name="indicators", verbose_name=_("region"))
    name_uk = models.CharField(_("name (Ukrainian)"), max_length=300)
    name_en = models.CharField(_("name (English)"), max_length=300, blank=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind, default=Kind.OUTPUT)
    unit = models.CharField(_("unit"), max_length=20, choices=Unit, default=Unit.COUNT)
    direction = models.CharField(_("desired direction"), max_length=10, choices=Direction, default=Direction.INCREASE)
    definition = models.TextField(_("definition"), blank=True)
    data_source = models.CharField(_("data source"), max_length=300, blank=True)
    frequency = models.CharField(_("frequency"), max_length=10, choices=Frequency, default=Frequency.ANNUAL)

    name = translated("name")

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["name_uk"]

    def __str__(self):
        return f"{self.name} ({self.get_unit_display()})"


class IndicatorValue(BaseModel):
    class ValueType(models.TextChoices):
        ACTUAL = "actual", _("Actual")
        ESTIMATE = "estimate", _("Estimate")

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="values", verbose_name=_("indicator"))
    period_date = models.DateField(_("reporting date"))
    value = models.DecimalField(_("value"), max_digits=16, decimal_places=2)
    value_type = models.CharField(_("value type"), max_length=10, choices=ValueType, default=ValueType.ACTUAL)
    source_note = models.CharField(_("source note"), max_length=300, blank=True)
    reported_by = models.ForeignKey("stakeholders.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("reported by"))

    class Meta:
        verbose_name = _("indicator value")
        verbose_name_plural = _("indicator values")
        ordering = ["indicator", "period_date"]
        constraints = [models.UniqueConstraint(fields=["indicator", "period_date", "value_type"], name="agenda_indicatorvalue_one_per_date")]

    def __str__(self):
        return f"{self.indicator}: {self.value} @ {self.period_date}"


class GoalStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    AGREED = "agreed", _("Agreed")
    ON_TRACK = "on_track", _("On track")
    AT_RISK = "at_risk", _("At risk")
    ACHIEVED = "achieved", _("Achieved")
    NOT_ACHIEVED = "not_achieved", _("Not achieved")
    CANCELLED = "cancelled", _("Cancelled")


class Goal(BaseModel):
    """A SMART goal of the agenda for its year."""

    agenda = models.ForeignKey("regions.Agenda", on_delete=models.CASCADE, related_name="goals", verbose_name=_("agenda"))
    challenge = models.ForeignKey(Challenge, null=True, blank=True, on_delete=models.SET_NULL, related_name="goals", verbose_name=_("linked challenge"))
    code = models.CharField(_("code"), max_length=20)
    title_uk = models.CharField(_("title (Ukrainian)"), max_length=300)
    title_en = models.CharField(_("title (English)"), max_length=300, blank=True)
    specific_uk = models.TextField(_("specific: what exactly (Ukrainian)"), blank=True)
    specific_en = models.TextField(_("specific: what exactly (English)"), blank=True)
    indicator = models.ForeignKey(Indicator, null=True, blank=True, on_delete=models.PROTECT, related_name="goals", verbose_name=_("indicator (measurable)"))
    baseline_value = models.DecimalField(_("baseline value"), max_digits=16, decimal_places=2, null=True, blank=True)
    baseline_date = models.DateField(_("baseline date"), null=True, blank=True)
    target_value = models.DecimalField(_("target value"), max_digits=16, decimal_places=2, null=True, blank=True)
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    owner_org = models.ForeignKey("stakeholders.Organisation", null=True, blank=True, on_delete=models.SET_NULL, related_name="owned_goals", verbose_name=_("owner organisation"))
    owner_person = models.ForeignKey("stakeholders.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="owned_goals", verbose_name=_("owner person"))
    achievability_note = models.TextField(_("achievable: resources"), blank=True)
    relevance_note = models.TextField(_("relevant: link to the strategy"), blank=True)
    domain = models.ForeignKey("regions.SpecialisationDomain", null=True, blank=True, on_delete=models.SET_NULL, related_name="goals", verbose_name=_("specialisation domain"))
    strategy_ref = models.CharField(_("strategy objective reference"), max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=GoalStatus, default=GoalStatus.DRAFT)
    version = models.PositiveIntegerField(_("version"), default=1)

    objects = AgendaChildQuerySet.as_manager()
    history = AgendaHistory()

    title = translated("title")
    specific = translated("specific")

    class Meta:
        verbose_name = _("SMART goal")
        verbose_name_plural = _("SMART goals")
        ordering = ["agenda", "code"]
        constraints = [
            models.UniqueConstraint(fields=["agenda", "code"], name="agenda_goal_unique_code"),
            models.CheckConstraint(
                condition=Q(deadline__isnull=True) | Q(baseline_date__isnull=True) | Q(deadline__gt=models.F("baseline_date")),
                name="agenda_goal_deadline_after_baseline",
            ),
        ]

    def __str__(self):
        return f"{self.code} {self.title}"

    def get_absolute_url(self):
        """Reads `agenda.region`: select_related("agenda__region") when listing."""
        return reverse(
            "agenda:goal-detail", kwargs={"region": self.agenda.region.slug, "year": self.agenda.year, "pk": self.pk}
        )


class Endorsement(BaseModel):
    """A participating organisation endorses exactly one version of the goal list and portfolio,
    identified by the hash of its canonical content. A later change makes it stale."""

    agenda = models.ForeignKey("regions.Agenda", on_delete=models.CASCADE, related_name="endorsements", verbose_name=_("agenda"))
    organisation = models.ForeignKey("stakeholders.Organisation", on_delete=models.CASCADE, related_name="endorsements", verbose_name=_("organisation"))
    endorsed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("endorsed by"))
    content_hash = models.CharField(_("content hash"), max_length=64)
    snapshot = models.JSONField(_("what was endorsed"), default=dict)
    comment = models.TextField(_("comment"), blank=True)

    objects = AgendaChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("endorsement")
        verbose_name_plural = _("endorsements")
        ordering = ["agenda", "-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["agenda", "organisation", "content_hash"], name="agenda_endorsement_one_per_org_version"),
            models.CheckConstraint(condition=Q(content_hash__regex=r"^[0-9a-f]{64}$"), name="agenda_endorsement_hash_is_sha256"),
        ]

    def __str__(self):
        return f"{self.organisation} · {self.content_hash[:10]}"


class MemorandumStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    NEGOTIATION = "negotiation", _("Under negotiation")
    READY = "ready", _("Ready to sign")
    SIGNED = "signed", _("Signed")
    IN_FORCE = "in_force", _("In force")
    EXPIRED = "expired", _("Expired")
    TERMINATED = "terminated", _("Terminated")


class MemorandumQuerySet(models.QuerySet):
    def for_region(self, region):
        return self.filter(agenda__region=region)

    def visible_to(self, user):
        from regions.models import Region

        return self.filter(agenda__region__in=Region.objects.visible_to(user))


class Memorandum(BaseModel):
    """A memorandum of cooperation for one agenda. Its text lives in revisions: a decline returns it to
    a new draft revision and the earlier ones stay read-only."""

    agenda = models.ForeignKey("regions.Agenda", on_delete=models.CASCADE, related_name="memoranda", verbose_name=_("agenda"))
    number = models.CharField(_("number"), max_length=40, blank=True)
    title_uk = models.CharField(_("title (Ukrainian)"), max_length=300)
    title_en = models.CharField(_("title (English)"), max_length=300, blank=True)
    language = models.CharField(_("document language"), max_length=2, choices=[("uk", _("Ukrainian")), ("en", _("English"))], default="uk")
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    auto_renewal = models.BooleanField(_("auto-renewal"), default=False)
    status = models.CharField(_("status"), max_length=20, choices=MemorandumStatus, default=MemorandumStatus.DRAFT)
    signed_date = models.DateField(_("signing date"), null=True, blank=True)
    place = models.CharField(_("place of signing"), max_length=200, blank=True)
    signing_event = models.ForeignKey("agenda_sessions.ExternalEvent", null=True, blank=True, on_delete=models.SET_NULL, related_name="memoranda", verbose_name=_("signing event"))
    ordered_signing = models.BooleanField(_("initiators sign first"), default=False)
    is_public = models.BooleanField(_("published"), default=False)
    scan = models.FileField(_("scan of the wet-ink copy"), upload_to="memoranda/scans/%Y/", blank=True)

    objects = MemorandumQuerySet.as_manager()
    history = AgendaHistory()

    title = translated("title")

    class Meta:
        verbose_name = _("memorandum of cooperation")
        verbose_name_plural = _("memoranda of cooperation")
        ordering = ["agenda", "-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_from__isnull=True) | Q(valid_until__gte=models.F("valid_from")),
                name="agenda_memorandum_term_ordered",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("memoranda:memorandum-detail", kwargs={"region": self.agenda.region.slug, "pk": self.pk})


class MemorandumRevision(BaseModel):
    class PdfStatus(models.TextChoices):
        NONE = "none", _("Not requested")
        QUEUED = "queued", _("Queued")
        RENDERING = "rendering", _("Rendering")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    memorandum = models.ForeignKey(Memorandum, on_delete=models.CASCADE, related_name="revisions", verbose_name=_("memorandum"))
    number = models.PositiveSmallIntegerField(_("revision"), default=1)
    subject = models.TextField(_("subject"), blank=True)
    body = models.TextField(_("text (Markdown)"), blank=True)
    opened_at = models.DateTimeField(_("opened for signature at"), null=True, blank=True)
    content_hash = models.CharField(_("content hash (SHA-256)"), max_length=64, blank=True)
    content_snapshot = models.JSONField(_("frozen content"), null=True, blank=True)
    verification_code = models.CharField(_("verification code"), max_length=20, blank=True)
    superseded_at = models.DateTimeField(_("superseded at"), null=True, blank=True)
    pdf_status = models.CharField(_("PDF status"), max_length=10, choices=PdfStatus, default=PdfStatus.NONE)
    pdf_error = models.TextField(_("PDF error"), blank=True)
    pdf_file = models.FileField(_("signed PDF"), upload_to="memoranda/pdf/%Y/", blank=True)
    pdf_hash = models.CharField(_("PDF hash (SHA-256)"), max_length=64, blank=True)
    pdf_attempts = models.PositiveSmallIntegerField(_("render attempts"), default=0)
    pdf_rendered_at = models.DateTimeField(_("rendered at"), null=True, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1, help_text=_("Raised on every edit; detects concurrent edits."))

    class Meta:
        verbose_name = _("memorandum revision")
        verbose_name_plural = _("memorandum revisions")
        ordering = ["memorandum", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["memorandum", "number"], name="agenda_memorevision_unique_number"),
            models.UniqueConstraint(fields=["verification_code"], condition=~Q(verification_code=""), name="agenda_memorevision_unique_code"),
            # Exactly one revision is current (editable or open for signature); earlier ones are superseded.
            models.UniqueConstraint(fields=["memorandum"], condition=Q(superseded_at__isnull=True), name="agenda_memorevision_one_current"),
            models.CheckConstraint(
                condition=Q(opened_at__isnull=True) | Q(content_hash__regex=r"^[0-9a-f]{64}$"), name="agenda_memorevision_opened_has_hash"
            ),
        ]

    def __str__(self):
        return f"{self.memorandum} · rev. {self.number}"

    @property
    def is_frozen(self) -> bool:
        return self.opened_at is not None


class SignatoryRole(models.TextChoices):
    INITIATOR = "initiator", _("Initiating party")
    PARTY = "party", _("Party")
    ACCEDED = "acceded", _("Acceded party")
    COORDINATOR = "coordinator", _("Coordinator")
    OBSERVER = "observer", _("Observer (non-signing)")


class Signatory(BaseModel):
    """A party of the memorandum and who signs for it («в особі»)."""

    memorandum = models.ForeignKey(Memorandum, on_delete=models.CASCADE, related_name="signatories", verbose_name=_("memorandum"))
    organisation = models.ForeignKey("stakeholders.Organisation", on_delete=models.PROTECT, related_name="signatories", verbose_name=_("party"))
    side = models.CharField(_("side"), max_length=20, choices=Helix, blank=True)
    signer_position_uk = models.CharField(_("represented by, position (Ukrainian)"), max_length=200, blank=True)
    signer_position_en = models.CharField(_("represented by, position (English)"), max_length=200, blank=True)
    person = models.ForeignKey("stakeholders.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="signatory_roles", verbose_name=_("signer"))
    party_role = models.CharField(_("party role"), max_length=20, choices=SignatoryRole, default=SignatoryRole.PARTY)
    own_obligations = models.TextField(_("party obligations"), blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=1)

    signer_position = translated("signer_position")

    class Meta:
        verbose_name = _("signatory")
        verbose_name_plural = _("signatories")
        ordering = ["memorandum", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["memorandum", "organisation"], name="agenda_signatory_one_per_org")]

    def __str__(self):
        return f"{self.organisation} ({self.signer_position})"


class Signature(BaseModel):
    """A signatory's act on one revision: signed (online or wet ink) or declined with a reason."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        SIGNED = "signed", _("Signed")
        DECLINED = "declined", _("Declined")

    class Method(models.TextChoices):
        ONLINE = "online", _("On the platform")
        WET_INK = "wet_ink", _("Wet ink")

    revision = models.ForeignKey(MemorandumRevision, on_delete=models.CASCADE, related_name="signatures", verbose_name=_("revision"))
    signatory = models.ForeignKey(Signatory, on_delete=models.CASCADE, related_name="signatures", verbose_name=_("signatory"))
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.PENDING)
    method = models.CharField(_("method"), max_length=10, choices=Method, default=Method.ONLINE)
    signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("signed by"))
    typed_name = models.CharField(_("typed full name"), max_length=200, blank=True)
    signed_at = models.DateTimeField(_("signed at"), null=True, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("user agent"), max_length=400, blank=True)
    content_hash = models.CharField(_("content hash"), max_length=64, blank=True)
    decline_reason = models.TextField(_("reason for declining"), blank=True)
    scan = models.FileField(_("scan"), upload_to="memoranda/signatures/%Y/", blank=True)
    # The signing link e-mailed to the signatory: its token is an HMAC over this row's state (never
    # stored), so sending it again, signing or declining invalidates every earlier link.
    link_sent_at = models.DateTimeField(_("signing link sent at"), null=True, blank=True)
    via_link = models.BooleanField(_("signed through the e-mailed link"), default=False)

    class Meta:
        verbose_name = _("signature")
        verbose_name_plural = _("signatures")
        ordering = ["revision", "signatory__order"]
        constraints = [
            models.UniqueConstraint(fields=["revision", "signatory"], name="agenda_signature_one_per_signatory_revision"),
            models.CheckConstraint(
                condition=~Q(status="signed") | (Q(signed_at__isnull=False) & ~Q(content_hash="")), name="agenda_signature_signed_has_time_and_hash"
            ),
            models.CheckConstraint(condition=~Q(status="declined") | ~Q(decline_reason=""), name="agenda_signature_declined_has_reason"),
        ]

    def __str__(self):
        return f"{self.signatory} · {self.get_status_display()}"


class MemorandumEvent(BaseModel):
    """The audit trail of a memorandum: created, opened, signed, declined, rendered, downloaded…"""

    class Kind(models.TextChoices):
        CREATED = "created", _("Created")
        EDITED = "edited", _("Edited")
        OPENED = "opened", _("Opened for signature")
        SIGNED = "signed", _("Signed")
        DECLINED = "declined", _("Declined")
        WET_INK = "wet_ink", _("Wet-ink signature recorded")
        COMPLETED = "completed", _("All parties signed")
        LINK_SENT = "link_sent", _("Signing link sent")
        RENDER_QUEUED = "render_queued", _("PDF queued")
        RENDERED = "rendered", _("PDF rendered")
        RENDER_FAILED = "render_failed", _("PDF rendering failed")
        DOWNLOADED = "downloaded", _("PDF downloaded")
        VERIFIED = "verified", _("Verification requested")

    memorandum = models.ForeignKey(Memorandum, on_delete=models.CASCADE, related_name="events", verbose_name=_("memorandum"))
    revision = models.ForeignKey(MemorandumRevision, null=True, blank=True, on_delete=models.CASCADE, related_name="events", verbose_name=_("revision"))
    kind = models.CharField(_("event"), max_length=20, choices=Kind)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("actor"))
    detail = models.TextField(_("detail"), blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)

    class Meta:
        verbose_name = _("memorandum event")
        verbose_name_plural = _("memorandum events")
        ordering = ["memorandum", "created_at", "id"]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.created_at:%Y-%m-%d %H:%M}"
