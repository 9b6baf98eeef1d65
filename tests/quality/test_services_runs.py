"""The life of a quality run, end to end in-process: request -> (on commit) the task -> fetch from the local server
-> the engine -> results recorded; every kind of bad input ends in a finished run with a clear message, and never
touches the runs before it."""

from __future__ import annotations

import datetime
import gzip
import json
import socket
import threading

import pytest
from celery.exceptions import SoftTimeLimitExceeded
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from inventory.models import FieldType, Frequency
from quality import engine
from quality.models import (
    CheckResult,
    DatasetQuality,
    DatasetQualitySettings,
    Outcome,
    QualityNotification,
    QualityRun,
    RunState,
    SourceUpload,
    Trigger,
)
from quality.services import (
    STUCK_MESSAGE,
    retry_countdown,
    run_execute,
    run_record,
    run_request,
    settings_update,
    source_for,
    source_upload_create,
    sweep_stuck_runs,
)
from quality.tasks import run_check_task
from tests.inventory.factories import DataFieldFactory, DatasetFactory, DistributionFactory

GOOD_CSV = b"incident_id,district,response_minutes\n1001,North,7\n1002,South,12\n1003,East,5\n"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def dataset(city, users):
    dataset = DatasetFactory(title="Calls for service", department=city["police"], accrual_periodicity=Frequency.DAILY)
    for position, (name, type_) in enumerate(
        [("incident_id", FieldType.INTEGER), ("district", FieldType.STRING), ("response_minutes", FieldType.INTEGER)]
    ):
        DataFieldFactory(dataset=dataset, name=name, type=type_, position=position)
    return dataset


@pytest.fixture
def serve(local_server, dataset):
    """``serve(body, **route)``: serve ``body`` as the dataset's download URL; returns the URL."""

    def make(body=GOOD_CSV, *, path="/calls.csv", media_type="text/csv", **route):
        route.setdefault(
            "headers",
            {"Content-Type": media_type, "Last-Modified": timezone.now().strftime("%a, %d %b %Y %H:%M:%S GMT")}
            if route.get("status", 200) == 200
            else {},
        )
        url = local_server.add(path, body, **route)
        dataset.distributions.all().delete()
        DistributionFactory(dataset=dataset, download_url=url, media_type=media_type)
        return url

    return make


@pytest.fixture
def check_now(dataset, users, django_capture_on_commit_callbacks):
    """Press "Check now" and let the enqueued task run (eagerly, in-process) when the request's transaction
    commits, as a worker would."""

    def press() -> QualityRun:
        with django_capture_on_commit_callbacks(execute=True):
            run = run_request(dataset=dataset, by=users["police_contact"])
        run.refresh_from_db()
        return run

    return press


def test_check_now_fetches_checks_and_records_everything(serve, check_now, dataset, local_server, users):
    url = serve()

    run = check_now()

    assert (run.state, run.trigger, run.requested_by) == (RunState.FINISHED, Trigger.MANUAL, users["police_contact"])
    assert run.outcome in (Outcome.PASS, Outcome.WARN)
    assert run.row_count == 3 and run.column_count == 3
    assert run.source == url and run.source_bytes == len(GOOD_CSV)
    assert run.source_modified is not None
    assert run.attempts == 1 and run.started_at and run.finished_at
    names = set(run.checks.values_list("name", flat=True))
    assert {"row_count", "freshness", "duplicate_rows"} <= names
    quality = DatasetQuality.objects.get(dataset=dataset)
    assert (quality.latest_run, quality.outcome, quality.score) == (run, run.outcome, run.score)
    assert quality.stale is False and quality.failing_since is None
    assert quality.next_due_at > timezone.now()
    assert local_server.hits["/calls.csv"] == 1


def test_a_planted_problem_fails_its_check_with_examples(serve, check_now):
    serve(GOOD_CSV + b"1004,West,n/a\n")
    run = check_now()
    assert run.outcome == Outcome.FAIL
    failing = CheckResult.objects.filter(run=run, status=Outcome.FAIL)
    assert failing.exists()
    assert any(example["value"] == "n/a" for check in failing for example in check.examples)
    assert "failed" in run.message


def test_asking_twice_gives_the_same_waiting_run(dataset, users, django_capture_on_commit_callbacks):
    DistributionFactory(dataset=dataset)
    with django_capture_on_commit_callbacks() as callbacks:
        first = run_request(dataset=dataset, by=users["stat_analyst"])
        second = run_request(dataset=dataset, by=users["police_contact"])
    assert first == second and len(callbacks) == 1
    assert QualityRun.objects.filter(dataset=dataset).count() == 1


def test_check_now_sends_again_a_queued_run_whose_message_was_lost(dataset, serve, check_now, settings):
    """A run queued minutes ago that no worker ever started (its message lost: Redis restarted empty) does not
    block the dataset until the sweeper's two hours: "Check now" sends it again."""
    serve()
    lost = QualityRun.objects.create(dataset=dataset, slot=timezone.now() - datetime.timedelta(hours=1))
    QualityRun.objects.filter(pk=lost.pk).update(
        queued_at=timezone.now() - datetime.timedelta(seconds=settings.QUALITY_STUCK_AFTER_SECONDS + 1)
    )

    run = check_now()

    assert run == lost and (run.state, run.attempts) == (RunState.FINISHED, 1)


def test_a_task_run_twice_executes_once(serve, check_now, local_server):
    serve()
    run = check_now()
    checks = run.checks.count()

    assert run_check_task.delay(run.pk).get() == run.outcome
    run_execute(by=None, run=run)

    run.refresh_from_db()
    assert run.attempts == 1 and run.checks.count() == checks
    assert local_server.hits["/calls.csv"] == 1


def test_a_run_another_worker_is_executing_is_left_alone(serve, dataset, local_server):
    serve()
    run = QualityRun.objects.create(
        dataset=dataset, slot=timezone.now(), state=RunState.RUNNING, started_at=timezone.now(), attempts=1
    )
    run_execute(by=None, run=run)
    run.refresh_from_db()
    assert (run.state, run.attempts) == (RunState.RUNNING, 1)
    assert local_server.hits["/calls.csv"] == 0


# --- bad input: a finished run with a clear message, earlier history untouched ------------------------------------


def bad_run(check_now, dataset) -> QualityRun:
    """Record a good run first, then check the bad source; the good run must survive unchanged."""
    good = QualityRun.objects.create(
        dataset=dataset,
        slot=timezone.now() - datetime.timedelta(days=1),
        state=RunState.FINISHED,
        outcome=Outcome.PASS,
        score=100,
        row_count=3,
        finished_at=timezone.now() - datetime.timedelta(days=1),
    )
    CheckResult.objects.create(run=good, name="row_count", status=Outcome.PASS, value=3)
    run = check_now()
    good.refresh_from_db()
    assert (good.outcome, good.score, good.checks.count()) == (Outcome.PASS, 100, 1)
    assert run.pk != good.pk and run.state == RunState.FINISHED
    return run


@pytest.mark.parametrize(
    ("body", "route", "message"),
    [
        (b"", {}, "The file is empty"),
        (
            b"<!DOCTYPE html><html><head><title>Sign in</title></head><body>Please sign in</body></html>",
            {},
            "web page (HTML), not data",
        ),
        (b"", {"status": 404}, "answered 404 Not Found: there is no file at this address."),
        (b"", {"status": 403}, "answered 403 Forbidden."),
    ],
    ids=["empty file", "HTML error page", "404", "403"],
)
def test_bad_input_ends_in_error_with_a_clear_message(serve, check_now, dataset, body, route, message):
    serve(body, **route)
    run = bad_run(check_now, dataset)
    assert run.outcome == Outcome.ERROR
    assert message in run.message
    assert run.score is None and not run.checks.exists()
    assert DatasetQuality.objects.get(dataset=dataset).outcome == Outcome.ERROR


def test_ragged_rows_and_a_wrong_encoding_end_in_error_with_every_other_check(serve, check_now, dataset):
    """Files that can be read in part end in "error" with a clear message on the check, and the other checks are
    still recorded so the user sees everything."""
    serve(b"incident_id,district,response_minutes\n1001,North\n1002,South,12,extra\n1003,East,5\n")
    ragged = bad_run(check_now, dataset)
    assert ragged.outcome == Outcome.ERROR and ragged.score is not None
    check = ragged.checks.get(name="ragged_rows")
    assert check.status == Outcome.ERROR and "more or fewer fields than the header" in check.message
    assert ragged.checks.filter(name="row_count", status=Outcome.PASS).exists()
    assert DatasetQuality.objects.get(dataset=dataset).outcome == Outcome.ERROR

    serve("incident_id,district,response_minutes\n1,Montréal,4\n".encode("latin-1"), path="/latin.csv")
    latin = check_now()
    assert latin.outcome == Outcome.ERROR
    encoding = latin.checks.get(name="encoding")
    assert encoding.status == Outcome.ERROR and "Wrong encoding" in encoding.message and "not UTF-8" in encoding.message
    assert latin.checks.filter(name="row_count", value=1).exists()


def test_a_file_past_the_byte_cap_is_refused_while_streaming(serve, check_now, dataset):
    settings_update(by=None, dataset=dataset, max_bytes=1_000)
    serve(GOOD_CSV * 100, content_length=False)
    run = bad_run(check_now, dataset)
    assert run.outcome == Outcome.ERROR
    assert run.message == "The file is too large: it is over the limit of 1,000 bytes."


def test_a_compression_bomb_is_stopped_by_the_engine_cap(serve, check_now, dataset, settings):
    settings.QUALITY_MAX_DECOMPRESSED_BYTES = 1024 * 1024
    bomb = gzip.compress(b"incident_id,district,response_minutes\n" + b"1,North,5\n" * 2_000_000)
    serve(bomb, path="/calls.csv.gz", media_type="application/gzip")
    run = bad_run(check_now, dataset)
    assert run.outcome == Outcome.ERROR
    assert "compression bomb" in run.message


def test_tls_error(local_server, check_now, dataset):
    local_server.add("/calls.csv", GOOD_CSV)
    DistributionFactory(dataset=dataset, download_url=f"https://127.0.0.1:{local_server.port}/calls.csv")
    run = bad_run(check_now, dataset)
    assert run.outcome == Outcome.ERROR
    assert "secure (TLS) connection to 127.0.0.1 could not be made" in run.message


@pytest.mark.parametrize(
    ("url", "address"),
    [
        ("http://127.0.0.1:{port}/calls.csv", "127.0.0.1"),
        ("http://169.254.169.254/latest/meta-data/", "169.254.169.254"),
    ],
)
def test_a_private_address_is_refused_and_named(local_server, check_now, dataset, settings, url, address):
    local_server.add("/calls.csv", GOOD_CSV)
    settings.FETCH_ALLOW_LOOPBACK = False
    DistributionFactory(dataset=dataset, download_url=url.format(port=local_server.port))
    run = bad_run(check_now, dataset)
    assert run.outcome == Outcome.ERROR
    assert f"private, local or reserved network ({address})" in run.message
    assert run.attempts == 1, "a refused address is not retried"
    assert local_server.hits["/calls.csv"] == 0


def test_a_timeout_is_retried_then_ends_in_error(serve, check_now, dataset, settings, local_server):
    settings.FETCH_READ_TIMEOUT = 0.2
    settings.QUALITY_MAX_ATTEMPTS = 3
    serve(GOOD_CSV, delay=0.6)
    run = bad_run(check_now, dataset)
    assert run.outcome == Outcome.ERROR
    assert "did not answer in time. Gave up after 3 attempts." in run.message
    assert run.attempts == 3 and local_server.hits["/calls.csv"] == 3


def test_a_server_that_recovers_is_checked_on_a_retry(serve, check_now, local_server):
    serve(GOOD_CSV, fail_first=2)
    run = check_now()
    assert run.outcome in (Outcome.PASS, Outcome.WARN)
    assert run.attempts == 3 and local_server.hits["/calls.csv"] == 3


def test_a_transient_error_puts_the_run_back_in_the_queue_with_a_message(serve, dataset, settings):
    serve(b"", status=503)
    run = QualityRun.objects.create(dataset=dataset, slot=timezone.now())
    with pytest.raises(Exception, match="answered 503"):
        run_execute(by=None, run=run)
    run.refresh_from_db()
    assert run.state == RunState.QUEUED and run.attempts == 1
    assert run.message.endswith("Trying again in 60 seconds (attempt 1 of 4).")


def test_backoff_doubles_up_to_its_cap(settings):
    settings.QUALITY_RETRY_BACKOFF, settings.QUALITY_RETRY_BACKOFF_MAX = 60, 1800
    assert [retry_countdown(attempt) for attempt in range(1, 8)] == [60, 120, 240, 480, 960, 1800, 1800]


def test_a_run_past_its_attempts_ends_in_error_without_fetching(serve, dataset, local_server, settings):
    serve()
    run = QualityRun.objects.create(dataset=dataset, slot=timezone.now(), attempts=settings.QUALITY_MAX_ATTEMPTS)
    run = run_execute(by=None, run=run)
    assert run.outcome == Outcome.ERROR and "tried 4 times" in run.message
    assert local_server.hits["/calls.csv"] == 0


def test_an_unexpected_exception_ends_the_run_in_error(serve, check_now, dataset, monkeypatch):
    """Fault injection: the engine blows up in a way nobody planned for."""
    serve()

    def broken(*args, **kwargs):
        raise KeyError("boom")

    monkeypatch.setattr(engine, "check_file", broken)
    run = bad_run(check_now, dataset)
    assert run.outcome == Outcome.ERROR
    assert run.message == "The check stopped on an unexpected error (KeyError); the details are in the log."


def test_the_soft_time_limit_ends_the_run_in_error(serve, check_now, dataset, monkeypatch):
    """Fault injection: Celery raises SoftTimeLimitExceeded inside the task when the soft limit passes."""
    serve()

    def too_slow(*args, **kwargs):
        raise SoftTimeLimitExceeded()

    monkeypatch.setattr(engine, "check_file", too_slow)
    run = bad_run(check_now, dataset)
    assert run.outcome == Outcome.ERROR
    assert run.message == "The check took longer than its time limit (14 minutes) and was stopped."


def test_no_source_is_an_error_run(check_now, dataset):
    run = check_now()
    assert run.outcome == Outcome.ERROR
    assert "nothing to check" in run.message


# --- a source never fetched: "not checked", not "failing" -----------------------------------------------------


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.parametrize(
    ("address", "message"),
    [
        ("/placeholder.csv", "answered 404 Not Found"),
        ("http://127.0.0.1:{closed}/calls.csv", "refused the connection. Gave up after 2 attempts."),
        ("", "nothing to check"),
    ],
    ids=["placeholder (404)", "unreachable", "no address"],
)
def test_a_source_never_fetched_leaves_the_dataset_not_checked_and_tells_nobody(
    local_server, check_now, dataset, settings, address, message
):
    settings.QUALITY_MAX_ATTEMPTS = 2
    if address.startswith("/"):
        DistributionFactory(dataset=dataset, download_url=local_server.add(address, status=404))
    elif address:
        DistributionFactory(dataset=dataset, download_url=address.format(closed=_closed_port()))

    run = check_now()

    assert run.outcome == Outcome.ERROR and message in run.message  # the attempt itself is kept, with its reason
    quality = DatasetQuality.objects.get(dataset=dataset)
    assert (quality.outcome, quality.score, quality.failing_since) == ("", None, None)
    assert quality.never_fetched and quality.latest_run == run
    assert quality.next_due_at > timezone.now(), "the schedule keeps trying"
    assert mail.outbox == [] and not QualityNotification.objects.exists()
    # Asked again, it is still not checked, and still nobody is told.
    check_now()
    assert DatasetQuality.objects.get(dataset=dataset).outcome == "" and mail.outbox == []


def test_once_its_data_was_fetched_a_failed_fetch_is_a_failure(serve, check_now, dataset, local_server):
    serve(b"", path="/calls.csv", status=404)
    check_now()
    assert DatasetQuality.objects.get(dataset=dataset).never_fetched

    serve()  # the address is fixed: the data is fetched and passes
    passed = check_now()
    assert passed.outcome in (Outcome.PASS, Outcome.WARN)
    assert not DatasetQuality.objects.get(dataset=dataset).never_fetched

    local_server.add("/calls.csv", status=404)  # then it goes away
    failed = check_now()
    quality = DatasetQuality.objects.get(dataset=dataset)
    assert (quality.outcome, quality.latest_run, quality.failing_since) == (Outcome.ERROR, failed, failed.finished_at)
    assert mail.outbox and all("is failing its checks" in message.subject for message in mail.outbox)
    assert QualityNotification.objects.filter(run=failed).exists()


def test_a_file_fetched_but_unreadable_is_a_failure_from_the_first_run(serve, check_now, dataset):
    """Its data was fetched: what is wrong is the data, which its people must hear about."""
    serve(b"")
    run = check_now()
    assert run.outcome == Outcome.ERROR and "The file is empty" in run.message
    quality = DatasetQuality.objects.get(dataset=dataset)
    assert quality.outcome == Outcome.ERROR and not quality.never_fetched
    assert mail.outbox


# --- sources ---------------------------------------------------------------------------------------------------


def test_an_api_returning_json_records_is_checked(local_server, check_now, dataset):
    records = [
        {"incident_id": 1, "district": "North", "response_minutes": 4},
        {"incident_id": 2, "district": "South", "response_minutes": 9},
    ]
    url = local_server.add("/api/calls", json.dumps(records), headers={"Content-Type": "application/json"})
    DistributionFactory(dataset=dataset, download_url="", media_type="", access_url=url, format="API")
    run = check_now()
    assert run.outcome in (Outcome.PASS, Outcome.WARN), run.message
    assert run.row_count == 2 and run.source == url


def test_example_values_holding_a_nul_are_stored(local_server, check_now, dataset):
    """JSON records go to the engine as they are; a value the check shows as an example may hold a NUL, which
    PostgreSQL refuses in a JSON column: the run is recorded all the same, the NUL shown as U+FFFD. (A lone
    surrogate makes the JSON malformed to the engine: a run in error that says so.)"""
    body = '[{"incident_id": 1, "district": "North", "response_minutes": "n/a\\u0000"},'
    body += ' {"incident_id": 2, "district": "South", "response_minutes": "x\\u0000y"}]'
    url = local_server.add("/api/calls", body, headers={"Content-Type": "application/json"})
    DistributionFactory(dataset=dataset, download_url="", media_type="", access_url=url, format="API")
    run = check_now()
    assert run.state == RunState.FINISHED and run.outcome == Outcome.FAIL, run.message
    values = {e["value"] for c in CheckResult.objects.filter(run=run) for e in c.examples}
    assert {"n/a\ufffd", "x\ufffdy"} <= values


def test_the_source_is_chosen_in_order(dataset, users, tmp_path):
    api = DistributionFactory(dataset=dataset, download_url="", media_type="", access_url="https://x.gov/api")
    assert source_for(dataset).location == "https://x.gov/api"
    download = DistributionFactory(dataset=dataset, download_url="https://x.gov/calls.csv")
    assert source_for(dataset).location == "https://x.gov/calls.csv"
    upload = SourceUpload.objects.create(dataset=dataset, file="quality/a.csv", original_name="a.csv", size=3)
    assert source_for(dataset).upload == upload
    chosen = settings_update(dataset=dataset, by=users["stat_analyst"], source_distribution=api)
    assert source_for(dataset, chosen).location == "https://x.gov/api"
    assert download.pk


def test_settings_update_refuses_another_datasets_distribution_and_unknown_fields(dataset, city):
    other = DistributionFactory(dataset=DatasetFactory(department=city["fire"]))
    with pytest.raises(ValidationError):
        settings_update(by=None, dataset=dataset, source_distribution=other)
    with pytest.raises(TypeError):
        settings_update(by=None, dataset=dataset, colour="red")
    assert not DatasetQualitySettings.objects.filter(dataset=dataset, source_distribution=other).exists()


def test_an_uploaded_file_is_kept_and_checked(dataset, users, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        upload = source_upload_create(
            dataset=dataset, file=SimpleUploadedFile("calls.csv", GOOD_CSV), by=users["police_contact"]
        )
    assert upload.original_name == "calls.csv" and upload.size == len(GOOD_CSV)
    run = QualityRun.objects.get(dataset=dataset)
    assert run.trigger == Trigger.UPLOAD and run.state == RunState.FINISHED
    assert run.outcome in (Outcome.PASS, Outcome.WARN), run.message
    assert run.source == "Uploaded file calls.csv" and run.row_count == 3
    assert run.source_modified == upload.uploaded_at


def test_an_empty_or_oversized_upload_is_refused_and_nothing_saved(dataset, users, settings):
    with pytest.raises(ValidationError, match="empty"):
        source_upload_create(dataset=dataset, file=SimpleUploadedFile("calls.csv", b""), by=users["stat_analyst"])
    settings.QUALITY_MAX_BYTES = 10
    with pytest.raises(ValidationError, match="too large"):
        source_upload_create(dataset=dataset, file=SimpleUploadedFile("calls.csv", GOOD_CSV), by=users["stat_analyst"])
    assert not SourceUpload.objects.exists() and not QualityRun.objects.exists()


# --- the sweeper -----------------------------------------------------------------------------------------------


def test_only_those_who_may_check_a_dataset_execute_or_record_its_runs(dataset, users):
    run = QualityRun.objects.create(dataset=dataset, slot=timezone.now())
    with pytest.raises(PermissionDenied):
        run_execute(run=run, by=users["parks_contact"])
    with pytest.raises(PermissionDenied):
        run_record(dataset=dataset, slot=run.slot, result=None, error="Forged.", by=users["parks_contact"])
    run.refresh_from_db()
    assert (run.state, run.attempts, run.message) == (RunState.QUEUED, 0, "")
    assert not DatasetQuality.objects.filter(dataset=dataset).exists()
    assert run_execute(run=run, by=users["police_contact"]).state == RunState.FINISHED


def test_the_sweeper_frees_within_minutes_and_retries_a_run_whose_heartbeat_stopped(
    dataset, settings, serve, django_capture_on_commit_callbacks
):
    """A worker killed mid-check stops its run's heartbeat: the sweeper puts the run back in the queue and sends it
    again a few minutes later (QUALITY_STUCK_AFTER_SECONDS), not after the task's 15-minute time limit and a margin;
    a run whose worker still beats is left alone however long it has run; the retry is one more attempt, and the run
    is recorded once."""
    serve()
    now = timezone.now()
    silent_for = datetime.timedelta(seconds=settings.QUALITY_STUCK_AFTER_SECONDS + 30)
    assert silent_for < datetime.timedelta(minutes=5)
    killed = QualityRun.objects.create(
        dataset=dataset,
        slot=now - datetime.timedelta(hours=1),
        state=RunState.RUNNING,
        started_at=now - silent_for,
        heartbeat_at=now - silent_for,
        attempts=1,
    )
    beating = QualityRun.objects.create(
        dataset=DatasetFactory(),
        slot=now - datetime.timedelta(hours=1),
        state=RunState.RUNNING,
        started_at=now - datetime.timedelta(hours=1),  # a long check, its worker alive
        heartbeat_at=now - datetime.timedelta(seconds=20),
        attempts=1,
    )

    with django_capture_on_commit_callbacks(execute=True):
        assert sweep_stuck_runs(by=None, now=now) == {"ended": 0, "retried": 1, "resent": 0}

    killed.refresh_from_db()
    assert (killed.state, killed.attempts) == (RunState.FINISHED, 2), "sent again on commit and checked (eagerly)"
    assert killed.outcome in (Outcome.PASS, Outcome.WARN), killed.message
    assert killed.checks.count() == len(set(killed.checks.values_list("name", "column")))
    assert QualityRun.objects.filter(dataset=dataset).count() == 1
    beating.refresh_from_db()
    assert (beating.state, beating.attempts) == (RunState.RUNNING, 1)
    assert sweep_stuck_runs(by=None, now=now) == {"ended": 0, "retried": 0, "resent": 0}


def test_the_sweeper_ends_a_run_whose_worker_died_on_its_last_attempt_and_resends_lost_runs(
    dataset, settings, django_capture_on_commit_callbacks
):
    now = timezone.now()
    silent_since = now - datetime.timedelta(seconds=settings.QUALITY_STUCK_AFTER_SECONDS + 1)
    worn_out = QualityRun.objects.create(
        dataset=dataset,
        slot=now - datetime.timedelta(hours=2),
        state=RunState.RUNNING,
        started_at=silent_since,
        heartbeat_at=silent_since,
        attempts=settings.QUALITY_MAX_ATTEMPTS,
    )
    lost = QualityRun.objects.create(dataset=DatasetFactory(), slot=now - datetime.timedelta(days=1))
    QualityRun.objects.filter(pk=lost.pk).update(queued_at=now - datetime.timedelta(hours=3))

    with django_capture_on_commit_callbacks(execute=True):
        assert sweep_stuck_runs(by=None, now=now) == {"ended": 1, "retried": 0, "resent": 1}
    lost.refresh_from_db()
    assert lost.state == RunState.FINISHED, "the lost queued run was sent to a worker again, and executed"
    assert "nothing to check" in lost.message

    worn_out.refresh_from_db()
    assert (worn_out.state, worn_out.outcome, worn_out.message) == (RunState.FINISHED, Outcome.ERROR, STUCK_MESSAGE)
    assert DatasetQuality.objects.get(dataset=dataset).outcome == Outcome.ERROR
    assert sweep_stuck_runs(by=None, now=now) == {"ended": 0, "retried": 0, "resent": 0}


def test_a_check_now_behind_a_dead_worker_is_not_blocked(dataset, users, settings, serve, check_now):
    """ "Check now" on a dataset whose run's worker died minutes ago starts a new check, not "already running"."""
    serve()
    silent_since = timezone.now() - datetime.timedelta(seconds=settings.QUALITY_STUCK_AFTER_SECONDS + 1)
    dead = QualityRun.objects.create(
        dataset=dataset,
        slot=silent_since,
        state=RunState.RUNNING,
        started_at=silent_since,
        heartbeat_at=silent_since,
        attempts=1,
    )
    run = check_now()
    assert run != dead and run.state == RunState.FINISHED


@pytest.mark.django_db(transaction=True)
def test_a_running_check_beats_its_heartbeat_while_it_runs(dataset, settings, serve):
    """The heartbeat is stamped by a thread while the check runs (here a download of a second), so a long check is
    never taken for a dead one; the thread stops with the run."""
    settings.QUALITY_HEARTBEAT_SECONDS = 0.1
    serve(delay=1.0)
    run = QualityRun.objects.create(dataset=dataset, slot=timezone.now())

    run = run_execute(run=run, by=None)

    assert run.state == RunState.FINISHED and run.outcome in (Outcome.PASS, Outcome.WARN), run.message
    assert run.heartbeat_at - run.started_at >= datetime.timedelta(seconds=0.5)
    assert not [thread for thread in threading.enumerate() if thread.name.startswith("quality-run-")]


def test_an_upload_gone_from_storage_is_an_error_run(dataset, users, django_capture_on_commit_callbacks):
    SourceUpload.objects.create(dataset=dataset, file="quality/gone.csv", original_name="gone.csv", size=10)
    with django_capture_on_commit_callbacks(execute=True):
        run = run_request(dataset=dataset, by=users["stat_analyst"])
    run.refresh_from_db()
    assert run.outcome == Outcome.ERROR
    assert run.message == "The uploaded file gone.csv is no longer in storage."


def test_a_run_summary_names_errors_first_with_their_reason():
    from quality.engine.result import CheckOutcome, EngineResult
    from quality.services.runs import _summary

    result = EngineResult(
        checks=[
            CheckOutcome("encoding", "error", message="The file is not UTF-8: save it again as UTF-8."),
            CheckOutcome("required", "fail", column="district"),
            CheckOutcome("row_count", "pass"),
        ],
        score=60,
    )
    assert _summary(result) == (
        "1 error and 1 check failed: encoding, required (district). The file is not UTF-8: save it again as UTF-8."
    )
