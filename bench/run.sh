#!/usr/bin/env bash
# `make bench`: page throughput and latency against PostgreSQL + Redis with DEBUG off (gunicorn, 2 sync
# workers), the same figures for a bare reference view in the same run, SQL queries per page at 1x/10x/100x
# data, memorandum PDF render time against bare WeasyPrint, and PDF latency/throughput through a real
# Celery worker. Results: bench/results/latest.{md,json} (+ a timestamped copy).
#
# Needs: PostgreSQL on 127.0.0.1:5432 (a role that may create databases), Redis on 127.0.0.1:6379, wrk
# (apt-get install wrk; without it a small Python load client is used). Knobs (environment):
#   BENCH_DB_URL      default postgres://postgres@127.0.0.1:5432/common_agenda_bench (dropped and recreated)
#   BENCH_REDIS_URL   default redis://127.0.0.1:6379/14
#   BENCH_REGIONS     default 40          BENCH_SIZES  default "2 20 200" (organisations per region)
#   BENCH_DURATION    default 5 (s)       BENCH_WARMUP default 1 (s)     BENCH_CONNECTIONS default 8
#   BENCH_PORT        default 8765        BENCH_PDF_TASKS default 20
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
PY=${PY:-$ROOT/.venv/bin/python}
VENV_BIN=$(dirname "$PY")
WORK=$ROOT/bench/.work
RESULTS=$ROOT/bench/results
mkdir -p "$WORK" "$RESULTS"
rm -f "$WORK"/*.json

DB_URL=${BENCH_DB_URL:-postgres://postgres@127.0.0.1:5432/common_agenda_bench}
DB_NAME=${DB_URL##*/}
ADMIN_URL=${DB_URL%/*}/postgres
REDIS_URL=${BENCH_REDIS_URL:-redis://127.0.0.1:6379/14}
REGIONS=${BENCH_REGIONS:-40}
SIZES=${BENCH_SIZES:-2 20 200}
PORT=${BENCH_PORT:-8765}
DURATION=${BENCH_DURATION:-5}
WARMUP=${BENCH_WARMUP:-1}
CONNECTIONS=${BENCH_CONNECTIONS:-8}

export DJANGO_SETTINGS_MODULE=config.settings
export DATABASE_URL=$DB_URL CONN_MAX_AGE=60
export CELERY_BROKER_URL=$REDIS_URL CELERY_RESULT_BACKEND=
export DEBUG=0 SECRET_KEY=bench-only-secret-key-not-for-production
export SECURE_SSL_REDIRECT=0 SESSION_COOKIE_SECURE=0 CSRF_COOKIE_SECURE=0 SECURE_HSTS_SECONDS=0
export ALLOWED_HOSTS=127.0.0.1,localhost,testserver
export STATIC_ROOT=$WORK/static MEDIA_ROOT=$WORK/media
export BENCH_REFERENCE=1 LOG_LEVEL=WARNING

GUNICORN_PID=$WORK/gunicorn.pid
CELERY_PID=$WORK/celery.pid
stop() {
  for pidfile in "$GUNICORN_PID" "$CELERY_PID"; do
    if [[ -s $pidfile ]]; then
      pid=$(cat "$pidfile")
      kill -TERM "$pid" 2>/dev/null || true
      for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
      kill -KILL "$pid" 2>/dev/null || true
      rm -f "$pidfile"
    fi
  done
}
trap stop EXIT

step() { printf '\n== %s (%s)\n' "$*" "$(date +%H:%M:%S)"; }

step "Checking services"
"$PY" - "$ADMIN_URL" "$REDIS_URL" <<'PYEOF'
import sys, psycopg2, redis
psycopg2.connect(sys.argv[1]).close()
redis.Redis.from_url(sys.argv[2]).ping()
PYEOF
command -v wrk >/dev/null || echo "wrk not found (apt-get install wrk): using the Python load client"
redis-cli -u "$REDIS_URL" flushdb >/dev/null 2>&1 || "$PY" -c "import redis,sys; redis.Redis.from_url(sys.argv[1]).flushdb()" "$REDIS_URL"

step "Fresh database $DB_NAME"
"$PY" - "$ADMIN_URL" "$DB_NAME" <<'PYEOF'
import sys, psycopg2
conn = psycopg2.connect(sys.argv[1]); conn.autocommit = True
cur = conn.cursor()
cur.execute(f'DROP DATABASE IF EXISTS "{sys.argv[2]}" WITH (FORCE)')
cur.execute(f'CREATE DATABASE "{sys.argv[2]}" ENCODING \'UTF8\' TEMPLATE template0')
PYEOF
"$PY" manage.py migrate --noinput -v0
"$PY" manage.py collectstatic --noinput -v0

step "gunicorn: 2 sync workers on 127.0.0.1:$PORT"
"$VENV_BIN/gunicorn" config.wsgi:application -b "127.0.0.1:$PORT" -w 2 -k sync -p "$GUNICORN_PID" \
  --log-level warning >"$WORK/gunicorn.log" 2>&1 &
for _ in $(seq 1 100); do
  curl -fsS "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break
  sleep 0.2
done

for size in $SIZES; do
  step "Data: $REGIONS regions x $size organisations"
  "$PY" manage.py seed_scale --reset --regions "$REGIONS" --orgs-per-region "$size"
  "$PY" manage.py shell -c "from django.db import connection; connection.cursor().execute('VACUUM ANALYZE')" || true
  "$PY" bench/pages.py queries --label "$size" --out "$WORK/pages.json"
  "$PY" bench/pages.py load --label "$size" --out "$WORK/pages.json" --base "http://127.0.0.1:$PORT" \
    --duration "$DURATION" --warmup "$WARMUP" --connections "$CONNECTIONS"
done
stop

step "Celery worker (-c 2) on $REDIS_URL"
"$VENV_BIN/celery" -A config worker -c 2 -l warning --pidfile "$CELERY_PID" >"$WORK/celery.log" 2>&1 &
"$PY" bench/pdf.py --out "$WORK/pdf.json" --tasks "${BENCH_PDF_TASKS:-20}"
stop

step "Report"
"$PY" bench/report.py --pages "$WORK/pages.json" --pdf "$WORK/pdf.json" --results "$RESULTS"
