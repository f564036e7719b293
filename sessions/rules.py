"""Who may read and run sessions, external events, materials and calendar feeds.

Sessions 2–5 belong to one region's agenda and follow the region's predicates (regions.rules). Session 1
is held jointly for a whole programme: anyone who may read one of the programme's regions may read it,
and the programme's coordinators (and administrators) run it. Each region records its own acceptance of
the common document, so that is the region coordinator's act.
"""

from regions.models import Material, Programme, Region
from regions.rules import can_manage_region, can_view_region, is_programme_coordinator_of

from .models import Attendance, Session


def can_view_programme(user, programme: Programme) -> bool:
    """One query: does the user see at least one region of the programme?"""
    if not user.is_authenticated:
        return False
    return user.is_superuser or Region.objects.visible_to(user).filter(programmes=programme).exists()


def can_manage_programme(user, programme: Programme) -> bool:
    return is_programme_coordinator_of(user, programme)


def can_view_session(user, session: Session) -> bool:
    if session.programme_id:
        return can_view_programme(user, session.programme)
    return bool(can_view_region(user, session.agenda.region))


def can_manage_session(user, session: Session) -> bool:
    if session.programme_id:
        return can_manage_programme(user, session.programme)
    return bool(can_manage_region(user, session.agenda.region))


def is_invitee(user, attendance: Attendance) -> bool:
    return bool(user.is_authenticated and attendance.person.user_id == user.pk)


def can_reply(user, attendance: Attendance) -> bool:
    """The invited person answers for themself; the session's organisers may record an answer given
    by telephone or e-mail."""
    return is_invitee(user, attendance) or can_manage_session(user, attendance.session)


def can_manage_material(user, material: Material) -> bool:
    if material.region_id:
        return bool(can_manage_region(user, material.region))
    return can_manage_programme(user, material.programme)
