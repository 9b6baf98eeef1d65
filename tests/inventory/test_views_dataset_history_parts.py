"""The history page shows what changed in a dataset's distributions and data dictionary (who, when, which, old →
new, added and removed), and restoring a version brings them back as they stood in it."""

import pytest
from django.urls import reverse

from inventory.models import DataField
from inventory.services.datasets import dataset_save, dataset_save_dictionary
from tests.pages import parse, text_of

pytestmark = pytest.mark.django_db

CSV = {"title": "CSV", "download_url": "https://data.example.gov/holes.csv", "media_type": "text/csv"}


@pytest.fixture
def dataset(city, users):
    """Two versions: created with fields ``hole_id`` (text) and ``ward``, then ``hole_id`` made an integer,
    ``ward`` removed, ``depth`` added and the download moved, by the Police contact."""
    created = dataset_save(
        by=users["stat_analyst"],
        title="Potholes",
        description="Pothole reports.",
        department=city["police"],
        rights="Draft only.",
        distributions=[CSV],
        dictionary=[{"name": "hole_id", "type": "string"}, {"name": "ward", "type": "string"}],
    )
    ids = {f.name: f.pk for f in created.fields.all()}
    (distribution,) = created.distributions.all()
    return dataset_save(
        dataset=created,
        by=users["police_contact"],
        reason="Typed the id",
        distributions=[{**CSV, "id": distribution.pk, "download_url": "https://data.example.gov/holes-v2.csv"}],
        dictionary=[
            {"id": ids["hole_id"], "name": "hole_id", "type": "integer", "required": True},
            {"name": "depth", "type": "number"},
        ],
    )


def history(client, dataset):
    return client.get(reverse("inventory:dataset_history", args=[dataset.pk]))


def part_rows(section) -> list[tuple[str, ...]]:
    """The rows of an entry's "Distributions and data dictionary" table, each as its cells' texts."""
    table = section.find_all("table")[-1]
    return [
        tuple(node.text for node in row.iter() if node.tag in ("th", "td"))
        for row in table.find("tbody").iter()
        if row.tag == "tr"
    ]


def sections(response):
    return [s for s in parse(response).find_all("section") if s.find("h2") is not None]


def test_the_latest_entry_lists_each_field_and_distribution_change(as_persona, dataset):
    latest, created = sections(history(as_persona("stat_analyst"), dataset))
    text = latest.text
    assert "Distributions and data dictionary" in text
    rows = part_rows(latest)
    assert (
        "Distribution “CSV”: changed",
        "Download URL",
        "https://data.example.gov/holes.csv",
        "https://data.example.gov/holes-v2.csv",
    ) in rows
    assert ("Field “hole_id”: changed", "Type", "string", "integer") in rows
    assert ("Required", "No", "Yes") in rows  # the same field's next attribute
    assert ("Field “depth”: added", "Type", "(blank)", "number") in rows
    assert ("Field “ward”: removed", "Removed from the data dictionary") in rows
    # The first version lists what the dataset was created with, its dictionary included.
    assert ("Field “ward”: added", "Type", "(blank)", "string") in part_rows(created)
    assert "Distribution “CSV”: added" in created.text


def test_a_drafted_dictionary_shows_under_its_own_entry_with_who_made_it(as_persona, dataset, users):
    dataset_save_dictionary(
        dataset=dataset, fields=[{"name": "hole_id", "type": "integer"}], by=users["stat_lead"], reason="Drafted"
    )
    latest = sections(history(as_persona("data_expert"), dataset))[0]
    assert latest.find("h2").text.endswith("by Stella Lead Current version")
    assert "Reason: Drafted" in latest.text
    assert ("Field “depth”: removed", "Removed from the data dictionary") in part_rows(latest)
    assert ("Field “hole_id”: changed", "Required", "Yes", "No") in part_rows(latest)


def test_restoring_the_first_version_brings_back_its_dictionary_and_distribution(as_persona, dataset):
    client = as_persona("stat_lead")
    hole_id = DataField.objects.get(dataset=dataset, name="hole_id")
    first = dataset.history.order_by("history_id").first()
    page = text_of(history(client, dataset))
    assert "and its distributions and data dictionary as they stood in that version" in page
    response = client.post(reverse("inventory:dataset_restore", args=[dataset.pk, first.history_id]))
    assert response.status_code == 302
    fields = list(dataset.fields.values_list("name", "type", "required"))
    assert fields == [("hole_id", "string", False), ("ward", "string", False)]
    assert dataset.fields.get(name="hole_id").pk == hole_id.pk  # changed in place: its history follows it
    assert list(dataset.distributions.values_list("download_url", flat=True)) == [CSV["download_url"]]
    latest = sections(history(client, dataset))[0]
    assert "Restored version of" in latest.text
    assert ("Field “hole_id”: changed", "Type", "integer", "string") in part_rows(latest)
    assert ("Field “ward”: added", "Type", "(blank)", "string") in part_rows(latest)


def test_restoring_the_version_before_restores_nothing_of_the_parts_it_did_not_change(as_persona, dataset, users):
    before = list(dataset.fields.values_list("pk", "name", "type"))
    dataset_save(dataset=dataset, by=users["stat_lead"], title="Potholes reported")
    previous = dataset.history.order_by("-history_id")[1]
    client = as_persona("stat_lead")
    assert client.post(reverse("inventory:dataset_restore", args=[dataset.pk, previous.history_id])).status_code == 302
    dataset.refresh_from_db()
    assert dataset.title == "Potholes"
    assert list(dataset.fields.values_list("pk", "name", "type")) == before
