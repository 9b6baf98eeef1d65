"""Celery processes for the integration tests: ``celery -A statprogram ...`` as a subprocess on this test's database.

``celery_process(*arguments, env=...)`` runs one (its output kept, warm shutdown afterwards); ``worker_env(redis_url)``
is the environment of a worker on this test's PostgreSQL database and the given Redis; ``WORKER`` the arguments of a
one-process worker on the default queue; ``wait_until`` polls a condition while the worker lives.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import tempfile
import time

import pytest
from django.db import connection

from tests.core.test_celery_integration import BASE_DIR, database_url

#: A worker of one process, consuming the default queue ("celery") of its own Redis.
WORKER = ("worker", "--pool=solo", "--concurrency=1", "--without-gossip", "--without-mingle", "--loglevel=INFO")


@contextlib.contextmanager
def celery_process(*arguments: str, env: dict):
    """``celery -A statprogram <arguments>`` as a subprocess, its output kept; warm shutdown afterwards."""
    command = [sys.executable, "-m", "celery", "-A", "statprogram", *arguments]
    with tempfile.TemporaryFile(mode="w+") as log:
        process = subprocess.Popen(  # noqa: S603 - our own interpreter running Celery
            command, cwd=BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
        )

        def output() -> str:
            log.seek(0)
            return log.read()[-6000:]

        try:
            yield process, output
        finally:
            process.terminate()  # SIGTERM: Celery's warm shutdown
            try:
                process.wait(timeout=8)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)


def worker_env(redis_url: str, **extra: str) -> dict:
    """The environment of a Celery process on this test's database and ``redis_url`` (fetching from loopback)."""
    return {
        # Not PYTEST_XDIST_WORKER: settings would move this worker's Redis database.
        **{key: value for key, value in os.environ.items() if key != "PYTEST_XDIST_WORKER"},
        "DATABASE_URL": database_url(),
        "REDIS_URL": redis_url,
        "DJANGO_SETTINGS_MODULE": "statprogram.settings_test",
        "CELERY_TASK_DEFAULT_QUEUE": "celery",
        "FETCH_ALLOW_LOOPBACK": "true",
        **extra,
    }


def needs_postgresql() -> None:
    """Skip (fail in CI) unless the tests run on PostgreSQL, which a worker process can share."""
    if connection.vendor != "postgresql":
        # In CI the database is PostgreSQL by construction, so a skip would hide a broken set-up.
        (pytest.fail if os.environ.get("CI") else pytest.skip)("needs PostgreSQL (a worker shares the database)")


def wait_until(condition, process, output, what: str, seconds: float = 60):
    """``condition()``'s first true value, polled while ``process`` lives; the test fails after ``seconds``."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if value := condition():
            return value
        assert process.poll() is None, f"the worker died:\n{output()}"
        time.sleep(0.25)
    pytest.fail(f"{what} within {seconds}s; the worker's output:\n{output()}")
