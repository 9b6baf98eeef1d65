"""The inventory pages added after the first axe sweep (tests/browser/test_axe_pages.py): deleting a dataset, the
list sorted from its column headers and the history with dictionary and distribution changes, each through axe-core
as the persona who would see it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from .axe import assert_accessible

pytestmark = pytest.mark.browser


def _dataset(personas, city, *, identifier: str, published: bool = False):
    """A Police dataset with a distribution and a dictionary whose second version changed both (created here and
    committed, so the live server sees it)."""
    from inventory.models import Dataset
    from inventory.services.datasets import dataset_save

    dataset = Dataset.objects.filter(identifier=identifier).first()
    if dataset is not None:
        return dataset
    dataset = dataset_save(
        by=personas["stat_analyst"],
        identifier=identifier,
        title="Calls for service",
        description="Every call for service, from the dispatch system.",
        department=city["police"],
        rights="Holds callers' names and addresses.",
        keywords=["calls"],
        distributions=[
            {"title": "CSV", "download_url": "https://data.example.gov/calls.csv", "media_type": "text/csv"}
        ],
        dictionary=[{"name": "call_id", "type": "integer"}, {"name": "priority", "type": "string"}],
    )
    fields = {f.name: f.pk for f in dataset.fields.all()}
    return dataset_save(
        dataset=dataset,
        by=personas["stat_lead"],
        published=published,
        reason="Priority is a number",
        distributions=[
            {"title": "CSV", "download_url": "https://data.example.gov/calls-2.csv", "media_type": "text/csv"}
        ],
        dictionary=[
            {"id": fields["call_id"], "name": "call_id", "type": "integer", "required": True},
            {"id": fields["priority"], "name": "priority", "type": "integer"},
            {"name": "beat", "type": "string"},
        ],
    )


CASES = [
    ("stat_analyst", lambda p, c: reverse("inventory:dataset_delete", args=[_dataset(p, c, identifier="axe-del").pk])),
    (
        "stat_lead",
        lambda p, c: reverse(
            "inventory:dataset_delete", args=[_dataset(p, c, identifier="axe-del-pub", published=True).pk]
        ),
    ),
    ("stat_analyst", lambda p, c: reverse("inventory:dataset_history", args=[_dataset(p, c, identifier="axe-h").pk])),
    ("stat_lead", lambda p, c: _dataset(p, c, identifier="axe-sort") and "/inventory/?sort=-updated&department=police"),
]


@pytest.mark.parametrize(("persona", "url"), CASES, ids=["delete", "delete-published", "history-parts", "sorted"])
def test_page_passes_axe(page, open_as, personas, city, persona, url):
    response = open_as(page, persona, url(personas, city))
    assert response.status == 200, page.url
    assert_accessible(page)
