"""Import of the directory from CSV and XLSX: preview, every kind of bad row, commit, and export
round trips."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from stakeholders import importers, services
from stakeholders.models import Organisation, Person
from tests import factories as f

pytestmark = pytest.mark.django_db


def csv_file(text: str, name="orgs.csv", encoding="utf-8") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode(encoding), content_type="text/csv")


def xlsx_file(rows, name="orgs.xlsx") -> SimpleUploadedFile:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    stream = io.BytesIO()
    workbook.save(stream)
    return SimpleUploadedFile(name, stream.getvalue())


ORGS_CSV = (
    "name_uk,kind,helix,edrpou,website,has_rnd_unit\n"
    "Нова агенція,rda,,,agency.example.org,ні\n"  # 2 ok (website gets https://)
    ",cluster,,,,\n"  # 3 missing name
    "Кластер Х,space_mining,,,,\n"  # 4 unknown kind
    "Університет,university,,,,\n"  # 5 duplicate of an organisation already in the region
    "Нова  агенція,Агенція регіонального розвитку,,,,\n"  # 6 duplicate of row 2 (spacing/case ignored)
    "Парк,science_park,space,,,\n"  # 7 unknown helix
    "НДІ,Research institute,,1234,,\n"  # 8 bad EDRPOU
    "Асоціація,business_association,,,,maybe\n"  # 9 not yes/no
    "Підприємство,Передове підприємство,,12345678,https://ok.example.org,так\n"  # 10 ok, kind by Ukrainian label
)


def preview(scene, file, what=importers.ORGANISATIONS):
    return services.directory_import_preview(
        region=scene.region, what=what, uploaded_file=file, acting_user=scene.coordinator
    )


def test_every_bad_organisation_row_is_reported_and_nothing_is_written(scene):
    before = Organisation.objects.count()
    result = preview(scene, csv_file(ORGS_CSV))
    assert Organisation.objects.count() == before
    by_line = {row.line: row for row in result.rows}
    assert [row.line for row in result.valid] == [2, 10]
    assert by_line[2].values["website"] == "https://agency.example.org"
    assert by_line[10].values["kind"] == "enterprise" and by_line[10].values["has_rnd_unit"] is True
    expected = {
        3: "Name is missing",
        4: "Unknown kind «space_mining»",
        5: "already in the region's directory",
        6: "Duplicate of row 2",
        7: "Unknown helix side «space»",
        8: "must be 8 digits",
        9: "is not yes or no",
    }
    for line, message in expected.items():
        assert any(message in error for error in by_line[line].errors), (line, by_line[line].errors)
    assert len(result.rows) == 9  # no row dropped


def test_commit_imports_only_the_valid_rows_and_reports_the_rest(scene):
    result = preview(scene, csv_file(ORGS_CSV))
    outcome = services.directory_import_commit(
        region=scene.region, what=importers.ORGANISATIONS, table=result.table, acting_user=scene.coordinator
    )
    assert sorted(o.name_uk for o in outcome.created) == ["Нова агенція", "Підприємство"]
    assert [row.line for row in outcome.rejected] == [3, 4, 5, 6, 7, 8, 9]
    agency = Organisation.objects.get(region=scene.region, name_uk="Нова агенція")
    assert agency.helix == "government" and agency.created_by == scene.coordinator
    # Confirming the same preview again imports nothing twice: the rows now read as duplicates.
    again = services.directory_import_commit(
        region=scene.region, what=importers.ORGANISATIONS, table=result.table, acting_user=scene.coordinator
    )
    assert again.created == [] and len(again.rejected) == 9


def test_people_rows_bad_email_unknown_organisation_and_duplicates(scene):
    f.OrganisationFactory(region=scene.region, name_uk="Парк А", short_name="ПАРК")
    f.OrganisationFactory(region=scene.region, name_uk="Парк Б", short_name="ПАРК")
    text = (
        "ПІБ;Організація;E-mail;Мова;Представник\n"
        "Олена;Університет;olena@example.org;en;так\n"  # 2 ok
        ";Університет;x@example.org;;\n"  # 3 missing name
        "Петро;Невідома;p@example.org;;\n"  # 4 unknown organisation
        "Ігор;Університет;not-an-email;;\n"  # 5 bad e-mail
        "Ольга;Університет;OLENA@example.org;;\n"  # 6 duplicate e-mail of row 2
        "Проректор;Університет;;;\n"  # 7 already in the directory
        "Марія;ПАРК;m@example.org;;\n"  # 8 ambiguous
        "Іван;Університет;i@example.org;klingon;\n"  # 9 unknown language
    )
    result = preview(scene, csv_file(text, "people.csv"), what=importers.PEOPLE)
    by_line = {row.line: row for row in result.rows}
    assert [row.line for row in result.valid] == [2]
    assert by_line[2].values["organisation"] == scene.university
    assert by_line[2].values["preferred_language"] == "en"
    expected = {
        3: "Name is missing",
        4: "Unknown organisation «Невідома»",
        5: "Bad e-mail address «not-an-email»",
        6: "Duplicate of row 2",
        7: "is already listed for",
        8: "matches several organisations",
        9: "Unknown language «klingon»",
    }
    for line, message in expected.items():
        assert any(message in error for error in by_line[line].errors), (line, by_line[line].errors)
    outcome = services.directory_import_commit(
        region=scene.region, what=importers.PEOPLE, table=result.table, acting_user=scene.coordinator
    )
    assert [p.full_name for p in outcome.created] == ["Олена"]
    assert Person.objects.get(full_name="Олена").is_representative


def test_xlsx_with_ukrainian_headings_and_typed_cells(scene):
    rows = [
        ["Назва", "Категорія", "Код ЄДРПОУ", "Має R&D", "Примітка"],
        ["Завод", "enterprise", 12345678, True, "ігнорується"],
        [None, None, None, None, None],  # a blank line is not a row
        ["НДІ", "research_institute", None, False, None],
    ]
    result = preview(scene, xlsx_file(rows))
    assert [row.line for row in result.valid] == [2, 4]
    assert result.valid[0].values["edrpou"] == "12345678"
    assert result.valid[0].values["has_rnd_unit"] is True
    assert result.table.ignored == ["Примітка"]


def test_cp1251_csv_is_read(scene):
    result = preview(scene, csv_file("name_uk;kind\nОбласна рада;regional_council\n", encoding="cp1251"))
    assert result.valid[0].values["name_uk"] == "Обласна рада"


@pytest.mark.parametrize(
    "upload, message",
    [
        (csv_file("kind\ncluster\n"), "no column for: name_uk"),
        (csv_file(""), "empty"),
        (SimpleUploadedFile("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest"), ".xls"),
        (SimpleUploadedFile("broken.xlsx", b"PK\x03\x04broken"), "Excel"),
        (csv_file("name_uk,назва,kind\n"), "both mean"),
        (SimpleUploadedFile("doc.pdf", b"%PDF-1.4"), ".csv or .xlsx"),
    ],
)
def test_unusable_files_are_refused_as_a_whole(scene, upload, message):
    with pytest.raises(ValidationError) as caught:
        preview(scene, upload)
    assert message in " ".join(caught.value.messages)


def test_signed_preview_cannot_be_tampered_with_or_used_in_another_region(scene):
    table = importers.Table(
        what="organisations", columns=["name_uk", "kind"], rows=[(2, {"name_uk": "А", "kind": "rda"})]
    )
    token = table.sign(scene.region)
    assert importers.Table.unsign(token, scene.region).rows == [(2, {"name_uk": "А", "kind": "rda"})]
    with pytest.raises(ValidationError):
        importers.Table.unsign(token, scene.other_region)
    with pytest.raises(ValidationError):
        importers.Table.unsign(token[:-2] + "xx", scene.region)


def test_import_pages_preview_then_commit(client, scene):
    client.force_login(scene.coordinator)
    url = reverse("stakeholders:directory-import", kwargs={"region": scene.region.slug})
    page = client.post(url, {"what": "organisations", "file": csv_file(ORGS_CSV)})
    assert page.status_code == 200
    html = page.content.decode()
    assert "Unknown kind «space_mining»" in html and "Duplicate of row 2" in html
    assert not Organisation.objects.filter(name_uk="Нова агенція").exists()
    payload = page.context["confirm"]["payload"].value()

    errors = client.post(
        reverse("stakeholders:directory-import-errors", kwargs={"region": scene.region.slug}),
        {"payload": payload},
    )
    report = errors.content.decode("utf-8-sig")
    assert errors["Content-Type"].startswith("text/csv")
    assert report.splitlines()[0] == "line,errors,name_uk,kind,helix,edrpou,has_rnd_unit,website"
    assert len(report.splitlines()) == 8  # heading + 7 bad rows

    done = client.post(
        reverse("stakeholders:directory-import-commit", kwargs={"region": scene.region.slug}),
        {"payload": payload},
    )
    assert done.status_code == 200
    assert Organisation.objects.filter(name_uk__in=["Нова агенція", "Підприємство"]).count() == 2
    assert "Unknown kind «space_mining»" in done.content.decode()


def test_a_forged_payload_imports_nothing(client, scene):
    client.force_login(scene.coordinator)
    before = Organisation.objects.count()
    url = reverse("stakeholders:directory-import-commit", kwargs={"region": scene.region.slug})
    response = client.post(url, {"payload": "eyJ3aGF0Ijoib3JnYW5pc2F0aW9ucyJ9:forged"})
    assert response.status_code == 302
    assert Organisation.objects.count() == before


def test_directory_export_reimports_as_it_is(client, scene):
    Organisation.objects.filter(pk=scene.cluster.pk).update(
        short_name='=HYPERLINK("http://evil")', edrpou="01234567"
    )
    client.force_login(scene.coordinator)
    url = reverse("stakeholders:directory-export", kwargs={"region": scene.region.slug})
    response = client.get(url)
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    workbook = load_workbook(io.BytesIO(response.content))
    sheet = workbook["organisations"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == importers.COLUMNS["organisations"]
    assert sorted(r[0] for r in rows[1:]) == sorted(
        o.name_uk for o in Organisation.objects.filter(region=scene.region)
    )
    formula_cell = next(
        c for row in sheet.iter_rows() for c in row if c.value and str(c.value).startswith("=HYPERLINK")
    )
    assert formula_cell.data_type == "s"  # text, never a live formula
    people = list(workbook["people"].iter_rows(values_only=True))
    assert len(people) == 1 + Person.objects.filter(organisation__region=scene.region).count()

    # Export to another region as CSV and import it there: every row comes back.
    csv_export = client.get(url, {"format": "csv"})
    assert csv_export.content.decode("utf-8-sig").splitlines()[1].split(",")[0]
    upload = SimpleUploadedFile("export.csv", csv_export.content, content_type="text/csv")
    result = services.directory_import_preview(
        region=scene.other_region,
        what="organisations",
        uploaded_file=upload,
        acting_user=scene.other_coordinator,
    )
    assert not result.invalid, [r.errors for r in result.invalid]
    cluster_row = next(r for r in result.valid if r.values["name_uk"] == scene.cluster.name_uk)
    assert cluster_row.values["short_name"] == '=HYPERLINK("http://evil")'
    assert cluster_row.values["edrpou"] == "01234567"


def test_import_template_lists_the_columns(client, scene):
    client.force_login(scene.coordinator)
    response = client.get(
        reverse("stakeholders:directory-import-template", kwargs={"region": scene.region.slug}),
        {"what": "people"},
    )
    workbook = load_workbook(io.BytesIO(response.content))
    assert list(next(workbook.worksheets[0].iter_rows(values_only=True))) == list(importers.COLUMNS["people"])


def test_an_organisation_known_by_its_english_or_short_name_is_a_duplicate(scene):
    f.OrganisationFactory(
        region=scene.region,
        name_uk="Кластер «Таврія АгроТех»",
        name_en="Tavria AgroTech Cluster",
        short_name="ТАТ",
    )
    text = "name_uk,name_en,kind\nTavria AgroTech Cluster,,cluster\nТАТ,,cluster\nНовий кластер,tavria agrotech cluster,cluster\n"
    result = preview(scene, csv_file(text))
    assert result.valid == []
    assert all("already in the region's directory" in row.errors[0] for row in result.rows)
