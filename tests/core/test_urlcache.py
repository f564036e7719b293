"""`{% url %}` and `core.urlcache.reverse` give Django's URLs, remember them per URLconf, script prefix
and language, and never let two arguments that merely compare equal share a URL."""

import pytest
from django.template import Context, Template, engines
from django.test import override_settings
from django.urls import NoReverseMatch, reverse, set_script_prefix

from core import urlcache
from core.templatetags.cached_url import CachedURLNode

ORG = "stakeholders:organisation-detail"


@pytest.fixture(autouse=True)
def _fresh():
    urlcache.forget()
    yield
    set_script_prefix("/")
    urlcache.forget()


def render(source: str, **context) -> str:
    return engines["django"].from_string(source).render(context)


def test_every_template_url_tag_is_the_remembering_one_without_a_load():
    template = engines["django"].from_string("{% url 'home' %}")
    assert isinstance(template.template.nodelist[0], CachedURLNode)


def test_the_tag_renders_what_django_reverses_and_remembers_it():
    expected = reverse(ORG, kwargs={"region": "khersonska", "pk": 7})
    source = "{% url 'stakeholders:organisation-detail' region=slug pk=pk %}"
    assert render(source, slug="khersonska", pk=7) == expected
    hits = urlcache._remembered.cache_info().hits
    assert render(source, slug="khersonska", pk=7) == expected
    assert urlcache._remembered.cache_info().hits == hits + 1
    # Other arguments, another URL; positional arguments too.
    assert render(source, slug="lvivska", pk=8) == reverse(ORG, kwargs={"region": "lvivska", "pk": 8})
    assert render("{% url 'stakeholders:organisation-detail' 'odeska' 9 %}") == reverse(ORG, args=["odeska", 9])


def test_as_variable_escaping_and_errors_are_djangos():
    assert render("{% url 'no-such-view' as missing %}[{{ missing }}]") == "[]"
    with pytest.raises(NoReverseMatch):
        render("{% url 'no-such-view' %}")
    with pytest.raises(NoReverseMatch):  # the int converter refuses text, as it does uncached
        urlcache.reverse(ORG, kwargs={"region": "khersonska", "pk": "x"})
    source = "{% url 'stakeholders:organisation-detail' region=slug pk=1 as link %}<a href='{{ link }}'>"
    assert render(source, slug="a-b") == f"<a href='{reverse(ORG, kwargs={'region': 'a-b', 'pk': 1})}'>"
    # Outside autoescape the URL is written as reversed (Django quotes it anyway).
    plain = Template("{% autoescape off %}{% url 'home' %}{% endautoescape %}").render(Context())
    assert plain == reverse("home")


def test_script_prefix_and_urlconf_are_part_of_what_is_remembered():
    before = urlcache.reverse(ORG, kwargs={"region": "khersonska", "pk": 1})
    set_script_prefix("/agenda-site/")
    moved = urlcache.reverse(ORG, kwargs={"region": "khersonska", "pk": 1})
    assert moved == "/agenda-site" + before == reverse(ORG, kwargs={"region": "khersonska", "pk": 1})
    set_script_prefix("/")
    assert urlcache.reverse(ORG, kwargs={"region": "khersonska", "pk": 1}) == before
    with override_settings(ROOT_URLCONF="bench.ref_urls"):
        with pytest.raises(NoReverseMatch):
            urlcache.reverse(ORG, kwargs={"region": "khersonska", "pk": 1})
    assert urlcache.reverse(ORG, kwargs={"region": "khersonska", "pk": 1}) == before


def test_arguments_that_only_compare_equal_are_not_confused():
    # True == 1 and hashes alike, but Django writes "True": it is never taken from the memory.
    one = urlcache.reverse(ORG, kwargs={"region": 1, "pk": 5})
    true = urlcache.reverse(ORG, kwargs={"region": True, "pk": 5})
    assert one.startswith("/r/1/") and true.startswith("/r/True/")
    assert urlcache.reverse(ORG, kwargs={"region": 1, "pk": 5}) == one
