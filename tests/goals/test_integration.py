"""A worker killed mid-computation, on real services (PostgreSQL, a redis-server of the test's own): the sweeper sends
the computation again once its heartbeat is STUCK_AFTER_SECONDS old, not after Redis's visibility timeout, and the
next worker computes it once; the dead worker's message, delivered again, changes nothing.

Skipped unless the database is PostgreSQL (in CI it fails instead).
"""

from __future__ import annotations

import datetime
import time

import pytest
from django.db.models import F

from goals.models import Measure, Observation
from goals.services import measure_compute, measure_compute_request, sweep_stuck_computations
from goals.services.compute import NOT_ASKED
from tests.celery_worker import WORKER, celery_process, needs_postgresql, wait_until, worker_env
from tests.inventory.factories import DatasetFactory, DistributionFactory
from tests.redis_server import app_on_own_redis, own_redis  # noqa: F401 - fixtures

from .factories import MeasureFactory

STUCK_AFTER_SECONDS = 3
CSV = b"call_id,received\n1,2024-01-05\n2,2024-01-20\n3,2024-02-02\n4,2024-04-30\n"
MONTHS = {datetime.date(2024, 1, 1): 2, datetime.date(2024, 2, 1): 1, datetime.date(2024, 3, 1): 0}


@pytest.mark.integration
def test_a_worker_killed_mid_compute_is_replaced_within_the_bound_and_the_measure_computed_once(
    app_on_own_redis,  # noqa: F811 - the imported fixture
    transactional_db,
    local_server,
    city,
    users,
    settings,
):
    needs_postgresql()
    settings.GOALS_COMPUTE_STUCK_AFTER_SECONDS = STUCK_AFTER_SECONDS
    env = worker_env(
        app_on_own_redis.url,
        GOALS_COMPUTE_HEARTBEAT_SECONDS="0.5",
        GOALS_COMPUTE_STUCK_AFTER_SECONDS=str(STUCK_AFTER_SECONDS),
    )
    dataset = DatasetFactory(title="Slow portal", department=city["police"])
    DistributionFactory(dataset=dataset, download_url=local_server.add("/slow.csv", CSV, delay=60))
    measure = MeasureFactory(
        department=dataset.department,
        source_dataset=dataset,
        aggregation="count",
        date_column="received",
        frequency="monthly",
    )

    with celery_process(*WORKER, env=env) as (first, output):
        measure_compute_request(measure=measure, by=users["police_contact"])
        wait_until(lambda: local_server.hits["/slow.csv"], first, output, "the worker asking for the slow file")
        wait_until(
            lambda: Measure.objects.filter(pk=measure.pk, compute_heartbeat_at__gt=F("compute_started_at")).exists(),
            first,
            output,
            "a heartbeat of the running computation",
        )
        first.kill()  # SIGKILL: no warm shutdown, no acknowledgement
        first.wait(timeout=10)
    killed_at = time.monotonic()
    measure.refresh_from_db()
    assert measure.compute_attempts == 1 and measure.compute_started_at is not None

    while not sweep_stuck_computations(by=None)["retried"]:  # what beat does every minute
        assert time.monotonic() - killed_at < STUCK_AFTER_SECONDS + 5, "not sent again within the bound"
        time.sleep(0.25)
    assert app_on_own_redis.queued_tasks() == [("goals.measure_compute", [measure.pk])], "sent again, once"

    local_server.add("/slow.csv", CSV)  # the portal answers at once now
    with celery_process(*WORKER, env=env) as (second, output):
        wait_until(
            lambda: Measure.objects.filter(pk=measure.pk, compute_requested_at__isnull=True).exists(),
            second,
            output,
            "the computation finished by the next worker",
        )
    measure.refresh_from_db()
    assert measure.compute_error == "" and measure.computed_at is not None
    observed = {o.period: o.value for o in Observation.objects.filter(measure=measure)}
    assert {period: observed[period] for period in MONTHS} == MONTHS
    assert Observation.objects.filter(measure=measure).count() == len(observed), "one observation per period"
    assert local_server.hits["/slow.csv"] == 2
    assert measure.history.count() == 1, "a computation is no change to the measure's definition"

    # The dead worker's message, delivered again after Redis's visibility timeout, finds nothing asked for.
    assert measure_compute(measure=measure, by=None, claim=True).skipped == NOT_ASKED
    assert local_server.hits["/slow.csv"] == 2 and Observation.objects.filter(measure=measure).count() == len(observed)
