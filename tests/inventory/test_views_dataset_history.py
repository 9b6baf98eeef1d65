"""A dataset's history page: every change as old → new, and restoring an earlier version from it."""

import pytest
from django.urls import reverse

from inventory.services.datasets import dataset_create, dataset_update
from tests.pages import parse, text_of

from .dataset_pages import edit_data
from .factories import InitiativeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def dataset(city, users):
    return dataset_create(
        by=users["stat_analyst"],
        title="Potholes",
        description="Pothole reports.",
        department=city["police"],
        rights="Draft only.",
        keywords=["streets"],
        initiatives=[InitiativeFactory(name="CompStat")],
    )


def history_path(dataset) -> str:
    return reverse("inventory:dataset_history", args=[dataset.pk])


def entries(response) -> list:
    return [section for section in parse(response).find_all("section") if section.find("h2") is not None]


def changes(entry) -> dict[str, tuple[str, ...]]:
    rows = entry.find("tbody").find_all("tr")
    return {row.find("th").text: tuple(cell.text for cell in row.find_all("td")) for row in rows}


def test_an_edit_through_the_form_shows_as_old_and_new_values(as_persona, dataset, users):
    client = as_persona("police_contact")
    data = edit_data(
        dataset,
        title="Potholes reported",
        keywords="streets, potholes",
        accrual_periodicity="R/P1W",
        sensitive=True,
        contact=str(users["police_contact"].person.pk),
        reason="Named the steward",
    )
    assert client.post(reverse("inventory:dataset_edit", args=[dataset.pk]), data).status_code == 302

    response = client.get(history_path(dataset))
    latest, created = entries(response)
    heading = latest.find("h2").text
    assert heading.startswith("Changed ") and heading.endswith("by Dana Data Current version")
    assert "Reason: Named the steward" in latest.text
    diff = changes(latest)
    assert diff["Title"] == ("Potholes", "Potholes reported")
    assert diff["Keywords"] == ("streets", "potholes, streets")
    assert diff["Update frequency"] == ("Irregular", "Weekly")
    assert diff["Sensitive"] == ("No", "Yes")
    assert diff["Steward"] == ("(blank)", "Dana Data")
    assert "Initiatives" not in diff  # unchanged
    assert created.find("h2").text.startswith("Created ")
    assert changes(created)["Title"] == ("Potholes",)
    assert changes(created)["Initiatives"] == ("CompStat",)


def test_only_writers_get_restore_buttons_and_not_on_the_current_version(as_persona, dataset):
    dataset_update(by=None, dataset=dataset, title="Changed")
    writer = entries(as_persona("stat_lead").get(history_path(dataset)))
    assert [entry.find("button") is not None for entry in writer] == [False, True]
    reader = entries(as_persona("police_lead").get(history_path(dataset)))
    assert [entry.find("button") is not None for entry in reader] == [False, False]


def test_restoring_from_the_page_brings_the_old_version_back_as_a_new_entry(as_persona, dataset, users):
    original = dataset.history.get()
    dataset_update(dataset=dataset, by=users["stat_lead"], title="Wrong", keywords=[], initiatives=[])
    client = as_persona("stat_analyst")
    response = client.post(reverse("inventory:dataset_restore", args=[dataset.pk, original.history_id]))
    assert response.status_code == 302
    dataset.refresh_from_db()
    assert dataset.title == "Potholes"
    assert [k.name for k in dataset.keywords.all()] == ["streets"]
    assert [i.name for i in dataset.initiatives.all()] == ["CompStat"]

    page = client.get(response["Location"])
    assert "Restored the version of" in text_of(page)
    latest = entries(page)[0]
    assert "Reason: Restored version of" in latest.text
    assert changes(latest)["Title"] == ("Wrong", "Potholes")
    assert len(entries(page)) == 3


def test_restoring_a_version_whose_steward_left_explains_why_not(as_persona, dataset, users):
    import datetime

    steward = users["police_contact"].person
    dataset_update(by=None, dataset=dataset, contact=steward)
    with_steward = dataset.history.order_by("-history_id").first()
    dataset_update(by=None, dataset=dataset, contact=None, title="Later")
    steward.assignments.update(starts_on=datetime.date(2020, 1, 1), ends_on=datetime.date(2021, 1, 1))
    client = as_persona("stat_analyst")
    response = client.post(
        reverse("inventory:dataset_restore", args=[dataset.pk, with_steward.history_id]), follow=True
    )
    assert "Could not restore the version of" in text_of(response)
    assert "steward must be a current department contact" in text_of(response)
    dataset.refresh_from_db()
    assert dataset.title == "Later"


def test_a_contact_cannot_restore_a_version_from_another_department(as_persona, dataset, city, users):
    """The dataset was Parks' once; the Police contact may not move it back there by restoring."""
    parks_version_id = dataset.history.get().history_id
    dataset.history.filter(history_id=parks_version_id).update(department=city["parks"])
    response = as_persona("police_contact").post(
        reverse("inventory:dataset_restore", args=[dataset.pk, parks_version_id])
    )
    assert response.status_code == 403
    dataset.refresh_from_db()
    assert dataset.department == city["police"]


def test_a_version_of_another_dataset_is_404(as_persona, dataset, city, users):
    other = dataset_create(by=None, title="Other", description="x", department=city["police"], rights="x")
    response = as_persona("stat_lead").post(
        reverse("inventory:dataset_restore", args=[dataset.pk, other.history.get().history_id])
    )
    assert response.status_code == 404


def test_history_pages_through_many_changes_at_a_fixed_cost(as_persona, dataset, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = as_persona("stat_lead")
    with CaptureQueriesContext(connection) as few:
        client.get(history_path(dataset))
    for n in range(25):
        dataset_update(by=None, dataset=dataset, title=f"Potholes {n}", keywords=[f"k{n}"])
    with django_assert_max_num_queries(len(few) + 2):
        first = client.get(history_path(dataset))
    assert len(entries(first)) == 20
    second = client.get(history_path(dataset), {"page": 2})
    assert len(entries(second)) == 6
    assert changes(entries(second)[-1])["Title"] == ("Potholes",)
    assert changes(entries(second)[0])["Title"] == ("Potholes 3", "Potholes 4")
