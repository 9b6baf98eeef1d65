"""Computed measures: count, sum, mean, median and share of a dataset's rows per week, month, quarter and year, with
filters; bad data gives a clear error on the measure; hand-entered values are never overwritten."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from goals.models import Measure, Observation, ObservationSource
from goals.services import measure_compute, measures_compute, on_quality_run_finished
from goals.services.compute import NOT_ASKED
from tests.inventory.factories import DatasetFactory

from .factories import MeasureFactory, ObservationFactory, upload_data

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 6, 15)

CALLS = b"""call_id,received,minutes,priority,status
1,2026-01-05,4,1,closed
2,2026-01-20,10,2,closed
3,2026-01-31T23:30:00-05:00,7,1,open
4,2026-02-02,"1,200",3,closed
5,2026-02-14,,1,closed
6,2026-04-30,6,2,closed
7,,9,1,closed
8,2026-06-02,3,1,closed
"""


@pytest.fixture
def calls(city):
    dataset = DatasetFactory(identifier="pd-calls", title="Calls for service", department=city["police"])
    upload_data(dataset, CALLS, "calls.csv")
    return dataset


def computed(dataset, **fields):
    defaults = {"source_dataset": dataset, "aggregation": "count", "date_column": "received", "frequency": "monthly"}
    return MeasureFactory(department=dataset.department, **{**defaults, **fields})


def values(measure):
    return {o.period: o.value for o in Observation.objects.filter(measure=measure)}


M = datetime.date


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        # Count: rows per month; March has none but lies between January and April, so it is 0.
        ({}, {M(2026, 1, 1): 3, M(2026, 2, 1): 2, M(2026, 3, 1): 0, M(2026, 4, 1): 1}),
        # Sum of minutes; blank cells are missing values, "1,200" is 1200.
        (
            {"aggregation": "sum", "value_column": "minutes"},
            {M(2026, 1, 1): 21, M(2026, 2, 1): 1200, M(2026, 3, 1): 0, M(2026, 4, 1): 6},
        ),
        ({"aggregation": "mean", "value_column": "minutes"}, {M(2026, 1, 1): 7, M(2026, 2, 1): 1200, M(2026, 4, 1): 6}),
        (
            {"aggregation": "median", "value_column": "minutes"},
            {M(2026, 1, 1): 7, M(2026, 2, 1): 1200, M(2026, 4, 1): 6},
        ),
        # Share of calls answered in 5 minutes or less, in %.
        (
            {"aggregation": "share", "condition": {"column": "minutes", "op": "<=", "value": "5"}},
            {M(2026, 1, 1): Decimal("33.3333"), M(2026, 2, 1): 0, M(2026, 4, 1): 0},
        ),
        # Filters leave rows out before counting.
        (
            {
                "filters": [
                    {"column": "priority", "op": "=", "value": "1"},
                    {"column": "status", "op": "!=", "value": "OPEN"},
                ]
            },
            {M(2026, 1, 1): 1, M(2026, 2, 1): 1, M(2026, 3, 1): 0, M(2026, 4, 1): 0},
        ),
        (
            {"filters": [{"column": "priority", "op": "in", "value": "2, 3"}]},
            {M(2026, 1, 1): 1, M(2026, 2, 1): 1, M(2026, 3, 1): 0, M(2026, 4, 1): 1},
        ),
        (
            {"filters": [{"column": "received", "op": ">=", "value": "2026-02-01"}]},
            {M(2026, 1, 1): 0, M(2026, 2, 1): 2, M(2026, 3, 1): 0, M(2026, 4, 1): 1},
        ),
        # Periods: quarters, years and ISO weeks (starting on Monday).
        ({"frequency": "quarterly"}, {M(2026, 1, 1): 5}),  # the second quarter is not over on 15 June
        ({"frequency": "annual"}, {}),  # 2026 has not finished on 15 June 2026
        (
            {"frequency": "weekly", "filters": [{"column": "received", "op": "<", "value": "2026-01-21"}]},
            {M(2026, 1, 5): 1, M(2026, 1, 12): 0, M(2026, 1, 19): 1, M(2026, 1, 26): 0},
        ),
    ],
)
def test_aggregations_filters_and_periods(calls, fields, expected):
    measure = computed(calls, **fields)
    result = measure_compute(by=None, measure=measure, today=TODAY)
    assert result.ok, result.error
    got = values(measure)
    if fields.get("frequency") == "weekly":
        got = {period: value for period, value in got.items() if period < M(2026, 2, 1)}
    assert got == {period: Decimal(value) for period, value in expected.items()}
    assert all(o.source == ObservationSource.COMPUTED for o in Observation.objects.filter(measure=measure))


def test_only_those_who_may_compute_a_measure_compute_it(calls, users):
    measure = computed(calls)
    with pytest.raises(PermissionDenied):
        measure_compute(by=users["parks_contact"], measure=measure, today=TODAY)
    assert values(measure) == {}
    assert measure_compute(by=users["police_contact"], measure=measure, today=TODAY).ok
    assert values(measure)


def test_the_unfinished_period_and_undated_rows_are_left_out_and_counted(calls):
    measure = computed(calls)
    result = measure_compute(by=None, measure=measure, today=TODAY)
    assert M(2026, 6, 1) not in values(measure)  # June is not over
    assert result.rows == 8 and result.rows_without_date == 1 and result.rows_in_unfinished_period == 1
    # A time with an offset is placed in the city's time zone: 23:30 on 31 January in New York stays in January.
    assert values(measure)[M(2026, 1, 1)] == 3


def test_an_annual_measure_counts_finished_years(city):
    dataset = DatasetFactory(identifier="pd-years", department=city["police"])
    upload_data(dataset, b"d\n2024-03-01\n2024-12-31\n2025-07-04\n")
    measure = computed(dataset, date_column="d", frequency="annual")
    measure_compute(by=None, measure=measure, today=TODAY)
    assert values(measure) == {M(2024, 1, 1): 2, M(2025, 1, 1): 1}


def test_computing_twice_changes_nothing_and_a_changed_file_updates_values(calls):
    measure = computed(calls)
    first = measure_compute(by=None, measure=measure, today=TODAY)
    assert first.created == 4
    second = measure_compute(by=None, measure=measure, today=TODAY)
    assert (second.created, second.updated, second.unchanged) == (0, 0, 4)
    assert Observation.history.filter(measure_id=measure.pk).count() == 4
    upload_data(calls, CALLS + b"9,2026-03-03,5,1,closed\n", "calls-v2.csv")
    third = measure_compute(by=None, measure=measure, today=TODAY)
    assert (third.created, third.updated, third.unchanged) == (0, 1, 3)
    assert values(measure)[M(2026, 3, 1)] == 1


def test_a_value_entered_by_hand_is_never_overwritten_and_is_reported(calls, users):
    measure = computed(calls)
    ObservationFactory(measure=measure, period=M(2026, 1, 1), value=42, source=ObservationSource.MANUAL)
    result = measure_compute(by=None, measure=measure, today=TODAY)
    assert result.kept_manual == [M(2026, 1, 1)]
    assert values(measure)[M(2026, 1, 1)] == 42
    assert "kept the value entered by hand" in result.summary()


@pytest.mark.parametrize(
    ("content", "fields", "message"),
    [
        (
            CALLS,
            {"date_column": "opened"},
            "The data has no column “opened” (the date column). Its columns are: call_id",
        ),
        (
            CALLS,
            {"aggregation": "sum", "value_column": "status"},
            "6 values of “status” are not numbers (line 2: “closed”",
        ),
        (b"received,minutes\n2026-01-05,4\nsoon,5\n", {}, "1 value of “received” is not a date (line 3: “soon”)"),
        (CALLS, {"filters": [{"column": "unit", "op": "=", "value": "x"}]}, "no column “unit” (filter 1)"),
        (b"", {}, "The data file is empty."),
        (b"\xff\xfe\x00bad", {}, "not UTF-8"),
    ],
)
def test_bad_data_is_a_clear_error_on_the_measure_and_writes_nothing(city, content, fields, message):
    dataset = DatasetFactory(identifier="pd-bad", department=city["police"])
    upload_data(dataset, content)
    measure = computed(dataset, **fields)
    result = measure_compute(by=None, measure=measure, today=TODAY)
    assert not result.ok and message in result.error
    measure.refresh_from_db()
    assert message in measure.compute_error and measure.computed_at is not None
    assert not Observation.objects.filter(measure=measure).exists()


def test_a_dataset_without_a_data_file_says_so(city):
    dataset = DatasetFactory(identifier="pd-nofile", title="Arrests", department=city["police"])
    measure = computed(dataset)
    result = measure_compute(by=None, measure=measure, today=TODAY)
    assert "“Arrests” has no data to compute from" in result.error


def test_a_later_success_clears_the_error(city):
    dataset = DatasetFactory(identifier="pd-fixed", department=city["police"])
    upload_data(dataset, b"received\nnot a date\n")
    measure = computed(dataset)
    assert not measure_compute(by=None, measure=measure, today=TODAY).ok
    upload_data(dataset, b"received\n2026-01-02\n", "fixed.csv")
    assert measure_compute(by=None, measure=measure, today=TODAY).ok
    measure.refresh_from_db()
    assert measure.compute_error == ""


def test_measures_compute_reads_the_file_once_for_every_measure_and_one_bad_measure_spares_the_others(calls):
    good = computed(calls)
    bad = computed(calls, date_column="nope")
    manual = MeasureFactory(department=calls.department, source_dataset=calls)  # no aggregation: not computed
    results = measures_compute(by=None, dataset=calls, today=TODAY)
    assert [r.measure for r in results] == [good, bad]
    assert results[0].ok and not results[1].ok
    assert values(good) and not values(bad) and not values(manual)


def test_measures_of_one_dataset_sharing_a_date_column_get_the_values_each_would_get_alone(calls):
    """measures_compute reads a date column the measures share once: each still gets its own periods, filters and
    aggregation, as when computed alone."""
    definitions = [
        {},
        {"frequency": "quarterly"},
        {"aggregation": "sum", "value_column": "minutes"},
        {"frequency": "weekly", "filters": [{"column": "received", "op": "<", "value": "2026-01-21"}]},
        {"aggregation": "share", "condition": {"column": "minutes", "op": "<=", "value": "5"}},
    ]
    together = [computed(calls, **fields) for fields in definitions]
    assert all(result.ok for result in measures_compute(by=None, dataset=calls, today=TODAY))
    got = [values(measure) for measure in together]

    alone = []
    for fields in definitions:
        measure = computed(calls, **fields)
        assert measure_compute(by=None, measure=measure, today=TODAY).ok
        alone.append(values(measure))  # measure_compute computes this measure only

    assert got == alone
    assert got[0] == {M(2026, 1, 1): 3, M(2026, 2, 1): 2, M(2026, 3, 1): 0, M(2026, 4, 1): 1}
    assert got[1] == {M(2026, 1, 1): 5}
    assert got[3][M(2026, 1, 5)] == 1 and got[3][M(2026, 1, 19)] == 1


def test_a_semicolon_csv_and_an_xlsx_file_are_read(city):
    import io

    from openpyxl import Workbook

    dataset = DatasetFactory(identifier="pd-semi", department=city["police"])
    upload_data(dataset, b"received;minutes\n2026-01-05;4,5\n".replace(b"4,5", b"4"))
    measure = computed(dataset, aggregation="sum", value_column="minutes")
    measure_compute(by=None, measure=measure, today=TODAY)
    assert values(measure) == {M(2026, 1, 1): 4}

    workbook = Workbook()
    workbook.active.append(["received", "minutes"])
    workbook.active.append(["2026-02-03", "8"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    upload_data(dataset, buffer.getvalue(), "calls.xlsx")
    measure_compute(by=None, measure=measure, today=TODAY)
    assert values(measure)[M(2026, 2, 1)] == 8


def test_a_manual_measure_has_nothing_to_compute(city):
    measure = MeasureFactory(department=city["police"])
    assert "entered by hand" in measure_compute(by=None, measure=measure).error


def test_a_passing_quality_run_queues_the_computation_on_commit(calls, django_capture_on_commit_callbacks):
    from django.utils import timezone

    from quality.models import Outcome, QualityRun, RunState

    measure = computed(calls)
    run = QualityRun.objects.create(
        dataset=calls, slot=timezone.now(), state=RunState.FINISHED, outcome=Outcome.PASS, finished_at=timezone.now()
    )
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        on_quality_run_finished(by=None, run=run)
    assert len(callbacks) == 1
    assert values(measure)  # the eager task computed it


def test_a_failing_quality_run_leaves_the_values_alone(calls, django_capture_on_commit_callbacks):
    from django.utils import timezone

    from quality.models import Outcome, QualityRun, RunState

    computed(calls)
    run = QualityRun.objects.create(
        dataset=calls, slot=timezone.now(), state=RunState.FINISHED, outcome=Outcome.FAIL, finished_at=timezone.now()
    )
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        on_quality_run_finished(by=None, run=run)
    assert callbacks == []
    assert not Observation.objects.exists()


@pytest.mark.parametrize(("status", "computes"), [("pass", True), ("warn", True), ("fail", False)])
def test_quality_tells_goals_through_its_signal_when_a_run_becomes_the_latest(
    calls, status, computes, django_capture_on_commit_callbacks
):
    from django.utils import timezone

    from quality.engine.result import CheckOutcome, EngineResult
    from quality.services import run_record

    measure = computed(calls)
    result = EngineResult(checks=[CheckOutcome("row_count", status, 3, "3 rows.")], score=90, row_count=3)
    with django_capture_on_commit_callbacks(execute=True):
        run_record(by=None, dataset=calls, slot=timezone.now(), result=result)
    assert bool(values(measure)) is computes


def test_history_recorded_after_the_fact_computes_nothing(calls, django_capture_on_commit_callbacks):
    from django.utils import timezone

    from quality.engine.result import CheckOutcome, EngineResult
    from quality.services import run_record

    measure = computed(calls)
    result = EngineResult(checks=[CheckOutcome("row_count", "pass", 3, "3 rows.")], score=100, row_count=3)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        run_record(by=None, dataset=calls, slot=timezone.now(), result=result, notify=False)
    assert callbacks == [] and not values(measure)


def test_the_tasks_load_their_object_and_ignore_a_missing_one(calls):
    from goals.tasks import measure_compute_task, measures_compute_task

    measure = computed(calls)
    Measure.objects.filter(pk=measure.pk).update(compute_requested_at=timezone.now())
    assert measures_compute_task(calls.pk)[0].startswith(f"{measure.name}: ") and values(measure)
    assert measures_compute_task(calls.pk) == [], "nothing asked for any more: a message delivered again does nothing"
    assert measure_compute_task(measure.pk) == f"{measure.name}: {NOT_ASKED}"
    Measure.objects.filter(pk=measure.pk).update(compute_requested_at=timezone.now())
    assert measure_compute_task(measure.pk).startswith(f"{measure.name}: 0 new values")
    assert measure_compute_task(999999) == "missing" and measures_compute_task(999999) == []


def test_a_dataset_without_an_upload_is_fetched_from_its_download_url(city, local_server):
    from tests.inventory.factories import DistributionFactory

    dataset = DatasetFactory(identifier="pd-remote", department=city["police"])
    url = local_server.add("/calls.csv", CALLS, headers={"Content-Type": "text/csv"})
    DistributionFactory(dataset=dataset, download_url=url)
    measure = computed(dataset)
    assert measure_compute(by=None, measure=measure, today=TODAY).ok
    assert values(measure)[M(2026, 1, 1)] == 3
    local_server.add("/calls.csv", status=404)
    result = measure_compute(by=None, measure=measure, today=TODAY)
    assert not result.ok and result.error.startswith(f"The data could not be read from {url}")
    assert values(measure)[M(2026, 1, 1)] == 3  # a failed fetch keeps the values already recorded


def test_a_passing_quality_run_recorded_by_the_quality_app_recomputes_the_measures(
    calls, django_capture_on_commit_callbacks
):
    from django.utils import timezone

    from quality.engine.result import EngineResult
    from quality.services.runs import run_record

    measure = computed(calls)
    with django_capture_on_commit_callbacks(execute=True):
        run_record(by=None, dataset=calls, slot=timezone.now(), result=EngineResult(checks=[], score=100, row_count=8))
    assert values(measure)  # computed by the queued (eager) task
    failing = computed(calls, slug="second")
    with django_capture_on_commit_callbacks(execute=True):
        run_record(by=None, dataset=calls, slot=timezone.now(), result=None, error="The server answered 500.")
    assert not values(failing)  # an error leaves the measures as they were


def test_json_records_geojson_and_gzipped_files_are_read(city):
    import gzip
    import json

    dataset = DatasetFactory(identifier="pd-json", department=city["police"])
    measure = computed(dataset, aggregation="sum", value_column="minutes")
    records = [
        {"received": "2026-01-05", "minutes": 4},
        {"received": "2026-01-06", "minutes": None},
        {"received": "2026-02-01"},
    ]
    upload_data(dataset, json.dumps(records).encode(), "calls.json")
    assert measure_compute(by=None, measure=measure, today=TODAY).ok
    assert values(measure) == {M(2026, 1, 1): 4, M(2026, 2, 1): 0}
    features = {
        "type": "FeatureCollection",
        "features": [{"type": "Feature", "properties": {"received": "2026-03-02", "minutes": "7"}}],
    }
    upload_data(dataset, gzip.compress(json.dumps(features).encode()), "calls.geojson.gz")
    assert measure_compute(by=None, measure=measure, today=TODAY).ok
    assert values(measure)[M(2026, 3, 1)] == 7
    upload_data(dataset, b'{"not": "records"}', "bad.json")
    assert "not a list of records" in measure_compute(by=None, measure=measure, today=TODAY).error
