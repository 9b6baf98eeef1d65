"""Factories for the inventory: datasets, their distributions and their data dictionary.

``DatasetFactory`` makes a Police dataset that is not public (so it carries a rights statement); pass
``department=...``, ``access_level=AccessLevel.PUBLIC, published=True``, ``keywords=[...]`` as needed. It writes the
model directly (fast, no history reason) and then stores the priority score as the services would (so pass flags and
``initiatives=[...]`` to it rather than changing them afterwards); tests of the write path call the services.
"""

from __future__ import annotations

import factory

from inventory.models import (
    AccessLevel,
    DataField,
    Dataset,
    Distribution,
    FieldType,
    Frequency,
    Initiative,
    Keyword,
    Status,
    Theme,
)
from inventory.services.priority import dataset_rescore
from tests.factories import DepartmentFactory


class KeywordFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Keyword
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"keyword {n}")


class ThemeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Theme
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Theme {n}")


class InitiativeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Initiative
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Initiative {n}")
    slug = factory.LazyAttribute(lambda i: i.name.lower().replace(" ", "-"))


class DatasetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Dataset
        django_get_or_create = ("identifier",)
        skip_postgeneration_save = True

    identifier = factory.Sequence(lambda n: f"dataset-{n:05d}")
    title = factory.Sequence(lambda n: f"Dataset {n}")
    description = factory.LazyAttribute(lambda d: f"What {d.title} holds.")
    department = factory.SubFactory(DepartmentFactory, name="Police", slug="police", code="PD")
    access_level = AccessLevel.NON_PUBLIC
    rights = factory.LazyAttribute(
        lambda d: "" if d.access_level == AccessLevel.PUBLIC else "Holds personal information about residents."
    )
    accrual_periodicity = Frequency.MONTHLY
    status = Status.DOCUMENTED
    published = False

    @factory.post_generation
    def keywords(self, create, extracted, **kwargs):
        if create and extracted:
            self.keywords.set([KeywordFactory(name=name) if isinstance(name, str) else name for name in extracted])

    @factory.post_generation
    def themes(self, create, extracted, **kwargs):
        if create and extracted:
            self.themes.set([ThemeFactory(name=name) if isinstance(name, str) else name for name in extracted])

    @factory.post_generation
    def initiatives(self, create, extracted, **kwargs):
        if create and extracted:
            self.initiatives.set(
                [InitiativeFactory(name=name) if isinstance(name, str) else name for name in extracted]
            )

    @factory.post_generation
    def stored_priority_score(self, create, extracted, **kwargs):
        # Last, once the flags and initiatives are in: the score the services would have stored.
        if create:
            dataset_rescore(by=None, dataset=self)


class PublicDatasetFactory(DatasetFactory):
    """A dataset everyone may see: public and published."""

    access_level = AccessLevel.PUBLIC
    published = True
    status = Status.PUBLISHED


class DistributionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Distribution

    dataset = factory.SubFactory(DatasetFactory)
    title = "CSV download"
    download_url = factory.Sequence(lambda n: f"https://data.example.gov/files/{n}.csv")
    media_type = "text/csv"
    format = "CSV"
    position = factory.Sequence(lambda n: n)


class DataFieldFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DataField

    dataset = factory.SubFactory(DatasetFactory)
    position = factory.Sequence(lambda n: n)
    name = factory.Sequence(lambda n: f"field_{n}")
    title = factory.LazyAttribute(lambda f: f.name.replace("_", " ").capitalize())
    type = FieldType.STRING
