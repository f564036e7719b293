"""The session pages as a coordinator, a representative and a programme coordinator use them: constant
query counts on lists and timelines, the flow from scheduling to "held", forms that keep the user's input,
scoping between regions, the stage tools, and pages that obey the Content-Security-Policy."""

import datetime
import re

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from regions.models import Agenda
from regions.services import agenda_open
from sessions import services
from sessions.models import KYIV, Attendance, EventStatus, ExternalEvent, Session
from sessions.selectors import optional_url
from stakeholders.models import RoleMatrixEntry
from tests import factories as f

from .conftest import make_ready_to_hold

pytestmark = pytest.mark.django_db

INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc\s*=)[^>]*>", re.IGNORECASE)
INLINE_STYLE = re.compile(r"\sstyle\s*=|<style\b", re.IGNORECASE)


def csp_clean(html: str) -> bool:
    return not INLINE_SCRIPT.search(html) and not INLINE_STYLE.search(html)


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    print(f"queries {len(ctx.captured_queries):3d} {url}")  # shown with -s; the report quotes them
    return len(ctx.captured_queries)


def _s(setup, name, session=None, **extra):
    session = session or setup.sessions[2]
    return reverse(f"sessions:{name}", kwargs={"region": setup.region.slug, "pk": session.pk, **extra})


# --- constant query counts -------------------------------------------------------------------------------


def _more_agendas(setup, years):
    for year in years:
        agenda = agenda_open(
            region=setup.region,
            year=year,
            acting_user=setup.coordinator,
            window_start=datetime.date(year, 2, 1),
        )
        for session in agenda.sessions.all():
            services.attendance_invite(
                session=session,
                people=[setup.rep, setup.rector],
                acting_user=setup.coordinator,
                send_email=False,
            )
        ExternalEvent.objects.create(agenda=agenda, title_uk=f"Форум {year}", starts_at=timezone.now())


def test_session_list_costs_the_same_for_few_and_many_sessions(setup, client):
    client.force_login(setup.coordinator)
    url = reverse("sessions:session-list", kwargs={"region": setup.region.slug})
    few = count_queries(client, url)
    _more_agendas(setup, [2022, 2023, 2024, 2025])  # 5 agendas × 4 sessions + the joint one = 21 rows
    many = count_queries(client, url)
    assert many == few, (few, many)
    assert Session.objects.for_region(setup.region).count() == 21


def test_region_timeline_costs_the_same_for_few_and_many_events(setup, client):
    client.force_login(setup.coordinator)
    url = reverse("sessions:session-timeline", kwargs={"region": setup.region.slug})
    few = count_queries(client, url)
    for i in range(20):
        ExternalEvent.objects.create(
            agenda=setup.agenda, title_uk=f"Подія {i}", starts_at=timezone.now() + datetime.timedelta(days=i)
        )
    for session in setup.agenda.sessions.all():
        services.attendance_invite(
            session=session, people=[setup.rep, setup.rector], acting_user=setup.coordinator, send_email=False
        )
    f.RoleMatrixEntryFactory(agenda=setup.agenda, organisation=setup.cluster)
    assert count_queries(client, url) == few


def _regions(setup, n):
    for i in range(n):
        region = f.RegionFactory(slug=f"extra-{i}", iso_code=f"UA-{10 + i:02d}")
        setup.programme.regions.add(region)
        coordinator = f.UserFactory(email=f"coord.extra{i}@example.org")
        f.RegionMembershipFactory(user=coordinator, region=region)
        agenda_open(
            region=region,
            year=2021,
            acting_user=coordinator,
            window_start=datetime.date(2021, 3, 1) + datetime.timedelta(days=7 * i),
        )


def test_programme_timeline_costs_the_same_for_one_and_twenty_regions(setup, client):
    programme = f.ProgrammeFactory(code="solo")
    programme.regions.add(setup.region)
    f.ProgrammeMembershipFactory(user=setup.lead, programme=programme)
    services.session_joint_ensure(programme=programme, acting_user=setup.lead)
    client.force_login(setup.lead)
    one = count_queries(client, reverse("programme_sessions:session-timeline", kwargs={"programme": "solo"}))
    _regions(setup, 18)  # the programme now has 20 regions
    assert setup.programme.regions.count() == 20
    url = reverse("programme_sessions:session-timeline", kwargs={"programme": setup.programme.code})
    twenty = count_queries(client, url)
    assert twenty == one, (one, twenty)
    page = client.get(url).content.decode()
    assert page.count('class="ca-marker ') >= 20 * 4


def test_material_and_event_lists_cost_the_same_for_few_and_many_rows(setup, client):
    client.force_login(setup.coordinator)
    materials = reverse("sessions:material-list", kwargs={"region": setup.region.slug})
    events = reverse("sessions:externalevent-list", kwargs={"region": setup.region.slug})

    def add(i):
        m = services.material_save(
            acting_user=setup.coordinator,
            region=setup.region,
            title=f"Звіт {i}",
            kind="report",
            language="uk",
            url="https://example.org/x",
        )
        services.session_materials_set(
            session=setup.sessions[i % 4 + 2], materials=[m], acting_user=setup.coordinator
        )
        ExternalEvent.objects.create(
            agenda=setup.agenda,
            title_uk=f"Подія {i}",
            starts_at=timezone.now(),
            organiser=setup.cluster,
            stage=setup.sessions[3].kind,
        )

    add(0)
    before = (count_queries(client, materials), count_queries(client, events))
    for i in range(1, 16):
        add(i)
    assert (count_queries(client, materials), count_queries(client, events)) == before


# --- the demo flow: schedule, invite, attend, minutes, held --------------------------------------------


def test_coordinator_runs_a_session_from_schedule_to_held(setup, client, django_capture_on_commit_callbacks):
    from django.core import mail

    client.force_login(setup.coordinator)
    session = setup.sessions[2]
    start = timezone.localtime(timezone.now() - datetime.timedelta(hours=3), KYIV)
    response = client.post(
        _s(setup, "session-edit"),
        {
            "date": start.date().isoformat(),
            "time": start.strftime("%H:%M"),
            "duration_minutes": 120,
            "format": "offline",
            "venue": "Зал ОДА",
            "version": session.version,
        },
    )
    assert response.status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            _s(setup, "attendance-invite"),
            {
                "organisations": [setup.cluster.pk],
                "people": [setup.rector.pk],
                "role": "member",
                "send_email": "on",
            },
        )
    assert response.status_code == 302
    assert set(Attendance.objects.filter(session=session).values_list("person__full_name", flat=True)) == {
        "Менеджер кластеру",
        "Проректор",
    }
    assert len(mail.outbox) == 1  # the rector has no e-mail address
    rows = {a.person_id: a.pk for a in Attendance.objects.filter(session=session)}
    response = client.post(
        _s(setup, "attendance-mark"),
        {
            f"reply_{rows[setup.rep.pk]}": "accepted",
            f"attended_{rows[setup.rep.pk]}": "yes",
            f"reply_{rows[setup.rector.pk]}": "declined",
            f"attended_{rows[setup.rector.pk]}": "no",
        },
    )
    assert response.status_code == 302
    session.refresh_from_db()
    response = client.post(
        _s(setup, "session-minutes"),
        {"minutes": "## Протокол\n\n1. Ролі розподілено.", "version": session.version},
    )
    assert response.status_code == 302
    response = client.post(_s(setup, "session-hold"))
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.status == EventStatus.HELD and session.held_at
    page = client.get(_s(setup, "session-detail")).content.decode()
    assert "Ролі розподілено." in page and "<h2>Протокол</h2>" in page
    assert csp_clean(page)


def test_marking_held_too_early_explains_why_and_changes_nothing(setup, client):
    client.force_login(setup.coordinator)
    session = setup.sessions[5]
    Session.objects.filter(pk=session.pk).update(starts_at=timezone.now() + datetime.timedelta(days=2))
    before = Session.objects.get(pk=session.pk).updated_at
    response = client.post(_s(setup, "session-hold", session))
    assert response.status_code == 302
    texts = [str(m) for m in get_messages(response.wsgi_request)]
    assert any("before it starts" in t for t in texts) and any("minutes" in t for t in texts)
    after = Session.objects.get(pk=session.pk)
    assert after.status == EventStatus.PLANNED and after.updated_at == before


def test_postponing_without_a_reason_keeps_the_page_and_says_so(setup, client):
    client.force_login(setup.coordinator)
    response = client.post(_s(setup, "session-postpone"), {"postpone-reason": "  "})
    assert response.status_code == 200
    assert "required" in response.content.decode() or "Say why" in response.content.decode()
    assert Session.objects.get(pk=setup.sessions[2].pk).status == EventStatus.PLANNED
    response = client.post(_s(setup, "session-postpone"), {"postpone-reason": "Зал зайнятий"})
    assert response.status_code == 302
    assert Session.objects.get(pk=setup.sessions[2].pk).status_reason == "Зал зайнятий"


def test_reopening_a_held_session_records_who_and_why(setup, client):
    session = make_ready_to_hold(setup.sessions[2], [setup.rep])
    services.session_mark_held(session=session, acting_user=setup.coordinator)
    client.force_login(setup.rep_user)
    assert client.post(_s(setup, "session-reopen"), {"reopen-reason": "Хочу"}).status_code == 403
    client.force_login(setup.coordinator)
    response = client.post(_s(setup, "session-reopen"), {"reopen-reason": "Протокол неповний"})
    assert response.status_code == 302
    page = client.get(_s(setup, "session-detail")).content.decode()
    assert "Протокол неповний" in page and "Олена Коваленко" in page


def test_schedule_form_keeps_the_input_on_a_conflict(setup, client):
    client.force_login(setup.coordinator)
    session = setup.sessions[2]
    stale = session.version
    services.session_update(session=session, acting_user=setup.coordinator, version=stale, venue="Перший зал")
    response = client.post(
        _s(setup, "session-edit"),
        {
            "date": "2021-03-20",
            "time": "11:00",
            "duration_minutes": 90,
            "format": "offline",
            "venue": "Другий зал",
            "version": stale,
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Другий зал" in page and "Someone else changed" in page
    assert Session.objects.get(pk=session.pk).venue == "Перший зал"


def test_schedule_form_refuses_a_time_skipped_by_the_clock_change(setup, client):
    client.force_login(setup.coordinator)
    response = client.post(
        _s(setup, "session-edit"),
        {
            "date": "2021-03-28",
            "time": "03:30",
            "duration_minutes": 60,
            "format": "online",
            "version": setup.sessions[2].version,
        },
    )
    assert response.status_code == 200
    assert "does not exist" in response.content.decode()


def test_invite_refuses_a_person_beyond_the_database_and_keeps_the_choice(setup, client):
    """A tick-box value past 64 bits is a form error on every backend (SQLite used to raise OverflowError)."""
    client.force_login(setup.coordinator)
    before = Attendance.objects.count()
    response = client.post(
        _s(setup, "attendance-invite"),
        {"people": [str(setup.rep.pk), "99999999999999999999999"], "role": "member"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "“99999999999999999999999” is not one of the available choices." in html
    assert re.search(rf'value="{setup.rep.pk}"[^>]*checked', html)
    assert Attendance.objects.count() == before


def test_invitee_replies_from_the_session_page(setup, client):
    services.attendance_invite(
        session=setup.sessions[3], people=[setup.rep], acting_user=setup.coordinator, send_email=False
    )
    client.force_login(setup.rep_user)
    page = client.get(_s(setup, "session-detail", setup.sessions[3])).content.decode()
    assert "Will you come?" in page or 'name="reply"' in page
    response = client.post(_s(setup, "attendance-reply", setup.sessions[3]), {"reply": "tentative"})
    assert response.status_code == 302
    assert Attendance.objects.get(session=setup.sessions[3], person=setup.rep).reply == "tentative"


def test_minutes_are_rendered_sanitised(setup, client):
    services.session_minutes_save(
        session=setup.sessions[2],
        acting_user=setup.coordinator,
        version=None,
        minutes="**Так**<script>alert(1)</script> [x](javascript:alert(1))",
    )
    client.force_login(setup.observer)
    page = client.get(_s(setup, "session-detail")).content.decode()
    assert "<strong>Так</strong>" in page and "alert(1)</script>" not in page and "javascript:" not in page


# --- scoping ---------------------------------------------------------------------------------------------


def test_another_regions_session_is_a_404(setup, client):
    agenda_open(region=setup.other, year=2021, acting_user=setup.other_coordinator)
    other_session = Session.objects.filter(agenda__region=setup.other).first()
    client.force_login(setup.coordinator)
    url = reverse("sessions:session-detail", kwargs={"region": setup.other.slug, "pk": other_session.pk})
    assert client.get(url).status_code == 404
    # Nor through one's own region's address.
    assert (
        client.get(
            reverse("sessions:session-detail", kwargs={"region": setup.region.slug, "pk": other_session.pk})
        ).status_code
        == 404
    )


def test_programme_timeline_shows_each_reader_only_their_regions(setup, client):
    agenda_open(region=setup.other, year=2021, acting_user=setup.other_coordinator)
    url = reverse("programme_sessions:session-timeline", kwargs={"programme": setup.programme.code})
    client.force_login(setup.coordinator)
    page = client.get(url).content.decode()
    assert setup.region.name_en in page and setup.other.name_en not in page
    client.force_login(setup.lead)
    page = client.get(url).content.decode()
    assert setup.region.name_en in page and setup.other.name_en in page
    assert csp_clean(page)


def test_joint_session_page_lists_the_acceptances_and_lets_the_region_record_its_own(setup, client):
    client.force_login(setup.coordinator)
    url = reverse(
        "programme_sessions:session-detail", kwargs={"programme": setup.programme.code, "pk": setup.joint.pk}
    )
    page = client.get(url).content.decode()
    record = reverse("sessions:acceptance-record", kwargs={"region": setup.region.slug, "pk": setup.joint.pk})
    assert record in page
    assert (
        reverse("sessions:acceptance-record", kwargs={"region": setup.other.slug, "pk": setup.joint.pk})
        not in page
    )
    response = client.post(record, {"answer": "reservations", "comments": ""})
    assert response.status_code == 200 and "reservations" in response.content.decode()
    response = client.post(record, {"answer": "reservations", "comments": "Строки стислі"})
    assert response.status_code == 302
    page = client.get(url).content.decode()
    assert "Строки стислі" in page


# --- stage tools ---------------------------------------------------------------------------------------


def test_optional_url_links_only_to_pages_that_exist():
    assert optional_url(["nope:missing", "home"], {}) == "/"
    assert optional_url(["nope:missing"], {"region": "x"}) is None


def test_session_page_shows_the_progress_of_its_stage(setup, client):
    RoleMatrixEntry.objects.create(
        agenda=setup.agenda,
        organisation=setup.cluster,
        confirmed_at=timezone.now(),
        confirmed_by=setup.rep_user,
        is_leader=True,
    )
    RoleMatrixEntry.objects.create(agenda=setup.agenda, organisation=setup.university)
    client.force_login(setup.observer)
    page = client.get(_s(setup, "session-detail")).content.decode()
    assert "role-matrix rows confirmed" in page.replace("&#x27;", "'") or "1 / 2" in page
    assert '<progress class="ca-progress ca-progress-block" value="1" max="2">' in page


def test_every_page_obeys_the_csp(setup, client):
    client.force_login(setup.coordinator)
    Agenda.objects.filter(pk=setup.agenda.pk)
    urls = [
        reverse("sessions:session-list", kwargs={"region": setup.region.slug}),
        reverse("sessions:session-timeline", kwargs={"region": setup.region.slug}),
        _s(setup, "session-detail"),
        _s(setup, "session-edit"),
        _s(setup, "session-minutes"),
        _s(setup, "attendance-invite"),
        _s(setup, "attendance-mark"),
        _s(setup, "decision-create"),
        _s(setup, "agendaitem-create"),
        _s(setup, "session-materials"),
        reverse("sessions:externalevent-list", kwargs={"region": setup.region.slug}),
        reverse("sessions:externalevent-create", kwargs={"region": setup.region.slug}),
        reverse("sessions:externalevent-import", kwargs={"region": setup.region.slug}),
        reverse("sessions:material-list", kwargs={"region": setup.region.slug}),
        reverse("sessions:material-create", kwargs={"region": setup.region.slug}),
        reverse("sessions:calendarfeed-detail", kwargs={"region": setup.region.slug}),
        reverse("regions:agenda-create", kwargs={"region": setup.region.slug}),
        reverse("regions:agenda-edit", kwargs={"region": setup.region.slug, "year": 2021}),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert csp_clean(response.content.decode()), url


def test_opening_an_agenda_from_the_region_page(setup, client):
    client.force_login(setup.coordinator)
    assert (
        reverse("regions:agenda-create", kwargs={"region": setup.region.slug})
        in client.get(setup.region.get_absolute_url()).content.decode()
    )
    url = reverse("regions:agenda-create", kwargs={"region": setup.region.slug})
    response = client.post(url, {"year": 2021, "window_months": 3})
    assert response.status_code == 200 and "already has an agenda" in response.content.decode()
    response = client.post(url, {"year": 2022, "window_start": "2022-01-10", "window_months": 4})
    assert response.status_code == 302
    agenda = Agenda.objects.get(region=setup.region, year=2022)
    assert agenda.sessions.count() == 4 and agenda.window_end == datetime.date(2022, 5, 10)


# --- external events, materials, items and decisions through their forms ---------------------------------


def test_external_event_is_added_linked_to_a_session_and_edited(setup, client):
    client.force_login(setup.coordinator)
    create = reverse("sessions:externalevent-create", kwargs={"region": setup.region.slug})
    data = {
        "title_uk": "Круглий стіл «Університети та бізнес»",
        "kind": "round_table",
        "status": "planned",
        "start_date": "2021-03-10",
        "start_time": "14:00",
        "end_time": "17:00",
        "format": "hybrid",
        "organiser": setup.university.pk,
        "session": setup.sessions[3].pk,
        "expected_outcome": "Перелік викликів для SWOT",
    }
    response = client.post(create, data)
    assert response.status_code == 302
    event = ExternalEvent.objects.get()
    assert event.stage == setup.sessions[3].kind  # linking a session links its stage
    assert event.starts_at.astimezone(KYIV).hour == 14 and event.ends_at.astimezone(KYIV).hour == 17
    page = client.get(_s(setup, "session-detail", setup.sessions[3])).content.decode()
    assert "Університети та бізнес" in page
    edit = reverse("sessions:externalevent-edit", kwargs={"region": setup.region.slug, "pk": event.pk})
    response = client.post(edit, {**data, "actual_outcome": "12 викликів", "version": event.version})
    assert response.status_code == 302
    response = client.post(edit, {**data, "actual_outcome": "інше", "version": event.version})
    assert response.status_code == 200 and "Someone else changed" in response.content.decode()
    assert ExternalEvent.objects.get().actual_outcome == "12 викликів"
    bad = client.post(create, {**data, "end_date": "2021-03-09"})
    assert bad.status_code == 200 and "cannot end before" in bad.content.decode()
    assert ExternalEvent.objects.count() == 1


def test_material_upload_is_served_only_to_readers(setup, client, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(setup.coordinator)
    create = reverse("sessions:material-create", kwargs={"region": setup.region.slug})
    response = client.post(create, {"title": "Звіт регіону", "kind": "report", "language": "uk"})
    assert response.status_code == 200 and "link or upload a file" in response.content.decode()
    upload = SimpleUploadedFile("report.txt", b"regional report", content_type="text/plain")
    response = client.post(
        create, {"title": "Звіт регіону", "kind": "report", "language": "uk", "file": upload}
    )
    assert response.status_code == 302
    from regions.models import Material

    material = Material.objects.get()
    url = reverse("sessions:material-file", kwargs={"region": setup.region.slug, "pk": material.pk})
    response = client.get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == b"regional report"
    client.force_login(setup.other_coordinator)
    assert client.get(url).status_code == 404
    services.session_materials_set(
        session=setup.sessions[3], materials=[material], acting_user=setup.coordinator
    )
    client.force_login(setup.observer)
    page = client.get(_s(setup, "session-detail", setup.sessions[3])).content.decode()
    assert "Звіт регіону" in page and url in page


def test_items_and_decisions_through_the_session_page(setup, client):
    client.force_login(setup.coordinator)
    response = client.post(
        _s(setup, "agendaitem-create"),
        {"title": "Матриця ролей", "starts_at": "10:15", "duration_minutes": 60, "presenter": "Фасилітатор"},
    )
    assert response.status_code == 302
    response = client.post(
        _s(setup, "decision-create"),
        {"text": "Підтвердити рядки онлайн", "responsible_org": setup.cluster.pk, "due_date": "2021-04-01"},
    )
    assert response.status_code == 302
    response = client.post(_s(setup, "decision-create"), {"text": "", "responsible_org": setup.other_org.pk})
    assert response.status_code == 200
    page = client.get(_s(setup, "session-detail")).content.decode()
    assert "10:15" in page and "Матриця ролей" in page and "Підтвердити рядки онлайн" in page
    assert setup.sessions[2].decisions.count() == 1
