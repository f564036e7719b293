"""Opening and editing a region's common agenda (one cycle, one year).

Opening an agenda creates its sessions 2–5 from the session-kind template, dated across the target
window, and makes sure the joint session 1 of each of the region's programmes exists; the sessions are
written by sessions.services (imported inside the functions, as regions sits below sessions).
"""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User

from .models import Agenda, Region
from .rules import can_manage_region

DEFAULT_TITLE_UK = "Спільний порядок денний розвитку інноваційної екосистеми на {year} рік"
DEFAULT_TITLE_EN = "Common agenda for the development of the innovation ecosystem for {year}"
AGENDA_FIELDS = (
    "title_uk",
    "title_en",
    "vision_uk",
    "vision_en",
    "period_start",
    "period_end",
    "window_start",
    "window_end",
    "coordinator_org",
)


def _check_dates(*, period_start, period_end, window_start, window_end) -> None:
    errors = {}
    if period_start and period_end and period_end < period_start:
        errors["period_end"] = _("The period cannot end before it starts.")
    if window_start and window_end and window_end < window_start:
        errors["window_end"] = _("The window cannot end before it starts.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def agenda_open(
    *,
    region: Region,
    year: int,
    acting_user: User,
    window_start: datetime.date | None = None,
    window_months: int = 3,
    title_uk: str = "",
    title_en: str = "",
) -> Agenda:
    """Open the region's agenda for `year`: the agenda, its sessions 2–5 proposed across a window of
    `window_months` from `window_start` (default: today), and each programme's joint session 1 (created
    at the window's start when the programme has none yet). Every date stays editable."""
    from sessions.services import (
        DEFAULT_START_TIME,
        add_months,
        agenda_sessions_create,
        local_datetime,
        session_joint_ensure,
        working_day,
    )

    if not can_manage_region(acting_user, region):
        raise PermissionDenied
    if not 2000 <= year <= 2100:
        raise ValidationError({"year": _("Give a year between 2000 and 2100.")})
    if not 1 <= window_months <= 12:
        raise ValidationError({"window_months": _("The window lasts from 1 to 12 months.")})
    # Lock the region so that two coordinators opening the same year cannot both get past the check.
    region = Region.objects.select_for_update().get(pk=region.pk)
    if Agenda.objects.filter(region=region, year=year).exists():
        raise ValidationError({"year": _("The region already has an agenda for %(year)d.") % {"year": year}})
    window_start = window_start or timezone.localdate()
    window_end = add_months(window_start, window_months)
    agenda = Agenda.objects.create(
        region=region,
        year=year,
        title_uk=title_uk.strip() or DEFAULT_TITLE_UK.format(year=year),
        title_en=title_en.strip() or DEFAULT_TITLE_EN.format(year=year),
        period_start=datetime.date(year, 1, 1),
        period_end=datetime.date(year, 12, 31),
        window_start=window_start,
        window_end=window_end,
        created_by=acting_user,
    )
    programmes = list(region.programmes.all())
    agenda.programmes.set(programmes)
    agenda_sessions_create(agenda=agenda, acting_user=acting_user)
    joint_start = local_datetime(working_day(window_start, not_after=window_end), DEFAULT_START_TIME)
    for programme in programmes:
        session_joint_ensure(programme=programme, acting_user=acting_user, starts_at=joint_start)
    return agenda


@transaction.atomic
def agenda_update(*, agenda: Agenda, acting_user: User, version: int | None, **values) -> Agenda:
    """Change the agenda's titles, vision, period, target window or coordinating organisation. The
    `version` the form was read at must still be current (a concurrent edit is refused)."""
    unknown = set(values) - set(AGENDA_FIELDS)
    if unknown:
        raise TypeError(f"not agenda fields: {sorted(unknown)}")
    agenda = Agenda.objects.select_for_update().select_related("region").get(pk=agenda.pk)
    if not can_manage_region(acting_user, agenda.region):
        raise PermissionDenied
    if version is not None and int(version) != agenda.version:
        raise ValidationError(
            _(
                "Someone else changed this agenda while you were editing it, so nothing was saved. Check the "
                "current values; submitting the form again will replace them with yours."
            ),
            code="stale",
        )
    merged = {
        name: values.get(name, getattr(agenda, name))
        for name in ("period_start", "period_end", "window_start", "window_end")
    }
    _check_dates(**merged)
    organisation = values.get("coordinator_org")
    if organisation is not None and organisation.region_id not in (None, agenda.region_id):
        raise ValidationError({"coordinator_org": _("The coordinating organisation must be of this region.")})
    for name, value in values.items():
        setattr(agenda, name, value)
    agenda.version += 1
    agenda.save(update_fields=[*values, "version", "updated_at"])
    return agenda
