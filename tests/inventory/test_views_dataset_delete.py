"""Deleting a dataset: the Stat lead and analysts only, after a confirmation page, never a published dataset."""

import pytest
from django.urls import reverse

from inventory.models import DataField, Dataset, Distribution
from tests.pages import assert_login_redirect, client_for, parse, text_of

from .dataset_pages import inventory_state
from .factories import DataFieldFactory, DatasetFactory, DistributionFactory, PublicDatasetFactory

pytestmark = pytest.mark.django_db

DELETERS = ("stat_lead", "stat_analyst")
#: Who reads a Police dataset but may not delete it (a department contact writes it, yet may not delete it).
POLICE_READERS = ("principal", "police_lead", "police_contact", "parks_contact", "budget_analyst", "data_expert")


def url(dataset) -> str:
    return reverse("inventory:dataset_delete", kwargs={"pk": dataset.pk})


def links(client, dataset) -> list[str]:
    """Where the links on the dataset's page go."""
    return [a.attrs.get("href") for a in parse(client.get(dataset.get_absolute_url())).find_all("a")]


@pytest.fixture
def police_dataset(city):
    dataset = DatasetFactory(department=city["police"], title="Use of force", keywords=["force"])
    DataFieldFactory(dataset=dataset, name="incident_id")
    DistributionFactory(dataset=dataset)
    return dataset


@pytest.mark.parametrize("persona", DELETERS)
def test_the_stat_team_confirms_then_deletes(persona, as_persona, users, police_dataset):
    client = as_persona(persona)
    page = client.get(url(police_dataset))
    assert page.status_code == 200
    assert "its 1 distribution, its data dictionary of 1 field" in " ".join(text_of(page).split())
    assert Dataset.objects.filter(pk=police_dataset.pk).exists()  # the page alone deletes nothing
    response = client.post(url(police_dataset))
    assert response.status_code == 302 and response["Location"] == reverse("inventory:list")
    assert not Dataset.objects.filter(pk=police_dataset.pk).exists()
    assert not DataField.objects.exists() and not Distribution.objects.exists()
    deletion = Dataset.history.filter(id=police_dataset.pk).order_by("-history_id").first()
    assert (deletion.history_type, deletion.history_user) == ("-", users[persona])
    assert "Deleted the dataset “Use of force”." in text_of(client.get(reverse("inventory:list")))


@pytest.mark.parametrize("persona", DELETERS)
def test_the_dataset_page_offers_delete_to_the_stat_team_only(persona, as_persona, police_dataset):
    assert url(police_dataset) in links(as_persona(persona), police_dataset)


@pytest.mark.parametrize("persona", POLICE_READERS)
def test_readers_and_the_departments_contact_may_not_delete(persona, as_persona, police_dataset):
    client = as_persona(persona)
    before = inventory_state()
    assert url(police_dataset) not in links(client, police_dataset)
    assert client.get(url(police_dataset)).status_code == 403
    assert client.post(url(police_dataset)).status_code == 403
    assert inventory_state() == before


def test_outsiders_get_404_and_anonymous_visitors_sign_in(as_persona, city):
    parks = DatasetFactory(department=city["parks"], title="Park permits")
    before = inventory_state()
    assert as_persona("police_lead").post(url(parks)).status_code == 404  # a lead reads their own department's
    assert client_for("no_role", as_persona).post(url(parks)).status_code == 404
    assert_login_redirect(as_persona("anonymous").post(url(parks)), url(parks))
    assert as_persona("stat_lead").post(reverse("inventory:dataset_delete", kwargs={"pk": 999999})).status_code == 404
    assert inventory_state() == before


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_other_methods_are_not_allowed(as_persona, police_dataset, method):
    assert getattr(as_persona("stat_lead"), method)(url(police_dataset)).status_code == 405
    assert Dataset.objects.filter(pk=police_dataset.pk).exists()


def test_a_published_dataset_is_refused_until_unpublished(as_persona, city):
    published = PublicDatasetFactory(department=city["police"], title="Crashes")
    client = as_persona("stat_lead")
    page = client.get(url(published))
    assert page.status_code == 200
    assert "Unpublish it first" in text_of(page)
    assert not parse(page).find("main").find("form", method="post")
    refused = client.post(url(published))
    assert refused.status_code == 400 and "Unpublish it first" in text_of(refused)
    assert Dataset.objects.filter(pk=published.pk).exists()
    Dataset.objects.filter(pk=published.pk).update(published=False)
    assert client.post(url(published)).status_code == 302
    assert not Dataset.objects.filter(pk=published.pk).exists()


def test_the_coverage_panel_counts_without_the_deleted_dataset(
    as_persona, police_dataset, city, django_capture_on_commit_callbacks
):
    DatasetFactory(department=city["fire"], title="Inspections")
    client = as_persona("stat_lead")
    assert "(0 of 2)" in text_of(client.get(reverse("inventory:list")))  # counted, then cached
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url(police_dataset)).status_code == 302
    assert "(0 of 1)" in text_of(client.get(reverse("inventory:list")))
