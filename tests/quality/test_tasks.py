"""The quality tasks as Celery runs them (eagerly here; tests/quality/test_integration.py uses a real worker)."""

from __future__ import annotations

import datetime
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from core.schedule import PERIODIC_TASKS
from inventory.models import Frequency
from quality.models import DatasetQuality, Outcome, QualityRun, RunState
from quality.tasks import run_check_task, schedule_due_task, send_digests_task, sweep_stuck_runs_task
from statprogram.celery import app
from tests.inventory.factories import DatasetFactory, DistributionFactory

from .factories import judged

CSV = b"id,name\n1,Ann\n2,Bo\n"


def test_the_beat_schedule_names_registered_tasks_and_sync_schedule_writes_it(db):
    app.loader.import_default_modules()
    for task, _seconds in PERIODIC_TASKS.values():
        assert task in app.tasks, f"{task} is scheduled but no task has that name"
    call_command("sync_schedule", stdout=StringIO())
    due = PeriodicTask.objects.get(task="quality.schedule_due")
    assert (due.interval.every, due.interval.period, due.enabled) == (900, "seconds", True)
    assert PeriodicTask.objects.get(task="quality.sweep_stuck_runs").interval.every == 60, "frees runs within minutes"
    assert PeriodicTask.objects.get(task="quality.send_digests").interval.every == 3600
    assert PeriodicTask.objects.get(task="quality.prune_uploads").interval.every == 24 * 3600


def test_the_schedule_task_queues_and_runs_the_due_checks(
    local_server, city, users, django_capture_on_commit_callbacks
):
    good = DatasetFactory(title="Good", department=city["police"], accrual_periodicity=Frequency.DAILY)
    DistributionFactory(dataset=good, download_url=local_server.add("/good.csv", CSV))
    broken = DatasetFactory(title="Broken", department=city["police"], accrual_periodicity=Frequency.WEEKLY)
    DistributionFactory(dataset=broken, download_url=local_server.add("/broken.csv", status=404))
    # Its data was fetched and passed a month ago: the 404 now is a failure.
    judged(broken, slot=timezone.now() - datetime.timedelta(days=30))
    # Never fetched: a placeholder address stays "not checked".
    placeholder = DatasetFactory(title="Placeholder", department=city["police"], accrual_periodicity=Frequency.DAILY)
    DistributionFactory(dataset=placeholder, download_url=local_server.add("/placeholder.csv", status=404))

    with django_capture_on_commit_callbacks(execute=True):
        assert schedule_due_task.delay().get() == 3
    with django_capture_on_commit_callbacks(execute=True):
        assert schedule_due_task.delay().get() == 0, "the same slot is never queued twice"

    assert QualityRun.objects.filter(state=RunState.FINISHED).count() == 4
    assert DatasetQuality.objects.get(dataset=good).outcome in (Outcome.PASS, Outcome.WARN)
    assert DatasetQuality.objects.get(dataset=broken).outcome == Outcome.ERROR
    assert DatasetQuality.objects.get(dataset=placeholder).outcome == ""
    assert {m.subject for m in mail.outbox} == {"[RivertonStat] Data quality: Broken is failing its checks"}
    assert local_server.hits["/good.csv"] == local_server.hits["/broken.csv"] == 1
    assert local_server.hits["/placeholder.csv"] == 1


def test_a_task_for_a_run_that_is_gone_does_nothing(db):
    assert run_check_task.delay(987654).get() == "missing"


@pytest.mark.django_db
def test_the_sweeper_and_digest_tasks_run_with_nothing_to_do():
    assert sweep_stuck_runs_task.delay().get() == {"ended": 0, "retried": 0, "resent": 0}
    assert send_digests_task.delay().get() == 0
