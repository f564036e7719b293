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
#   BENCH_CACHE_URL   default redis://127.0.0.1:6379/12 (emptied)
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
ADMIN_URL=${DB_URL%/*}/postgres
REDIS_URL=${BENCH_REDIS_URL:-redis://127.0.0.1:6379/14}
REGIONS=${BENCH_REGIONS:-40}
SIZES=${BENCH_SIZES:-2 20 200}
PORT=${BENCH_PORT:-8765}
DURATION=${BENCH_DURATION:-5}
WARMUP=${BENCH_WARMUP:-1}
CONNECTIONS=${BENCH_CONNECTIONS:-8}

# shellcheck source=bench/common.sh
source "$ROOT/bench/common.sh"
export_django_env "$DB_URL" "$REDIS_URL" bench-only-secret-key-not-for-production "${BENCH_CACHE_URL:-redis://127.0.0.1:6379/12}"
export BENCH_REFERENCE=1

GUNICORN_PID=$WORK/gunicorn.pid
CELERY_PID=$WORK/celery.pid
stop() { stop_pidfiles "$GUNICORN_PID" "$CELERY_PID"; }
trap stop EXIT

step "Checking services"
"$PY" - "$ADMIN_URL" "$REDIS_URL" <<'PYEOF'
import sys, psycopg2, redis
psycopg2.connect(sys.argv[1]).close()
redis.Redis.from_url(sys.argv[2]).ping()
PYEOF
command -v wrk >/dev/null || echo "wrk not found (apt-get install wrk): using the Python load client"
redis-cli -u "$REDIS_URL" flushdb >/dev/null 2>&1 || "$PY" -c "import redis,sys; redis.Redis.from_url(sys.argv[1]).flushdb()" "$REDIS_URL"

fresh_database "$DB_URL"

start_gunicorn "$PORT" "$GUNICORN_PID" "$WORK/gunicorn.log"

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
