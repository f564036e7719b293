"""The .ics of a session and the region's subscription feed: they parse with icalendar, carry the Kyiv
zone (right hours on both sides of a daylight-saving change), and the feed opens only with its current
secret token."""

import datetime
import hashlib
import re

import icalendar
import pytest
from django.urls import reverse

from sessions import services
from sessions.ics import session_ics
from sessions.models import CalendarFeed, EventStatus, ExternalEvent, Session

from .conftest import local

pytestmark = pytest.mark.django_db
UTC = datetime.UTC


def _events(content: bytes) -> dict:
    calendar = icalendar.Calendar.from_ical(content)
    return {str(e["uid"]): e for e in calendar.walk("VEVENT")}


def test_session_ics_parses_and_carries_the_kyiv_zone_across_the_spring_change(setup, client):
    # Ukraine moved clocks forward on Sunday 28 March 2021: 10:00 is 08:00 UTC before and 07:00 UTC after.
    before, after = setup.sessions[2], setup.sessions[3]
    Session.objects.filter(pk=before.pk).update(starts_at=local(2021, 3, 26), duration_minutes=90)
    Session.objects.filter(pk=after.pk).update(starts_at=local(2021, 3, 29))
    client.force_login(setup.observer)
    times = {}
    for session in (before, after):
        response = client.get(
            reverse("sessions:session-ics", kwargs={"region": setup.region.slug, "pk": session.pk})
        )
        assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
        calendar = icalendar.Calendar.from_ical(response.content)
        assert [tz["tzid"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/Kyiv"]
        (event,) = calendar.walk("VEVENT")
        assert event["dtstart"].params["TZID"] == "Europe/Kyiv"
        times[session.number] = (event.decoded("dtstart"), event.decoded("dtend"))
    assert times[2][0].astimezone(UTC) == datetime.datetime(2021, 3, 26, 8, 0, tzinfo=UTC)
    assert times[2][1] - times[2][0] == datetime.timedelta(minutes=90)
    assert times[3][0].astimezone(UTC) == datetime.datetime(2021, 3, 29, 7, 0, tzinfo=UTC)
    assert times[3][0].astimezone(local(2021, 1, 1).tzinfo).hour == 10


def test_feed_keeps_local_hours_across_the_autumn_change(setup):
    # Clocks went back on 31 October 2021.
    Session.objects.filter(pk=setup.sessions[4].pk).update(starts_at=local(2021, 10, 29, 15, 30))
    Session.objects.filter(pk=setup.sessions[5].pk).update(
        starts_at=local(2021, 11, 1, 15, 30), status=EventStatus.CANCELLED
    )
    token = services.calendar_feed_rotate(region=setup.region, acting_user=setup.coordinator)
    from django.test import Client

    response = Client().get(
        reverse("sessions:calendarfeed-ics", kwargs={"region": setup.region.slug, "token": token})
    )
    events = {uid.split("@")[0]: event for uid, event in _events(response.content).items()}
    s4 = events[f"session-{setup.sessions[4].pk}"]
    s5 = events[f"session-{setup.sessions[5].pk}"]
    assert s4.decoded("dtstart").astimezone(UTC).hour == 12
    assert s5.decoded("dtstart").astimezone(UTC).hour == 13
    assert str(s5["status"]) == "CANCELLED"


def test_session_ics_summary_sequence_and_description(setup):
    session = setup.sessions[2]
    services.agenda_item_save(
        session=session, acting_user=setup.coordinator, title="Матриця ролей", presenter="Фасилітатор"
    )
    session = services.session_update(
        session=session,
        acting_user=setup.coordinator,
        version=session.version,
        online_url="https://meet.example.org/x",
    )
    (event,) = icalendar.Calendar.from_ical(session_ics(session)).walk("VEVENT")
    assert int(event["sequence"]) == session.version
    assert "2" in str(event["summary"]) and setup.region.name in str(event["summary"])
    assert "Матриця ролей (Фасилітатор)" in str(event["description"])
    assert "https://meet.example.org/x" in str(event["description"])


def test_session_without_a_date_has_no_ics(setup, client):
    Session.objects.filter(pk=setup.sessions[2].pk).update(starts_at=None)
    client.force_login(setup.coordinator)
    response = client.get(
        reverse("sessions:session-ics", kwargs={"region": setup.region.slug, "pk": setup.sessions[2].pk})
    )
    assert response.status_code == 404


def test_feed_lists_the_regions_sessions_joint_session_and_events_only(setup, client):
    ExternalEvent.objects.create(agenda=setup.agenda, title_uk="Круглий стіл", starts_at=local(2021, 4, 20))
    token = services.calendar_feed_rotate(region=setup.region, acting_user=setup.coordinator)
    response = client.get(
        reverse("sessions:calendarfeed-ics", kwargs={"region": setup.region.slug, "token": token})
    )
    assert response.status_code == 200
    calendar = icalendar.Calendar.from_ical(response.content)
    uids = {str(e["uid"]).split("@")[0] for e in calendar.walk("VEVENT")}
    expected = {f"session-{s.pk}" for s in setup.sessions.values()} | {f"session-{setup.joint.pk}"}
    assert expected <= uids and len([u for u in uids if u.startswith("event-")]) == 1
    assert len(uids) == 6
    assert "Europe/Kyiv" in str(calendar["x-wr-timezone"])


def test_feed_refuses_a_wrong_or_rotated_token(setup, client):
    first = services.calendar_feed_rotate(region=setup.region, acting_user=setup.coordinator)

    def url(token):
        return reverse("sessions:calendarfeed-ics", kwargs={"region": setup.region.slug, "token": token})

    assert client.get(url(first)).status_code == 200
    assert client.get(url(first + "x")).status_code == 404
    assert client.get(url("guess")).status_code == 404
    second = services.calendar_feed_rotate(region=setup.region, acting_user=setup.coordinator)
    assert client.get(url(first)).status_code == 404
    assert client.get(url(second)).status_code == 200
    # A token of one region does not open another's feed.
    other = services.calendar_feed_rotate(region=setup.other, acting_user=setup.other_coordinator)
    assert client.get(url(other)).status_code == 404


def test_feed_stores_only_a_hash_of_the_token(setup):
    token = services.calendar_feed_rotate(region=setup.region, acting_user=setup.coordinator)
    feed = CalendarFeed.objects.get(region=setup.region)
    assert feed.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in feed.token_hash


def test_region_without_a_feed_answers_404(setup, client):
    response = client.get(
        reverse("sessions:calendarfeed-ics", kwargs={"region": setup.region.slug, "token": "anything"})
    )
    assert response.status_code == 404


def test_rotating_shows_the_new_link_once_to_the_coordinator(setup, client):
    client.force_login(setup.coordinator)
    response = client.post(
        reverse("sessions:calendarfeed-rotate", kwargs={"region": setup.region.slug}), follow=True
    )
    page = response.content.decode()
    assert "/calendar/" in page and ".ics" in page
    feed = CalendarFeed.objects.get(region=setup.region)
    token = re.search(r"/calendar/([A-Za-z0-9_-]+)\.ics", page).group(1)
    assert hashlib.sha256(token.encode()).hexdigest() == feed.token_hash
    again = client.get(
        reverse("sessions:calendarfeed-detail", kwargs={"region": setup.region.slug})
    ).content.decode()
    assert token not in again
