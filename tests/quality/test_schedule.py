"""When datasets are checked: the slot of a moment per update frequency, and the beat task that queues due runs."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import IntegrityError, transaction

from inventory.models import Frequency, Status
from quality.models import DatasetQualitySettings, QualityRun, RunState, SourceUpload, Trigger
from quality.services import describe_period, next_slot, schedule_due, slot_for
from tests.inventory.factories import DatasetFactory, DistributionFactory

CITY = ZoneInfo("America/New_York")


def local(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=CITY)


# Thursday 12 November 2026, 15:47 in the city.
NOW = local(2026, 11, 12, 15, 47, 30)


@pytest.mark.parametrize(
    ("frequency", "slot", "following"),
    [
        (Frequency.CONTINUOUS, local(2026, 11, 12, 15), local(2026, 11, 12, 16)),
        (Frequency.HOURLY, local(2026, 11, 12, 15), local(2026, 11, 12, 16)),
        (Frequency.DAILY, local(2026, 11, 12), local(2026, 11, 13)),
        (Frequency.SEMIWEEKLY, local(2026, 11, 12), local(2026, 11, 16)),  # Thursday, then Monday
        (Frequency.WEEKLY, local(2026, 11, 9), local(2026, 11, 16)),  # Monday
        (Frequency.BIWEEKLY, local(2026, 11, 9), local(2026, 11, 23)),
        (Frequency.SEMIMONTHLY, local(2026, 11, 1), local(2026, 11, 16)),
        (Frequency.MONTHLY, local(2026, 11, 1), local(2026, 12, 1)),
        (Frequency.BIMONTHLY, local(2026, 11, 1), local(2027, 1, 1)),
        (Frequency.QUARTERLY, local(2026, 10, 1), local(2027, 1, 1)),
        (Frequency.SEMIANNUAL, local(2026, 7, 1), local(2027, 1, 1)),
        (Frequency.ANNUAL, local(2026, 1, 1), local(2027, 1, 1)),
        (Frequency.BIENNIAL, local(2026, 1, 1), local(2027, 1, 1)),
        (Frequency.DECENNIAL, local(2026, 1, 1), local(2027, 1, 1)),
        (Frequency.IRREGULAR, local(2026, 11, 9), local(2026, 11, 16)),  # weekly by default
        ("R/P5D", local(2026, 11, 9), local(2026, 11, 16)),  # unknown: weekly too
    ],
)
def test_slot_and_next_slot_per_frequency(frequency, slot, following):
    assert slot_for(frequency, NOW) == slot
    assert next_slot(frequency, slot) == following
    assert slot_for(frequency, following - datetime.timedelta(microseconds=1)) == slot


def test_slots_follow_the_city_clock_not_utc():
    """01:30 UTC on 13 November is still the 12th in New York: the daily slot is the 12th's local midnight."""
    late_evening = datetime.datetime(2026, 11, 13, 1, 30, tzinfo=datetime.UTC)
    assert slot_for(Frequency.DAILY, late_evening) == local(2026, 11, 12)
    assert slot_for(Frequency.DAILY, late_evening).utcoffset() == datetime.timedelta(hours=-5)


def test_daily_slots_across_the_change_to_summer_time():
    assert slot_for(Frequency.DAILY, local(2026, 3, 8, 12)) == local(2026, 3, 8)
    assert next_slot(Frequency.DAILY, local(2026, 3, 8)) == local(2026, 3, 9)
    utc = datetime.UTC
    assert local(2026, 3, 9).astimezone(utc) - local(2026, 3, 8).astimezone(utc) == datetime.timedelta(hours=23)


def test_semiweekly_and_semimonthly_halves():
    assert slot_for(Frequency.SEMIWEEKLY, local(2026, 11, 11, 23)) == local(2026, 11, 9)  # Wednesday -> Monday
    assert slot_for(Frequency.SEMIMONTHLY, local(2026, 2, 28)) == local(2026, 2, 16)
    assert next_slot(Frequency.SEMIMONTHLY, local(2026, 12, 16)) == local(2027, 1, 1)


def test_how_often_in_words():
    assert describe_period(Frequency.DAILY) == "every day"
    assert describe_period(Frequency.QUARTERLY) == "on the 1st of each quarter"
    assert "no regular update frequency" in describe_period(Frequency.IRREGULAR)


# --- the beat task's service ------------------------------------------------------------------------------------


@pytest.fixture
def datasets(db, city):
    daily = DatasetFactory(title="Calls for service", accrual_periodicity=Frequency.DAILY, department=city["police"])
    DistributionFactory(dataset=daily)
    monthly = DatasetFactory(title="Budget", accrual_periodicity=Frequency.MONTHLY, department=city["fire"])
    DistributionFactory(dataset=monthly, download_url="", access_url="https://data.example.gov/api/budget")
    uploaded = DatasetFactory(title="Trees", accrual_periodicity=Frequency.ANNUAL, department=city["parks"])
    SourceUpload.objects.create(dataset=uploaded, file="quality/trees.csv", original_name="trees.csv", size=10)
    nothing = DatasetFactory(title="No source", department=city["parks"])
    disabled = DatasetFactory(title="Turned off", department=city["parks"])
    DistributionFactory(dataset=disabled)
    DatasetQualitySettings.objects.create(dataset=disabled, enabled=False)
    retired = DatasetFactory(title="Retired", department=city["parks"], status=Status.RETIRED)
    DistributionFactory(dataset=retired)
    return {"daily": daily, "monthly": monthly, "uploaded": uploaded, "nothing": nothing, "disabled": disabled}


def test_due_runs_are_queued_once_per_slot_and_sent_on_commit(datasets, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        created = schedule_due(by=None, now=NOW)
    assert {run.dataset.title for run in created} == {"Calls for service", "Budget", "Trees"}
    assert len(callbacks) == 3, "each run is sent to a worker when its transaction commits"
    runs = {run.dataset.title: run for run in QualityRun.objects.select_related("dataset")}
    assert runs["Calls for service"].slot == local(2026, 11, 12)
    assert runs["Budget"].slot == local(2026, 11, 1)
    assert runs["Trees"].slot == local(2026, 1, 1)
    assert {run.trigger for run in runs.values()} == {Trigger.SCHEDULED}
    assert {run.state for run in runs.values()} == {RunState.QUEUED}

    with django_capture_on_commit_callbacks() as callbacks:
        assert schedule_due(by=None, now=NOW + datetime.timedelta(minutes=15)) == []
    assert callbacks == []
    assert QualityRun.objects.count() == 3

    # Next day: only the daily dataset is due again.
    tomorrow = schedule_due(by=None, now=NOW + datetime.timedelta(days=1))
    assert [run.dataset.title for run in tomorrow] == ["Calls for service"]


def test_a_run_on_demand_in_the_period_counts(datasets):
    QualityRun.objects.create(dataset=datasets["daily"], slot=NOW - datetime.timedelta(hours=2), trigger=Trigger.MANUAL)
    assert "Calls for service" not in {run.dataset.title for run in schedule_due(by=None, now=NOW)}


def test_one_run_per_dataset_per_slot_is_enforced_by_the_database(datasets):
    QualityRun.objects.create(dataset=datasets["daily"], slot=local(2026, 11, 12))
    with pytest.raises(IntegrityError), transaction.atomic():
        QualityRun.objects.create(dataset=datasets["daily"], slot=local(2026, 11, 12))


def test_turning_checks_back_on_schedules_the_dataset(datasets):
    DatasetQualitySettings.objects.filter(dataset=datasets["disabled"]).update(enabled=True)
    assert "Turned off" in {run.dataset.title for run in schedule_due(by=None, now=NOW)}


def test_a_beat_with_nothing_due_costs_one_query(datasets, django_assert_num_queries):
    schedule_due(by=None, now=NOW)
    with django_assert_num_queries(1):
        assert schedule_due(by=None, now=NOW + datetime.timedelta(minutes=15)) == []
