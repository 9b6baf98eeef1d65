"""The goals services enforce who may, whoever calls them (the pages, the API, an import): each refuses an
unauthorised acting user with PermissionDenied and writes nothing; ``by=None`` is the system (tasks, the demo)."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from goals.access import can_compute_measure, can_define_goals, can_record_observations, can_write_narratives
from goals.models import Goal, Measure, MeasureTarget, Narrative, Observation
from goals.services import (
    goal_create,
    goal_update,
    measure_compute_request,
    measure_create,
    measure_target_set,
    measure_update,
    narrative_save,
    observation_record,
    observations_import,
)
from team.access import actor_for
from tests.inventory.factories import DatasetFactory

from .factories import GoalFactory, MeasureFactory, priority

pytestmark = pytest.mark.django_db

PERIOD = datetime.date(2026, 1, 1)
NOT_DEFINERS = ["police_lead", "police_contact", "budget_analyst", "data_expert", "parks_contact"]


@pytest.fixture
def police_goal(city):
    return GoalFactory(statement="Cut crashes by 20%", departments=[city["police"]])


@pytest.fixture
def manual(police_goal, city):
    return MeasureFactory(goal=police_goal, department=city["police"], name="Crashes", slug="crashes")


@pytest.fixture
def computed(police_goal, city):
    dataset = DatasetFactory(identifier="pd-calls", title="Calls", department=city["police"])
    return MeasureFactory(
        goal=police_goal,
        department=city["police"],
        slug="calls",
        source_dataset=dataset,
        aggregation="count",
        date_column="received",
    )


# --- defining goals, measures and targets --------------------------------------------------------------------------


@pytest.mark.parametrize("persona", NOT_DEFINERS)
def test_only_definers_create_and_change_goals(users, city, police_goal, persona):
    by = users[persona]
    assert not can_define_goals(actor_for(by))
    with pytest.raises(PermissionDenied):
        goal_create(by=by, priority=priority(), statement="Plant 1,000 trees", departments=[city["parks"]])
    with pytest.raises(PermissionDenied):
        goal_update(goal=police_goal, by=by, statement="Cut crashes by half")
    assert not Goal.objects.filter(statement="Plant 1,000 trees").exists()
    police_goal.refresh_from_db()
    assert police_goal.statement == "Cut crashes by 20%"


@pytest.mark.parametrize("persona", NOT_DEFINERS)
def test_only_definers_create_and_change_measures_and_targets(users, city, police_goal, manual, persona):
    by = users[persona]
    with pytest.raises(PermissionDenied):
        measure_create(by=by, goal=police_goal, department=city["police"], name="Tickets", description="x", unit="n")
    with pytest.raises(PermissionDenied):
        measure_update(measure=manual, by=by, unit="crashes a week")
    with pytest.raises(PermissionDenied):
        measure_target_set(measure=manual, by=by, period=PERIOD, value=Decimal(5))
    assert not Measure.objects.filter(name="Tickets").exists()
    manual.refresh_from_db()
    assert manual.unit == "crashes"
    assert not MeasureTarget.objects.exists()


@pytest.mark.parametrize("persona", ["principal", "stat_lead", "stat_analyst"])
def test_definers_and_the_system_define(users, city, police_goal, manual, persona):
    for by in (users[persona], None):
        goal = goal_create(by=by, priority=priority(), statement=f"Goal by {by}", departments=[city["police"]])
        goal_update(goal=goal, by=by, bold=True)
        measure_update(measure=manual, by=by, unit=f"crashes ({by})")
        measure_target_set(measure=manual, by=by, period=PERIOD, value=Decimal(5))
    assert Goal.objects.filter(bold=True).count() == 2


# --- recording values ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["principal", "budget_analyst", "data_expert", "parks_contact"])
def test_only_the_measures_writers_record_its_values(users, manual, persona):
    by = users[persona]
    assert not can_record_observations(actor_for(by), manual)
    with pytest.raises(PermissionDenied):
        observation_record(measure=manual, period=PERIOD, value=Decimal(3), by=by)
    with pytest.raises(PermissionDenied):
        observations_import(measure=manual, rows=[{"period": "2026-01", "value": "3"}], by=by)
    assert not Observation.objects.exists()


@pytest.mark.parametrize("persona", ["stat_lead", "stat_analyst", "police_lead", "police_contact"])
def test_the_measures_writers_record_its_values(users, manual, persona):
    observation_record(measure=manual, period=PERIOD, value=Decimal(3), by=users[persona])
    result = observations_import(measure=manual, rows=[{"period": "2026-02", "value": "4"}], by=users[persona])
    assert result.created == 1
    assert Observation.objects.filter(measure=manual).count() == 2


# --- narratives ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["principal", "police_contact", "budget_analyst", "data_expert", "parks_contact"])
def test_only_the_departments_lead_and_the_stat_team_write_narratives(users, manual, persona):
    by = users[persona]
    assert not can_write_narratives(actor_for(by), manual)
    with pytest.raises(PermissionDenied):
        narrative_save(measure=manual, period=PERIOD, what_happened="Fewer crashes.", by=by)
    assert not Narrative.objects.exists()
    narrative_save(measure=manual, period=PERIOD, what_happened="Fewer crashes.", by=users["police_lead"])
    assert Narrative.objects.get().author == users["police_lead"]


# --- compute now ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["budget_analyst", "data_expert", "parks_contact"])
def test_only_definers_and_the_measures_writers_compute_it(
    users, computed, persona, django_capture_on_commit_callbacks
):
    by = users[persona]
    assert not can_compute_measure(actor_for(by), computed)
    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(PermissionDenied):
        measure_compute_request(measure=computed, by=by)
    assert callbacks == []
    with django_capture_on_commit_callbacks() as callbacks:
        measure_compute_request(measure=computed, by=users["police_contact"])
        measure_compute_request(measure=computed, by=users["principal"])
    assert len(callbacks) == 2
