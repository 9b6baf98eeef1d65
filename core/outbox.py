"""The one way to send work to a Celery worker: :func:`enqueue`, through an outbox that survives a broker that is down.

Usage, from a service, inside the transaction that makes the change the task acts on::

    from core.outbox import enqueue, is_waiting

    run = QualityRun.objects.create(...)
    enqueue(run_check_task, run.pk)              # as run_check_task.delay(run.pk), but safe (see below)
    ...
    is_waiting(run_check_task, run.pk)            # True while the task queue has not taken it (for the pages)

What :func:`enqueue` guarantees:

- **After commit, never before.** The task is handed to the broker once the current transaction commits (at once
  outside one); if the transaction rolls back, no task is sent.
- **Never lost.** A row (:class:`core.models.OutboxMessage`) is written in the same transaction. It is deleted once
  the broker took the task; if the broker does not answer (Redis down), the row stays, "waiting for the task queue",
  the request goes on (no 500), and :func:`drain` sends it when the queue is back: beat runs ``core.outbox_drain``
  every minute, and every worker runs it as it starts (``worker_ready``).
- **Sent once, run idempotently.** A row is sent by whichever process claims it first (a conditional update), and
  asking for the same task with the same arguments while it waits adds nothing (one row per task and arguments).
  A process that dies between handing the task over and deleting the row leaves it to be sent again after
  ``OUTBOX_CLAIM_SECONDS``, so the broker may, rarely, see a task twice: every task must be safe to run twice
  (keyed by the id it is given, as ``quality.run_check`` by its run's).
- **Without a broker** (``CELERY_TASK_ALWAYS_EAGER``, a development machine, the tests) the task runs in-process
  on commit, as ``.delay()`` would; there is no queue to wait for and no row.

Arguments are what Celery sends: JSON (ids, strings, numbers, lists, dicts).
"""

from __future__ import annotations

import datetime
import hashlib
import json
import logging
from functools import partial
from typing import Any

from celery import Task, current_app
from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from .models import OutboxMessage

logger = logging.getLogger(__name__)

#: How hard the web process tries the broker before leaving a task waiting: once more at once, then give up (the
#: drain sends it later). A dead Redis costs a request milliseconds (the connection is refused) or at most
#: ``BROKER_CONNECT_TIMEOUT`` seconds twice (an unreachable host).
PUBLISH_RETRY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}
DRAIN_BATCH = 200

SENT, TAKEN, FAILED = "sent", "taken", "failed"


def _name(task: Task | str) -> str:
    return task if isinstance(task, str) else task.name


def _registered(task: Task | str) -> Task:
    """The task itself, also when given by name (importing every app's ``tasks`` module if need be)."""
    if isinstance(task, Task):
        return task
    if task not in current_app.tasks:
        current_app.loader.import_default_modules()
    return current_app.tasks[task]


def _key(name: str, args: list, kwargs: dict) -> str:
    """One key per task and arguments (what makes asking twice while waiting add nothing)."""
    canonical = json.dumps([name, args, kwargs], sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def _sendable(now: datetime.datetime) -> Q:
    """Rows nobody is sending: never claimed, given back after a failure, or claimed by a process that died."""
    return Q(sending_since__isnull=True) | Q(
        sending_since__lt=now - datetime.timedelta(seconds=settings.OUTBOX_CLAIM_SECONDS)
    )


def enqueue(task: Task | str, *args: Any, **kwargs: Any) -> None:
    """Send ``task(*args, **kwargs)`` to a Celery worker once the current transaction commits; if the broker does
    not answer, keep it waiting in the outbox and send it when the broker is back (see the module for the
    guarantees). ``task`` is the task function (``run_check_task``) or its registered name (``"quality.run_check"``).
    Returns nothing: whether it is still waiting is :func:`is_waiting`'s to say."""
    name = _name(task)
    arguments, keywords = list(args), dict(kwargs)
    if current_app.conf.task_always_eager:
        transaction.on_commit(partial(_registered(task).apply_async, arguments, keywords))
        return
    message, _ = OutboxMessage.objects.get_or_create(
        key=_key(name, arguments, keywords), defaults={"task": name, "args": arguments, "kwargs": keywords}
    )
    # Also when the row was already there (asked for again while waiting): the broker may be back.
    transaction.on_commit(partial(_send, message.pk, name, arguments, keywords))


def is_waiting(task: Task | str, *args: Any, **kwargs: Any) -> bool:
    """Whether ``task(*args, **kwargs)`` was asked for and the task queue has not taken it yet (one query)."""
    return OutboxMessage.objects.filter(key=_key(_name(task), list(args), dict(kwargs))).exists()


def _send(pk: int, name: str, args: list, kwargs: dict) -> str:
    """Claim the row, hand the task to the broker, delete the row. ``TAKEN`` if another process has it (or it is
    gone: sent already); ``FAILED`` (the row given back, the error kept on it) if the broker did not take it."""
    now = timezone.now()
    claimed = (
        OutboxMessage.objects.filter(pk=pk).filter(_sendable(now)).update(sending_since=now, attempts=F("attempts") + 1)
    )
    if not claimed:
        return TAKEN
    try:
        current_app.send_task(name, args=args, kwargs=kwargs, retry=True, retry_policy=PUBLISH_RETRY)
    except Exception as exc:  # noqa: BLE001 - whatever the broker raised, the task waits and is sent later
        error = f"{exc.__class__.__name__}: {exc}"
        logger.warning("The task queue did not take %s%s (%s); it waits in the outbox.", name, tuple(args), error)
        OutboxMessage.objects.filter(pk=pk).update(sending_since=None, last_error=error[:2000])
        return FAILED
    OutboxMessage.objects.filter(pk=pk).delete()
    return SENT


def drain() -> int:
    """Send every task waiting in the outbox, oldest first; stop at the first the broker refuses (it is still
    down: the next drain goes on). Safe to run at any time, in several processes at once: each row is sent by
    the one that claims it. Returns how many were sent."""
    sent = 0
    while True:
        batch = list(
            OutboxMessage.objects.filter(_sendable(timezone.now()))
            .order_by("pk")
            .values_list("pk", "task", "args", "kwargs")[:DRAIN_BATCH]
        )
        if not batch:
            return sent
        for pk, name, args, kwargs in batch:
            outcome = _send(pk, name, args, kwargs)
            if outcome == FAILED:
                return sent
            sent += outcome == SENT
        if len(batch) < DRAIN_BATCH:
            return sent
