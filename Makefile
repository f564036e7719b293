# Common Agenda — the two commands: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=

.PHONY: run test install migrate seed messages lint bench worker clean

$(VENV)/.installed: requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --disable-pip-version-check -r requirements.lock
	touch $@

install: $(VENV)/.installed

migrate: install
	DEBUG=1 $(PY) manage.py migrate --noinput

seed: migrate
	DEBUG=1 $(PY) manage.py seed_demo

## Set up everything on a fresh clone and serve on http://127.0.0.1:8000/ (SQLite, Celery eager).
run: seed
	DEBUG=1 $(PY) manage.py runserver $(HOST):$(PORT)

## The whole test suite. CI (.ci/run) sets DATABASE_URL, CELERY_BROKER_URL and REQUIRE_SERVICES=1.
test: install
	DEBUG=0 SECRET_KEY=test-only-secret-key-not-for-production SECURE_SSL_REDIRECT=0 SESSION_COOKIE_SECURE=0 \
	  CSRF_COOKIE_SECURE=0 SECURE_HSTS_SECONDS=0 $(VENV)/bin/pytest -n 2 --durations=15 $(PYTEST_ARGS)

## Recompile translations after editing locale/*/LC_MESSAGES/django.po (needs gettext).
messages: install
	DEBUG=1 $(PY) manage.py makemessages -l uk -l en --no-obsolete --ignore=.venv --ignore=staticfiles --ignore=tests
	DEBUG=1 $(PY) manage.py compilemessages --ignore=.venv

lint: install
	$(VENV)/bin/ruff check .

worker: install
	$(VENV)/bin/celery -A config worker -l info -c 2

bench: install
	bash bench/run.sh

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles media .dev-secret-key

## Bounded load test on loopback (PostgreSQL, Redis, locust): LOAD_MINUTES=5 by default. See README.
.PHONY: load
load: install
	bash bench/load.sh
