"""Writes of the stakeholders app: the directory (organisations, people, import) and the role matrix
(rows, confirmation, leaders, reminders). Views, tasks and the admin call these; each re-checks who may
act, so a forged request cannot bypass a view.

Concurrency: a role-matrix row carries `version`. Every write that changes a row claims it first with a
compare-and-swap UPDATE (`… WHERE version = <the version the user saw>`), which is atomic on SQLite and
PostgreSQL alike, so two people saving the same row can never both win: the second gets
`RoleEntryConflict` and sees both versions side by side.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.text import get_text_list
from django.utils.translation import gettext as _

from accounts.models import User
from regions.models import Agenda, Region, SpecialisationDomain
from regions.rules import can_manage_region, can_view_region, represents

from . import importers
from .models import Organisation, Person, RoleMatrixEntry

# The content a representative states and confirms. Changing any of these after a confirmation clears
# it (DESIGN §4.2). Leadership is the coordinator's designation, recorded separately
# (`role_entry_set_leader`), and does not clear a confirmation — as in the admin.
CONFIRMED_FIELDS: tuple[str, ...] = (
    "representative",
    "current_role_type",
    "current_role",
    "refined_role_type",
    "refined_role",
    "comment",
    "zone_of_responsibility",
    "sphere_of_interest",
    "domains",
    "commitment",
    "commitment_level",
)
# Who represents the organisation in the matrix is the coordinator's choice, not the representative's.
COORDINATOR_ONLY_FIELDS: frozenset[str] = frozenset({"representative"})

# A second reminder within this time is refused (a double click must not mail people twice).
REMINDER_COOLDOWN = datetime.timedelta(hours=1)


class RoleEntryConflict(Exception):
    """The row changed since the user opened it: `current` is the saved row (fresh from the database),
    `submitted` what the user tried to save, `fields` the fields where the two differ."""

    def __init__(self, *, current: RoleMatrixEntry, submitted: Mapping, fields: list[str]):
        super().__init__(f"role-matrix row {current.pk} is at version {current.version}")
        self.current = current
        self.submitted = dict(submitted)
        self.fields = fields


# -- permission predicates (regions.rules are the base) ----------------------------------------------


def can_view_directory(user, region: Region) -> bool:
    return bool(can_view_region(user, region))


def can_manage_directory(user, region: Region) -> bool:
    return bool(can_manage_region(user, region))


def can_edit_role_entry(user, entry: RoleMatrixEntry) -> bool:
    """The region's coordinator (or an administrator), or a representative of the row's organisation."""
    return bool(can_manage_region(user, entry.agenda.region) or represents(user, entry.organisation_id))


def can_confirm_role_entry(user, entry: RoleMatrixEntry) -> bool:
    """Only the organisation's own representative confirms its row: a confirmation is the party's word,
    so coordinators (and administrators) may not give it on the party's behalf."""
    return represents(user, entry.organisation_id)


def editable_role_fields(user, entry: RoleMatrixEntry) -> tuple[str, ...]:
    if can_manage_region(user, entry.agenda.region):
        return CONFIRMED_FIELDS
    return tuple(name for name in CONFIRMED_FIELDS if name not in COORDINATOR_ONLY_FIELDS)


def _require_manager(user, region: Region) -> None:
    if not can_manage_region(user, region):
        raise PermissionDenied


def _history(obj, user: User | None, reason: str = "") -> None:
    """Tell django-simple-history who acted and why (the middleware knows only the request's user, and
    tasks have none)."""
    obj._history_user = user if user is not None and user.is_authenticated else None
    if reason:
        obj._change_reason = reason[:100]


# -- organisations and people ---------------------------------------------------------------------

ORGANISATION_FIELDS = (
    "name_uk",
    "name_en",
    "short_name",
    "kind",
    "helix",
    "city",
    "edrpou",
    "size",
    "has_rnd_unit",
    "parent",
    "website",
)
PERSON_FIELDS = (
    "full_name",
    "position_uk",
    "position_en",
    "email",
    "phone",
    "preferred_language",
    "is_representative",
    "consent_given",
    "consent_date",
)


def _save_organisation(organisation: Organisation) -> None:
    if organisation.parent_id and organisation.parent.region_id != organisation.region_id:
        raise ValidationError({"parent": _("The parent organisation must be in the same region.")})
    if organisation.parent_id and organisation.parent_id == organisation.pk:
        raise ValidationError({"parent": _("An organisation cannot be its own parent.")})
    try:
        with transaction.atomic():
            organisation.save()
    except IntegrityError as exc:
        raise ValidationError(
            {"name_uk": _("An organisation with this name already exists in the region.")}
        ) from exc


def _apply_organisation(organisation: Organisation, data: Mapping) -> None:
    for name in ORGANISATION_FIELDS:
        if name in data:
            value = data[name]
            setattr(organisation, name, "" if value is None and name != "parent" else value)


@transaction.atomic
def organisation_create(*, region: Region, data: Mapping, acting_user: User) -> Organisation:
    """Add an organisation to the region's directory. The helix side defaults from the kind."""
    _require_manager(acting_user, region)
    organisation = Organisation(region=region, created_by=acting_user)
    _apply_organisation(organisation, data)
    _save_organisation(organisation)
    return organisation


@transaction.atomic
def organisation_update(*, organisation: Organisation, data: Mapping, acting_user: User) -> Organisation:
    _require_manager(acting_user, organisation.region)
    _apply_organisation(organisation, data)
    _save_organisation(organisation)
    return organisation


def _apply_person(person: Person, data: Mapping) -> None:
    for name in PERSON_FIELDS:
        if name in data:
            setattr(person, name, data[name])
    person.email = (person.email or "").strip()
    if person.consent_given and not person.consent_date:
        person.consent_date = timezone.localdate()
    if not person.consent_given:
        person.consent_date = None


@transaction.atomic
def person_create(*, organisation: Organisation, data: Mapping, acting_user: User) -> Person:
    """Add a person (a representative, by default) to an organisation of the region."""
    _require_manager(acting_user, organisation.region)
    person = Person(organisation=organisation, created_by=acting_user)
    _apply_person(person, data)
    person.save()
    return person


@transaction.atomic
def person_update(*, person: Person, data: Mapping, acting_user: User) -> Person:
    _require_manager(acting_user, person.organisation.region)
    _apply_person(person, data)
    person.save()
    return person


# -- import ---------------------------------------------------------------------------------------


def directory_import_preview(
    *, region: Region, what: str, uploaded_file, acting_user: User
) -> importers.ImportPreview:
    """Read a CSV/XLSX file and check every row; writes nothing. Raises ValidationError when the file
    as a whole cannot be read (format, encoding, header, size)."""
    _require_manager(acting_user, region)
    table = importers.read_table(uploaded_file, what)
    return importers.check_rows(region=region, what=what, table=table)


@dataclass
class ImportResult:
    what: str
    created: list = field(default_factory=list)  # Organisation or Person objects
    rejected: list[importers.RowCheck] = field(default_factory=list)


@transaction.atomic
def directory_import_commit(
    *, region: Region, what: str, table: importers.Table, acting_user: User
) -> ImportResult:
    """Import the rows the coordinator confirmed after the preview. Every row is checked again (the
    directory may have changed since); rows that fail now are reported in `rejected`, never dropped
    silently. Each row is written in its own savepoint, so a row refused by the database (a duplicate
    that appeared meanwhile) is reported too, and does not undo the others."""
    _require_manager(acting_user, region)
    preview = importers.check_rows(region=region, what=what, table=table)
    result = ImportResult(what=what, rejected=[row for row in preview.rows if not row.ok])
    for row in preview.rows:
        if not row.ok:
            continue
        try:
            with transaction.atomic():
                if what == importers.ORGANISATIONS:
                    obj = Organisation(region=region, created_by=acting_user, **row.values)
                else:
                    obj = Person(created_by=acting_user, **row.values)
                obj.save()
        except IntegrityError:
            row.errors.append(_("The database refused this row (a duplicate added meanwhile?)."))
            result.rejected.append(row)
        else:
            result.created.append(obj)
    result.rejected.sort(key=lambda r: r.line)
    return result


# -- the role matrix --------------------------------------------------------------------------------


def _current_value(entry: RoleMatrixEntry, name: str):
    if name == "domains":
        return frozenset(entry.domains.values_list("pk", flat=True))
    if name == "representative":
        return entry.representative_id
    return getattr(entry, name)


def _submitted_value(data: Mapping, name: str):
    value = data[name]
    if name == "domains":
        return frozenset(d.pk if hasattr(d, "pk") else int(d) for d in (value or ()))
    if name == "representative":
        return value.pk if hasattr(value, "pk") else value
    if name == "commitment_level":
        return int(value)
    return value if value is not None else ""


def role_entry_changed_fields(entry: RoleMatrixEntry, data: Mapping) -> list[str]:
    """The fields of `data` whose value differs from the row as saved (one query when domains are in
    `data`)."""
    return [
        name
        for name in CONFIRMED_FIELDS
        if name in data and _current_value(entry, name) != _submitted_value(data, name)
    ]


def _claim(entry: RoleMatrixEntry, expected_version: int) -> bool:
    """Compare-and-swap: raise the row's version only if it is still the one the user saw."""
    return bool(
        RoleMatrixEntry.objects.filter(pk=entry.pk, version=expected_version).update(
            version=expected_version + 1
        )
    )


def _locked(entry: RoleMatrixEntry) -> RoleMatrixEntry:
    return (
        RoleMatrixEntry.objects.select_for_update(of=("self",))
        .select_related(
            "agenda__region", "organisation", "representative", "leader_direction", "confirmed_by"
        )
        .get(pk=entry.pk)
    )


def _field_labels(names: Iterable[str]) -> str:
    return get_text_list([str(RoleMatrixEntry._meta.get_field(n).verbose_name) for n in names], _("and"))


@transaction.atomic
def role_entry_update(
    *, entry: RoleMatrixEntry, data: Mapping, expected_version: int, acting_user: User
) -> RoleMatrixEntry:
    """Save a row's content. `expected_version` is the version the user opened; if the row changed
    since, `RoleEntryConflict` is raised and nothing is written. Changing a confirmed row clears the
    confirmation and records why. Saving the same values again changes nothing (no new version)."""
    if not can_edit_role_entry(acting_user, entry):
        raise PermissionDenied
    allowed = editable_role_fields(acting_user, entry)
    if set(data) - set(allowed):
        raise PermissionDenied
    current = _locked(entry)
    region = current.agenda.region
    representative = data.get("representative")
    if representative is not None and representative.organisation_id != current.organisation_id:
        raise ValidationError({"representative": _("The representative must belong to the organisation.")})
    if any(domain.region_id != region.pk for domain in data.get("domains") or ()):
        raise ValidationError({"domains": _("Choose domains of this region.")})

    changed = role_entry_changed_fields(current, data)
    if not changed:
        return current
    if current.version != expected_version or not _claim(current, expected_version):
        current.refresh_from_db()
        raise RoleEntryConflict(
            current=current, submitted=data, fields=role_entry_changed_fields(current, data)
        )

    update_fields = [name for name in changed if name != "domains"]
    history_note = ""
    if current.is_confirmed:
        current.confirmation_cleared_reason = (
            _("Changed by %(user)s after confirmation: %(fields)s")
            % {"user": acting_user.display_name, "fields": _field_labels(changed)}
        )[:300]
        current.confirmed_at = None
        current.confirmed_by = None
        update_fields += ["confirmed_at", "confirmed_by", "confirmation_cleared_reason"]
        history_note = _("Confirmation cleared by this change")
    for name in update_fields:
        if name in data:
            setattr(current, name, data[name] if data[name] is not None or name == "representative" else "")
    if "domains" in changed:
        # Change the many-to-many set without a history row of its own; the save below records the row
        # once, with its new domains.
        current.skip_history_when_saving = True
        try:
            current.domains.set(data["domains"])
        finally:
            del current.skip_history_when_saving
    current.version = expected_version + 1
    _history(current, acting_user, history_note)
    current.save(update_fields=[*update_fields, "version", "updated_at"])
    return current


@transaction.atomic
def role_entry_confirm(
    *, entry: RoleMatrixEntry, expected_version: int, acting_user: User
) -> RoleMatrixEntry:
    """The organisation's representative confirms its row as it stands at `expected_version`; a row
    changed since must be reviewed first. Confirming an already confirmed row changes nothing."""
    if not can_confirm_role_entry(acting_user, entry):
        raise PermissionDenied
    current = _locked(entry)
    if current.is_confirmed:
        return current
    if current.version != expected_version or not _claim(current, expected_version):
        raise ValidationError(
            _("This row was changed since you opened it. Review the current version and confirm again.")
        )
    current.confirmed_at = timezone.now()
    current.confirmed_by = acting_user
    current.confirmation_cleared_reason = ""
    current.version = expected_version + 1
    _history(current, acting_user, _("Confirmed"))
    current.save(
        update_fields=["confirmed_at", "confirmed_by", "confirmation_cleared_reason", "version", "updated_at"]
    )
    return current


@transaction.atomic
def role_entry_set_leader(
    *,
    entry: RoleMatrixEntry,
    is_leader: bool,
    direction: SpecialisationDomain | None = None,
    acting_user: User,
) -> RoleMatrixEntry:
    """Name (or un-name) the row's organisation a leader of the agenda, optionally for one direction
    (smart-specialisation domain). At most one leader per direction. Leadership is the coordinator's
    designation: it raises the version but leaves a confirmation in place."""
    region = entry.agenda.region
    _require_manager(acting_user, region)
    if not is_leader:
        direction = None
    if direction is not None and direction.region_id != region.pk:
        raise ValidationError(_("Choose a direction of this region."))
    current = _locked(entry)
    if current.is_leader == is_leader and current.leader_direction_id == (
        direction.pk if direction else None
    ):
        return current
    if direction is not None:
        other = (
            RoleMatrixEntry.objects.filter(agenda_id=current.agenda_id, leader_direction=direction)
            .exclude(pk=current.pk)
            .select_related("organisation")
            .first()
        )
        if other is not None:
            raise ValidationError(
                _("%(organisation)s already leads «%(direction)s».")
                % {"organisation": other.organisation, "direction": direction.name}
            )
    if not _claim(current, current.version):
        raise ValidationError(_("This row is being changed by someone else; try again."))
    current.is_leader = is_leader
    current.leader_direction = direction
    current.version += 1
    if is_leader:
        reason = _("Named leader") + (f": {direction.name}" if direction else "")
    else:
        reason = _("Leader mark removed")
    _history(current, acting_user, reason)
    try:
        with transaction.atomic():
            current.save(update_fields=["is_leader", "leader_direction", "version", "updated_at"])
    except IntegrityError as exc:  # another row took the direction in a concurrent request
        raise ValidationError(
            _("Another organisation has just been named leader of «%(direction)s»; reload the page.")
            % {"direction": direction.name if direction else ""}
        ) from exc
    return current


@transaction.atomic
def role_matrix_set_leaders(
    *,
    agenda: Agenda,
    changes: Iterable[tuple[RoleMatrixEntry, bool, SpecialisationDomain | None]],
    acting_user: User,
) -> int:
    """Apply several leadership changes at once (the leaders page), all or nothing. Directions that move
    from one row to another are released first, so that two rows can swap directions. Returns the
    number of rows changed."""
    _require_manager(acting_user, agenda.region)
    changes = list(changes)
    for entry, _is_leader, direction in changes:
        if entry.agenda_id != agenda.pk:
            raise ValidationError(_("This row belongs to another agenda."))
        if entry.leader_direction_id and entry.leader_direction_id != (direction.pk if direction else None):
            role_entry_set_leader(
                entry=entry, is_leader=entry.is_leader, direction=None, acting_user=acting_user
            )
    for entry, is_leader, direction in changes:
        role_entry_set_leader(entry=entry, is_leader=is_leader, direction=direction, acting_user=acting_user)
    return len(changes)


def _default_representatives(organisations: Sequence[Organisation]) -> dict[int, Person]:
    """Each organisation's first representative, preferring one with an account, then one with an
    e-mail address. One query."""
    best: dict[int, Person] = {}
    people = Person.objects.filter(organisation__in=organisations, is_representative=True).order_by(
        "full_name", "pk"
    )
    for person in people:
        rank = (person.user_id is None, not person.email)
        held = best.get(person.organisation_id)
        if held is None or rank < (held.user_id is None, not held.email):
            best[person.organisation_id] = person
    return best


@transaction.atomic
def role_matrix_add_organisation(
    *, agenda: Agenda, organisations: Iterable[Organisation], acting_user: User
) -> list[RoleMatrixEntry]:
    """Give each organisation (of the agenda's region) a row in the agenda's role matrix, with its
    representative filled in when it has one. Organisations already in the matrix are skipped."""
    _require_manager(acting_user, agenda.region)
    organisations = list(organisations)
    if any(org.region_id != agenda.region_id for org in organisations):
        raise ValidationError(_("Only organisations of this region can join its role matrix."))
    present = set(agenda.role_entries.values_list("organisation_id", flat=True))
    missing = [org for org in organisations if org.pk not in present]
    representatives = _default_representatives(missing)
    created = []
    for org in missing:
        entry = RoleMatrixEntry(
            agenda=agenda,
            organisation=org,
            representative=representatives.get(org.pk),
            created_by=acting_user,
        )
        _history(entry, acting_user, _("Joined the role matrix"))
        entry.save()
        created.append(entry)
    return created


@transaction.atomic
def role_matrix_remove_organisation(*, entry: RoleMatrixEntry, acting_user: User) -> None:
    """Take an organisation out of the matrix. Its row's history is kept."""
    _require_manager(acting_user, entry.agenda.region)
    _history(entry, acting_user, _("Left the role matrix"))
    entry.delete()


# -- reminders --------------------------------------------------------------------------------------


def reminder_recipients(entry: RoleMatrixEntry) -> list[Person]:
    """Whom a reminder for the row goes to: the row's representative when they have an e-mail address,
    otherwise every representative of the organisation who has one. Reads `organisation.people` —
    prefetch `reminder_people` (see `with_reminder_people`) to avoid a query per row."""
    if entry.representative_id and entry.representative.email:
        return [entry.representative]
    people = getattr(entry.organisation, "reminder_people", None)
    if people is None:
        people = list(entry.organisation.people.filter(is_representative=True).exclude(email=""))
    return list(people)


def with_reminder_people(queryset):
    return queryset.select_related("organisation", "representative").prefetch_related(
        Prefetch(
            "organisation__people",
            queryset=Person.objects.filter(is_representative=True).exclude(email="").order_by("full_name"),
            to_attr="reminder_people",
        )
    )


@dataclass
class ReminderReport:
    queued: list[RoleMatrixEntry] = field(default_factory=list)
    without_address: list[RoleMatrixEntry] = field(default_factory=list)
    recently_reminded: list[RoleMatrixEntry] = field(default_factory=list)


@transaction.atomic
def reminders_send(*, agenda: Agenda, acting_user: User) -> ReminderReport:
    """Remind the representatives of every row not yet confirmed. The e-mails are sent by a Celery
    task after commit, each in the recipient's language; rows reminded within REMINDER_COOLDOWN and
    rows with nobody to write to are reported, not mailed."""
    _require_manager(acting_user, agenda.region)
    now = timezone.now()
    report = ReminderReport()
    for entry in with_reminder_people(agenda.role_entries.pending()).order_by("organisation__name_uk"):
        if not reminder_recipients(entry):
            report.without_address.append(entry)
        elif entry.reminder_requested_at and now - entry.reminder_requested_at < REMINDER_COOLDOWN:
            report.recently_reminded.append(entry)
        else:
            report.queued.append(entry)
    if report.queued:
        ids = [entry.pk for entry in report.queued]
        RoleMatrixEntry.objects.filter(pk__in=ids).update(reminder_requested_at=now)
        from .tasks import send_role_reminders

        send_role_reminders.delay_on_commit(ids, now.isoformat())
    return report
