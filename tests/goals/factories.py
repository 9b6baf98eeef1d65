"""Factories for goals: a goal under the Public safety priority owned by Police, and a manual monthly measure of it.

They write the models directly (fast); tests of the write path call the services instead.
"""

from __future__ import annotations

import factory
from django.core.files.base import ContentFile

from goals.models import Goal, Measure, MeasureTarget, Narrative, Observation, Priority
from tests.factories import DepartmentFactory


def priority(slug: str = "public-safety") -> Priority:
    """One of the six default priorities (made by the data migration; made again after a transactional test's
    flush)."""
    return Priority.objects.get_or_create(slug=slug, defaults={"name": slug.replace("-", " ").capitalize()})[0]


class GoalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Goal
        skip_postgeneration_save = True

    priority = factory.LazyFunction(priority)
    statement = factory.Sequence(lambda n: f"Goal {n}: cut crashes by 20%")
    public = False

    @factory.post_generation
    def departments(self, create, extracted, **kwargs):
        if create:
            self.departments.set(extracted or [DepartmentFactory(name="Police", slug="police", code="PD")])


class MeasureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Measure

    goal = factory.SubFactory(GoalFactory)
    department = factory.SubFactory(DepartmentFactory, name="Police", slug="police", code="PD")
    name = factory.Sequence(lambda n: f"Measure {n}")
    slug = factory.Sequence(lambda n: f"measure-{n}")
    description = "What it measures."
    unit = "crashes"
    direction = "down"
    frequency = "monthly"
    target_value = 100


class ObservationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Observation

    measure = factory.SubFactory(MeasureFactory)
    value = 90


class MeasureTargetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MeasureTarget

    measure = factory.SubFactory(MeasureFactory)
    value = 80


class NarrativeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Narrative

    measure = factory.SubFactory(MeasureFactory)
    what_happened = "Crashes fell after the new signals."


def upload_data(dataset, content: bytes, name: str = "data.csv"):
    """A data file uploaded for ``dataset`` (the file the computation reads). Needs MEDIA_ROOT set to a tmp dir."""
    from quality.models import SourceUpload

    upload = SourceUpload(dataset=dataset, original_name=name, size=len(content))
    upload.file.save(name, ContentFile(content), save=False)
    upload.save()
    return upload
