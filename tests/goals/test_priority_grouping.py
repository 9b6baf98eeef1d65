"""Measures grouped by priority stay together when priorities share a position (a new priority's default 0):
the city dashboard and the public summary show each priority once."""

import pytest

from goals.models import Priority
from goals.selectors_dashboard import by_priority, measure_rows, measures_queryset
from tests.goals.factories import GoalFactory, MeasureFactory

pytestmark = pytest.mark.django_db


def test_priorities_at_the_same_position_are_not_interleaved(city):
    safety = Priority.objects.create(slug="safety-same", name="Safety", position=7)
    streets = Priority.objects.create(slug="streets-same", name="Streets", position=7)
    # Goal statements that interleave the two priorities when sorted on their own.
    for statement, priority in (("A: fewer crashes", safety), ("B: fewer potholes", streets), ("C: faster", safety)):
        MeasureFactory(goal=GoalFactory(priority=priority, statement=statement), department=city["police"])
    groups = [group.name for group in by_priority(measure_rows(measures_queryset().filter(goal__priority__position=7)))]
    assert groups == ["Safety", "Streets"]
