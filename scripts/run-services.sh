#!/bin/sh
# Production-shaped run: gunicorn, a Celery worker and Celery beat, stopped together on Ctrl-C.
# Needs DATABASE_URL, REDIS_URL, SECRET_KEY and ALLOWED_HOSTS in the environment (see README.md).
# gunicorn reads gunicorn.conf.py (threaded workers and their timeouts; BIND, WEB_CONCURRENCY, GUNICORN_THREADS...).
set -eu
VENV=${VENV:-.venv}
BIND=${BIND:-127.0.0.1:8000}
export BIND

pids=""
stop() {
    trap - INT TERM EXIT
    [ -n "$pids" ] && kill $pids 2>/dev/null || true
    wait
}
trap stop INT TERM EXIT

"$VENV/bin/celery" -A statprogram worker --loglevel=INFO --concurrency="${CELERY_CONCURRENCY:-2}" &
pids="$pids $!"
"$VENV/bin/celery" -A statprogram beat --loglevel=INFO --pidfile= &
pids="$pids $!"
"$VENV/bin/gunicorn" --config gunicorn.conf.py statprogram.wsgi:application &
pids="$pids $!"
echo "statprogram is serving on http://$BIND/ with a Celery worker and beat (Ctrl-C stops all three)."
# Exit (and stop the others) as soon as any one of them dies.
while :; do
    for pid in $pids; do
        kill -0 "$pid" 2>/dev/null || { echo "process $pid stopped; stopping the rest"; exit 1; }
    done
    sleep 2
done
