"""Fault tests: Redis (the cache and the Celery broker) stopped and started again, on a redis-server of the test's
own (tests/redis_server.py), with the app's cache and broker set as production's settings set them.

With Redis down the public site, the inventory and the dashboards answer (uncached), signing in works, and "Check
now", an upload and "Compute now" are recorded as queued "until the task queue is back", said in place on the
pages; when Redis is back each is sent to the broker once (the outbox's drain), and a real worker then does it once.
"""

from __future__ import annotations

import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from core import outbox
from core.models import OutboxMessage
from goals.models import Observation
from inventory.models import FieldType
from quality.models import QualityRun, RunState, Trigger
from quality.tasks import run_check_task
from tests.celery_worker import WORKER, celery_process, needs_postgresql, wait_until, worker_env
from tests.goals.factories import upload_data
from tests.goals.test_dashboard import make_dashboard_data
from tests.inventory.factories import DataFieldFactory, DatasetFactory, DistributionFactory
from tests.pages import text_of
from tests.redis_server import reset_broker_connections

CSV = b"call_id,priority\n1,2\n2,3\n"
QUEUE_DOWN = "the task queue is not answering, so it will start when the queue is back"

pytestmark = pytest.mark.django_db

#: Pages that must answer with Redis down: anonymous, then signed in as the Stat lead.
PUBLIC_PAGES = [
    "/",
    "/public/",
    "/public/measures/crashes/",
    "/public/measures/crashes/embed/",
    "/public/measures/crashes.csv",
    "/public/datasets/",
    "/public/datasets/pd-crashes/",
    "/data.json",
]
STAFF_PAGES = ["/dashboard/", "/inventory/", "/goals/dashboard/", "/goals/departments/police/", "/quality/"]


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def redis_goes_down(server) -> None:
    server.stop()
    reset_broker_connections()  # as after a restart of the web server: no connection left from before


def test_with_redis_down_the_public_site_inventory_and_dashboards_answer(app_on_own_redis, city, users):
    make_dashboard_data(city)
    staff = Client()
    staff.force_login(users["stat_lead"])
    for path in PUBLIC_PAGES:
        assert Client().get(path).status_code == 200, path
    for path in STAFF_PAGES:
        assert staff.get(path).status_code == 200, path
    assert app_on_own_redis.client().dbsize() > 0, "the pages were cached in Redis while it was up"

    redis_goes_down(app_on_own_redis)
    started = time.monotonic()
    anonymous = Client()
    for path in PUBLIC_PAGES:
        assert anonymous.get(path).status_code == 200, path
    assert "Cut crashes by 20%" in text_of(anonymous.get("/public/"))
    assert "2026-01-01,98,crashes,100,On track" in anonymous.get("/public/measures/crashes.csv").content.decode()
    # Signing in after Redis went down: sessions are in the database.
    staff = Client()
    staff.force_login(users["stat_lead"])
    for path in STAFF_PAGES:
        assert staff.get(path).status_code == 200, path
    assert "Crashes at targeted intersections" in text_of(staff.get("/goals/dashboard/"))
    assert time.monotonic() - started < 30, "a dead Redis must not make every page wait"

    app_on_own_redis.start()  # back, empty
    for path in ["/public/", "/inventory/"]:
        assert staff.get(path).status_code == 200, path


@pytest.fixture
def dataset(city, local_server):
    dataset = DatasetFactory(title="Calls for service", department=city["police"])
    DataFieldFactory(dataset=dataset, name="call_id", type=FieldType.INTEGER)
    DataFieldFactory(dataset=dataset, name="priority", type=FieldType.INTEGER)
    DistributionFactory(dataset=dataset, download_url=local_server.add("/calls.csv", CSV))
    return dataset


def test_check_now_with_redis_down_is_queued_said_in_place_and_sent_once_when_redis_is_back(
    app_on_own_redis, dataset, users, local_server, django_capture_on_commit_callbacks
):
    contact = Client()
    contact.force_login(users["police_contact"])
    redis_goes_down(app_on_own_redis)

    for _ in range(2):  # pressed twice: one run, one task waiting
        with django_capture_on_commit_callbacks(execute=True):
            response = contact.post(f"/quality/datasets/{dataset.pk}/check/", follow=True)
        assert response.status_code == 200
        assert f"The check of “{dataset.title}” is queued: {QUEUE_DOWN}" in text_of(response)
    run = QualityRun.objects.get(dataset=dataset)
    assert (run.state, run.trigger) == (RunState.QUEUED, Trigger.MANUAL)
    assert outbox.is_waiting(run_check_task, run.pk) and OutboxMessage.objects.count() == 1
    page = text_of(contact.get(f"/inventory/datasets/{dataset.pk}/"))
    assert "Check queued at" in page and QUEUE_DOWN in page
    status = contact.get(f"/quality/datasets/{dataset.pk}/status/?run={run.pk}", headers={"HX-Request": "true"})
    assert QUEUE_DOWN in text_of(status)
    assert "it will start when the queue is back" in text_of(contact.get(f"/quality/runs/{run.pk}/"))

    app_on_own_redis.start()  # back, empty: nothing was in it
    assert outbox.drain() == 1 and outbox.drain() == 0
    assert app_on_own_redis.queued_tasks() == [("quality.run_check", [run.pk])], "sent once"
    assert not OutboxMessage.objects.exists()
    assert QUEUE_DOWN not in text_of(contact.get(f"/inventory/datasets/{dataset.pk}/"))

    # What a worker does with the one message: the run is checked once.
    ((task, args),) = app_on_own_redis.queued_tasks()
    assert run_check_task.apply(args=args).get() in ("pass", "warn")
    run.refresh_from_db()
    assert (run.state, run.attempts) == (RunState.FINISHED, 1) and local_server.hits["/calls.csv"] == 1


def test_an_upload_with_redis_down_is_kept_and_its_check_queued_until_redis_is_back(
    app_on_own_redis, dataset, users, django_capture_on_commit_callbacks
):
    contact = Client()
    contact.force_login(users["police_contact"])
    redis_goes_down(app_on_own_redis)

    with django_capture_on_commit_callbacks(execute=True):
        response = contact.post(
            f"/quality/datasets/{dataset.pk}/upload/",
            {"file": SimpleUploadedFile("calls.csv", CSV, content_type="text/csv")},
            follow=True,
        )
    assert response.status_code == 200
    assert f"Uploaded calls.csv ({len(CSV)} bytes). Its check is queued: {QUEUE_DOWN}" in text_of(response)
    run = QualityRun.objects.get(dataset=dataset)
    assert (run.state, run.trigger) == (RunState.QUEUED, Trigger.UPLOAD)
    assert dataset.quality_uploads.count() == 1

    app_on_own_redis.start()
    assert outbox.drain() == 1
    assert app_on_own_redis.queued_tasks() == [("quality.run_check", [run.pk])]


def test_compute_now_with_redis_down_is_queued_said_on_the_measure_and_sent_once_when_redis_is_back(
    app_on_own_redis, city, users, django_capture_on_commit_callbacks
):
    from tests.goals.factories import GoalFactory, MeasureFactory

    calls = DatasetFactory(identifier="pd-calls", title="Calls", department=city["police"])
    DataFieldFactory(dataset=calls, name="received", type="date")
    upload_data(calls, b"received\n2026-01-05\n2026-01-09\n2026-02-01\n")
    measure = MeasureFactory(
        goal=GoalFactory(departments=[city["police"]]),
        department=city["police"],
        name="Calls",
        slug="calls",
        source_dataset=calls,
        aggregation="count",
        date_column="received",
    )
    lead = Client()
    lead.force_login(users["stat_lead"])
    redis_goes_down(app_on_own_redis)

    with django_capture_on_commit_callbacks(execute=True):
        response = lead.post("/goals/measures/calls/compute/", follow=True)
    assert response.status_code == 200
    text = text_of(response)
    assert f"The computation of “Calls” is queued: {QUEUE_DOWN}" in text
    assert "A computation is queued. The task queue is not answering" in text

    app_on_own_redis.start()
    assert outbox.drain() == 1 and outbox.drain() == 0
    assert app_on_own_redis.queued_tasks() == [("goals.measure_compute", [measure.pk])]
    page = text_of(lead.get("/goals/measures/calls/"))
    assert "task queue is not answering" not in page and "it starts when a worker is free" in page  # queued now
    assert not Observation.objects.exists(), "computed by the worker, not here"


def test_healthz_says_degraded_not_down_while_redis_is_down(app_on_own_redis, client):
    body = client.get("/healthz").json()
    assert body["status"] == "ok" and body["checks"]["redis"] == "ok"

    redis_goes_down(app_on_own_redis)
    response = client.get("/healthz")
    assert response.status_code == 200, "a load balancer must not take every web server out for Redis"
    body = response.json()
    assert body["status"] == "degraded" and body["checks"]["redis"].startswith("error")
    assert body["checks"]["database"] == "ok" and body["waiting_tasks"] == 0


# --- on the real stack: a Celery worker on PostgreSQL -----------------------------------------------------------


@pytest.mark.integration
def test_a_real_worker_does_the_check_asked_for_while_redis_was_down_once_it_is_back(
    app_on_own_redis, transactional_db, dataset, users, local_server
):
    needs_postgresql()
    contact = Client()
    contact.force_login(users["police_contact"])
    redis_goes_down(app_on_own_redis)
    assert contact.post(f"/quality/datasets/{dataset.pk}/check/").status_code == 302  # committed for real
    run = QualityRun.objects.get(dataset=dataset)
    assert run.state == RunState.QUEUED and outbox.is_waiting(run_check_task, run.pk)

    app_on_own_redis.start()
    with celery_process(*WORKER, env=worker_env(app_on_own_redis.url)) as (worker, output):
        # The worker drains the outbox as it starts (worker_ready), then runs the check.
        wait_until(
            lambda: QualityRun.objects.filter(pk=run.pk, state=RunState.FINISHED).exists(),
            worker,
            output,
            "the check done by the worker",
        )

    run.refresh_from_db()
    assert run.attempts == 1 and run.outcome in ("pass", "warn"), run.message
    assert local_server.hits["/calls.csv"] == 1
    assert QualityRun.objects.filter(dataset=dataset).count() == 1
    assert not OutboxMessage.objects.exists() and app_on_own_redis.queued_tasks() == []
