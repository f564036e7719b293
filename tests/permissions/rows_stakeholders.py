"""The stakeholder directory and the role matrix in the permission table.

Readers of region A (its coordinator, observer, representatives, the programme coordinator, the
administrator) read the directory and the matrix; only its coordinator and the administrator change the
directory, import, export contact details, add organisations, name leaders, send reminders and read a
row's history. A row is edited by the coordinator or by the representative of its organisation (rep_x_a
for org X), and confirmed by that representative only — not even by the coordinator or administrator.
"""

from django.core.files.uploadedfile import SimpleUploadedFile

from stakeholders import importers
from tests import factories as f

from .table import Row
from .world import MANAGERS_A, READERS_A

OUTSIDERS_A = frozenset({"coord_b"})
EDITORS_X_A = MANAGERS_A | {"rep_x_a"}
REPRESENTATIVE_X_A = frozenset({"rep_x_a"})


def extend_world(w):
    # An organisation of region A that is not yet in the role matrix (to be added), with a person.
    w.objects["org_z_a"] = f.OrganisationFactory(
        region=w.region_a, name_uk="Науковий парк a", kind="science_park"
    )
    w.objects["person_z_a"] = f.PersonFactory(organisation=w.org_z_a, full_name="Директор парку a")


def _region(w):
    return {"region": w.region_a.slug}


def _agenda(w):
    return {"region": w.region_a.slug, "year": w.agenda_a.year}


def _entry_x(w):
    return {**_agenda(w), "pk": w.entry_x_a.pk}


def _csv_upload(w):
    content = "name_uk,kind\nНова агенція,rda\n,cluster\n".encode()
    return {"what": "organisations", "file": SimpleUploadedFile("orgs.csv", content, content_type="text/csv")}


def _payload(w):
    table = importers.Table(
        what=importers.ORGANISATIONS,
        columns=["name_uk", "kind"],
        rows=[(2, {"name_uk": "Нова агенція", "kind": "rda"}), (3, {"name_uk": "", "kind": "cluster"})],
    )
    return {"payload": table.sign(w.region_a)}


def _row_data(w):
    return {
        "version": w.entry_x_a.version,
        "current_role_type": "intermediary",
        "current_role": "Об'єднує підприємства",
        "refined_role_type": "coordinator",
        "refined_role": "Секретаріат",
        "zone_of_responsibility": "Робочі групи",
        "commitment_level": 2,
    }


ROWS = [
    # The directory.
    Row("stakeholders:organisation-list", kwargs=_region, get=READERS_A, hide_from=OUTSIDERS_A),
    Row(
        "stakeholders:organisation-list",
        kwargs=_region,
        get=READERS_A,
        hide_from=OUTSIDERS_A,
        query="q=Кластер&kind=cluster&state=pending&page=1",
    ),
    Row(
        "stakeholders:organisation-create",
        kwargs=_region,
        get=MANAGERS_A,
        post=MANAGERS_A,
        data=lambda w: {"name_uk": "Нова організація", "kind": "enterprise"},
        hide_from=OUTSIDERS_A,
    ),
    Row(
        "stakeholders:organisation-detail",
        kwargs=lambda w: {**_region(w), "pk": w.org_x_a.pk},
        get=READERS_A,
        hide_from=OUTSIDERS_A,
    ),
    Row(
        "stakeholders:organisation-update",
        kwargs=lambda w: {**_region(w), "pk": w.org_x_a.pk},
        get=MANAGERS_A,
        post=MANAGERS_A,
        data=lambda w: {"name_uk": "Кластер a (нова назва)", "kind": "cluster"},
        hide_from=OUTSIDERS_A,
    ),
    Row(
        "stakeholders:person-create",
        kwargs=lambda w: {**_region(w), "pk": w.org_x_a.pk},
        get=MANAGERS_A,
        post=MANAGERS_A,
        data=lambda w: {
            "full_name": "Нова особа",
            "preferred_language": "uk",
            "email": "new.person@example.org",
        },
        hide_from=OUTSIDERS_A,
    ),
    Row(
        "stakeholders:person-update",
        kwargs=lambda w: {**_region(w), "pk": w.person_x_a.pk},
        get=MANAGERS_A,
        post=MANAGERS_A,
        data=lambda w: {
            "full_name": "Представник X a",
            "preferred_language": "en",
            "is_representative": "on",
        },
        hide_from=OUTSIDERS_A,
    ),
    Row(
        "stakeholders:directory-import",
        kwargs=_region,
        get=MANAGERS_A,
        post=MANAGERS_A,
        data=_csv_upload,
        hide_from=OUTSIDERS_A,
    ),
    Row(
        "stakeholders:directory-import-commit",
        kwargs=_region,
        post=MANAGERS_A,
        data=_payload,
        hide_from=OUTSIDERS_A,
    ),
    Row(
        "stakeholders:directory-import-errors",
        kwargs=_region,
        post=MANAGERS_A,
        data=_payload,
        hide_from=OUTSIDERS_A,
    ),
    Row(
        "stakeholders:directory-import-template",
        kwargs=_region,
        get=MANAGERS_A,
        hide_from=OUTSIDERS_A,
        query="what=people",
    ),
    Row("stakeholders:directory-export", kwargs=_region, get=MANAGERS_A, hide_from=OUTSIDERS_A),
    Row(
        "stakeholders:directory-export",
        kwargs=_region,
        get=MANAGERS_A,
        hide_from=OUTSIDERS_A,
        query="format=csv&what=people",
    ),
    # The role matrix.
    Row("stakeholders:role-entry-latest", kwargs=_region, get=READERS_A, hide_from=OUTSIDERS_A),
    Row("stakeholders:role-entry-list", kwargs=_agenda, get=READERS_A, hide_from=OUTSIDERS_A),
    Row(
        "stakeholders:role-entry-list",
        kwargs=_agenda,
        get=READERS_A,
        hide_from=OUTSIDERS_A,
        query="state=pending&leader=no&q=a&page=2",
    ),
    Row("stakeholders:role-entry-export", kwargs=_agenda, get=READERS_A, hide_from=OUTSIDERS_A),
    Row(
        "stakeholders:role-entry-export",
        kwargs=_agenda,
        get=READERS_A,
        hide_from=OUTSIDERS_A,
        query="format=csv",
    ),
    Row(
        "stakeholders:role-entry-create",
        kwargs=_agenda,
        get=MANAGERS_A,
        post=MANAGERS_A,
        data=lambda w: {"organisations": [w.org_z_a.pk]},
        hide_from=OUTSIDERS_A,
    ),
    Row(
        "stakeholders:role-entry-leaders",
        kwargs=_agenda,
        get=MANAGERS_A,
        post=MANAGERS_A,
        data=lambda w: {f"leader_{w.entry_x_a.pk}": "on", f"direction_{w.entry_x_a.pk}": str(w.domain_a.pk)},
        hide_from=OUTSIDERS_A,
    ),
    Row("stakeholders:role-entry-remind", kwargs=_agenda, post=MANAGERS_A, hide_from=OUTSIDERS_A),
    Row("stakeholders:role-entry-detail", kwargs=_entry_x, get=READERS_A, hide_from=OUTSIDERS_A),
    Row(
        "stakeholders:role-entry-update",
        kwargs=_entry_x,
        get=EDITORS_X_A,
        post=EDITORS_X_A,
        data=_row_data,
        hide_from=OUTSIDERS_A,
    ),
    Row(
        "stakeholders:role-entry-confirm",
        kwargs=_entry_x,
        post=REPRESENTATIVE_X_A,
        data=lambda w: {"version": w.entry_x_a.version},
        hide_from=OUTSIDERS_A,
    ),
    Row("stakeholders:role-entry-history", kwargs=_entry_x, get=MANAGERS_A, hide_from=OUTSIDERS_A),
    Row("stakeholders:role-entry-delete", kwargs=_entry_x, post=MANAGERS_A, hide_from=OUTSIDERS_A),
]
