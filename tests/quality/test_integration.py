"""End to end on real services: Celery beat runs the schedule ``sync_schedule`` wrote (django-celery-beat's database
scheduler) -> Redis -> a real Celery worker on PostgreSQL -> fetch from the local server -> the engine -> results in
the database -> the email, written by the file email backend in the worker's own process.

Skipped unless ``REDIS_URL`` is set and the database is PostgreSQL (``.ci/run`` sets both; in CI it fails instead).
"""

from __future__ import annotations

import contextlib
import datetime
import os
import subprocess
import sys
import tempfile
import time
import uuid
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from inventory.models import FieldType, Frequency
from quality.models import DatasetQuality, Outcome, QualityNotification, QualityRun, RunState
from quality.services import STUCK_MESSAGE, sweep_stuck_runs
from quality.services.runs import stuck_after
from quality.tasks import run_check_task
from tests.core.test_celery_integration import BASE_DIR, database_url, real_broker  # noqa: F401 - a fixture
from tests.inventory.factories import DataFieldFactory, DatasetFactory, DistributionFactory

TIMEOUT_SECONDS = 90
CSV = b"incident_id,district,response_minutes\n1001,North,7\n1002,South,n/a\n1003,East,5\n"


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


@pytest.mark.integration
def test_a_worker_killed_mid_run_leaves_the_run_for_the_sweeper(quality_services, local_server, city):
    """SIGKILL the worker while it downloads: the run stays (running, one attempt), and the sweeper ends it as an
    error saying so, instead of the run being lost or retried forever."""
    dataset = DatasetFactory(title="Slow portal", department=city["police"])
    DistributionFactory(dataset=dataset, download_url=local_server.add("/slow.csv", CSV, delay=60))
    run = QualityRun.objects.create(dataset=dataset, slot=timezone.now())
    running = quality_services()
    run_check_task.apply_async((run.pk,), queue=running["queue"])

    wait_for(lambda: local_server.hits["/slow.csv"], running, "the worker asking for the slow file")
    run.refresh_from_db()
    assert (run.state, run.attempts) == (RunState.RUNNING, 1)
    worker = running["processes"].pop("worker")
    worker.kill()
    worker.wait(timeout=10)

    assert sweep_stuck_runs(by=None) == {"ended": 0, "resent": 0}, "not before the hard time limit and its margin"
    later = timezone.now() + stuck_after() + datetime.timedelta(seconds=1)
    assert sweep_stuck_runs(by=None, now=later) == {"ended": 1, "resent": 0}
    run.refresh_from_db()
    assert (run.state, run.outcome, run.message, run.attempts) == (
        RunState.FINISHED,
        Outcome.ERROR,
        STUCK_MESSAGE,
        1,
    )
    assert DatasetQuality.objects.get(dataset=dataset).outcome == Outcome.ERROR
