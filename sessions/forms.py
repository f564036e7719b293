"""Forms of the session workflow. They only validate; views hand `cleaned_data` to sessions.services.

Dates and times are typed as Kyiv wall-clock time (a date and a time field) and combined here into an
aware datetime; a time that does not exist on the day the clocks go forward is refused.
"""

import base64
import binascii
import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.forms import BoundedModelMultipleChoiceField
from regions.models import Material
from stakeholders.models import Organisation, Person, PersonRole

from .importers import MAX_IMPORT_BYTES
from .models import KYIV, Attendance, EventStatus, ExternalEventKind, Format, Session, SessionKind

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME_WIDGET = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


def combine_local(
    day: datetime.date | None, at: datetime.time | None, *, default_time: datetime.time | None = None
):
    """An aware Kyiv datetime from a date and a time; None without a date. Raises ValidationError for a
    wall-clock time skipped by the daylight-saving change."""
    if day is None:
        return None
    if not 1990 <= day.year <= 2100:
        raise ValidationError(_("Give a date between 1990 and 2100."))
    at = at or default_time or datetime.time(10, 0)
    value = datetime.datetime.combine(day, at, tzinfo=KYIV)
    # A skipped time does not survive the round trip through UTC (e.g. 03:30 on the last Sunday of March).
    if value.astimezone(datetime.UTC).astimezone(KYIV).replace(tzinfo=None) != value.replace(tzinfo=None):
        raise ValidationError(_("This time does not exist in Kyiv on that day (the clocks go forward)."))
    return value


class VersionMixin(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0, max_value=2**31)


class SessionScheduleForm(VersionMixin):
    title = forms.CharField(
        label=_("Title"),
        max_length=300,
        required=False,
        help_text=_("Leave empty to use the name of the stage."),
    )
    date = forms.DateField(label=_("Date"), required=False, widget=DATE_WIDGET)
    time = forms.TimeField(label=_("Start time (Kyiv)"), required=False, widget=TIME_WIDGET)
    duration_minutes = forms.IntegerField(label=_("Duration, minutes"), min_value=15, max_value=720)
    format = forms.ChoiceField(label=_("Format"), choices=Format.choices)
    venue = forms.CharField(label=_("Venue"), max_length=300, required=False)
    online_url = forms.URLField(label=_("Meeting link"), required=False, assume_scheme="https")
    facilitator = forms.ModelChoiceField(
        label=_("Facilitator"), queryset=Person.objects.none(), required=False
    )
    notify = forms.BooleanField(
        label=_("Send the updated calendar entry to everyone invited"),
        required=False,
    )

    def __init__(self, *args, people=None, **kwargs):
        super().__init__(*args, **kwargs)
        if people is not None:
            self.fields["facilitator"].queryset = people

    @classmethod
    def initial_for(cls, session: Session) -> dict:
        local = session.local_starts_at
        return {
            "title": session.title,
            "date": local.date() if local else None,
            "time": local.time().replace(second=0, microsecond=0) if local else datetime.time(10, 0),
            "duration_minutes": session.duration_minutes,
            "format": session.format,
            "venue": session.venue,
            "online_url": session.online_url,
            "facilitator": session.facilitator_id,
            "version": session.version,
        }

    def clean(self):
        data = super().clean()
        if data.get("time") and not data.get("date"):
            self.add_error("date", _("Give the date as well as the time."))
        try:
            data["starts_at"] = combine_local(data.get("date"), data.get("time"))
        except ValidationError as exc:
            self.add_error("time", exc)
        return data

    def schedule(self) -> dict:
        """The fields sessions.services.session_update takes."""
        data = self.cleaned_data
        return {
            name: data.get(name)
            for name in (
                "title",
                "starts_at",
                "duration_minutes",
                "format",
                "venue",
                "online_url",
                "facilitator",
            )
        }


class MinutesForm(VersionMixin):
    minutes = forms.CharField(
        label=_("Minutes (Markdown)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 16}),
        help_text=_(
            "Markdown: ## headings, 1. numbered lists, **bold**, [links](https://…). Shown sanitised."
        ),
    )
    summary_uk = forms.CharField(
        label=_("Summary (Ukrainian)"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    summary_en = forms.CharField(
        label=_("Summary (English)"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class AgendaItemForm(forms.Form):
    order = forms.IntegerField(
        label=_("Position"), min_value=1, max_value=99, required=False, help_text=_("Empty: at the end.")
    )
    starts_at = forms.TimeField(label=_("Time"), required=False, widget=TIME_WIDGET)
    duration_minutes = forms.IntegerField(
        label=_("Duration, minutes"), min_value=1, max_value=600, initial=15
    )
    title = forms.CharField(label=_("Item"), max_length=300)
    presenter = forms.CharField(label=_("Presenter"), max_length=200, required=False)


class InviteForm(forms.Form):
    """People are picked one by one, or by organisation (its representatives), so a coordinator can
    invite "everyone from the cluster and the university" without JavaScript."""

    people = BoundedModelMultipleChoiceField(
        label=_("People"), queryset=Person.objects.none(), required=False
    )
    organisations = BoundedModelMultipleChoiceField(
        label=_("All representatives of"), queryset=Organisation.objects.none(), required=False
    )
    role = forms.ChoiceField(
        label=_("Role at the session"), choices=PersonRole.choices, initial=PersonRole.MEMBER
    )
    send_email = forms.BooleanField(
        label=_("E-mail the invitation with the calendar entry"), required=False, initial=True
    )

    def __init__(self, *args, people=None, organisations=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["people"].queryset = people if people is not None else Person.objects.none()
        self.fields["organisations"].queryset = (
            organisations if organisations is not None else Organisation.objects.none()
        )

    def clean(self):
        data = super().clean()
        chosen = {p.pk: p for p in data.get("people") or []}
        orgs = data.get("organisations") or []
        if orgs:
            for person in self.fields["people"].queryset.filter(
                organisation__in=orgs, is_representative=True
            ):
                chosen.setdefault(person.pk, person)
        if not chosen:
            raise ValidationError(_("Select at least one person or organisation to invite."))
        data["invitees"] = sorted(chosen.values(), key=lambda p: (p.organisation_id, p.full_name))
        return data


ATTENDED_CHOICES = [("", _("not marked")), ("yes", _("attended")), ("no", _("absent"))]


class AttendanceForm(forms.Form):
    """One reply and one attended mark per invitation (fields `reply_<id>` and `attended_<id>`)."""

    def __init__(self, *args, attendances=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.attendances = list(attendances)
        for row in self.attendances:
            self.fields[f"reply_{row.pk}"] = forms.ChoiceField(
                label=_("Reply of %(name)s") % {"name": row.person.full_name},
                choices=Attendance.Reply.choices,
                initial=row.reply,
            )
            self.fields[f"attended_{row.pk}"] = forms.ChoiceField(
                label=_("Attendance of %(name)s") % {"name": row.person.full_name},
                choices=ATTENDED_CHOICES,
                required=False,
                initial={True: "yes", False: "no"}.get(row.attended, ""),
            )

    def rows(self):
        """(attendance, reply field, attended field) for the template."""
        return [(row, self[f"reply_{row.pk}"], self[f"attended_{row.pk}"]) for row in self.attendances]

    def marks(self) -> dict[int, tuple[str, bool | None]]:
        data = self.cleaned_data
        return {
            row.pk: (
                data[f"reply_{row.pk}"],
                {"yes": True, "no": False}.get(data.get(f"attended_{row.pk}") or ""),
            )
            for row in self.attendances
        }


class ReplyForm(forms.Form):
    reply = forms.ChoiceField(
        label=_("Your reply"),
        choices=[(v, label) for v, label in Attendance.Reply.choices if v != Attendance.Reply.NONE],
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)


class DecisionForm(forms.Form):
    text = forms.CharField(label=_("Decision"), widget=forms.Textarea(attrs={"rows": 3}))
    responsible_org = forms.ModelChoiceField(
        label=_("Responsible organisation"), queryset=Organisation.objects.none(), required=False
    )
    due_date = forms.DateField(label=_("Due date"), required=False, widget=DATE_WIDGET)

    def __init__(self, *args, organisations=None, **kwargs):
        super().__init__(*args, **kwargs)
        if organisations is not None:
            self.fields["responsible_org"].queryset = organisations


class AcceptanceForm(forms.Form):
    class Answer:
        ACCEPTED = "accepted"
        RESERVATIONS = "reservations"
        NOT_ACCEPTED = "not_accepted"

    answer = forms.ChoiceField(
        label=_("The region"),
        widget=forms.RadioSelect,
        choices=[
            (Answer.ACCEPTED, _("accepts the common document")),
            (Answer.RESERVATIONS, _("accepts it with reservations")),
            (Answer.NOT_ACCEPTED, _("does not accept it")),
        ],
    )
    comments = forms.CharField(
        label=_("Comments or reservations"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def clean(self):
        data = super().clean()
        answer = data.get("answer")
        if (
            answer in (self.Answer.RESERVATIONS, self.Answer.NOT_ACCEPTED)
            and not (data.get("comments") or "").strip()
        ):
            self.add_error("comments", _("Write down the reservations or the reasons."))
        data["accepted"] = answer != self.Answer.NOT_ACCEPTED
        return data


class MaterialsPickForm(forms.Form):
    materials = BoundedModelMultipleChoiceField(
        label=_("Materials to read before the session"),
        queryset=Material.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, materials=None, **kwargs):
        super().__init__(*args, **kwargs)
        if materials is not None:
            self.fields["materials"].queryset = materials


class ExternalEventForm(VersionMixin):
    title_uk = forms.CharField(label=_("Title (Ukrainian)"), max_length=300)
    title_en = forms.CharField(label=_("Title (English)"), max_length=300, required=False)
    kind = forms.ChoiceField(
        label=_("Kind"), choices=ExternalEventKind.choices, initial=ExternalEventKind.ROUND_TABLE
    )
    status = forms.ChoiceField(label=_("Status"), choices=EventStatus.choices, initial=EventStatus.PLANNED)
    start_date = forms.DateField(label=_("Date"), widget=DATE_WIDGET)
    start_time = forms.TimeField(
        label=_("Start time (Kyiv)"), required=False, widget=TIME_WIDGET, initial=datetime.time(10, 0)
    )
    end_date = forms.DateField(label=_("End date"), required=False, widget=DATE_WIDGET)
    end_time = forms.TimeField(label=_("End time (Kyiv)"), required=False, widget=TIME_WIDGET)
    format = forms.ChoiceField(label=_("Format"), choices=Format.choices, initial=Format.OFFLINE)
    location = forms.CharField(label=_("Location or link"), max_length=300, required=False)
    organiser = forms.ModelChoiceField(
        label=_("Organiser"), queryset=Organisation.objects.none(), required=False
    )
    stage = forms.ModelChoiceField(
        label=pgettext_lazy("workshop", "Stage it advances"),
        queryset=SessionKind.objects.all(),
        required=False,
    )
    session = forms.ModelChoiceField(
        label=pgettext_lazy("workshop", "Session it prepares or follows up"),
        queryset=Session.objects.none(),
        required=False,
    )
    target_audience = forms.CharField(
        label=_("Target audience"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    expected_outcome = forms.CharField(
        label=_("Expected outcome"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    actual_outcome = forms.CharField(
        label=_("Actual outcome"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    participants_count = forms.IntegerField(
        label=_("Number of participants"), min_value=0, max_value=1_000_000, required=False
    )
    report_url = forms.URLField(label=_("Report link"), required=False, assume_scheme="https")

    def __init__(self, *args, organisations=None, sessions=None, **kwargs):
        super().__init__(*args, **kwargs)
        if organisations is not None:
            self.fields["organiser"].queryset = organisations
        if sessions is not None:
            self.fields["session"].queryset = sessions

    @classmethod
    def initial_for(cls, event) -> dict:
        start = event.starts_at.astimezone(KYIV)
        end = event.ends_at.astimezone(KYIV) if event.ends_at else None
        initial = {name: getattr(event, name) for name in cls.base_fields if hasattr(event, name)}
        initial.update(
            start_date=start.date(),
            start_time=start.time().replace(second=0, microsecond=0),
            end_date=end.date() if end else None,
            end_time=end.time().replace(second=0, microsecond=0) if end else None,
            organiser=event.organiser_id,
            stage=event.stage_id,
            session=event.session_id,
        )
        return initial

    def clean(self):
        data = super().clean()
        try:
            data["starts_at"] = combine_local(data.get("start_date"), data.get("start_time"))
        except ValidationError as exc:
            self.add_error("start_time", exc)
        end_date = data.get("end_date") or (data.get("start_date") if data.get("end_time") else None)
        try:
            data["ends_at"] = combine_local(end_date, data.get("end_time"), default_time=datetime.time(18, 0))
        except ValidationError as exc:
            self.add_error("end_time", exc)
        if data.get("starts_at") and data.get("ends_at") and data["ends_at"] < data["starts_at"]:
            self.add_error("end_date", _("The event cannot end before it starts."))
        return data

    def values(self) -> dict:
        data = self.cleaned_data
        names = (
            "kind", "title_uk", "title_en", "starts_at", "ends_at", "format", "location", "organiser", "stage", "session",
            "target_audience", "status", "expected_outcome", "actual_outcome", "participants_count", "report_url",
        )  # fmt: skip
        return {name: data.get(name) for name in names}


class EventImportForm(forms.Form):
    """Step 1 uploads a file and shows the preview; step 2 (confirm) posts the same file back, base64
    in a hidden field, and it is read and checked again before anything is written."""

    agenda = forms.ModelChoiceField(label=_("Agenda"), queryset=None, empty_label=None)
    file = forms.FileField(
        label=_("Calendar (.ics) or table (.csv)"),
        required=False,
        help_text=_("Up to 1 MB. CSV: UTF-8 or Windows-1251, comma or semicolon."),
    )
    kind = forms.ChoiceField(
        label=_("Kind, when the file does not say"),
        choices=ExternalEventKind.choices,
        initial=ExternalEventKind.ROUND_TABLE,
    )
    stage = forms.ModelChoiceField(
        label=pgettext_lazy("workshop", "Stage they advance, when the file does not say"),
        queryset=SessionKind.objects.all(),
        required=False,
    )
    payload = forms.CharField(widget=forms.HiddenInput, required=False)
    filename = forms.CharField(widget=forms.HiddenInput, required=False, max_length=255)

    def __init__(self, *args, agendas=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agenda"].queryset = agendas

    def clean(self):
        data = super().clean()
        upload = data.get("file")
        if upload is not None:
            if upload.size > MAX_IMPORT_BYTES:
                self.add_error(
                    "file", _("The file is larger than %(size)d KB.") % {"size": MAX_IMPORT_BYTES // 1000}
                )
                return data
            data["content"] = upload.read()
            data["filename"] = upload.name
        elif data.get("payload"):
            try:
                data["content"] = base64.b64decode(data["payload"], validate=True)
            except (binascii.Error, ValueError):
                raise ValidationError(_("The previewed file was damaged; upload it again.")) from None
            if len(data["content"]) > MAX_IMPORT_BYTES:
                raise ValidationError(
                    _("The file is larger than %(size)d KB.") % {"size": MAX_IMPORT_BYTES // 1000}
                )
        else:
            self.add_error("file", _("Choose a file to import."))
        return data

    def defaults(self) -> dict:
        return {"kind": self.cleaned_data.get("kind"), "stage": self.cleaned_data.get("stage")}


class MaterialForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=300)
    kind = forms.ChoiceField(label=_("Kind"), choices=Material.Kind.choices)
    language = forms.ChoiceField(label=_("Language"), choices=[("uk", _("Ukrainian")), ("en", _("English"))])
    url = forms.URLField(label=_("Link"), required=False, assume_scheme="https")
    file = forms.FileField(label=_("File"), required=False, help_text=_("Up to 20 MB."))
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    MAX_FILE_BYTES = 20 * 1024 * 1024

    def __init__(self, *args, has_file=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.has_file = has_file
        if has_file:
            self.fields["file"].help_text = _("A file is stored; upload another one to replace it.")

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if upload and upload.size > self.MAX_FILE_BYTES:
            raise ValidationError(_("The file is larger than 20 MB."))
        return upload

    def clean(self):
        data = super().clean()
        if not data.get("url") and not data.get("file") and not self.has_file and not self.errors:
            raise ValidationError(_("Give a link or upload a file."))
        return data
