"""A computation whose worker died is sent again by the sweeper within GOALS_COMPUTE_STUCK_AFTER_SECONDS, never
while its worker still beats, at most MAX_ATTEMPTS times; the dead worker's message, delivered again, does nothing;
observations are written once per period however often a measure is computed."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from core.models import OutboxMessage
from goals.models import Measure, Observation
from goals.services import measure_compute, measure_compute_request, sweep_stuck_computations
from goals.services.compute import MAX_ATTEMPTS, NOT_ASKED, REQUEUE_AFTER, STUCK_MESSAGE
from tests.inventory.factories import DatasetFactory
from tests.redis_server import broker_down  # noqa: F401 - a fixture

from .factories import MeasureFactory, upload_data

pytestmark = pytest.mark.django_db

STUCK = 180
CALLS = b"call_id,received\n1,2026-01-05\n2,2026-01-20\n3,2026-02-02\n4,2026-04-30\n"


@pytest.fixture
def measure(city, settings, broker_down):  # noqa: F811 - the imported fixture
    """A computed measure; tasks are kept in the outbox (the broker is down), so the test sees what was sent."""
    settings.GOALS_COMPUTE_STUCK_AFTER_SECONDS = STUCK
    dataset = DatasetFactory(identifier="pd-calls", department=city["police"])
    upload_data(dataset, CALLS, "calls.csv")
    return MeasureFactory(
        department=dataset.department,
        source_dataset=dataset,
        aggregation="count",
        date_column="received",
        frequency="monthly",
    )


def sent() -> list[tuple[str, list]]:
    return list(OutboxMessage.objects.order_by("pk").values_list("task", "args"))


def started(measure, at, *, heartbeat=None, attempts=1):
    """The measure as a worker left it that claimed it at ``at`` and beat last at ``heartbeat``, then died."""
    Measure.objects.filter(pk=measure.pk).update(
        compute_requested_at=at - datetime.timedelta(seconds=5),
        compute_started_at=at,
        compute_heartbeat_at=heartbeat,
        compute_attempts=attempts,
    )
    measure.refresh_from_db()


def test_a_silent_computation_is_sent_again_only_once_its_heartbeat_is_older_than_the_bound(measure):
    t0 = timezone.now() - datetime.timedelta(hours=1)
    started(measure, t0, heartbeat=t0 + datetime.timedelta(seconds=30))
    last_beat = t0 + datetime.timedelta(seconds=30)

    assert sweep_stuck_computations(by=None, now=last_beat + datetime.timedelta(seconds=STUCK - 1))["retried"] == 0
    assert sent() == []
    assert sweep_stuck_computations(by=None, now=last_beat + datetime.timedelta(seconds=STUCK + 1))["retried"] == 1
    assert sent() == [("goals.measure_compute", [measure.pk])]
    measure.refresh_from_db()
    assert measure.compute_started_at is None and measure.compute_requested_at is not None
    assert measure.compute_attempts == 1, "the attempt the dead worker made still counts"
    # Freed, it waits for a worker: sweeping again sends nothing more.
    assert sweep_stuck_computations(by=None, now=last_beat + datetime.timedelta(seconds=STUCK + 61)) == {
        "retried": 0,
        "resent": 0,
    }

    # The next worker computes it once; the dead worker's message, delivered again, finds nothing to do.
    first = measure_compute(measure=measure, by=None, claim=True)
    assert first.ok and not first.skipped and first.created == 4, first.summary()
    measure.refresh_from_db()
    assert (measure.compute_requested_at, measure.compute_started_at, measure.compute_attempts) == (None, None, 0)
    assert measure_compute(measure=measure, by=None, claim=True).skipped == NOT_ASKED
    assert Observation.objects.filter(measure=measure).count() == 4


def test_a_started_computation_without_a_heartbeat_yet_is_judged_by_its_start(measure):
    t0 = timezone.now() - datetime.timedelta(hours=1)
    started(measure, t0)
    assert sweep_stuck_computations(by=None, now=t0 + datetime.timedelta(seconds=STUCK - 1))["retried"] == 0
    assert sweep_stuck_computations(by=None, now=t0 + datetime.timedelta(seconds=STUCK + 1))["retried"] == 1


def test_a_computation_another_worker_beats_on_is_neither_swept_nor_claimed_twice(measure):
    now = timezone.now()
    started(measure, now - datetime.timedelta(seconds=60), heartbeat=now)
    assert sweep_stuck_computations(by=None)["retried"] == 0
    assert measure_compute(measure=measure, by=None, claim=True).skipped == NOT_ASKED
    assert not Observation.objects.filter(measure=measure).exists()


def test_after_max_attempts_the_computation_ends_in_error_instead_of_looping(measure):
    t0 = timezone.now() - datetime.timedelta(hours=1)
    started(measure, t0, heartbeat=t0, attempts=MAX_ATTEMPTS)
    assert sweep_stuck_computations(by=None)["retried"] == 1
    result = measure_compute(measure=measure, by=None, claim=True)
    assert result.skipped == NOT_ASKED
    measure.refresh_from_db()
    assert measure.compute_error == STUCK_MESSAGE and measure.compute_requested_at is None
    assert not Observation.objects.filter(measure=measure).exists()


def test_a_computation_asked_for_whose_message_was_lost_is_sent_again_unless_it_waits_in_the_outbox(measure):
    asked = timezone.now() - REQUEUE_AFTER - datetime.timedelta(minutes=1)
    Measure.objects.filter(pk=measure.pk).update(compute_requested_at=asked)
    assert sweep_stuck_computations(by=None, now=asked + REQUEUE_AFTER - datetime.timedelta(seconds=1)) == {
        "retried": 0,
        "resent": 0,
    }
    assert sweep_stuck_computations(by=None)["resent"] == 1
    assert sent() == [("goals.measure_compute", [measure.pk])]
    # It waits in the outbox now (the broker is down), and its request was touched: not sent again.
    Measure.objects.filter(pk=measure.pk).update(compute_requested_at=asked)
    assert sweep_stuck_computations(by=None)["resent"] == 0


def test_compute_now_while_a_computation_runs_stays_asked_for_after_it(
    measure, users, django_capture_on_commit_callbacks
):
    t0 = timezone.now() - datetime.timedelta(seconds=1)
    started(measure, t0, heartbeat=t0)
    measure_compute_request(measure=measure, by=users["police_contact"])
    measure.refresh_from_db()
    assert measure.compute_requested_at > t0
    # The running computation (claimed at t0) finishes: the newer request is still to do.
    from goals.services.compute import _release

    _release([measure.pk], requested_before=t0)
    measure.refresh_from_db()
    assert measure.compute_requested_at is not None and measure.compute_started_at is None


def test_only_the_system_sweeps(measure, users):
    with pytest.raises(PermissionDenied):
        sweep_stuck_computations(by=users["stat_lead"])


def test_the_measure_page_says_when_a_computation_is_queued_or_running(measure, as_persona):
    client = as_persona("stat_lead")
    page = client.get(measure.get_absolute_url()).content.decode()
    assert "A computation is queued" not in page and "A computation is running" not in page
    Measure.objects.filter(pk=measure.pk).update(compute_requested_at=timezone.now())
    assert "A computation is queued</strong> (asked for" in client.get(measure.get_absolute_url()).content.decode()
    started(measure, timezone.now(), heartbeat=timezone.now(), attempts=2)
    page = client.get(measure.get_absolute_url()).content.decode()
    assert "A computation is running</strong>" in page and "attempt 2" in page
