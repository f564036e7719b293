#!/usr/bin/env bash
# `make load`: a bounded load test on loopback. gunicorn (2 sync workers) against PostgreSQL + Redis with
# DEBUG off, LOAD_USERS simulated stakeholders (5-15 s think time) filling role-matrix rows, adding SWOT
# items and voting, plus LOAD_COORDINATORS coordinators browsing dashboards, for LOAD_MINUTES minutes;
# then bench/load_check.py verifies every acknowledged write in the database and the p95 targets.
# Results: bench/results/load-latest.{md,json}.
#
# Knobs: LOAD_MINUTES (5), LOAD_USERS (200), LOAD_COORDINATORS (10), LOAD_REGIONS (10), LOAD_ORGS (20),
# LOAD_SPAWN_RATE (10 users/s), LOAD_DB_URL (postgres://postgres@127.0.0.1:5432/common_agenda_load,
# dropped and recreated), LOAD_REDIS_URL (redis://127.0.0.1:6379/15), LOAD_PORT (8766).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
PY=${PY:-$ROOT/.venv/bin/python}
VENV_BIN=$(dirname "$PY")
WORK=$ROOT/bench/.work
mkdir -p "$WORK" "$ROOT/bench/results"

DB_URL=${LOAD_DB_URL:-postgres://postgres@127.0.0.1:5432/common_agenda_load}
DB_NAME=${DB_URL##*/}
ADMIN_URL=${DB_URL%/*}/postgres
PORT=${LOAD_PORT:-8766}
MINUTES=${LOAD_MINUTES:-5}
USERS=${LOAD_USERS:-200}
COORDINATORS=${LOAD_COORDINATORS:-10}
export LOAD_USERS=$USERS LOAD_COORDINATORS=$COORDINATORS LOAD_REGIONS=${LOAD_REGIONS:-10} LOAD_ORGS=${LOAD_ORGS:-20}

export DJANGO_SETTINGS_MODULE=config.settings
export DATABASE_URL=$DB_URL CONN_MAX_AGE=60
export CELERY_BROKER_URL=${LOAD_REDIS_URL:-redis://127.0.0.1:6379/15} CELERY_RESULT_BACKEND=
export DEBUG=0 SECRET_KEY=load-test-only-secret-key-not-for-production
export SECURE_SSL_REDIRECT=0 SESSION_COOKIE_SECURE=0 CSRF_COOKIE_SECURE=0 SECURE_HSTS_SECONDS=0
export ALLOWED_HOSTS=127.0.0.1,localhost,testserver
export STATIC_ROOT=$WORK/static MEDIA_ROOT=$WORK/media LOG_LEVEL=WARNING

GUNICORN_PID=$WORK/load-gunicorn.pid
stop() {
  if [[ -s $GUNICORN_PID ]]; then
    pid=$(cat "$GUNICORN_PID")
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -KILL "$pid" 2>/dev/null || true
    rm -f "$GUNICORN_PID"
  fi
}
trap stop EXIT
step() { printf '\n== %s (%s)\n' "$*" "$(date +%H:%M:%S)"; }

[[ -x $VENV_BIN/locust ]] || { echo "locust is not installed: $VENV_BIN/pip install -r requirements.lock" >&2; exit 1; }

step "Fresh database $DB_NAME"
"$PY" - "$ADMIN_URL" "$DB_NAME" <<'PYEOF'
import sys, psycopg2
conn = psycopg2.connect(sys.argv[1]); conn.autocommit = True
cur = conn.cursor()
cur.execute(f'DROP DATABASE IF EXISTS "{sys.argv[2]}" WITH (FORCE)')
cur.execute(f'CREATE DATABASE "{sys.argv[2]}" ENCODING \'UTF8\' TEMPLATE template0')
PYEOF
"$PY" manage.py migrate --noinput -v0
[[ -f $STATIC_ROOT/staticfiles.json ]] || "$PY" manage.py collectstatic --noinput -v0

step "Data and sessions ($LOAD_REGIONS regions x $LOAD_ORGS organisations)"
"$PY" bench/load_setup.py

step "gunicorn: 2 sync workers on 127.0.0.1:$PORT"
"$VENV_BIN/gunicorn" config.wsgi:application -b "127.0.0.1:$PORT" -w 2 -k sync -p "$GUNICORN_PID" \
  --log-level warning >"$WORK/load-gunicorn.log" 2>&1 &
for _ in $(seq 1 100); do
  curl -fsS "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break
  sleep 0.2
done

step "locust: $USERS stakeholders + $COORDINATORS coordinators for $MINUTES min"
rm -f "$WORK"/locust_*.csv
"$VENV_BIN/locust" -f bench/locustfile.py --headless --host "http://127.0.0.1:$PORT" \
  -u "$((USERS + COORDINATORS))" -r "${LOAD_SPAWN_RATE:-10}" -t "${MINUTES}m" --stop-timeout 20 \
  --csv "$WORK/locust" --only-summary --loglevel WARNING \
  Stakeholder Coordinator 2>&1 | tail -40 || true
stop

step "Checking every acknowledged write"
LOAD_DESCRIPTION="$USERS stakeholders + $COORDINATORS coordinators, 5-15 s think time, $MINUTES min, gunicorn 2 sync workers, $LOAD_REGIONS regions x $LOAD_ORGS organisations, PostgreSQL, DEBUG off." \
  "$PY" bench/load_check.py
