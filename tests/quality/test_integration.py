"""End to end on real services: Celery beat runs the schedule ``sync_schedule`` wrote (django-celery-beat's database
scheduler) -> Redis -> a real Celery worker on PostgreSQL -> fetch from the local server -> the engine -> results in
the database -> the email, written by the file email backend in the worker's own process.

And a worker killed mid-check: its run freed by the sweeper within the bound its heartbeat sets, and finished once
by the next worker (on a redis-server of the test's own, tests/redis_server.py).

Skipped unless the database is PostgreSQL (and, for beat's test, ``REDIS_URL`` is set): ``.ci/run`` sets both; in CI
they fail instead.
"""

from __future__ import annotations

import contextlib
import datetime
import os
import time
import uuid
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db.models import F
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from core.outbox import enqueue
from inventory.models import FieldType, Frequency
from quality.models import DatasetQuality, Outcome, QualityNotification, QualityRun, RunState
from quality.services import run_execute, sweep_stuck_runs
from quality.services.runs import stuck_after
from quality.tasks import run_check_task
from tests.celery_worker import WORKER, celery_process, needs_postgresql, wait_until, worker_env
from tests.core.test_celery_integration import database_url, real_broker  # noqa: F401 - a fixture
from tests.inventory.factories import DataFieldFactory, DatasetFactory, DistributionFactory
from tests.redis_server import app_on_own_redis, own_redis  # noqa: F401 - fixtures

TIMEOUT_SECONDS = 90
CSV = b"incident_id,district,response_minutes\n1001,North,7\n1002,South,n/a\n1003,East,5\n"


@pytest.fixture
def quality_services(real_broker, transactional_db, tmp_path, local_server):  # noqa: F811 - the imported fixture
    """Celery beat (django-celery-beat's database scheduler) and a worker as subprocesses, on a queue of their own;
    the worker may fetch from the local server (loopback) and writes its emails as files under ``tmp_path/mail``.

    Returns a function that starts them, so the test writes the schedule and its data first."""
    name = f"test-quality-{uuid.uuid4().hex[:12]}"
    queue = f"{name}-queue"
    mail_dir = tmp_path / "mail"
    env = {
        # Not PYTEST_XDIST_WORKER: settings would move this worker's own Redis database once more.
        **{key: value for key, value in os.environ.items() if key != "PYTEST_XDIST_WORKER"},
        "DATABASE_URL": database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "DJANGO_SETTINGS_MODULE": "statprogram.settings_test",
        "CELERY_TASK_DEFAULT_QUEUE": queue,
        "FETCH_ALLOW_LOOPBACK": "true",
        "EMAIL_URL": f"filemail:///{mail_dir}",
        "SITE_URL": "https://stat.example.gov/",
        "QUALITY_RETRY_BACKOFF": "1",
    }
    with contextlib.ExitStack() as stack:

        def start() -> dict:
            worker, worker_output = stack.enter_context(
                celery_process(
                    "worker",
                    "--pool=solo",
                    "--concurrency=1",
                    f"--queues={queue}",
                    f"--hostname={name}@%h",
                    "--without-gossip",
                    "--without-mingle",
                    "--without-heartbeat",
                    "--loglevel=INFO",
                    env=env,
                )
            )
            beat, beat_output = stack.enter_context(
                celery_process("beat", "--loglevel=INFO", f"--schedule={tmp_path / 'beat-schedule'}", env=env)
            )
            return {
                "processes": {"worker": worker, "beat": beat},
                "output": lambda: f"--- worker ---\n{worker_output()}\n--- beat ---\n{beat_output()}",
                "mail_dir": mail_dir,
                "queue": queue,
            }

        yield start


def wait_for(condition, running, what: str):
    deadline = time.monotonic() + TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if value := condition():
            return value
        for name, process in running["processes"].items():
            assert process.poll() is None, f"{name} died:\n{running['output']()}"
        time.sleep(0.5)
    pytest.fail(f"{what} within {TIMEOUT_SECONDS}s; output of beat and the worker:\n{running['output']()}")


def emails(mail_dir: Path) -> str:
    return "\n".join(path.read_text() for path in sorted(mail_dir.glob("*.log"))) if mail_dir.is_dir() else ""


@pytest.mark.integration
def test_beat_schedule_to_results_and_email_on_a_real_worker(quality_services, local_server, city, users):
    calls = DatasetFactory(title="Calls for service", department=city["police"], accrual_periodicity=Frequency.DAILY)
    for position, (name, type_) in enumerate(
        [("incident_id", FieldType.INTEGER), ("district", FieldType.STRING), ("response_minutes", FieldType.INTEGER)]
    ):
        DataFieldFactory(dataset=calls, name=name, type=type_, position=position)
    DistributionFactory(dataset=calls, download_url=local_server.add("/calls.csv", CSV))
    # A portal that is busy at first: answered 503 once, then the file (retried through the broker with backoff).
    permits = DatasetFactory(title="Permits", department=city["fire"], accrual_periodicity=Frequency.WEEKLY)
    DistributionFactory(dataset=permits, download_url=local_server.add("/permits.csv", b"id\n1\n2\n", fail_first=1))

    call_command("sync_schedule", stdout=StringIO())
    # Beat's database scheduler reads the entry sync_schedule wrote; it last ran a day ago, so it is due now
    # (the other entries have never run: beat waits a full interval before their first run).
    PeriodicTask.objects.filter(name="quality checks due").update(
        last_run_at=timezone.now() - datetime.timedelta(days=1)
    )
    running = quality_services()

    def finished():
        runs = list(QualityRun.objects.filter(state=RunState.FINISHED).select_related("dataset"))
        return runs if len(runs) == 2 else None

    runs = {run.dataset.title: run for run in wait_for(finished, running, "two finished runs")}
    assert QualityRun.objects.count() == 2

    failing = runs["Calls for service"]
    assert failing.outcome == Outcome.FAIL and failing.row_count == 3
    assert failing.source == local_server.url("/calls.csv")
    bad_values = [
        example["value"] for check in failing.checks.filter(status=Outcome.FAIL) for example in check.examples
    ]
    assert "n/a" in bad_values
    assert DatasetQuality.objects.get(dataset=calls).outcome == Outcome.FAIL

    recovered = runs["Permits"]
    assert recovered.outcome in (Outcome.PASS, Outcome.WARN), recovered.message
    assert recovered.attempts == 2 and local_server.hits["/permits.csv"] == 2

    def sent():
        text = emails(running["mail_dir"])
        told = QualityNotification.objects.filter(run=failing, sent_at__isnull=False).count()
        return text if told == 2 and text.count("Subject:") == 2 else None

    text = wait_for(sent, running, "the two failure emails")
    assert "Subject: [RivertonStat] Data quality: Calls for service is failing its checks" in text
    assert "To: pdata@example.gov" in text and "To: analyst@example.gov" in text
    assert f"https://stat.example.gov/inventory/datasets/{calls.pk}/" in text
    assert "Permits" not in text, "a dataset that passes tells nobody"


#: The bound the killed-worker test sets (production: QUALITY_STUCK_AFTER_SECONDS, 3 minutes, and beat's sweep every
#: minute): how long a run may go without a heartbeat before the sweeper frees it.
STUCK_AFTER_SECONDS = 3
GOOD_CSV = b"incident_id,district,response_minutes\n1001,North,7\n1002,South,12\n1003,East,5\n"


@pytest.mark.integration
def test_a_worker_killed_mid_check_frees_its_run_within_the_bound_and_another_worker_finishes_it_once(
    app_on_own_redis,  # noqa: F811 - the imported fixture
    transactional_db,
    local_server,
    city,
    settings,
):
    """SIGKILL the worker while it downloads: its run's heartbeat stops, the sweeper frees the run (back to the queue,
    sent again) once the heartbeat is STUCK_AFTER_SECONDS old, not after the task's time limit, and the next worker
    checks it: one run, two attempts, one set of results; the dead worker's message, if delivered again, changes
    nothing."""
    needs_postgresql()
    settings.QUALITY_STUCK_AFTER_SECONDS = STUCK_AFTER_SECONDS
    env = worker_env(
        app_on_own_redis.url, QUALITY_HEARTBEAT_SECONDS="0.5", QUALITY_STUCK_AFTER_SECONDS=str(STUCK_AFTER_SECONDS)
    )
    dataset = DatasetFactory(title="Slow portal", department=city["police"])
    for position, name in enumerate(["incident_id", "district", "response_minutes"]):
        DataFieldFactory(dataset=dataset, name=name, type=FieldType.STRING, position=position)
    DistributionFactory(dataset=dataset, download_url=local_server.add("/slow.csv", GOOD_CSV, delay=60))
    run = QualityRun.objects.create(dataset=dataset, slot=timezone.now())

    with celery_process(*WORKER, env=env) as (first, output):
        enqueue(run_check_task, run.pk)
        wait_until(lambda: local_server.hits["/slow.csv"], first, output, "the worker asking for the slow file")
        wait_until(
            lambda: QualityRun.objects.filter(pk=run.pk, heartbeat_at__gt=F("started_at")).exists(),
            first,
            output,
            "a heartbeat of the running check",
        )
        first.kill()  # SIGKILL: no warm shutdown, no acknowledgement, no "finished"
        first.wait(timeout=10)
    killed_at = time.monotonic()
    run.refresh_from_db()
    assert (run.state, run.attempts) == (RunState.RUNNING, 1)
    assert (
        sweep_stuck_runs(by=None, now=run.heartbeat_at + stuck_after() - datetime.timedelta(seconds=1))["retried"] == 0
    )

    while not sweep_stuck_runs(by=None)["retried"]:  # what beat does every minute
        assert time.monotonic() - killed_at < STUCK_AFTER_SECONDS + 5, "the run was not freed within the bound"
        time.sleep(0.25)
    run.refresh_from_db()
    assert run.state == RunState.QUEUED and "The worker stopped during the check (attempt 1 of 4)" in run.message
    assert app_on_own_redis.queued_tasks() == [("quality.run_check", [run.pk])], "sent again, once"

    local_server.add("/slow.csv", GOOD_CSV)  # the portal answers at once now
    with celery_process(*WORKER, env=env) as (second, output):
        wait_until(
            lambda: QualityRun.objects.filter(pk=run.pk, state=RunState.FINISHED).exists(),
            second,
            output,
            "the run finished by the next worker",
        )
    run.refresh_from_db()
    assert run.attempts == 2 and run.outcome in (Outcome.PASS, Outcome.WARN), run.message
    checks = sorted(run.checks.values_list("name", "column"))
    assert checks and len(checks) == len(set(checks)), "one set of results"
    assert QualityRun.objects.filter(dataset=dataset).count() == 1
    assert DatasetQuality.objects.get(dataset=dataset).latest_run == run
    assert local_server.hits["/slow.csv"] == 2

    # The dead worker's message, delivered again after Redis's visibility timeout, finds the run finished.
    assert run_execute(run=run, by=None).attempts == 2
    assert sorted(run.checks.values_list("name", "column")) == checks and local_server.hits["/slow.csv"] == 2
