"""Forms rendered once per process (core.formcache): the HTML is exactly crispy's, a change in anything
the form shows is another entry, submitted forms and forms that would carry a token are never kept."""

import pytest
from crispy_forms.helper import FormHelper
from crispy_forms.templatetags.crispy_forms_filters import as_crispy_field
from crispy_forms.utils import render_crispy_form
from django import forms
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from agenda.forms import SwotItemForm
from core import formcache
from regions.models import RegionMembership
from stakeholders.forms import RoleEntryForm
from stakeholders.models import Organisation
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_store():
    formcache.clear()
    yield
    formcache.clear()


@pytest.fixture
def agenda():
    agenda = f.AgendaFactory()
    for name in ("Кластер «Альфа»", "Університет <Бета>", "Агенція & Ко"):
        f.OrganisationFactory(region=agenda.region, name_uk=name, name_en=name)
    return agenda


def swot_form(agenda, quadrant="S", *, one=False, can_manage=True, data=None):
    organisations = Organisation.objects.filter(region=agenda.region).order_by("name_uk")
    if one:
        organisations = organisations.filter(pk=organisations[0].pk)
    return SwotItemForm(
        data=data,
        agenda=agenda,
        organisations=organisations,
        can_manage=can_manage,
        fixed_quadrant=quadrant,
        auto_id=f"id_{quadrant}_%s" if quadrant else "id_%s",
    )


def role_form(entry, domains):
    return RoleEntryForm(entry=entry, fields=tuple(RoleEntryForm.Meta.fields), domains=domains)


@pytest.mark.parametrize("language", ["uk", "en"])
@pytest.mark.parametrize("quadrant", ["S", "W", "O", "T", None])
@pytest.mark.parametrize("one", [False, True], ids=["coordinator", "representative"])
def test_a_stored_form_is_exactly_what_crispy_renders(agenda, language, quadrant, one):
    with translation.override(language):
        expected = render_crispy_form(swot_form(agenda, quadrant, one=one, can_manage=not one))
        first = formcache.crispy_form_html(swot_form(agenda, quadrant, one=one, can_manage=not one))
        again = formcache.crispy_form_html(swot_form(agenda, quadrant, one=one, can_manage=not one))
    assert first == again == expected
    assert len(formcache._store) == 1, "the second rendering came from the store"
    assert ("&lt;Бета&gt;" in expected) is not one and "csrfmiddlewaretoken" not in expected


def test_each_quadrant_language_and_proposer_list_is_its_own_entry(agenda):
    for quadrant in "SWOT":
        for language in ("uk", "en"):
            with translation.override(language):
                formcache.crispy_form_html(swot_form(agenda, quadrant))
                formcache.crispy_form_html(swot_form(agenda, quadrant, one=True, can_manage=False))
    assert len(formcache._store) == 16
    with translation.override("en"):
        html = formcache.crispy_form_html(swot_form(agenda, "W"))
    assert 'id="id_W_text_uk"' in html and "Importance" in html


def test_a_renamed_organisation_shows_its_new_name(agenda):
    formcache.crispy_form_html(swot_form(agenda))
    Organisation.objects.filter(name_uk="Агенція & Ко").update(name_uk="Агенція розвитку")
    html = formcache.crispy_form_html(swot_form(agenda))
    assert "Агенція розвитку" in html and "Агенція &amp; Ко" not in html


def test_a_submitted_form_is_rendered_afresh_with_its_errors(agenda):
    form = swot_form(agenda, data={"quadrant": "S", "text_uk": "", "importance": "9"})
    assert not form.is_valid()
    html = formcache.crispy_form_html(form)
    assert html == render_crispy_form(form)
    assert "is-invalid" in html
    assert formcache._store == {}


def test_choices_are_read_once_whether_stored_or_not(agenda):
    with CaptureQueriesContext(connection) as plain:
        render_crispy_form(swot_form(agenda))
    with CaptureQueriesContext(connection) as missed:
        formcache.crispy_form_html(swot_form(agenda))
    with CaptureQueriesContext(connection) as stored:
        formcache.crispy_form_html(swot_form(agenda))
    counts = [len(ctx.captured_queries) for ctx in (plain, missed, stored)]
    assert counts == [counts[0]] * 3, counts


def test_role_row_fields_are_crispys_and_follow_the_row(agenda):
    entry = f.RoleMatrixEntryFactory(agenda=agenda, organisation=Organisation.objects.first())
    f.PersonFactory(organisation=entry.organisation, full_name="Олена Петренко")
    domains = agenda.region.domains.all()
    f.DomainFactory(region=agenda.region, name_uk="Агротех")
    form = role_form(entry, domains)
    for field in form:
        if field.name != "version":
            assert formcache.crispy_field_html(field) == as_crispy_field(
                role_form(entry, domains)[field.name]
            )
    assert "Олена Петренко" in formcache.crispy_field_html(role_form(entry, domains)["representative"])
    entry.comment = "Нова примітка <b>"
    assert "Нова примітка &lt;b&gt;" in formcache.crispy_field_html(role_form(entry, domains)["comment"])


def test_a_form_that_would_carry_its_token_is_not_kept():
    class Tokened(forms.Form):
        name = forms.CharField()

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.helper = FormHelper()  # its own <form> tag with the CSRF token

    class Laid(Tokened):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.helper.form_tag = False
            self.helper.layout = object()

    assert formcache._form_key(Tokened()) is None
    assert formcache._form_key(Laid()) is None


def test_the_store_keeps_at_most_its_size(agenda, monkeypatch):
    monkeypatch.setattr(formcache, "MAX_ENTRIES", 3)
    for quadrant in "SWOT":
        formcache.crispy_form_html(swot_form(agenda, quadrant))
    assert len(formcache._store) == 3


def test_the_swot_board_and_role_row_pages_use_the_store(client, agenda):
    coordinator = f.UserFactory()
    f.RegionMembershipFactory(user=coordinator, region=agenda.region, role=RegionMembership.Role.COORDINATOR)
    entry = f.RoleMatrixEntryFactory(agenda=agenda, organisation=Organisation.objects.first())
    client.force_login(coordinator)
    slug, year = agenda.region.slug, agenda.year
    board = client.get(f"/r/{slug}/agenda/{year}/swot/")
    assert board.status_code == 200 and len(formcache._store) == 4
    assert client.get(f"/r/{slug}/agenda/{year}/swot/").content.count(b'name="text_uk"') == 4
    assert len(formcache._store) == 4, "the second view of the board rendered no form"
    assert client.get(f"/r/{slug}/agenda/{year}/roles/{entry.pk}/edit/").status_code == 200
    assert len(formcache._store) > 4


def test_choice_lists_differ_in_the_key_whenever_their_options_would():
    flat = [("", "---------"), (1, "Кластер"), (2, "Університет")]
    grouped = [("Бізнес", [(1, "Кластер")]), ("Наука", [(2, "Університет")])]
    assert formcache._norm_choices(flat) == formcache._norm_choices(list(flat))
    assert formcache._norm_choices(flat) != formcache._norm_choices([*flat[:2], (2, "Університет 2")])
    assert formcache._norm_choices(flat) != formcache._norm_choices([*flat[:2], (3, "Університет")])
    assert formcache._norm_choices(grouped) != formcache._norm_choices(
        [grouped[0], ("Наука", [(2, "Академія")])]
    )
