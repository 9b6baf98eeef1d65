"""Compute measures from their source dataset's data and record one observation per period.

The data is what the dataset's quality checks read (``quality.services.sources``: its chosen distribution, else
its latest uploaded file, else its first download address), fetched once for all the measures computed from it.
Each measure's observations are written in its own transaction: a measure whose definition does not fit the data
gets the reason on ``Measure.compute_error`` and the others are computed all the same. A value typed in or
uploaded by hand for a period is never overwritten; the result says which periods kept theirs.

After every quality run that passed or warned, :func:`on_quality_run_finished` queues the computation of the
dataset's measures (it answers ``quality.signals.run_finished``, connected in ``GoalsConfig.ready``). "Compute now"
on a measure's page is :func:`measure_compute_request`.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pandas as pd
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from core.outbox import enqueue
from inventory.models import Dataset
from quality.models import DatasetQualitySettings, QualityRun
from quality.services.sources import NoSource, local_copy, max_bytes_for, source_for
from team.access import enforce, enforce_system

from ..access import COMPUTE_REFUSED, can_compute_measure
from ..computation import ComputeError, compute, read_table
from ..models import Measure, Observation, ObservationSource
from ..selectors import MEASURE_COMPUTE_TASK, MEASURES_COMPUTE_TASK

if TYPE_CHECKING:
    from django.contrib.auth.models import User

logger = logging.getLogger(__name__)

#: Largest data file read for a computation.
MAX_SOURCE_BYTES = 200 * 1024 * 1024
MANUAL_MEASURE = "This measure is entered by hand; there is nothing to compute."


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

    @property
    def ok(self) -> bool:
        return not self.error

    def summary(self) -> str:
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
    try:
        with local_copy(source, max_bytes=limit) as copy:
            data = copy.path.read_bytes()
    except ValidationError as exc:  # core.fetch.FetchError is one too
        raise ComputeError(f"The data could not be read from {source.label}: {' '.join(exc.messages)}") from exc
    except OSError as exc:
        raise ComputeError(f"The data could not be read from {source.label} ({exc}).") from exc
    return read_table(data, source.upload.original_name if source.upload else source.location)


def _record_error(measure: Measure, message: str, now) -> None:
    Measure.objects.filter(pk=measure.pk).update(compute_error=message, computed_at=now)
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
    measure.compute_error, measure.computed_at = "", now


def _compute_one(measure: Measure, frame, *, today: datetime.date, now) -> ComputeResult:
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
        )
    except ComputeError as exc:
        result.error = str(exc)
        _record_error(measure, result.error, now)
        return result
    result.rows, result.rows_used = computed.rows, computed.rows_used
    result.rows_without_date = computed.rows_without_date
    result.rows_in_unfinished_period = computed.rows_in_unfinished_period
    _write(measure, computed.values, result, now)
    return result


def measures_compute(*, dataset: Dataset, by: None, today: datetime.date | None = None) -> list[ComputeResult]:
    """Compute every computed measure of ``dataset`` from its latest data file (read once).

    Guarantees: only the system computes a dataset's measures (``by=None``: the worker after a quality run, the
    demo; a user is refused with ``PermissionDenied``: people compute one measure, :func:`measure_compute`); each
    measure's observations are upserted in one transaction (all its periods or none); manual and uploaded
    observations are never overwritten (listed in ``kept_manual``); a failure is recorded on the measure
    (``compute_error``) instead of raised; computing the same data twice changes nothing the second time."""
    enforce_system(by, "Only the system computes every measure of a dataset.")
    measures = list(Measure.objects.filter(source_dataset=dataset).exclude(aggregation="").order_by("pk"))
    if not measures:
        return []
    now, today = timezone.now(), today or timezone.localdate()
    try:
        frame = read_source(dataset)
    except ComputeError as exc:
        results = []
        for measure in measures:
            _record_error(measure, str(exc), now)
            results.append(ComputeResult(measure=measure, error=str(exc)))
        return results
    return [_compute_one(measure, frame, today=today, now=now) for measure in measures]


def measure_compute(*, measure: Measure, by: User | None, today: datetime.date | None = None) -> ComputeResult:
    """Compute one measure from its dataset's latest data file, with :func:`measures_compute`'s guarantees. Only the
    system (``by=None``: the worker "Compute now" queued) or those who may compute it
    (:func:`goals.access.can_compute_measure`) may, anyone else gets ``PermissionDenied``."""
    enforce(by, lambda actor: can_compute_measure(actor, measure), COMPUTE_REFUSED)
    now, today = timezone.now(), today or timezone.localdate()
    if not measure.is_computed or measure.source_dataset is None:
        return ComputeResult(measure=measure, error=MANUAL_MEASURE)
    try:
        frame = read_source(measure.source_dataset)
    except ComputeError as exc:
        _record_error(measure, str(exc), now)
        return ComputeResult(measure=measure, error=str(exc))
    return _compute_one(measure, frame, today=today, now=now)


def measure_compute_request(*, measure: Measure, by: User | None) -> None:
    """ "Compute now": queue the computation of a computed measure once the current transaction commits (its page
    shows the result, or why it failed). Guarantees: only those who may compute it (:func:`goals.access.
    can_compute_measure`) may; a measure entered by hand is a ValidationError; nothing is sent to a worker from
    inside a transaction; while the task queue is down the computation waits in the outbox and starts when it is
    back (:func:`goals.selectors.measure_compute_waits_for_queue`)."""
    if not measure.is_computed:
        raise ValidationError(MANUAL_MEASURE)
    enforce(by, lambda actor: can_compute_measure(actor, measure), COMPUTE_REFUSED)
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
    enqueue(MEASURES_COMPUTE_TASK, run.dataset_id)
