"""The five sessions of the method, their agenda items, attendance, minutes and decisions, external
events folded into the plan, and the calendar feed of a region."""

import datetime
from zoneinfo import ZoneInfo

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.models import BaseModel, translated
from regions.models import Region
from stakeholders.models import PersonRole

# Sessions are scheduled, shown and exported in Ukrainian time, whatever the server's zone.
KYIV = ZoneInfo("Europe/Kyiv")


class Format(models.TextChoices):
    OFFLINE = "offline", _("In person")
    ONLINE = "online", _("Online")
    HYBRID = "hybrid", _("Hybrid")


class EventStatus(models.TextChoices):
    IDEA = "idea", _("Idea")
    PLANNED = "planned", _("Planned")
    CONFIRMED = "confirmed", _("Confirmed")
    HELD = "held", _("Held")
    POSTPONED = "postponed", _("Postponed")
    CANCELLED = "cancelled", _("Cancelled")


# A session in one of these is still ahead of the region: it can be held, postponed or cancelled.
OPEN_STATUSES = (EventStatus.IDEA, EventStatus.PLANNED, EventStatus.CONFIRMED)


class SessionKind(BaseModel):
    """Editable template of the method's stages; the five of the methodology are the default."""

    order = models.PositiveSmallIntegerField(_("order"), unique=True)
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_uk = models.CharField(_("name (Ukrainian)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    purpose_uk = models.TextField(_("purpose (Ukrainian)"), blank=True)
    purpose_en = models.TextField(_("purpose (English)"), blank=True)
    expected_outputs_uk = models.TextField(_("expected outputs (Ukrainian)"), blank=True)
    expected_outputs_en = models.TextField(_("expected outputs (English)"), blank=True)
    ris3_step = models.PositiveSmallIntegerField(_("RIS3 step"), null=True, blank=True)
    is_cross_regional = models.BooleanField(
        _("cross-regional"), default=False, help_text=_("One joint meeting for the whole programme.")
    )
    default_offset_days = models.PositiveSmallIntegerField(
        _("proposed days after the window start"), default=0
    )
    default_duration_minutes = models.PositiveSmallIntegerField(_("default duration, minutes"), default=180)

    name = translated("name")
    purpose = translated("purpose")
    expected_outputs = translated("expected_outputs")

    class Meta:
        verbose_name = pgettext_lazy("workshop", "session kind")
        verbose_name_plural = pgettext_lazy("workshop", "session kinds")
        ordering = ["order"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ris3_step__isnull=True) | Q(ris3_step__gte=1, ris3_step__lte=6),
                name="agenda_sessions_kind_ris3_step_1_6",
            ),
        ]

    def __str__(self):
        return f"{self.order}. {self.name}"

    def natural_key(self):
        return (self.code,)


class SessionQuerySet(models.QuerySet):
    def for_region(self, region):
        return self.filter(Q(agenda__region=region) | Q(programme__regions=region)).distinct()

    def visible_to(self, user):
        regions = Region.objects.visible_to(user)
        return self.filter(Q(agenda__region__in=regions) | Q(programme__regions__in=regions)).distinct()

    def for_programme(self, programme):
        return self.filter(programme=programme)

    def upcoming(self):
        return self.filter(starts_at__gte=timezone.now()).exclude(
            status__in=[EventStatus.CANCELLED, EventStatus.HELD]
        )

    def open(self):
        return self.filter(status__in=OPEN_STATUSES)


class Session(BaseModel):
    """One meeting of the method. Sessions 2–5 belong to one region's agenda; session 1 is held
    jointly for a whole programme and belongs to the programme instead."""

    agenda = models.ForeignKey(
        "regions.Agenda",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="sessions",
        verbose_name=_("agenda"),
    )
    programme = models.ForeignKey(
        "regions.Programme",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="sessions",
        verbose_name=_("programme"),
    )
    kind = models.ForeignKey(
        SessionKind, on_delete=models.PROTECT, related_name="sessions", verbose_name=_("kind")
    )
    number = models.PositiveSmallIntegerField(_("number"))
    title = models.CharField(_("title"), max_length=300, blank=True)
    starts_at = models.DateTimeField(_("date & time"), null=True, blank=True)
    duration_minutes = models.PositiveSmallIntegerField(_("duration, minutes"), default=180)
    format = models.CharField(_("format"), max_length=10, choices=Format, default=Format.HYBRID)
    venue = models.CharField(_("venue"), max_length=300, blank=True)
    online_url = models.URLField(_("meeting link"), blank=True)
    facilitator = models.ForeignKey(
        "stakeholders.Person",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="facilitated_sessions",
        verbose_name=_("facilitator"),
    )
    status = models.CharField(_("status"), max_length=10, choices=EventStatus, default=EventStatus.PLANNED)
    status_reason = models.TextField(_("reason for the status"), blank=True)
    minutes = models.TextField(_("minutes (Markdown)"), blank=True)
    summary_uk = models.TextField(_("summary (Ukrainian)"), blank=True)
    summary_en = models.TextField(_("summary (English)"), blank=True)
    held_at = models.DateTimeField(_("marked held at"), null=True, blank=True)
    materials = models.ManyToManyField(
        "regions.Material", blank=True, related_name="sessions", verbose_name=_("materials to read before")
    )
    version = models.PositiveIntegerField(
        _("version"),
        default=1,
        help_text=_("Raised on every change; detects concurrent edits and numbers calendar updates."),
    )
    # The workflow's record: who made the last status change and when; a reopened held session keeps
    # who reopened it and why (sessions.services writes these, nothing else does).
    status_changed_at = models.DateTimeField(_("status changed at"), null=True, blank=True, editable=False)
    status_changed_by = models.ForeignKey(
        "accounts.User",
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("status changed by"),
    )
    reopened_at = models.DateTimeField(_("reopened at"), null=True, blank=True, editable=False)
    reopened_by = models.ForeignKey(
        "accounts.User",
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("reopened by"),
    )
    reopened_reason = models.TextField(_("reason for reopening"), blank=True, editable=False)

    objects = SessionQuerySet.as_manager()

    summary = translated("summary")

    class Meta:
        verbose_name = pgettext_lazy("workshop", "session")
        verbose_name_plural = pgettext_lazy("workshop", "sessions")
        ordering = ["number", "starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(number__gte=1, number__lte=5), name="agenda_sessions_session_number_1_5"
            ),
            models.CheckConstraint(
                condition=(
                    Q(agenda__isnull=False, programme__isnull=True)
                    | Q(agenda__isnull=True, programme__isnull=False)
                ),
                name="agenda_sessions_session_agenda_xor_programme",
            ),
            models.UniqueConstraint(
                fields=["agenda", "number"],
                condition=Q(agenda__isnull=False),
                name="agenda_sessions_session_one_number_per_agenda",
            ),
            models.UniqueConstraint(
                fields=["programme", "number"],
                condition=Q(programme__isnull=False),
                name="agenda_sessions_session_one_number_per_programme",
            ),
            models.CheckConstraint(
                condition=Q(number=1, programme__isnull=False) | Q(number__gte=2, agenda__isnull=False),
                name="agenda_sessions_session_first_is_joint",
            ),
            models.CheckConstraint(
                condition=~Q(status="held") | ~Q(minutes=""), name="agenda_sessions_session_held_has_minutes"
            ),
        ]

    def __str__(self):
        return f"{self.number}. {self.name}"

    def get_absolute_url(self):
        """Reads `programme` or `agenda.region`: select them with the session in lists."""
        if self.programme_id:
            return reverse(
                "programme_sessions:session-detail", kwargs={"programme": self.programme.code, "pk": self.pk}
            )
        return reverse("sessions:session-detail", kwargs={"region": self.agenda.region.slug, "pk": self.pk})

    @property
    def name(self) -> str:
        return self.title or self.kind.name

    @property
    def is_joint(self) -> bool:
        return self.programme_id is not None

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def local_starts_at(self):
        return self.starts_at.astimezone(KYIV) if self.starts_at else None

    @property
    def ends_at(self):
        return self.starts_at + datetime.timedelta(minutes=self.duration_minutes) if self.starts_at else None

    @property
    def is_overdue(self) -> bool:
        return bool(self.starts_at and self.starts_at < timezone.now() and self.status in OPEN_STATUSES)


class AgendaItem(BaseModel):
    session = models.ForeignKey(
        Session,
        on_delete=models.CASCADE,
        related_name="items",
        verbose_name=pgettext_lazy("workshop", "session"),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=1)
    starts_at = models.TimeField(_("time"), null=True, blank=True)
    duration_minutes = models.PositiveSmallIntegerField(_("duration, minutes"), default=15)
    title = models.CharField(_("item"), max_length=300)
    presenter = models.CharField(_("presenter"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        ordering = ["session", "order"]
        constraints = [
            models.UniqueConstraint(fields=["session", "order"], name="agenda_sessions_item_unique_order")
        ]

    def __str__(self):
        return self.title


class Attendance(BaseModel):
    """An invitation to a session and, after it, whether the person attended."""

    class Reply(models.TextChoices):
        NONE = "none", _("No reply")
        ACCEPTED = "accepted", _("Accepted")
        TENTATIVE = "tentative", _("Tentative")
        DECLINED = "declined", _("Declined")

    session = models.ForeignKey(
        Session,
        on_delete=models.CASCADE,
        related_name="attendances",
        verbose_name=pgettext_lazy("workshop", "session"),
    )
    person = models.ForeignKey(
        "stakeholders.Person", on_delete=models.CASCADE, related_name="attendances", verbose_name=_("person")
    )
    organisation = models.ForeignKey(
        "stakeholders.Organisation",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("organisation"),
    )
    role = models.CharField(_("role"), max_length=20, choices=PersonRole, default=PersonRole.MEMBER)
    invited_at = models.DateTimeField(_("invited at"), null=True, blank=True)
    reply = models.CharField(_("reply"), max_length=10, choices=Reply, default=Reply.NONE)
    attended = models.BooleanField(_("attended"), null=True, default=None)
    reminded_for = models.DateTimeField(
        _("reminded for the start at"),
        null=True,
        blank=True,
        editable=False,
        help_text=_(
            "The start time the 24-hour reminder was sent for; a rescheduled session is reminded again."
        ),
    )

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        ordering = ["session", "organisation__name_uk", "person__full_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "person"], name="agenda_sessions_attendance_one_per_person"
            )
        ]

    def __str__(self):
        return f"{self.person} @ {self.session}"


class Decision(BaseModel):
    session = models.ForeignKey(
        Session,
        on_delete=models.CASCADE,
        related_name="decisions",
        verbose_name=pgettext_lazy("workshop", "session"),
    )
    text = models.TextField(_("decision"))
    responsible_org = models.ForeignKey(
        "stakeholders.Organisation",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("responsible organisation"),
    )
    due_date = models.DateField(_("due date"), null=True, blank=True)

    class Meta:
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        ordering = ["session", "created_at"]

    def __str__(self):
        return self.text[:80]


class DocumentAcceptance(BaseModel):
    """Session 1: a region records its acceptance of the common document agreed across the programme."""

    session = models.ForeignKey(
        Session,
        on_delete=models.CASCADE,
        related_name="acceptances",
        verbose_name=pgettext_lazy("workshop", "session"),
    )
    region = models.ForeignKey(
        Region, on_delete=models.CASCADE, related_name="document_acceptances", verbose_name=_("region")
    )
    accepted = models.BooleanField(_("accepted"), default=True)
    accepted_at = models.DateTimeField(_("accepted at"), default=timezone.now)
    accepted_by = models.ForeignKey(
        "accounts.User",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("accepted by"),
    )
    comments = models.TextField(_("comments or reservations"), blank=True)

    class Meta:
        verbose_name = _("acceptance of the common document")
        verbose_name_plural = _("acceptances of the common document")
        ordering = ["session", "region"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "region"], name="agenda_sessions_acceptance_one_per_region"
            )
        ]

    def __str__(self):
        return f"{self.region} · {self.session}"


class ExternalEventKind(models.TextChoices):
    ROUND_TABLE = "round_table", _("Round table")
    CONFERENCE = "conference", _("Conference")
    FORUM = "forum", _("Forum")
    WEBINAR = "webinar", _("Webinar")
    WORKSHOP = "workshop", _("Workshop")
    STUDY_VISIT = "study_visit", _("Study visit")
    B2B = "b2b", _("B2B matchmaking")
    PRESENTATION = "presentation", _("Presentation to authorities")
    PUBLIC_HEARING = "public_hearing", _("Public consultation")
    SIGNING = "signing", _("Signing ceremony")
    OTHER = "other", _("Other")


class ExternalEventQuerySet(models.QuerySet):
    def for_region(self, region):
        return self.filter(agenda__region=region)

    def visible_to(self, user):
        return self.filter(agenda__region__in=Region.objects.visible_to(user))


class ExternalEvent(BaseModel):
    """An event planned elsewhere (round table, forum…) folded into the plan as an occasion to advance a stage."""

    agenda = models.ForeignKey(
        "regions.Agenda", on_delete=models.CASCADE, related_name="external_events", verbose_name=_("agenda")
    )
    kind = models.CharField(
        _("kind"), max_length=20, choices=ExternalEventKind, default=ExternalEventKind.ROUND_TABLE
    )
    title_uk = models.CharField(_("title (Ukrainian)"), max_length=300)
    title_en = models.CharField(_("title (English)"), max_length=300, blank=True)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"), null=True, blank=True)
    format = models.CharField(_("format"), max_length=10, choices=Format, default=Format.OFFLINE)
    location = models.CharField(_("location"), max_length=300, blank=True)
    organiser = models.ForeignKey(
        "stakeholders.Organisation",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="organised_events",
        verbose_name=_("organiser"),
    )
    stage = models.ForeignKey(
        SessionKind,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="external_events",
        verbose_name=_("stage it advances"),
    )
    session = models.ForeignKey(
        Session,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="external_events",
        verbose_name=pgettext_lazy("workshop", "session"),
    )
    target_audience = models.TextField(_("target audience"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=EventStatus, default=EventStatus.PLANNED)
    expected_outcome = models.TextField(_("expected outcome"), blank=True)
    actual_outcome = models.TextField(_("actual outcome"), blank=True)
    participants_count = models.PositiveIntegerField(_("number of participants"), null=True, blank=True)
    report_url = models.URLField(_("report link"), blank=True)
    import_uid = models.CharField(
        _("imported UID"),
        max_length=255,
        blank=True,
        editable=False,
        help_text=_(
            "The UID of the calendar entry it was imported from; importing the file again updates it."
        ),
    )
    version = models.PositiveIntegerField(_("version"), default=1)

    objects = ExternalEventQuerySet.as_manager()

    title = translated("title")

    class Meta:
        verbose_name = _("external event")
        verbose_name_plural = _("external events")
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__isnull=True) | Q(ends_at__gte=models.F("starts_at")),
                name="agenda_sessions_event_ends_after_start",
            ),
            models.UniqueConstraint(
                fields=["agenda", "import_uid"],
                condition=~Q(import_uid=""),
                name="agenda_sessions_event_unique_import_uid",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return (
            reverse("sessions:externalevent-list", kwargs={"region": self.agenda.region.slug})
            + f"#event-{self.pk}"
        )


class CalendarFeed(BaseModel):
    """A region's calendar subscription. Only a hash of the secret token is stored; rotating it
    invalidates every old subscription link."""

    region = models.OneToOneField(
        Region, on_delete=models.CASCADE, related_name="calendar_feed", verbose_name=_("region")
    )
    token_hash = models.CharField(_("token hash"), max_length=64, unique=True)
    rotated_at = models.DateTimeField(_("rotated at"), default=timezone.now)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")
        ordering = ["region"]

    def __str__(self):
        return str(self.region)

    def get_absolute_url(self):
        return reverse("sessions:calendarfeed-detail", kwargs={"region": self.region.slug})
