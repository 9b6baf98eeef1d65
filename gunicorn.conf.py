"""gunicorn's configuration for statprogram in production (scripts/run-services.sh, ``make run-services``, and the
benchmarks): ``gunicorn statprogram.wsgi:application -c gunicorn.conf.py``.

Threaded workers (gthread): a worker's main thread waits for every connection in one poller and hands a request to
one of its threads only once bytes arrive, so a client that connects and sends nothing holds no thread, and a few
slow clients (each holding a thread while it trickles its headers) leave the other threads serving. Sync workers,
one request each, were frozen by four slow-header connections. gunicorn alone still has no deadline for a request's
headers: in production put the buffering reverse proxy in front (deploy/nginx/statprogram.conf), which reads whole
requests before it passes them on and times out slow ones. benchmarks/slow_clients.py measures both.

Every setting reads the environment; a value that is not a whole number (or below its minimum) stops gunicorn at
start-up with its name:

======================== ======== ==========================================================================
variable                 default  what it does
======================== ======== ==========================================================================
``BIND``                 127.0.0.1:8000  address to listen on (nginx proxies to it)
``WEB_CONCURRENCY``      3        worker processes (about 2 per core, plus one)
``GUNICORN_THREADS``     8        threads per worker: requests each worker serves at once
``GUNICORN_TIMEOUT``     30       seconds a worker may go silent (stuck) before it is killed and replaced
``GUNICORN_GRACEFUL``    30       seconds a stopping or restarting worker has to finish its requests
``GUNICORN_KEEPALIVE``   5        seconds an idle kept-alive connection is held open for its next request
``GUNICORN_MAX_REQUESTS`` 2000    requests after which a worker is replaced (0: never), with jitter
``FORWARDED_ALLOW_IPS``  127.0.0.1  proxies whose X-Forwarded-* headers gunicorn believes
======================== ======== ==========================================================================
"""

from __future__ import annotations

import os


def _whole_number(name: str, default: int, *, minimum: int = 1) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SystemExit(f"gunicorn.conf.py: {name} must be a whole number, not {raw!r}") from None
    if value < minimum:
        raise SystemExit(f"gunicorn.conf.py: {name} must be at least {minimum}, not {value}")
    return value


wsgi_app = "statprogram.wsgi:application"
bind = os.environ.get("BIND", "127.0.0.1:8000")
worker_class = "gthread"
workers = _whole_number("WEB_CONCURRENCY", 3)
threads = _whole_number("GUNICORN_THREADS", 8)
timeout = _whole_number("GUNICORN_TIMEOUT", 30)
graceful_timeout = _whole_number("GUNICORN_GRACEFUL", 30)
keepalive = _whole_number("GUNICORN_KEEPALIVE", 5)
# Replace workers now and then (memory a long-lived process gathers); the jitter keeps them from restarting together.
max_requests = _whole_number("GUNICORN_MAX_REQUESTS", 2000, minimum=0)
max_requests_jitter = max_requests // 10
# Whom to believe about X-Forwarded-*: the proxy on this machine (Django reads X-Forwarded-Proto itself, through
# BEHIND_TLS_PROXY, and the client address behind X-Forwarded-For, through PROXY_COUNT).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# gunicorn's own limits on a request line and its headers (its defaults, said out loud): larger is a 400.
limit_request_line = 4094
limit_request_fields = 100
limit_request_field_size = 8190
accesslog = "-"
