#!/usr/bin/env bash
# `make load`: a bounded load test on loopback. gunicorn (2 sync workers) against PostgreSQL + Redis with
# DEBUG off, LOAD_USERS simulated stakeholders (5-15 s think time) filling role-matrix rows, adding SWOT
# items and voting, plus LOAD_COORDINATORS coordinators browsing dashboards, for LOAD_MINUTES minutes;
# then bench/load_check.py verifies every acknowledged write in the database and the p95 targets.
# Results: bench/results/load-latest.{md,json}.
#
# Knobs: LOAD_MINUTES (5), LOAD_USERS (200), LOAD_COORDINATORS (10), LOAD_REGIONS (10), LOAD_ORGS (20),
# LOAD_SPAWN_RATE (10 users/s), LOAD_DB_URL (postgres://postgres@127.0.0.1:5432/common_agenda_load,
# dropped and recreated), LOAD_REDIS_URL (redis://127.0.0.1:6379/15), LOAD_CACHE_URL
# (redis://127.0.0.1:6379/11, emptied), LOAD_PORT (8766).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
PY=${PY:-$ROOT/.venv/bin/python}
VENV_BIN=$(dirname "$PY")
WORK=$ROOT/bench/.work
mkdir -p "$WORK" "$ROOT/bench/results"

DB_URL=${LOAD_DB_URL:-postgres://postgres@127.0.0.1:5432/common_agenda_load}
PORT=${LOAD_PORT:-8766}
MINUTES=${LOAD_MINUTES:-5}
USERS=${LOAD_USERS:-200}
COORDINATORS=${LOAD_COORDINATORS:-10}
export LOAD_USERS=$USERS LOAD_COORDINATORS=$COORDINATORS LOAD_REGIONS=${LOAD_REGIONS:-10} LOAD_ORGS=${LOAD_ORGS:-20}

# shellcheck source=bench/common.sh
source "$ROOT/bench/common.sh"
export_django_env "$DB_URL" "${LOAD_REDIS_URL:-redis://127.0.0.1:6379/15}" load-test-only-secret-key-not-for-production \
  "${LOAD_CACHE_URL:-redis://127.0.0.1:6379/11}"

GUNICORN_PID=$WORK/load-gunicorn.pid
stop() { stop_pidfiles "$GUNICORN_PID"; }
trap stop EXIT

[[ -x $VENV_BIN/locust ]] || { echo "locust is not installed: $VENV_BIN/pip install -r requirements.lock" >&2; exit 1; }

fresh_database "$DB_URL"

step "Data and sessions ($LOAD_REGIONS regions x $LOAD_ORGS organisations)"
"$PY" bench/load_setup.py

start_gunicorn "$PORT" "$GUNICORN_PID" "$WORK/load-gunicorn.log"

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
