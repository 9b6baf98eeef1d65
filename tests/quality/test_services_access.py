"""The quality services enforce who may, whoever calls them (the pages, a task, the demo): checking a dataset,
uploading its data and changing its settings is its writers'; a notification preference is its person's. Each
refuses anyone else with PermissionDenied and writes nothing; ``by=None`` is the system."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile

from quality.access import can_check_dataset
from quality.models import DatasetQualitySettings, Delivery, NotificationPreference, QualityRun, SourceUpload
from quality.services import preference_set, run_request, settings_update, source_upload_create
from team.access import actor_for
from team.models import Person
from tests.inventory.factories import DatasetFactory

pytestmark = pytest.mark.django_db

CSV = b"incident_id,district\n1001,North\n"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def dataset(city):
    return DatasetFactory(title="Calls for service", department=city["police"])


@pytest.mark.parametrize("persona", ["principal", "police_lead", "parks_contact", "budget_analyst", "data_expert"])
def test_only_the_datasets_writers_check_it_upload_its_data_and_set_how_it_is_checked(users, dataset, persona):
    by = users[persona]
    assert not can_check_dataset(actor_for(by), dataset)
    with pytest.raises(PermissionDenied):
        run_request(dataset=dataset, by=by)
    with pytest.raises(PermissionDenied):
        source_upload_create(dataset=dataset, file=SimpleUploadedFile("calls.csv", CSV), by=by)
    with pytest.raises(PermissionDenied):
        settings_update(dataset=dataset, by=by, enabled=False)
    assert not QualityRun.objects.exists()
    assert not SourceUpload.objects.exists()
    assert not DatasetQualitySettings.objects.exists()


@pytest.mark.parametrize("persona", ["stat_lead", "stat_analyst", "police_contact"])
def test_the_datasets_writers_and_the_system_check_it(users, dataset, persona, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks():  # the runs are not sent to a worker
        for by in (users[persona], None):
            run_request(dataset=dataset, by=by)
            source_upload_create(dataset=dataset, file=SimpleUploadedFile("calls.csv", CSV), by=by)
            settings_update(dataset=dataset, by=by, date_column="received")
    assert SourceUpload.objects.filter(dataset=dataset).count() == 2
    assert DatasetQualitySettings.objects.get(dataset=dataset).date_column == "received"


def test_a_person_chooses_their_own_notifications_only(users):
    analyst = Person.objects.get(user=users["stat_analyst"])
    with pytest.raises(PermissionDenied):
        preference_set(person=analyst, delivery=Delivery.NONE, by=users["stat_lead"])
    assert not NotificationPreference.objects.exists()
    preference_set(person=analyst, delivery=Delivery.NONE, by=users["stat_analyst"])
    preference_set(person=analyst, delivery=Delivery.DAILY_DIGEST, by=None)
    assert NotificationPreference.objects.get(person=analyst).delivery == Delivery.DAILY_DIGEST
