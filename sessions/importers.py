"""Reading external events from an .ics calendar or a CSV table into ImportRows for the preview.

Nothing here writes: every row comes back with its values or with its errors (per row, in the user's
language), and sessions.services.external_events_import writes the valid ones after the preview.
Naive times are Kyiv time; a date without a time gets the default start (10:00).
"""

import csv
import datetime
import io

import icalendar
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils import translation
from django.utils.translation import gettext as _

from regions.models import Agenda

from .models import KYIV, EventStatus, ExternalEvent, ExternalEventKind, Format, SessionKind
from .services import DEFAULT_START_TIME, ImportRow, event_organisations

MAX_IMPORT_BYTES = 1_000_000
MAX_ROWS = 1000

# CSV columns (header names are case-insensitive; Ukrainian aliases for spreadsheets typed by hand).
COLUMNS = {
    "title_uk": ("title_uk", "title", "назва"),
    "title_en": ("title_en", "назва англійською"),
    "kind": ("kind", "тип"),
    "starts_at": ("starts_at", "start", "початок"),
    "ends_at": ("ends_at", "end", "завершення"),
    "format": ("format", "формат"),
    "location": ("location", "місце"),
    "organiser": ("organiser", "organizer", "організатор"),
    "stage": ("stage", "етап"),
    "target_audience": ("target_audience", "аудиторія"),
    "status": ("status", "статус"),
    "expected_outcome": ("expected_outcome", "очікуваний результат"),
    "actual_outcome": ("actual_outcome", "фактичний результат"),
    "participants_count": ("participants_count", "participants", "учасники"),
    "report_url": ("report_url", "звіт"),
    "uid": ("uid",),
}
DATETIME_FORMATS = (
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%d %H:%M:%S",
    "%d.%m.%Y %H:%M",
    "%d.%m.%Y %H:%M:%S",
)
DATE_FORMATS = ("%Y-%m-%d", "%d.%m.%Y")
ICS_STATUS = {
    "CANCELLED": EventStatus.CANCELLED,
    "CONFIRMED": EventStatus.CONFIRMED,
    "TENTATIVE": EventStatus.PLANNED,
}


class ImportFileError(ValueError):
    """The file as a whole cannot be read (wrong type, encoding, empty, too large)."""


def decode(content: bytes) -> str:
    if len(content) > MAX_IMPORT_BYTES:
        raise ImportFileError(_("The file is larger than %(size)d KB.") % {"size": MAX_IMPORT_BYTES // 1000})
    for encoding in ("utf-8-sig", "cp1251"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ImportFileError(_("The file is neither UTF-8 nor Windows-1251 text."))


def _labels(choices) -> dict[str, str]:
    """Every spelling of a choice a person may type: its code and its label in both languages."""
    spellings = {}
    for value, label in choices.choices:
        spellings[value.casefold()] = value
        for language in ("uk", "en"):
            with translation.override(language):
                spellings[str(label).casefold()] = value
    return spellings


class Lookups:
    """The agenda's organisations, session kinds and the choice labels, fetched once per import."""

    def __init__(self, agenda: Agenda):
        self.organisations = {}
        for org in event_organisations(agenda):
            for name in (org.name_uk, org.name_en, org.short_name):
                if name:
                    self.organisations.setdefault(name.strip().casefold(), org)
        self.stages = {}
        for kind in SessionKind.objects.all():
            for name in (kind.code, str(kind.order), kind.name_uk, kind.name_en):
                if name:
                    self.stages.setdefault(name.strip().casefold(), kind)
        self.kinds = _labels(ExternalEventKind)
        self.formats = _labels(Format)
        self.statuses = _labels(EventStatus)


def parse_datetime(text: str) -> datetime.datetime:
    text = text.strip()
    try:
        value = datetime.datetime.fromisoformat(text)
    except ValueError:
        value = None
        for fmt in DATETIME_FORMATS:
            try:
                value = datetime.datetime.strptime(text, fmt)
                break
            except ValueError:
                continue
        if value is None:
            for fmt in DATE_FORMATS:
                try:
                    value = datetime.datetime.combine(
                        datetime.datetime.strptime(text, fmt).date(), DEFAULT_START_TIME
                    )
                    break
                except ValueError:
                    continue
    if value is None or not 1990 <= value.year <= 2100:
        raise ValueError(text)
    if len(text) <= 10 and ":" not in text:  # a bare date parsed by fromisoformat
        value = datetime.datetime.combine(value.date(), DEFAULT_START_TIME)
    return value.replace(tzinfo=KYIV) if value.tzinfo is None else value


def _finish(row: ImportRow) -> ImportRow:
    """Checks every row gets, whatever file it came from."""
    values = row.values
    title = (values.get("title_uk") or "").strip()
    if not title:
        row.errors.append(_("The title is missing."))
    limits = {"title_uk": 300, "title_en": 300, "location": 300}
    for name, limit in limits.items():
        if len(values.get(name) or "") > limit:
            row.errors.append(
                _("%(field)s is longer than %(limit)d characters.") % {"field": name, "limit": limit}
            )
    if values.get("starts_at") and values.get("ends_at") and values["ends_at"] < values["starts_at"]:
        row.errors.append(_("The event ends before it starts."))
    if values.get("report_url"):
        try:
            URLValidator(schemes=["http", "https"])(values["report_url"])
        except ValidationError:
            row.errors.append(_("The report link is not a web address."))
    if len(row.uid) > ExternalEvent._meta.get_field("import_uid").max_length:
        row.errors.append(_("The UID is too long."))
    return row


def _choice(row: ImportRow, lookup: dict, text: str, name: str, label: str) -> None:
    text = (text or "").strip()
    if not text:
        return
    value = lookup.get(text.casefold())
    if value is None:
        row.errors.append(_("Unknown %(what)s “%(value)s”.") % {"what": label, "value": text})
    else:
        row.values[name] = value


def _defaults(defaults: dict) -> dict:
    return {
        "kind": defaults.get("kind") or ExternalEventKind.OTHER,
        "stage": defaults.get("stage"),
        "status": defaults.get("status") or EventStatus.PLANNED,
        "format": Format.OFFLINE,
    }


def parse_csv(text: str, *, agenda: Agenda, defaults: dict | None = None) -> list[ImportRow]:
    lookups = Lookups(agenda)
    first_line = text.split("\n", 1)[0]
    delimiter = max(";,\t", key=first_line.count) if first_line else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        raise ImportFileError(_("The file is empty.")) from None
    header = [h.strip().casefold() for h in header]
    columns = {}
    for name, aliases in COLUMNS.items():
        for alias in aliases:
            if alias in header:
                columns[name] = header.index(alias)
                break
    if "title_uk" not in columns or "starts_at" not in columns:
        raise ImportFileError(
            _("The first line must name the columns; “title_uk” and “starts_at” are required.")
        )
    rows = []
    for line, cells in enumerate(reader, start=2):
        if not any(c.strip() for c in cells):
            continue
        if len(rows) >= MAX_ROWS:
            raise ImportFileError(_("The file has more than %(count)d rows.") % {"count": MAX_ROWS})

        def cell(name, cells=cells):
            index = columns.get(name)
            return cells[index].strip() if index is not None and index < len(cells) else ""

        row = ImportRow(
            line=line, label=cell("title_uk") or "—", values=_defaults(defaults or {}), uid=cell("uid")
        )
        for name in (
            "title_uk",
            "title_en",
            "location",
            "target_audience",
            "expected_outcome",
            "actual_outcome",
            "report_url",
        ):
            row.values[name] = cell(name)
        if not cell("starts_at"):
            row.errors.append(_("The start date is missing."))
        for name, label in (("starts_at", _("start")), ("ends_at", _("end"))):
            raw = cell(name)
            if raw:
                try:
                    row.values[name] = parse_datetime(raw)
                except ValueError:
                    row.errors.append(
                        _(
                            "The %(what)s “%(value)s” is not a date (use 2021-03-15 10:00 or 15.03.2021 10:00)."
                        )
                        % {"what": label, "value": raw}
                    )
        _choice(row, lookups.kinds, cell("kind"), "kind", _("kind"))
        _choice(row, lookups.formats, cell("format"), "format", _("format"))
        _choice(row, lookups.statuses, cell("status"), "status", _("status"))
        _choice(row, lookups.stages, cell("stage"), "stage", _("stage"))
        _choice(row, lookups.organisations, cell("organiser"), "organiser", _("organiser"))
        count = cell("participants_count")
        if count:
            # isdecimal, not isdigit: int() refuses "²"; the length keeps int() off huge numbers.
            if count.isdecimal() and len(count) <= 7 and int(count) <= 1_000_000:
                row.values["participants_count"] = int(count)
            else:
                row.errors.append(
                    _("The number of participants “%(value)s” is not a whole number.") % {"value": count}
                )
        if row.values.get("starts_at"):
            row.label = f"{row.label} · {row.values['starts_at'].astimezone(KYIV):%d.%m.%Y %H:%M}"
        rows.append(_finish(row))
    if not rows:
        raise ImportFileError(_("The file has no rows below its header."))
    return rows


def _ics_datetime(value) -> datetime.datetime:
    if not 1990 <= value.year <= 2100:
        raise ValueError(value)
    if isinstance(value, datetime.datetime):
        return value.replace(tzinfo=KYIV) if value.tzinfo is None else value
    return datetime.datetime.combine(value, DEFAULT_START_TIME, tzinfo=KYIV)


def parse_ics(text: str, *, agenda: Agenda, defaults: dict | None = None) -> list[ImportRow]:
    lookups = Lookups(agenda)
    try:
        calendar = icalendar.Calendar.from_ical(text)
    except ValueError:
        raise ImportFileError(_("This is not an iCalendar (.ics) file.")) from None
    rows = []
    for number, component in enumerate(calendar.walk("VEVENT"), start=1):
        if len(rows) >= MAX_ROWS:
            raise ImportFileError(_("The file has more than %(count)d events.") % {"count": MAX_ROWS})
        summary = str(component.get("summary", "")).strip()
        row = ImportRow(
            line=number,
            label=summary or "—",
            values=_defaults(defaults or {}),
            uid=str(component.get("uid", "")).strip(),
        )
        row.values["title_uk"] = summary
        row.values["location"] = str(component.get("location", "")).strip()
        row.values["expected_outcome"] = str(component.get("description", "")).strip()
        try:
            start = component.decoded("dtstart") if "dtstart" in component else None
            end = component.decoded("dtend") if "dtend" in component else None
        except (ValueError, TypeError):
            start = end = None
            row.errors.append(_("The start or end cannot be read."))
        if start is None and not row.errors:
            row.errors.append(_("The start date is missing."))
        if start is not None:
            try:
                row.values["starts_at"] = _ics_datetime(start)
                if end is not None and isinstance(end, datetime.datetime):
                    row.values["ends_at"] = _ics_datetime(end)
            except (ValueError, TypeError, AttributeError, OverflowError):
                row.values.pop("starts_at", None)
                row.errors.append(_("The start or end cannot be read."))
            else:
                row.label = f"{row.label} · {row.values['starts_at'].astimezone(KYIV):%d.%m.%Y %H:%M}"
        status = str(component.get("status", "")).upper()
        if status in ICS_STATUS:
            row.values["status"] = ICS_STATUS[status]
        categories = component.get("categories")
        if categories is not None:
            for category in getattr(categories, "cats", []) or []:
                if str(category).casefold() in lookups.kinds:
                    row.values["kind"] = lookups.kinds[str(category).casefold()]
                    break
        organizer = component.get("organizer")
        if organizer is not None:
            name = str(organizer.params.get("CN", "")).strip().casefold()
            if name in lookups.organisations:
                row.values["organiser"] = lookups.organisations[name]
        rows.append(_finish(row))
    if not rows:
        raise ImportFileError(_("The calendar has no events."))
    return rows


def parse(content: bytes, *, filename: str, agenda: Agenda, defaults: dict | None = None) -> list[ImportRow]:
    """Read an uploaded .ics or .csv file (chosen by its name, else by its content)."""
    text = decode(content)
    if filename.lower().endswith(".ics") or text.lstrip().startswith("BEGIN:VCALENDAR"):
        return parse_ics(text, agenda=agenda, defaults=defaults)
    return parse_csv(text, agenda=agenda, defaults=defaults)
