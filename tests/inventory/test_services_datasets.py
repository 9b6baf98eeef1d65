"""The dataset write path: create, update, dictionary, distributions and restore."""

import pytest

from inventory.models import AccessLevel

from .factories import DataFieldFactory, DatasetFactory, DistributionFactory, PublicDatasetFactory

pytestmark = pytest.mark.django_db


def test_factories_make_valid_datasets(city):
    dataset = DatasetFactory(department=city["police"], keywords=["crime"], themes=["Public Safety"])
    dataset.full_clean()
    assert dataset.rights and dataset.access_level == AccessLevel.NON_PUBLIC
    assert [k.name for k in dataset.keywords.all()] == ["crime"]
    public = PublicDatasetFactory(department=city["parks"])
    assert public.is_public and public.rights == ""
    field = DataFieldFactory(dataset=dataset)
    distribution = DistributionFactory(dataset=dataset)
    assert list(dataset.fields.all()) == [field]
    assert list(dataset.distributions.all()) == [distribution]
    # Without a department the factory uses the Police of the personas' city.
    assert DatasetFactory().department == city["police"]
