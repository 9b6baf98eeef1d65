"""The stored priority score: after every kind of write it equals the score the weights and the dataset's declared
value give (the sum of its reasons' weights), so sorting the inventory by it is always right."""

from __future__ import annotations

import datetime
import importlib
import inspect
import threading

import pytest
from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.db import connection, connections, transaction

from inventory.models import AccessLevel, Dataset, DiscoveryAnswer, DiscoveryQuestion, Initiative, PriorityWeights
from inventory.services.bulk import datasets_bulk_update
from inventory.services.datasets import dataset_create, dataset_update
from inventory.services.discovery import discovery_candidate_create
from inventory.services.priority import (
    FACTOR_LABELS,
    dataset_rescore,
    datasets_rescore_all,
    priority_reasons,
    priority_weights_update,
)
from inventory.services.restore import dataset_restore
from inventory.services.tabular import datasets_import
from tests.inventory.factories import DatasetFactory, InitiativeFactory

pytestmark = pytest.mark.django_db

LIST = "/inventory/"
PRIORITY_PAGE = "/inventory/priority/"


def reasoned_score(dataset: Dataset) -> int:
    """The score as the priority page explains it: each reason's weight under the program's current weights."""
    fresh = Dataset.objects.prefetch_related("initiatives").get(pk=dataset.pk)
    return sum(reason.weight for reason in priority_reasons(fresh, PriorityWeights.current()))


def stored_score(dataset: Dataset) -> int:
    return Dataset.objects.values_list("priority_score", flat=True).get(pk=dataset.pk)


def assert_every_score_current() -> None:
    weights = PriorityWeights.current()
    wrong = {
        d.title: (d.priority_score, sum(r.weight for r in priority_reasons(d, weights)))
        for d in Dataset.objects.prefetch_related("initiatives")
        if d.priority_score != sum(r.weight for r in priority_reasons(d, weights))
    }
    assert wrong == {}, "stored score, expected"


def new_dataset(city, by=None, **fields) -> Dataset:
    return dataset_create(
        by=by,
        title=fields.pop("title", "Calls for service"),
        description="Every call for service.",
        department=city["police"],
        access_level=AccessLevel.NON_PUBLIC,
        rights="Callers' names.",
        **fields,
    )


def test_a_new_dataset_is_stored_with_its_score(city, users):
    compstat = InitiativeFactory(name="CompStat", slug="compstat")
    dataset = new_dataset(
        city, by=users["stat_analyst"], critical_to_decisions=True, sensitive=True, initiatives=[compstat]
    )
    assert dataset.priority_score == stored_score(dataset) == 5 - 1 + 4 == reasoned_score(dataset)
    plain = new_dataset(city, title="Plain")
    assert plain.priority_score == stored_score(plain) == 0


def test_an_edit_of_the_declared_value_or_initiatives_rescores(city, users):
    dataset = new_dataset(city, public_demand=True)
    assert stored_score(dataset) == 3

    dataset = dataset_update(dataset=dataset, by=users["stat_analyst"], grant_reporting=True, public_demand=False)
    assert dataset.priority_score == stored_score(dataset) == 2 == reasoned_score(dataset)

    vision_zero = InitiativeFactory(name="Vision Zero", slug="vision-zero")
    dataset = dataset_update(by=None, dataset=dataset, initiatives=[vision_zero])
    assert stored_score(dataset) == 2 + 4 == reasoned_score(dataset)

    dataset = dataset_update(by=None, dataset=dataset, initiatives=[])
    assert stored_score(dataset) == 2 == reasoned_score(dataset)


def test_an_edit_of_other_metadata_keeps_the_score(city):
    dataset = new_dataset(city, ready=True, critical_to_decisions=True)
    dataset = dataset_update(by=None, dataset=dataset, title="Calls for service (CAD)", keywords=["911"])
    assert dataset.priority_score == stored_score(dataset) == 6 == reasoned_score(dataset)


def test_a_change_of_weights_rescores_every_dataset_and_changes_no_dataset(city, users):
    compstat = InitiativeFactory(name="CompStat", slug="compstat")
    grant = new_dataset(city, title="Grant report", grant_reporting=True)
    served = new_dataset(city, title="Served", initiatives=[compstat], sensitive=True)
    plain = new_dataset(city, title="Plain")
    updated_at = dict(Dataset.objects.values_list("pk", "updated_at"))
    history = Dataset.history.count()

    priority_weights_update(by=users["stat_lead"], grant_reporting=7, initiative=-2, sensitive=-3)

    assert (stored_score(grant), stored_score(served), stored_score(plain)) == (7, -5, 0)
    assert_every_score_current()
    # New weights are no change to any dataset: not in its history, not in "last changed".
    assert dict(Dataset.objects.values_list("pk", "updated_at")) == updated_at
    assert Dataset.history.count() == history


def test_priority_weights_update_takes_each_weight_by_name():
    parameters = set(inspect.signature(priority_weights_update).parameters) - {"by"}
    assert parameters == set(FACTOR_LABELS)
    with pytest.raises(TypeError):
        priority_weights_update(by=None, colour=3)


def test_only_those_who_may_rescore_a_dataset_or_all_do(city, users):
    dataset = new_dataset(city, title="Grant report", grant_reporting=True)
    Dataset.objects.filter(pk=dataset.pk).update(priority_score=0)  # as a bulk load leaves it
    with pytest.raises(PermissionDenied):
        dataset_rescore(dataset=dataset, by=users["parks_contact"])
    with pytest.raises(PermissionDenied):
        datasets_rescore_all(weights=PriorityWeights.current(), by=users["stat_analyst"])
    assert stored_score(dataset) == 0
    assert dataset_rescore(dataset=dataset, by=users["police_contact"]) == stored_score(dataset) == 2
    Dataset.objects.filter(pk=dataset.pk).update(priority_score=0)
    assert datasets_rescore_all(weights=PriorityWeights.current(), by=users["stat_lead"]) == 1
    assert_every_score_current()


def test_changing_the_weights_on_the_page_reorders_the_inventory(as_persona, city):
    DatasetFactory(identifier="grant", title="A grant report", grant_reporting=True)
    DatasetFactory(identifier="demand", title="B public demand", public_demand=True)
    DatasetFactory(identifier="plain", title="C nothing declared")
    lead = as_persona("stat_lead")

    def by_priority() -> list[str]:
        return [d.identifier for d in lead.get(LIST, {"sort": "-priority"}).context["page_obj"]]

    assert by_priority() == ["demand", "grant", "plain"]  # 3, 2, 0
    weights = PriorityWeights.current()
    form = {factor: str(getattr(weights, factor)) for factor in ("critical_to_decisions", "initiative", "ready")}
    form |= {"public_demand": "1", "grant_reporting": "6", "legislative_reporting": "2"}
    form |= {"performance_budgeting": "2", "sensitive": "-1"}
    assert lead.post(PRIORITY_PAGE, form).status_code == 302
    assert by_priority() == ["grant", "demand", "plain"]  # 6, 1, 0
    assert [d.priority_score for d in lead.get(LIST, {"sort": "priority"}).context["page_obj"]] == [0, 1, 6]


def test_an_import_stores_each_rows_score(city, users):
    columns = ["title", "description", "department", "access_level", "rights", "public_demand", "ready", "initiatives"]
    rows = [
        {
            "title": "Potholes",
            "description": "Reported potholes.",
            "department": "PD",
            "access_level": "non-public",
            "rights": "Addresses of callers.",
            "public_demand": "yes",
            "ready": "yes",
            "initiatives": "Vision Zero",
        },
        {
            "title": "Crossing guards",
            "description": "Where guards stand.",
            "department": "PD",
            "access_level": "non-public",
            "rights": "Staff names.",
            "public_demand": "no",
            "ready": "",
            "initiatives": "",
        },
    ]
    result = datasets_import(columns=columns, rows=rows, by=users["stat_analyst"])
    assert len(result.created) == 2 and not result.skipped
    scores = dict(Dataset.objects.values_list("title", "priority_score"))
    assert scores == {"Potholes": 3 + 1 + 4, "Crossing guards": 0}
    assert_every_score_current()

    # Importing a change of declared value rescores the dataset it updates.
    rows[0] = {**rows[0], "identifier": result.created[0].identifier, "ready": "no", "initiatives": ""}
    datasets_import(columns=["identifier", *columns], rows=[rows[0]], by=users["stat_analyst"])
    assert Dataset.objects.get(title="Potholes").priority_score == 3
    assert_every_score_current()


def test_restoring_a_version_restores_its_score_under_todays_weights(city, users):
    compstat = InitiativeFactory(name="CompStat", slug="compstat")
    dataset = new_dataset(city, critical_to_decisions=True, initiatives=[compstat])
    first = dataset.history.order_by("history_id").first()
    dataset_update(by=None, dataset=dataset, critical_to_decisions=False, initiatives=[])
    assert stored_score(dataset) == 0
    priority_weights_update(by=None, critical_to_decisions=8)

    restored = dataset_restore(dataset=dataset, history_id=first.history_id, by=users["stat_analyst"])
    assert restored.priority_score == stored_score(dataset) == 8 + 4 == reasoned_score(dataset)


def test_bulk_status_changes_keep_the_scores(city, users):
    one = new_dataset(city, title="One", public_demand=True)
    two = new_dataset(city, title="Two", legislative_reporting=True, ready=True)
    result = datasets_bulk_update(datasets=[one, two], by=users["stat_analyst"], status="documented")
    assert len(result.changed) == 2
    assert (stored_score(one), stored_score(two)) == (3, 3)
    assert_every_score_current()


def test_a_discovery_candidate_is_stored_with_the_score_its_answer_implies(city, users):
    InitiativeFactory(name="BlightStat", slug="blightstat")
    demand = DiscoveryAnswer.objects.create(
        department=city["police"],
        question=DiscoveryQuestion.PUBLIC_REQUESTS,
        answer="Crash reports, every week.",
        answered_on=datetime.date(2026, 10, 1),
    )
    initiative = DiscoveryAnswer.objects.create(
        department=city["police"],
        question=DiscoveryQuestion.INITIATIVE,
        answer="Our vacant-lot data feeds BlightStat.",
        answered_on=datetime.date(2026, 10, 1),
    )
    crashes = discovery_candidate_create(answer=demand, title="Crash reports", by=users["stat_analyst"])
    lots = discovery_candidate_create(answer=initiative, title="Vacant lots", by=users["stat_analyst"])
    assert (stored_score(crashes), stored_score(lots)) == (3, 4)
    assert_every_score_current()


def test_the_migration_fills_the_scores_from_the_stored_weights(city):
    weights = PriorityWeights.current()
    weights.critical_to_decisions, weights.initiative = 9, 1
    weights.save()
    compstat = Initiative.objects.create(name="CompStat", slug="compstat")
    DatasetFactory(title="Critical", critical_to_decisions=True, initiatives=[compstat])
    DatasetFactory(title="Sensitive", sensitive=True)
    Dataset.objects.update(priority_score=-99)  # as the column stood right after it was added

    migration = importlib.import_module("inventory.migrations.0003_dataset_priority_score")
    migration.fill_priority_scores(apps, connection.schema_editor())

    assert dict(Dataset.objects.values_list("title", "priority_score")) == {"Critical": 10, "Sensitive": -1}
    assert_every_score_current()


# --- a dataset written while the weights change ------------------------------------------------------------------


def _in_thread(work) -> threading.Thread:
    """Run ``work`` on its own database connection (as another request would), closing it at the end."""

    def run():
        try:
            work()
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite runs one writer at a time")
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("first", ["dataset edit", "new weights"])
def test_a_dataset_edited_while_the_weights_change_ends_with_the_new_weights(city, first):
    """Whichever starts first, the other waits for it, so the stored score is the dataset's new initiative under the
    new weights: not the old weight (the edit scored with weights about to change) nor none (the rescore of all
    reading the dataset as it was before the edit)."""
    compstat = InitiativeFactory(name="CompStat", slug="compstat")
    dataset = DatasetFactory(title="Calls for service")
    PriorityWeights.current()
    started, finish = threading.Event(), threading.Event()

    def edit():
        with transaction.atomic():
            dataset_update(by=None, dataset=dataset, initiatives=[compstat])
            started.set()
            finish.wait(5)

    def reweigh():
        with transaction.atomic():
            priority_weights_update(by=None, initiative=7)
            started.set()
            finish.wait(5)

    holder = _in_thread(edit if first == "dataset edit" else reweigh)
    assert started.wait(5)
    waiter = _in_thread(reweigh if first == "dataset edit" else edit)
    waiter.join(0.5)
    assert waiter.is_alive(), "the second write waits for the first to commit"
    finish.set()
    holder.join(5)
    waiter.join(5)
    assert not holder.is_alive() and not waiter.is_alive()
    assert stored_score(dataset) == 7 == reasoned_score(dataset)
