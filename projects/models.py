"""The project portfolio with its mechanisms (normative acts, tax incentives…) and funding lines, the
working teams that carry the pilots, and the pilots' action plans."""

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from agenda.models import Priority
from core.history import AgendaHistory
from core.models import BaseModel, translated
from regions.models import Region
from stakeholders.models import PersonRole


class Currency(models.TextChoices):
    UAH = "UAH", _("UAH")
    EUR = "EUR", _("EUR")
    USD = "USD", _("USD")


class FundingSourceKind(models.TextChoices):
    STATE_BUDGET = "state_budget", _("State budget")
    DFRR = "dfrr", _("State Regional Development Fund")
    OBLAST_BUDGET = "oblast_budget", _("Oblast budget")
    LOCAL_BUDGET = "local_budget", _("Local (hromada) budget")
    OWN_FUNDS = "own_funds", _("Own funds")
    ITA = "ita", _("International technical assistance")
    EU_PROGRAMME = "eu_programme", _("EU programmes")
    NATIONAL_FUND = "national_fund", _("National funds")
    PRIVATE_INVESTMENT = "private_investment", _("Private investment")
    LOAN = "loan", _("Loan (incl. IFIs)")
    OTHER = "other", _("Other")


class MechanismKind(BaseModel):
    """Lookup table of mechanisms and instruments; regions may add their own without a migration."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_uk = models.CharField(_("name (Ukrainian)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    is_normative = models.BooleanField(_("legal (normative) act"), default=False)
    order = models.PositiveSmallIntegerField(_("order"), default=100)

    name = translated("name")

    class Meta:
        verbose_name = _("mechanism kind")
        verbose_name_plural = _("mechanism kinds")
        ordering = ["order", "code"]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.code,)


class ProjectStatus(models.TextChoices):
    IDEA = "idea", _("Idea")
    CONCEPT = "concept", _("Concept")
    SUBMITTED = "submitted", _("Submitted")
    APPROVED = "approved", _("Approved")
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED = "completed", _("Completed")
    ON_HOLD = "on_hold", _("On hold")
    REJECTED = "rejected", _("Rejected")
    CANCELLED = "cancelled", _("Cancelled")


# Projects in these states have left the portfolio: they need no goal link, mechanism or endorsement.
CLOSED_PROJECT_STATUSES = (ProjectStatus.CANCELLED, ProjectStatus.REJECTED)


class ProjectQuerySet(models.QuerySet):
    def for_region(self, region):
        return self.filter(agenda__region=region)

    def for_agenda(self, agenda):
        return self.filter(agenda=agenda)

    def visible_to(self, user):
        return self.filter(agenda__region__in=Region.objects.visible_to(user))

    def active(self):
        """Projects still in the portfolio (not cancelled or rejected)."""
        return self.exclude(status__in=CLOSED_PROJECT_STATUSES)


class Project(BaseModel):
    agenda = models.ForeignKey("regions.Agenda", on_delete=models.CASCADE, related_name="projects", verbose_name=_("agenda"))
    code = models.CharField(_("code"), max_length=20)
    title_uk = models.CharField(_("title (Ukrainian)"), max_length=300)
    title_en = models.CharField(_("title (English)"), max_length=300, blank=True)
    summary_uk = models.TextField(_("summary (Ukrainian)"), blank=True)
    summary_en = models.TextField(_("summary (English)"), blank=True)
    is_pilot = models.BooleanField(_("pilot"), default=False)
    priority = models.PositiveSmallIntegerField(_("priority"), choices=Priority, default=Priority.MEDIUM)
    domain = models.ForeignKey("regions.SpecialisationDomain", null=True, blank=True, on_delete=models.SET_NULL, related_name="projects", verbose_name=_("specialisation domain"))
    goals = models.ManyToManyField("agenda.Goal", blank=True, related_name="projects", verbose_name=_("goals"))
    mechanisms = models.ManyToManyField(MechanismKind, blank=True, related_name="projects", verbose_name=_("mechanisms (instruments)"))
    lead_org = models.ForeignKey("stakeholders.Organisation", null=True, blank=True, on_delete=models.SET_NULL, related_name="led_projects", verbose_name=_("lead organisation"))
    partners = models.ManyToManyField("stakeholders.Organisation", blank=True, related_name="partner_projects", verbose_name=_("partners"))
    team = models.ForeignKey("WorkingTeam", null=True, blank=True, on_delete=models.SET_NULL, related_name="projects", verbose_name=_("working team"))
    budget_total = models.DecimalField(_("budget"), max_digits=14, decimal_places=2, null=True, blank=True)
    currency = models.CharField(_("currency"), max_length=3, choices=Currency, default=Currency.UAH)
    start_date = models.DateField(_("start"), null=True, blank=True)
    end_date = models.DateField(_("end"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=ProjectStatus, default=ProjectStatus.IDEA)
    expected_results = models.TextField(_("expected results"), blank=True)
    risks = models.TextField(_("risks"), blank=True)
    strategy_ref = models.CharField(_("strategy / plan task reference"), max_length=200, blank=True)
    dfrr_eligible = models.BooleanField(_("DFRR-eligible"), default=False)
    version = models.PositiveIntegerField(_("version"), default=1)

    objects = ProjectQuerySet.as_manager()
    history = AgendaHistory()

    title = translated("title")
    summary = translated("summary")

    class Meta:
        verbose_name = pgettext_lazy("portfolio", "project")
        verbose_name_plural = pgettext_lazy("portfolio", "projects")
        ordering = ["agenda", "priority", "code"]
        constraints = [
            models.UniqueConstraint(fields=["agenda", "code"], name="projects_project_unique_code"),
            models.CheckConstraint(condition=Q(budget_total__isnull=True) | Q(budget_total__gte=0), name="projects_project_budget_not_negative"),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(start_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="projects_project_dates_ordered",
            ),
        ]

    def __str__(self):
        return f"{self.code} {self.title}"

    def get_absolute_url(self):
        """Reads `agenda.region`: select_related("agenda__region") when listing."""
        return reverse("projects:project-detail", kwargs={"region": self.agenda.region.slug, "pk": self.pk})

    @property
    def is_closed(self) -> bool:
        return self.status in CLOSED_PROJECT_STATUSES


class FundingLine(BaseModel):
    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        APPLIED = "applied", _("Applied")
        CONFIRMED = "confirmed", _("Confirmed")
        RECEIVED = "received", _("Received")
        REJECTED = "rejected", _("Rejected")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="funding_lines", verbose_name=pgettext_lazy("portfolio", "project"))
    source_kind = models.CharField(_("source kind"), max_length=20, choices=FundingSourceKind)
    source_name = models.CharField(_("source name"), max_length=200, blank=True)
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3, choices=Currency, default=Currency.UAH)
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.PLANNED)
    version = models.PositiveIntegerField(_("version"), default=1, help_text=_("Raised on every save; detects concurrent edits."))

    class Meta:
        verbose_name = _("funding line")
        verbose_name_plural = _("funding lines")
        ordering = ["project", "source_kind"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="projects_fundingline_amount_positive")]

    def __str__(self):
        return f"{self.get_source_kind_display()}: {self.amount} {self.currency}"


class NormativeAct(BaseModel):
    class ActType(models.TextChoices):
        LAW = "law", _("Law")
        CMU_RESOLUTION = "cmu_resolution", _("CMU resolution")
        MINISTRY_ORDER = "ministry_order", _("Ministerial order")
        ODA_ORDER = "oda_order", _("Order of the head of RSA")
        OBLAST_COUNCIL_DECISION = "oblast_council_decision", _("Oblast council decision")
        CITY_COUNCIL_DECISION = "city_council_decision", _("City council decision")
        EXEC_COMMITTEE_DECISION = "exec_committee_decision", _("Executive committee decision")

    class Stage(models.TextChoices):
        IDEA = "idea", _("Idea")
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        ADOPTED = "adopted", _("Adopted")
        REJECTED = "rejected", _("Rejected")

    projects = models.ManyToManyField(Project, blank=True, related_name="normative_acts", verbose_name=pgettext_lazy("portfolio", "projects"))
    mechanism = models.ForeignKey(MechanismKind, null=True, blank=True, on_delete=models.SET_NULL, related_name="acts", verbose_name=_("mechanism"))
    act_type = models.CharField(_("act type"), max_length=30, choices=ActType)
    title = models.CharField(_("title"), max_length=400)
    issuing_body = models.ForeignKey("stakeholders.Organisation", null=True, blank=True, on_delete=models.SET_NULL, related_name="issued_acts", verbose_name=_("issuing body"))
    number = models.CharField(_("number"), max_length=60, blank=True)
    date = models.DateField(_("date"), null=True, blank=True)
    stage = models.CharField(_("stage"), max_length=10, choices=Stage, default=Stage.IDEA)
    url = models.URLField(_("link"), blank=True)
    version = models.PositiveIntegerField(_("version"), default=1, help_text=_("Raised on every save; detects concurrent edits."))

    class Meta:
        verbose_name = _("legal act")
        verbose_name_plural = _("legal acts")
        ordering = ["title"]
        constraints = [
            models.CheckConstraint(condition=~Q(stage="adopted") | Q(date__isnull=False), name="projects_normativeact_adopted_has_date"),
        ]

    def __str__(self):
        return self.title


class TeamKind(models.TextChoices):
    PILOT_TEAM = "pilot_team", _("Pilot-project working team")
    WORKING_GROUP = "working_group", _("Working group")
    STEERING_COMMITTEE = "steering_committee", _("Steering committee")
    THEMATIC_GROUP = "thematic_group", _("Thematic group")
    FOCUS_GROUP = "focus_group", _("EDP focus group")
    SECRETARIAT = "secretariat", _("Secretariat")
    EXPERT_GROUP = "expert_group", _("Expert (mirror) group")


class WorkingTeamQuerySet(models.QuerySet):
    def for_region(self, region):
        return self.filter(agenda__region=region)

    def visible_to(self, user):
        return self.filter(agenda__region__in=Region.objects.visible_to(user))

    def active(self):
        return self.filter(status=WorkingTeam.Status.ACTIVE)


class WorkingTeam(BaseModel):
    class Status(models.TextChoices):
        FORMING = "forming", _("Forming")
        ACTIVE = "active", _("Active")
        PAUSED = "paused", _("Paused")
        DISSOLVED = "dissolved", _("Dissolved")

    class Cadence(models.TextChoices):
        WEEKLY = "weekly", _("Weekly")
        BIWEEKLY = "biweekly", _("Bi-weekly")
        MONTHLY = "monthly", _("Monthly")
        QUARTERLY = "quarterly", _("Quarterly")
        AD_HOC = "ad_hoc", _("Ad hoc")

    agenda = models.ForeignKey("regions.Agenda", on_delete=models.CASCADE, related_name="teams", verbose_name=_("agenda"))
    kind = models.CharField(_("kind"), max_length=20, choices=TeamKind, default=TeamKind.PILOT_TEAM)
    name_uk = models.CharField(_("name (Ukrainian)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    mandate_uk = models.TextField(_("mandate (Ukrainian)"), blank=True)
    mandate_en = models.TextField(_("mandate (English)"), blank=True)
    domain = models.ForeignKey("regions.SpecialisationDomain", null=True, blank=True, on_delete=models.SET_NULL, related_name="teams", verbose_name=_("specialisation direction"))
    cross_sector_area = models.CharField(_("cross-sector area"), max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.FORMING)
    cadence = models.CharField(_("meeting cadence"), max_length=10, choices=Cadence, default=Cadence.MONTHLY)
    next_meeting = models.DateTimeField(_("next meeting"), null=True, blank=True)
    channel_url = models.URLField(_("communication channel"), blank=True)
    version = models.PositiveIntegerField(_("version"), default=1, help_text=_("Raised on every save; detects concurrent edits."))

    objects = WorkingTeamQuerySet.as_manager()
    history = AgendaHistory()

    name = translated("name")
    mandate = translated("mandate")

    class Meta:
        verbose_name = _("working team")
        verbose_name_plural = _("working teams")
        ordering = ["agenda", "name_uk"]
        constraints = [models.UniqueConstraint(fields=["agenda", "name_uk"], name="projects_team_unique_name")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        """Reads `agenda.region`: select_related("agenda__region") when listing."""
        return reverse("teams:team-detail", kwargs={"region": self.agenda.region.slug, "pk": self.pk})

    @property
    def direction(self) -> str:
        """The specialisation direction, or else the cross-sector area the team works on."""
        return self.domain.name if self.domain_id else self.cross_sector_area


class TeamMembershipQuerySet(models.QuerySet):
    def current(self):
        """Members who have not left the team."""
        return self.filter(left_on__isnull=True)


class TeamMembership(BaseModel):
    team = models.ForeignKey(WorkingTeam, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("team"))
    person = models.ForeignKey("stakeholders.Person", on_delete=models.CASCADE, related_name="team_memberships", verbose_name=_("person"))
    organisation = models.ForeignKey("stakeholders.Organisation", on_delete=models.CASCADE, related_name="team_memberships", verbose_name=_("organisation"))
    role = models.CharField(_("role"), max_length=20, choices=PersonRole, default=PersonRole.MEMBER)
    joined_on = models.DateField(_("joined on"), default=timezone.localdate)
    left_on = models.DateField(_("left on"), null=True, blank=True)

    objects = TeamMembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("team membership")
        verbose_name_plural = _("team memberships")
        ordering = ["team", "role", "person__full_name"]
        constraints = [
            models.UniqueConstraint(fields=["team"], condition=Q(role="leader", left_on__isnull=True), name="projects_teammembership_one_active_leader"),
            models.UniqueConstraint(fields=["team", "person"], condition=Q(left_on__isnull=True), name="projects_teammembership_one_active_per_person"),
            models.CheckConstraint(condition=Q(left_on__isnull=True) | Q(left_on__gte=models.F("joined_on")), name="projects_teammembership_left_after_joined"),
        ]

    def __str__(self):
        return f"{self.person} · {self.team} · {self.get_role_display()}"


class ActionStepQuerySet(models.QuerySet):
    def for_region(self, region):
        return self.filter(project__agenda__region=region)

    def visible_to(self, user):
        return self.filter(project__agenda__region__in=Region.objects.visible_to(user))

    def open(self):
        return self.exclude(status__in=[ActionStep.Status.DONE, ActionStep.Status.CANCELLED])

    def overdue(self, today=None):
        """Open steps whose due date has passed (the same rule as `ActionStep.is_overdue`)."""
        return self.open().filter(due_date__lt=today or timezone.localdate())


class ActionStep(BaseModel):
    """A step of a pilot project's action plan. `overdue` is computed, never stored."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")
        POSTPONED = "postponed", _("Postponed")
        CANCELLED = "cancelled", _("Cancelled")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="steps", verbose_name=pgettext_lazy("portfolio", "project"))
    goal = models.ForeignKey("agenda.Goal", null=True, blank=True, on_delete=models.SET_NULL, related_name="steps", verbose_name=_("goal"))
    decision = models.ForeignKey("agenda_sessions.Decision", null=True, blank=True, on_delete=models.SET_NULL, related_name="steps", verbose_name=_("from decision"))
    number = models.CharField(_("No."), max_length=10)
    title_uk = models.CharField(_("action (Ukrainian)"), max_length=300)
    title_en = models.CharField(_("action (English)"), max_length=300, blank=True)
    description = models.TextField(_("description"), blank=True)
    responsible_org = models.ForeignKey("stakeholders.Organisation", null=True, blank=True, on_delete=models.SET_NULL, related_name="responsible_steps", verbose_name=_("responsible organisation"))
    responsible_person = models.ForeignKey("stakeholders.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="responsible_steps", verbose_name=_("responsible person"))
    co_executors = models.ManyToManyField("stakeholders.Organisation", blank=True, related_name="co_executed_steps", verbose_name=_("co-executors"))
    start_date = models.DateField(_("start date"), null=True, blank=True)
    due_date = models.DateField(_("due date"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status, default=Status.PLANNED)
    deliverable = models.TextField(_("deliverable"), blank=True)
    evidence_url = models.URLField(_("evidence link"), blank=True)
    budget = models.DecimalField(_("budget"), max_digits=14, decimal_places=2, null=True, blank=True)
    currency = models.CharField(_("currency"), max_length=3, choices=Currency, default=Currency.UAH)
    funding_source = models.CharField(_("funding source"), max_length=20, choices=FundingSourceKind, blank=True)
    depends_on = models.ManyToManyField("self", symmetrical=False, blank=True, related_name="dependants", verbose_name=_("depends on"))
    progress_pct = models.PositiveSmallIntegerField(_("progress, %"), default=0)
    version = models.PositiveIntegerField(_("version"), default=1, help_text=_("Raised on every save; detects concurrent edits."))

    objects = ActionStepQuerySet.as_manager()

    title = translated("title")

    class Meta:
        verbose_name = _("action step")
        verbose_name_plural = _("action steps")
        ordering = ["project", "due_date", "number"]
        constraints = [
            models.UniqueConstraint(fields=["project", "number"], name="projects_actionstep_unique_number"),
            models.CheckConstraint(condition=Q(progress_pct__lte=100), name="projects_actionstep_progress_0_100"),
            models.CheckConstraint(
                condition=Q(due_date__isnull=True) | Q(start_date__isnull=True) | Q(due_date__gte=models.F("start_date")),
                name="projects_actionstep_dates_ordered",
            ),
        ]

    def __str__(self):
        return f"{self.number} {self.title}"

    @staticmethod
    def number_key(number: str) -> tuple:
        """Sort key of a step number: «1.2» < «1.10», parts compared as numbers where they are numbers
        (`isdecimal`, not `isdigit`: «1.²» is a label, which `int()` could not read)."""
        return tuple(
            (0, int(part), "") if part.isdecimal() else (1, 0, part)
            for part in number.replace("-", ".").split(".")
        )

    @property
    def has_owner(self) -> bool:
        return bool(self.responsible_org_id or self.responsible_person_id)

    @property
    def is_overdue(self) -> bool:
        return bool(
            self.due_date
            and self.due_date < timezone.localdate()
            and self.status not in (self.Status.DONE, self.Status.CANCELLED)
        )


