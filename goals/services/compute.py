"""Compute measures from their source dataset's data and record one observation per period.

The data is what the dataset's quality checks read (``quality.services.sources``: its chosen distribution, else
its latest uploaded file, else its first download address), fetched once for all the measures computed from it: the
very bytes the latest check downloaded and passed, when it kept them (``QualityRun.checked_copy``), else a download.
Each measure's observations are written in its own transaction: a measure whose definition does not fit the data
gets the reason on ``Measure.compute_error`` and the others are computed all the same. A value typed in or
uploaded by hand for a period is never overwritten; the result says which periods kept theirs.

After every quality run that passed or warned, :func:`on_quality_run_finished` queues the computation of the
dataset's measures (it answers ``quality.signals.run_finished``, connected in ``GoalsConfig.ready``). "Compute now"
on a measure's page is :func:`measure_compute_request`.

A queued computation is never lost nor done twice. Asking for one stamps ``Measure.compute_requested_at``; the
worker claims the measure (``claim=True``: only a computation asked for, and not one another worker is beating on),
stamps ``compute_heartbeat_at`` every ``GOALS_COMPUTE_HEARTBEAT_SECONDS`` while it runs, and clears the request when
it finishes. If the worker dies mid-computation (killed, out of memory, the machine gone), the beats stop and
:func:`sweep_stuck_computations` (beat, every minute) sends the computation again once it has been silent
``GOALS_COMPUTE_STUCK_AFTER_SECONDS``, not after Redis's hour-long visibility timeout; the dead worker's message,
if delivered again later, finds nothing asked for and does nothing. Every start counts an attempt: past
:data:`MAX_ATTEMPTS` the computation ends with an error on the measure. Computing twice writes nothing twice:
observations are upserted by period (one per measure and period, a database constraint).
"""

from __future__ import annotations

import contextlib
import datetime
import logging
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pandas as pd
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connections, transaction
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from core.db import drop_broken_connections
from core.outbox import enqueue, is_waiting
from inventory.models import Dataset
from quality.models import DatasetQualitySettings, QualityRun
from quality.selectors import checked_copy_of
from quality.services.sources import NoSource, local_copy, max_bytes_for, source_for
from team.access import enforce, enforce_system

from ..access import COMPUTE_REFUSED, can_compute_measure
from ..computation import ComputeError, compute, read_table
from ..models import DataVersion, Measure, Observation, ObservationSource
from ..selectors import MEASURE_COMPUTE_TASK, MEASURES_COMPUTE_TASK

if TYPE_CHECKING:
    from django.contrib.auth.models import User

logger = logging.getLogger(__name__)

#: Largest data file read for a computation.
MAX_SOURCE_BYTES = 200 * 1024 * 1024
MANUAL_MEASURE = "This measure is entered by hand; there is nothing to compute."
#: Starts of one computation asked for (the first and the sweeper's retries) before it ends in error.
MAX_ATTEMPTS = 3
STUCK_MESSAGE = f"The computation did not finish: its worker stopped {MAX_ATTEMPTS} times."
NOT_ASKED = "nothing asked for (computed already, or computing elsewhere)"
#: A computation asked for that no worker started for this long (its message was lost) is sent again.
REQUEUE_AFTER = datetime.timedelta(hours=2)


@dataclass
class ComputeResult:
    """What one computation of one measure did."""

    measure: Measure
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    kept_manual: list[datetime.date] = field(default_factory=list)
    rows: int = 0
    rows_used: int = 0
    rows_without_date: int = 0
    rows_in_unfinished_period: int = 0
    error: str = ""
    #: Why nothing was done (the task's claim found nothing to do).
    skipped: str = ""

    @property
    def ok(self) -> bool:
        return not self.error

    def summary(self) -> str:
        if self.skipped:
            return f"{self.measure.name}: {self.skipped}"
        if self.error:
            return f"{self.measure.name} could not be computed: {self.error}"
        text = (
            f"{self.measure.name}: {self.created} new value{'s' if self.created != 1 else ''}, {self.updated} "
            f"changed, {self.unchanged} unchanged, from {self.rows_used} of {self.rows} rows."
        )
        if self.kept_manual:
            text += f" {len(self.kept_manual)} period(s) kept the value entered by hand."
        return text


def read_source(dataset: Dataset) -> pd.DataFrame:
    """The dataset's data as a DataFrame of text, read from the same source its quality checks read (the chosen
    distribution, else the latest uploaded file, else the first download or API address; see
    ``quality.services.sources``). Raises ComputeError when there is none or it cannot be fetched or read."""
    quality_settings = (
        DatasetQualitySettings.objects.filter(dataset=dataset).select_related("source_distribution").first()
    )
    try:
        source = source_for(dataset, quality_settings)
    except NoSource as exc:
        raise ComputeError(
            f"“{dataset.title}” has no data to compute from: upload a data file on its quality page or add a "
            "distribution with a download URL, then compute again."
        ) from exc
    limit = min(max_bytes_for(quality_settings), MAX_SOURCE_BYTES)
    name = source.upload.original_name if source.upload else source.location
    if source.upload is None and (checked := _checked_bytes(dataset, source.label, limit)) is not None:
        return read_table(checked, name)
    try:
        with local_copy(source, max_bytes=limit) as copy:
            data = copy.path.read_bytes()
    except ValidationError as exc:  # core.fetch.FetchError is one too
        raise ComputeError(f"The data could not be read from {source.label}: {' '.join(exc.messages)}") from exc
    except OSError as exc:
        raise ComputeError(f"The data could not be read from {source.label} ({exc}).") from exc
    return read_table(data, name)


def _checked_bytes(dataset: Dataset, source_label: str, limit: int) -> bytes | None:
    """The bytes the dataset's latest check downloaded from ``source_label`` and passed, when it kept them (see
    :func:`quality.selectors.checked_copy_of`): the measures follow what the check judged, without a second
    download. None (download it) when there is no such copy, it is over ``limit`` or gone from storage."""
    run = checked_copy_of(dataset, source_label)
    if run is None:
        return None
    try:
        with run.checked_copy.open("rb") as stored:
            data = stored.read(limit + 1)
    except OSError:
        logger.warning("The checked copy %s of run %s is gone; downloading again", run.checked_copy.name, run.pk)
        return None
    return data if len(data) <= limit else None


def _record_error(measure: Measure, message: str, now) -> None:
    Measure.objects.filter(pk=measure.pk).update(compute_error=message, computed_at=now)
    DataVersion.bump()  # update() sends no signal
    measure.compute_error, measure.computed_at = message, now


@transaction.atomic
def _write(measure: Measure, values: dict, result: ComputeResult, now) -> None:
    # One computation of a measure at a time: a second waits here, then finds the first's rows and changes nothing.
    Measure.objects.select_for_update().filter(pk=measure.pk).values_list("pk", flat=True).get()
    existing = {o.period: o for o in Observation.objects.select_for_update().filter(measure=measure)}
    new, changed = [], []
    for period, value in values.items():
        observation = existing.get(period)
        if observation is None:
            new.append(Observation(measure=measure, period=period, value=value, source=ObservationSource.COMPUTED))
        elif observation.source != ObservationSource.COMPUTED:
            result.kept_manual.append(period)
        elif observation.value == value:
            result.unchanged += 1
        else:
            observation.value, observation.recorded_by, observation.recorded_at = value, None, now
            changed.append(observation)
    if new:
        bulk_create_with_history(new, Observation, batch_size=500, default_change_reason="Computed")
    if changed:
        bulk_update_with_history(
            changed,
            Observation,
            ["value", "recorded_by", "recorded_at"],
            batch_size=500,
            default_change_reason="Computed",
        )
    result.created, result.updated = len(new), len(changed)
    Measure.objects.filter(pk=measure.pk).update(compute_error="", computed_at=now)
    DataVersion.bump()  # bulk writes and update() send no signal
    measure.compute_error, measure.computed_at = "", now


def _compute_one(measure: Measure, frame, *, today: datetime.date, now, shared: dict | None = None) -> ComputeResult:
    result = ComputeResult(measure=measure)
    try:
        computed = compute(
            frame,
            aggregation=measure.aggregation,
            value_column=measure.value_column,
            date_column=measure.date_column,
            filters=measure.filters,
            condition=measure.condition,
            frequency=measure.frequency,
            today=today,
            tz=settings.TIME_ZONE,
            shared=shared,
        )
    except ComputeError as exc:
        result.error = str(exc)
        drop_broken_connections()
        _record_error(measure, result.error, now)
        return result
    drop_broken_connections()  # reading and computing may have outlasted the database's connection
    result.rows, result.rows_used = computed.rows, computed.rows_used
    result.rows_without_date = computed.rows_without_date
    result.rows_in_unfinished_period = computed.rows_in_unfinished_period
    _write(measure, computed.values, result, now)
    return result


def _stuck_after() -> datetime.timedelta:
    """How long a computation may go without a heartbeat before the sweeper sends it again."""
    return datetime.timedelta(seconds=settings.GOALS_COMPUTE_STUCK_AFTER_SECONDS)


def _last_sign_of_life():
    return Coalesce("compute_heartbeat_at", "compute_started_at")


def _claim(measures: list[Measure], now: datetime.datetime) -> list[Measure]:
    """The measures this worker computes: those asked for (``compute_requested_at`` set) that no other worker is
    computing right now (its heartbeat fresh), marked started (one more attempt). Those started ``MAX_ATTEMPTS``
    times already end in error instead."""
    claimed = []
    with transaction.atomic():
        locked = (
            Measure.objects.select_for_update()
            .annotate(last_sign_of_life=_last_sign_of_life())
            .filter(pk__in=[measure.pk for measure in measures], compute_requested_at__isnull=False)
            .exclude(compute_started_at__isnull=False, last_sign_of_life__gte=now - _stuck_after())
            .order_by("pk")
        )
        by_pk = {measure.pk: measure for measure in measures}
        for row in locked:
            measure = by_pk[row.pk]
            if row.compute_attempts >= MAX_ATTEMPTS:
                _record_error(measure, STUCK_MESSAGE, now)
                _release([measure.pk], requested_before=now)
                continue
            Measure.objects.filter(pk=row.pk).update(
                compute_started_at=now, compute_heartbeat_at=now, compute_attempts=row.compute_attempts + 1
            )
            claimed.append(measure)
    return claimed


def _release(measure_ids: list[int], *, requested_before: datetime.datetime) -> None:
    """The computation is done: clear its marks. A request made while it ran (after ``requested_before``) stays
    asked for: its own message computes again, with the newer data."""
    Measure.objects.filter(pk__in=measure_ids).update(compute_started_at=None, compute_heartbeat_at=None)
    Measure.objects.filter(pk__in=measure_ids, compute_requested_at__lte=requested_before).update(
        compute_requested_at=None, compute_attempts=0
    )


@contextlib.contextmanager
def _heartbeat(measure_ids: list[int], started: datetime.datetime) -> Iterator[None]:
    """While the block runs, a thread stamps the measures' ``compute_heartbeat_at`` every
    ``GOALS_COMPUTE_HEARTBEAT_SECONDS``: the sign of life :func:`sweep_stuck_computations` reads."""
    stop = threading.Event()

    def beat() -> None:
        try:
            while not stop.wait(settings.GOALS_COMPUTE_HEARTBEAT_SECONDS):
                try:
                    Measure.objects.filter(pk__in=measure_ids, compute_started_at=started).update(
                        compute_heartbeat_at=timezone.now()
                    )
                except DatabaseError:
                    logger.warning("Could not record the heartbeat of computing %s", measure_ids, exc_info=True)
                    connections.close_all()  # a broken connection (the database restarted): the next beat reconnects
        finally:
            connections.close_all()  # this thread's own connection

    thread = threading.Thread(target=beat, name="measure-compute-heartbeat", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def _mark_requested(measures: Q) -> None:
    Measure.objects.filter(measures).exclude(aggregation="").update(
        compute_requested_at=timezone.now(), compute_attempts=0
    )


def measures_compute(
    *, dataset: Dataset, by: None, today: datetime.date | None = None, claim: bool = False
) -> list[ComputeResult]:
    """Compute every computed measure of ``dataset`` from its latest data file (read once).

    Guarantees: only the system computes a dataset's measures (``by=None``: the worker after a quality run, the
    demo; a user is refused with ``PermissionDenied``: people compute one measure, :func:`measure_compute`); each
    measure's observations are upserted in one transaction (all its periods or none); manual and uploaded
    observations are never overwritten (listed in ``kept_manual``); a failure is recorded on the measure
    (``compute_error``) instead of raised; computing the same data twice changes nothing the second time. With
    ``claim`` (the worker's task) only the measures asked for and not being computed elsewhere are computed, with a
    heartbeat (see the module)."""
    enforce_system(by, "Only the system computes every measure of a dataset.")
    measures = list(Measure.objects.filter(source_dataset=dataset).exclude(aggregation="").order_by("pk"))
    now, today = timezone.now(), today or timezone.localdate()
    if claim:
        measures = _claim(measures, now)
    if not measures:
        return []
    ids = [measure.pk for measure in measures]
    with _heartbeat(ids, now) if claim else contextlib.nullcontext():
        try:
            frame = read_source(dataset)
        except ComputeError as exc:
            drop_broken_connections()
            results = []
            for measure in measures:
                _record_error(measure, str(exc), now)
                results.append(ComputeResult(measure=measure, error=str(exc)))
        else:
            shared: dict = {}  # the measures' common date columns, read once
            results = [_compute_one(measure, frame, today=today, now=now, shared=shared) for measure in measures]
    if claim:
        _release(ids, requested_before=now)
    return results


def measure_compute(
    *, measure: Measure, by: User | None, today: datetime.date | None = None, claim: bool = False
) -> ComputeResult:
    """Compute one measure from its dataset's latest data file, with :func:`measures_compute`'s guarantees (and its
    ``claim``). Only the system (``by=None``: the worker "Compute now" queued) or those who may compute it
    (:func:`goals.access.can_compute_measure`) may, anyone else gets ``PermissionDenied``."""
    enforce(by, lambda actor: can_compute_measure(actor, measure), COMPUTE_REFUSED)
    now, today = timezone.now(), today or timezone.localdate()
    if not measure.is_computed or measure.source_dataset is None:
        return ComputeResult(measure=measure, error=MANUAL_MEASURE)
    if claim and not _claim([measure], now):
        return ComputeResult(measure=measure, skipped=NOT_ASKED)
    with _heartbeat([measure.pk], now) if claim else contextlib.nullcontext():
        try:
            frame = read_source(measure.source_dataset)
        except ComputeError as exc:
            drop_broken_connections()
            _record_error(measure, str(exc), now)
            result = ComputeResult(measure=measure, error=str(exc))
        else:
            result = _compute_one(measure, frame, today=today, now=now)
    if claim:
        _release([measure.pk], requested_before=now)
    return result


def measure_compute_request(*, measure: Measure, by: User | None) -> None:
    """ "Compute now": queue the computation of a computed measure once the current transaction commits (its page
    shows the result, or why it failed). Guarantees: only those who may compute it (:func:`goals.access.
    can_compute_measure`) may; a measure entered by hand is a ValidationError; nothing is sent to a worker from
    inside a transaction; while the task queue is down the computation waits in the outbox and starts when it is
    back (:func:`goals.selectors.measure_compute_waits_for_queue`)."""
    if not measure.is_computed:
        raise ValidationError(MANUAL_MEASURE)
    enforce(by, lambda actor: can_compute_measure(actor, measure), COMPUTE_REFUSED)
    _mark_requested(Q(pk=measure.pk))
    enqueue(MEASURE_COMPUTE_TASK, measure.pk)


def on_quality_run_finished(*, run: QualityRun, by: None) -> None:
    """Queue the computation of ``run.dataset``'s measures once the run's transaction commits, if the run passed
    or warned (a failing run leaves the last values alone; the measures show as data suspect instead). Called
    for ``quality.signals.run_finished``, sent when a finished run becomes its dataset's latest judgement: only the
    system (``by=None``) does this."""
    enforce_system(by, "Only the system follows quality runs.")
    if run.outcome not in ("pass", "warn"):
        return
    if not Measure.objects.filter(source_dataset_id=run.dataset_id).exclude(aggregation="").exists():
        return
    _mark_requested(Q(source_dataset_id=run.dataset_id))
    enqueue(MEASURES_COMPUTE_TASK, run.dataset_id)


def sweep_stuck_computations(*, by: None, now: datetime.datetime | None = None) -> dict[str, int]:
    """Send again the computations whose worker stopped, and those whose message was lost. Beat runs it every
    minute, so a computation is taken up again within minutes of its worker dying, not after Redis's visibility
    timeout (an hour).

    A computation started but silent (no heartbeat) for ``GOALS_COMPUTE_STUCK_AFTER_SECONDS`` is freed and its
    measure sent to a worker again (``goals.measure_compute``); the next start past :data:`MAX_ATTEMPTS` ends it
    with an error on the measure instead. One asked for but never started for :data:`REQUEUE_AFTER`, and not
    waiting in the outbox (its message was lost: Redis restarted empty), is sent again. Neither doubles anything:
    the task claims the measure (a computation finished, or beating, is left alone) and observations are upserted
    by period. Safe to run any number of times, in several processes. Returns how many were retried and resent.
    Only the system sweeps (``by=None``; a user is refused with ``PermissionDenied``)."""
    enforce_system(by, "Only the system sweeps the computations.")
    now = now or timezone.now()
    silent = Q(compute_requested_at__isnull=False, compute_started_at__isnull=False) & Q(
        last_sign_of_life__lt=now - _stuck_after()
    )
    retried = 0
    for measure_id in (
        Measure.objects.annotate(last_sign_of_life=_last_sign_of_life()).filter(silent).values_list("pk", flat=True)
    ):
        with transaction.atomic():
            freed = (
                Measure.objects.annotate(last_sign_of_life=_last_sign_of_life())
                .filter(silent, pk=measure_id)
                .update(compute_started_at=None, compute_heartbeat_at=None, compute_requested_at=now)
            )
            if freed:
                enqueue(MEASURE_COMPUTE_TASK, measure_id)
                retried += 1
    resent = 0
    lost = Measure.objects.filter(
        compute_requested_at__lt=now - REQUEUE_AFTER, compute_started_at__isnull=True
    ).values_list("pk", "source_dataset_id")
    for measure_id, dataset_id in lost:
        if is_waiting(MEASURE_COMPUTE_TASK, measure_id) or is_waiting(MEASURES_COMPUTE_TASK, dataset_id):
            continue  # the broker is down: the outbox sends it when it is back
        with transaction.atomic():
            if Measure.objects.filter(pk=measure_id, compute_started_at__isnull=True).update(compute_requested_at=now):
                enqueue(MEASURE_COMPUTE_TASK, measure_id)
                resent += 1
    return {"retried": retried, "resent": resent}
