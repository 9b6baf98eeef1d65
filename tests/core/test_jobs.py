"""Background jobs (core.jobs): long work out of the request, queued on commit, run once, its progress seen while
it runs, its end recorded (done or failed, never left polling for ever), its input bounded; seen only by who started
it and the Stat lead."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from core import jobs
from core.jobs import JobOutcome, job_continue, job_payload, job_progress, job_run, job_start
from core.models import Job, JobState
from core.tasks import job_run_task
from team.access import get_job_for_user

pytestmark = pytest.mark.django_db

KIND = "tests.echo"


@pytest.fixture
def runner(monkeypatch):
    """A runner that records what it saw: the job's step, its input, and the progress it could read mid-run."""
    seen = []

    def run(job, progress):
        progress(5, 10, "Halfway.", force=True)
        seen.append(
            {"step": job.step, "payload": job_payload(job), "mid_run": job_progress(Job.objects.get(pk=job.pk))}
        )
        if job.params.get("fail") == "bad input":
            raise ValidationError("Line 3 is not a date.")
        if job.params.get("fail") == "bug":
            raise ZeroDivisionError
        return JobOutcome(result={"rows": 10}, message="Checked 10 rows.", last=job.step == "import")

    monkeypatch.setitem(jobs._RUNNERS, KIND, run)
    return seen


def start(users, django_capture_on_commit_callbacks, *, execute=True, **kwargs):
    with django_capture_on_commit_callbacks(execute=execute) as callbacks:
        job = job_start(kind=KIND, by=users["stat_analyst"], step="preview", source="rows.csv", **kwargs)
    return job, callbacks


def test_a_job_is_queued_on_commit_and_run_in_process_without_a_broker(
    users, runner, django_capture_on_commit_callbacks, settings
):
    assert settings.CELERY_TASK_ALWAYS_EAGER  # the embedded default: no REDIS_URL
    job, callbacks = start(users, django_capture_on_commit_callbacks, payload=b"a,b\n1,2\n")
    assert len(callbacks) == 1
    job.refresh_from_db()
    assert job.state == JobState.DONE and job.result == {"rows": 10} and job.message == "Checked 10 rows."
    assert (job.done, job.total) == (5, 10) and job.finished_at is not None and job.attempts == 1
    assert runner[0]["payload"] == b"a,b\n1,2\n"
    # While it ran, its progress was there to read (through the cache: the step's own transaction may be open).
    assert runner[0]["mid_run"]["state"] == JobState.RUNNING
    assert (runner[0]["mid_run"]["done"], runner[0]["mid_run"]["percent"]) == (5, 50)
    assert job.payload is not None  # kept for the next step


def test_nothing_is_sent_before_the_transaction_commits(users, runner, django_capture_on_commit_callbacks):
    job, callbacks = start(users, django_capture_on_commit_callbacks, execute=False, payload=b"x")
    assert Job.objects.get(pk=job.pk).state == JobState.QUEUED and not runner
    callbacks[0]()
    assert Job.objects.get(pk=job.pk).state == JobState.DONE


def test_a_step_delivered_twice_runs_once(users, runner, django_capture_on_commit_callbacks):
    job, _ = start(users, django_capture_on_commit_callbacks, payload=b"x")
    assert job_run_task.delay(job.pk).get() == "skipped"
    assert job_run(job_id=job.pk) == "skipped" and len(runner) == 1


def test_the_next_step_keeps_the_input_and_the_last_drops_it(users, runner, django_capture_on_commit_callbacks):
    job, _ = start(users, django_capture_on_commit_callbacks, payload=b"x")
    with django_capture_on_commit_callbacks(execute=True):
        job_continue(job=job, by=users["stat_analyst"], step="import", params={"mapping": 1})
    job.refresh_from_db()
    assert runner[1]["step"] == "import" and runner[1]["payload"] == b"x"
    assert job.state == JobState.DONE and job.params == {"mapping": 1} and job.payload is None
    with pytest.raises(ValidationError, match="no longer kept"):
        job_continue(job=job, by=users["stat_analyst"], step="import")


def test_only_who_started_a_job_continues_it_and_not_while_it_runs(users, runner, django_capture_on_commit_callbacks):
    job, _ = start(users, django_capture_on_commit_callbacks, execute=False, payload=b"x")
    with pytest.raises(PermissionDenied):
        job_continue(job=job, by=users["stat_lead"], step="import")
    with pytest.raises(ValidationError, match="still being worked on"):
        job_continue(job=job, by=users["stat_analyst"], step="import")
    assert Job.objects.get(pk=job.pk).step == "preview"


@pytest.mark.parametrize(
    ("fail", "message"),
    [("bad input", "Line 3 is not a date."), ("bug", "Something went wrong while doing this.")],
)
def test_a_step_that_fails_ends_the_job_with_a_message(
    users, runner, django_capture_on_commit_callbacks, fail, message
):
    job, _ = start(users, django_capture_on_commit_callbacks, payload=b"x", params={"fail": fail})
    job.refresh_from_db()
    assert job.state == JobState.FAILED and job.message.startswith(message)
    assert job_progress(job)["state"] == JobState.FAILED


def test_a_job_whose_worker_died_reads_as_failed_and_may_run_again(
    users, runner, django_capture_on_commit_callbacks, settings
):
    job, _ = start(users, django_capture_on_commit_callbacks, execute=False, payload=b"x")
    long_ago = timezone.now() - datetime.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 120)
    Job.objects.filter(pk=job.pk).update(state=JobState.RUNNING, started_at=long_ago)
    job.refresh_from_db()
    assert job_progress(job)["state"] == JobState.FAILED and "worker stopped" in job_progress(job)["message"]
    assert job_run(job_id=job.pk) == JobState.DONE  # the message redelivered runs it again


def test_the_input_is_bounded(users, runner, settings, django_capture_on_commit_callbacks):
    settings.JOB_PAYLOAD_MAX_BYTES = 1000
    with pytest.raises(ValidationError, match="too large"):
        job_start(kind=KIND, by=users["stat_analyst"], step="preview", payload=b"x" * 1001)
    assert not Job.objects.exists()
    # One person keeps one input per kind: a new job drops the inputs of their earlier ones that are not at work.
    first, _ = start(users, django_capture_on_commit_callbacks, payload=b"x" * 1000)
    second, _ = start(users, django_capture_on_commit_callbacks, payload=b"y")
    assert Job.objects.get(pk=first.pk).payload is None and job_payload(second) == b"y"


def test_a_job_is_seen_by_who_started_it_and_the_stat_lead_only(users, runner, django_capture_on_commit_callbacks):
    job, _ = start(users, django_capture_on_commit_callbacks, payload=b"x")
    assert get_job_for_user(users["stat_analyst"], job.pk, kind=KIND) == job
    assert get_job_for_user(users["stat_lead"], job.pk, kind=KIND) == job
    for persona in ("principal", "police_contact", "data_expert"):
        with pytest.raises(Http404):
            get_job_for_user(users[persona], job.pk, kind=KIND)
    with pytest.raises(Http404):
        get_job_for_user(users["stat_analyst"], job.pk, kind="inventory.harvest")
