# Shared by bench/run.sh and bench/load.sh (sourced, not run): the Django environment for a production-like
# server (PostgreSQL, DEBUG off, no HTTPS switches on loopback), a fresh database, and gunicorn started and
# stopped by pid file. The caller sets ROOT, PY, VENV_BIN and WORK first.

# export_django_env DB_URL BROKER_URL SECRET CACHE_URL: the cache is Redis, as in docker-compose.yml, and
# is emptied here so that no page or criterion of an earlier run is reused.
export_django_env() {
  export DJANGO_SETTINGS_MODULE=config.settings
  export DATABASE_URL=$1 CONN_MAX_AGE=60 CACHE_URL=$4
  "$PY" -c "import redis, sys; redis.Redis.from_url(sys.argv[1]).flushdb()" "$4"
  export CELERY_BROKER_URL=$2 CELERY_RESULT_BACKEND=
  export DEBUG=0 SECRET_KEY=$3
  export SECURE_SSL_REDIRECT=0 SESSION_COOKIE_SECURE=0 CSRF_COOKIE_SECURE=0 SECURE_HSTS_SECONDS=0
  export ALLOWED_HOSTS=127.0.0.1,localhost,testserver
  export STATIC_ROOT=$WORK/static MEDIA_ROOT=$WORK/media LOG_LEVEL=WARNING
}

step() { printf '\n== %s (%s)\n' "$*" "$(date +%H:%M:%S)"; }

# fresh_database DB_URL: drop and recreate it, migrate, collect static files.
fresh_database() {
  local admin_url=${1%/*}/postgres db_name=${1##*/}
  step "Fresh database $db_name"
  "$PY" - "$admin_url" "$db_name" <<'PYEOF'
import sys, psycopg2
conn = psycopg2.connect(sys.argv[1]); conn.autocommit = True
cur = conn.cursor()
cur.execute(f'DROP DATABASE IF EXISTS "{sys.argv[2]}" WITH (FORCE)')
cur.execute(f'CREATE DATABASE "{sys.argv[2]}" ENCODING \'UTF8\' TEMPLATE template0')
PYEOF
  "$PY" manage.py migrate --noinput -v0
  [[ -f $STATIC_ROOT/staticfiles.json ]] || "$PY" manage.py collectstatic --noinput -v0
}

# start_gunicorn PORT PIDFILE LOGFILE: 2 sync workers on loopback, returns once /healthz answers.
start_gunicorn() {
  step "gunicorn: 2 sync workers on 127.0.0.1:$1"
  "$VENV_BIN/gunicorn" config.wsgi:application -b "127.0.0.1:$1" -w 2 -k sync -p "$2" \
    --log-level warning >"$3" 2>&1 &
  for _ in $(seq 1 100); do
    curl -fsS "http://127.0.0.1:$1/healthz" >/dev/null 2>&1 && return 0
    sleep 0.2
  done
  echo "gunicorn did not answer on port $1; see $3" >&2
  return 1
}

# stop_pidfiles FILE...: TERM each process, KILL it after 10 s.
stop_pidfiles() {
  local pidfile pid
  for pidfile in "$@"; do
    if [[ -s $pidfile ]]; then
      pid=$(cat "$pidfile")
      kill -TERM "$pid" 2>/dev/null || true
      for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
      kill -KILL "$pid" 2>/dev/null || true
      rm -f "$pidfile"
    fi
  done
}
