"""Celery tasks of the goals app: thin and safe to run twice (a computation claims its measures, so a message
delivered again after another worker finished does nothing; and it upserts by period, so the same data changes
nothing the second time). A computation whose worker dies is sent again by ``goals.sweep_stuck_computations``
(beat, every minute) once its heartbeat has been silent ``GOALS_COMPUTE_STUCK_AFTER_SECONDS``."""

from __future__ import annotations

from celery import shared_task

from inventory.models import Dataset

from .models import Measure
from .services import measure_compute, measures_compute, sweep_stuck_computations


@shared_task(name="goals.measures_compute", acks_late=True)
def measures_compute_task(dataset_id: int) -> list[str]:
    """Compute every computed measure of one dataset (queued after each quality run that passed or warned)."""
    dataset = Dataset.objects.filter(pk=dataset_id).first()
    if dataset is None:
        return []
    return [result.summary() for result in measures_compute(dataset=dataset, by=None, claim=True)]


@shared_task(name="goals.measure_compute", acks_late=True)
def measure_compute_task(measure_id: int) -> str:
    """Compute one measure ("Compute now" on its page)."""
    measure = Measure.objects.select_related("source_dataset").filter(pk=measure_id).first()
    if measure is None:
        return "missing"
    return measure_compute(measure=measure, by=None, claim=True).summary()


@shared_task(name="goals.sweep_stuck_computations")
def sweep_stuck_computations_task() -> dict[str, int]:
    """Send again the computations whose worker died or whose message was lost (beat, every minute)."""
    return sweep_stuck_computations(by=None)
