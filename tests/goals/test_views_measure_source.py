"""A measure's page names its source dataset, and links to it only for a reader who may open it: a department lead
reads another department's public measure, not that department's datasets that are not public."""

import pytest
from django.urls import reverse

from quality.models import Outcome
from tests.goals.factories import GoalFactory, MeasureFactory
from tests.inventory.factories import DatasetFactory
from tests.pages import parse, text_of
from tests.quality.factories import judged

pytestmark = pytest.mark.django_db


@pytest.fixture
def parks_measure(city):
    staffing = DatasetFactory(department=city["parks"], title="Park staffing", identifier="prd-staffing")
    judged(staffing, outcome=Outcome.FAIL, score=20)  # data suspect: the page names the dataset twice
    goal = GoalFactory(statement="Staff every park", public=True, departments=[city["parks"]])
    measure = MeasureFactory(
        goal=goal, department=city["parks"], slug="prd-staffed", is_kpi=True, public=True, source_dataset=staffing
    )
    return measure, staffing


@pytest.mark.parametrize(("persona", "linked"), [("stat_lead", True), ("parks_contact", True), ("police_lead", False)])
def test_the_source_dataset_is_linked_only_for_those_who_may_open_it(as_persona, parks_measure, persona, linked):
    measure, staffing = parks_measure
    client = as_persona(persona)
    response = client.get(reverse("goals:measure", args=[measure.slug]))
    assert response.status_code == 200
    dataset_url = reverse("inventory:dataset", args=[staffing.pk])
    assert (parse(response).find("a", href=dataset_url) is not None) == linked
    assert (client.get(dataset_url).status_code == 200) == linked
    text = text_of(response)
    if linked:
        assert "Source: Park staffing" in text
    else:
        assert "Source: a city dataset that is not published" in text and "Park staffing" not in text
        assert "the latest quality check of its source dataset failed" in text
