"""The demo city's goals: a dozen goals with KPIs, three years of monthly history computed from the demo datasets'
data files (or entered by hand where no dataset holds the figure), some on track and some not, one data suspect;
seeded idempotently after the team and the inventory."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from demo.goals import BASELINE_MONTHS, GOALS, HISTORY_MONTHS, goals_demo_seed
from demo.inventory import inventory_demo_seed
from demo.quality import PLANTED, SHOWCASE
from demo.team import demo_city_seed
from goals.models import Goal, Measure, MeasureTarget, Narrative, Observation
from goals.selectors_dashboard import measure_rows, measures_queryset
from goals.services import measures_compute
from goals.status import Status
from quality.models import DatasetQuality, SourceUpload

pytestmark = pytest.mark.django_db

COMPUTED = {
    "crashes-at-targeted-intersections",
    "serious-injury-crashes",
    "police-priority-1-response-time",
    "ems-calls-within-9-minutes",
    "311-days-to-close",
    "pothole-days-to-repair",
    "code-enforcement-backlog",
    "code-cases-opened",
    "library-visits",
    "library-checkouts",
    "fire-response-within-standard",
    "permit-days-to-issue",
}


def _last_full_months(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    index = today.year * 12 + today.month - 1
    first, last = index - HISTORY_MONTHS, index - 1
    return datetime.date(first // 12, first % 12 + 1, 1), datetime.date(last // 12, last % 12 + 1, 1)


@pytest.fixture
def seeded(settings, tmp_path):
    """The demo with its data files, as ``make run`` seeds it (under the test suite they are off unless asked)."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.QUALITY_DEMO_DATA = True
    report = demo_city_seed(with_logins=False)
    inventory_demo_seed(report=report)
    goals_demo_seed(report=report)
    return report


def test_the_demo_goals_are_computed_from_the_demo_data(seeded):
    """One seeding (it takes seconds) checked from every side: history, computation, targets, status, narratives."""
    _every_goal_has_a_kpi_with_three_years_of_monthly_history(seeded)
    _kpis_are_computed_from_the_uploaded_files_and_the_rest_say_they_were_entered()
    _the_crash_kpi_falls_a_fifth_and_its_target_steps_down_a_fifth_from_the_baseline()
    _some_kpis_are_on_track_some_not_and_only_the_cad_one_is_data_suspect()
    _leads_wrote_narratives_and_the_overtime_goal_stays_internal()


def _every_goal_has_a_kpi_with_three_years_of_monthly_history(seeded):
    assert Goal.objects.count() == len(GOALS)
    for goal in Goal.objects.all():
        assert goal.measures.filter(is_kpi=True).count() == 1, goal
    first, last = _last_full_months(timezone.localdate())
    for measure in Measure.objects.all():
        periods = list(measure.observations.order_by("period").values_list("period", flat=True))
        assert len(periods) == HISTORY_MONTHS, measure.slug
        assert (periods[0], periods[-1]) == (first, last), measure.slug
    assert seeded.created["observations"] == HISTORY_MONTHS * Measure.objects.count()


def _kpis_are_computed_from_the_uploaded_files_and_the_rest_say_they_were_entered():
    computed = Measure.objects.exclude(aggregation="")
    assert set(computed.values_list("slug", flat=True)) == COMPUTED
    kpis = Measure.objects.filter(is_kpi=True)
    assert kpis.exclude(aggregation="").count() >= 9
    for measure in computed.select_related("source_dataset"):
        assert set(measure.observations.values_list("source", flat=True)) == {"computed"}, measure.slug
        assert measure.method.startswith("Computed each month from the latest data file of")
        assert measure.source_dataset.title in measure.method and not measure.compute_error
        # Read from the file the quality demo uploaded to the dataset, which its latest quality run checked.
        assert SourceUpload.objects.filter(dataset=measure.source_dataset).exists()
        # Its baseline is the average of its first computed year.
        first_year = list(measure.observations.order_by("period").values_list("value", flat=True)[:BASELINE_MONTHS])
        assert measure.baseline_value == pytest.approx(sum(first_year) / BASELINE_MONTHS, abs=Decimal("0.05"))
    for measure in Measure.objects.filter(aggregation=""):
        assert set(measure.observations.values_list("source", flat=True)) == {"upload"}, measure.slug
        assert "not computed from a dataset" in measure.method
    # Computing again from the same files changes nothing: the values are what the data says.
    crashes = Measure.objects.get(slug="crashes-at-targeted-intersections").source_dataset
    results = measures_compute(by=None, dataset=crashes)
    assert [(r.created, r.updated, r.unchanged) for r in results] == [(0, 0, HISTORY_MONTHS)] * 2


def _the_crash_kpi_falls_a_fifth_and_its_target_steps_down_a_fifth_from_the_baseline():
    crashes = Measure.objects.get(slug="crashes-at-targeted-intersections")
    assert crashes.goal.bold and crashes.goal.public
    assert crashes.filters == [{"column": "targeted_intersection", "op": "=", "value": "Yes"}]
    values = list(crashes.observations.order_by("period").values_list("value", flat=True))
    assert 0.15 <= 1 - float(values[-1]) / float(values[0]) <= 0.25
    targets = list(MeasureTarget.objects.filter(measure=crashes).order_by("period").values_list("value", flat=True))
    assert len(targets) == HISTORY_MONTHS
    assert targets[0] == round(crashes.baseline_value, 1)
    assert targets[-1] == crashes.target_value == round(crashes.baseline_value * Decimal("0.8"), 1)
    assert targets == sorted(targets, reverse=True)


def _some_kpis_are_on_track_some_not_and_only_the_cad_one_is_data_suspect():
    rows = measure_rows(measures_queryset().filter(is_kpi=True))
    statuses = {row.slug: row.status for row in rows}
    assert statuses["crashes-at-targeted-intersections"] == Status.APPROACHING
    assert statuses["pothole-days-to-repair"] == Status.ON_TRACK
    assert statuses["ems-calls-within-9-minutes"] == Status.ON_TRACK
    assert statuses["library-visits"] == Status.APPROACHING
    assert statuses["311-days-to-close"] == Status.OFF_TRACK
    assert statuses["code-enforcement-backlog"] == Status.OFF_TRACK
    assert statuses["police-priority-1-response-time"] == Status.OFF_TRACK
    assert statuses["fire-response-within-standard"] == Status.APPROACHING
    assert statuses["permit-days-to-issue"] == Status.ON_TRACK
    assert [row.slug for row in rows if row.data_suspect] == ["police-priority-1-response-time"]
    # Because the CAD incidents' latest quality run failed, while every other measure's dataset passes.
    sources = set(Measure.objects.exclude(source_dataset=None).values_list("source_dataset__identifier", flat=True))
    assert set(PLANTED) & sources == {SHOWCASE}
    judged = dict(
        DatasetQuality.objects.filter(dataset__identifier__in=sources).values_list("dataset__identifier", "outcome")
    )
    assert judged.pop(SHOWCASE) == "fail"
    assert set(judged.values()) == {"pass"}


def _leads_wrote_narratives_and_the_overtime_goal_stays_internal():
    narrative = Narrative.objects.get(measure__slug="police-priority-1-response-time")
    assert narrative.period == _last_full_months(timezone.localdate())[1]
    assert narrative.author is None or narrative.author.person.roles.filter(role="department_lead").exists()
    overtime = Measure.objects.get(slug="overtime-spending-vs-budget")
    assert not overtime.public and not overtime.goal.public and not overtime.is_computed


def test_seeding_twice_adds_nothing_and_keeps_edits(seeded):
    measure = Measure.objects.get(slug="library-visits")
    Measure.objects.filter(pk=measure.pk).update(name="Visits to our libraries")
    Observation.objects.filter(measure=measure).order_by("period").first().delete()
    counts = (Goal.objects.count(), Measure.objects.count(), Observation.objects.count(), Narrative.objects.count())
    uploads = SourceUpload.objects.count()
    report = demo_city_seed(with_logins=False)
    goals_demo_seed(report=report)
    assert not report.created
    assert (
        Goal.objects.count(),
        Measure.objects.count(),
        Observation.objects.count(),
        Narrative.objects.count(),
    ) == counts
    assert SourceUpload.objects.count() == uploads
    assert Measure.objects.get(slug="library-visits").name == "Visits to our libraries"


def test_without_data_files_computed_measures_are_defined_and_wait_for_their_data():
    """Under the test suite the quality demo writes no data files (unless asked): the computed measures are
    defined but have no values (nothing is fetched), and the measures entered by hand have their history."""
    today = datetime.date(2026, 11, 20)
    report = demo_city_seed(with_logins=False)
    inventory_demo_seed(report=report)
    goals_demo_seed(report=report, today=today)
    assert not SourceUpload.objects.exists()
    computed = Measure.objects.exclude(aggregation="")
    assert set(computed.values_list("slug", flat=True)) == COMPUTED
    assert not Observation.objects.filter(measure__in=computed).exists()
    assert not computed.exclude(compute_error="").exists() and not computed.exclude(computed_at=None).exists()
    for measure in Measure.objects.filter(aggregation=""):
        periods = list(measure.observations.order_by("period").values_list("period", flat=True))
        assert (len(periods), periods[0], periods[-1]) == (HISTORY_MONTHS, *_last_full_months(today))
    assert report.created["observations"] == HISTORY_MONTHS * (Measure.objects.count() - len(COMPUTED))
    # The crash goal's glide path still steps down a fifth, from the planned 2023 level.
    crashes = Measure.objects.get(slug="crashes-at-targeted-intersections")
    targets = list(MeasureTarget.objects.filter(measure=crashes).order_by("period").values_list("value", flat=True))
    assert (len(targets), targets[0], targets[-1]) == (HISTORY_MONTHS, 62, Decimal("49.6"))
    statuses = {row.slug: row.status for row in measure_rows(measures_queryset().filter(is_kpi=True))}
    assert statuses["crashes-at-targeted-intersections"] == Status.NO_DATA
