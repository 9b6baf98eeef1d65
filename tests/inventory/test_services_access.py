"""Every service that changes the inventory enforces its own access rule, whoever calls it (a view, the API, an import,
a command): someone the rule refuses gets ``PermissionDenied`` and nothing is written; ``by=None`` is the system."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied

from inventory.models import DiscoveryAnswer, PriorityWeights
from inventory.services import tabular
from inventory.services.bulk import datasets_bulk_update
from inventory.services.datajson import datajson_import
from inventory.services.datasets import dataset_create, dataset_delete, dataset_update
from inventory.services.discovery import discovery_answer_record, discovery_candidate_create
from inventory.services.parts import dataset_save_dictionary, dataset_save_distributions
from inventory.services.priority import priority_weights_update
from inventory.services.restore import dataset_restore

from .dataset_pages import inventory_state
from .test_datajson_import import catalog, record
from .test_tabular import csv_file, good_row

pytestmark = pytest.mark.django_db


@pytest.fixture
def dataset(city, users):
    dataset = dataset_create(
        by=users["stat_analyst"], title="Arrests", description="x", department=city["police"], rights="Names."
    )
    dataset_update(dataset=dataset, by=users["stat_analyst"], title="All arrests")
    return dataset


@pytest.fixture
def answer(city):
    answered_on = datetime.date(2026, 1, 5)
    return discovery_answer_record(
        by=None, department=city["police"], question=1, answer="JAG grant", respondent=None, answered_on=answered_on
    )


def state() -> tuple:
    return (
        inventory_state(),
        list(DiscoveryAnswer.objects.order_by("pk").values()),
        list(PriorityWeights.objects.values()),
    )


def _calls(city, dataset, answer):
    """Each service, called as the persona (``by``) the rule refuses, and as someone it allows."""
    rows = tabular.read_table(csv_file([good_row("Stops")]))
    first_version = dataset.history.order_by("history_id").first().history_id
    return {
        "dataset_create": (
            "police_lead",
            "police_contact",
            lambda by: dataset_create(by=by, title="T", description="D", department=city["police"], rights="R"),
        ),
        "dataset_update": (
            "parks_contact",
            "police_contact",
            lambda by: dataset_update(dataset=dataset, by=by, title="x"),
        ),
        "dataset_save_distributions": (
            "data_expert",
            "police_contact",
            lambda by: dataset_save_distributions(
                dataset=dataset, by=by, distributions=[{"access_url": "https://x.example/api"}]
            ),
        ),
        "dataset_save_dictionary": (
            "budget_analyst",
            "police_contact",
            lambda by: dataset_save_dictionary(dataset=dataset, by=by, fields=[{"name": "id"}]),
        ),
        "dataset_delete": ("police_contact", "stat_lead", lambda by: dataset_delete(dataset=dataset, by=by)),
        "dataset_restore": (
            "parks_contact",
            "police_contact",
            lambda by: dataset_restore(dataset=dataset, history_id=first_version, by=by),
        ),
        "datasets_bulk_update": (
            "police_contact",
            "stat_analyst",
            lambda by: datasets_bulk_update(datasets=[dataset], by=by, status="documented"),
        ),
        "datasets_import": (
            "data_expert",
            "police_contact",
            lambda by: tabular.datasets_import(columns=rows[0], rows=rows[1], by=by),
        ),
        "datajson_import": (
            "police_contact",
            "stat_analyst",
            lambda by: datajson_import(catalog=catalog(record("pd-new")), by=by),
        ),
        "discovery_answer_record": (
            "parks_contact",
            "police_lead",
            lambda by: discovery_answer_record(
                department=city["police"],
                question=2,
                answer="CAD",
                respondent=None,
                answered_on=datetime.date(2026, 2, 1),
                by=by,
            ),
        ),
        "discovery_candidate_create": (
            "police_lead",
            "police_contact",
            lambda by: discovery_candidate_create(answer=answer, title="JAG measures", by=by),
        ),
        "priority_weights_update": (
            "stat_analyst",
            "stat_lead",
            lambda by: priority_weights_update(by=by, ready=3),
        ),
    }


SERVICES = [
    "dataset_create",
    "dataset_update",
    "dataset_save_distributions",
    "dataset_save_dictionary",
    "dataset_delete",
    "dataset_restore",
    "datasets_bulk_update",
    "datasets_import",
    "datajson_import",
    "discovery_answer_record",
    "discovery_candidate_create",
    "priority_weights_update",
]


@pytest.mark.parametrize("service", SERVICES)
def test_the_service_refuses_whom_its_rule_refuses_and_writes_nothing(service, city, users, dataset, answer):
    refused, _allowed, call = _calls(city, dataset, answer)[service]
    before = state()
    with pytest.raises(PermissionDenied):
        call(users[refused])
    assert state() == before


@pytest.mark.parametrize("service", SERVICES)
def test_the_service_does_it_for_whom_its_rule_allows(service, city, users, dataset, answer):
    _refused, allowed, call = _calls(city, dataset, answer)[service]
    before = state()
    call(users[allowed])
    assert state() != before


@pytest.mark.parametrize("service", SERVICES)
def test_the_system_may_do_everything(service, city, dataset, answer):
    _refused, _allowed, call = _calls(city, dataset, answer)[service]
    before = state()
    call(None)
    assert state() != before
