"""What writers do on a dataset's quality: Check now (with its polled status), upload a file, change the settings;
and what everyone else is refused."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from quality.models import DatasetQualitySettings, QualityRun, RunState, SourceUpload
from tests.inventory.factories import DataFieldFactory, DatasetFactory, DistributionFactory, PublicDatasetFactory
from tests.pages import assert_login_redirect, parse, text_of

from .factories import QualityRunFactory

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
