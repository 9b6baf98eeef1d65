"""The outbox (core.outbox): a task asked for is sent once its transaction commits; with the broker down it waits,
the request goes on, and the drain sends it when the broker is back, once."""

from __future__ import annotations

import datetime
import re

import pytest
from django.db import transaction
from django.utils import timezone

from core import outbox
from core.models import OutboxMessage
from core.receivers import drain_outbox_at_worker_start
from core.tasks import heartbeat_task
from tests.core.test_celery_integration import BASE_DIR
from tests.redis_server import reset_broker_connections

pytestmark = pytest.mark.django_db


def waiting() -> list[tuple[str, list]]:
    return list(OutboxMessage.objects.values_list("task", "args"))


def test_with_the_broker_down_a_task_waits_and_the_request_goes_on(broker_down, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        outbox.enqueue(heartbeat_task)
        outbox.enqueue("quality.run_check", 42)
    assert len(callbacks) == 2, "sent on commit, not before"

    assert waiting() == [("core.heartbeat", []), ("quality.run_check", [42])]
    message = OutboxMessage.objects.get(task="quality.run_check")
    assert message.attempts == 1 and message.sending_since is None
    assert "OperationalError" in message.last_error and "refused" in message.last_error.lower()
    assert outbox.is_waiting("quality.run_check", 42) and not outbox.is_waiting("quality.run_check", 43)


def test_asking_again_while_it_waits_adds_nothing_and_tries_the_broker_again(
    broker_down, django_capture_on_commit_callbacks
):
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            outbox.enqueue("goals.measure_compute", 7)
    assert waiting() == [("goals.measure_compute", [7])]
    assert OutboxMessage.objects.get().attempts == 2


def test_nothing_is_sent_or_kept_for_a_transaction_that_rolls_back(broker_down, django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        outbox.enqueue("quality.run_check", 42)
        raise RuntimeError("the change failed")
    assert callbacks == [] and waiting() == []


def test_the_drain_stops_while_the_broker_is_down(broker_down, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        outbox.enqueue("quality.run_check", 1)
        outbox.enqueue("quality.run_check", 2)
    assert outbox.drain() == 0
    assert [args for _task, args in waiting()] == [[1], [2]]
    assert OutboxMessage.objects.get(args=[1]).attempts == 2, "tried once more, then stopped"
    assert OutboxMessage.objects.get(args=[2]).attempts == 1


def test_with_the_broker_up_the_task_is_sent_on_commit_and_leaves_no_row(
    app_on_own_redis, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        outbox.enqueue("quality.run_check", 42)
        assert app_on_own_redis.queued_tasks() == [], "not before the commit"
    assert app_on_own_redis.queued_tasks() == [("quality.run_check", [42])]
    assert waiting() == []


def test_the_drain_sends_each_waiting_task_once_when_the_broker_is_back(
    app_on_own_redis, django_capture_on_commit_callbacks, settings
):
    app_on_own_redis.stop()
    reset_broker_connections()
    with django_capture_on_commit_callbacks(execute=True):
        for run_id in (1, 2, 3):
            outbox.enqueue("quality.run_check", run_id)
    assert len(waiting()) == 3
    # A row another process is sending right now is left to it; one claimed by a process that died is sent again.
    now = timezone.now()
    OutboxMessage.objects.filter(args=[2]).update(sending_since=now)
    OutboxMessage.objects.filter(args=[3]).update(
        sending_since=now - datetime.timedelta(seconds=settings.OUTBOX_CLAIM_SECONDS + 1)
    )
    app_on_own_redis.start()

    assert outbox.drain() == 2
    assert outbox.drain() == 0
    assert app_on_own_redis.queued_tasks() == [("quality.run_check", [1]), ("quality.run_check", [3])]
    assert waiting() == [("quality.run_check", [2])]


@pytest.mark.django_db(transaction=True)  # the receiver closes the database connection, as a worker needs
def test_a_worker_drains_the_outbox_as_it_starts(app_on_own_redis, django_capture_on_commit_callbacks):
    app_on_own_redis.stop()
    reset_broker_connections()
    with django_capture_on_commit_callbacks(execute=True):
        outbox.enqueue("team.person_invite", 5, "https://stat.example.gov/")
    app_on_own_redis.start()

    drain_outbox_at_worker_start(sender=None)

    assert waiting() == []
    assert app_on_own_redis.queued_tasks() == [("team.person_invite", [5, "https://stat.example.gov/"])]


def test_without_a_broker_the_task_runs_in_process_on_commit(django_capture_on_commit_callbacks):
    from core.models import WorkerHeartbeat

    with django_capture_on_commit_callbacks(execute=True):
        outbox.enqueue("core.heartbeat")
        assert not WorkerHeartbeat.objects.exists()
    assert WorkerHeartbeat.objects.get().beats == 1
    assert waiting() == [] and not outbox.is_waiting("core.heartbeat")


def test_every_task_is_sent_through_the_outbox():
    """Tasks are sent with core.outbox.enqueue only: a ``.delay()`` or ``.apply_async()`` elsewhere would answer 500
    while Redis is down and lose the task."""
    sending = re.compile(r"\.(delay|apply_async|send_task)\(")
    apps = ["core", "team", "inventory", "quality", "goals", "statprogram", "demo"]
    offenders = [
        f"{path.relative_to(BASE_DIR)}:{number}"
        for app in apps
        for path in sorted((BASE_DIR / app).rglob("*.py"))
        if path != BASE_DIR / "core" / "outbox.py"
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if sending.search(line) and not line.lstrip().startswith("#")
    ]
    assert offenders == [], "send tasks with core.outbox.enqueue(task, *args)"
