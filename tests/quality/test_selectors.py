"""Named reads of quality: who reads what, the list's states, and the quality pages' figures."""

from __future__ import annotations

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from inventory.models import Dataset, Status
from quality import selectors
from quality.models import Outcome, QualityRun
from team.access import actor_for
from tests.inventory.factories import DatasetFactory, PublicDatasetFactory

from .factories import QualityRunFactory, judged


def test_quality_states_partition_the_datasets(users, city):
    police = city["police"]
    passing = judged(DatasetFactory(department=police), outcome=Outcome.PASS).dataset
    warning = judged(DatasetFactory(department=police), outcome=Outcome.WARN, score=90).dataset
    failing = judged(DatasetFactory(department=police), outcome=Outcome.FAIL, score=40, stale=True).dataset
    erring = judged(DatasetFactory(department=police), outcome=Outcome.ERROR, score=None).dataset
    unchecked = DatasetFactory(department=police)
    actor = actor_for(users["stat_analyst"])

    def state(value):
        return set(selectors.datasets_in_quality_state(Dataset.objects.all(), actor, value))

    assert state("failing") == {failing, erring}
    assert state("warning") == {warning}
    assert state("passing") == {passing}
    assert state("stale") == {failing}
    assert state("not-checked") == {unchecked}
    assert state("anything else") == {passing, warning, failing, erring, unchecked}


def test_a_lead_reads_the_state_of_their_departments_datasets_only(users, city):
    ours = judged(DatasetFactory(department=city["police"]), outcome=Outcome.FAIL).dataset
    judged(PublicDatasetFactory(department=city["parks"]), outcome=Outcome.FAIL)
    actor = actor_for(users["police_lead"])
    assert set(selectors.datasets_in_quality_state(Dataset.objects.all(), actor, "failing")) == {ours}
    rows = {d.pk: d.quality_readable for d in selectors.with_quality_badge(Dataset.objects.all(), actor)}
    assert rows == {ours.pk: True, **{pk: False for pk in rows if pk != ours.pk}}


def test_the_overview_counts_inventoried_datasets_only(users, city):
    judged(DatasetFactory(department=city["police"]), outcome=Outcome.PASS)
    judged(DatasetFactory(department=city["police"]), outcome=Outcome.WARN, score=80)
    judged(DatasetFactory(department=city["police"], status=Status.RETIRED), outcome=Outcome.FAIL)
    DatasetFactory(department=city["parks"])
    overview = selectors.quality_overview(actor_for(users["stat_lead"]))
    assert (overview.total, overview.passing, overview.warning, overview.failing, overview.not_checked) == (
        3,
        1,
        1,
        0,
        1,
    )
    assert overview.passing_share == 100  # warnings still pass
    assert [row.name for row in overview.departments] == ["Parks & Recreation", "Police"]


def test_runs_per_week_buckets_monday_to_sunday_and_keeps_empty_weeks(city):
    dataset = DatasetFactory(department=city["police"])
    now = timezone.make_aware(datetime.datetime(2026, 3, 4, 12, 0))  # a Wednesday
    monday = timezone.make_aware(datetime.datetime(2026, 3, 2, 9, 0))
    sunday_before = timezone.make_aware(datetime.datetime(2026, 3, 1, 22, 0))
    QualityRunFactory(dataset=dataset, slot=monday, outcome="fail")
    QualityRunFactory(dataset=dataset, slot=monday + datetime.timedelta(hours=1), outcome="pass")
    QualityRunFactory(dataset=dataset, slot=sunday_before, outcome="pass")
    QualityRunFactory(dataset=dataset, slot=now - datetime.timedelta(weeks=40), outcome="pass")  # too old
    weeks = selectors.runs_per_week(QualityRun.objects.all(), now=now, weeks=4)
    assert [week.start for week in weeks] == [
        datetime.date(2026, 2, 9),
        datetime.date(2026, 2, 16),
        datetime.date(2026, 2, 23),
        datetime.date(2026, 3, 2),
    ]
    assert weeks[-1].counts == {"fail": 1, "pass": 1}
    assert weeks[-2].counts == {"pass": 1}
    assert weeks[0].total == 0


def test_the_dataset_panel_reads_the_same_whether_or_not_the_page_joined_the_judgement(users, city):
    """The dataset page joins the judgement and latest run into its own query; any other caller gets them read."""
    from quality.models import DatasetQualitySettings

    dataset = DatasetFactory(department=city["police"])
    judged(dataset, outcome=Outcome.FAIL, score=40)
    waiting = QualityRunFactory(dataset=dataset, state="queued", outcome="", score=None)
    actor = actor_for(users["stat_analyst"])
    plain_row = Dataset.objects.get(pk=dataset.pk)
    joined_row = Dataset.objects.select_related("quality__latest_run").get(pk=dataset.pk)
    with CaptureQueriesContext(connection) as plain_queries:
        plain = selectors.dataset_panel(plain_row, actor)
    with CaptureQueriesContext(connection) as joined_queries:
        joined = selectors.dataset_panel(joined_row, actor)
    assert len(joined_queries) == len(plain_queries) - 1  # the judgement came with the row
    for panel in (plain, joined):
        assert panel.quality.score == 40 and panel.latest.outcome == Outcome.FAIL
        assert panel.active == waiting and [point.score for point in panel.trend] == [40]
        assert panel.settings is None
    DatasetQualitySettings.objects.create(dataset=dataset, date_column="opened")
    assert selectors.dataset_panel(joined_row, actor).settings.date_column == "opened"
    never = DatasetFactory(department=city["police"])
    row = Dataset.objects.select_related("quality__latest_run").get(pk=never.pk)
    empty = selectors.dataset_panel(row, actor)
    assert empty.quality is None and empty.latest is None and empty.trend == [] and empty.active is None
