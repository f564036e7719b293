"""Forms of the project portfolio: projects, funding lines and legal acts. They only validate: the views
hand `cleaned_data` to `projects.services`."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Field, Fieldset, Layout, Row
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from agenda.models import Goal, GoalStatus
from core.forms import formfield
from regions.models import Agenda, SpecialisationDomain
from stakeholders.models import Organisation

from .models import FundingLine, MechanismKind, NormativeAct, Project


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


class ProjectForm(forms.ModelForm):
    version = VersionField()

    class Meta:
        model = Project
        formfield_callback = formfield
        fields = [
            "code",
            "title_uk",
            "title_en",
            "summary_uk",
            "summary_en",
            "priority",
            "is_pilot",
            "status",
            "domain",
            "lead_org",
            "partners",
            "goals",
            "mechanisms",
            "budget_total",
            "currency",
            "start_date",
            "end_date",
            "expected_results",
            "risks",
            "strategy_ref",
            "dfrr_eligible",
        ]
        widgets = {
            "summary_uk": forms.Textarea(attrs={"rows": 3}),
            "summary_en": forms.Textarea(attrs={"rows": 3}),
            "expected_results": forms.Textarea(attrs={"rows": 3}),
            "risks": forms.Textarea(attrs={"rows": 2}),
            "goals": forms.CheckboxSelectMultiple,
            "mechanisms": forms.CheckboxSelectMultiple,
            "partners": forms.CheckboxSelectMultiple,
            "start_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "end_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }
        help_texts = {
            "goals": _("The SMART goals the project serves."),
            "mechanisms": _("Instruments the project relies on; legal acts are added on the project's page."),
            "budget_total": _(
                "Total budget; the funding lines on the project's page say where it comes from."
            ),
        }

    def __init__(self, *args, agenda: Agenda, can_manage: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.agenda = agenda
        organisations = region_organisations(agenda.region)
        self.fields["lead_org"].queryset = organisations
        self.fields["partners"].queryset = organisations
        self.fields["domain"].queryset = SpecialisationDomain.objects.filter(region=agenda.region)
        self.fields["goals"].queryset = (
            Goal.objects.filter(agenda=agenda).exclude(status=GoalStatus.CANCELLED).order_by("code")
        )
        self.fields["goals"].label_from_instance = lambda goal: f"{goal.code} · {goal.title}"
        self.fields["mechanisms"].queryset = MechanismKind.objects.order_by("order", "code")
        self.fields["budget_total"].min_value = 0
        self.fields["budget_total"].widget.attrs["min"] = 0
        if not can_manage:
            # The lead organisation's representative edits the project but does not hand the lead on.
            self.fields["lead_org"].disabled = True
        if self.instance.pk:
            self.initial["version"] = self.instance.version
        self.helper = _helper()
        self.helper.layout = Layout(
            Fieldset(
                _("The project"),
                Row(Column("code", css_class="col-md-3"), Column("title_uk", css_class="col-md-9")),
                Row(Column("title_en", css_class="col-md-9 offset-md-3")),
                Row(Column("summary_uk", css_class="col-md-6"), Column("summary_en", css_class="col-md-6")),
            ),
            Fieldset(
                _("Place in the portfolio"),
                Row(
                    Column("priority", css_class="col-md-3"),
                    Column("status", css_class="col-md-3"),
                    Column("domain", css_class="col-md-6"),
                ),
                "is_pilot",
                Field("goals", wrapper_class="ca-picklist"),
            ),
            Fieldset(
                _("Who"), "lead_org", Field("partners", wrapper_class="ca-picklist ca-picklist-columns")
            ),
            Fieldset(
                _("Mechanisms and resources"),
                Field("mechanisms", wrapper_class="ca-picklist ca-picklist-columns"),
                Row(Column("budget_total", css_class="col-md-4"), Column("currency", css_class="col-md-2")),
                "dfrr_eligible",
            ),
            Fieldset(
                _("Timing, results and risks"),
                Row(Column("start_date", css_class="col-md-3"), Column("end_date", css_class="col-md-3")),
                Row(Column("expected_results", css_class="col-md-6"), Column("risks", css_class="col-md-6")),
                "strategy_ref",
            ),
            Field("version"),
        )

    def clean_code(self):
        code = self.cleaned_data["code"].strip()
        if Project.objects.filter(agenda=self.agenda, code=code).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(_("Another project of this agenda already has this code."))
        return code

    def clean(self):
        data = super().clean()
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("The end cannot come before the start."))
        return data


class FundingLineForm(forms.ModelForm):
    version = VersionField()

    class Meta:
        model = FundingLine
        fields = ["source_kind", "source_name", "amount", "currency", "year", "status"]
        help_texts = {"source_name": _("For example «EU4Business» or the name of the regional programme.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["amount"].min_value = 0.01
        self.fields["amount"].widget.attrs.update({"min": "0.01", "step": "0.01"})
        self.fields["year"].min_value = 1991
        self.fields["year"].max_value = 2100
        if self.instance.pk:
            self.initial["version"] = self.instance.version
        self.helper = _helper()

    def clean_amount(self):
        amount = self.cleaned_data["amount"]
        if amount is not None and amount <= 0:
            raise forms.ValidationError(_("The amount must be above zero."))
        return amount


class NormativeActForm(forms.ModelForm):
    url = forms.URLField(label=_("Link"), required=False, assume_scheme="https", max_length=200)
    version = VersionField()

    class Meta:
        model = NormativeAct
        fields = ["act_type", "title", "issuing_body", "number", "date", "stage", "url"]
        widgets = {"date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}
        help_texts = {
            "stage": _("From the idea to the adopted act."),
            "date": _("The date of adoption (required once the act is adopted)."),
        }

    def __init__(self, *args, agenda: Agenda, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["issuing_body"].queryset = region_organisations(agenda.region)
        if self.instance.pk:
            self.initial["version"] = self.instance.version
        self.helper = _helper()

    def clean(self):
        data = super().clean()
        if data.get("stage") == NormativeAct.Stage.ADOPTED and not data.get("date"):
            self.add_error("date", _("An adopted act needs the date of its adoption."))
        return data
