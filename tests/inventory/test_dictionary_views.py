"""Drafting a dataset's data dictionary from a sample CSV or a Table Schema: a background job drafts the fields
(its page follows it), then the person replaces the dictionary with them on confirm. Whoever may edit the dataset
may do it (the Stat team anywhere, a department contact in their own department); only they (and the Stat lead)
see their draft."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase

from core.models import Job
from inventory.models import DataField
from tests.inventory.factories import DataFieldFactory, DatasetFactory, PublicDatasetFactory
from tests.pages import assert_login_redirect, text_of

pytestmark = pytest.mark.django_db

WRITERS = ("stat_lead", "stat_analyst", "police_contact")
#: May read the Police dataset but not change it.
READERS = ("principal", "parks_contact", "data_expert", "police_lead", "budget_analyst")
CSV = b"case_id,opened,note\n1,2026-01-02,x\n2,2026-01-03,\n"


@pytest.fixture
def dataset(city):
    dataset = DatasetFactory(department=city["police"])
    DataFieldFactory(dataset=dataset, name="old_field")
    return dataset


def url(dataset) -> str:
    return f"/inventory/datasets/{dataset.pk}/dictionary/draft/"


def names(dataset) -> list[str]:
    return list(dataset.fields.values_list("name", flat=True))


def csv_upload(content: bytes = CSV, name: str = "sample.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="text/csv")


def draft(client, dataset, upload):
    """Upload a sample; the request returns at once (the job runs on commit, eagerly here, as without a broker)
    to the draft's page, which is returned; a file refused on the form is returned as it is."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(url(dataset), {"file": upload})
    if response.status_code != 302:
        return response
    assert response["Location"].startswith(url(dataset)), response["Location"]
    return client.get(response["Location"])


@pytest.mark.parametrize("persona", WRITERS)
def test_writers_preview_a_csv_draft_then_confirm(persona, as_persona, dataset):
    client = as_persona(persona)
    assert client.get(url(dataset)).status_code == 200
    page = draft(client, dataset, csv_upload())
    assert page.status_code == 200
    text = text_of(page)
    assert "Nothing has been saved yet" in text and "replaces the 1 field" in text
    assert [f["type"] for f in page.context["drafted"]] == ["integer", "date", "string"]
    assert names(dataset) == ["old_field"]  # the preview wrote nothing

    done = client.post(url(dataset), {"action": "confirm", "fields": page.context["drafted_json"]})
    assert done.status_code == 302
    assert names(dataset) == ["case_id", "opened", "note"]
    assert dataset.fields.get(name="case_id").required


def test_a_table_schema_is_imported(as_persona, dataset):
    client = as_persona("stat_analyst")
    schema = {"fields": [{"name": "id", "type": "integer", "constraints": {"unique": True, "minimum": 1}}]}
    page = draft(client, dataset, SimpleUploadedFile("schema.json", json.dumps(schema).encode(), "application/json"))
    drafted = page.context["drafted"]
    assert drafted[0]["unique"] and drafted[0]["minimum"] == "1"
    client.post(url(dataset), {"action": "confirm", "fields": page.context["drafted_json"]})
    field = dataset.fields.get()
    assert (field.name, field.type, field.unique, field.minimum) == ("id", "integer", True, "1")


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (csv_upload(b""), "The submitted file is empty"),
        (csv_upload(b"  \n\n"), "The CSV file is empty"),
        (csv_upload(b"\x00\x01\x02binary"), "binary data"),
        (SimpleUploadedFile("schema.json", b"{oops", "application/json"), "not valid JSON"),
        (SimpleUploadedFile("schema.json", b'{"title": "x"}', "application/json"), "not a Table Schema"),
    ],
)
def test_a_bad_file_is_refused_with_a_clear_message(as_persona, dataset, upload, message):
    response = draft(as_persona("stat_lead"), dataset, upload)
    # Refused on the form (an empty or binary file), or by the job, whose page says why.
    assert response.status_code in (200, 400)
    assert message in text_of(response) and "Error:" in text_of(response)
    assert names(dataset) == ["old_field"]


def test_a_draft_runs_out_of_the_request_and_only_its_author_and_the_stat_lead_see_it(as_persona, dataset):
    client = as_persona("police_contact")
    with TestCase.captureOnCommitCallbacks(execute=False) as queued:
        response = client.post(url(dataset), {"file": csv_upload()})
    assert response.status_code == 302 and len(queued) == 1
    page = client.get(response["Location"])
    assert 'role="status" aria-live="polite"' in page.content.decode() and "Waiting for a worker" in text_of(page)
    queued[0]()
    assert client.get(response["Location"], headers={"HX-Request": "true"})["HX-Refresh"] == "true"
    assert "Nothing has been saved yet" in text_of(client.get(response["Location"]))
    assert as_persona("stat_lead").get(response["Location"]).status_code == 200
    assert as_persona("stat_analyst").get(response["Location"]).status_code == 404
    assert as_persona("parks_contact").get(response["Location"]).status_code == 403  # may not write the dataset
    other = DatasetFactory(department=dataset.department)
    assert client.get(f"{url(other)}{Job.objects.get().pk}/").status_code == 404  # another dataset's address
    assert names(dataset) == ["old_field"]


def test_a_tampered_confirmation_is_refused_and_writes_nothing(as_persona, dataset):
    client = as_persona("stat_lead")
    bad = json.dumps([{"name": "a", "type": "text"}, {"name": "a"}])
    response = client.post(url(dataset), {"action": "confirm", "fields": bad})
    assert response.status_code == 400
    assert "Field 1 (“a”): Choose a type from the list." in text_of(response)
    lost = client.post(url(dataset), {"action": "confirm", "fields": "not json"})
    assert lost.status_code == 302
    assert names(dataset) == ["old_field"]


@pytest.mark.parametrize("persona", READERS)
def test_readers_may_not_draft(persona, as_persona, dataset):
    client = as_persona(persona)
    fields = json.dumps([{"name": "sneaky", "type": "string"}])
    assert client.get(url(dataset)).status_code == 403
    assert client.post(url(dataset), {"action": "confirm", "fields": fields}).status_code == 403
    assert names(dataset) == ["old_field"]


def test_a_contact_of_another_department_may_not_see_a_non_public_dataset_of_theirs(as_persona, city):
    dataset = DatasetFactory(department=city["parks"])
    assert as_persona("police_contact").get(url(dataset)).status_code == 403
    public = PublicDatasetFactory(department=city["parks"])
    assert as_persona("police_contact").get(url(public)).status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(client, dataset):
    assert_login_redirect(client.get(url(dataset)), url(dataset))
    fields = json.dumps([{"name": "sneaky", "type": "string"}])
    assert_login_redirect(client.post(url(dataset), {"action": "confirm", "fields": fields}), url(dataset))
    assert names(dataset) == ["old_field"]


def test_a_missing_dataset_is_404_and_wrong_methods_405(as_persona, dataset):
    client = as_persona("stat_lead")
    assert client.get("/inventory/datasets/999999/dictionary/draft/").status_code == 404
    assert client.put(url(dataset)).status_code == 405
    assert client.delete(url(dataset)).status_code == 405
    assert DataField.objects.count() == 1
