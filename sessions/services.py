"""Writes of the five-session workflow: scheduling, agenda items, invitations and attendance, minutes
and decisions, the status workflow with its guards, the joint session 1 and the regions' acceptance of
the common document, external events (and their import), the materials library and the calendar feed.

Every function re-checks permissions (PermissionDenied) and refuses bad state with a translated
ValidationError before writing anything; workflow functions lock the session row first, so a double
submit or two coordinators clicking at once cannot corrupt it. E-mails are queued after commit.
"""

import datetime
import hashlib
import hmac
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from regions.models import Agenda, Material, Programme, Region
from regions.rules import can_manage_region
from stakeholders.models import Organisation, Person, PersonRole

from .models import (
    KYIV,
    OPEN_STATUSES,
    AgendaItem,
    Attendance,
    CalendarFeed,
    Decision,
    DocumentAcceptance,
    EventStatus,
    ExternalEvent,
    Format,
    Session,
    SessionKind,
)
from .rules import can_manage_material, can_manage_programme, can_manage_session, can_reply

# Proposed sessions start at this local (Kyiv) time on a working day.
DEFAULT_START_TIME = datetime.time(10, 0)
# default_offset_days of the session kinds are written for a window of this many days (3 months).
REFERENCE_WINDOW_DAYS = 91

# The methodology's five sessions (DOMAIN.md §2.4): the template used when the table of session kinds
# lacks one of them. Regions may rename or re-date kinds in the admin; these are only the defaults.
DEFAULT_SESSION_KINDS = [
    {
        "order": 1,
        "code": "joint_agreement",
        "name_uk": "Узгодження документа між усіма регіонами",
        "name_en": "Agreeing the common document across the regions",
        "purpose_uk": "Одна спільна міжрегіональна зустріч: регіони програми узгоджують спільний документ і графік.",
        "purpose_en": "One joint, cross-regional meeting: the programme's regions agree the common document and timetable.",
        "expected_outputs_uk": "Прийняття спільного документа кожним регіоном.",
        "expected_outputs_en": "Each region's acceptance of the common document.",
        "ris3_step": 3,
        "is_cross_regional": True,
        "default_offset_days": 0,
    },
    {
        "order": 2,
        "code": "roles",
        "name_uk": "Початкова сесія: розподіл ролей",
        "name_en": "Initial session: roles",
        "purpose_uk": "Узгодити ролі, зони відповідальності, інтереси та зобов'язання всіх стейкхолдерів; визначити лідера (лідерів).",
        "purpose_en": "Agree every stakeholder's role, zone of responsibility, interests and commitment; name the leader(s).",
        "expected_outputs_uk": "Матриця ролей, підтверджена сторонами; лідер(и).",
        "expected_outputs_en": "Role matrix confirmed by the parties; leader(s).",
        "ris3_step": 2,
        "is_cross_regional": False,
        "default_offset_days": 14,
    },
    {
        "order": 3,
        "code": "challenges",
        "name_uk": "Виклики: колективний ситуаційний SWOT-аналіз",
        "name_en": "Challenges: collective situational SWOT",
        "purpose_uk": "Спільно оцінити сильні й слабкі сторони, можливості й загрози та сформулювати ключові виклики.",
        "purpose_en": "Jointly assess strengths, weaknesses, opportunities and threats and formulate the key challenges.",
        "expected_outputs_uk": "SWOT-дошка; ключові виклики, пов'язані з елементами SWOT.",
        "expected_outputs_en": "SWOT board; key challenges linked to SWOT items.",
        "ris3_step": 1,
        "is_cross_regional": False,
        "default_offset_days": 35,
    },
    {
        "order": 4,
        "code": "goals_plans",
        "name_uk": "Цілі та плани на рік",
        "name_en": "Goals and plans for the year",
        "purpose_uk": "Сформулювати SMART-цілі на рік і портфель проєктів із механізмами та ресурсами.",
        "purpose_en": "Set the year's SMART goals and the project portfolio with mechanisms and resources.",
        "expected_outputs_uk": "SMART-цілі з показниками; портфель проєктів; механізми й джерела фінансування; погодження сторін.",
        "expected_outputs_en": "SMART goals with indicators; project portfolio; mechanisms and funding; endorsements.",
        "ris3_step": 4,
        "is_cross_regional": False,
        "default_offset_days": 56,
    },
    {
        "order": 5,
        "code": "working_teams",
        "name_uk": "Формування 1–3 робочих команд по пілотних проєктах",
        "name_en": "Forming 1–3 working teams for pilot projects",
        "purpose_uk": "Сформувати робочі команди пілотних проєктів і детальні плани дій; підготувати меморандум.",
        "purpose_en": "Form the pilot projects' working teams and detailed action plans; prepare the memorandum.",
        "expected_outputs_uk": "Робочі команди з лідерами; плани дій для 1–2 пілотів; проєкт меморандуму.",
        "expected_outputs_en": "Working teams with leaders; action plans for 1–2 pilots; draft memorandum.",
        "ris3_step": 5,
        "is_cross_regional": False,
        "default_offset_days": 77,
    },
]


# --- helpers ------------------------------------------------------------------------------------------


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def _lock(session: Session) -> Session:
    return (
        Session.objects.select_for_update(of=("self",))
        .select_related("agenda__region", "programme", "kind")
        .get(pk=session.pk)
    )


def local_datetime(day: datetime.date, at: datetime.time) -> datetime.datetime:
    """An aware datetime for a Kyiv wall-clock date and time (DST handled by zoneinfo)."""
    return datetime.datetime.combine(day, at, tzinfo=KYIV)


def working_day(day: datetime.date, *, not_after: datetime.date | None = None) -> datetime.date:
    """The same day on Monday–Friday; a weekend day moves to the next Monday, or back to Friday when
    Monday would fall after `not_after`."""
    if day.weekday() < 5:
        return day
    monday = day + datetime.timedelta(days=7 - day.weekday())
    if not_after is not None and monday > not_after:
        return day - datetime.timedelta(days=day.weekday() - 4)
    return monday


def add_months(day: datetime.date, months: int) -> datetime.date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    # Clamp the day to the month's length (31 January + 1 month = 28/29 February).
    for candidate in (day.day, 30, 29, 28):
        try:
            return datetime.date(year, month, min(day.day, candidate))
        except ValueError:
            continue
    raise ValueError(day)  # pragma: no cover - unreachable


def session_organisations(session: Session) -> QuerySet[Organisation]:
    """The organisations whose people may be invited to the session and be responsible for its
    decisions: the region's, or for the joint session 1 every region's of the programme."""
    if session.programme_id:
        return Organisation.objects.filter(region__programmes=session.programme_id).distinct()
    return Organisation.objects.filter(region_id=session.agenda.region_id)


def session_materials_scope(session: Session) -> QuerySet[Material]:
    """Materials that may be attached to the session: the programme's for session 1; the region's
    and its programmes' for the others."""
    if session.programme_id:
        return Material.objects.filter(programme_id=session.programme_id)
    region_id = session.agenda.region_id
    return Material.objects.filter(Q(region_id=region_id) | Q(programme__regions=region_id)).distinct()


def _ensure_editable(session: Session) -> None:
    if session.status == EventStatus.HELD:
        raise ValidationError(
            _("This session has been held, so its record is closed. Reopen it to change it.")
        )
    if session.status == EventStatus.CANCELLED:
        raise ValidationError(_("This session is cancelled. Reopen it to change it."))


def _check_version(obj, version: int | None) -> None:
    if version is not None and int(version) != obj.version:
        raise ValidationError(
            _(
                "Someone else changed this while you were editing it, so nothing was saved. Check the current "
                "values; submitting the form again will replace them with yours."
            ),
            code="stale",
        )


# --- session kinds and the joint session 1 --------------------------------------------------------


@transaction.atomic
def session_kinds_template() -> list[SessionKind]:
    """The session kinds, ordered; any of the five defaults whose order and code are both free is
    created first, so a fresh installation can open an agenda without typing the template in."""
    kinds = {kind.order: kind for kind in SessionKind.objects.select_for_update()}
    codes = {kind.code for kind in kinds.values()}
    for spec in DEFAULT_SESSION_KINDS:
        if spec["order"] not in kinds and spec["code"] not in codes:
            kinds[spec["order"]] = SessionKind.objects.create(**spec)
    return [kinds[order] for order in sorted(kinds)]


def joint_kind(kinds: Sequence[SessionKind]) -> SessionKind | None:
    return next((k for k in kinds if k.is_cross_regional), None) or next(
        (k for k in kinds if k.order == 1), None
    )


@transaction.atomic
def session_joint_ensure(
    *, programme: Programme, acting_user: User, starts_at: datetime.datetime | None = None
) -> Session:
    """The programme's joint session 1, created (planned, online) when it does not exist yet. A
    programme coordinator may create it, and so may the coordinator of one of its regions (opening an
    agenda creates it)."""
    managed_region = Region.objects.managed_by(acting_user).filter(programmes=programme).exists()
    _require(can_manage_programme(acting_user, programme) or managed_region)
    Programme.objects.select_for_update().filter(pk=programme.pk).first()  # serialise concurrent creators
    existing = Session.objects.filter(programme=programme, number=1).first()
    if existing is not None:
        return existing
    kind = joint_kind(session_kinds_template())
    if kind is None:
        raise ValidationError(_("There is no session kind for the joint session 1."))
    return Session.objects.create(
        programme=programme,
        number=1,
        kind=kind,
        starts_at=starts_at,
        duration_minutes=kind.default_duration_minutes,
        format=Format.ONLINE,
        status=EventStatus.PLANNED,
        created_by=acting_user,
    )


def propose_dates(
    kinds: Sequence[SessionKind], window_start: datetime.date, window_end: datetime.date
) -> list[datetime.date]:
    """One working day per kind, spread over the window: the kinds' own offsets (written for a 3-month
    window) scaled to the window's length, or an even spread when no kind has an offset."""
    days = max((window_end - window_start).days, 0)
    if any(k.default_offset_days for k in kinds):
        offsets = [round(k.default_offset_days * days / REFERENCE_WINDOW_DAYS) for k in kinds]
    else:
        offsets = [round(days * (i + 1) / (len(kinds) + 1)) for i in range(len(kinds))]
    return [
        working_day(window_start + datetime.timedelta(days=min(offset, days)), not_after=window_end)
        for offset in offsets
    ]


def agenda_sessions_create(*, agenda: Agenda, acting_user: User) -> list[Session]:
    """Sessions 2–5 of a new agenda from the template, dated across the agenda's window (called by
    regions.services.agenda_open inside its transaction)."""
    kinds = [k for k in session_kinds_template() if not k.is_cross_regional and 2 <= k.order <= 5]
    dates = propose_dates(kinds, agenda.window_start, agenda.window_end)
    return [
        Session.objects.create(
            agenda=agenda,
            number=kind.order,
            kind=kind,
            starts_at=local_datetime(day, DEFAULT_START_TIME),
            duration_minutes=kind.default_duration_minutes,
            format=Format.HYBRID,
            status=EventStatus.PLANNED,
            created_by=acting_user,
        )
        for kind, day in zip(kinds, dates, strict=True)
    ]


# --- scheduling and minutes ---------------------------------------------------------------------------

SCHEDULE_FIELDS = ("title", "starts_at", "duration_minutes", "format", "venue", "online_url", "facilitator")


@transaction.atomic
def session_update(
    *, session: Session, acting_user: User, version: int | None, notify: bool = False, **fields
) -> Session:
    """Change the date, time, format, place or facilitator. Rescheduling a postponed session plans it
    again. With `notify`, everyone invited (and not declined) gets the updated calendar entry."""
    session = _lock(session)
    _require(can_manage_session(acting_user, session))
    _ensure_editable(session)
    _check_version(session, version)
    unknown = set(fields) - set(SCHEDULE_FIELDS)
    if unknown:
        raise TypeError(f"not schedule fields: {sorted(unknown)}")
    facilitator = fields.get("facilitator")
    if (
        facilitator is not None
        and not session_organisations(session).filter(pk=facilitator.organisation_id).exists()
    ):
        raise ValidationError(
            {"facilitator": _("The facilitator must belong to an organisation taking part.")}
        )
    moved = "starts_at" in fields and fields["starts_at"] != session.starts_at
    for name, value in fields.items():
        setattr(session, name, value)
    changed = list(fields)
    if moved and session.status == EventStatus.POSTPONED and session.starts_at:
        session.status, session.status_reason = EventStatus.PLANNED, ""
        session.status_changed_at, session.status_changed_by = timezone.now(), acting_user
        changed += ["status", "status_reason", "status_changed_at", "status_changed_by"]
    session.version += 1
    session.save(update_fields=[*changed, "version", "updated_at"])
    if notify:
        _queue_updates(session)
    return session


def _queue_updates(session: Session) -> None:
    from .tasks import send_session_update

    for attendance in session.attendances.exclude(reply=Attendance.Reply.DECLINED).select_related("person"):
        if attendance.person.email:
            send_session_update.delay_on_commit(attendance.pk, session.version)


@transaction.atomic
def session_minutes_save(
    *,
    session: Session,
    acting_user: User,
    version: int | None,
    minutes: str,
    summary_uk: str = "",
    summary_en: str = "",
) -> Session:
    session = _lock(session)
    _require(can_manage_session(acting_user, session))
    _ensure_editable(session)
    _check_version(session, version)
    session.minutes, session.summary_uk, session.summary_en = (
        minutes.strip(),
        summary_uk.strip(),
        summary_en.strip(),
    )
    session.version += 1
    session.save(update_fields=["minutes", "summary_uk", "summary_en", "version", "updated_at"])
    return session


@transaction.atomic
def session_materials_set(*, session: Session, materials: Iterable[Material], acting_user: User) -> Session:
    """The materials participants should read before the session."""
    session = _lock(session)
    _require(can_manage_session(acting_user, session))
    materials = list(materials)
    allowed = set(
        session_materials_scope(session).filter(pk__in=[m.pk for m in materials]).values_list("pk", flat=True)
    )
    if any(m.pk not in allowed for m in materials):
        raise ValidationError(_("Only materials of this region or its programme can be attached."))
    session.materials.set(materials)
    return session


# --- agenda items -----------------------------------------------------------------------------------


@transaction.atomic
def agenda_item_save(
    *,
    session: Session,
    acting_user: User,
    item: AgendaItem | None = None,
    title: str,
    order: int | None = None,
    starts_at: datetime.time | None = None,
    duration_minutes: int = 15,
    presenter: str = "",
) -> AgendaItem:
    """Add an item (at the end, or at `order`, moving the later ones down) or change one (moving it
    to `order` swaps it with the item there)."""
    session = _lock(session)
    _require(can_manage_session(acting_user, session))
    _ensure_editable(session)
    items = list(session.items.select_for_update().order_by("order"))
    if item is not None and item.pk not in {i.pk for i in items}:
        raise PermissionDenied
    last = max((i.order for i in items), default=0)
    if item is None:
        order = order or last + 1
        if order <= last:
            # Shift the later items down one place, last first, so (session, order) stays unique.
            for other in reversed([i for i in items if i.order >= order]):
                other.order += 1
                other.save(update_fields=["order", "updated_at"])
        item = AgendaItem(session=session, created_by=acting_user)
    else:
        item = next(i for i in items if i.pk == item.pk)
        order = order or item.order
        occupant = next((i for i in items if i.order == order and i.pk != item.pk), None)
        if occupant is not None:
            old = item.order
            item.order = 0  # free the place for the swap
            item.save(update_fields=["order"])
            occupant.order = old
            occupant.save(update_fields=["order", "updated_at"])
    item.order, item.title, item.starts_at = order, title, starts_at
    item.duration_minutes, item.presenter = duration_minutes, presenter
    item.save()
    return item


@transaction.atomic
def agenda_item_delete(*, item: AgendaItem, acting_user: User) -> None:
    session = _lock(item.session)
    _require(can_manage_session(acting_user, session))
    _ensure_editable(session)
    item.delete()


# --- invitations and attendance --------------------------------------------------------------------


@transaction.atomic
def attendance_invite(
    *,
    session: Session,
    people: Iterable[Person],
    acting_user: User,
    role: str = PersonRole.MEMBER,
    send_email: bool = True,
) -> list[Attendance]:
    """Invite people (picked by organisation) to the session; inviting someone again re-sends the
    invitation. Each e-mail carries the session's .ics and is sent after commit."""
    session = _lock(session)
    _require(can_manage_session(acting_user, session))
    _ensure_editable(session)
    people = list(people)
    if not people:
        raise ValidationError(_("Select at least one person to invite."))
    allowed = set(
        Person.objects.filter(
            pk__in=[p.pk for p in people], organisation__in=session_organisations(session)
        ).values_list("pk", flat=True)
    )
    if any(p.pk not in allowed for p in people):
        raise ValidationError(_("Only people of the organisations taking part can be invited."))
    now = timezone.now()
    existing = {a.person_id: a for a in session.attendances.select_for_update()}
    invited = []
    for person in people:
        attendance = existing.get(person.pk)
        if attendance is None:
            attendance = Attendance.objects.create(
                session=session,
                person=person,
                organisation_id=person.organisation_id,
                role=role,
                invited_at=now,
                created_by=acting_user,
            )
        else:
            attendance.invited_at = now
            attendance.save(update_fields=["invited_at", "updated_at"])
        invited.append(attendance)
    if send_email:
        from .tasks import send_session_invitation

        for attendance, person in zip(invited, people, strict=True):
            if person.email:
                send_session_invitation.delay_on_commit(attendance.pk, attendance.invited_at.isoformat())
    return invited


@transaction.atomic
def attendance_remove(*, attendance: Attendance, acting_user: User) -> None:
    session = _lock(attendance.session)
    _require(can_manage_session(acting_user, session))
    _ensure_editable(session)
    attendance.delete()


@transaction.atomic
def attendance_reply(*, attendance: Attendance, reply: str, acting_user: User) -> Attendance:
    """The invited person's answer (or one the organisers record for them)."""
    _require(can_reply(acting_user, attendance))
    session = _lock(attendance.session)
    if session.status not in (*OPEN_STATUSES, EventStatus.POSTPONED):
        raise ValidationError(
            _("Replies are closed: the session is %(status)s.")
            % {"status": session.get_status_display().lower()}
        )
    if reply not in Attendance.Reply.values or reply == Attendance.Reply.NONE:
        raise ValidationError(_("Choose accept, tentative or decline."))
    attendance = Attendance.objects.select_for_update().get(pk=attendance.pk)
    attendance.reply = reply
    attendance.save(update_fields=["reply", "updated_at"])
    return attendance


@transaction.atomic
def attendance_record(
    *,
    session: Session,
    marks: dict[int, tuple[str, bool | None]],
    acting_user: User,
    now: datetime.datetime | None = None,
) -> int:
    """Record replies and who attended, for several invitations at once ({attendance id: (reply,
    attended)}). Attendance can only be marked once the session has started. Returns rows changed."""
    session = _lock(session)
    _require(can_manage_session(acting_user, session))
    _ensure_editable(session)
    now = now or timezone.now()
    rows = {a.pk: a for a in session.attendances.select_for_update()}
    if set(marks) - set(rows):
        raise ValidationError(_("Some of the rows do not belong to this session; reload the page."))
    if any(attended is not None for _reply, attended in marks.values()) and not (
        session.starts_at and session.starts_at <= now
    ):
        raise ValidationError(_("Attendance can be marked once the session has started."))
    changed = 0
    for pk, (reply, attended) in marks.items():
        row = rows[pk]
        if reply not in Attendance.Reply.values:
            raise ValidationError(_("Unknown reply."))
        if (row.reply, row.attended) != (reply, attended):
            row.reply, row.attended = reply, attended
            row.save(update_fields=["reply", "attended", "updated_at"])
            changed += 1
    return changed


# --- decisions ----------------------------------------------------------------------------------------


@transaction.atomic
def decision_save(
    *,
    session: Session,
    acting_user: User,
    text: str,
    decision: Decision | None = None,
    responsible_org: Organisation | None = None,
    due_date: datetime.date | None = None,
) -> Decision:
    """A decision of the session with the organisation responsible and a due date — the two things
    the teams feature needs to turn it into an action step later."""
    session = _lock(session)
    _require(can_manage_session(acting_user, session))
    _ensure_editable(session)
    if decision is not None and decision.session_id != session.pk:
        raise PermissionDenied
    if (
        responsible_org is not None
        and not session_organisations(session).filter(pk=responsible_org.pk).exists()
    ):
        raise ValidationError({"responsible_org": _("The responsible organisation must be one taking part.")})
    decision = decision or Decision(session=session, created_by=acting_user)
    decision.text, decision.responsible_org, decision.due_date = text.strip(), responsible_org, due_date
    decision.save()
    return decision


@transaction.atomic
def decision_delete(*, decision: Decision, acting_user: User) -> None:
    session = _lock(decision.session)
    _require(can_manage_session(acting_user, session))
    _ensure_editable(session)
    decision.delete()


# --- the status workflow --------------------------------------------------------------------------------


def held_blockers(session: Session, *, now: datetime.datetime | None = None, attendances=None) -> list[str]:
    """Why the session cannot be marked held yet (empty when it can). `attendances` may be passed
    already fetched; otherwise one query."""
    now = now or timezone.now()
    problems = []
    if session.starts_at is None:
        problems.append(_("The session has no date yet."))
    elif session.starts_at > now:
        problems.append(
            _("The session starts on %(when)s; it cannot be marked held before it starts.")
            % {"when": session.starts_at.astimezone(KYIV).strftime("%d.%m.%Y %H:%M")}
        )
    if not session.minutes.strip():
        problems.append(_("Write the minutes first."))
    if attendances is None:
        attendances = list(session.attendances.only("attended"))
    if not attendances:
        problems.append(_("Nobody was invited: invite the participants and mark who attended."))
    else:
        unmarked = sum(1 for a in attendances if a.attended is None)
        if unmarked:
            problems.append(_("Attendance is not marked for %(count)d invited people.") % {"count": unmarked})
        elif not any(a.attended for a in attendances):
            problems.append(_("Nobody is marked as attended."))
    return problems


def _move(session: Session, to: str, acting_user: User, extra: Sequence[str] = ()) -> Session:
    session.status = to
    session.status_changed_at, session.status_changed_by = timezone.now(), acting_user
    session.version += 1
    session.save(
        update_fields=["status", "status_changed_at", "status_changed_by", "version", "updated_at", *extra]
    )
    return session


def _reason(reason: str, message: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": message})
    return reason


def _already(session: Session, to: str) -> None:
    if session.status == to:
        raise ValidationError(
            _("The session is already %(status)s.") % {"status": session.get_status_display().lower()}
        )


@transaction.atomic
def session_confirm(*, session: Session, acting_user: User) -> Session:
    """Planned → confirmed: the date, place and people are settled."""
    session = _lock(session)
    _require(can_manage_session(acting_user, session))
    _already(session, EventStatus.CONFIRMED)
    if session.status not in (EventStatus.IDEA, EventStatus.PLANNED):
        raise ValidationError(_("Only a planned session can be confirmed."))
    if session.starts_at is None:
        raise ValidationError(_("Set the date and time before confirming the session."))
    return _move(session, EventStatus.CONFIRMED, acting_user)


@transaction.atomic
def session_mark_held(
    *, session: Session, acting_user: User, now: datetime.datetime | None = None
) -> Session:
    """Planned/confirmed → held, once it has started and its minutes and attendance are recorded."""
    session = _lock(session)
    _require(can_manage_session(acting_user, session))
    _already(session, EventStatus.HELD)
    if session.status not in OPEN_STATUSES:
        raise ValidationError(
            _("A %(status)s session cannot be marked held; reopen it first.")
            % {"status": session.get_status_display().lower()}
        )
    now = now or timezone.now()
    problems = held_blockers(session, now=now)
    if problems:
        raise ValidationError(problems)
    session.held_at, session.status_reason = now, ""
    return _move(session, EventStatus.HELD, acting_user, ["held_at", "status_reason"])


@transaction.atomic
def session_postpone(*, session: Session, acting_user: User, reason: str) -> Session:
    session = _lock(session)
    _require(can_manage_session(acting_user, session))
    _already(session, EventStatus.POSTPONED)
    if session.status not in OPEN_STATUSES:
        raise ValidationError(
            _("A %(status)s session cannot be postponed.") % {"status": session.get_status_display().lower()}
        )
    session.status_reason = _reason(reason, _("Say why the session is postponed."))
    return _move(session, EventStatus.POSTPONED, acting_user, ["status_reason"])


@transaction.atomic
def session_cancel(*, session: Session, acting_user: User, reason: str) -> Session:
    session = _lock(session)
    _require(can_manage_session(acting_user, session))
    _already(session, EventStatus.CANCELLED)
    if session.status not in (*OPEN_STATUSES, EventStatus.POSTPONED):
        raise ValidationError(
            _("A %(status)s session cannot be cancelled; reopen it first.")
            % {"status": session.get_status_display().lower()}
        )
    session.status_reason = _reason(reason, _("Say why the session is cancelled."))
    return _move(session, EventStatus.CANCELLED, acting_user, ["status_reason"])


@transaction.atomic
def session_reopen(*, session: Session, acting_user: User, reason: str) -> Session:
    """Held, cancelled or postponed → planned again; only the session's coordinator, and the reason is
    kept on the session with who reopened it and when."""
    session = _lock(session)
    _require(can_manage_session(acting_user, session))
    if session.status not in (EventStatus.HELD, EventStatus.CANCELLED, EventStatus.POSTPONED):
        raise ValidationError(_("Only a held, cancelled or postponed session can be reopened."))
    session.reopened_reason = _reason(reason, _("Say why the session is reopened."))
    session.reopened_at, session.reopened_by = timezone.now(), acting_user
    session.held_at, session.status_reason = None, ""
    return _move(
        session,
        EventStatus.PLANNED,
        acting_user,
        ["reopened_reason", "reopened_at", "reopened_by", "held_at", "status_reason"],
    )


# --- session 1: the regions' acceptance of the common document --------------------------------------


@transaction.atomic
def acceptance_record(
    *, session: Session, region: Region, acting_user: User, accepted: bool = True, comments: str = ""
) -> DocumentAcceptance:
    """The region's coordinator records whether the region accepts the common document agreed at the
    joint session 1 (who and when are recorded; reservations go into the comments)."""
    _require(bool(can_manage_region(acting_user, region)))
    session = _lock(session)
    if not session.programme_id or not session.programme.regions.filter(pk=region.pk).exists():
        raise ValidationError(_("This is not the joint session of a programme the region belongs to."))
    comments = (comments or "").strip()
    if not accepted and not comments:
        raise ValidationError({"comments": _("Say why the region does not accept the document.")})
    acceptance, _created = DocumentAcceptance.objects.select_for_update().get_or_create(
        session=session, region=region, defaults={"created_by": acting_user}
    )
    acceptance.accepted, acceptance.comments = accepted, comments
    acceptance.accepted_at, acceptance.accepted_by = timezone.now(), acting_user
    acceptance.save()
    return acceptance


# --- the calendar feed --------------------------------------------------------------------------------


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def calendar_feed_rotate(*, region: Region, acting_user: User) -> str:
    """Issue a new secret subscription token for the region's feed and return it (it is shown once;
    only its SHA-256 is stored). Every earlier link stops working."""
    _require(bool(can_manage_region(acting_user, region)))
    token = secrets.token_urlsafe(32)
    feed = CalendarFeed.objects.select_for_update().filter(region=region).first()
    if feed is None:
        CalendarFeed.objects.create(region=region, token_hash=token_hash(token), created_by=acting_user)
    else:
        feed.token_hash, feed.rotated_at = token_hash(token), timezone.now()
        feed.save(update_fields=["token_hash", "rotated_at", "updated_at"])
    return token


def calendar_feed_check(*, region: Region, token: str) -> bool:
    """Whether `token` opens the region's feed; compared in constant time, and a region without a feed
    costs the same comparison."""
    stored = CalendarFeed.objects.filter(region=region).values_list("token_hash", flat=True).first()
    matches = hmac.compare_digest(token_hash(token or ""), stored or "0" * 64)
    return bool(stored) and matches


# --- external events ------------------------------------------------------------------------------------

EVENT_FIELDS = (
    "kind",
    "title_uk",
    "title_en",
    "starts_at",
    "ends_at",
    "format",
    "location",
    "organiser",
    "stage",
    "session",
    "target_audience",
    "status",
    "expected_outcome",
    "actual_outcome",
    "participants_count",
    "report_url",
)


def event_organisations(agenda: Agenda) -> QuerySet[Organisation]:
    """Organisers may be the region's organisations or national ones."""
    return Organisation.objects.filter(Q(region_id=agenda.region_id) | Q(region__isnull=True))


def event_sessions(agenda: Agenda) -> QuerySet[Session]:
    return Session.objects.filter(Q(agenda=agenda) | Q(programme__agendas=agenda)).distinct()


def _validate_event(agenda: Agenda, values: dict) -> None:
    errors = {}
    organiser, session = values.get("organiser"), values.get("session")
    if organiser is not None and not event_organisations(agenda).filter(pk=organiser.pk).exists():
        errors["organiser"] = _("The organiser must be an organisation of this region or a national one.")
    if session is not None and not event_sessions(agenda).filter(pk=session.pk).exists():
        errors["session"] = _("The session must be one of this agenda.")
    starts_at, ends_at = values.get("starts_at"), values.get("ends_at")
    if starts_at and ends_at and ends_at < starts_at:
        errors["ends_at"] = _("The event cannot end before it starts.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def external_event_save(
    *,
    agenda: Agenda,
    acting_user: User,
    event: ExternalEvent | None = None,
    version: int | None = None,
    **values,
) -> ExternalEvent:
    """Add or change an event planned elsewhere. Linking it to a session links it to that session's
    stage too."""
    _require(bool(can_manage_region(acting_user, agenda.region)))
    unknown = set(values) - set(EVENT_FIELDS)
    if unknown:
        raise TypeError(f"not event fields: {sorted(unknown)}")
    _validate_event(agenda, values)
    if values.get("session") is not None and values.get("stage") is None:
        values["stage"] = values["session"].kind
    if event is None:
        event = ExternalEvent(agenda=agenda, created_by=acting_user)
    else:
        event = ExternalEvent.objects.select_for_update().get(pk=event.pk, agenda=agenda)
        _check_version(event, version)
        event.version += 1
    for name, value in values.items():
        setattr(event, name, value)
    event.save()
    return event


@transaction.atomic
def external_event_delete(*, event: ExternalEvent, acting_user: User) -> None:
    _require(bool(can_manage_region(acting_user, event.agenda.region)))
    event.delete()


@dataclass
class ImportRow:
    """One row of an import file after parsing: its values (model field → value) or its errors."""

    line: int
    label: str
    values: dict = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    uid: str = ""
    action: str = ""  # "create", "update" or "skip"; set by external_events_plan

    @property
    def ok(self) -> bool:
        return not self.errors


def external_events_plan(*, agenda: Agenda, rows: list[ImportRow]) -> list[ImportRow]:
    """Decide for each valid row whether it creates an event, updates the one imported earlier with
    the same UID, or is skipped as a duplicate (same title and start already in the agenda, or twice
    in the file). One query for the agenda's events."""
    existing = list(
        ExternalEvent.objects.filter(agenda=agenda).only("pk", "import_uid", "title_uk", "starts_at")
    )
    by_uid = {e.import_uid: e for e in existing if e.import_uid}
    by_key = {(e.title_uk.strip().casefold(), e.starts_at) for e in existing}
    seen = set()
    for row in rows:
        if not row.ok:
            row.action = ""
            continue
        key = (row.values["title_uk"].strip().casefold(), row.values["starts_at"])
        if (row.uid and row.uid in seen) or key in seen:
            row.action = "skip"
        elif row.uid and row.uid in by_uid:
            row.action = "update"
        elif key in by_key:
            row.action = "skip"
        else:
            row.action = "create"
        seen.update({key, row.uid} - {""})
    return rows


@transaction.atomic
def external_events_import(*, agenda: Agenda, rows: list[ImportRow], acting_user: User) -> dict[str, int]:
    """Write the valid rows of a previewed import in one transaction (rows with errors are skipped, as
    the preview said). Returns counts by action."""
    _require(bool(can_manage_region(acting_user, agenda.region)))
    rows = external_events_plan(agenda=agenda, rows=rows)
    counts = {"create": 0, "update": 0, "skip": 0, "error": 0}
    by_uid = {
        e.import_uid: e
        for e in ExternalEvent.objects.select_for_update().filter(agenda=agenda).exclude(import_uid="")
    }
    for row in rows:
        if not row.ok:
            counts["error"] += 1
            continue
        counts[row.action] += 1
        if row.action == "skip":
            continue
        _validate_event(agenda, row.values)
        if row.action == "update":
            event = by_uid[row.uid]
            event.version += 1
        else:
            event = ExternalEvent(agenda=agenda, import_uid=row.uid, created_by=acting_user)
        for name, value in row.values.items():
            setattr(event, name, value)
        event.save()
    return counts


# --- the materials library ------------------------------------------------------------------------

MATERIAL_FIELDS = ("title", "kind", "language", "url", "file", "description")


@transaction.atomic
def material_save(
    *,
    acting_user: User,
    material: Material | None = None,
    region: Region | None = None,
    programme: Programme | None = None,
    **values,
) -> Material:
    """Add a material to a region's or a programme's library, or change one. A material is a link or
    an uploaded file (at least one of the two)."""
    unknown = set(values) - set(MATERIAL_FIELDS)
    if unknown:
        raise TypeError(f"not material fields: {sorted(unknown)}")
    if material is None:
        if (region is None) == (programme is None):
            raise TypeError("a new material belongs to a region or a programme")
        material = Material(region=region, programme=programme, created_by=acting_user)
    _require(can_manage_material(acting_user, material))
    for name, value in values.items():
        if name == "file" and value is None:
            continue  # no new upload: keep the stored file
        setattr(material, name, value)
    if not material.url and not material.file:
        raise ValidationError(_("Give a link or upload a file."))
    material.save()
    return material


@transaction.atomic
def material_delete(*, material: Material, acting_user: User) -> None:
    _require(can_manage_material(acting_user, material))
    stored = material.file.name if material.file else ""
    storage = material.file.storage if material.file else None
    material.delete()
    if stored:
        transaction.on_commit(lambda: storage.delete(stored))


# --- reminders --------------------------------------------------------------------------------------


def reminders_due(
    *, now: datetime.datetime | None = None, ahead: datetime.timedelta = datetime.timedelta(hours=24)
) -> QuerySet[Attendance]:
    """Invitations whose session starts within `ahead` and that were not reminded for this start yet
    (a rescheduled session is reminded again); declined ones are left alone."""
    now = now or timezone.now()
    return (
        Attendance.objects.filter(
            session__starts_at__gt=now,
            session__starts_at__lte=now + ahead,
            session__status__in=OPEN_STATUSES,
        )
        .exclude(reply=Attendance.Reply.DECLINED)
        .exclude(person__email="")
        .exclude(reminded_for=F("session__starts_at"))
    )


def attendance_claim_reminder(*, attendance_id: int, starts_at: datetime.datetime) -> bool:
    """Mark the invitation reminded for `starts_at`; True only for the one caller that changed it, so
    two workers (or a redelivered task) never send the same reminder twice."""
    updated = (
        Attendance.objects.filter(pk=attendance_id, session__starts_at=starts_at)
        .exclude(reminded_for=starts_at)
        .update(reminded_for=starts_at, updated_at=timezone.now())
    )
    return updated == 1
