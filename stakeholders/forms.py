"""Forms of the stakeholders app. They only validate; views hand `cleaned_data` to services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import BoundedModelMultipleChoiceField
from regions.models import Region, SpecialisationDomain

from . import importers
from .models import Organisation, Person, RoleMatrixEntry


class OrganisationForm(forms.ModelForm):
    class Meta:
        model = Organisation
        fields = [
            "name_uk",
            "name_en",
            "short_name",
            "kind",
            "helix",
            "city",
            "edrpou",
            "size",
            "has_rnd_unit",
            "parent",
            "website",
        ]
        widgets = {"website": forms.URLInput(attrs={"placeholder": "https://"})}

    def __init__(self, *args, region: Region, **kwargs):
        super().__init__(*args, **kwargs)
        self.region = region
        parents = Organisation.objects.for_region(region).order_by("name_uk")
        if self.instance.pk:
            parents = parents.exclude(pk=self.instance.pk)
        self.fields["parent"].queryset = parents
        self.fields["website"] = forms.URLField(
            label=self.fields["website"].label, required=False, assume_scheme="https", max_length=200
        )
        self.fields["helix"].help_text = _("Leave empty to take the side that goes with the kind.")

    def clean_name_uk(self):
        name = " ".join(self.cleaned_data["name_uk"].split())
        taken = Organisation.objects.for_region(self.region).filter(name_uk__iexact=name)
        if self.instance.pk:
            taken = taken.exclude(pk=self.instance.pk)
        if taken.exists():
            raise forms.ValidationError(_("An organisation with this name already exists in the region."))
        return name

    def clean_edrpou(self):
        return "".join(self.cleaned_data["edrpou"].split())


class PersonForm(forms.ModelForm):
    class Meta:
        model = Person
        fields = [
            "full_name",
            "position_uk",
            "position_en",
            "email",
            "phone",
            "preferred_language",
            "is_representative",
            "consent_given",
            "consent_date",
        ]
        widgets = {"consent_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def __init__(self, *args, organisation: Organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        self.fields["consent_date"].help_text = _(
            "Today's date is used when consent is ticked and this is empty."
        )

    def clean(self):
        data = super().clean()
        email = (data.get("email") or "").strip()
        if email:
            taken = Person.objects.filter(organisation=self.organisation, email__iexact=email)
            if self.instance.pk:
                taken = taken.exclude(pk=self.instance.pk)
            if taken.exists():
                self.add_error("email", _("Someone of this organisation already has this e-mail address."))
        return data


class DomainsField(BoundedModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, obj):
        return obj.name


class RoleEntryForm(forms.ModelForm):
    """A row's content. `version` is the version the user opened (compared on save). The coordinator
    also picks the representative; a representative edits everything else of their own row."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**31 - 1)

    class Meta:
        model = RoleMatrixEntry
        fields = [
            "representative",
            "current_role_type",
            "current_role",
            "refined_role_type",
            "refined_role",
            "comment",
            "zone_of_responsibility",
            "sphere_of_interest",
            "domains",
            "commitment",
            "commitment_level",
        ]
        field_classes = {"domains": DomainsField}
        widgets = {
            "current_role": forms.Textarea(attrs={"rows": 2}),
            "refined_role": forms.Textarea(attrs={"rows": 2}),
            "comment": forms.Textarea(attrs={"rows": 2}),
            "zone_of_responsibility": forms.Textarea(attrs={"rows": 3}),
            "sphere_of_interest": forms.Textarea(attrs={"rows": 2}),
            "commitment": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "current_role": _("What the organisation does in the ecosystem today."),
            "refined_role": _("What it will do for this agenda, as agreed at the session."),
            "zone_of_responsibility": _("What the organisation answers for."),
            "commitment": _(
                "What it puts in: staff time, expertise, money, equipment, premises, leadership."
            ),
        }

    def __init__(
        self, *args, entry: RoleMatrixEntry, fields: tuple[str, ...], domains, people=None, **kwargs
    ):
        kwargs.setdefault("instance", entry)
        super().__init__(*args, **kwargs)
        for name in list(self.fields):
            if name != "version" and name not in fields:
                del self.fields[name]
        if "representative" in self.fields:
            self.fields["representative"].queryset = (
                people if people is not None else Person.objects.filter(organisation=entry.organisation_id)
            )
        self.fields["domains"].queryset = domains
        if not self.is_bound:
            self.initial["version"] = entry.version

    def _post_clean(self):
        # Validation only: the instance is not touched here (the service reads the row afresh and
        # compares versions); the model's own field validation still runs through the form fields.
        pass


class LeaderForm(forms.Form):
    """One checkbox and one direction per row; built once for all rows, so rendering costs no query per
    row."""

    def __init__(self, *args, entries, domains, **kwargs):
        super().__init__(*args, **kwargs)
        self.entries = list(entries)
        direction_choices = [("", _("— whole agenda —"))] + [(str(d.pk), d.name) for d in domains]
        self.domains = {str(d.pk): d for d in domains}
        for entry in self.entries:
            self.fields[f"leader_{entry.pk}"] = forms.BooleanField(
                label=entry.organisation.name, required=False, initial=entry.is_leader
            )
            self.fields[f"direction_{entry.pk}"] = forms.ChoiceField(
                label=_("Direction led by %(organisation)s") % {"organisation": entry.organisation.name},
                choices=direction_choices,
                required=False,
                initial=str(entry.leader_direction_id or ""),
            )

    def clean(self):
        data = super().clean()
        taken: dict[str, str] = {}
        for entry in self.entries:
            direction = data.get(f"direction_{entry.pk}")
            if direction and data.get(f"leader_{entry.pk}"):
                if direction in taken:
                    self.add_error(
                        f"direction_{entry.pk}",
                        _("%(organisation)s already leads this direction; one leader per direction.")
                        % {"organisation": taken[direction]},
                    )
                taken[direction] = entry.organisation.name
        return data

    def rows(self):
        """(entry, leader bound field, direction bound field) for the template."""
        for entry in self.entries:
            yield entry, self[f"leader_{entry.pk}"], self[f"direction_{entry.pk}"]

    def changes(self):
        """(entry, is_leader, direction or None) for every row whose leadership changes."""
        for entry in self.entries:
            is_leader = bool(self.cleaned_data.get(f"leader_{entry.pk}"))
            direction = (
                self.domains.get(self.cleaned_data.get(f"direction_{entry.pk}") or "") if is_leader else None
            )
            if (is_leader, direction.pk if direction else None) != (
                entry.is_leader,
                entry.leader_direction_id,
            ):
                yield entry, is_leader, direction


class AddOrganisationsForm(forms.Form):
    organisations = BoundedModelMultipleChoiceField(
        queryset=Organisation.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        label=_("Organisations"),
        error_messages={"required": _("Choose at least one organisation.")},
    )

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisations"].queryset = candidates
        self.fields["organisations"].label_from_instance = lambda org: org.name


class DirectoryImportForm(forms.Form):
    what = forms.ChoiceField(
        label=_("The file lists"), choices=importers.WHAT_CHOICES, widget=forms.RadioSelect
    )
    file = forms.FileField(
        label=_("File (.csv or .xlsx)"),
        help_text=_("The first row names the columns; up to 2000 rows, 2 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv"}),
    )


class DirectoryImportConfirmForm(forms.Form):
    """The preview's signed copy of the checked file; the import re-checks every row."""

    payload = forms.CharField(widget=forms.HiddenInput)


def domain_queryset(region: Region):
    return SpecialisationDomain.objects.filter(region=region).order_by("name_uk")
