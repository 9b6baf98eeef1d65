"""Limits a dataset's owner cannot lift: its byte cap is at most the program's (``QUALITY_MAX_BYTES``), and its
uploaded files are pruned to the newest ``QUALITY_UPLOADS_KEPT``, sparing the files behind runs still shown or
running."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from quality.forms import QualitySettingsForm
from quality.models import DatasetQualitySettings, QualityRun, RunState, SourceUpload
from quality.services import settings_update, source_upload_create, uploads_prune
from quality.services.sources import max_bytes_for
from quality.tasks import prune_uploads_task
from tests.inventory.factories import DatasetFactory
from tests.pages import text_of

from .factories import DatasetQualityFactory, QualityRunFactory

PROGRAM_CAP = 10_000
NEVER_HIGHER = "never higher"


@pytest.fixture
def dataset(city, settings):
    settings.QUALITY_MAX_BYTES = PROGRAM_CAP
    return DatasetFactory(title="Calls for service", department=city["police"])


# --- the byte cap --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["police_contact", "stat_analyst"])
def test_a_dataset_may_lower_its_cap(users, dataset, persona):
    settings_update(dataset=dataset, by=users[persona], max_bytes=4_000)
    assert max_bytes_for(DatasetQualitySettings.objects.get(dataset=dataset)) == 4_000


@pytest.mark.parametrize("persona", ["police_contact", "stat_analyst", None])
def test_nobody_raises_a_datasets_cap_past_the_programs(users, dataset, persona):
    settings_update(dataset=dataset, by=None, max_bytes=4_000)
    with pytest.raises(ValidationError) as refused:
        settings_update(dataset=dataset, by=users[persona] if persona else None, max_bytes=PROGRAM_CAP + 1)
    (message,) = refused.value.message_dict["max_bytes"]
    assert NEVER_HIGHER in message and f"{PROGRAM_CAP:,} bytes" in message
    assert DatasetQualitySettings.objects.get(dataset=dataset).max_bytes == 4_000
    # The program's cap itself is allowed.
    settings_update(dataset=dataset, by=None, max_bytes=PROGRAM_CAP)


def test_the_settings_form_says_the_cap_is_the_programs_and_saves_nothing(as_persona, dataset):
    response = as_persona("police_contact").post(
        f"/quality/datasets/{dataset.pk}/settings/", {"enabled": "on", "max_bytes": str(PROGRAM_CAP * 100)}
    )
    assert response.status_code == 400
    assert NEVER_HIGHER in text_of(response)
    assert not DatasetQualitySettings.objects.exists()
    form = QualitySettingsForm(dataset=dataset)
    assert form.fields["max_bytes"].widget.attrs["max"] == PROGRAM_CAP


def test_a_cap_stored_above_the_programs_counts_as_the_programs(users, dataset):
    """A value saved before the rule (or above a program cap lowered since) lifts nothing."""
    stored = DatasetQualitySettings.objects.create(dataset=dataset, max_bytes=PROGRAM_CAP * 1000)
    assert max_bytes_for(stored) == PROGRAM_CAP
    with pytest.raises(ValidationError):
        source_upload_create(
            dataset=dataset, file=SimpleUploadedFile("big.csv", b"a\n" * PROGRAM_CAP), by=users["police_contact"]
        )
    assert not SourceUpload.objects.exists()


# --- pruning uploads -----------------------------------------------------------------------------------------------


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.QUALITY_UPLOADS_KEPT = 5
    return tmp_path


def uploads(dataset, count: int) -> list[SourceUpload]:
    """``count`` uploads of ``dataset``, a day apart, oldest first."""
    made = []
    start = timezone.now() - datetime.timedelta(days=count)
    for day in range(count):
        upload = SourceUpload(dataset=dataset, original_name=f"day{day}.csv", size=4)
        upload.file.save(f"day{day}.csv", ContentFile(b"a\n1\n"), save=False)
        upload.save()
        SourceUpload.objects.filter(pk=upload.pk).update(uploaded_at=start + datetime.timedelta(days=day))
        made.append(upload)
    return made


def exists(upload: SourceUpload) -> bool:
    return SourceUpload.objects.filter(pk=upload.pk).exists() and upload.file.storage.exists(upload.file.name)


def test_the_nightly_task_keeps_the_newest_uploads_and_those_runs_still_show(
    media, city, dataset, django_capture_on_commit_callbacks
):
    calls = uploads(dataset, 9)  # calls[8] is the newest
    # The dataset's latest run (its panel shows it) read an old file; a run still queued holds another.
    latest = QualityRunFactory(dataset=dataset, upload=calls[1])
    DatasetQualityFactory(run=latest)
    QualityRunFactory(dataset=dataset, upload=calls[0], state=RunState.RUNNING, outcome="", score=None)
    # An older finished run read calls[2]: it is no longer shown as the latest, so its file may go.
    older = QualityRunFactory(dataset=dataset, upload=calls[2], slot=timezone.now() - datetime.timedelta(days=30))
    other = DatasetFactory(title="Parks", department=city["parks"])
    few = uploads(other, 3)

    with django_capture_on_commit_callbacks(execute=True):  # files go once their row's deletion commits
        assert prune_uploads_task.delay().get() == 2

    gone = [calls[2], calls[3]]
    kept = [calls[0], calls[1], *calls[4:], *few]
    assert not SourceUpload.objects.filter(pk__in=[upload.pk for upload in gone]).exists()
    assert not any((media / upload.file.name).exists() for upload in gone)
    assert all(exists(upload) for upload in kept)
    older.refresh_from_db()
    assert older.upload is None and older.state == RunState.FINISHED  # the run and its results stay
    assert QualityRun.objects.count() == 3

    assert uploads_prune(by=None) == 0, "running it again deletes nothing more"


def test_the_newest_upload_is_always_kept(media, dataset):
    (only,) = uploads(dataset, 1)
    assert uploads_prune(by=None, keep=1) == 0
    assert exists(only)
    with pytest.raises(ValueError):
        uploads_prune(by=None, keep=0)


def test_a_run_remembers_the_upload_it_read(media, users, dataset, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        upload = source_upload_create(
            dataset=dataset, file=SimpleUploadedFile("calls.csv", b"a,b\n1,2\n"), by=users["police_contact"]
        )
    run = QualityRun.objects.get(dataset=dataset)
    assert run.state == RunState.FINISHED and run.upload == upload
    assert dataset.quality.latest_run == run  # so pruning spares that file


@pytest.mark.parametrize("persona", ["police_contact", "stat_analyst"])
def test_only_the_system_and_the_program_leads_prune(media, users, dataset, persona):
    uploads(dataset, 7)
    with pytest.raises(PermissionDenied):
        uploads_prune(by=users[persona])
    assert SourceUpload.objects.count() == 7
    assert uploads_prune(by=users["stat_lead"]) == 2
