"""Seed the demo datasets' files and quality history through the quality services and the real engine.

For each demo dataset with data (not merely "identified") that has no run and no uploaded file yet, in one
transaction:

1. its quality settings name the date column freshness is judged by (``settings_update``);
2. today's file is uploaded (``source_upload_create``: stored in MEDIA_ROOT through the storage API, a run
   requested) and checked by the engine (``check_file``) as a worker would, read through ``local_copy``;
3. its history: a run every two weeks over the last :data:`HISTORY_WEEKS` weeks for datasets updated weekly or
   more often, a run per schedule slot for the others (monthly), and a monthly check on demand for quarterly and
   slower ones (their schedule would give one or two points). Each run judges the file *as it stood then* (the
   rows exported up to that moment, as of that moment) and is recorded by ``run_record`` without notifying anyone
   (it is the past). To keep seeding fast, the engine runs once per set of planted problems a file shows: on
   the first file showing it (its offending rows stay on the same lines in later files, as rows are only added);
   the later runs with the same problems repeat that engine run's column checks (counts and examples included)
   with their own row count, row-count check and freshness, judged by the engine's own ``row_count_check`` and
   ``freshness_check``. Files without a planted problem repeat today's engine run, where every column check
   passes; so a dataset without planted problems costs one engine run in all;
4. last, today's run is recorded on the upload's queued run (``run_record``), so a dataset that passed until
   now and fails today notifies its people (the showcase, :data:`demo.quality.SHOWCASE`); the task the upload
   enqueued finds the run finished and leaves it alone.

Idempotent: a dataset that has any run or upload is skipped, so seeding twice adds nothing and a re-seed never
touches what people did in the app.
"""

from __future__ import annotations

import dataclasses
import datetime
import tempfile
import time
import zlib
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from inventory.models import Dataset, Status
from inventory.services.dictionary import table_schema_for
from quality.engine import check_file
from quality.engine.checks import row_count_check
from quality.engine.freshness import freshness_check
from quality.engine.result import EngineResult, UnreadableSource
from quality.engine.score import score_for
from quality.engine.thresholds import Thresholds
from quality.models import DatasetQualitySettings, QualityRun, RunState, Trigger
from quality.services import run_record, settings_update, slot_for, source_upload_create
from quality.services.schedule import PERIODS
from quality.services.sources import local_copy, max_bytes_for, source_for

from ..inventory import DATASETS, DatasetSpec
from .generate import DemoTable, demo_table

#: How far back the seeded history goes.
HISTORY_WEEKS = 26
#: Datasets checked weekly or more often get a seeded run every this many days (on Mondays).
FAST_STEP_DAYS = 14
#: Minutes after its slot a seeded scheduled run finishes (the worker is not instantaneous).
RUN_MINUTES = 7
#: How long before a check its file was exported (its Last-Modified).
EXPORTED_BEFORE = datetime.timedelta(hours=1)


@dataclass(frozen=True)
class HistorySlot:
    slot: datetime.datetime
    finished_at: datetime.datetime
    trigger: str


def specs_with_data() -> list[DatasetSpec]:
    """The demo datasets that get a data file: every one past "identified"."""
    return [spec for spec in DATASETS if spec.status != Status.IDENTIFIED]


def history_slots(
    frequency: str, *, now: datetime.datetime, weeks: int = HISTORY_WEEKS, odd_weeks: bool = False
) -> list[HistorySlot]:
    """The earlier runs of a dataset with this update frequency, oldest first, all before ``now``'s own slot.

    Scheduled runs follow the real schedule (``slot_for``) but at most every two weeks (on Mondays; ``odd_weeks``
    takes the other Mondays, so that half the datasets are checked each week); a dataset checked less often than
    monthly gets a monthly check on demand instead, so its chart has points."""
    unit, step = PERIODS.get(frequency, ("week", 1))
    start = now - datetime.timedelta(weeks=weeks)
    current = slot_for(frequency, now)
    found: dict[datetime.datetime, HistorySlot] = {}
    if unit == "month" and step > 1:
        local = timezone.localtime(start)
        month = local.date().replace(day=1)
        while True:
            month = (month + datetime.timedelta(days=32)).replace(day=1)
            asked = timezone.make_aware(datetime.datetime.combine(month, datetime.time(9, 30)))
            if asked >= now - datetime.timedelta(days=2):
                break
            found[asked] = HistorySlot(asked, asked + datetime.timedelta(minutes=1), Trigger.MANUAL)
    else:
        day = timezone.localdate(now)
        day -= datetime.timedelta(days=day.weekday() + (7 if odd_weeks else 0))  # this (or last) week's Monday
        earliest = timezone.localdate(start)
        while day > earliest:
            slot = slot_for(frequency, timezone.make_aware(datetime.datetime.combine(day, datetime.time(12))))
            if start < slot < current and slot not in found:
                finished = slot + datetime.timedelta(hours=0 if unit == "hour" else 6, minutes=RUN_MINUTES)
                found[slot] = HistorySlot(slot, finished, Trigger.SCHEDULED)
            day -= datetime.timedelta(days=FAST_STEP_DAYS if unit in ("hour", "day", "halfweek", "week") else 1)
    return sorted(found.values(), key=lambda item: item.slot)


@dataclass
class SeedStats:
    datasets: int = 0
    runs: int = 0
    engine_runs: int = 0
    engine_seconds: float = 0.0


@dataclass
class _Checking:
    """What every check of one dataset's files shares."""

    dataset: Dataset
    table: DemoTable
    schema: dict
    thresholds: Thresholds
    date_column: str
    folder: str


def _engine_check(c: _Checking, *, moment: datetime.datetime, previous: int | None) -> EngineResult:
    """A real engine run on the file as exported at ``moment``, judged as of then."""
    path = Path(c.folder) / f"{c.dataset.identifier}-{moment:%Y%m%d%H%M}.csv"
    path.write_bytes(c.table.csv(moment))
    try:
        return check_file(
            path,
            schema=c.schema,
            thresholds=c.thresholds,
            previous_row_count=previous,
            source_modified=moment - EXPORTED_BEFORE,
            frequency=c.dataset.accrual_periodicity,
            date_column=c.date_column,
            now=moment,
            media_type="text/csv",
        )
    finally:
        path.unlink()


def _derived_check(c: _Checking, sample: EngineResult, *, moment: datetime.datetime, previous: int | None):
    """The run at ``moment`` from the engine run of another file with the same problems: its column checks are
    the sample's; its row count, the row-count check and freshness are its own, judged by the engine's functions."""
    rows = len(c.table.rows_at(moment))
    newest = c.table.newest_date_at(moment, c.date_column) if c.date_column else None
    checks = []
    for check in sample.checks:
        if check.check == "row_count":
            check = row_count_check(rows, previous, c.thresholds)
        elif check.check == "freshness":
            check = freshness_check(
                frequency=c.dataset.accrual_periodicity,
                grace_days=c.thresholds.freshness_grace_days,
                now=moment,
                newest_value=newest,
                date_column=c.date_column,
                date_column_found=c.date_column in c.table.header,
                source_modified=moment - EXPORTED_BEFORE,
            )
        else:
            check = dataclasses.replace(check, examples=list(check.examples))
        checks.append(check)
    return EngineResult(
        checks=checks,
        score=score_for(checks),
        row_count=rows,
        column_count=sample.column_count,
        newest_date=newest.isoformat() if newest else None,
    )


def _check_upload(c: _Checking, *, quality_settings, previous: int | None, now: datetime.datetime):
    """The real engine run on the uploaded file, read through the storage as a worker reads it: (result or None,
    error, the local copy's facts)."""
    source = source_for(c.dataset, quality_settings)
    with local_copy(source, max_bytes=max_bytes_for(quality_settings)) as copy:
        try:
            result = check_file(
                copy.path,
                schema=c.schema,
                thresholds=c.thresholds,
                previous_row_count=previous,
                source_modified=copy.modified,
                frequency=c.dataset.accrual_periodicity,
                date_column=c.date_column,
                now=now,
                media_type=copy.media_type,
            )
        except UnreadableSource as exc:
            return None, str(exc) or "The file could not be read.", copy
        return result, "", copy


def _seed_dataset(dataset: Dataset, spec: DatasetSpec, *, now: datetime.datetime, stats: SeedStats, folder) -> None:
    table = demo_table(spec, as_of=timezone.localdate(now))
    quality_settings = DatasetQualitySettings.objects.filter(dataset=dataset).first()
    if quality_settings is None or not quality_settings.date_column:  # a date column set in the app is kept
        quality_settings = settings_update(by=None, dataset=dataset, date_column=table.date_column)
    c = _Checking(
        dataset=dataset,
        table=table,
        schema=table_schema_for(dataset),
        thresholds=Thresholds.for_dataset(quality_settings),
        date_column=quality_settings.date_column,
        folder=folder,
    )
    slots = history_slots(dataset.accrual_periodicity, now=now, odd_weeks=zlib.crc32(dataset.identifier.encode()) % 2)

    # Today's file first: uploaded, and checked by the engine as a worker would (the upload's queued run).
    contact_user = dataset.contact.user if dataset.contact_id and dataset.contact.user_id else None
    upload = source_upload_create(
        dataset=dataset, file=ContentFile(table.csv(), name=f"{dataset.identifier}.csv"), by=contact_user
    )
    queued = QualityRun.objects.filter(dataset=dataset, state=RunState.QUEUED).order_by("-pk").first()
    started = time.perf_counter()
    last_count = len(table.rows_at(slots[-1].finished_at)) if slots else None
    current, error, copy = _check_upload(c, quality_settings=quality_settings, previous=last_count, now=now)
    stats.engine_seconds += time.perf_counter() - started
    stats.engine_runs += 1

    # The history, oldest first: a real engine run on the first file showing each set of planted problems, which
    # the later files with the same problems repeat (their offending rows are still there, on the same lines); a
    # file without any repeats today's engine run, where every column check passes.
    problems_now = table.problems_at(now)
    samples = {problems_now: current} if current is not None and not any(problems_now) else {}
    previous: int | None = None
    for item in slots:
        moment = item.finished_at
        problems = table.problems_at(moment)
        result, run_error = None, ""
        if problems in samples:
            result = _derived_check(c, samples[problems], moment=moment, previous=previous)
        else:
            started = time.perf_counter()
            try:
                result = samples[problems] = _engine_check(c, moment=moment, previous=previous)
            except UnreadableSource as exc:
                run_error = str(exc) or "The file could not be read."
            stats.engine_seconds += time.perf_counter() - started
            stats.engine_runs += 1
        run_record(
            by=None,
            dataset=dataset,
            slot=item.slot,
            result=result,
            error=run_error,
            trigger=item.trigger,
            source=f"{dataset.identifier}.csv as exported on {timezone.localdate(moment):%Y-%m-%d}",
            source_modified=moment - EXPORTED_BEFORE,
            started_at=moment - datetime.timedelta(seconds=2),
            finished_at=moment,
            notify=False,
        )
        previous = result.row_count if result is not None else previous
        stats.runs += 1

    # Then today's run, last: a dataset that passed until now and fails today notifies its people.
    run_record(
        by=None,
        dataset=dataset,
        slot=queued.slot if queued else upload.uploaded_at,
        result=current,
        error=error,
        trigger=Trigger.UPLOAD,
        source=copy.label,
        source_bytes=copy.size,
        source_modified=copy.modified,
        started_at=now,
        finished_at=max(now, upload.uploaded_at),
        requested_by=contact_user,
    )
    stats.runs += 1
    stats.datasets += 1


def quality_demo_seed(
    *, report=None, now: datetime.datetime | None = None, identifiers=None, force: bool = False
) -> SeedStats:
    """Give each demo dataset with data (or those in ``identifiers``) its file, its history and its latest run,
    counting what it creates in ``report.created`` ("data files", "quality runs").

    Under the test suite (``settings.TESTING``) it does nothing unless ``settings.QUALITY_DEMO_DATA`` is true or
    ``force`` is given: the many tests that run ``seed_demo`` for the team or the inventory need no data files,
    and would each spend seconds on them and write files outside their temporary MEDIA_ROOT.

    Guarantees: idempotent (a dataset with any run or upload is left alone, so a second seeding adds nothing);
    each dataset is seeded in one transaction (all of it or none); deterministic data for a given day."""
    if not (force or getattr(settings, "QUALITY_DEMO_DATA", not settings.TESTING)):
        return SeedStats()
    now = now or timezone.now()
    specs = {spec.identifier: spec for spec in specs_with_data()}
    if identifiers is not None:
        specs = {key: spec for key, spec in specs.items() if key in set(identifiers)}
    datasets = (
        Dataset.objects.filter(identifier__in=specs)
        .exclude(quality_runs__isnull=False)
        .exclude(quality_uploads__isnull=False)
        .select_related("department", "contact__user")
        .order_by("identifier")
    )
    stats = SeedStats()
    with tempfile.TemporaryDirectory(prefix="quality-demo-") as folder:
        for dataset in datasets:
            with transaction.atomic():
                _seed_dataset(dataset, specs[dataset.identifier], now=now, stats=stats, folder=folder)
    if report is not None and stats.datasets:
        report.created["data files"] += stats.datasets
        report.created["quality runs"] += stats.runs
    return stats
