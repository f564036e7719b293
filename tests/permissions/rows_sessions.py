"""Permission rows of the session workflow: region A's sessions 2–5, events, materials and calendar feed;
the programme's joint session 1, its timeline and materials; opening and editing an agenda."""

import datetime
import hashlib

from django.core.files.base import ContentFile
from django.utils import timezone

from regions.models import Material
from sessions.models import AgendaItem, Attendance, CalendarFeed, Decision, ExternalEvent, Session
from tests import factories as f

from .table import Row
from .world import EVERYONE, LOGGED_IN, MANAGERS_A, PROGRAMME_LEADS, READERS_A

OUTSIDERS_A = frozenset({"coord_b"})
INVITEE_A = frozenset({"rep_x_a"})
FEED_TOKEN = {"a": "feed-token-of-region-a-0123456789abcdef", "b": "feed-token-of-region-b-0123456789abcdef"}


def _material(**kw) -> Material:
    material = Material.objects.create(title="Методичні рекомендації", kind=Material.Kind.METHODOLOGY, **kw)
    material.file.save("method.txt", ContentFile(b"read me"), save=True)
    return material


def extend_world(w):
    for key in ("a", "b"):
        session = w.objects[f"session_{key}"]
        person = w.objects[f"person_x_{key}"]
        w.objects[f"item_{key}"] = AgendaItem.objects.create(session=session, order=1, title="Вітання")
        w.objects[f"attendance_{key}"] = Attendance.objects.create(
            session=session, person=person, organisation=person.organisation
        )
        w.objects[f"decision_{key}"] = Decision.objects.create(
            session=session, text="Підготувати матрицю", responsible_org=person.organisation
        )
        w.objects[f"event_{key}"] = ExternalEvent.objects.create(
            agenda=w.objects[f"agenda_{key}"],
            title_uk="Круглий стіл",
            starts_at=timezone.now() + datetime.timedelta(days=20),
        )
        w.objects[f"material_{key}"] = _material(region=w.objects[f"region_{key}"])
        CalendarFeed.objects.create(
            region=w.objects[f"region_{key}"], token_hash=hashlib.sha256(FEED_TOKEN[key].encode()).hexdigest()
        )
    kind = f.SessionKindFactory(order=1, code="joint_agreement")
    joint = Session.objects.create(
        programme=w.programme, number=1, kind=kind, starts_at=timezone.now() + datetime.timedelta(days=3)
    )
    w.objects["joint"] = joint
    w.objects["joint_item"] = AgendaItem.objects.create(session=joint, order=1, title="Спільний документ")
    w.objects["joint_attendance"] = Attendance.objects.create(
        session=joint, person=w.person_x_a, organisation=w.org_x_a
    )
    w.objects["joint_decision"] = Decision.objects.create(session=joint, text="Погодити документ")
    w.objects["programme_material"] = _material(programme=w.programme)


def _a(**extra):
    return lambda w: {"region": w.region_a.slug, **{k: v(w) for k, v in extra.items()}}


def _s(**extra):
    return lambda w: {"region": w.region_a.slug, "pk": w.session_a.pk, **{k: v(w) for k, v in extra.items()}}


def _p(**extra):
    return lambda w: {"programme": w.programme.code, "pk": w.joint.pk, **{k: v(w) for k, v in extra.items()}}


def _schedule(session_key):
    return lambda w: {
        "date": "2030-05-06",
        "time": "10:00",
        "duration_minutes": 120,
        "format": "hybrid",
        "version": w.objects[session_key].version,
    }


def _session_rows(
    ns,
    kwargs,
    session_key,
    item_key,
    attendance_key,
    decision_key,
    managers,
    readers,
    invitee,
    person_key,
    hide,
):
    """The rows every session has, in the region scope or the programme scope."""
    return [
        Row(f"{ns}:session-detail", kwargs(), get=readers, hide_from=hide),
        Row(f"{ns}:session-ics", kwargs(), get=readers, hide_from=hide),
        Row(
            f"{ns}:session-edit",
            kwargs(),
            get=managers,
            post=managers,
            data=_schedule(session_key),
            hide_from=hide,
        ),
        Row(
            f"{ns}:session-minutes",
            kwargs(),
            get=managers,
            post=managers,
            data=lambda w: {"minutes": "## Протокол", "version": w.objects[session_key].version},
            hide_from=hide,
        ),
        Row(
            f"{ns}:session-materials",
            kwargs(),
            get=managers,
            post=managers,
            data=lambda w: {"materials": []},
            hide_from=hide,
        ),
        Row(f"{ns}:session-confirm", kwargs(), post=managers, hide_from=hide),
        Row(f"{ns}:session-hold", kwargs(), post=managers, hide_from=hide),
        Row(
            f"{ns}:session-postpone",
            kwargs(),
            post=managers,
            data=lambda w: {"postpone-reason": "Зал зайнятий"},
            hide_from=hide,
        ),
        Row(
            f"{ns}:session-cancel",
            kwargs(),
            post=managers,
            data=lambda w: {"cancel-reason": "Скасовано"},
            hide_from=hide,
        ),
        Row(
            f"{ns}:session-reopen",
            kwargs(),
            post=managers,
            data=lambda w: {"reopen-reason": "Помилка"},
            hide_from=hide,
        ),
        Row(
            f"{ns}:agendaitem-create",
            kwargs(),
            get=managers,
            post=managers,
            data=lambda w: {"title": "Підсумки", "duration_minutes": 15},
            hide_from=hide,
        ),
        Row(
            f"{ns}:agendaitem-edit",
            kwargs(item=lambda w: w.objects[item_key].pk),
            get=managers,
            post=managers,
            data=lambda w: {"title": "Вітання", "order": 1, "duration_minutes": 10},
            hide_from=hide,
        ),
        Row(
            f"{ns}:agendaitem-delete",
            kwargs(item=lambda w: w.objects[item_key].pk),
            post=managers,
            hide_from=hide,
        ),
        Row(
            f"{ns}:attendance-invite",
            kwargs(),
            get=managers,
            post=managers,
            data=lambda w: {"people": [w.objects[person_key].pk], "role": "member", "send_email": "on"},
            hide_from=hide,
        ),
        Row(
            f"{ns}:attendance-mark",
            kwargs(),
            get=managers,
            post=managers,
            data=lambda w: {f"reply_{w.objects[attendance_key].pk}": "accepted"},
            hide_from=hide,
        ),
        Row(
            f"{ns}:attendance-reply",
            kwargs(),
            post=invitee,
            data=lambda w: {"reply": "accepted"},
            hide_from=hide,
        ),
        Row(
            f"{ns}:attendance-remove",
            kwargs(attendance=lambda w: w.objects[attendance_key].pk),
            post=managers,
            hide_from=hide,
        ),
        Row(
            f"{ns}:decision-create",
            kwargs(),
            get=managers,
            post=managers,
            data=lambda w: {"text": "Зібрати пропозиції"},
            hide_from=hide,
        ),
        Row(
            f"{ns}:decision-edit",
            kwargs(decision=lambda w: w.objects[decision_key].pk),
            get=managers,
            post=managers,
            data=lambda w: {"text": "Зібрати пропозиції до 1 березня"},
            hide_from=hide,
        ),
        Row(
            f"{ns}:decision-delete",
            kwargs(decision=lambda w: w.objects[decision_key].pk),
            post=managers,
            hide_from=hide,
        ),
    ]


def _m(**extra):
    return lambda w: {"region": w.region_a.slug, **{k: v(w) for k, v in extra.items()}}


def _pm(**extra):
    return lambda w: {"programme": w.programme.code, **{k: v(w) for k, v in extra.items()}}


def MATERIAL_DATA(w):
    return {
        "title": "Звіт регіону",
        "kind": "report",
        "language": "uk",
        "url": "https://example.org/report.pdf",
    }


def EVENT_DATA(w):
    return {
        "title_uk": "Форум",
        "kind": "forum",
        "status": "planned",
        "start_date": "2030-03-03",
        "start_time": "10:00",
        "format": "offline",
    }


ROWS = [
    # --- region A: lists, timeline, calendar feed -------------------------------------------------------
    Row("sessions:session-list", _a(), get=READERS_A, hide_from=OUTSIDERS_A),
    Row("sessions:session-timeline", _a(), get=READERS_A, hide_from=OUTSIDERS_A),
    *_session_rows(
        "sessions",
        _s,
        "session_a",
        "item_a",
        "attendance_a",
        "decision_a",
        MANAGERS_A,
        READERS_A,
        INVITEE_A,
        "person_y_a",
        OUTSIDERS_A,
    ),
    Row(
        "sessions:acceptance-record",
        lambda w: {"region": w.region_a.slug, "pk": w.joint.pk},
        get=MANAGERS_A,
        post=MANAGERS_A,
        data=lambda w: {"answer": "accepted"},
        hide_from=OUTSIDERS_A,
    ),
    Row("sessions:calendarfeed-detail", _a(), get=MANAGERS_A, hide_from=OUTSIDERS_A),
    Row("sessions:calendarfeed-rotate", _a(), post=MANAGERS_A, hide_from=OUTSIDERS_A),
    # The feed is public and opened by its secret: anyone holding the link reads it.
    Row(
        "sessions:calendarfeed-ics",
        lambda w: {"region": w.region_a.slug, "token": FEED_TOKEN["a"]},
        get=EVERYONE,
    ),
    # --- region A: external events ---------------------------------------------------------------------
    Row("sessions:externalevent-list", _a(), get=READERS_A, hide_from=OUTSIDERS_A),
    Row(
        "sessions:externalevent-create",
        _a(),
        get=MANAGERS_A,
        post=MANAGERS_A,
        data=EVENT_DATA,
        hide_from=OUTSIDERS_A,
    ),
    Row(
        "sessions:externalevent-edit",
        _m(pk=lambda w: w.event_a.pk),
        get=MANAGERS_A,
        post=MANAGERS_A,
        data=EVENT_DATA,
        hide_from=OUTSIDERS_A,
    ),
    Row(
        "sessions:externalevent-delete", _m(pk=lambda w: w.event_a.pk), post=MANAGERS_A, hide_from=OUTSIDERS_A
    ),
    Row("sessions:externalevent-import", _a(), get=MANAGERS_A, post=MANAGERS_A, hide_from=OUTSIDERS_A),
    # --- region A: materials -----------------------------------------------------------------------------
    Row("sessions:material-list", _a(), get=READERS_A, hide_from=OUTSIDERS_A),
    Row(
        "sessions:material-create",
        _a(),
        get=MANAGERS_A,
        post=MANAGERS_A,
        data=MATERIAL_DATA,
        hide_from=OUTSIDERS_A,
    ),
    Row(
        "sessions:material-edit",
        _m(pk=lambda w: w.material_a.pk),
        get=MANAGERS_A,
        post=MANAGERS_A,
        data=MATERIAL_DATA,
        hide_from=OUTSIDERS_A,
    ),
    Row("sessions:material-delete", _m(pk=lambda w: w.material_a.pk), post=MANAGERS_A, hide_from=OUTSIDERS_A),
    Row("sessions:material-file", _m(pk=lambda w: w.material_a.pk), get=READERS_A, hide_from=OUTSIDERS_A),
    # --- the programme: timeline of its regions, the joint session 1, its materials ----------------------
    # Everyone in the world reads a region of the programme; each sees only the regions they may read.
    Row("programme_sessions:session-timeline", lambda w: {"programme": w.programme.code}, get=LOGGED_IN),
    Row("programme_sessions:session-create", lambda w: {"programme": w.programme.code}, post=PROGRAMME_LEADS),
    *_session_rows(
        "programme_sessions",
        _p,
        "joint",
        "joint_item",
        "joint_attendance",
        "joint_decision",
        PROGRAMME_LEADS,
        LOGGED_IN,
        INVITEE_A,
        "person_y_b",
        frozenset(),
    ),
    Row("programme_sessions:material-list", _pm(), get=LOGGED_IN),
    Row(
        "programme_sessions:material-create",
        _pm(),
        get=PROGRAMME_LEADS,
        post=PROGRAMME_LEADS,
        data=MATERIAL_DATA,
    ),
    Row(
        "programme_sessions:material-edit",
        _pm(pk=lambda w: w.programme_material.pk),
        get=PROGRAMME_LEADS,
        post=PROGRAMME_LEADS,
        data=MATERIAL_DATA,
    ),
    Row(
        "programme_sessions:material-delete", _pm(pk=lambda w: w.programme_material.pk), post=PROGRAMME_LEADS
    ),
    Row("programme_sessions:material-file", _pm(pk=lambda w: w.programme_material.pk), get=LOGGED_IN),
    # --- opening and editing an agenda (regions app, written for the session cycle) ---------------------
    Row(
        "regions:agenda-create",
        _a(),
        get=MANAGERS_A,
        post=MANAGERS_A,
        data=lambda w: {"year": 2030, "window_start": "2029-10-01", "window_months": 3},
        hide_from=OUTSIDERS_A,
    ),
    Row(
        "regions:agenda-edit",
        lambda w: {"region": w.region_a.slug, "year": w.agenda_a.year},
        get=MANAGERS_A,
        post=MANAGERS_A,
        data=lambda w: {
            "title_uk": "Порядок денний",
            "period_start": "2021-01-01",
            "period_end": "2021-12-31",
            "version": w.agenda_a.version,
        },
        hide_from=OUTSIDERS_A,
    ),
]
