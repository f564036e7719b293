"""In a real browser: a regional coordinator opens the region's agenda (which proposes sessions 2–5 and
the programme's joint session 1), schedules every session through the session form, and invites an
organisation's representatives and one more person to a session; the programme coordinator schedules
the joint session 1. Desktop and a 375 px phone."""

import datetime
from pprint import pformat

import pytest
from django.core import mail

from regions.models import Agenda, RegionMembership
from sessions.models import Attendance, Session
from tests import factories as f
from tests.browser_support import DESKTOP, PHONE, assert_fits, axe, login, shoot, unlabelled

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

YEAR = datetime.date.today().year + 1
VENUES = {
    2: "Харківський ІТ-кластер, вул. Сумська, 10",
    3: "Політехнічний університет, ауд. 305",
    4: "Обласна державна адміністрація, зала 2",
    5: "Коворкінг «Промінь»",
}


@pytest.fixture
def region():
    programme = f.ProgrammeFactory(code="integration", name_uk="Інтеграція 4.0", name_en="Integration 4.0")
    region = f.RegionFactory(
        slug="kharkivska", iso_code="UA-63", name_uk="Харківська область", name_en="Kharkiv Oblast"
    )
    programme.regions.add(region)
    coordinator = f.UserFactory(email="coord.kh@example.org", full_name="Олена Коваленко")
    f.RegionMembershipFactory(user=coordinator, region=region, role=RegionMembership.Role.COORDINATOR)
    lead = f.UserFactory(email="programme.lead@example.org", full_name="Керівник програми")
    f.ProgrammeMembershipFactory(user=lead, programme=programme)
    cluster = f.OrganisationFactory(region=region, name_uk="Кластер «Слобожанська автоматизація»")
    university = f.OrganisationFactory(region=region, name_uk="Слобожанський політехнічний університет")
    rep = f.PersonFactory(
        organisation=cluster, full_name="Марія Менеджерка", email="rep@example.org", is_representative=True
    )
    deputy = f.PersonFactory(
        organisation=cluster, full_name="Іван Заступник", email="deputy@example.org", is_representative=False
    )
    rector = f.PersonFactory(organisation=university, full_name="Петро Проректор", email="rector@example.org")
    return {
        "programme": programme,
        "region": region,
        "coordinator": coordinator,
        "lead": lead,
        "cluster": cluster,
        "rep": rep,
        "deputy": deputy,
        "rector": rector,
    }


def check(page, name, viewport_label):
    problems = axe(page)
    assert problems == [], pformat(problems)
    shoot(page, f"{name}-{viewport_label}")
    assert unlabelled(page) == []
    if viewport_label == "phone":
        assert_fits(page)


def schedule(page, session_pk, *, day, time, fmt, venue="", url=""):
    page.goto(f"/r/kharkivska/sessions/{session_pk}/")
    with page.expect_navigation():
        page.click(f"a[href$='/sessions/{session_pk}/edit/']")
    page.fill("input[name=date]", day.isoformat())
    page.fill("input[name=time]", time)
    page.select_option("select[name=format]", fmt)
    page.fill("input[name=venue]", venue)
    page.fill("input[name=online_url]", url)
    with page.expect_navigation():
        page.click("main form button[type=submit]")


@pytest.mark.parametrize("viewport,label", [(DESKTOP, "desktop"), (PHONE, "phone")])
def test_coordinator_opens_agenda_schedules_five_sessions_and_invites(page_factory, region, viewport, label):
    page = page_factory(viewport=viewport)
    login(page, region["coordinator"].email)

    # 1. From the region page, open the agenda for next year: sessions 2–5 and the joint session 1.
    page.goto("/r/kharkivska/")
    check(page, "sessions-journey-region-uk", label)
    with page.expect_navigation():
        page.click("a[href='/r/kharkivska/agenda/new/']")
    check(page, "sessions-journey-agenda-open-uk", label)
    page.fill("input[name=year]", str(YEAR))
    page.fill("input[name=window_start]", f"{YEAR}-03-01")
    page.fill("input[name=window_months]", "4")
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    agenda = Agenda.objects.get(region=region["region"], year=YEAR)
    assert page.url.endswith("/r/kharkivska/sessions/timeline/")
    sessions = {s.number: s for s in Session.objects.filter(agenda=agenda)}
    assert sorted(sessions) == [2, 3, 4, 5]
    joint = Session.objects.get(programme=region["programme"], number=1)
    check(page, "sessions-journey-timeline-uk", label)

    # 2. Each regional session gets its date, time, format and place through the session form.
    for number, session in sessions.items():
        day = datetime.date(YEAR, 3, 1) + datetime.timedelta(weeks=3 * number)
        fmt = "offline" if number % 2 else "hybrid"
        url = "" if fmt == "offline" else "https://meet.example.org/kharkiv-" + str(number)
        schedule(page, session.pk, day=day, time="14:30", fmt=fmt, venue=VENUES[number], url=url)
        assert page.url.endswith(f"/sessions/{session.pk}/")
        assert VENUES[number] in page.inner_text("main")
        session.refresh_from_db()
        assert session.local_starts_at.date() == day and session.local_starts_at.strftime("%H:%M") == "14:30"
        assert session.format == fmt and session.venue == VENUES[number]
    check(page, "sessions-journey-session-detail-uk", label)

    # A date without a time is fine, but nonsense is answered with a message and the input is kept.
    page.goto(f"/r/kharkivska/sessions/{sessions[3].pk}/edit/")
    page.fill("input[name=duration_minutes]", "5")
    page.fill("input[name=online_url]", "не посилання")
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    main = page.locator("main")
    assert main.locator(".invalid-feedback").count() >= 2
    assert page.input_value("input[name=online_url]") == "не посилання"
    errors = main.locator(".invalid-feedback").all_inner_texts()
    assert "Введіть коректний URL." in errors, errors
    check(page, "sessions-journey-session-form-errors-uk", label)

    # 3. The agenda page lists all five sessions with their dates.
    page.goto(f"/r/kharkivska/agenda/{YEAR}/")
    assert page.locator("section[aria-labelledby=sessions-heading] li.ca-timeline-item").count() == 5
    for venue in VENUES.values():
        assert venue in page.inner_text("section[aria-labelledby=sessions-heading]")
    check(page, "sessions-journey-agenda-uk", label)

    # 4. Invite the cluster (its representatives) and, one by one, the university's vice-rector.
    page.goto(f"/r/kharkivska/sessions/{sessions[2].pk}/")
    with page.expect_navigation():
        page.click(f"a[href$='/sessions/{sessions[2].pk}/invite/']")
    check(page, "sessions-journey-invite-uk", label)
    page.check(f"input[name=organisations][value='{region['cluster'].pk}']")
    # Ticking the organisation ticks its representative, not everyone who works there.
    assert page.is_checked(f"#person-{region['rep'].pk}")
    assert not page.is_checked(f"#person-{region['deputy'].pk}")
    page.check(f"#person-{region['rector'].pk}")
    page.select_option("select[name=role]", "member")
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    assert page.url.endswith(f"/sessions/{sessions[2].pk}/#participants") or "#participants" in page.url
    invited = set(Attendance.objects.filter(session=sessions[2]).values_list("person__full_name", flat=True))
    assert invited == {"Марія Менеджерка", "Петро Проректор"}
    participants = page.inner_text("main")
    assert "Марія Менеджерка" in participants and "Петро Проректор" in participants
    assert "Іван Заступник" not in participants
    assert {m.to[0] for m in mail.outbox} >= {"rep@example.org", "rector@example.org"}
    check(page, "sessions-journey-invited-uk", label)

    # Inviting nobody is answered with a message, not an error page.
    page.goto(f"/r/kharkivska/sessions/{sessions[3].pk}/invite/")
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    assert page.locator("main .alert-danger").count() == 1

    # 5. The programme coordinator schedules the joint session 1 (online).
    lead = page_factory(viewport=viewport)
    login(lead, region["lead"].email)
    lead.goto(f"/p/integration/sessions/{joint.pk}/")
    with lead.expect_navigation():
        lead.click(f"a[href$='/sessions/{joint.pk}/edit/']")
    lead.fill("input[name=date]", f"{YEAR}-03-02")
    lead.fill("input[name=time]", "10:00")
    lead.select_option("select[name=format]", "online")
    lead.fill("input[name=online_url]", "https://meet.example.org/integration-1")
    with lead.expect_navigation():
        lead.click("main form button[type=submit]")
    joint.refresh_from_db()
    assert joint.local_starts_at.date() == datetime.date(YEAR, 3, 2) and joint.format == "online"
    check(lead, "sessions-journey-joint-uk", label)
    lead.goto("/p/integration/timeline/")
    check(lead, "sessions-journey-programme-timeline-uk", label)

    # All five are dated: the regional timeline shows them in order.
    page.goto("/r/kharkivska/sessions/")
    check(page, "sessions-journey-list-uk", label)
    assert all(s.starts_at for s in Session.objects.filter(agenda=agenda))
