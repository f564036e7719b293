"""Forms of the SWOT board, key challenges, SMART goals and endorsements. They only validate: the
views hand `cleaned_data` to `agenda.services`."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Field, Fieldset, Layout, Row
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.forms import formfield
from core.widgets import FastSelect
from regions.models import Agenda, SpecialisationDomain
from stakeholders.models import Organisation, Person

from .models import Challenge, Goal, Indicator, SwotItem
from .services import STATUSES_NEEDING_SMART, SWOT_FIELDS, goal_facts, participating_organisations
from .smart import GOAL_INDICATOR_KINDS, smart_check

IMPORTANCE_CHOICES = [
    (1, _("1 — minor")),
    (2, _("2")),
    (3, _("3 — notable")),
    (4, _("4")),
    (5, _("5 — critical")),
]


class VersionField(forms.IntegerField):
    """The version the user started editing from; the service refuses the save if it moved on."""

    def __init__(self, **kwargs):
        super().__init__(widget=forms.HiddenInput, required=False, min_value=1, **kwargs)


def _helper() -> FormHelper:
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True
    return helper


def region_organisations(region):
    """The region's organisations and national ones (no region)."""
    return Organisation.objects.filter(Q(region=region) | Q(region__isnull=True)).order_by("name_uk")


def error_fields(form: forms.Form, error) -> None:
    """Put a service's ValidationError on the form: on its fields where the form has them, else on top."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


# --- SWOT ---------------------------------------------------------------------------------------------


class SwotItemForm(forms.ModelForm):
    importance = forms.TypedChoiceField(
        label=_("Importance"), choices=IMPORTANCE_CHOICES, coerce=int, initial=3
    )
    version = VersionField()

    class Meta:
        model = SwotItem
        fields = list(SWOT_FIELDS)  # what the services save
        widgets = {
            "text_uk": forms.Textarea(attrs={"rows": 2}),
            "text_en": forms.Textarea(attrs={"rows": 2}),
            "evidence": forms.Textarea(attrs={"rows": 2}),
            # The board carries four of these forms, each listing every organisation of the region.
            "proposed_by": FastSelect,
        }
        help_texts = {
            "evidence": _("Facts, figures or observations behind the statement."),
        }

    def __init__(
        self,
        *args,
        agenda: Agenda,
        organisations,
        can_manage: bool,
        fixed_quadrant: str | None = None,
        **kwargs,
    ):
        """`organisations`: those the user may propose for (all of the region for a coordinator, the
        represented ones for a representative). `fixed_quadrant`: the form sits inside one quadrant of the
        board and sends its quadrant as a hidden field."""
        super().__init__(*args, **kwargs)
        self.agenda = agenda
        proposer = self.fields["proposed_by"]
        proposer.queryset = organisations
        proposer.required = not can_manage
        if not can_manage:
            proposer.empty_label = None
        if not self.instance.pk and not self.is_bound and len(organisations) == 1:
            self.initial.setdefault("proposed_by", organisations[0].pk)
        if self.instance.pk:
            self.initial["version"] = self.instance.version
        if fixed_quadrant:
            self.fields["quadrant"].widget = forms.HiddenInput()
            self.initial["quadrant"] = fixed_quadrant
        self.helper = _helper()


# --- challenges ---------------------------------------------------------------------------------------


class ChallengeForm(forms.ModelForm):
    version = VersionField()

    class Meta:
        model = Challenge
        formfield_callback = formfield
        fields = [
            "code",
            "title_uk",
            "title_en",
            "description",
            "root_causes",
            "swot_items",
            "dimension",
            "priority",
            "rank",
            "owner",
            "status",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "root_causes": forms.Textarea(attrs={"rows": 3}),
            "swot_items": forms.CheckboxSelectMultiple,
        }
        help_texts = {
            "swot_items": _("The SWOT items the challenge is formulated from."),
            "rank": _("1 is the most important challenge."),
        }

    def __init__(self, *args, agenda: Agenda, **kwargs):
        super().__init__(*args, **kwargs)
        self.agenda = agenda
        self.fields["swot_items"].queryset = SwotItem.objects.filter(agenda=agenda).order_by(
            "quadrant", "-votes_count", "id"
        )
        self.fields["swot_items"].label_from_instance = lambda item: (
            f"{item.quadrant} · {item.text} ({item.votes_count})"
        )
        self.fields["owner"].queryset = region_organisations(agenda.region)
        self.fields["rank"].min_value = 1
        if self.instance.pk:
            self.initial["version"] = self.instance.version
        self.helper = _helper()

    def clean_code(self):
        code = self.cleaned_data["code"].strip()
        if Challenge.objects.filter(agenda=self.agenda, code=code).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(_("Another challenge of this agenda already has this code."))
        return code


# --- goals --------------------------------------------------------------------------------------------


class GoalForm(forms.ModelForm):
    """A SMART goal. Missing facts leave SMART letters unlit (a draft may be incomplete); contradictions
    between the facts are refused here, by the same check the goal page and criterion 2 use."""

    indicator = forms.ModelChoiceField(
        label=_("Indicator"),
        queryset=Indicator.objects.none(),
        required=False,
        empty_label=_("— a new indicator (fill in below) —"),
        help_text=_("An indicator of the region's library, or leave empty and describe a new one."),
    )
    new_indicator_name = forms.CharField(label=_("New indicator: name"), max_length=300, required=False)
    new_indicator_kind = forms.ChoiceField(
        label=_("New indicator: kind"),
        choices=[(k, label) for k, label in Indicator.Kind.choices if k in GOAL_INDICATOR_KINDS],
        required=False,
    )
    new_indicator_direction = forms.ChoiceField(
        label=_("New indicator: desired direction"), choices=Indicator.Direction.choices, required=False
    )
    unit = forms.ChoiceField(
        label=_("Unit of the baseline and target"),
        choices=[("", "—"), *Indicator.Unit.choices],
        required=False,
        help_text=_("Must be the indicator's unit."),
    )
    version = VersionField()

    class Meta:
        model = Goal
        fields = [
            "code",
            "title_uk",
            "title_en",
            "specific_uk",
            "specific_en",
            "challenge",
            "domain",
            "owner_org",
            "owner_person",
            "indicator",
            "baseline_value",
            "baseline_date",
            "target_value",
            "deadline",
            "achievability_note",
            "relevance_note",
            "strategy_ref",
            "status",
        ]
        widgets = {
            "specific_uk": forms.Textarea(attrs={"rows": 3}),
            "specific_en": forms.Textarea(attrs={"rows": 3}),
            "achievability_note": forms.Textarea(attrs={"rows": 2}),
            "relevance_note": forms.Textarea(attrs={"rows": 2}),
            "baseline_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "deadline": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args, agenda: Agenda, can_manage: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.agenda = agenda
        region = agenda.region
        self.fields["challenge"].queryset = Challenge.objects.filter(agenda=agenda).order_by("rank", "code")
        self.fields["domain"].queryset = SpecialisationDomain.objects.filter(region=region)
        self.fields["owner_org"].queryset = region_organisations(region)
        self.fields["owner_person"].queryset = Person.objects.filter(
            Q(organisation__region=region) | Q(organisation__region__isnull=True)
        ).select_related("organisation")
        self.fields["owner_person"].label_from_instance = lambda p: f"{p.full_name} ({p.organisation})"
        self.fields["indicator"].queryset = Indicator.objects.filter(
            Q(region=region) | Q(region__isnull=True), kind__in=GOAL_INDICATOR_KINDS
        ).order_by("name_uk")
        self.fields["indicator"].label_from_instance = lambda i: (
            f"{i.name} ({i.get_unit_display()}, {i.get_direction_display()})"
        )
        if not can_manage:
            # A representative edits the goal of their organisation but does not hand it on.
            self.fields["owner_org"].disabled = True
        if self.instance.pk:
            self.initial["version"] = self.instance.version
            if self.instance.indicator_id:
                self.initial.setdefault("unit", self.instance.indicator.unit)
        self.helper = _helper()
        self.helper.layout = Layout(
            Fieldset(
                _("Specific: what exactly, and who answers for it"),
                Row(Column("code", css_class="col-md-3"), Column("title_uk", css_class="col-md-9")),
                Row(Column("status", css_class="col-md-3"), Column("title_en", css_class="col-md-9")),
                Row(Column("specific_uk", css_class="col-md-6"), Column("specific_en", css_class="col-md-6")),
                Row(Column("owner_org", css_class="col-md-6"), Column("owner_person", css_class="col-md-6")),
            ),
            Fieldset(
                _("Measurable: indicator, baseline and target"),
                Row(Column("indicator", css_class="col-md-8"), Column("unit", css_class="col-md-4")),
                Row(
                    Column("new_indicator_name", css_class="col-md-6"),
                    Column("new_indicator_kind", css_class="col-md-3"),
                    Column("new_indicator_direction", css_class="col-md-3"),
                ),
                Row(
                    Column("baseline_value", css_class="col-md-4"),
                    Column("baseline_date", css_class="col-md-4"),
                    Column("target_value", css_class="col-md-4"),
                ),
            ),
            Fieldset(_("Achievable: resources"), "achievability_note"),
            Fieldset(
                _("Relevant: challenge and strategy"),
                Row(Column("challenge", css_class="col-md-6"), Column("domain", css_class="col-md-6")),
                Row(
                    Column("relevance_note", css_class="col-md-8"),
                    Column("strategy_ref", css_class="col-md-4"),
                ),
            ),
            Fieldset(_("Time-bound"), Row(Column("deadline", css_class="col-md-4"))),
            Field("version"),
        )

    def clean_code(self):
        code = self.cleaned_data["code"].strip()
        if Goal.objects.filter(agenda=self.agenda, code=code).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(_("Another goal of this agenda already has this code."))
        return code

    def clean(self):
        data = super().clean()
        indicator, new_name = data.get("indicator"), (data.get("new_indicator_name") or "").strip()
        if indicator is not None and new_name:
            self.add_error(
                "new_indicator_name", _("Choose an indicator from the list or describe a new one, not both.")
            )
        if indicator is None and new_name and not data.get("unit"):
            self.add_error("unit", _("Give the unit of the new indicator."))
        person, owner = data.get("owner_person"), data.get("owner_org")
        if person is not None and (owner is None or person.organisation_id != owner.pk):
            self.add_error("owner_person", _("The owner person must work for the owner organisation."))
        self.smart = smart_check(goal_facts(agenda=self.agenda, data=data))
        if (
            data.get("status") in STATUSES_NEEDING_SMART
            and not self.smart.complete
            and "status" not in self.errors
        ):
            letters = ", ".join(letter.code for letter in self.smart.missing)
            self.add_error(
                "status",
                _("Only a SMART-complete goal can leave the draft; still missing: %(letters)s.")
                % {"letters": letters},
            )
        for name, messages in self.smart.contradictions.items():
            for message in messages:
                if name in self.fields and name not in self.errors:
                    self.add_error(name, message)
                elif name not in self.fields:
                    self.add_error(None, message)
        return data


# --- endorsements -------------------------------------------------------------------------------------


class EndorsementForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label=_("On behalf of"), queryset=Organisation.objects.none(), empty_label=None
    )
    content_hash = forms.RegexField(regex=r"^[0-9a-f]{64}$", widget=forms.HiddenInput)
    comment = forms.CharField(
        label=_("Comment (optional)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=2000,
    )

    def __init__(self, *args, agenda: Agenda, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        ids = [org.pk for org in organisations]
        self.fields["organisation"].queryset = participating_organisations(agenda).filter(pk__in=ids)
        if len(ids) == 1:
            self.fields["organisation"].widget = forms.HiddenInput()
            self.initial.setdefault("organisation", ids[0])
        self.helper = _helper()
