"""A real Celery worker, on real Redis and PostgreSQL, runs a task sent through the broker.

Skipped unless ``REDIS_URL`` is set and the database is PostgreSQL (``.ci/run`` sets both).
"""

import os
import subprocess
import sys
import tempfile
import time
import uuid
from io import StringIO
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from core.models import WorkerHeartbeat
from core.schedule import PERIODIC_TASKS
from core.tasks import heartbeat_task

BASE_DIR = Path(__file__).resolve().parents[2]
TIMEOUT_SECONDS = 60


def database_url() -> str:
    """The URL of the database this test runs on (pytest-django renamed it ``test_*``)."""
    db = connection.settings_dict
    credentials = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        credentials += ":" + quote(db["PASSWORD"], safe="")
    host = db["HOST"] or "127.0.0.1"
    port = f":{db['PORT']}" if db["PORT"] else ""
    return f"postgres://{credentials}@{host}{port}/{quote(db['NAME'], safe='')}"


@pytest.fixture
def real_broker(settings):
    """Send tasks through the broker for this test (the suite runs them eagerly in-process otherwise)."""
    missing = [
        need
        for need, ok in (("REDIS_URL", settings.REDIS_URL), ("PostgreSQL", connection.vendor == "postgresql"))
        if not ok
    ]
    if missing:
        # In CI the services are there by construction, so a skip would hide a broken set-up.
        (pytest.fail if os.environ.get("CI") else pytest.skip)(f"needs {' and '.join(missing)}")
    # Through Django's settings, which Celery's configuration reads (never on celery_app.conf: a value set there
    # would hide the settings of every later test).
    settings.CELERY_TASK_ALWAYS_EAGER = False


@pytest.fixture
def worker(real_broker, transactional_db):
    """A Celery worker subprocess consuming a queue of its own; stopped (warm shutdown) afterwards."""
    name = f"test-{uuid.uuid4().hex[:12]}"
    queue = f"{name}-queue"
    env = {
        # Not PYTEST_XDIST_WORKER: settings would move this worker's own Redis database once more.
        **{key: value for key, value in os.environ.items() if key != "PYTEST_XDIST_WORKER"},
        "DATABASE_URL": database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "DJANGO_SETTINGS_MODULE": "statprogram.settings_test",
    }
    command = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "statprogram",
        "worker",
        "--pool=solo",
        "--concurrency=1",
        f"--queues={queue}",
        f"--hostname={name}@%h",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
        "--loglevel=INFO",
    ]
    with tempfile.TemporaryFile(mode="w+") as log:
        process = subprocess.Popen(  # noqa: S603 - our own interpreter running Celery
            command, cwd=BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
        )

        def output() -> str:
            log.seek(0)
            return log.read()[-4000:]

        try:
            yield {"name": name, "queue": queue, "process": process, "output": output}
        finally:
            process.terminate()  # SIGTERM: Celery's warm shutdown
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)


@pytest.mark.integration
def test_a_real_worker_runs_the_heartbeat_task(worker):
    heartbeat_task.apply_async(queue=worker["queue"])

    deadline = time.monotonic() + TIMEOUT_SECONDS
    beat = None
    while time.monotonic() < deadline:
        beat = WorkerHeartbeat.objects.filter(worker__startswith=f"{worker['name']}@").first()
        if beat is not None:
            break
        assert worker["process"].poll() is None, f"the worker died:\n{worker['output']()}"
        time.sleep(0.5)

    assert beat is not None, f"no heartbeat within {TIMEOUT_SECONDS}s; worker output:\n{worker['output']()}"
    assert beat.beats == 1


@pytest.mark.django_db
def test_sync_schedule_creates_the_beat_tasks_and_is_idempotent():
    for _ in range(2):
        call_command("sync_schedule", stdout=StringIO())

    assert PeriodicTask.objects.count() == len(PERIODIC_TASKS)
    heartbeat = PeriodicTask.objects.get(name="worker heartbeat")
    assert heartbeat.task == "core.heartbeat"
    assert heartbeat.enabled
    assert (heartbeat.interval.every, heartbeat.interval.period) == (60, IntervalSchedule.SECONDS)
    assert IntervalSchedule.objects.count() == len({seconds for _task, seconds in PERIODIC_TASKS.values()})
