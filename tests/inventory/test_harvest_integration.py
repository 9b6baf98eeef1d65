"""A harvest on a real Celery worker, through Redis, on PostgreSQL: the request returns at once, the job's page
follows the worker's progress (read from the shared cache while the worker's transaction is still open), then
shows the preview; the import runs on the worker too, in one transaction.

Skipped unless ``REDIS_URL`` is set and the database is PostgreSQL (``.ci/run`` sets both)."""

import json
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from core import tasks
from core.models import Job, JobState
from inventory.models import Dataset
from statprogram.celery import app as celery_app
from tests.core.test_celery_integration import real_broker, worker  # noqa: F401 - fixtures
from tests.inventory.test_datajson_large import many
from tests.pages import text_of

pytestmark = pytest.mark.integration

TIMEOUT_SECONDS = 120


def follow(client, location: str, worker) -> list[str]:  # noqa: F811
    """Poll the job's status partial as htmx does until it asks for a reload; what each poll said."""
    said = []
    deadline = time.monotonic() + TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        poll = client.get(location, headers={"HX-Request": "true"})
        assert poll.status_code == 200
        said.append(text_of(poll))
        if poll.get("HX-Refresh") == "true":
            return said
        assert worker["process"].poll() is None, f"the worker died:\n{worker['output']()}"
        time.sleep(0.2)
    raise AssertionError(f"the job did not end in {TIMEOUT_SECONDS}s: {said[-3:]}\n{worker['output']()}")


def test_a_harvest_runs_on_a_worker_and_its_page_follows_it(worker, city, users, as_persona, monkeypatch):  # noqa: F811
    # Send the job's steps to this test's worker (its own queue), as the default queue sends them to the city's. The
    # outbox hands every task to the broker by name (core.outbox), so that is where they are routed.
    send_task = celery_app.send_task

    def to_this_worker(name, *args, **kwargs):
        if name == tasks.job_run_task.name:
            kwargs["queue"] = worker["queue"]
        return send_task(name, *args, **kwargs)

    monkeypatch.setattr(celery_app, "send_task", to_this_worker)
    client = as_persona("stat_lead")
    upload = SimpleUploadedFile("data.json", json.dumps(many(2_000)).encode(), content_type="application/json")
    started = time.monotonic()
    response = client.post("/inventory/harvest/", {"file": upload})
    assert response.status_code == 302 and time.monotonic() - started < 10
    location = response["Location"]

    said = follow(client, location, worker)
    assert any("Waiting for a worker" in text or "done (" in text for text in said[:-1]), said
    page = text_of(client.get(location))
    assert "Preview of the harvest" in page and "2000 new datasets" in page
    assert not Dataset.objects.exists()

    form = client.get(location).context["form"]
    choices = {f"publisher_{i}": str(field.initial) for i, field in enumerate(form.fields.values())}
    assert client.post(location, {**choices, "action": "import"}).status_code == 302
    follow(client, location, worker)
    assert "Harvest complete" in text_of(client.get(location))
    assert Dataset.objects.count() == 2_000
    job = Job.objects.get()
    assert job.state == JobState.DONE and job.payload is None and (job.done, job.total) == (2_000, 2_000)
