"""Pages of the directory and the role matrix: conflicts between two browsers, htmx and its plain
fallback, confirmation, filters, exports, history, and constant query counts."""

import io
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from accounts.models import Invitation
from accounts.views import landing_url
from stakeholders import services
from stakeholders.models import Person, RoleMatrixEntry
from tests import factories as f
from tests.test_pages import assert_csp_clean

from .conftest import complete

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def matrix_url(scene):
    return reverse(
        "stakeholders:role-entry-list", kwargs={"region": scene.region.slug, "year": scene.agenda.year}
    )


def entry_url(scene, name, entry):
    return reverse(
        f"stakeholders:role-entry-{name}",
        kwargs={"region": scene.region.slug, "year": scene.agenda.year, "pk": entry.pk},
    )


def form_data(version, **values):
    data = {
        "version": version,
        "current_role_type": "intermediary",
        "current_role": "Об'єднує підприємства",
        "refined_role_type": "coordinator",
        "refined_role": "Секретаріат",
        "zone_of_responsibility": "Робочі групи",
        "sphere_of_interest": "",
        "commitment": "",
        "commitment_level": 2,
        "comment": "",
    }
    data.update(values)
    return data


# -- concurrent edits --------------------------------------------------------------------------------------


def test_two_browsers_the_stale_one_gets_both_versions_and_overwrites_nothing(scene):
    coordinator, representative = client_for(scene.coordinator), client_for(scene.rep_cluster)
    url = entry_url(scene, "update", scene.entry_cluster)
    # Both open the row at version 1.
    assert 'name="version" value="1"' in coordinator.get(url).content.decode()
    assert 'name="version" value="1"' in representative.get(url).content.decode()

    first = coordinator.post(
        url,
        form_data(1, zone_of_responsibility="Секретаріат кластеру", representative=scene.person_cluster.pk),
    )
    assert first.status_code == 302

    stale = representative.post(url, form_data(1, zone_of_responsibility="Лабораторія ІАМ"))
    assert stale.status_code == 409
    html = stale.content.decode()
    assert "Секретаріат кластеру" in html and "Лабораторія ІАМ" in html  # side by side
    assert scene.coordinator.display_name in html
    assert 'name="version" value="2"' in html  # the form now holds the user's values at the new version
    entry = RoleMatrixEntry.objects.get(pk=scene.entry_cluster.pk)
    assert entry.zone_of_responsibility == "Секретаріат кластеру" and entry.version == 2
    assert_csp_clean(html)

    # Saving deliberately over the newer version works.
    again = representative.post(url, form_data(2, zone_of_responsibility="Лабораторія ІАМ"))
    assert again.status_code == 302
    assert RoleMatrixEntry.objects.get(pk=scene.entry_cluster.pk).zone_of_responsibility == "Лабораторія ІАМ"


def test_htmx_conflict_is_shown_in_the_row(scene):
    coordinator, representative = client_for(scene.coordinator), client_for(scene.rep_cluster)
    url = entry_url(scene, "update", scene.entry_cluster)
    coordinator.post(url, form_data(1, comment="Від координатора", representative=""))
    response = representative.post(url, form_data(1, comment="Від представника"), **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith("<tr") and "ca-conflict" in html
    assert "Від координатора" in html and "Від представника" in html
    assert RoleMatrixEntry.objects.get(pk=scene.entry_cluster.pk).comment == "Від координатора"


# -- htmx and its fallback -------------------------------------------------------------------------------


def test_htmx_edit_opens_a_row_form_and_answers_with_the_row_and_criterion(scene):
    representative = client_for(scene.rep_cluster)
    url = entry_url(scene, "update", scene.entry_cluster)
    editor = representative.get(url, **HTMX)
    html = editor.content.decode()
    assert html.lstrip().startswith("<tr") and 'hx-post="' in html and "<html" not in html
    assert 'name="representative"' not in html  # the coordinator's choice
    saved = representative.post(url, form_data(1), **HTMX)
    html = saved.content.decode()
    assert saved.status_code == 200
    assert f'id="entry-{scene.entry_cluster.pk}"' in html
    assert 'id="criterion-1"' in html and 'hx-swap-oob="true"' in html
    assert_csp_clean(html)
    cancel = representative.get(entry_url(scene, "detail", scene.entry_cluster), **HTMX)
    assert cancel.content.decode().lstrip().startswith("<tr")


def test_invalid_input_is_shown_again_and_nothing_is_written(scene):
    representative = client_for(scene.rep_cluster)
    url = entry_url(scene, "update", scene.entry_cluster)
    response = representative.post(url, form_data(1, commitment_level=9, zone_of_responsibility="Моя зона"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Моя зона" in html and "is-invalid" in html
    assert RoleMatrixEntry.objects.get(pk=scene.entry_cluster.pk).version == 1


def test_representative_confirms_then_a_coordinator_edit_clears_it_with_a_reason(scene):
    representative, coordinator = client_for(scene.rep_cluster), client_for(scene.coordinator)
    representative.post(entry_url(scene, "update", scene.entry_cluster), form_data(1))
    response = representative.post(entry_url(scene, "confirm", scene.entry_cluster), {"version": 2})
    assert response.status_code == 302 and response["Location"].endswith(f"#org-{scene.cluster.pk}")
    assert RoleMatrixEntry.objects.get(pk=scene.entry_cluster.pk).is_confirmed

    refused = coordinator.post(entry_url(scene, "confirm", scene.entry_university), {"version": 1})
    assert refused.status_code == 403

    coordinator.post(
        entry_url(scene, "update", scene.entry_cluster),
        form_data(3, refined_role_type="funder", representative=scene.person_cluster.pk),
    )
    entry = RoleMatrixEntry.objects.get(pk=scene.entry_cluster.pk)
    assert not entry.is_confirmed
    page = representative.get(matrix_url(scene)).content.decode()
    assert entry.confirmation_cleared_reason in page.replace("&#x27;", "'")


def test_htmx_confirm_swaps_the_row(scene):
    representative = client_for(scene.rep_cluster)
    response = representative.post(
        entry_url(scene, "confirm", scene.entry_cluster), {"version": 1, "pinned": "1"}, **HTMX
    )
    html = response.content.decode()
    assert f'id="own-entry-{scene.entry_cluster.pk}"' in html and "ca-status-confirmed" in html


def test_representative_lands_on_their_pinned_row(scene):
    invitation = Invitation.objects.create(
        user=scene.rep_cluster, person=scene.person_cluster, region=scene.region
    )
    url = landing_url(invitation)
    assert url == matrix_url(scene) + f"#org-{scene.cluster.pk}"
    html = client_for(scene.rep_cluster).get(url.split("#")[0]).content.decode()
    assert f'id="org-{scene.cluster.pk}"' in html
    # Their row can be edited and confirmed; the other row only read.
    assert entry_url(scene, "confirm", scene.entry_cluster) in html
    assert entry_url(scene, "update", scene.entry_university) not in html
    assert_csp_clean(html)


def test_own_rows_are_those_the_user_represents_and_cost_a_coordinator_no_query(scene):
    # A representative of two organisations gets both rows pinned; a Person of the organisation who is
    # not its representative pins nothing.
    f.PersonFactory(
        organisation=scene.university,
        user=scene.rep_cluster,
        email="second@example.org",
        is_representative=False,
    )
    html = client_for(scene.rep_cluster).get(matrix_url(scene)).content.decode()
    assert f'id="org-{scene.cluster.pk}"' in html
    assert f'id="org-{scene.university.pk}"' not in html
    Person.objects.filter(email="second@example.org").update(is_representative=True)
    html = client_for(scene.rep_cluster).get(matrix_url(scene)).content.decode()
    assert f'id="org-{scene.cluster.pk}"' in html and f'id="org-{scene.university.pk}"' in html

    # The coordinator represents nobody: a fresh render (not the page cache) reads no own rows at all.
    # A representative's own rows cost two queries (rows, their domains) however many there are.
    counts = []
    for client in (
        client_for(scene.coordinator),
        client_for(scene.rep_university),
        client_for(scene.rep_cluster),
    ):
        client.get(matrix_url(scene))
        with CaptureQueriesContext(connection) as queries:
            assert client.get(matrix_url(scene), HTTP_CACHE_CONTROL="no-cache").status_code == 200
        counts.append(len(queries))
    assert counts[0] + 2 == counts[1] == counts[2], counts


def test_observer_reads_the_matrix_without_edit_buttons(scene):
    html = client_for(scene.observer).get(matrix_url(scene)).content.decode()
    assert scene.cluster.name_uk in html
    assert "/edit/" not in html and "/confirm/" not in html and "/remind/" not in html


def test_history_shows_who_changed_what(scene):
    representative, coordinator = client_for(scene.rep_cluster), client_for(scene.coordinator)
    representative.post(
        entry_url(scene, "update", scene.entry_cluster), form_data(1, zone_of_responsibility="Стара зона")
    )
    services.role_entry_update(
        entry=scene.entry_cluster,
        data={"zone_of_responsibility": "Нова зона", "domains": [scene.domain]},
        expected_version=2,
        acting_user=scene.coordinator,
    )
    response = coordinator.get(entry_url(scene, "history", scene.entry_cluster))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Стара зона" in html and "Нова зона" in html and scene.domain.name in html
    assert scene.rep_cluster.display_name in html and scene.coordinator.display_name in html
    assert_csp_clean(html)
    assert (
        client_for(scene.rep_cluster).get(entry_url(scene, "history", scene.entry_cluster)).status_code == 403
    )


def test_add_organisations_leaders_and_remind_pages(scene, mailoutbox, django_capture_on_commit_callbacks):
    coordinator = client_for(scene.coordinator)
    kwargs = {"region": scene.region.slug, "year": scene.agenda.year}
    park = f.OrganisationFactory(region=scene.region, name_uk="Парк", name_en="")
    page = coordinator.get(reverse("stakeholders:role-entry-create", kwargs=kwargs))
    assert "Парк" in page.content.decode() and scene.university.name_uk not in page.content.decode()
    coordinator.post(reverse("stakeholders:role-entry-create", kwargs=kwargs), {"organisations": [park.pk]})
    assert RoleMatrixEntry.objects.filter(agenda=scene.agenda, organisation=park).exists()

    leaders_url = reverse("stakeholders:role-entry-leaders", kwargs=kwargs)
    bad = coordinator.post(
        leaders_url,
        {
            f"leader_{scene.entry_cluster.pk}": "on",
            f"direction_{scene.entry_cluster.pk}": str(scene.domain.pk),
            f"leader_{scene.entry_university.pk}": "on",
            f"direction_{scene.entry_university.pk}": str(scene.domain.pk),
        },
    )
    assert bad.status_code == 200 and "one leader per direction" in bad.content.decode()
    assert not RoleMatrixEntry.objects.leaders().exists()
    coordinator.post(
        leaders_url,
        {
            f"leader_{scene.entry_cluster.pk}": "on",
            f"direction_{scene.entry_cluster.pk}": str(scene.domain.pk),
        },
    )
    assert list(RoleMatrixEntry.objects.leaders().values_list("organisation", flat=True)) == [
        scene.cluster.pk
    ]

    with django_capture_on_commit_callbacks(execute=True):
        response = coordinator.post(reverse("stakeholders:role-entry-remind", kwargs=kwargs))
    assert response.status_code == 302
    assert sorted(m.to[0] for m in mailoutbox) == sorted(
        [scene.rep_cluster.email, scene.rep_university.email]
    )


# -- the directory ------------------------------------------------------------------------------------------


def test_directory_filters_are_kept_across_pages(scene):
    for index in range(30):
        f.OrganisationFactory(region=scene.region, name_uk=f"Підприємство {index:02d}", kind="enterprise")
    client = client_for(scene.observer)
    url = reverse("stakeholders:organisation-list", kwargs={"region": scene.region.slug})
    page = client.get(url, {"kind": "enterprise", "q": "Підприємство"})
    html = page.content.decode()
    assert page.context["page_obj"].paginator.count == 30
    assert re.search(r'href="\?[^"]*kind=enterprise[^"]*page=2', html) or re.search(
        r'href="\?[^"]*page=2[^"]*kind=enterprise', html
    )
    second = client.get(url, {"kind": "enterprise", "q": "Підприємство", "page": 2})
    assert len(second.context["organisations"]) == 5
    assert scene.cluster.name_uk not in second.content.decode()
    assert_csp_clean(html)
    # Contact details are for coordinators.
    assert (
        scene.person_cluster.email
        not in client.get(
            reverse(
                "stakeholders:organisation-detail",
                kwargs={"region": scene.region.slug, "pk": scene.cluster.pk},
            )
        ).content.decode()
    )


@pytest.mark.parametrize(
    "query, expected",
    [
        ({"state": "confirmed"}, {"cluster"}),
        ({"state": "pending"}, {"university"}),
        ({"state": "outside"}, {"park"}),
        ({"leader": "yes"}, {"cluster"}),
        ({"leader": "no"}, {"university", "park"}),
        ({"helix": "academia"}, {"university", "park"}),
        ({"q": "Проректор"}, {"university"}),
    ],
)
def test_directory_filter_by_matrix_state_leader_helix_and_text(scene, query, expected):
    park = f.OrganisationFactory(region=scene.region, name_uk="Парк", kind="science_park")
    services.role_entry_confirm(entry=scene.entry_cluster, expected_version=1, acting_user=scene.rep_cluster)
    services.role_entry_set_leader(entry=scene.entry_cluster, is_leader=True, acting_user=scene.coordinator)
    names = {"cluster": scene.cluster.pk, "university": scene.university.pk, "park": park.pk}
    response = client_for(scene.coordinator).get(
        reverse("stakeholders:organisation-list", kwargs={"region": scene.region.slug}), query
    )
    assert {org.pk for org in response.context["organisations"]} == {names[k] for k in expected}


def test_coordinator_adds_and_edits_organisations_and_people(scene):
    coordinator = client_for(scene.coordinator)
    kwargs = {"region": scene.region.slug}
    duplicate = coordinator.post(
        reverse("stakeholders:organisation-create", kwargs=kwargs),
        {"name_uk": "Університет", "kind": "university"},
    )
    assert duplicate.status_code == 200 and "already exists" in duplicate.content.decode()
    created = coordinator.post(
        reverse("stakeholders:organisation-create", kwargs=kwargs),
        {"name_uk": "Обласна рада", "kind": "regional_council", "website": "rada.example.org"},
    )
    org = scene.region.organisations.get(name_uk="Обласна рада")
    assert created["Location"] == org.get_absolute_url()
    assert org.website == "https://rada.example.org" and org.helix == "government"
    person = coordinator.post(
        reverse("stakeholders:person-create", kwargs={**kwargs, "pk": org.pk}),
        {"full_name": "Голова комісії", "preferred_language": "uk", "email": "bad-address"},
    )
    assert person.status_code == 200 and not org.people.exists()
    coordinator.post(
        reverse("stakeholders:person-create", kwargs={**kwargs, "pk": org.pk}),
        {
            "full_name": "Голова комісії",
            "preferred_language": "uk",
            "email": "chair@example.org",
            "is_representative": "on",
        },
    )
    assert org.people.get().email == "chair@example.org"


# -- exports ---------------------------------------------------------------------------------------------------


def test_role_matrix_xlsx_has_the_rows_of_the_page(scene):
    services.role_entry_update(
        entry=scene.entry_cluster,
        data=complete(scene.entry_cluster, comment="=1+1"),
        expected_version=1,
        acting_user=scene.coordinator,
    )
    client = client_for(scene.observer)
    page = client.get(matrix_url(scene))
    page_rows = [entry.organisation.name for entry in page.context["entries"]]
    export = client.get(
        reverse(
            "stakeholders:role-entry-export", kwargs={"region": scene.region.slug, "year": scene.agenda.year}
        )
    )
    assert export["Content-Disposition"].endswith('.xlsx"')
    sheet = load_workbook(io.BytesIO(export.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert [row[0] for row in rows[1:]] == page_rows
    comment_column = rows[0].index(next(h for h in rows[0] if h in ("Comment", "Коментар")))
    assert rows[1][comment_column] == "=1+1"  # kept as text
    csv_text = client.get(
        reverse(
            "stakeholders:role-entry-export", kwargs={"region": scene.region.slug, "year": scene.agenda.year}
        ),
        {"format": "csv"},
    ).content.decode("utf-8-sig")
    assert "'=1+1" in csv_text


def test_a_rows_domains_show_on_the_matrix_its_htmx_row_and_the_export(scene):
    scene.entry_cluster.domains.set([scene.domain, scene.domain2])
    both = (["IT", "Machinery"], ["ІТ", "Машинобудування"])  # in the observer's language
    client = client_for(scene.observer)
    page = client.get(matrix_url(scene)).content.decode()
    row = page[page.index(f'id="entry-{scene.entry_cluster.pk}"') :]
    row = row[: row.index("</tr>")]
    assert sorted(re.findall(r'<span class="badge ca-domain">([^<]+)</span>', row)) in both
    detail = reverse(
        "stakeholders:role-entry-detail",
        kwargs={"region": scene.region.slug, "year": scene.agenda.year, "pk": scene.entry_cluster.pk},
    )
    fragment = client.get(detail, HTTP_HX_REQUEST="true").content.decode()
    assert sorted(re.findall(r'<span class="badge ca-domain">([^<]+)</span>', fragment)) in both
    csv_text = client.get(
        reverse(
            "stakeholders:role-entry-export", kwargs={"region": scene.region.slug, "year": scene.agenda.year}
        ),
        {"format": "csv"},
    ).content.decode("utf-8-sig")
    cluster_line = next(line for line in csv_text.splitlines() if scene.cluster.name in line)
    assert any(all(name in cluster_line for name in names) for names in both)


# -- query counts -------------------------------------------------------------------------------------------


def populate(region, agenda, count):
    domain = f.DomainFactory(region=region)
    confirmer = f.UserFactory()
    for index in range(count):
        org = f.OrganisationFactory(region=region, name_uk=f"Організація {index:03d}")
        person = f.PersonFactory(organisation=org)
        f.PersonFactory(organisation=org, is_representative=False)
        entry = f.RoleMatrixEntryFactory(
            agenda=agenda,
            organisation=org,
            representative=person,
            refined_role_type="coordinator",
            zone_of_responsibility="Зона",
            is_leader=index == 0,
            confirmed_at=None if index % 3 else agenda.created_at,
            confirmed_by=None if index % 3 else confirmer,
        )
        entry.domains.add(domain)


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("page", ["role-entry-list", "organisation-list"])
def test_same_number_of_queries_for_5_and_200_organisations(page):
    counts = []
    for size in (5, 200):
        region = f.RegionFactory()
        agenda = f.AgendaFactory(region=region)
        coordinator = f.UserFactory()
        f.RegionMembershipFactory(user=coordinator, region=region)
        populate(region, agenda, size)
        kwargs = {"region": region.slug}
        if page == "role-entry-list":
            kwargs["year"] = agenda.year
        url = reverse(f"stakeholders:{page}", kwargs=kwargs)
        client = client_for(coordinator)
        client.get(url)  # warm up (session, content types)
        counts.append(count_queries(client, url))
    assert counts[0] == counts[1], counts
