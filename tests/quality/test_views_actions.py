"""What writers do on a dataset's quality: Check now (with its polled status), upload a file, change the settings;
and what everyone else is refused."""

from __future__ import annotations

import datetime
import json

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from quality.models import DatasetQualitySettings, QualityRun, RunState, SourceUpload
from tests.inventory.factories import DataFieldFactory, DatasetFactory, DistributionFactory, PublicDatasetFactory
from tests.pages import assert_login_redirect, parse, text_of

from .factories import CheckResultFactory, DatasetQualityFactory, QualityRunFactory

CSV = b"call_id,priority\n1,2\n2,3\n"


@pytest.fixture
def dataset(city):
    dataset = DatasetFactory(title="Calls for service", department=city["police"])
    DataFieldFactory(dataset=dataset, name="call_id", type="integer")
    DataFieldFactory(dataset=dataset, name="opened", type="date")
    return dataset


def quality_state() -> tuple:
    return (
        list(QualityRun.objects.order_by("pk").values()),
        list(SourceUpload.objects.order_by("pk").values()),
        list(DatasetQualitySettings.objects.order_by("pk").values()),
    )


# --- Check now ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["stat_analyst", "stat_lead", "police_contact"])
def test_check_now_enqueues_a_run_and_goes_back_to_the_panel(
    as_persona, users, dataset, persona, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = as_persona(persona).post(f"/quality/datasets/{dataset.pk}/check/")
    assert response.status_code == 302
    assert response["Location"] == f"/inventory/datasets/{dataset.pk}/#quality-heading"
    run = QualityRun.objects.get(dataset=dataset)
    assert run.trigger == "manual" and run.requested_by == users[persona]
    # Eager Celery ran it on commit: with no source to fetch, it ends in error with a message.
    assert run.state == RunState.FINISHED and run.outcome == "error" and run.message


def test_check_now_with_htmx_answers_with_the_status_that_polls(as_persona, dataset):
    response = as_persona("stat_analyst").post(f"/quality/datasets/{dataset.pk}/check/", headers={"HX-Request": "true"})
    assert response.status_code == 200
    run = QualityRun.objects.get(dataset=dataset)
    poller = parse(response).find("span", hx_trigger="every 2s")
    assert poller.attrs["hx-get"] == f"/quality/datasets/{dataset.pk}/status/?run={run.pk}"
    assert "Check queued" in text_of(response)


def test_pressing_twice_asks_for_one_run(as_persona, dataset):
    client = as_persona("police_contact")
    client.post(f"/quality/datasets/{dataset.pk}/check/")
    client.post(f"/quality/datasets/{dataset.pk}/check/")
    assert QualityRun.objects.filter(dataset=dataset).count() == 1


def test_the_status_polls_while_running_and_stops_with_the_result_when_finished(as_persona, dataset):
    run = QualityRunFactory(dataset=dataset, state=RunState.RUNNING, outcome="", score=None)
    client = as_persona("data_expert")
    running = client.get(f"/quality/datasets/{dataset.pk}/status/?run={run.pk}")
    assert "Checking now" in text_of(running)
    assert parse(running).find("span", hx_trigger="every 2s") is not None
    QualityRun.objects.filter(pk=run.pk).update(state=RunState.FINISHED, outcome="fail", score=42)
    finished = client.get(f"/quality/datasets/{dataset.pk}/status/?run={run.pk}")
    assert "Check finished: Failing 42" in text_of(finished)
    assert parse(finished).find("span", hx_trigger="every 2s") is None  # no poller left: polling stops
    assert parse(finished).find("a", href=f"/quality/runs/{run.pk}/") is not None


def test_once_the_check_finishes_the_panel_is_updated_in_place(as_persona, dataset):
    """The page needs no reload: the finished status comes with the panel's latest judgement and its results, each
    to replace its part of the panel out of band; while the check runs, only the status line changes."""
    QualityRunFactory(dataset=dataset, slot=timezone.now() - datetime.timedelta(days=1), outcome="pass", score=100)
    run = QualityRunFactory(dataset=dataset, state=RunState.RUNNING, outcome="", score=None, finished_at=None)
    client = as_persona("police_contact")
    running = parse(client.get(f"/quality/datasets/{dataset.pk}/status/?run={run.pk}"))
    assert running.find(hx_swap_oob="true") is None and "Checking now" in running.text

    QualityRun.objects.filter(pk=run.pk).update(
        state=RunState.FINISHED, outcome="fail", score=42, finished_at=timezone.now()
    )
    run.refresh_from_db()
    CheckResultFactory(run=run, name="type", column="priority", status="fail", message="3 values are not integers.")
    DatasetQualityFactory(run=run)
    finished = parse(client.get(f"/quality/datasets/{dataset.pk}/status/?run={run.pk}"))
    latest = finished.find("div", id="quality-latest")
    results = finished.find("div", id="quality-results")
    assert latest.attrs["hx-swap-oob"] == "true" and results.attrs["hx-swap-oob"] == "true"
    assert "Latest check: Failing 42" in latest.text and "Not checked yet" not in latest.text
    assert "3 values are not integers." in results.find("table").text
    figure = json.loads(results.find("script", id="quality-trend-figure").children[0])
    assert figure["data"][0]["y"] == [100, 42]
    assert "Check finished: Failing 42" in finished.text and "reload" not in finished.text


def test_check_now_with_htmx_shows_the_new_result_in_place(
    as_persona, dataset, local_server, django_capture_on_commit_callbacks
):
    DistributionFactory(dataset=dataset, download_url=local_server.add("/calls.csv", CSV))
    client = as_persona("stat_analyst")
    assert "Not checked yet" in parse(client.get(dataset.get_absolute_url())).find(id="quality-latest").text

    with django_capture_on_commit_callbacks(execute=True):  # the worker (eager here) checks it on commit
        pressed = client.post(f"/quality/datasets/{dataset.pk}/check/", headers={"HX-Request": "true"})
    run = QualityRun.objects.get(dataset=dataset)
    assert parse(pressed).find("span").attrs["hx-get"] == f"/quality/datasets/{dataset.pk}/status/?run={run.pk}"
    page = parse(client.get(f"/quality/datasets/{dataset.pk}/status/?run={run.pk}", headers={"HX-Request": "true"}))
    label = {"pass": "Passing", "warn": "Warning", "fail": "Failing"}[run.outcome]
    assert f"Check finished: {label} {run.score}" in page.text
    latest = page.find("div", id="quality-latest", hx_swap_oob="true")
    assert f"Latest check: {label} {run.score}" in latest.text and "Not checked yet" not in latest.text
    assert page.find("div", id="quality-results").find("script", id="quality-trend-figure") is not None


def test_check_now_of_data_never_fetched_says_it_is_not_checked_and_why(
    as_persona, dataset, django_capture_on_commit_callbacks
):
    client = as_persona("police_contact")
    with django_capture_on_commit_callbacks(execute=True):  # no distribution, no upload: nothing to fetch
        client.post(f"/quality/datasets/{dataset.pk}/check/", headers={"HX-Request": "true"})
    run = QualityRun.objects.get(dataset=dataset)
    page = parse(client.get(f"/quality/datasets/{dataset.pk}/status/?run={run.pk}", headers={"HX-Request": "true"}))
    status = page.text.split("See this attempt")[0]
    assert "Check finished: Not checked its data could not be fetched." in " ".join(status.split())
    latest = page.find("div", id="quality-latest").text
    assert "Not checked" in latest and "nothing to check" in latest
    assert mail.outbox == []


@pytest.mark.django_db(transaction=True)
def test_check_now_without_javascript_says_the_data_could_not_be_fetched(as_persona, city):
    """Committed for real, as on a development machine: the run is checked (eagerly) before the answer is written."""
    dataset = DatasetFactory(title="Calls for service", department=city["police"])
    client = as_persona("police_contact")
    response = client.post(f"/quality/datasets/{dataset.pk}/check/", follow=True)
    assert "Could not check “Calls for service”: its data could not be fetched." in text_of(response)
    assert "nothing to check" in text_of(response)
    assert mail.outbox == []


@pytest.mark.parametrize("persona", ["police_lead", "data_expert", "budget_analyst"])
def test_readers_may_not_check(as_persona, dataset, persona):
    before = quality_state()
    assert as_persona(persona).post(f"/quality/datasets/{dataset.pk}/check/").status_code == 403
    assert quality_state() == before


def test_an_outsider_gets_404_and_nothing_changes(as_persona, city):
    playgrounds = PublicDatasetFactory(department=city["parks"])
    secret = DatasetFactory(department=city["parks"])
    before = quality_state()
    # A Police contact reads Parks' datasets but may not write them; a Police lead does not even read a non-public one.
    assert as_persona("police_contact").post(f"/quality/datasets/{playgrounds.pk}/check/").status_code == 403
    assert as_persona("police_lead").post(f"/quality/datasets/{secret.pk}/check/").status_code == 404
    assert as_persona("police_lead").get(f"/quality/datasets/{secret.pk}/status/").status_code == 404
    assert quality_state() == before


def test_check_now_is_a_post(as_persona, dataset):
    assert as_persona("stat_analyst").get(f"/quality/datasets/{dataset.pk}/check/").status_code == 405
    assert as_persona("stat_analyst").post(f"/quality/datasets/{dataset.pk}/status/").status_code == 405
    assert not QualityRun.objects.exists()


def test_check_now_needs_a_login(as_persona, dataset):
    path = f"/quality/datasets/{dataset.pk}/check/"
    assert_login_redirect(as_persona("anonymous").post(path), path)
    assert not QualityRun.objects.exists()


# --- upload ---------------------------------------------------------------------------------------------------------


def test_upload_keeps_the_file_and_checks_it(as_persona, users, dataset, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    response = as_persona("police_contact").post(
        f"/quality/datasets/{dataset.pk}/upload/", {"file": SimpleUploadedFile("calls.csv", CSV, "text/csv")}
    )
    assert response.status_code == 302
    upload = SourceUpload.objects.get(dataset=dataset)
    assert upload.original_name == "calls.csv" and upload.size == len(CSV)
    assert QualityRun.objects.get(dataset=dataset).trigger == "upload"


def test_upload_without_a_file_says_so(as_persona, dataset):
    response = as_persona("stat_analyst").post(f"/quality/datasets/{dataset.pk}/upload/", {})
    assert response.status_code == 400
    assert "Choose a data file to upload." in text_of(response)
    assert not SourceUpload.objects.exists() and not QualityRun.objects.exists()


def test_an_oversize_file_is_refused_with_its_size_and_the_limit(as_persona, dataset, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    DatasetQualitySettings.objects.create(dataset=dataset, max_bytes=10)
    response = as_persona("stat_analyst").post(
        f"/quality/datasets/{dataset.pk}/upload/", {"file": SimpleUploadedFile("calls.csv", CSV, "text/csv")}
    )
    assert response.status_code == 400
    assert "over this dataset’s limit of 10" in text_of(response)
    assert not SourceUpload.objects.exists() and not QualityRun.objects.exists()


def test_readers_may_not_upload(as_persona, dataset, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    before = quality_state()
    response = as_persona("police_lead").post(
        f"/quality/datasets/{dataset.pk}/upload/", {"file": SimpleUploadedFile("calls.csv", CSV, "text/csv")}
    )
    assert response.status_code == 403
    assert quality_state() == before
    assert not list(tmp_path.iterdir())


def test_the_upload_page_refuses_other_methods(as_persona, dataset):
    assert as_persona("stat_analyst").put(f"/quality/datasets/{dataset.pk}/upload/").status_code == 405


# --- settings -------------------------------------------------------------------------------------------------------


def test_the_settings_form_saves_through_the_service(as_persona, users, dataset):
    distribution = DistributionFactory(dataset=dataset, title="Calls CSV")
    client = as_persona("police_contact")
    assert client.get(f"/quality/datasets/{dataset.pk}/settings/").status_code == 200
    response = client.post(
        f"/quality/datasets/{dataset.pk}/settings/",
        {"source_distribution": distribution.pk, "date_column": "opened", "freshness_grace_days": "3"},
    )
    assert response.status_code == 302
    saved = DatasetQualitySettings.objects.get(dataset=dataset)
    assert saved.enabled is False  # an unticked box
    assert saved.source_distribution == distribution and saved.date_column == "opened"
    assert saved.freshness_grace_days == 3 and saved.row_change_warn_percent is None
    assert saved.updated_by == users["police_contact"]


def test_the_settings_form_shows_its_errors_and_saves_nothing(as_persona, dataset):
    other = DistributionFactory(dataset=DatasetFactory(department=dataset.department))
    response = as_persona("stat_analyst").post(
        f"/quality/datasets/{dataset.pk}/settings/",
        {"enabled": "on", "source_distribution": other.pk, "date_column": "closed", "empty_warn_percent": "150"},
    )
    assert response.status_code == 400
    text = text_of(response)
    assert "“closed” is not in the data dictionary. Use one of: call_id, opened." in text
    assert "Enter a percentage from 0 to 100." in text
    assert "Select a valid choice" in text  # another dataset's distribution is not on offer
    assert not DatasetQualitySettings.objects.exists()


@pytest.mark.parametrize(("persona", "status"), [("police_lead", 403), ("data_expert", 403), ("parks_contact", 403)])
def test_only_writers_open_the_settings(as_persona, dataset, persona, status):
    before = quality_state()
    assert as_persona(persona).get(f"/quality/datasets/{dataset.pk}/settings/").status_code == status
    assert as_persona(persona).post(f"/quality/datasets/{dataset.pk}/settings/", {"enabled": ""}).status_code == status
    assert quality_state() == before


def test_the_settings_of_a_dataset_a_lead_cannot_read_are_not_found(as_persona, city):
    secret = DatasetFactory(department=city["parks"])
    assert as_persona("police_lead").get(f"/quality/datasets/{secret.pk}/settings/").status_code == 404


def test_the_settings_refuse_other_methods(as_persona, dataset):
    assert as_persona("stat_analyst").delete(f"/quality/datasets/{dataset.pk}/settings/").status_code == 405
