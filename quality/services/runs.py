"""The life of a quality run: requested (on demand, on upload, or by the schedule), executed by a Celery worker,
recorded in one transaction, and swept up if a worker dies under it.

States: queued -> running -> finished (outcome pass, warn, fail or error). Every way a run can go wrong ends in a
finished run with outcome "error" and a message for people; nothing deletes or rewrites an earlier run.

Sending: a run is sent to a worker through the outbox (:func:`core.outbox.enqueue`) when the transaction that
queued it commits; while the task queue (Redis) is down the run stays queued, "waiting for the task queue", and is
sent when it is back. A queued run never blocks its dataset: "Check now" sends it again when it waits or was lost.

Idempotency: one run per dataset per schedule slot (a database constraint); a run already finished is never
executed again; a run another worker is executing right now (its heartbeat is fresh) is left alone; a run that
keeps failing on the network, or whose worker keeps dying, is tried at most ``QUALITY_MAX_ATTEMPTS`` times in all,
then ends in error.
"""

from __future__ import annotations

import contextlib
import datetime
import logging
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypedDict

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import DatabaseError, IntegrityError, connections, transaction
from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from core.db import drop_broken_connections
from core.fetch import FetchError, TransientFetchError
from core.outbox import enqueue
from core.safejson import storable
from inventory.models import Dataset, Distribution, Status
from inventory.services.dictionary import table_schema_for
from team.access import enforce, enforce_system

from ..access import CHECK_REFUSED, can_check_dataset
from ..engine.result import FAIL, WARN, EngineResult, UnreadableSource
from ..extensions import data_read_after_check
from ..models import (
    CheckResult,
    DatasetQuality,
    DatasetQualitySettings,
    Outcome,
    QualityRun,
    RunState,
    SourceUpload,
    Trigger,
)
from ..selectors import RUN_CHECK_TASK, run_waits_for_queue
from ..signals import run_finished
from ..stored_files import delete_on_commit
from .schedule import next_slot, slot_for
from .sources import NoSource, local_copy, max_bytes_for, source_for

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django_stubs_ext import WithAnnotations

logger = logging.getLogger(__name__)

FAILING = frozenset({Outcome.FAIL, Outcome.ERROR})
#: The outcomes after which the measures computed from the dataset follow its data.
PASSING = frozenset({Outcome.PASS, Outcome.WARN})
STUCK_MESSAGE = "The check did not finish (the worker stopped)."
#: A check result keeps at most this many offending rows.
MAX_EXAMPLES = 10
#: The schedule and the sweeper are the system's (Celery beat): no user runs them.
SYSTEM_ONLY = "Only the system runs the quality schedule and its sweeper."


# --- limits --------------------------------------------------------------------------------------------------


def max_attempts() -> int:
    return settings.QUALITY_MAX_ATTEMPTS


def stuck_after() -> datetime.timedelta:
    """How long a run may go without a sign of life (its heartbeat while running; its queueing or last start while
    queued) before it counts as stuck: the sweeper frees a running one, "Check now" sends a queued one again."""
    return datetime.timedelta(seconds=settings.QUALITY_STUCK_AFTER_SECONDS)


def _last_sign_of_life():
    """A running run's heartbeat (or its start, for a run started before heartbeats or not yet beating)."""
    return Coalesce("heartbeat_at", "started_at")


def retry_countdown(attempt: int) -> int:
    """Seconds to wait before attempt ``attempt + 1``: ``QUALITY_RETRY_BACKOFF`` doubled each time, capped at
    ``QUALITY_RETRY_BACKOFF_MAX`` (kept under Redis's visibility timeout, so a waiting retry is not redelivered)."""
    return int(min(settings.QUALITY_RETRY_BACKOFF * 2 ** max(attempt - 1, 0), settings.QUALITY_RETRY_BACKOFF_MAX))


def _enqueue(run_id: int) -> None:
    """Send the run to a worker once the transaction that created it commits (never from inside it); while the
    task queue is down it waits in the outbox (:func:`core.outbox.enqueue`)."""
    enqueue(RUN_CHECK_TASK, run_id)


def _user(by: Any):
    return by if getattr(by, "pk", None) and getattr(by, "is_authenticated", False) else None


# --- requesting ----------------------------------------------------------------------------------------------


@transaction.atomic
def run_request(*, dataset: Dataset, by: User | None, trigger: str = Trigger.MANUAL) -> QualityRun:
    """A check of ``dataset`` now ("Check now", or a file just uploaded): a queued run, sent to a worker on commit.

    Guarantees: only those who may check the dataset (whoever writes it; ``by=None`` is the system) may ask, anyone
    else gets ``PermissionDenied``; at most one waiting run per dataset: a queued run (or, for "Check now", one
    running right now, its heartbeat fresh) is returned instead of a second one. Its slot is the moment it was asked
    for. A queued run returned is never a dead end: if it still waits for the task queue, or has shown no sign of
    life for ``QUALITY_STUCK_AFTER_SECONDS`` (its message lost), it is sent again (the task is idempotent).
    """
    enforce(by, lambda actor: can_check_dataset(actor, dataset), CHECK_REFUSED)
    Dataset.objects.select_for_update().filter(pk=dataset.pk).first()  # one request per dataset at a time
    now = timezone.now()
    active_states = [RunState.QUEUED] if trigger == Trigger.UPLOAD else [RunState.QUEUED, RunState.RUNNING]
    active = (
        QualityRun.objects.filter(dataset=dataset, state__in=active_states)
        .annotate(last_sign_of_life=_last_sign_of_life())
        .exclude(state=RunState.RUNNING, last_sign_of_life__lt=now - stuck_after())
        .order_by("-queued_at")
        .first()
    )
    if active is not None:
        silent_since = active.started_at or active.queued_at
        if active.state == RunState.QUEUED and (silent_since < now - stuck_after() or run_waits_for_queue(active)):
            _enqueue(active.pk)
        return active
    run = QualityRun.objects.create(dataset=dataset, slot=timezone.now(), trigger=trigger, requested_by=_user(by))
    _enqueue(run.pk)
    return run


class Scheduling(TypedDict):
    """What :func:`datasets_to_schedule` reads with each dataset: the slot of its newest run (``None``: never run)."""

    latest_slot: datetime.datetime | None


def datasets_to_schedule() -> QuerySet[WithAnnotations[Dataset, Scheduling]]:
    """Datasets the schedule checks: not retired, checks not turned off, and something to check."""
    has_source = Exists(SourceUpload.objects.filter(dataset=OuterRef("pk"))) | Exists(
        Distribution.objects.filter(dataset=OuterRef("pk")).filter(~Q(download_url="") | ~Q(access_url=""))
    )
    return (
        Dataset.objects.exclude(status=Status.RETIRED)
        .exclude(quality_settings__enabled=False)
        .filter(has_source)
        # The newest slot through the (dataset, slot) unique index: one index probe per dataset, not a scan of
        # every run ever recorded.
        .annotate(
            latest_slot=Subquery(QualityRun.objects.filter(dataset=OuterRef("pk")).order_by("-slot").values("slot")[:1])
        )
        .only("pk", "accrual_periodicity")
        .order_by("pk")
    )


def schedule_due(*, by: None, now: datetime.datetime | None = None) -> list[QualityRun]:
    """Queue a scheduled run for every dataset whose current period (by its update frequency) has no run yet. Only
    the system runs the schedule (``by=None``; a user is refused with ``PermissionDenied``).

    Safe to run at any time and any number of times, also by two beats at once: the run is created with
    ``get_or_create`` under the one-run-per-slot constraint and an IntegrityError just means another got there
    first. A run asked for on demand during the period counts: the schedule does not check the dataset again.
    Each new run is sent to a worker when its own small transaction commits. Returns the runs created.
    """
    enforce_system(by, SYSTEM_ONLY)
    now = now or timezone.now()
    created_runs = []
    for dataset in datasets_to_schedule().iterator(chunk_size=500):
        slot = slot_for(dataset.accrual_periodicity, now)
        if dataset.latest_slot is not None and dataset.latest_slot >= slot:
            continue
        try:
            with transaction.atomic():
                run, created = QualityRun.objects.get_or_create(
                    dataset_id=dataset.pk, slot=slot, defaults={"trigger": Trigger.SCHEDULED}
                )
                if created:
                    _enqueue(run.pk)
        except IntegrityError:
            continue
        if created:
            created_runs.append(run)
    return created_runs


# --- executing -----------------------------------------------------------------------------------------------


def _claim(run_id: int) -> QualityRun | None:
    """Mark the run running (attempts + 1) unless it is finished or another worker is on it right now (its
    heartbeat is fresh)."""
    now = timezone.now()
    with transaction.atomic():
        run = QualityRun.objects.select_for_update().filter(pk=run_id).first()
        if run is None or run.state == RunState.FINISHED:
            return None
        alive = run.heartbeat_at or run.started_at
        if run.state == RunState.RUNNING and alive and alive > now - stuck_after():
            return None
        run.state = RunState.RUNNING
        run.attempts = F("attempts") + 1
        run.started_at = run.heartbeat_at = now
        run.save(update_fields=["state", "attempts", "started_at", "heartbeat_at"])
    run.refresh_from_db()
    return run


@contextlib.contextmanager
def _heartbeat(run_id: int) -> Iterator[None]:
    """While the block runs, a thread stamps the run's ``heartbeat_at`` every ``QUALITY_HEARTBEAT_SECONDS``: the
    sign of life the sweeper reads. If the worker dies (killed, out of memory, the machine gone), the beats stop
    and the sweeper frees the run after ``QUALITY_STUCK_AFTER_SECONDS``, whatever the task's time limit."""
    stop = threading.Event()

    def beat() -> None:
        try:
            while not stop.wait(settings.QUALITY_HEARTBEAT_SECONDS):
                try:
                    QualityRun.objects.filter(pk=run_id, state=RunState.RUNNING).update(heartbeat_at=timezone.now())
                except DatabaseError:
                    logger.warning("Could not record the heartbeat of quality run %s", run_id, exc_info=True)
                    # A dead connection (the database restarted) is dropped: the next beat opens a fresh one. Kept,
                    # every later beat would fail, and the sweeper would take a running check for a dead one.
                    connections.close_all()  # this thread's own
        finally:
            connections.close_all()  # this thread's own connection

    thread = threading.Thread(target=beat, name=f"quality-run-{run_id}-heartbeat", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def _requeue(run: QualityRun, message: str) -> None:
    QualityRun.objects.filter(pk=run.pk, state=RunState.RUNNING).update(
        state=RunState.QUEUED, message=message, heartbeat_at=None
    )


def _thresholds(quality_settings: DatasetQualitySettings | None):
    from ..engine.thresholds import Thresholds

    return Thresholds.for_dataset(quality_settings)


def _previous_row_count(run: QualityRun) -> int | None:
    return (
        QualityRun.objects.filter(dataset_id=run.dataset_id, state=RunState.FINISHED, row_count__isnull=False)
        .exclude(pk=run.pk)
        .order_by("-finished_at", "-pk")
        .values_list("row_count", flat=True)
        .first()
    )


def run_execute(*, run: QualityRun, by: User | None) -> QualityRun:
    """Fetch or read the dataset's source, run every check, and record the run with its results (see
    :func:`run_record`, one transaction), updating the dataset's latest judgement and telling people when it
    starts failing.

    Guarantees: only the system (``by=None``: the worker) or those who may check the dataset execute its run, anyone
    else gets ``PermissionDenied`` and nothing changes; a finished run, or one another worker is executing, is
    returned untouched; a network error that
    may pass re-raises :class:`core.fetch.TransientFetchError` with the run back in "queued" (the task retries it
    with backoff) until ``QUALITY_MAX_ATTEMPTS``, after which the run ends in error; any other failure (no source,
    a refused or missing address, a file too large or unreadable, the soft time limit, an unexpected exception)
    ends the run in "error" with a message for people. Earlier runs are never touched. While it runs, the run's
    heartbeat says so (see :func:`_heartbeat`).
    """
    enforce(by, lambda actor: can_check_dataset(actor, run.dataset), CHECK_REFUSED)
    claimed = _claim(run.pk)
    if claimed is None:
        return QualityRun.objects.get(pk=run.pk)
    with _heartbeat(claimed.pk):
        return _execute(claimed, by=by)


def _execute(run: QualityRun, *, by: User | None) -> QualityRun:
    dataset = Dataset.objects.select_related("department").get(pk=run.dataset_id)
    recorded: dict[str, Any] = {"dataset": dataset, "slot": run.slot, "trigger": run.trigger, "by": by}
    if run.attempts > max_attempts():
        return run_record(
            **recorded,
            result=None,
            error=f"The check was tried {max_attempts()} times without finishing; it will run again at its next "
            "scheduled time.",
        )
    quality_settings = (
        DatasetQualitySettings.objects.filter(dataset=dataset).select_related("source_distribution").first()
    )
    result: EngineResult | None = None
    error = ""
    fetched = False
    try:
        source = source_for(dataset, quality_settings)
        recorded["source"] = source.label
        if source.upload is not None:
            # Said before reading it, so the pruning of old uploads (uploads_prune) spares the file while it is read.
            recorded["upload"] = source.upload
            QualityRun.objects.filter(pk=run.pk).update(upload=source.upload)
        with local_copy(source, max_bytes=max_bytes_for(quality_settings)) as copy:
            fetched = True
            drop_broken_connections()  # the download may have outlasted the database's connection
            recorded.update(source_bytes=copy.size, source_modified=copy.modified)
            from ..engine import check_file

            result = check_file(
                copy.path,
                schema=table_schema_for(dataset) if dataset.fields.exists() else None,
                thresholds=_thresholds(quality_settings),
                previous_row_count=_previous_row_count(run),
                source_modified=copy.modified,
                frequency=dataset.accrual_periodicity,
                date_column=quality_settings.date_column if quality_settings else "",
                media_type=copy.media_type,
                max_decompressed_bytes=settings.QUALITY_MAX_DECOMPRESSED_BYTES,
            )
            if source.upload is None and result.outcome in PASSING and data_read_after_check(dataset.pk):
                recorded["checked_copy"] = _keep_checked_copy(run, copy.path)
    except TransientFetchError as exc:
        message = " ".join(exc.messages)
        if run.attempts < max_attempts():
            wait = retry_countdown(run.attempts)
            _requeue(run, f"{message} Trying again in {_duration(wait)} (attempt {run.attempts} of {max_attempts()}).")
            raise
        error = f"{message} Gave up after {run.attempts} attempts."
        recorded["unfetched"] = not fetched
    except NoSource as exc:
        error = exc.message
        recorded["unfetched"] = True
    except (FetchError, ValidationError) as exc:
        error = " ".join(exc.messages)
        recorded["unfetched"] = not fetched
    except UnreadableSource as exc:
        error = str(exc) or "The file could not be read."
    except SoftTimeLimitExceeded:
        error = (
            f"The check took longer than its time limit ({_duration(settings.CELERY_TASK_SOFT_TIME_LIMIT)}) "
            "and was stopped."
        )
    except Exception as exc:
        logger.exception("Quality run %s of dataset %s failed unexpectedly", run.pk, dataset.pk)
        error = f"The check stopped on an unexpected error ({exc.__class__.__name__}); the details are in the log."
    drop_broken_connections()  # so may the checks
    try:
        return run_record(**recorded, result=result, error=error)
    except BaseException:
        # Nothing was recorded (the transaction rolled back): the copy kept for the run would name no row.
        if recorded.get("checked_copy"):
            QualityRun._meta.get_field("checked_copy").storage.delete(recorded["checked_copy"])
        raise


def _keep_checked_copy(run: QualityRun, path: Path) -> str:
    """Store the file ``run`` downloaded and judged, for the measures computed from its dataset to read
    (:func:`quality.selectors.checked_copy_of`); returns its storage name. :func:`run_record` adopts it or
    deletes it."""
    field = QualityRun._meta.get_field("checked_copy")
    with path.open("rb") as data:
        return field.storage.save(field.generate_filename(run, path.name), File(data))


def _duration(seconds: float) -> str:
    seconds = int(seconds)
    if seconds < 120:
        return f"{seconds} seconds"
    return f"{round(seconds / 60)} minutes"


# --- recording -----------------------------------------------------------------------------------------------


def _summary(result: EngineResult) -> str:
    """One line for the run: what could not be checked (with the first reason), what failed, what warned."""
    errors = [c for c in result.checks if c.status == Outcome.ERROR]
    failing = [c for c in result.checks if c.status == FAIL]
    warnings = [c for c in result.checks if c.status == WARN]
    if not errors and not failing and not warnings:
        return f"All {len(result.checks)} checks passed."

    def counted(items: list, word: str) -> str:
        return f"{len(items)} {word}{'s' if len(items) != 1 else ''}"

    parts = []
    if errors:
        parts.append(counted(errors, "error"))
    if failing:
        parts.append(f"{counted(failing, 'check')} failed")
    if warnings:
        parts.append(counted(warnings, "warning"))
    names = ", ".join(
        dict.fromkeys(f"{c.check}{f' ({c.column})' if c.column else ''}" for c in errors + failing + warnings)
    )
    summary = f"{' and '.join(parts)}: {names}."
    if errors and errors[0].message:
        summary = f"{summary} {errors[0].message}"
    return summary[:2000]


def _is_stale(result: EngineResult) -> bool:
    """The freshness check judged the data late (a warning or failure with a measured age; a warning without
    one means freshness could not be judged, which is not the same as stale)."""
    return any(
        c.check == "freshness" and (c.status == FAIL or (c.status == WARN and c.value is not None))
        for c in result.checks
    )


@transaction.atomic
def run_record(
    *,
    dataset: Dataset,
    slot: datetime.datetime,
    result: EngineResult | None,
    error: str = "",
    trigger: str = Trigger.SCHEDULED,
    source: str = "",
    upload: SourceUpload | None = None,
    finished_at: datetime.datetime | None = None,
    started_at: datetime.datetime | None = None,
    source_bytes: int | None = None,
    source_modified: datetime.datetime | None = None,
    requested_by: User | None = None,
    unfetched: bool = False,
    checked_copy: str = "",
    notify: bool = True,
    by: User | None,
) -> QualityRun:
    """Write the finished run of ``dataset`` for ``slot`` with its check results, in one transaction, and update
    the dataset's latest judgement (:class:`DatasetQuality`).

    ``result`` None (or an ``error``) records a run with outcome "error" and the message; ``upload`` is the uploaded
    file checked, if the source was one (its file is kept while the run is the dataset's latest). The run is created if
    there is none for the slot (the demo seeder records history this way). Guarantees: a run already finished is
    returned unchanged (recording twice does nothing); the latest judgement moves only forward in time (an older
    run recorded late does not overwrite it); when the dataset goes from passing (pass or warn, or never checked)
    to failing (fail or error), the people who answer for it are notified once, on commit; a run that becomes the
    latest judgement sends :data:`quality.signals.run_finished` (the goals app recomputes the measures read from
    the dataset); ``notify=False`` skips both, for history loaded after the fact. ``unfetched`` says the run ended
    before any data was read (no source, or one that could not be fetched: a placeholder or unreachable address): if
    the dataset's data has never once been read, it stays "not checked" (with this run as the reason) rather than
    "failing", and nobody is told; once its data has been read, a fetch that fails is a failure like any other. Only
    the system (``by=None``: the worker, the sweeper, the demo's history) or those who may check the dataset record
    its runs, anyone else gets ``PermissionDenied`` and nothing is written.

    ``checked_copy`` is the storage name of the downloaded file the run judged (:func:`_keep_checked_copy`): it stays
    on the run while the run is its dataset's latest judgement (the copy an earlier run kept is deleted once this one
    commits), and is deleted at once when the run does not become the latest or was already recorded.
    """
    enforce(by, lambda actor: can_check_dataset(actor, dataset), CHECK_REFUSED)
    finished_at = finished_at or timezone.now()
    run, created = QualityRun.objects.select_for_update().get_or_create(
        dataset=dataset, slot=slot, defaults={"trigger": trigger, "requested_by": _user(requested_by)}
    )
    if run.state == RunState.FINISHED:
        _delete_checked_copies([checked_copy])
        return run
    if error or result is None:
        run.outcome, run.score, run.message = Outcome.ERROR, None, error or "The check did not produce a result."
    else:
        run.outcome = result.outcome
        run.score = max(0, min(100, int(round(result.score))))
        run.row_count, run.column_count = result.row_count, result.column_count
        run.message = _summary(result)
    run.state = RunState.FINISHED
    run.finished_at = finished_at
    run.started_at = run.started_at or started_at or finished_at
    run.source = (source or run.source)[:1000]
    run.upload = upload or run.upload
    run.source_bytes = source_bytes if source_bytes is not None else run.source_bytes
    run.source_modified = source_modified or run.source_modified
    run.checked_copy = checked_copy if run.outcome in PASSING else ""
    run.save()
    if created and finished_at < timezone.now() - datetime.timedelta(minutes=1):
        QualityRun.objects.filter(pk=run.pk).update(queued_at=run.started_at)  # history recorded after the fact
    if result is not None and not error:
        CheckResult.objects.bulk_create(
            CheckResult(
                run=run,
                position=position,
                name=check.check[:50],
                column=(check.column or "")[:200],
                status=check.status,
                value=check.value,
                message=check.message,
                examples=[_storable_example(example) for example in list(check.examples or [])[:MAX_EXAMPLES]],
            )
            for position, check in enumerate(result.checks)
        )
    latest = _judge(
        run,
        stale=_is_stale(result) if result is not None and not error else None,
        notify=notify,
        never_read=unfetched and not _ever_read(run),
    )
    _keep_latest_checked_copy(run, latest=latest, offered=checked_copy)
    if latest and notify:
        run_finished.send(sender=QualityRun, run=run)  # e.g. goals recomputes the measures read from this dataset
    return run


def _keep_latest_checked_copy(run: QualityRun, *, latest: bool, offered: str) -> None:
    """Keep one checked copy per dataset, its latest judgement's: when ``run`` became it, the copies of the
    dataset's other runs go; when it did not, its own (and one offered but not adopted) goes."""
    if not latest:
        if run.checked_copy.name:
            QualityRun.objects.filter(pk=run.pk).update(checked_copy="")
        _delete_checked_copies([offered])
        return
    if offered and not run.checked_copy.name:
        _delete_checked_copies([offered])  # offered for a run that failed: nothing reads it
    others = QualityRun.objects.filter(dataset_id=run.dataset_id).exclude(pk=run.pk).exclude(checked_copy="")
    names = list(others.values_list("checked_copy", flat=True))
    if names:
        others.update(checked_copy="")
        _delete_checked_copies(names)


def _delete_checked_copies(names: list[str]) -> None:
    delete_on_commit(QualityRun._meta.get_field("checked_copy").storage, names, what="the checked copy")


def _storable_example(example: dict[str, Any]) -> dict[str, Any]:
    """An example row as it can be stored: a value read from the file (JSON records, say) may hold a NUL or a lone
    surrogate, which PostgreSQL refuses; they are shown as U+FFFD."""
    return {key: storable(value) if isinstance(value, str) else value for key, value in example.items()}


def _ever_read(run: QualityRun) -> bool:
    """Whether any finished run of ``run``'s dataset read its data (it has a score, or the bytes it read)."""
    return (
        QualityRun.objects.filter(dataset_id=run.dataset_id, state=RunState.FINISHED)
        .filter(Q(score__isnull=False) | Q(source_bytes__isnull=False))
        .exists()
    )


def _judge(run: QualityRun, *, stale: bool | None, notify: bool, never_read: bool = False) -> bool:
    """Move the dataset's latest judgement to ``run`` if it is the newest (returns whether it did), and notify on
    a passing -> failing transition. ``never_read``: the run could not fetch data that has never been read, so the
    dataset stays "not checked" (no outcome, ``run`` kept as the reason) and nobody is told."""
    finished_at = run.finished_at
    assert finished_at is not None, "only a finished run is judged"
    judgement, _ = DatasetQuality.objects.select_for_update().get_or_create(dataset_id=run.dataset_id)
    if judgement.checked_at is not None and judgement.checked_at > finished_at:
        return False
    if never_read:
        judgement.latest_run = run
        judgement.outcome, judgement.score, judgement.failing_since = "", None, None
        judgement.checked_at = finished_at
        judgement.next_due_at = next_slot(run.dataset.accrual_periodicity, finished_at)
        judgement.save()
        return True
    was_failing = judgement.outcome in FAILING
    is_failing = run.outcome in FAILING
    judgement.latest_run = run
    judgement.outcome = run.outcome
    judgement.score = run.score
    if stale is not None:
        judgement.stale = stale
    judgement.checked_at = run.finished_at
    if not is_failing:
        judgement.failing_since = None
    elif not was_failing or judgement.failing_since is None:
        judgement.failing_since = run.finished_at
    judgement.next_due_at = next_slot(run.dataset.accrual_periodicity, finished_at)
    judgement.save()
    if notify and is_failing and not was_failing:
        from .notifications import notify_failing

        notify_failing(run=run, by=None)  # the system tells people, whoever recorded the run
    return True


# --- sweeping ------------------------------------------------------------------------------------------------


def sweep_stuck_runs(*, by: None, now: datetime.datetime | None = None) -> dict[str, int]:
    """Free the runs whose worker stopped, and send again the runs whose message was lost. Beat runs it every
    minute, so a run is freed within a few minutes of its worker dying, not after the task's time limit.

    A run "running" with no heartbeat for ``QUALITY_STUCK_AFTER_SECONDS`` (its worker was killed, ran out of memory,
    or its machine stopped) goes back to "queued" and is sent to a worker again, until it has been started
    ``QUALITY_MAX_ATTEMPTS`` times; then it ends as "error", "The check did not finish (the worker stopped)". A run
    left "queued" far longer than any retry waits (``QUALITY_REQUEUE_AFTER_SECONDS``: its message was lost, e.g.
    Redis restarted empty) is sent again. Neither doubles a result: the task claims its run, and a run finished or
    beating is left alone. Safe to run any number of times. Returns how many runs were ended, retried and resent.
    Only the system sweeps (``by=None``; a user is refused with ``PermissionDenied``).
    """
    enforce_system(by, SYSTEM_ONLY)
    now = now or timezone.now()
    ended = retried = 0
    silent = Q(state=RunState.RUNNING, last_sign_of_life__lt=now - stuck_after())
    for run in (
        QualityRun.objects.annotate(last_sign_of_life=_last_sign_of_life()).filter(silent).select_related("dataset")
    ):
        with transaction.atomic():
            locked = (
                QualityRun.objects.select_for_update()
                .annotate(last_sign_of_life=_last_sign_of_life())
                .filter(silent, pk=run.pk)
                .first()
            )
            if locked is None:
                continue
            if locked.attempts < max_attempts():
                locked.state = RunState.QUEUED
                locked.heartbeat_at = None
                locked.message = (
                    f"The worker stopped during the check (attempt {locked.attempts} of {max_attempts()}); "
                    "it is checked again."
                )
                locked.save(update_fields=["state", "heartbeat_at", "message"])
                _enqueue(locked.pk)
                retried += 1
            else:
                run_record(
                    dataset=run.dataset, slot=run.slot, result=None, error=STUCK_MESSAGE, finished_at=now, by=None
                )
                ended += 1
    lost_before = now - datetime.timedelta(seconds=settings.QUALITY_REQUEUE_AFTER_SECONDS)
    lost = QualityRun.objects.filter(state=RunState.QUEUED).filter(
        Q(started_at__lt=lost_before) | Q(started_at__isnull=True, queued_at__lt=lost_before)
    )
    resent = 0
    for run_id in lost.values_list("pk", flat=True):
        with transaction.atomic():
            # Touch the run so it is not sent again on the next sweep while it waits for a worker.
            QualityRun.objects.filter(pk=run_id).update(started_at=now)
            _enqueue(run_id)
        resent += 1
    return {"ended": ended, "retried": retried, "resent": resent}
