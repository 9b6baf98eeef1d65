"""What keeps the goals dashboards fresh and cheap at any size: a cached dashboard checks one data-version row (not
every observation), every write that changes what a dashboard shows bumps it so it shows on the next request, and
an upload of observations is written in a constant number of queries."""

from __future__ import annotations

import datetime
import math
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from goals.models import Observation, ObservationSource, Priority
from goals.selectors_dashboard import data_fingerprint
from goals.services import (
    goal_update,
    measure_compute,
    measure_target_set,
    measure_update,
    narrative_save,
    observation_record,
    observations_import,
)
from tests.goals.test_dashboard import CITY, POLICE, make_dashboard_data
from tests.inventory.factories import DatasetFactory
from tests.pages import text_of

from .factories import MeasureFactory, upload_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def data(city):
    return make_dashboard_data(city)


def _months_back(count: int, before: datetime.date) -> list[datetime.date]:
    """``count`` months ending the month before ``before``, oldest first."""
    months, year, month = [], before.year, before.month
    for _ in range(count):
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
        months.append(datetime.date(year, month, 1))
    return months[::-1]


def _warm_request(client, url) -> list[str]:
    """The SQL of a request for ``url`` whose page is already cached."""
    assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return [query["sql"] for query in queries]


@pytest.mark.parametrize("url", [CITY, POLICE])
def test_a_cached_dashboard_costs_the_same_at_10_and_at_1000_observations(as_persona, data, users, url):
    client = as_persona("stat_lead")
    serious = data["serious"]
    Observation.objects.filter(measure=serious).delete()
    rows = [{"period": f"{m:%Y-%m}", "value": "12"} for m in _months_back(10, datetime.date(2026, 1, 1))]
    observations_import(measure=serious, rows=rows, by=users["stat_lead"])
    small = _warm_request(client, url)

    rows = [{"period": f"{m:%Y-%m}", "value": "12"} for m in _months_back(1000, datetime.date(2026, 1, 1))]
    observations_import(measure=serious, rows=rows, by=users["stat_lead"])
    assert Observation.objects.filter(measure=serious).count() == 1000
    large = _warm_request(client, url)

    assert len(large) == len(small)
    # The freshness check reads the data version, not the observations.
    assert not any("goals_observation" in sql for sql in large), large


# --- every write shows on the next request ------------------------------------------------------------------------


def _record(data, users):
    observation_record(
        measure=data["crashes"], period=datetime.date(2026, 2, 1), value=Decimal(91), by=users["police_lead"]
    )
    return POLICE, "91 crashes in February 2026"


def _upload(data, users):
    observations_import(measure=data["crashes"], rows=[{"period": "2026-03", "value": "87"}], by=users["police_lead"])
    return POLICE, "87 crashes in March 2026"


def _narrative(data, users):
    narrative_save(
        measure=data["response"],
        period=datetime.date(2026, 1, 1),
        what_happened="Two officers hired.",
        by=users["police_lead"],
    )
    return POLICE, "Two officers hired."


def _target(data, users):
    measure_target_set(measure=data["crashes"], period=datetime.date(2026, 1, 1), value=Decimal(95), by=None)
    return POLICE, "target 95"


def _measure(data, users):
    measure_update(measure=data["serious"], name="Serious injury collisions", by=None)
    return POLICE, "Serious injury collisions"


def _goal(data, users):
    goal_update(goal=data["crashes"].goal, statement="Cut crashes by a third", by=None)
    return CITY, "Cut crashes by a third"


def _priority(data, users):
    priority = Priority.objects.get(pk=data["crashes"].goal.priority_id)
    priority.name = "Streets that are safe"
    priority.save()  # the admin's way
    return CITY, "Streets that are safe"


def _compute(data, users):
    dataset = DatasetFactory(identifier="pd-stops", title="Traffic stops", department=data["crashes"].department)
    upload_data(dataset, b"stop_id,stopped\n1,2026-01-05\n2,2026-01-06\n3,2026-01-07\n", "stops.csv")
    measure = MeasureFactory(
        goal=data["crashes"].goal,
        department=dataset.department,
        name="Traffic stops made",
        source_dataset=dataset,
        aggregation="count",
        date_column="stopped",
        frequency="monthly",
    )
    return measure


WRITES = [_record, _upload, _narrative, _target, _measure, _goal, _priority]


@pytest.mark.parametrize("write", WRITES, ids=[write.__name__.strip("_") for write in WRITES])
def test_a_write_through_each_service_shows_on_the_next_request(as_persona, data, users, write):
    client = as_persona("stat_lead")
    for url in (CITY, POLICE):
        assert client.get(url).status_code == 200  # cached
    url, expected = write(data, users)
    assert expected in text_of(client.get(url))


def test_a_computation_shows_on_the_next_request(as_persona, data, users, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client = as_persona("stat_lead")
    measure = _compute(data, users)
    assert "Traffic stops made" in text_of(client.get(POLICE))  # cached, with no value yet
    before = data_fingerprint()
    result = measure_compute(measure=measure, by=None, today=datetime.date(2026, 6, 15))
    assert result.created == 1, result
    assert data_fingerprint() != before
    assert "Traffic stops made: 3 crashes in January 2026" in text_of(client.get(POLICE))


def test_a_goals_departments_changing_changes_the_fingerprint(data, city):
    before = data_fingerprint()
    goal_update(goal=data["crashes"].goal, departments=[city["police"], city["fire"]], by=None)
    assert data_fingerprint() != before


# --- an upload costs a constant number of queries -----------------------------------------------------------------


def _upload_queries(measure, rows, by) -> int:
    with CaptureQueriesContext(connection) as queries:
        result = observations_import(measure=measure, rows=rows, by=by)
    assert result.created + result.updated == len(rows), result
    return len(queries)


def _batches(rows: int) -> int:
    """How many INSERTs or UPDATEs the database needs for ``rows`` observations and their history (SQLite limits a
    query's parameters; PostgreSQL writes them all in one)."""
    fields = list(Observation._meta.concrete_fields)
    history = list(Observation.history.model._meta.concrete_fields)
    per_query = min(
        connection.ops.bulk_batch_size(fields, [None] * rows) or rows,
        connection.ops.bulk_batch_size(history, [None] * rows) or rows,
        connection.ops.bulk_batch_size(["pk", "pk", *fields[:5]], [None] * rows) or rows,
    )
    return 2 * math.ceil(rows / per_query)


def test_an_upload_costs_the_same_queries_for_50_and_5000_rows_new_or_changed(city, users):
    by = users["police_lead"]
    small = MeasureFactory(department=city["police"], frequency="weekly")
    large = MeasureFactory(department=city["police"], frequency="weekly")
    today = timezone.localdate()
    weeks = [today - datetime.timedelta(weeks=n + 1) for n in range(5000)]
    rows_small = [{"period": f"{w:%Y-%m-%d}", "value": str(n), "note": "first"} for n, w in enumerate(weeks[:50])]
    rows_large = [{"period": f"{w:%Y-%m-%d}", "value": str(n), "note": "first"} for n, w in enumerate(weeks)]

    new_small, new_large = _upload_queries(small, rows_small, by), _upload_queries(large, rows_large, by)
    assert Observation.objects.filter(measure=large).count() == 5000
    allowed = _batches(5000) - _batches(50)  # 0 on PostgreSQL
    assert new_large - new_small <= allowed, (new_small, new_large)

    changed = [{**row, "value": str(int(row["value"]) + 1), "note": "second"} for row in rows_large]
    change_small, change_large = _upload_queries(small, changed[:50], by), _upload_queries(large, changed, by)
    assert change_large - change_small <= allowed, (change_small, change_large)
    assert new_small < 20 and change_small < 20

    observation = Observation.objects.get(measure=large, period=weeks[0] - datetime.timedelta(days=weeks[0].weekday()))
    assert (observation.value, observation.note, observation.source) == (1, "second", ObservationSource.UPLOAD)
    assert observation.recorded_by == by
    assert [h.history_user for h in observation.history.all()] == [by, by]
