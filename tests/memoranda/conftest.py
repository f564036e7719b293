"""A small region with an agreed agenda: four organisations with role-matrix rows, each represented by
a person with an account (the signers), two SMART goals, and a coordinator."""

import datetime
import shutil
import subprocess
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.test import Client
from django.utils import translation

from agenda import memorandum_services as services
from agenda.models import Indicator
from regions.models import RegionMembership
from stakeholders.models import OrganisationKind
from tests import factories as f

ORGS = [
    (
        "oda",
        OrganisationKind.REGIONAL_ADMIN,
        "Департамент економічного розвитку Херсонської ОДА",
        "Economic Development Dept., Kherson RSA",
        "Голова обласної державної адміністрації",
        "Head of the Regional State Administration",
        "Включити програму ваучерів до регіональної програми",
    ),
    (
        "city",
        OrganisationKind.CITY_COUNCIL,
        "Херсонська міська рада",
        "Kherson City Council",
        "Міський голова",
        "Mayor",
        "Інформаційна підтримка через канали міської ради",
    ),
    (
        "cluster",
        OrganisationKind.CLUSTER,
        "Кластер «Таврія АгроТех»",
        "Tavria AgroTech Cluster",
        "Голова правління кластеру",
        "Chair of the Cluster Board",
        "Лідерство в пілотному проєкті «Агро 4.0»",
    ),
    (
        "university",
        OrganisationKind.UNIVERSITY,
        "Південний аграрно-технічний університет",
        "Southern Agro-Technical University",
        "Ректор",
        "Rector",
        "Приміщення та викладачі для лабораторії",
    ),
]


@pytest.fixture(autouse=True)
def _english():
    """Messages are asserted in English (the msgids); the UI default is Ukrainian. Documents keep
    their own language: the PDF renders in the memorandum's language whatever is active."""
    with translation.override("en"):
        yield


@pytest.fixture
def client():
    return Client(HTTP_ACCEPT_LANGUAGE="en")


def build_world(slug="khersonska-t", iso="UA-65"):
    region = f.RegionFactory(
        slug=slug,
        iso_code=iso,
        name_uk="Херсонська область",
        name_en="Kherson Oblast",
        admin_centre_uk="Херсон",
        admin_centre_en="Kherson",
    )
    agenda = f.AgendaFactory(region=region, year=2021)
    coordinator = f.UserFactory(email=f"coordinator@{slug}.example.org", full_name="Координаторка Олена")
    f.RegionMembershipFactory(user=coordinator, region=region, role=RegionMembership.Role.COORDINATOR)
    w = SimpleNamespace(
        region=region, agenda=agenda, coordinator=coordinator, orgs={}, people={}, users={}, entries={}
    )
    for key, kind, name_uk, name_en, position_uk, position_en, commitment in ORGS:
        org = f.OrganisationFactory(region=region, kind=kind, name_uk=name_uk, name_en=name_en)
        user = f.UserFactory(
            email=f"{key}@{slug}.example.org",
            full_name=f"Підписант {key}",
            language="en" if key == "university" else "uk",
        )
        person = f.PersonFactory(
            organisation=org,
            full_name=f"Особа {key}",
            position_uk=position_uk,
            position_en=position_en,
            email=user.email,
            user=user,
            preferred_language="en" if key == "university" else "uk",
        )
        w.entries[key] = f.RoleMatrixEntryFactory(
            agenda=agenda, organisation=org, representative=person, commitment=commitment
        )
        w.orgs[key], w.people[key], w.users[key] = org, person, user
    indicator = f.IndicatorFactory(
        name_uk="МСП, що отримали ваучер", name_en="SMEs that received a voucher", unit=Indicator.Unit.COUNT
    )
    f.GoalFactory(
        agenda=agenda,
        code="G-1",
        title_uk="Запустити інноваційні ваучери",
        title_en="Launch innovation vouchers",
        indicator=indicator,
        baseline_value=Decimal("0"),
        target_value=Decimal("15.00"),
        deadline=datetime.date(2021, 12, 31),
        owner_org=w.orgs["cluster"],
    )
    f.GoalFactory(
        agenda=agenda,
        code="G-2",
        title_uk="Розширити кластер",
        title_en="Grow the cluster",
        target_value=Decimal("20"),
        owner_org=w.orgs["cluster"],
    )
    return w


@pytest.fixture
def world(db):
    return build_world()


def draft(w, **kw):
    return services.memorandum_draft_from_agenda(agenda=w.agenda, acting_user=w.coordinator, **kw)


def open_memorandum(w, **kw):
    memorandum = draft(w, **kw)
    services.memorandum_open_for_signature(memorandum=memorandum, acting_user=w.coordinator)
    memorandum.refresh_from_db()
    return memorandum


def sign(w, memorandum, key, *, user=None, typed_name=None, content_hash=None):
    revision = services.current_revision(memorandum)
    signature = revision.signatures.get(signatory__organisation=w.orgs[key])
    return services.signature_sign(
        signature=signature,
        acting_user=user or w.users[key],
        typed_name=typed_name or f"Підписант {key}",
        consent=True,
        content_hash=content_hash or revision.content_hash,
        ctx=services.SigningContext(ip_address="203.0.113.7", user_agent="pytest-browser/1.0"),
    )


def pdf_text(data: bytes, tmp_path) -> str:
    if shutil.which("pdftotext") is None:
        pytest.fail("pdftotext (poppler-utils) is required")
    path = tmp_path / "doc.pdf"
    path.write_bytes(data)
    return subprocess.run(
        ["pdftotext", "-raw", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
