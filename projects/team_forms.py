"""Forms of working teams, their members and the action-plan steps. They only validate: choices are
limited to the region (or agenda, or plan) being edited, and the views hand `cleaned_data` to
`projects.team_services`, which checks the same rules again."""

from django import forms
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agenda.models import Goal
from core.forms import BoundedModelMultipleChoiceField, formfield
from regions.models import Agenda, SpecialisationDomain
from sessions.models import Decision
from stakeholders.models import Organisation, Person, PersonRole

from .models import ActionStep, Project, TeamMembership, WorkingTeam
from .team_services import STEP_FIELDS, TEAM_FIELDS

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME_INPUT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def _formfield(model_field, **kwargs):
    """Links typed without a scheme are read as https:// (Django 6's default, chosen now); many-to-many
    choices refuse keys the database cannot hold (`core.forms.formfield`)."""
    if isinstance(model_field, models.URLField):
        kwargs.setdefault("assume_scheme", "https")
    return formfield(model_field, **kwargs)


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.full_name} — {obj.organisation}"


class ProjectChoiceField(BoundedModelMultipleChoiceField):
    current_team_id = None

    def label_from_instance(self, obj):
        """«P-1 Title (pilot) — now with «Team»»: a project has one team, so choosing it here moves it."""
        label = f"{obj.code} {obj.title}"
        if obj.is_pilot:
            label += f" ({_('pilot')})"
        if obj.team_id and obj.team_id != self.current_team_id:
            label += " — " + _("now carried by «%(team)s»") % {"team": obj.team.name}
        return label


class VersionedForm(forms.ModelForm):
    """Carries the version of the row the user saw; the service refuses a stale one."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**31 - 1)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
        else:
            self.fields["version"].required = False


class WorkingTeamForm(VersionedForm):
    projects = ProjectChoiceField(
        label=_("Projects the team carries"),
        queryset=Project.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Every pilot project needs a working team. A project has one team: choosing it here moves it to this team."
        ),
    )

    class Meta:
        model = WorkingTeam
        formfield_callback = _formfield
        fields = TEAM_FIELDS
        widgets = {
            "next_meeting": DATETIME_INPUT,
            "mandate_uk": forms.Textarea(attrs={"rows": 3}),
            "mandate_en": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "domain": _("The main specialisation direction the team works on…"),
            "cross_sector_area": _("…or, for a cross-sector team, the area it covers."),
        }

    def __init__(self, *args, agenda: Agenda, **kwargs):
        super().__init__(*args, **kwargs)
        self.agenda = agenda
        self.fields["domain"].queryset = SpecialisationDomain.objects.filter(
            region_id=agenda.region_id
        ).order_by("-is_main", "name_uk")
        self.fields["projects"].queryset = (
            Project.objects.filter(agenda=agenda).select_related("team").order_by("-is_pilot", "code")
        )
        self.fields["projects"].current_team_id = self.instance.pk
        if self.instance.pk:
            self.fields["projects"].initial = list(self.instance.projects.values_list("pk", flat=True))

    def clean(self):
        cleaned = super().clean()
        if (
            not cleaned.get("domain")
            and not (cleaned.get("cross_sector_area") or "").strip()
            and "domain" not in self.errors
        ):
            self.add_error(
                "cross_sector_area", _("Name the team's specialisation direction or its cross-sector area.")
            )
        name = cleaned.get("name_uk")
        if name:
            clash = WorkingTeam.objects.filter(agenda=self.agenda, name_uk=name).exclude(pk=self.instance.pk)
            if clash.exists():
                self.add_error("name_uk", _("This agenda already has a team with this name."))
        return cleaned

    def _post_clean(self):
        # The agenda is not a form field: constraint checks run in the service (and the database).
        self.instance.agenda = self.agenda
        super()._post_clean()


class MembershipForm(forms.Form):
    person = PersonChoiceField(label=_("Person"), queryset=Person.objects.none())
    role = forms.ChoiceField(
        label=_("Role"),
        choices=PersonRole.choices,
        initial=PersonRole.MEMBER,
        help_text=_("Naming a new leader makes the current leader an ordinary member."),
    )
    joined_on = forms.DateField(label=_("Joined on"), required=False, widget=DATE_INPUT)

    def __init__(self, *args, team: WorkingTeam, **kwargs):
        super().__init__(*args, **kwargs)
        self.team = team
        current = TeamMembership.objects.current().filter(team=team).values("person_id")
        self.fields["person"].queryset = (
            Person.objects.filter(organisation__region_id=team.agenda.region_id)
            .exclude(pk__in=current)
            .select_related("organisation")
            .order_by("organisation__name_uk", "full_name")
        )
        self.fields["joined_on"].initial = timezone.localdate()


class MembershipRoleForm(forms.Form):
    role = forms.ChoiceField(
        label=_("Role"),
        choices=PersonRole.choices,
        help_text=_("Naming a new leader makes the current leader an ordinary member."),
    )


class MembershipEndForm(forms.Form):
    left_on = forms.DateField(label=_("Left on"), required=False, widget=DATE_INPUT)


class ActionStepForm(VersionedForm):
    class Meta:
        model = ActionStep
        formfield_callback = _formfield
        fields = (*STEP_FIELDS, "co_executors", "depends_on")
        field_classes = {
            "co_executors": BoundedModelMultipleChoiceField,
            "depends_on": BoundedModelMultipleChoiceField,
        }
        widgets = {
            "start_date": DATE_INPUT,
            "due_date": DATE_INPUT,
            "description": forms.Textarea(attrs={"rows": 3}),
            "deliverable": forms.Textarea(attrs={"rows": 2}),
            "progress_pct": forms.NumberInput(attrs={"min": 0, "max": 100, "step": 5}),
            "co_executors": forms.SelectMultiple(attrs={"size": 5}),
            "depends_on": forms.SelectMultiple(attrs={"size": 5}),
        }

    def __init__(self, *args, project: Project, **kwargs):
        super().__init__(*args, **kwargs)
        self.project = project
        region_id = project.agenda.region_id
        organisations = Organisation.objects.filter(region_id=region_id).order_by("name_uk")
        self.fields["responsible_org"].queryset = organisations
        self.fields["co_executors"].queryset = organisations
        people = (
            Person.objects.filter(organisation__region_id=region_id)
            .select_related("organisation")
            .order_by("organisation__name_uk", "full_name")
        )
        self.fields["responsible_person"] = PersonChoiceField(
            label=self.fields["responsible_person"].label, queryset=people, required=False
        )
        self.fields["goal"].queryset = Goal.objects.filter(agenda_id=project.agenda_id).order_by("code")
        self.fields["decision"].queryset = Decision.objects.filter(
            session__agenda_id=project.agenda_id
        ).select_related("session")
        self.fields["depends_on"].queryset = (
            ActionStep.objects.filter(project=project).exclude(pk=self.instance.pk).order_by("number")
        )
        self.fields["progress_pct"].max_value = 100
        self.fields["progress_pct"].validators.append(_max_100)

    def clean(self):
        cleaned = super().clean()
        org, person = cleaned.get("responsible_org"), cleaned.get("responsible_person")
        if org and person and person.organisation_id != org.pk:
            self.add_error(
                "responsible_person", _("The responsible person must work for the responsible organisation.")
            )
        if person and not org and "responsible_org" not in self.errors:
            cleaned["responsible_org"] = person.organisation
        start, due = cleaned.get("start_date"), cleaned.get("due_date")
        if start and due and due < start:
            self.add_error("due_date", _("The due date cannot be before the start date."))
        number = cleaned.get("number")
        if (
            number
            and ActionStep.objects.filter(project=self.project, number=number)
            .exclude(pk=self.instance.pk)
            .exists()
        ):
            self.add_error("number", _("This action plan already has a step with this number."))
        return cleaned

    def _post_clean(self):
        self.instance.project = self.project
        super()._post_clean()


def _max_100(value):
    if value is not None and value > 100:
        raise forms.ValidationError(_("Progress is a percentage from 0 to 100."))


class StepProgressForm(VersionedForm):
    class Meta:
        model = ActionStep
        formfield_callback = _formfield
        fields = ("status", "progress_pct", "evidence_url")
        widgets = {
            "progress_pct": forms.NumberInput(
                attrs={"min": 0, "max": 100, "step": 5, "data-progress-input": ""}
            )
        }
        help_texts = {"status": _("A step marked done counts as fully complete (100 per cent).")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["progress_pct"].validators.append(_max_100)


class ProjectTeamForm(forms.Form):
    team = forms.ModelChoiceField(
        label=_("Working team"),
        queryset=WorkingTeam.objects.none(),
        required=False,
        empty_label=_("— no team —"),
    )

    def __init__(self, *args, project: Project, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = (
            WorkingTeam.objects.filter(agenda_id=project.agenda_id)
            .exclude(status=WorkingTeam.Status.DISSOLVED)
            .order_by("name_uk")
        )
        self.fields["team"].initial = project.team_id
