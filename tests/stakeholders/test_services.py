"""Services of the role matrix and the directory, against the database."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from regions.rules import forget_cached_rules
from stakeholders import services
from stakeholders.models import Organisation, Person, RoleMatrixEntry
from stakeholders.tasks import send_role_reminders
from tests import factories as f

from .conftest import complete

pytestmark = pytest.mark.django_db


def fresh(entry) -> RoleMatrixEntry:
    return RoleMatrixEntry.objects.get(pk=entry.pk)


# -- editing and versions -------------------------------------------------------------------------------


def test_representative_saves_own_row_and_the_version_rises(scene):
    entry = services.role_entry_update(
        entry=scene.entry_cluster,
        data=complete(scene.entry_cluster, domains=[scene.domain]),
        expected_version=1,
        acting_user=scene.rep_cluster,
    )
    entry = fresh(entry)
    assert entry.version == 2
    assert entry.refined_role_type == "coordinator"
    assert list(entry.domains.all()) == [scene.domain]
    record = entry.history.first()
    assert record.history_user == scene.rep_cluster
    assert record.version == 2
    # The history row holds the new domains (the many-to-many set is changed before the save).
    assert [d.specialisationdomain_id for d in record.domains.all()] == [scene.domain.pk]


def test_saving_the_same_values_again_changes_nothing(scene):
    data = complete(scene.entry_cluster)
    services.role_entry_update(
        entry=scene.entry_cluster, data=data, expected_version=1, acting_user=scene.rep_cluster
    )
    again = services.role_entry_update(
        entry=scene.entry_cluster, data=data, expected_version=2, acting_user=scene.rep_cluster
    )
    assert again.version == 2
    assert fresh(scene.entry_cluster).history.count() == 2  # created + one edit


def test_representative_cannot_edit_another_organisations_row(scene):
    with pytest.raises(PermissionDenied):
        services.role_entry_update(
            entry=scene.entry_university,
            data=complete(scene.entry_university),
            expected_version=1,
            acting_user=scene.rep_cluster,
        )
    assert fresh(scene.entry_university).version == 1


def test_representative_cannot_change_who_represents_the_organisation(scene):
    other = f.PersonFactory(organisation=scene.cluster)
    with pytest.raises(PermissionDenied):
        services.role_entry_update(
            entry=scene.entry_cluster,
            data={"representative": other},
            expected_version=1,
            acting_user=scene.rep_cluster,
        )


def test_observer_and_other_regions_coordinator_cannot_edit(scene):
    for user in (scene.observer, scene.other_coordinator):
        with pytest.raises(PermissionDenied):
            services.role_entry_update(
                entry=scene.entry_cluster,
                data=complete(scene.entry_cluster),
                expected_version=1,
                acting_user=user,
            )


def test_stale_version_raises_conflict_and_writes_nothing(scene):
    services.role_entry_update(
        entry=scene.entry_cluster,
        data={"zone_of_responsibility": "Секретаріат"},
        expected_version=1,
        acting_user=scene.coordinator,
    )
    with pytest.raises(services.RoleEntryConflict) as caught:
        services.role_entry_update(
            entry=scene.entry_cluster,
            data={"zone_of_responsibility": "Лабораторія", "comment": "Моя примітка"},
            expected_version=1,
            acting_user=scene.rep_cluster,
        )
    conflict = caught.value
    assert conflict.current.version == 2
    assert conflict.current.zone_of_responsibility == "Секретаріат"
    assert set(conflict.fields) == {"zone_of_responsibility", "comment"}
    entry = fresh(scene.entry_cluster)
    assert (entry.version, entry.zone_of_responsibility, entry.comment) == (2, "Секретаріат", "")


def test_representative_domains_must_belong_to_the_region(scene):
    foreign = f.DomainFactory(region=scene.other_region)
    with pytest.raises(ValidationError):
        services.role_entry_update(
            entry=scene.entry_cluster,
            data={"domains": [foreign]},
            expected_version=1,
            acting_user=scene.rep_cluster,
        )


# -- confirmation ---------------------------------------------------------------------------------------


def test_only_the_representative_confirms_not_the_coordinator_or_admin(scene):
    admin = f.UserFactory(is_superuser=True, is_staff=True)
    for user in (scene.coordinator, admin, scene.rep_university, scene.observer):
        with pytest.raises(PermissionDenied):
            services.role_entry_confirm(entry=scene.entry_cluster, expected_version=1, acting_user=user)
    entry = services.role_entry_confirm(
        entry=scene.entry_cluster, expected_version=1, acting_user=scene.rep_cluster
    )
    entry = fresh(entry)
    assert entry.is_confirmed and entry.confirmed_by == scene.rep_cluster and entry.version == 2


def test_confirming_twice_is_harmless(scene):
    services.role_entry_confirm(entry=scene.entry_cluster, expected_version=1, acting_user=scene.rep_cluster)
    again = services.role_entry_confirm(
        entry=scene.entry_cluster, expected_version=1, acting_user=scene.rep_cluster
    )
    assert again.version == 2 and again.is_confirmed


def test_confirming_a_row_changed_since_it_was_seen_is_refused(scene):
    services.role_entry_update(
        entry=scene.entry_cluster,
        data={"refined_role_type": "funder"},
        expected_version=1,
        acting_user=scene.coordinator,
    )
    with pytest.raises(ValidationError):
        services.role_entry_confirm(
            entry=scene.entry_cluster, expected_version=1, acting_user=scene.rep_cluster
        )
    assert not fresh(scene.entry_cluster).is_confirmed


@pytest.mark.parametrize("actor", ["coordinator", "rep_cluster"])
def test_a_later_edit_clears_the_confirmation_and_records_why(scene, actor):
    services.role_entry_confirm(entry=scene.entry_cluster, expected_version=1, acting_user=scene.rep_cluster)
    user = getattr(scene, actor)
    entry = services.role_entry_update(
        entry=scene.entry_cluster, data={"refined_role": "Новий зміст"}, expected_version=2, acting_user=user
    )
    entry = fresh(entry)
    assert not entry.is_confirmed and entry.confirmed_by is None
    assert user.display_name in entry.confirmation_cleared_reason
    assert "refined role" in entry.confirmation_cleared_reason
    assert entry.version == 3
    assert entry.history.first().history_change_reason


def test_confirming_again_forgets_the_old_reason(scene):
    services.role_entry_confirm(entry=scene.entry_cluster, expected_version=1, acting_user=scene.rep_cluster)
    services.role_entry_update(
        entry=scene.entry_cluster, data={"comment": "x"}, expected_version=2, acting_user=scene.coordinator
    )
    entry = services.role_entry_confirm(
        entry=scene.entry_cluster, expected_version=3, acting_user=scene.rep_cluster
    )
    assert fresh(entry).confirmation_cleared_reason == ""


def test_naming_a_leader_raises_the_version_but_keeps_the_confirmation(scene):
    services.role_entry_confirm(entry=scene.entry_cluster, expected_version=1, acting_user=scene.rep_cluster)
    entry = services.role_entry_set_leader(
        entry=scene.entry_cluster, is_leader=True, direction=scene.domain, acting_user=scene.coordinator
    )
    entry = fresh(entry)
    assert entry.is_leader and entry.leader_direction == scene.domain
    assert entry.is_confirmed and entry.version == 3


def test_one_leader_per_direction(scene):
    services.role_entry_set_leader(
        entry=scene.entry_cluster, is_leader=True, direction=scene.domain, acting_user=scene.coordinator
    )
    with pytest.raises(ValidationError):
        services.role_entry_set_leader(
            entry=scene.entry_university,
            is_leader=True,
            direction=scene.domain,
            acting_user=scene.coordinator,
        )
    # Two leaders of different directions, or without one, are fine.
    services.role_entry_set_leader(
        entry=scene.entry_university, is_leader=True, direction=scene.domain2, acting_user=scene.coordinator
    )
    assert RoleMatrixEntry.objects.leaders().count() == 2


def test_a_leader_named_concurrently_is_refused_by_the_database(scene, monkeypatch):
    """Another request names a leader of the same direction between our check and our save: the
    database's one-leader-per-direction constraint refuses ours with a clear message."""
    claim = services._claim

    def racing_claim(entry, version):
        RoleMatrixEntry.objects.filter(pk=scene.entry_university.pk).update(
            is_leader=True, leader_direction=scene.domain
        )
        return claim(entry, version)

    monkeypatch.setattr(services, "_claim", racing_claim)
    with pytest.raises(ValidationError, match=scene.domain.name):
        services.role_entry_set_leader(
            entry=scene.entry_cluster, is_leader=True, direction=scene.domain, acting_user=scene.coordinator
        )
    assert fresh(scene.entry_cluster).leader_direction is None


def test_leaders_can_swap_directions_in_one_go(scene):
    services.role_entry_set_leader(
        entry=scene.entry_cluster, is_leader=True, direction=scene.domain, acting_user=scene.coordinator
    )
    services.role_entry_set_leader(
        entry=scene.entry_university, is_leader=True, direction=scene.domain2, acting_user=scene.coordinator
    )
    services.role_matrix_set_leaders(
        agenda=scene.agenda,
        changes=[
            (fresh(scene.entry_cluster), True, scene.domain2),
            (fresh(scene.entry_university), True, scene.domain),
        ],
        acting_user=scene.coordinator,
    )
    assert fresh(scene.entry_cluster).leader_direction == scene.domain2
    assert fresh(scene.entry_university).leader_direction == scene.domain


def test_representative_cannot_name_leaders(scene):
    with pytest.raises(PermissionDenied):
        services.role_entry_set_leader(
            entry=scene.entry_cluster, is_leader=True, acting_user=scene.rep_cluster
        )


# -- the matrix's membership ------------------------------------------------------------------------------


def test_adding_organisations_fills_the_representative_and_skips_present_ones(scene):
    park = f.OrganisationFactory(region=scene.region, kind="science_park")
    f.PersonFactory(organisation=park, full_name="А без пошти", email="")
    best = f.PersonFactory(organisation=park, full_name="Б з поштою", email="b@example.org")
    created = services.role_matrix_add_organisation(
        agenda=scene.agenda, organisations=[park, scene.cluster], acting_user=scene.coordinator
    )
    assert [e.organisation for e in created] == [park]
    assert created[0].representative == best
    assert created[0].history.first().history_user == scene.coordinator


def test_organisations_of_another_region_cannot_join(scene):
    foreign = f.OrganisationFactory(region=scene.other_region)
    with pytest.raises(ValidationError):
        services.role_matrix_add_organisation(
            agenda=scene.agenda, organisations=[foreign], acting_user=scene.coordinator
        )


# -- reminders ---------------------------------------------------------------------------------------------


def test_reminders_go_to_pending_representatives_in_their_language(scene, django_capture_on_commit_callbacks):
    services.role_entry_confirm(entry=scene.entry_cluster, expected_version=1, acting_user=scene.rep_cluster)
    silent = f.OrganisationFactory(region=scene.region)
    f.RoleMatrixEntryFactory(agenda=scene.agenda, organisation=silent)
    with django_capture_on_commit_callbacks(execute=True):
        report = services.reminders_send(agenda=scene.agenda, acting_user=scene.coordinator)
    assert [e.organisation for e in report.queued] == [scene.university]
    assert [e.organisation for e in report.without_address] == [silent]
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [scene.person_university.email]
    assert "role matrix" in message.subject  # the university's representative reads English
    assert f"#org-{scene.university.pk}" in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html" and f"#org-{scene.university.pk}" in html
    entry = fresh(scene.entry_university)
    assert entry.reminder_sent_at is not None and entry.reminder_sent_at >= entry.reminder_requested_at
    # Reminder timestamps are not history.
    assert entry.history.count() == 1


def test_reminder_task_is_idempotent_and_skips_superseded_or_confirmed_rows(
    scene, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.reminders_send(agenda=scene.agenda, acting_user=scene.coordinator)
    key = fresh(scene.entry_cluster).reminder_requested_at.isoformat()
    ids = [scene.entry_cluster.pk, scene.entry_university.pk]
    assert len(callbacks) == 1
    assert send_role_reminders(ids, key) == 2
    assert send_role_reminders(ids, key) == 0  # redelivered: nothing twice
    assert send_role_reminders(ids, "2020-01-01T00:00:00+00:00") == 0  # superseded key
    assert len(mail.outbox) == 2


def test_a_second_reminder_within_the_cooldown_is_not_sent(scene, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.reminders_send(agenda=scene.agenda, acting_user=scene.coordinator)
        report = services.reminders_send(agenda=scene.agenda, acting_user=scene.coordinator)
    assert report.queued == [] and len(report.recently_reminded) == 2
    assert len(mail.outbox) == 2
    RoleMatrixEntry.objects.update(reminder_requested_at=timezone.now() - datetime.timedelta(hours=2))
    with django_capture_on_commit_callbacks(execute=True):
        report = services.reminders_send(agenda=scene.agenda, acting_user=scene.coordinator)
    assert len(report.queued) == 2 and len(mail.outbox) == 4


def test_only_coordinators_send_reminders(scene):
    with pytest.raises(PermissionDenied):
        services.reminders_send(agenda=scene.agenda, acting_user=scene.rep_cluster)


# -- directory ---------------------------------------------------------------------------------------------


def test_organisation_create_takes_the_helix_from_the_kind_and_refuses_duplicates(scene):
    org = services.organisation_create(
        region=scene.region,
        data={"name_uk": "АРР", "kind": "rda", "helix": ""},
        acting_user=scene.coordinator,
    )
    assert org.helix == "government" and org.created_by == scene.coordinator
    with pytest.raises(ValidationError):
        services.organisation_create(
            region=scene.region, data={"name_uk": "АРР", "kind": "rda"}, acting_user=scene.coordinator
        )
    with pytest.raises(PermissionDenied):
        services.organisation_create(
            region=scene.region, data={"name_uk": "Інша", "kind": "rda"}, acting_user=scene.rep_cluster
        )


def test_person_consent_gets_a_date(scene):
    person = services.person_create(
        organisation=scene.cluster,
        data={
            "full_name": "Нова особа",
            "email": " new@example.org ",
            "consent_given": True,
            "consent_date": None,
        },
        acting_user=scene.coordinator,
    )
    person = Person.objects.get(pk=person.pk)
    assert person.consent_date == timezone.localdate() and person.email == "new@example.org"
    person = services.person_update(
        person=person, data={"consent_given": False}, acting_user=scene.coordinator
    )
    assert person.consent_date is None


def test_national_organisation_has_no_page():
    org = f.OrganisationFactory(region=None, kind="central_authority")
    assert org.get_absolute_url() is None
    regional = f.OrganisationFactory()
    assert regional.get_absolute_url().endswith(f"/stakeholders/{regional.pk}/")


def test_rules_cache_is_per_user_object(scene):
    # A representative invited today represents from the next request on.
    late = f.UserFactory()
    entry = scene.entry_cluster
    assert not services.can_edit_role_entry(late, entry)
    f.PersonFactory(organisation=scene.cluster, user=late)
    forget_cached_rules(late)
    assert services.can_edit_role_entry(late, entry)
    assert Organisation.objects.count() >= 2
