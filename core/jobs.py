"""Background jobs: long work taken out of the request (a harvest, a large import, a dictionary drafted from a big
sample), run by a Celery worker, with its progress shown in place and its outcome kept (:class:`core.models.Job`).

An app declares what a kind of job does by registering a *runner* in its ``AppConfig.ready``
(:func:`register_job_runner`): ``runner(job, progress) -> JobOutcome``. :func:`job_start` stores the input and queues
the first step; :func:`job_continue` queues the next one (the same input, new choices); :func:`job_run`, which the
task calls, runs one step. Without a broker (no ``REDIS_URL``: the embedded default and the tests) Celery runs the
task eagerly, in the request, when the transaction commits: the same code path, only not in the background.

Guarantees: a step is queued only once its transaction commits; a step run twice (a message delivered twice) runs
once: the second delivery finds it running or ended and does nothing; a step that raises ends the job "failed"
with a message for people (never a page that polls for ever); a step left "running" by a worker that died is
reported failed once the hard time limit and a margin have passed (:func:`job_is_stuck`). Progress goes through the
cache, not the database, so it is seen while the step's own transaction (an all-or-nothing import) is still open.
"""

from __future__ import annotations

import datetime
import logging
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from .models import Job, JobState
from .outbox import enqueue

if TYPE_CHECKING:
    from django.contrib.auth.models import User

logger = logging.getLogger(__name__)

STUCK_MESSAGE = "The work stopped before it finished (the worker stopped). Start again."
FAILED_MESSAGE = "Something went wrong while doing this. Nothing was saved. Start again, or ask the Stat team."
#: How often (seconds) a running step writes its progress to the cache, at most.
PROGRESS_EVERY = 0.5
#: How long the cache keeps a step's progress.
PROGRESS_SECONDS = 24 * 60 * 60


@dataclass
class JobOutcome:
    """What a step did: ``result`` (JSON) for its page, a one-line ``message``, and whether the job's work is over
    (``last``: its input is then dropped)."""

    result: dict = field(default_factory=dict)
    message: str = ""
    last: bool = False


Runner = Callable[[Job, "Progress"], JobOutcome]
_RUNNERS: dict[str, Runner] = {}


def register_job_runner(kind: str, runner: Runner) -> None:
    """Declare what a job of ``kind`` does (an app calls it in its ``AppConfig.ready``)."""
    _RUNNERS[kind] = runner


def job_payload_max_bytes() -> int:
    return settings.JOB_PAYLOAD_MAX_BYTES


def stuck_after() -> datetime.timedelta:
    return datetime.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 60)


def job_is_stuck(job: Job, *, now: datetime.datetime | None = None) -> bool:
    """Whether ``job`` has been "running" longer than any worker may run it: its worker died."""
    started = job.started_at
    return job.state == JobState.RUNNING and started is not None and started < (now or timezone.now()) - stuck_after()


# --- progress ------------------------------------------------------------------------------------------------------


def _progress_key(job_id: int) -> str:
    return f"core:job:{job_id}:progress"


class Progress:
    """``progress(done, total=None, message="")``: how far the running step is, written to the cache at most every
    :data:`PROGRESS_EVERY` seconds (and always when ``force``)."""

    def __init__(self, job_id: int) -> None:
        self.job_id = job_id
        self.done, self.message = 0, ""
        self.total: int | None = None
        self._written = 0.0

    def __call__(self, done: int, total: int | None = None, message: str = "", *, force: bool = False) -> None:
        self.done = done
        if total is not None:
            self.total = total
        if message:
            self.message = message
        now = time.monotonic()
        if force or now - self._written >= PROGRESS_EVERY:
            self._written = now
            cache.set(
                _progress_key(self.job_id),
                {"done": self.done, "total": self.total, "message": self.message},
                PROGRESS_SECONDS,
            )


def job_progress(job: Job) -> dict[str, Any]:
    """How far ``job`` is: its state, ``done`` of ``total`` and a message, read from the cache while it runs. A job
    whose worker died reads as failed."""
    state, message = job.state, job.message
    done, total = job.done, job.total
    if job.is_active:
        live = cache.get(_progress_key(job.pk)) or {}
        done, total = live.get("done", done), live.get("total", total)
        message = live.get("message") or message
        if job_is_stuck(job):
            state, message = JobState.FAILED, STUCK_MESSAGE
    percent = min(100, int(100 * done / total)) if total else None
    return {"state": state, "done": done, "total": total, "percent": percent, "message": message}


# --- starting and continuing ---------------------------------------------------------------------------------------


#: The task that runs a job's step (``core.tasks.job_run_task``), by name: the tasks module imports this one.
JOB_RUN_TASK = "core.run_job"


def _enqueue(job_id: int) -> None:
    """Send the job's step to a worker through the outbox: once the transaction that queued it commits, and later
    if the task queue is down (see :mod:`core.outbox`)."""
    enqueue(JOB_RUN_TASK, job_id)


def _compressed(payload: bytes | None) -> tuple[bytes | None, int]:
    if payload is None:
        return None, 0
    if len(payload) > job_payload_max_bytes():
        raise ValidationError(f"This file is too large: at most {job_payload_max_bytes() // (1024 * 1024)} MB.")
    return zlib.compress(payload, 6), len(payload)


@transaction.atomic
def job_start(
    *,
    kind: str,
    by: User,
    step: str,
    source: str = "",
    payload: bytes | None = None,
    params: dict | None = None,
    subject_id: int | None = None,
) -> Job:
    """Queue the first ``step`` of a job of ``kind`` for ``by``, with its input (``payload``; ``None``: the step gets
    it itself, e.g. fetches it). Guarantees: the kind has a runner and the input is at most
    ``JOB_PAYLOAD_MAX_BYTES`` (else ValidationError, nothing stored); the inputs of ``by``'s earlier jobs of the same
    kind that are not running are dropped, so one person keeps at most one input per kind (besides running ones).
    The step is sent to a worker on commit."""
    if kind not in _RUNNERS:
        raise ValidationError(f"No runner does jobs of kind {kind!r}.")
    blob, size = _compressed(payload)
    Job.objects.filter(actor=by, kind=kind, payload__isnull=False).exclude(
        state__in=[JobState.QUEUED, JobState.RUNNING]
    ).update(payload=None)
    job = Job.objects.create(
        kind=kind,
        step=step,
        actor=by,
        source=source[:1000],
        payload=blob,
        payload_bytes=size,
        params=params or {},
        subject_id=subject_id,
    )
    _enqueue(job.pk)
    return job


@transaction.atomic
def job_continue(*, job: Job, by: User, step: str, params: dict | None = None) -> Job:
    """Queue the next ``step`` of ``job`` (the same input, new ``params``). Guarantees: only the person who started
    it continues it (else ``PermissionDenied``); a job still at work, or whose input is gone (its last step is done),
    is refused with a ValidationError and left as it is."""
    if by is None or job.actor_id != by.pk:
        raise PermissionDenied("Only the person who started this continues it.")
    job = Job.objects.select_for_update().defer("payload").get(pk=job.pk)
    if job.is_active and not job_is_stuck(job):
        raise ValidationError("This is still being worked on: wait until it is done.")
    if not Job.objects.filter(pk=job.pk, payload__isnull=False).exists():
        raise ValidationError("This is finished, and its file is no longer kept. Start again.")
    job.step, job.params, job.state = step, params or {}, JobState.QUEUED
    job.done, job.total, job.message, job.attempts = 0, None, "", 0
    job.started_at = job.finished_at = None
    job.save(
        update_fields=["step", "params", "state", "done", "total", "message", "attempts", "started_at", "finished_at"]
    )
    cache.delete(_progress_key(job.pk))
    _enqueue(job.pk)
    return job


def job_payload(job: Job) -> bytes | None:
    """The job's input as it was given (read from the database, decompressed)."""
    blob = Job.objects.filter(pk=job.pk).values_list("payload", flat=True).first()
    return zlib.decompress(bytes(blob)) if blob is not None else None


def job_attach_payload(*, job: Job, payload: bytes) -> None:
    """Keep ``payload`` as the job's input (a step that fetched it), bounded as :func:`job_start` bounds it."""
    blob, size = _compressed(payload)
    Job.objects.filter(pk=job.pk).update(payload=blob, payload_bytes=size)
    job.payload_bytes = size


# --- running -------------------------------------------------------------------------------------------------------


def _claim(job_id: int) -> Job | None:
    """Mark the job's step running, unless it is over or another worker is on it right now."""
    with transaction.atomic():
        job = Job.objects.select_for_update().defer("payload").filter(pk=job_id).first()
        if job is None or job.state in (JobState.DONE, JobState.FAILED):
            return None
        if job.state == JobState.RUNNING and not job_is_stuck(job):
            return None
        job.state, job.started_at, job.attempts = JobState.RUNNING, timezone.now(), F("attempts") + 1
        job.save(update_fields=["state", "started_at", "attempts"])
    job.refresh_from_db(fields=["attempts"])
    return job


def _end(job: Job, *, state: str, message: str, result: dict | None = None, drop_payload: bool = False, progress):
    values: dict[str, Any] = {
        "state": state,
        "message": message[:2000],
        "finished_at": timezone.now(),
        "done": progress.done,
        "total": progress.total,
    }
    if result is not None:
        values["result"] = result
    if drop_payload:
        values["payload"] = None
    Job.objects.filter(pk=job.pk, state=JobState.RUNNING).update(**values)
    cache.delete(_progress_key(job.pk))


def job_run(*, job_id: int) -> str:
    """Run the queued step of job ``job_id`` with its kind's runner and record how it ended; returns the state.

    A ValidationError or PermissionDenied from the runner ends the job failed with its message (bad input, or a
    right lost since); any other exception ends it failed with a generic message, and is logged. Safe to call twice.
    """
    job = _claim(job_id)
    if job is None:
        return "skipped"
    progress = Progress(job.pk)
    progress(0, None, "Starting.", force=True)
    try:
        outcome = _RUNNERS[job.kind](job, progress)
    except (ValidationError, PermissionDenied) as exc:
        messages = exc.messages if isinstance(exc, ValidationError) else [str(exc) or "You may not do that."]
        _end(job, state=JobState.FAILED, message=" ".join(messages), progress=progress)
        return JobState.FAILED
    except Exception:
        logger.exception("job %s (%s, %s) failed", job.pk, job.kind, job.step)
        _end(job, state=JobState.FAILED, message=FAILED_MESSAGE, progress=progress)
        return JobState.FAILED
    _end(
        job,
        state=JobState.DONE,
        message=outcome.message,
        result=outcome.result,
        drop_payload=outcome.last,
        progress=progress,
    )
    return JobState.DONE
