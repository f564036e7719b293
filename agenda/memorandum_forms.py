"""Forms of the memorandum pages. They only validate; the views pass cleaned_data to the services."""

from django import forms
from django.core.validators import FileExtensionValidator
from django.utils.translation import gettext_lazy as _

from regions.models import Agenda
from stakeholders.models import Helix, Organisation, Person

from .models import Memorandum, SignatoryRole

LANGUAGE_CHOICES = [("uk", _("Ukrainian")), ("en", _("English"))]
SCAN_MAX_BYTES = 10 * 1024 * 1024
PDF_MAX_BYTES = 20 * 1024 * 1024


class MemorandumCreateForm(forms.Form):
    agenda = forms.ModelChoiceField(queryset=Agenda.objects.none(), label=_("Common agenda"))
    language = forms.ChoiceField(choices=LANGUAGE_CHOICES, label=_("Document language"), initial="uk")
    title_uk = forms.CharField(
        label=_("Title (Ukrainian)"),
        max_length=300,
        required=False,
        help_text=_("Leave empty for the standard title."),
    )
    title_en = forms.CharField(label=_("Title (English)"), max_length=300, required=False)

    def __init__(self, *args, region, **kwargs):
        super().__init__(*args, **kwargs)
        agendas = Agenda.objects.for_region(region).order_by("-year")
        self.fields["agenda"].queryset = agendas
        self.fields["agenda"].label_from_instance = lambda a: f"{a.year} · {a.title}"
        first = agendas.first()
        if first is not None:
            self.fields["agenda"].initial = first.pk


class MemorandumEditForm(forms.Form):
    """The draft: the memorandum's details and the current revision's text. `version` is the revision's
    version when the form was shown (a concurrent edit is detected by the service)."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    title_uk = forms.CharField(label=_("Title (Ukrainian)"), max_length=300)
    title_en = forms.CharField(label=_("Title (English)"), max_length=300, required=False)
    number = forms.CharField(label=_("Number"), max_length=40, required=False)
    language = forms.ChoiceField(choices=LANGUAGE_CHOICES, label=_("Document language"))
    place = forms.CharField(label=_("Place of signing"), max_length=200, required=False)
    valid_from = forms.DateField(
        label=_("Valid from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    valid_until = forms.DateField(
        label=_("Valid until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    auto_renewal = forms.BooleanField(label=_("Auto-renewal"), required=False)
    ordered_signing = forms.BooleanField(
        label=_("Initiating parties sign first"),
        required=False,
        help_text=_("The other parties can sign only after every initiating party has signed."),
    )
    subject = forms.CharField(label=_("Subject"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    body = forms.CharField(
        label=_("Text (Markdown)"),
        widget=forms.Textarea(attrs={"rows": 22, "class": "font-monospace"}),
        help_text=_(
            "Headings start with ##, lists with - or 1. The parties and the goals are added as tables."
        ),
    )

    def clean(self):
        cleaned = super().clean()
        valid_from, valid_until = cleaned.get("valid_from"), cleaned.get("valid_until")
        if valid_from and valid_until and valid_until < valid_from:
            self.add_error("valid_until", _("The memorandum cannot end before it starts."))
        return cleaned

    @classmethod
    def initial_for(cls, memorandum: Memorandum, revision) -> dict:
        return {
            "version": revision.version,
            "title_uk": memorandum.title_uk,
            "title_en": memorandum.title_en,
            "number": memorandum.number,
            "language": memorandum.language,
            "place": memorandum.place,
            "valid_from": memorandum.valid_from,
            "valid_until": memorandum.valid_until,
            "auto_renewal": memorandum.auto_renewal,
            "ordered_signing": memorandum.ordered_signing,
            "subject": revision.subject,
            "body": revision.body,
        }


class PartyForm(forms.Form):
    """One party of the draft. `person` is chosen among the people of the party's own organisation."""

    id = forms.IntegerField(widget=forms.HiddenInput, required=False)
    order = forms.IntegerField(label=_("Order"), min_value=1, max_value=999)
    party_role = forms.ChoiceField(label=_("Party role"), choices=SignatoryRole.choices)
    side = forms.ChoiceField(label=_("Side"), choices=[("", "—"), *Helix.choices], required=False)
    person = forms.ModelChoiceField(label=_("Signer"), queryset=Person.objects.none(), required=False)
    signer_position_uk = forms.CharField(
        label=_("Represented by: position (Ukrainian)"), max_length=200, required=False
    )
    signer_position_en = forms.CharField(
        label=_("Represented by: position (English)"), max_length=200, required=False
    )
    own_obligations = forms.CharField(
        label=_("Commitments"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    remove = forms.BooleanField(label=_("Remove"), required=False)

    def __init__(self, *args, people=None, organisation_name="", **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation_name = organisation_name
        self.fields["person"].queryset = people if people is not None else Person.objects.none()
        self.fields["person"].label_from_instance = lambda p: (
            p.full_name + (f" ({p.email})" if p.email else "")
        )


class PartyAddForm(forms.Form):
    organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.none(), label=_("Add a party"), required=False
    )

    def __init__(self, *args, organisations=None, **kwargs):
        super().__init__(*args, **kwargs)
        if organisations is not None:
            self.fields["organisation"].queryset = organisations


class SignForm(forms.Form):
    content_hash = forms.CharField(widget=forms.HiddenInput, max_length=64)
    typed_name = forms.CharField(
        label=_("Your full name"),
        max_length=200,
        min_length=3,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    consent = forms.BooleanField(
        label=_(
            "I have read the text above, whose SHA-256 is shown, and I sign it on behalf of my organisation."
        ),
        error_messages={"required": _("Confirm that you agree to sign this text electronically.")},
    )


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label=_("Why do you decline?"),
        widget=forms.Textarea(attrs={"rows": 3}),
        min_length=3,
        max_length=4000,
        help_text=_("The memorandum returns to a new draft revision so that the text can be changed."),
    )


class WetInkForm(forms.Form):
    typed_name = forms.CharField(label=_("Full name of the person who signed"), max_length=200, min_length=3)
    scan = forms.FileField(
        label=_("Scan of the signed paper copy"),
        validators=[FileExtensionValidator(["pdf", "jpg", "jpeg", "png"])],
        help_text=_("PDF, JPEG or PNG, at most 10 MB."),
    )

    def clean_scan(self):
        scan = self.cleaned_data["scan"]
        if scan.size > SCAN_MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than 10 MB."))
        return scan


class VerifyCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Verification code"),
        max_length=40,
        widget=forms.TextInput(attrs={"placeholder": "XXXX-XXXX-XXXX", "autocomplete": "off"}),
    )


class VerifyUploadForm(forms.Form):
    pdf = forms.FileField(label=_("The PDF to check"), help_text=_("At most 20 MB."))

    def clean_pdf(self):
        pdf = self.cleaned_data["pdf"]
        if pdf.size > PDF_MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than 20 MB."))
        return pdf
