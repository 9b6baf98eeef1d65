"""The demo city's data inventory, seeded by ``manage.py seed_demo`` after the team."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from demo.inventory import DATASETS, INITIATIVES, PORTAL
from inventory.models import (
    AccessLevel,
    DataField,
    Dataset,
    DiscoveryAnswer,
    Distribution,
    Initiative,
    Keyword,
    Status,
    Theme,
)
from team.models import Department, Role, RoleAssignment

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(settings):
    settings.DEBUG = True
    out = StringIO()
    call_command("seed_demo", stdout=out, stderr=StringIO())
    return out.getvalue()


def snapshot() -> dict:
    models = (Dataset, DataField, Distribution, DiscoveryAnswer, Initiative, Keyword, Theme)
    state = {model.__name__: model.objects.count() for model in models}
    state["history"] = Dataset.history.count()
    state["updated"] = list(Dataset.objects.order_by("pk").values_list("updated_at", flat=True))
    return state


def test_the_demo_inventory_is_seeded_with_the_team(seeded):
    assert "datasets" in seeded and "discovery answers" in seeded
    assert 55 <= Dataset.objects.count() == len(DATASETS) <= 70
    top_level = Department.objects.filter(parent__isnull=True)
    assert set(top_level.values_list("pk", flat=True)) <= set(Dataset.objects.values_list("department", flat=True))
    assert Initiative.objects.count() == len(INITIATIVES)
    for name in ("CompStat", "BlightStat", "Vision Zero"):
        assert Dataset.objects.filter(initiatives__name=name).exists()
    # Mixed statuses, access levels and flags.
    assert set(Dataset.objects.values_list("status", flat=True)) == set(Status.values) - {Status.RETIRED}
    assert set(Dataset.objects.values_list("access_level", flat=True)) == set(AccessLevel.values)
    for flag in ("critical_to_decisions", "public_demand", "grant_reporting", "sensitive", "ready"):
        assert Dataset.objects.filter(**{flag: True}).exists()
    for dataset in Dataset.objects.exclude(access_level=AccessLevel.PUBLIC):
        assert dataset.rights
    assert Dataset.objects.public().count() >= 20


def test_every_dataset_is_valid_and_has_a_dictionary(seeded):
    for dataset in Dataset.objects.prefetch_related("fields", "distributions", "keywords", "themes"):
        dataset.full_clean()
        assert 3 <= len(dataset.fields.all()) <= 9, dataset.identifier
        assert dataset.keywords.all() and dataset.themes.all()
        for field in dataset.fields.all():
            field.full_clean()
        for distribution in dataset.distributions.all():
            distribution.full_clean()
            assert (distribution.download_url or distribution.access_url).startswith(PORTAL)
        if dataset.is_public:
            assert any(d.download_url and d.media_type == "text/csv" for d in dataset.distributions.all())
            assert dataset.landing_page.startswith(PORTAL)
        if dataset.access_level == AccessLevel.NON_PUBLIC:
            assert not dataset.distributions.all()


def test_stewards_are_the_department_contacts(seeded):
    contacts = set(
        RoleAssignment.objects.current().filter(role=Role.DEPARTMENT_CONTACT).values_list("person_id", "department_id")
    )
    for dataset in Dataset.objects.all():
        if dataset.department.slug in ("library", "street-maintenance", "solid-waste"):
            assert dataset.contact is None
        else:
            assert (dataset.contact_id, dataset.department_id) in contacts, dataset.identifier
    assert Dataset.objects.get(identifier="rpd-cad-incidents").contact.full_name == "Dana Whitaker"


def test_discovery_answers_for_several_departments(seeded):
    answered = set(DiscoveryAnswer.objects.values_list("department__slug", flat=True))
    assert len(answered) >= 4
    assert {"police", "311-customer-service", "transportation"} <= answered
    assert DiscoveryAnswer.objects.exclude(respondent=None).count() == DiscoveryAnswer.objects.count()
    # Police's oversight answer was superseded by a newer one, and both are kept.
    assert DiscoveryAnswer.objects.filter(department__slug="police", question=5).count() == 2
    # Some datasets were found through discovery.
    found = Dataset.objects.exclude(discovered_from=None)
    assert found.count() >= 3
    for dataset in found:
        assert dataset.discovered_from.department == dataset.department


def test_seeding_twice_changes_nothing(seeded, settings):
    before = snapshot()
    out = StringIO()
    call_command("seed_demo", stdout=out, stderr=StringIO())
    assert snapshot() == before
    assert "already seeded" in out.getvalue()


def test_an_edit_survives_a_re_seed(seeded, settings):
    from inventory.services.datasets import dataset_update

    dataset = Dataset.objects.get(identifier="311-service-requests")
    dataset_update(by=None, dataset=dataset, title="311 Requests (renamed)")
    Dataset.objects.get(identifier="prd-pool-attendance").delete()  # one no demo measure is computed from
    call_command("seed_demo", stdout=StringIO(), stderr=StringIO())
    assert Dataset.objects.get(identifier="311-service-requests").title == "311 Requests (renamed)"
    assert Dataset.objects.filter(identifier="prd-pool-attendance").exists()  # a missing one is put back
