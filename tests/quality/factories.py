"""Factories for quality results: runs, their check results and a dataset's latest judgement.

They write the models directly, for the pages' tests; tests of the write path call ``quality.services``.
``QualityRunFactory`` makes a finished, passing scheduled run of a Police dataset; pass ``outcome=``, ``score=``,
``finished_at=`` as needed, or ``state=RunState.QUEUED, outcome=""`` for one still waiting.
``DatasetQualityFactory(run=...)`` makes the latest judgement from a run (outcome, score, checked_at).
"""

from __future__ import annotations

import datetime

import factory
from django.utils import timezone

from quality.models import CheckResult, DatasetQuality, Outcome, QualityRun, RunState, Trigger
from tests.inventory.factories import DatasetFactory


class QualityRunFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = QualityRun

    dataset = factory.SubFactory(DatasetFactory)
    # An hour ago, a second later for each run made: recent, and never two runs in one slot.
    slot = factory.Sequence(lambda n: timezone.now() - datetime.timedelta(hours=1) + datetime.timedelta(seconds=n))
    trigger = Trigger.SCHEDULED
    state = RunState.FINISHED
    outcome = Outcome.PASS
    score = 100
    row_count = 1000
    column_count = 8
    source = factory.Sequence(lambda n: f"https://data.example.gov/files/{n}.csv")
    source_bytes = 52_000
    started_at = factory.LazyAttribute(lambda run: run.slot if run.state != RunState.QUEUED else None)
    finished_at = factory.LazyAttribute(
        lambda run: run.slot + datetime.timedelta(minutes=1) if run.state == RunState.FINISHED else None
    )


class CheckResultFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CheckResult

    run = factory.SubFactory(QualityRunFactory)
    position = factory.Sequence(lambda n: n)
    name = "completeness"
    column = ""
    status = Outcome.PASS
    value = 0.0
    message = ""
    examples = factory.LazyFunction(list)


class DatasetQualityFactory(factory.django.DjangoModelFactory):
    """The latest judgement of ``run.dataset`` (pass ``run=``), or of ``dataset=`` with no run yet."""

    class Meta:
        model = DatasetQuality
        django_get_or_create = ("dataset",)
        exclude = ("run",)

    run = None
    dataset = factory.LazyAttribute(lambda q: q.run.dataset if q.run else DatasetFactory())
    latest_run = factory.LazyAttribute(lambda q: q.run)
    outcome = factory.LazyAttribute(lambda q: q.run.outcome if q.run else "")
    score = factory.LazyAttribute(lambda q: q.run.score if q.run else None)
    checked_at = factory.LazyAttribute(lambda q: q.run.finished_at if q.run else None)
    stale = False
    failing_since = factory.LazyAttribute(
        lambda q: q.run.finished_at if q.run and q.run.outcome in (Outcome.FAIL, Outcome.ERROR) else None
    )


def judged(dataset, *, outcome: str = Outcome.PASS, score: int | None = 100, stale: bool = False, **run_fields):
    """A finished run of ``dataset`` made its latest judgement: what a dataset looks like once checked."""
    run = QualityRunFactory(dataset=dataset, outcome=outcome, score=score, **run_fields)
    return DatasetQualityFactory(run=run, stale=stale)
