"""The demo city's goals: a dozen goals with KPIs, three years of monthly history, some on track and some not,
one data suspect; seeded idempotently after the team and the inventory."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from goals.demo import GOALS, HISTORY_MONTHS, goals_demo_seed
from goals.models import Goal, Measure, MeasureTarget, Narrative, Observation
from goals.selectors_dashboard import measure_rows, measures_queryset
from goals.status import Status
from inventory.demo import inventory_demo_seed
from team.demo import demo_city_seed

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 20)


@pytest.fixture
def seeded():
    report = demo_city_seed(with_logins=False)
    inventory_demo_seed(report=report)
    goals_demo_seed(report=report, today=TODAY)
    return report


def _fail_latest_run(identifier: str) -> None:
    """What the quality demo leaves for the CAD incidents: a latest run that failed."""
    from inventory.models import Dataset
    from quality.models import DatasetQuality, Outcome

    DatasetQuality.objects.update_or_create(
        dataset=Dataset.objects.get(identifier=identifier), defaults={"outcome": Outcome.FAIL, "score": 40}
    )


def test_the_demo_goals(seeded):
    """One seeding (it takes seconds) checked from every side: history, targets, status, honesty, narratives."""
    _every_goal_has_a_kpi_with_three_years_of_monthly_history(seeded)
    _the_crash_goal_steps_its_target_down_by_a_fifth()
    _some_kpis_are_on_track_some_not_and_one_is_data_suspect()
    _the_history_is_recorded_honestly_as_entered_not_computed()
    _leads_wrote_narratives_and_the_overtime_goal_stays_internal()


def _every_goal_has_a_kpi_with_three_years_of_monthly_history(seeded):
    assert Goal.objects.count() == len(GOALS)
    for goal in Goal.objects.all():
        assert goal.measures.filter(is_kpi=True).count() == 1, goal
    for measure in Measure.objects.all():
        periods = list(measure.observations.order_by("period").values_list("period", flat=True))
        assert len(periods) == HISTORY_MONTHS
        assert periods[0] == datetime.date(2023, 11, 1)
        assert periods[-1] == datetime.date(2026, 10, 1)
    assert seeded.created["observations"] == HISTORY_MONTHS * Measure.objects.count()


def _the_crash_goal_steps_its_target_down_by_a_fifth():
    crashes = Measure.objects.get(slug="crashes-at-targeted-intersections")
    assert crashes.goal.bold and crashes.goal.public
    targets = list(MeasureTarget.objects.filter(measure=crashes).order_by("period").values_list("value", flat=True))
    assert len(targets) == HISTORY_MONTHS
    assert targets[0] == 62 and targets[-1] == Decimal("49.6")
    assert float(targets[-1]) == pytest.approx(float(targets[0]) * 0.8)


def _some_kpis_are_on_track_some_not_and_one_is_data_suspect():
    _fail_latest_run("rpd-cad-incidents")
    rows = measure_rows(measures_queryset().filter(is_kpi=True))
    statuses = {row.slug: row.status for row in rows}
    assert statuses["crashes-at-targeted-intersections"] == Status.APPROACHING
    assert statuses["pothole-days-to-repair"] == Status.ON_TRACK
    assert statuses["311-days-to-close"] == Status.OFF_TRACK
    assert {Status.ON_TRACK, Status.APPROACHING, Status.OFF_TRACK} <= set(statuses.values())
    assert [row.slug for row in rows if row.data_suspect] == ["police-priority-1-response-time"]


def _the_history_is_recorded_honestly_as_entered_not_computed():
    assert not Observation.objects.exclude(source="upload").exists()
    for measure in Measure.objects.all():
        assert not measure.is_computed
        assert "not computed from the dataset" in measure.method
    assert Measure.objects.get(slug="police-priority-1-response-time").source_dataset.identifier == "rpd-cad-incidents"


def _leads_wrote_narratives_and_the_overtime_goal_stays_internal():
    narrative = Narrative.objects.get(measure__slug="police-priority-1-response-time")
    assert narrative.period == datetime.date(2026, 10, 1)
    assert narrative.author is None or narrative.author.person.roles.filter(role="department_lead").exists()
    overtime = Measure.objects.get(slug="overtime-spending-vs-budget")
    assert not overtime.public and not overtime.goal.public


def test_seeding_twice_adds_nothing_and_keeps_edits(seeded):
    measure = Measure.objects.get(slug="library-visits")
    Measure.objects.filter(pk=measure.pk).update(name="Visits to our libraries")
    Observation.objects.filter(measure=measure).order_by("period").first().delete()
    counts = (Goal.objects.count(), Measure.objects.count(), Observation.objects.count(), Narrative.objects.count())
    report = demo_city_seed(with_logins=False)
    goals_demo_seed(report=report, today=TODAY)
    assert not report.created
    assert (
        Goal.objects.count(),
        Measure.objects.count(),
        Observation.objects.count(),
        Narrative.objects.count(),
    ) == counts
    assert Measure.objects.get(slug="library-visits").name == "Visits to our libraries"
