"""Named reads: status and data-suspect flags with the latest values, observations for charts, a measure's periods;
each a fixed number of queries."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from goals.selectors import measure_periods, measures_with_status, observations_for
from goals.status import Status
from team.access import actor_for
from tests.inventory.factories import DatasetFactory

from .factories import GoalFactory, MeasureFactory, MeasureTargetFactory, NarrativeFactory, ObservationFactory

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def measures(city):
    from quality.models import DatasetQuality

    goal = GoalFactory(public=True, departments=[city["police"]])
    failing = DatasetFactory(identifier="failing", department=city["police"])
    stale = DatasetFactory(identifier="stale", department=city["police"])
    passing = DatasetFactory(identifier="passing", department=city["police"])
    DatasetQuality.objects.create(dataset=failing, outcome="error")
    DatasetQuality.objects.create(dataset=stale, outcome="pass", stale=True)
    DatasetQuality.objects.create(dataset=passing, outcome="warn")
    # Lower is better, target 100, tolerance 10%.
    on_track = MeasureFactory(goal=goal, slug="on-track", source_dataset=failing, public=True, is_kpi=True)
    approaching = MeasureFactory(goal=goal, slug="approaching", source_dataset=stale)
    off_track = MeasureFactory(goal=goal, slug="off-track", source_dataset=passing, department=city["fire"])
    no_data = MeasureFactory(goal=goal, slug="no-data")
    for measure, (previous, latest) in {on_track: (120, 95), approaching: (95, 108), off_track: (90, 130)}.items():
        ObservationFactory(measure=measure, period=D(2026, 1, 1), value=previous)
        ObservationFactory(measure=measure, period=D(2026, 2, 1), value=latest)
    # A per-period target replaces the standing one for its period only.
    MeasureTargetFactory(measure=approaching, period=D(2026, 1, 1), value=90)
    return {m.slug: m for m in (on_track, approaching, off_track, no_data)}


def test_status_previous_status_and_data_suspect(users, measures):
    rows = {m.slug: m for m in measures_with_status(actor_for(users["stat_lead"]))}
    assert {slug: m.status for slug, m in rows.items()} == {
        "on-track": Status.ON_TRACK,
        "approaching": Status.APPROACHING,
        "off-track": Status.OFF_TRACK,
        "no-data": Status.NO_DATA,
    }
    assert rows["approaching"].previous_target == 90 and rows["approaching"].previous_status == Status.APPROACHING
    assert rows["on-track"].previous_status == Status.OFF_TRACK
    assert {slug for slug, m in rows.items() if m.data_suspect} == {"on-track", "approaching"}
    assert rows["off-track"].latest_label == "February 2026" and rows["off-track"].latest_value == 130


def test_scoping_by_department_reader_and_public(users, city, measures):
    assert {m.slug for m in measures_with_status(actor_for(users["stat_lead"]), department=city["fire"])} == {
        "off-track"
    }
    assert {m.slug for m in measures_with_status(actor_for(users["police_lead"]))} == {
        "on-track",
        "approaching",
        "no-data",
    }
    assert [m.slug for m in measures_with_status(actor_for(users["stat_lead"]), public_only=True)] == ["on-track"]


def test_measures_with_status_is_one_query_however_many(users, city, measures):
    actor = actor_for(users["stat_lead"])
    with CaptureQueriesContext(connection) as few:
        measures_with_status(actor)
    for n in range(20):
        measure = MeasureFactory(goal=measures["no-data"].goal, slug=f"more-{n}")
        for month in range(1, 13):
            ObservationFactory(measure=measure, period=D(2025, month, 1))
    with CaptureQueriesContext(connection) as many:
        assert len(measures_with_status(actor)) == 24
    assert len(few) == len(many) == 1


def test_observations_for_charts_in_one_query(measures, django_assert_num_queries):
    with django_assert_num_queries(1):
        points = observations_for(list(measures.values()), since=D(2026, 1, 1))
    assert measures["no-data"].pk not in points and len(points) == 3
    approaching = points[measures["approaching"].pk]
    assert [(p.period, p.value, p.target, p.status) for p in approaching] == [
        (D(2026, 1, 1), Decimal("95"), Decimal("90"), Status.APPROACHING),
        (D(2026, 2, 1), Decimal("108"), Decimal("100"), Status.APPROACHING),
    ]
    assert observations_for(list(measures.values()), since=D(2026, 2, 1))[measures["off-track"].pk][0].value == 130


def test_measure_periods_with_narratives_for_their_readers(users, measures):
    measure = measures["on-track"]
    NarrativeFactory(measure=measure, period=D(2026, 2, 1), what_happened="Better.")
    MeasureTargetFactory(measure=measure, period=D(2026, 3, 1), value=90)
    rows = measure_periods(measure, actor=actor_for(users["police_lead"]))
    assert [(r.label, r.value, r.target, r.status) for r in rows] == [
        ("March 2026", None, Decimal("90"), Status.NO_DATA),
        ("February 2026", Decimal("95"), Decimal("100"), Status.ON_TRACK),
        ("January 2026", Decimal("120"), Decimal("100"), Status.OFF_TRACK),
    ]
    assert rows[1].narrative.what_happened == "Better."
    assert all(r.narrative is None for r in measure_periods(measure, actor=actor_for(users["data_expert"])))


def test_measure_periods_show_notes_only_to_who_reads_the_measure_beyond_its_being_public(users, measures):
    """The measure is public (its goal too), so a Parks contact reads its page; its working notes are Police's."""
    measure = measures["on-track"]
    measure.observations.filter(period=D(2026, 2, 1)).update(note="CAD outage: estimated")
    assert measure_periods(measure, actor=actor_for(users["police_contact"]))[0].note == "CAD outage: estimated"
    assert measure_periods(measure, actor=actor_for(users["parks_contact"]))[0].note == ""
