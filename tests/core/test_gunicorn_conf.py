"""gunicorn.conf.py, the production server's configuration: threaded workers with sane timeouts, every setting from
the environment, and a server that keeps answering while slow clients hold connections open (four slow-header
connections froze the sync workers it replaced)."""

from __future__ import annotations

import os
import runpy
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings

CONF = Path(settings.BASE_DIR) / "gunicorn.conf.py"
VARIABLES = (
    "BIND",
    "WEB_CONCURRENCY",
    "GUNICORN_THREADS",
    "GUNICORN_TIMEOUT",
    "GUNICORN_GRACEFUL",
    "GUNICORN_KEEPALIVE",
    "GUNICORN_MAX_REQUESTS",
    "FORWARDED_ALLOW_IPS",
)


@pytest.fixture
def clean_environment(monkeypatch):
    for name in VARIABLES:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_threaded_workers_with_timeouts_by_default(clean_environment):
    conf = runpy.run_path(str(CONF))
    assert conf["worker_class"] == "gthread"
    assert (conf["workers"], conf["threads"]) == (3, 8)
    assert (conf["timeout"], conf["graceful_timeout"], conf["keepalive"]) == (30, 30, 5)
    assert conf["bind"] == "127.0.0.1:8000" and conf["forwarded_allow_ips"] == "127.0.0.1"
    assert conf["max_requests"] == 2000 and conf["max_requests_jitter"] == 200
    assert conf["wsgi_app"] == "statprogram.wsgi:application"


def test_every_setting_reads_the_environment(clean_environment):
    for name, value in {
        "BIND": "0.0.0.0:9000",
        "WEB_CONCURRENCY": "5",
        "GUNICORN_THREADS": "16",
        "GUNICORN_TIMEOUT": "60",
        "GUNICORN_GRACEFUL": "10",
        "GUNICORN_KEEPALIVE": "2",
        "GUNICORN_MAX_REQUESTS": "0",
    }.items():
        clean_environment.setenv(name, value)
    conf = runpy.run_path(str(CONF))
    assert conf["bind"] == "0.0.0.0:9000"
    assert (conf["workers"], conf["threads"], conf["timeout"]) == (5, 16, 60)
    assert (conf["graceful_timeout"], conf["keepalive"], conf["max_requests"]) == (10, 2, 0)


@pytest.mark.parametrize(("name", "value"), [("GUNICORN_THREADS", "many"), ("WEB_CONCURRENCY", "0")])
def test_a_bad_value_stops_gunicorn_naming_it(clean_environment, name, value):
    clean_environment.setenv(name, value)
    with pytest.raises(SystemExit, match=name):
        runpy.run_path(str(CONF))


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _get(url: str, timeout: float) -> int:
    with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 - loopback only
        return response.status


def test_slow_header_clients_do_not_freeze_the_server(tmp_path):
    """gunicorn with gunicorn.conf.py (one worker, to keep the test light): four clients each send half a request's
    headers and stall. A normal request still answers at once. (The sync workers this replaced, three of them,
    answered nothing until gunicorn's 30-second timeout killed them: benchmarks/slow_clients.py --sync.)"""
    port = _free_port()
    env = {
        **{k: v for k, v in os.environ.items() if k not in VARIABLES and not k.startswith(("DJANGO_", "PYTEST"))},
        "DJANGO_SETTINGS_MODULE": "statprogram.settings",
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "REDIS_URL": "",
        "BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "1",
    }
    # /healthz reads the database (the outbox's waiting tasks): give the server one with its tables.
    subprocess.run(  # noqa: S603 - our own manage.py, fixed arguments
        [sys.executable, "manage.py", "migrate", "--verbosity", "0"], cwd=settings.BASE_DIR, env=env, check=True
    )
    gunicorn = Path(sys.executable).parent / "gunicorn"
    server = subprocess.Popen(  # noqa: S603 - our own gunicorn, fixed arguments
        [str(gunicorn), "--config", str(CONF), "--log-level", "warning", "--access-logfile", "/dev/null"],
        cwd=settings.BASE_DIR,
        env=env,
    )
    slow: list[socket.socket] = []
    try:
        url = f"http://127.0.0.1:{port}/healthz"
        for _ in range(150):
            try:
                if _get(url, timeout=2) == 200:
                    break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail("gunicorn did not start")
        for _ in range(4):
            client = socket.create_connection(("127.0.0.1", port))
            client.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")  # and never the rest
            slow.append(client)
        time.sleep(0.5)  # each is in a worker thread's hands now
        started = time.monotonic()
        assert _get(url, timeout=5) == 200
        assert time.monotonic() - started < 2
    finally:
        for client in slow:
            client.close()
        server.terminate()
        server.wait(timeout=30)
