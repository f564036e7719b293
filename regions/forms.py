"""Forms of the region pages. They only validate; views pass `cleaned_data` to regions.services."""

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from stakeholders.models import Organisation

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class AgendaOpenForm(forms.Form):
    """Open a region's agenda for a year; its five sessions are proposed across the window."""

    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    window_start = forms.DateField(
        label=_("Sessions window starts"), widget=DATE_WIDGET, required=False, help_text=_("Empty: today.")
    )
    window_months = forms.IntegerField(
        label=_("Window length, months"),
        min_value=1,
        max_value=12,
        initial=3,
        help_text=_("The methodology asks for 3 to 6 months; sessions 2–5 are spread across it."),
    )
    title_uk = forms.CharField(
        label=_("Title (Ukrainian)"),
        max_length=300,
        required=False,
        help_text=_("Empty: the standard title."),
    )
    title_en = forms.CharField(label=_("Title (English)"), max_length=300, required=False)

    @classmethod
    def initial_for(cls, region) -> dict:
        taken = set(region.agendas.values_list("year", flat=True))
        year = timezone.localdate().year + 1
        while year in taken:
            year += 1
        return {
            "year": year,
            "window_months": 3,
            "window_start": timezone.localdate() + datetime.timedelta(days=7),
        }


class AgendaEditForm(forms.Form):
    title_uk = forms.CharField(label=_("Title (Ukrainian)"), max_length=300)
    title_en = forms.CharField(label=_("Title (English)"), max_length=300, required=False)
    vision_uk = forms.CharField(
        label=_("Vision (Ukrainian)"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    vision_en = forms.CharField(
        label=_("Vision (English)"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    period_start = forms.DateField(label=_("Period start"), widget=DATE_WIDGET)
    period_end = forms.DateField(label=_("Period end"), widget=DATE_WIDGET)
    window_start = forms.DateField(label=_("Sessions window start"), widget=DATE_WIDGET, required=False)
    window_end = forms.DateField(label=_("Sessions window end"), widget=DATE_WIDGET, required=False)
    coordinator_org = forms.ModelChoiceField(
        label=_("Coordinating organisation"), queryset=Organisation.objects.none(), required=False
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0, max_value=2**31)

    FIELDS = (
        "title_uk",
        "title_en",
        "vision_uk",
        "vision_en",
        "period_start",
        "period_end",
        "window_start",
        "window_end",
        "coordinator_org",
    )

    def __init__(self, *args, region=None, **kwargs):
        super().__init__(*args, **kwargs)
        if region is not None:
            self.fields["coordinator_org"].queryset = Organisation.objects.filter(region=region).order_by(
                "name_uk"
            )

    @classmethod
    def initial_for(cls, agenda) -> dict:
        return {**{name: getattr(agenda, name) for name in cls.FIELDS}, "version": agenda.version}

    def clean(self):
        data = super().clean()
        if data.get("period_start") and data.get("period_end") and data["period_end"] < data["period_start"]:
            self.add_error("period_end", _("The period cannot end before it starts."))
        if data.get("window_start") and data.get("window_end") and data["window_end"] < data["window_start"]:
            self.add_error("window_end", _("The window cannot end before it starts."))
        return data

    def values(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in self.FIELDS}
