"""gunicorn settings read from the working directory (gunicorn's default `./gunicorn.conf.py`): the
container, docker-compose.yml and the benchmarks start gunicorn from the project root.

Command-line options (bind, workers) stay where gunicorn is started; this file holds what the command
line cannot: the worker hook below.
"""

import gc


def post_worker_init(worker):
    """Load what every request uses, then hide it from the garbage collector.

    A page builds a few hundred thousand short-lived objects, and each collection of the oldest
    generation walks every object the process holds: Django's models, URL patterns, templates and
    translation catalogues, which live as long as the worker. Frozen, they are no longer walked; a
    fresh SWOT board or programme dashboard spends about 5 ms less in collections.
    """
    from django.conf import settings
    from django.template import engines
    from django.urls import get_resolver
    from django.utils import translation

    get_resolver().url_patterns  # noqa: B018 - imports the URLconf and every view module
    for backend in engines.all():  # the template engines with their tag libraries
        getattr(getattr(backend, "engine", None), "template_loaders", None)  # built on first use
    for code, _name in settings.LANGUAGES:
        with translation.override(code):  # loads the catalogue of each language
            translation.gettext("Home")
    gc.freeze()
    worker.log.info(
        "Worker %s: %d objects frozen for the garbage collector", worker.pid, gc.get_freeze_count()
    )
