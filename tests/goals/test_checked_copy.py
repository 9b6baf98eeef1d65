"""A check that passes keeps the bytes it downloaded and judged, and the measures computed from the dataset read
those bytes: no second download, and never data that changed after the check and was not checked."""

import datetime
from pathlib import Path

import pytest
from django.utils import timezone

from goals.models import Observation
from goals.services import measure_compute
from quality.models import DatasetQualitySettings, QualityRun
from quality.services import run_request
from tests.inventory.factories import DatasetFactory, DistributionFactory

from .factories import MeasureFactory, upload_data

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 6, 15)
JANUARY = datetime.date(2026, 1, 1)
CHECKED = b"call_id,received\n1,2026-01-05\n2,2026-01-20\n3,2026-01-31\n"
CHANGED = b"call_id,received\n1,2026-01-05\n"  # what the server answers after the check


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def remote(city, local_server):
    """A dataset read from a download address on the local server, with its address."""
    dataset = DatasetFactory(identifier="pd-calls", title="Calls for service", department=city["police"])
    url = local_server.add("/calls.csv", CHECKED, headers={"Content-Type": "text/csv"})
    DistributionFactory(dataset=dataset, download_url=url)
    return dataset, url


def computed(dataset, **fields):
    defaults = {"source_dataset": dataset, "aggregation": "count", "date_column": "received", "frequency": "monthly"}
    return MeasureFactory(department=dataset.department, **{**defaults, **fields})


def january(measure):
    observation = Observation.objects.filter(measure=measure, period=JANUARY).first()
    return observation and observation.value


def check(dataset, users, capture):
    """Press "Check now" and let the check, and the computation it queues, run as the worker would."""
    with capture(execute=True):
        run = run_request(dataset=dataset, by=users["police_contact"])
    run.refresh_from_db()
    return run


def stored(settings, dataset, pk=None) -> list[str]:
    folder = Path(settings.MEDIA_ROOT) / "quality" / str(pk or dataset.pk) / "checked"
    return sorted(path.name for path in folder.iterdir()) if folder.is_dir() else []


def test_the_measures_read_the_bytes_the_check_passed_without_a_second_download(
    remote, users, local_server, settings, django_capture_on_commit_callbacks
):
    dataset, url = remote
    measure = computed(dataset)
    run = check(dataset, users, django_capture_on_commit_callbacks)
    assert run.outcome in ("pass", "warn") and run.source == url
    assert january(measure) == 3  # computed after the check, from the checked copy
    assert local_server.hits["/calls.csv"] == 1  # the check's download was the only one
    assert stored(settings, dataset) == [Path(run.checked_copy.name).name]
    # The server's file changes after the check: "Compute now" still reads what the check judged.
    local_server.add("/calls.csv", CHANGED, headers={"Content-Type": "text/csv"})
    assert measure_compute(by=users["stat_analyst"], measure=measure, today=TODAY).ok
    assert january(measure) == 3 and local_server.hits["/calls.csv"] == 1
    # The next check judges the new file: the measures follow it, and only its copy is kept.
    second = check(dataset, users, django_capture_on_commit_callbacks)
    assert january(measure) == 1 and local_server.hits["/calls.csv"] == 2
    assert stored(settings, dataset) == [Path(second.checked_copy.name).name]
    assert not QualityRun.objects.get(pk=run.pk).checked_copy


def test_a_failed_check_keeps_no_copy_and_the_measure_downloads_again(
    remote, users, local_server, settings, django_capture_on_commit_callbacks
):
    dataset, url = remote
    measure = computed(dataset)
    check(dataset, users, django_capture_on_commit_callbacks)
    local_server.add("/calls.csv", status=404)
    failed = check(dataset, users, django_capture_on_commit_callbacks)
    assert failed.outcome == "error" and not failed.checked_copy
    assert stored(settings, dataset) == []  # the earlier copy went once the failure became the latest judgement
    result = measure_compute(by=users["stat_analyst"], measure=measure, today=TODAY)
    assert not result.ok and result.error.startswith(f"The data could not be read from {url}")
    assert january(measure) == 3  # the values already recorded stay


def test_a_copy_gone_from_storage_or_from_another_source_is_not_read(
    remote, users, local_server, settings, django_capture_on_commit_callbacks
):
    dataset, _ = remote
    measure = computed(dataset)
    run = check(dataset, users, django_capture_on_commit_callbacks)
    local_server.add("/calls.csv", CHANGED, headers={"Content-Type": "text/csv"})
    Path(run.checked_copy.path).unlink()  # e.g. a volume restored without it
    assert measure_compute(by=users["stat_analyst"], measure=measure, today=TODAY).ok
    assert january(measure) == 1 and local_server.hits["/calls.csv"] == 2  # downloaded again
    # Another distribution chosen since the check: the copy of the first one's data is not that source's data.
    run = check(dataset, users, django_capture_on_commit_callbacks)
    other = local_server.add("/other.csv", CHECKED, headers={"Content-Type": "text/csv"})
    chosen = DistributionFactory(dataset=dataset, download_url=other)
    DatasetQualitySettings.objects.update_or_create(dataset=dataset, defaults={"source_distribution": chosen})
    assert measure_compute(by=users["stat_analyst"], measure=measure, today=TODAY).ok
    assert january(measure) == 3 and local_server.hits["/other.csv"] == 1


def test_nothing_is_kept_when_no_measure_is_computed_from_the_data_or_it_was_uploaded(
    remote, city, users, settings, django_capture_on_commit_callbacks
):
    dataset, _ = remote
    computed(dataset, aggregation="")  # a measure typed in by hand reads no data
    assert not check(dataset, users, django_capture_on_commit_callbacks).checked_copy
    assert stored(settings, dataset) == []
    uploaded = DatasetFactory(identifier="pd-uploaded", department=city["police"])
    upload_data(uploaded, CHECKED, "calls.csv")
    measure = computed(uploaded)
    assert not check(uploaded, users, django_capture_on_commit_callbacks).checked_copy  # read in place already
    assert january(measure) == 3


def test_deleting_the_dataset_deletes_its_copy(remote, users, settings, django_capture_on_commit_callbacks):
    dataset, _ = remote
    measure = computed(dataset)
    check(dataset, users, django_capture_on_commit_callbacks)
    assert len(stored(settings, dataset)) == 1
    measure.delete()  # a dataset a measure is computed from is not deleted
    pk = dataset.pk
    with django_capture_on_commit_callbacks(execute=True):
        dataset.delete()
    assert stored(settings, dataset, pk) == []


def test_a_run_recorded_late_keeps_no_copy(remote, users, settings, django_capture_on_commit_callbacks):
    """A check that finishes after a newer one was recorded is not the latest judgement: its copy goes."""
    from quality.engine.result import EngineResult
    from quality.services.runs import _keep_checked_copy, run_record

    dataset, url = remote
    computed(dataset)
    newer = check(dataset, users, django_capture_on_commit_callbacks)
    late = QualityRun.objects.create(dataset=dataset, slot=timezone.now() - datetime.timedelta(days=1))
    path = Path(settings.MEDIA_ROOT) / "late.csv"
    path.write_bytes(CHECKED)
    name = _keep_checked_copy(late, path)
    with django_capture_on_commit_callbacks(execute=True):
        run_record(
            by=None,
            dataset=dataset,
            slot=late.slot,
            finished_at=newer.finished_at - datetime.timedelta(hours=1),
            result=EngineResult(checks=[], score=100, row_count=3),
            source=url,
            checked_copy=name,
        )
    assert not QualityRun.objects.get(pk=late.pk).checked_copy
    assert stored(settings, dataset) == [Path(newer.checked_copy.name).name]


def test_a_run_that_cannot_be_recorded_leaves_no_copy_behind(
    remote, users, settings, monkeypatch, django_capture_on_commit_callbacks
):
    from django.db import DatabaseError

    from quality.services import runs

    dataset, _ = remote
    computed(dataset)

    def database_gone(**kwargs):
        raise DatabaseError("the database went away")

    monkeypatch.setattr(runs, "run_record", database_gone)
    run = QualityRun.objects.create(dataset=dataset, slot=timezone.now())
    with pytest.raises(DatabaseError):
        runs._execute(run, by=None)
    assert stored(settings, dataset) == []
