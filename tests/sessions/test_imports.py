"""Importing external events from CSV and .ics: per-row errors in the preview, nothing written before the
confirmation, only the valid rows written after it, and a calendar imported twice updates its events."""

import base64
import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from sessions import importers, services
from sessions.models import KYIV, EventStatus, ExternalEvent, ExternalEventKind, SessionKind

pytestmark = pytest.mark.django_db

CSV = """title_uk;kind;starts_at;ends_at;organiser;stage;participants_count;report_url
Круглий стіл «Агро 4.0»;round_table;2021-02-15 10:00;2021-02-15 13:00;Кластер;3;40;https://example.org/r
;forum;2021-03-01 10:00;;;;;
Форум без дати;forum;;;;;;
Вебінар;webinar;31.02.2021 10:00;;;;;
Конференція;party;2021-04-01 10:00;;;;;
Семінар;workshop;2021-04-02 12:00;2021-04-02 11:00;;;;
Презентація;presentation;2021-04-03;;Невідома організація;;десять;not-a-link
B2B-зустрічі;B2B matchmaking;05.04.2021 09:30;;Слобожанський політехнічний університет;goals_plans;;
"""

ICS = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//Test//EN
BEGIN:VEVENT
UID:forum-1@example.org
SUMMARY:Онлайн-форум «Регіон в Індустрії 4.0»
DTSTART:20210310T080000Z
DTEND:20210310T120000Z
LOCATION:Онлайн
DESCRIPTION:Обговорення пілотних проєктів
CATEGORIES:webinar
STATUS:CONFIRMED
END:VEVENT
BEGIN:VEVENT
UID:round-table-2@example.org
SUMMARY:Круглий стіл «ІТ для промисловості»
DTSTART;VALUE=DATE:20210420
END:VEVENT
BEGIN:VEVENT
UID:broken-3@example.org
DTSTART:20210501T100000
END:VEVENT
END:VCALENDAR
"""


def _parse_csv(setup):
    return importers.parse(
        CSV.encode(), filename="events.csv", agenda=setup.agenda, defaults={"kind": ExternalEventKind.OTHER}
    )


def test_csv_rows_are_read_with_an_error_list_per_row(setup):
    rows = _parse_csv(setup)
    assert [r.line for r in rows] == [2, 3, 4, 5, 6, 7, 8, 9]
    ok = [r for r in rows if r.ok]
    assert [r.values["title_uk"] for r in ok] == ["Круглий стіл «Агро 4.0»", "B2B-зустрічі"]
    first, b2b = ok
    assert first.values["starts_at"] == datetime.datetime(2021, 2, 15, 10, 0, tzinfo=KYIV)
    assert first.values["organiser"] == setup.cluster and first.values["stage"].order == 3
    assert first.values["participants_count"] == 40
    assert b2b.values["kind"] == ExternalEventKind.B2B and b2b.values["stage"].code == "goals_plans"
    assert b2b.values["organiser"] == setup.university
    errors = {r.line: " ".join(r.errors) for r in rows if not r.ok}
    assert "title" in errors[3]
    assert "start date is missing" in errors[4]
    assert "31.02.2021" in errors[5]
    assert "party" in errors[6]
    assert "ends before it starts" in errors[7]
    assert "Невідома організація" in errors[8] and "десять" in errors[8] and "web address" in errors[8]


def test_a_participants_count_of_other_digits_is_an_error_of_its_row(setup):
    """str.isdigit() passes "²", which int() refuses; 5000 digits exceed int()'s limit. Both are row errors."""
    csv = (
        "title_uk;kind;starts_at;participants_count\n"
        "Форум;forum;2021-02-15 10:00;²\n"
        f"Семінар;workshop;2021-02-16 10:00;{'9' * 5000}\n"
    )
    rows = importers.parse(csv.encode(), filename="events.csv", agenda=setup.agenda, defaults={})
    assert [r.ok for r in rows] == [False, False]
    assert all("not a whole number" in " ".join(r.errors) for r in rows)


def test_ics_events_are_read_with_their_zone_and_categories(setup):
    rows = importers.parse(
        ICS.encode(),
        filename="calendar.ics",
        agenda=setup.agenda,
        defaults={"stage": SessionKind.objects.get(order=4)},
    )
    forum, table, broken = rows
    assert forum.ok and forum.uid == "forum-1@example.org"
    assert forum.values["starts_at"].astimezone(KYIV).hour == 10
    assert (
        forum.values["kind"] == ExternalEventKind.WEBINAR and forum.values["status"] == EventStatus.CONFIRMED
    )
    assert (
        forum.values["stage"].order == 4
        and forum.values["expected_outcome"] == "Обговорення пілотних проєктів"
    )
    assert table.ok and table.values["starts_at"] == datetime.datetime(2021, 4, 20, 10, 0, tzinfo=KYIV)
    assert not broken.ok and "title" in " ".join(broken.errors)


def test_import_writes_only_valid_rows_and_a_second_import_updates(setup):
    rows = importers.parse(ICS.encode(), filename="calendar.ics", agenda=setup.agenda)
    counts = services.external_events_import(agenda=setup.agenda, rows=rows, acting_user=setup.coordinator)
    assert counts == {"create": 2, "update": 0, "skip": 0, "error": 1}
    changed = ICS.replace(
        "Онлайн-форум «Регіон в Індустрії 4.0»", "Форум «Регіон в Індустрії 4.0» (перенесено)"
    )
    rows = importers.parse(changed.encode(), filename="calendar.ics", agenda=setup.agenda)
    counts = services.external_events_import(agenda=setup.agenda, rows=rows, acting_user=setup.coordinator)
    assert counts == {"create": 0, "update": 2, "skip": 0, "error": 1}
    assert ExternalEvent.objects.filter(agenda=setup.agenda).count() == 2
    assert ExternalEvent.objects.get(import_uid="forum-1@example.org").title_uk.endswith("(перенесено)")


def test_csv_rows_already_in_the_agenda_are_skipped(setup):
    services.external_events_import(
        agenda=setup.agenda, rows=_parse_csv(setup), acting_user=setup.coordinator
    )
    counts = services.external_events_import(
        agenda=setup.agenda, rows=_parse_csv(setup), acting_user=setup.coordinator
    )
    assert counts["create"] == 0 and counts["skip"] == 2
    assert ExternalEvent.objects.count() == 2


@pytest.mark.parametrize(
    "content, filename, message",
    [
        (b"", "empty.csv", "empty"),
        (b"name;date\nx;y\n", "wrong.csv", "title_uk"),
        (b"BEGIN:VCALENDAR\nnonsense", "bad.ics", "iCalendar"),
        (b"\xff\xfe\x00\x00" * 10 + b"\x81\x8d\x8f\x90\x9d", "bin.csv", ""),
    ],
)
def test_unreadable_files_are_refused_as_a_whole(setup, content, filename, message):
    try:
        importers.parse(content, filename=filename, agenda=setup.agenda)
    except importers.ImportFileError as exc:
        assert message in str(exc)
    else:
        pytest.fail("an unreadable file was accepted")


def test_import_page_previews_without_writing_then_confirms(setup, client):
    client.force_login(setup.coordinator)
    url = reverse("sessions:externalevent-import", kwargs={"region": setup.region.slug})
    upload = SimpleUploadedFile("events.csv", CSV.encode(), content_type="text/csv")
    response = client.post(url, {"agenda": setup.agenda.pk, "kind": "other", "file": upload})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Невідома організація" in page and "31.02.2021" in page
    assert ExternalEvent.objects.count() == 0
    payload = base64.b64encode(CSV.encode()).decode()
    assert payload in page
    response = client.post(
        url,
        {
            "agenda": setup.agenda.pk,
            "kind": "other",
            "payload": payload,
            "filename": "events.csv",
            "confirm": "1",
        },
    )
    assert response.status_code == 302
    assert set(ExternalEvent.objects.values_list("title_uk", flat=True)) == {
        "Круглий стіл «Агро 4.0»",
        "B2B-зустрічі",
    }


def test_import_page_explains_an_unreadable_file(setup, client):
    client.force_login(setup.coordinator)
    url = reverse("sessions:externalevent-import", kwargs={"region": setup.region.slug})
    response = client.post(
        url, {"agenda": setup.agenda.pk, "kind": "other", "file": SimpleUploadedFile("x.csv", b"a;b\n1;2\n")}
    )
    assert response.status_code == 200 and "title_uk" in response.content.decode()
    assert ExternalEvent.objects.count() == 0


def test_import_refuses_an_agenda_of_another_region(setup, client):
    from regions.services import agenda_open

    other_agenda = agenda_open(region=setup.other, year=2021, acting_user=setup.other_coordinator)
    client.force_login(setup.coordinator)
    url = reverse("sessions:externalevent-import", kwargs={"region": setup.region.slug})
    payload = base64.b64encode(CSV.encode()).decode()
    response = client.post(
        url,
        {"agenda": other_agenda.pk, "kind": "other", "payload": payload, "filename": "e.csv", "confirm": "1"},
    )
    assert response.status_code == 200
    assert ExternalEvent.objects.count() == 0
