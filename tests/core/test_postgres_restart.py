"""PostgreSQL restarted (``pg_ctl restart -m fast``) under a running Celery worker and beat, on a cluster of the
test's own (tests/postgres_server.py; never the shared one): the quality check the worker was running when every
connection was cut is finished once (one finished run, one attempt, one set of results), and afterwards beat still
sends what is due and the worker still runs it; neither process died.

Needs PostgreSQL's server binaries and redis-server (skipped otherwise); the test's own database is not used.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from tests.celery_worker import WORKER, celery_process
from tests.core.test_celery_integration import BASE_DIR
from tests.postgres_server import own_postgres  # noqa: F401 - a fixture
from tests.quality.conftest import local_server  # noqa: F401 - a fixture
from tests.redis_server import own_redis  # noqa: F401 - a fixture

TIMEOUT_SECONDS = 30
CSV = b"incident_id,district,response_minutes\n1001,North,7\n1002,South,12\n1003,East,5\n"

#: Run in a Django shell on the test's cluster: a dataset whose source is the local server's slow file, the schedule
#: written, and "quality checks due" made due (beat runs it as it starts).
SET_UP = """
import datetime, sys
from io import StringIO
from django.core.management import call_command
from django.utils import timezone
from django_celery_beat.models import PeriodicTask
from inventory.models import FieldType
from tests.inventory.factories import DataFieldFactory, DatasetFactory, DistributionFactory

dataset = DatasetFactory(title="Calls for service", accrual_periodicity="daily")
for position, name in enumerate(["incident_id", "district", "response_minutes"]):
    DataFieldFactory(dataset=dataset, name=name, type=FieldType.STRING, position=position)
DistributionFactory(dataset=dataset, download_url=sys.argv[-1])
call_command("sync_schedule", stdout=StringIO())
PeriodicTask.objects.filter(name="quality checks due").update(last_run_at=timezone.now() - datetime.timedelta(days=1))
"""


def manage(env: dict, *arguments: str) -> None:
    result = subprocess.run(  # noqa: S603 - our own interpreter running manage.py
        [sys.executable, "manage.py", *arguments], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]


@pytest.mark.integration
def test_a_database_restart_under_a_running_worker_and_beat_loses_and_doubles_nothing(
    own_postgres,  # noqa: F811 - the imported fixture
    own_redis,  # noqa: F811 - the imported fixture
    local_server,  # noqa: F811 - the imported fixture
    tmp_path,
):
    env = {
        **{key: value for key, value in os.environ.items() if key != "PYTEST_XDIST_WORKER"},
        "DATABASE_URL": own_postgres.url,
        "REDIS_URL": own_redis.url,
        "DJANGO_SETTINGS_MODULE": "statprogram.settings_test",
        "CELERY_TASK_DEFAULT_QUEUE": "celery",
        "FETCH_ALLOW_LOOPBACK": "true",
        "QUALITY_HEARTBEAT_SECONDS": "0.5",
    }
    url = local_server.add("/slow.csv", CSV, delay=6)
    manage(env, "migrate", "--verbosity=0")
    manage(env, "shell", "--command", f"import sys; sys.argv.append({url!r}); exec({SET_UP!r})")

    worker_started = celery_process(*WORKER, env=env)
    beat_started = celery_process("beat", "--loglevel=INFO", f"--schedule={tmp_path / 'beat-schedule'}", env=env)
    with worker_started as (worker, worker_output), beat_started as (beat, beat_output):

        def output() -> str:
            processes = f"--- worker ---\n{worker_output()}\n--- beat ---\n{beat_output()}"
            return f"{processes}\n--- postgres ---\n{own_postgres.log()}"

        def wait_for(condition, what: str):
            deadline = time.monotonic() + TIMEOUT_SECONDS
            while time.monotonic() < deadline:
                if value := condition():
                    return value
                assert worker.poll() is None and beat.poll() is None, f"a process died:\n{output()}"
                time.sleep(0.2)
            pytest.fail(f"{what} within {TIMEOUT_SECONDS}s:\n{output()}")

        # Beat queued the due check, the worker claimed it (its heartbeat beating) and waits for the slow file.
        wait_for(lambda: local_server.hits["/slow.csv"], "the worker fetching the source")
        wait_for(
            lambda: own_postgres.query("SELECT 1 FROM quality_qualityrun WHERE heartbeat_at > started_at"),
            "a heartbeat of the running check",
        )
        own_postgres.restart()  # every connection of the worker and beat is cut mid-check
        restarted_at = own_postgres.query("SELECT now()")[0][0]
        wait_for(
            lambda: own_postgres.query(
                "SELECT 1 FROM quality_qualityrun WHERE state = 'running' AND heartbeat_at > %s", restarted_at
            ),
            "the running check's heartbeat beating again after the restart",
        )

        # Beat must still read its schedule: make the worker heartbeat due (as a change in the admin would).
        own_postgres.query(
            "UPDATE django_celery_beat_periodictask SET last_run_at = now() - interval '1 day' "
            "WHERE name = 'worker heartbeat'"
        )
        own_postgres.query("UPDATE django_celery_beat_periodictasks SET last_update = now()")

        wait_for(
            lambda: own_postgres.query("SELECT 1 FROM quality_qualityrun WHERE state = 'finished'"),
            "the run finished",
        )
        wait_for(lambda: own_postgres.query("SELECT 1 FROM core_workerheartbeat"), "beat's next task run by the worker")
        assert worker.poll() is None and beat.poll() is None, output()

    runs = own_postgres.query("SELECT id, state, outcome, attempts FROM quality_qualityrun")
    assert len(runs) == 1, runs
    run_id, state, outcome, attempts = runs[0]
    assert (state, attempts) == ("finished", 1) and outcome in ("pass", "warn"), (runs, output())
    checks = own_postgres.query('SELECT name, "column" FROM quality_checkresult WHERE run_id = %s', run_id)
    assert checks and len(checks) == len(set(checks)), "one set of results"
    assert own_postgres.query("SELECT latest_run_id FROM quality_datasetquality") == [(run_id,)]
    assert local_server.hits["/slow.csv"] == 1, "fetched once: the check was not done twice"
