"""iCalendar (.ics) of sessions and external events: one session's file, the region's subscription
feed, and the attachment of invitation e-mails. Times carry the Europe/Kyiv zone (with its VTIMEZONE),
so a calendar shows the right hour on either side of a daylight-saving change."""

import datetime
from collections.abc import Iterable
from urllib.parse import urlsplit

import icalendar
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from .models import KYIV, EventStatus, ExternalEvent, Format, Session

PRODID = "-//Common Agenda//Sessions//UK"
ICS_CONTENT_TYPE = "text/calendar; charset=utf-8"

STATUS = {
    EventStatus.CANCELLED: "CANCELLED",
    EventStatus.CONFIRMED: "CONFIRMED",
    EventStatus.HELD: "CONFIRMED",
}


def _host() -> str:
    return urlsplit(settings.SITE_URL).hostname or "common-agenda.local"


def _absolute(path: str) -> str:
    return settings.SITE_URL + path


def session_summary(session: Session) -> str:
    summary = pgettext("workshop", "Session %(number)d: %(name)s") % {
        "number": session.number,
        "name": session.name,
    }
    if session.agenda_id:
        return f"{summary} · {session.agenda.region.name}"
    return f"{summary} · {session.programme.name}"


def session_description(session: Session, items: Iterable | None = None) -> str:
    """Purpose, agenda items and links as plain text. `items` may be given already fetched."""
    lines = []
    if session.kind.purpose:
        lines += [session.kind.purpose, ""]
    items = list(session.items.all() if items is None else items)
    if items:
        lines.append(_("Agenda:"))
        for item in items:
            when = item.starts_at.strftime("%H:%M") + " " if item.starts_at else ""
            presenter = f" ({item.presenter})" if item.presenter else ""
            lines.append(f"{when}{item.title}{presenter}")
        lines.append("")
    if session.online_url:
        lines.append(_("Meeting link: %(url)s") % {"url": session.online_url})
    lines.append(_("Session page: %(url)s") % {"url": _absolute(session.get_absolute_url())})
    return "\n".join(lines)


def session_event(
    session: Session, *, items: Iterable | None = None, stamp: datetime.datetime | None = None
) -> icalendar.Event:
    """The VEVENT of a dated session. Reads kind, agenda.region or programme (select them) and its
    items (prefetch them, or pass `items`)."""
    event = icalendar.Event()
    event.add("uid", f"session-{session.pk}@{_host()}")
    event.add("dtstamp", stamp or timezone.now())
    event.add("sequence", session.version)
    event.add("summary", session_summary(session))
    event.add("dtstart", session.starts_at.astimezone(KYIV))
    event.add("dtend", session.ends_at.astimezone(KYIV))
    event.add("status", STATUS.get(session.status, "TENTATIVE"))
    location = session.venue or (session.online_url if session.format == Format.ONLINE else "")
    if location:
        event.add("location", location)
    event.add("description", session_description(session, items))
    event.add("url", _absolute(session.get_absolute_url()))
    event.add("last-modified", session.updated_at)
    return event


def external_event_event(
    external: ExternalEvent, *, stamp: datetime.datetime | None = None
) -> icalendar.Event:
    event = icalendar.Event()
    event.add("uid", f"event-{external.pk}@{_host()}")
    event.add("dtstamp", stamp or timezone.now())
    event.add("sequence", external.version)
    event.add("summary", f"{external.get_kind_display()}: {external.title}")
    event.add("dtstart", external.starts_at.astimezone(KYIV))
    event.add(
        "dtend", (external.ends_at or external.starts_at + datetime.timedelta(hours=2)).astimezone(KYIV)
    )
    event.add("status", STATUS.get(external.status, "TENTATIVE"))
    if external.location:
        event.add("location", external.location)
    description = [external.expected_outcome] if external.expected_outcome else []
    if external.stage_id:
        description.append(_("Occasion to advance: %(stage)s") % {"stage": external.stage.name})
    if description:
        event.add("description", "\n".join(description))
    event.add("last-modified", external.updated_at)
    return event


def build_calendar(events: list[icalendar.Event], *, name: str = "", method: str = "PUBLISH") -> bytes:
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)
    if name:
        calendar.add("x-wr-calname", name)
        calendar.add("x-wr-timezone", "Europe/Kyiv")
        calendar.add("refresh-interval", datetime.timedelta(hours=1), parameters={"VALUE": "DURATION"})
        calendar.add("x-published-ttl", "PT1H")
    for event in events:
        calendar.add_component(event)
    starts = [e.decoded("dtstart") for e in events]
    if starts:
        # The VTIMEZONE only needs the transitions around the events, which keeps the file small.
        first = min(s.date() for s in starts) - datetime.timedelta(days=366)
        last = max(s.date() for s in starts) + datetime.timedelta(days=366)
        calendar.add_missing_timezones(first_date=first, last_date=last)
    return calendar.to_ical()


def session_ics(session: Session) -> bytes:
    return build_calendar([session_event(session)])


def region_feed_ics(region, sessions: Iterable[Session], events: Iterable[ExternalEvent]) -> bytes:
    stamp = timezone.now()
    entries = [session_event(s, stamp=stamp) for s in sessions if s.starts_at]
    entries += [external_event_event(e, stamp=stamp) for e in events]
    return build_calendar(entries, name=f"{_('Common Agenda')} · {region.name}")
