"""Reversing URLs with a memory. The same view name with the same arguments always gives the same path
(for one URLconf, script prefix and language), so each process reverses each URL once. Pages reverse a
URL or more per row: the role matrix about 230 and the SWOT board about 430 per render, which cost
Django's `reverse` a fifth of the SWOT board's time.

`reverse` here takes the place of `django.urls.reverse` where it is hot; the `{% url %}` tag of every
template uses it (`core.templatetags.cached_url`, a template builtin).
"""

from functools import lru_cache

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf
from django.urls import reverse as django_reverse
from django.utils.safestring import SafeString
from django.utils.translation import get_language

# Arguments whose value is their text (a template's literal is a SafeString): anything else (a model
# instance, a lazy string, True that equals 1…) may render differently while comparing equal, so it is
# reversed afresh every time.
_PLAIN = (int, str, SafeString)


@lru_cache(maxsize=16384)
def _remembered(viewname, args, kwargs, current_app, urlconf, prefix, language) -> str:
    return django_reverse(viewname, urlconf=urlconf, args=args, kwargs=dict(kwargs), current_app=current_app)


def reverse(viewname, args=None, kwargs=None, current_app=None) -> str:
    """`django.urls.reverse` remembered per process for a view name given by name and plain (int or str)
    arguments; anything else is passed through to Django. NoReverseMatch is raised as Django raises it."""
    args = tuple(args or ())
    kwargs = kwargs or {}
    if (
        type(viewname) not in _PLAIN
        or not all(type(arg) in _PLAIN for arg in args)
        or not all(type(value) in _PLAIN for value in kwargs.values())
    ):
        return django_reverse(viewname, args=args, kwargs=kwargs, current_app=current_app)
    return _remembered(
        viewname,
        args,
        tuple(sorted(kwargs.items())),
        current_app,
        get_urlconf() or settings.ROOT_URLCONF,
        get_script_prefix(),
        get_language(),
    )


def forget() -> None:
    """Drop every remembered URL (the URLconf changed: tests that override it)."""
    _remembered.cache_clear()
