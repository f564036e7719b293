"""In a real browser: a coordinator drafts a memorandum from the agreed agenda and opens it for
signature; the regional administration (an initiating party) signs with its own account, the cluster
through the e-mailed signing link without logging in. The signed PDF is rendered (Celery eager here;
tests/memoranda/test_worker.py covers the real worker), downloaded through the page, and the public
verification page accepts that very file and rejects a copy changed by one byte."""

import re
from pprint import pformat

import pytest
from django.core import mail

from agenda.models import Memorandum, Signature
from regions.models import RegionMembership
from stakeholders.models import OrganisationKind
from tests import factories as f
from tests.browser_support import PHONE, assert_fits, axe, login, shoot, unlabelled

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def region():
    region = f.RegionFactory(
        slug="khersonska",
        iso_code="UA-65",
        name_uk="Херсонська область",
        name_en="Kherson Oblast",
        admin_centre_uk="Херсон",
        admin_centre_en="Kherson",
    )
    agenda = f.AgendaFactory(region=region, year=2021)
    coordinator = f.UserFactory(email="coord.kherson@example.org", full_name="Координаторка Олена")
    f.RegionMembershipFactory(user=coordinator, region=region, role=RegionMembership.Role.COORDINATOR)
    world = {"region": region, "agenda": agenda, "coordinator": coordinator}
    for key, kind, name, position, commitment in (
        (
            "oda",
            OrganisationKind.REGIONAL_ADMIN,
            "Департамент економічного розвитку Херсонської ОДА",
            "Директор департаменту",
            "Включити програму ваучерів до регіональної програми",
        ),
        (
            "cluster",
            OrganisationKind.CLUSTER,
            "Кластер «Таврія АгроТех»",
            "Голова правління кластеру",
            "Лідерство в пілотному проєкті «Агро 4.0»",
        ),
    ):
        organisation = f.OrganisationFactory(region=region, kind=kind, name_uk=name)
        user = f.UserFactory(email=f"{key}@example.org", full_name=f"Підписант {key}")
        person = f.PersonFactory(
            organisation=organisation,
            full_name=f"Підписант {key}",
            position_uk=position,
            email=user.email,
            user=user,
        )
        f.RoleMatrixEntryFactory(
            agenda=agenda, organisation=organisation, representative=person, commitment=commitment
        )
        world[key] = {"organisation": organisation, "user": user, "person": person}
    return world


def check(page, name, *, phone=False):
    problems = axe(page)
    assert problems == [], pformat(problems)
    assert unlabelled(page) == []
    shoot(page, name)
    if phone:
        assert_fits(page)


def accept_confirmations(page):
    """Forms marked data-confirm ask window.confirm(); Playwright would dismiss it."""
    page.on("dialog", lambda dialog: dialog.accept())


def test_memorandum_signed_by_two_parties_downloaded_and_verified(page_factory, region, tmp_path):
    coordinator = page_factory()
    accept_confirmations(coordinator)
    login(coordinator, region["coordinator"].email)

    # 1. Draft from the agenda: both organisations of the role matrix become parties.
    coordinator.goto("/r/khersonska/memoranda/")
    check(coordinator, "memorandum-list-empty-uk-desktop")
    with coordinator.expect_navigation():
        coordinator.click("a[href='/r/khersonska/memoranda/new/']")
    with coordinator.expect_navigation():
        coordinator.click("main form button[type=submit]")
    memorandum = Memorandum.objects.get()
    assert coordinator.url.endswith(f"/memoranda/{memorandum.pk}/")
    assert memorandum.signatories.count() == 2
    check(coordinator, "memorandum-draft-uk-desktop")

    # 2. Open for signature: the text is frozen, a pending signature per party.
    with coordinator.expect_navigation():
        coordinator.click(f"form[action$='/memoranda/{memorandum.pk}/open/'] button[type=submit]")
    revision = memorandum.revisions.get()
    assert revision.content_hash and revision.verification_code
    assert revision.content_hash in coordinator.inner_text("main")
    signatures = {
        s.signatory.organisation.kind: s
        for s in revision.signatures.select_related("signatory__organisation")
    }
    oda, cluster = signatures[OrganisationKind.REGIONAL_ADMIN], signatures[OrganisationKind.CLUSTER]

    # 3. The administration's representative signs with their account; the button waits for the consent.
    signer = page_factory(viewport=PHONE)
    login(signer, region["oda"]["user"].email)
    signer.goto(f"/r/khersonska/memoranda/{memorandum.pk}/sign/{oda.pk}/")
    check(signer, "memorandum-sign-uk-phone", phone=True)
    assert revision.content_hash in signer.inner_text("main")
    signer.fill("input[name=typed_name]", "Підписант ОДА")
    assert signer.is_disabled("button[data-sign-submit]")
    signer.check("input[name=consent]")
    assert signer.is_enabled("button[data-sign-submit]")
    with signer.expect_navigation():
        signer.click("button[data-sign-submit]")
    oda.refresh_from_db()
    assert oda.status == Signature.Status.SIGNED and oda.content_hash == revision.content_hash
    assert not oda.via_link

    # 4. The cluster's representative gets a signing link by e-mail and signs without logging in.
    coordinator.reload()
    with coordinator.expect_navigation():
        coordinator.click(f"form[action$='/sign/{cluster.pk}/send-link/'] button[type=submit]")
    link = re.search(r"https?://\S+/sign/\d+/link/\S+/", mail.outbox[-1].body).group(0)
    assert mail.outbox[-1].to == ["cluster@example.org"]
    guest = page_factory(locale="en-GB")
    guest.goto("/" + link.split("://", 1)[1].split("/", 1)[1])
    check(guest, "memorandum-sign-by-link-en-desktop")
    guest.fill("input[name=typed_name]", "Cluster Chair")
    guest.check("input[name=consent]")
    with guest.expect_navigation():
        guest.click("button[data-sign-submit]")
    assert "/signed/" in guest.url
    cluster.refresh_from_db()
    assert cluster.status == Signature.Status.SIGNED and cluster.via_link
    # The link works once.
    page_factory.allow("status of 404")
    assert guest.goto("/" + link.split("://", 1)[1].split("/", 1)[1]).status == 404

    # 5. Both signed: the PDF is rendered (eagerly here) and downloaded through the page.
    revision.refresh_from_db()
    assert revision.pdf_status == "ready", (revision.pdf_status, revision.pdf_error)
    coordinator.goto(f"/r/khersonska/memoranda/{memorandum.pk}/")
    status = coordinator.locator("#pdf-status")
    assert revision.pdf_hash in status.inner_text()
    check(coordinator, "memorandum-signed-uk-desktop")
    with coordinator.expect_download() as download:
        status.locator("button[type=submit]").click()
    signed_pdf = tmp_path / download.value.suggested_filename
    download.value.save_as(signed_pdf)
    assert signed_pdf.read_bytes().startswith(b"%PDF")
    assert revision.verification_code in signed_pdf.name

    # 6. The public verification page (no login) accepts the file and rejects a one-byte change.
    public = page_factory()
    public.goto("/verify/")
    check(public, "verify-index-uk-desktop")
    public.fill("input[name=code]", revision.verification_code)
    with public.expect_navigation():
        public.locator("main form button[type=submit]").click()
    assert public.url.endswith(f"/verify/{revision.verification_code}/")
    public.set_input_files("input[name=pdf]", str(signed_pdf))
    with public.expect_navigation():
        public.locator("main form[enctype='multipart/form-data'] button[type=submit]").click()
    verdict = public.locator(".ca-verify-result")
    assert "alert-success" in verdict.get_attribute("class")
    assert "Автентичний: цей файл точно збігається з підписаним PDF." in verdict.inner_text()
    assert revision.pdf_hash in verdict.inner_text()
    check(public, "verify-match-uk-desktop")

    data = bytearray(signed_pdf.read_bytes())
    data[len(data) // 2] ^= 0x01
    forged = tmp_path / "forged.pdf"
    forged.write_bytes(bytes(data))
    public.set_input_files("input[name=pdf]", str(forged))
    with public.expect_navigation():
        public.locator("main form[enctype='multipart/form-data'] button[type=submit]").click()
    verdict = public.locator(".ca-verify-result")
    assert "alert-danger" in verdict.get_attribute("class")
    assert revision.pdf_hash not in verdict.inner_text()
    assert "Автентичний" not in verdict.inner_text()
    check(public, "verify-mismatch-uk-desktop")
