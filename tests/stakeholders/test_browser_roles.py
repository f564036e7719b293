"""In a real browser: a coordinator and a representative carry a region from an empty role matrix to
criterion 1 met — import, invitation, htmx row editing, confirmation, leader — and the exported XLSX
holds the rows of the page."""

import io
import re

import pytest
from django.core import mail
from django.urls import reverse
from openpyxl import load_workbook

from regions.models import RegionMembership
from stakeholders.models import RoleMatrixEntry
from tests import factories as f
from tests.browser_support import axe, login, shoot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def empty_region():
    region = f.RegionFactory(
        slug="zaporizka", iso_code="UA-23", name_uk="Запорізька область", name_en="Zaporizhzhia Oblast"
    )
    agenda = f.AgendaFactory(region=region, year=2021)
    f.DomainFactory(region=region, name_uk="Машинобудування", name_en="Machinery")
    coordinator = f.UserFactory(email="coord.zp@example.org", full_name="Координаторка Запоріжжя")
    f.RegionMembershipFactory(user=coordinator, region=region, role=RegionMembership.Role.COORDINATOR)
    return {"region": region, "agenda": agenda, "coordinator": coordinator}


def test_empty_matrix_to_criterion_1_met(page_factory, empty_region, tmp_path):
    region, agenda = empty_region["region"], empty_region["agenda"]
    matrix = reverse("stakeholders:role-entry-list", kwargs={"region": region.slug, "year": agenda.year})
    coordinator = page_factory(locale="en-GB")
    login(coordinator, empty_region["coordinator"].email)

    # 1. The empty matrix says what to do first.
    coordinator.goto(matrix)
    assert "No organisation has joined the role matrix yet." in coordinator.inner_text("#criterion-1")
    assert axe(coordinator) == []

    # 2. Import the organisation from a CSV file: preview first, then confirm.
    upload = tmp_path / "organisations.csv"
    upload.write_text(
        "Назва,Категорія,Місто\nКластер «Запорізьке машинобудування»,cluster,Запоріжжя\n,cluster,\n",
        encoding="utf-8",
    )
    coordinator.goto(reverse("stakeholders:directory-import", kwargs={"region": region.slug}))
    coordinator.set_input_files("input[name=file]", str(upload))
    with coordinator.expect_navigation():
        coordinator.click("main form button[type=submit]")
    assert "Name is missing." in coordinator.inner_text("main")
    assert axe(coordinator) == []
    shoot(coordinator, "stakeholders-import-preview-en")
    with coordinator.expect_navigation():
        coordinator.click("button:has-text('Import 1 ready row')")
    organisation = region.organisations.get()

    # 3. Add its representative and invite them.
    coordinator.goto(
        reverse("stakeholders:person-create", kwargs={"region": region.slug, "pk": organisation.pk})
    )
    coordinator.fill("input[name=full_name]", "Виконавча директорка кластеру")
    coordinator.fill("input[name=email]", "rep.zp@example.org")
    with coordinator.expect_navigation():
        coordinator.click("main form button[type=submit]")
    person = organisation.people.get()
    coordinator.goto(reverse("accounts:invitation-list", kwargs={"region": region.slug}))
    coordinator.check(f"input[name=person][value='{person.pk}']")
    with coordinator.expect_navigation():
        coordinator.click("#invite-form button[type=submit]")

    # 4. The organisation joins the matrix.
    coordinator.goto(
        reverse("stakeholders:role-entry-create", kwargs={"region": region.slug, "year": agenda.year})
    )
    coordinator.check(f"input[name=organisations][value='{organisation.pk}']")
    with coordinator.expect_navigation():
        coordinator.click("main form button[type=submit]")
    entry = RoleMatrixEntry.objects.get(agenda=agenda)
    assert entry.representative == person
    assert "waiting for: Кластер «Запорізьке машинобудування»" in coordinator.inner_text("#criterion-1")

    # 5. The representative follows the invitation and lands on their own row.
    link = re.search(r"https?://\S+/accounts/invitation/\S+/", mail.outbox[-1].body).group(0)
    representative = page_factory(locale="en-GB")
    representative.goto("/" + link.split("://", 1)[1].split("/", 1)[1])
    representative.fill("input[name=new_password1]", "Sunflower-Zp-2021")
    representative.fill("input[name=new_password2]", "Sunflower-Zp-2021")
    with representative.expect_navigation():
        representative.click("main form button[type=submit]")
    assert representative.url.endswith(f"{matrix}#org-{organisation.pk}")
    own = representative.locator(f"#org-{organisation.pk}")
    assert own.is_visible()

    # 6. They fill their row in place (htmx: the page is not reloaded) and confirm it.
    representative.evaluate("window.__stayed = true")
    own.locator("a", has_text="Edit").click()
    editor = own.locator("form.ca-row-form")
    editor.wait_for()
    editor.locator("select[name=current_role_type]").select_option("intermediary")
    editor.locator("textarea[name=current_role]").fill("Об'єднує 25 підприємств машинобудування")
    editor.locator("select[name=refined_role_type]").select_option("coordinator")
    editor.locator("textarea[name=refined_role]").fill("Секретаріат робочих груп і лідер пілотного проєкту")
    editor.locator("textarea[name=zone_of_responsibility]").fill("Секретаріат, пілотний проєкт «Центр 4.0»")
    editor.locator("select[name=commitment_level]").select_option("4")
    editor.locator("button", has_text="Save").click()
    own.locator(".ca-flash").wait_for()
    own.locator("button", has_text="Confirm").click()
    own.get_by_text("Confirmed. Thank you!").wait_for()
    assert representative.evaluate("window.__stayed === true"), "the row was swapped, the page not reloaded"
    assert "no leader named" in representative.inner_text("#criterion-1")
    assert axe(representative) == []
    shoot(representative, "stakeholders-role-matrix-representative-en")

    # 7. The coordinator names the leader: criterion 1 is met.
    coordinator.goto(
        reverse("stakeholders:role-entry-leaders", kwargs={"region": region.slug, "year": agenda.year})
    )
    coordinator.check(f"input[name=leader_{entry.pk}]")
    with coordinator.expect_navigation():
        coordinator.click("main form button[type=submit]")
    criterion = coordinator.inner_text("#criterion-1")
    assert "Met" in criterion and "Not met" not in criterion, criterion
    shoot(coordinator, "stakeholders-role-matrix-met-en")

    # 8. The XLSX export holds the rows of the page.
    with coordinator.expect_download() as download:
        coordinator.click("a:has-text('XLSX')")
    sheet = load_workbook(io.BytesIO(download.value.path().read_bytes())).active
    rows = list(sheet.iter_rows(values_only=True))
    assert [row[0] for row in rows[1:]] == ["Кластер «Запорізьке машинобудування»"]
    assert "Секретаріат, пілотний проєкт «Центр 4.0»" in rows[1]
