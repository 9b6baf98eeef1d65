"""What goals adds to the inventory through its registry (``goals.inventory_extensions``): a dataset that measures
are computed from may not be deleted."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from goals.models import Measure
from inventory import extensions
from inventory.models import Dataset
from inventory.services.datasets import dataset_delete, delete_problems
from tests.goals.factories import MeasureFactory
from tests.inventory.factories import DataFieldFactory, DatasetFactory, DistributionFactory
from tests.pages import parse, text_of

pytestmark = pytest.mark.django_db


def url(dataset) -> str:
    return reverse("inventory:dataset_delete", kwargs={"pk": dataset.pk})


@pytest.fixture
def police_dataset(city):
    dataset = DatasetFactory(department=city["police"], title="Use of force", keywords=["force"])
    DataFieldFactory(dataset=dataset, name="incident_id")
    DistributionFactory(dataset=dataset)
    return dataset


@pytest.fixture
def computed(city, police_dataset):
    return MeasureFactory(
        department=city["police"],
        goal__departments=[city["police"]],
        name="Uses of force per month",
        source_dataset=police_dataset,
        aggregation="count",
        date_column="incident_date",
    )


def test_a_dataset_measures_are_computed_from_is_refused_until_they_are_not(as_persona, city, police_dataset):
    """Its computed measures would lose their source: the page names them; a measure that only names the dataset
    as its source does not stop the deletion and just loses the link."""
    computed = MeasureFactory(
        department=city["police"],
        goal__departments=[city["police"]],
        name="Uses of force per month",
        source_dataset=police_dataset,
        aggregation="count",
        date_column="incident_date",
    )
    named = MeasureFactory(
        department=city["police"], goal=computed.goal, name="Named only", source_dataset=police_dataset
    )
    client = as_persona("stat_analyst")
    page = client.get(url(police_dataset))
    assert "1 measure is computed from this dataset: “Uses of force per month”" in text_of(page)
    assert not parse(page).find("main").find("form", method="post")
    refused = client.post(url(police_dataset))
    assert refused.status_code == 400 and "Uses of force per month" in text_of(refused)
    assert Dataset.objects.filter(pk=police_dataset.pk).exists()

    Measure.objects.filter(pk=computed.pk).update(aggregation="", date_column="")
    assert client.post(url(police_dataset)).status_code == 302
    assert not Dataset.objects.filter(pk=police_dataset.pk).exists()
    named.refresh_from_db()
    assert named.source_dataset is None


def test_the_refusal_is_goals_registration(users, computed, police_dataset, monkeypatch):
    """The inventory asks its registry who depends on a dataset; the refusal is goals' answer: without goals'
    registration the inventory would see nothing in the way (and the database would then refuse the deletion, a
    computed measure needing its dataset)."""
    reason = "1 measure is computed from this dataset: “Uses of force per month”."
    assert any(reason in problem for problem in delete_problems(police_dataset))
    with pytest.raises(ValidationError, match="Uses of force per month"):
        dataset_delete(dataset=police_dataset, by=users["stat_analyst"])
    assert Dataset.objects.filter(pk=police_dataset.pk).exists()
    assert Measure.objects.get(pk=computed.pk).source_dataset == police_dataset

    monkeypatch.setattr(extensions, "_dependents", {})
    assert delete_problems(police_dataset) == []
