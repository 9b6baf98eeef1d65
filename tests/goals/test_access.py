"""Who reads and writes measures (goals.access.MEASURES) and who defines goals (goals.access.can_define_goals)."""

import datetime

import pytest

from goals.access import (
    MEASURES,
    can_define_goals,
    can_read_measures,
    goals_readable_by,
    measures_readable_by,
    observations_readable_by,
)
from goals.models import Measure
from team.access import actor_for
from team.models import Role
from tests.factories import DepartmentFactory, person_with_login

from .factories import GoalFactory, MeasureFactory, ObservationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def measures(city):
    police_goal = GoalFactory(departments=[city["police"]], public=True)
    parks_goal = GoalFactory(departments=[city["parks"]])
    made = {
        "police_public": MeasureFactory(goal=police_goal, department=city["police"], public=True, slug="pp"),
        "police_private": MeasureFactory(goal=police_goal, department=city["police"], slug="pr"),
        "fire": MeasureFactory(goal=police_goal, department=city["fire"], slug="fire"),
        "parks": MeasureFactory(goal=parks_goal, department=city["parks"], slug="parks"),
        # Public measure of a goal that is not public: not public.
        "parks_public_measure": MeasureFactory(goal=parks_goal, department=city["parks"], public=True, slug="ppm"),
    }
    for measure in made.values():
        ObservationFactory(measure=measure, period=datetime.date(2026, 1, 1))
    return made


ALL = {"police_public", "police_private", "fire", "parks", "parks_public_measure"}


@pytest.mark.parametrize(
    ("persona", "readable", "writable"),
    [
        ("principal", ALL, set()),
        ("stat_lead", ALL, ALL),
        ("stat_analyst", ALL, ALL),
        ("data_expert", ALL, set()),
        ("police_lead", {"police_public", "police_private"}, {"police_public", "police_private"}),
        ("police_contact", {"police_public", "police_private"}, {"police_public", "police_private"}),
        ("parks_contact", {"police_public", "parks", "parks_public_measure"}, {"parks", "parks_public_measure"}),
        ("budget_analyst", {"police_public", "police_private", "fire"}, set()),
        ("anonymous", {"police_public"}, set()),
    ],
)
def test_measures_policy(users, measures, persona, readable, writable):
    from django.contrib.auth.models import AnonymousUser

    user = AnonymousUser() if persona == "anonymous" else users[persona]
    actor = actor_for(user)
    names = {measure.pk: name for name, measure in measures.items()}
    assert {names[m.pk] for m in measures_readable_by(actor)} == readable
    assert {names[m.pk] for m in MEASURES.writable(actor, Measure.objects.all())} == writable
    assert {names[o.measure_id] for o in observations_readable_by(actor)} == readable


def test_a_seat_at_the_table_reads_every_measure_and_writes_none(city, measures):
    user = person_with_login(Role.CHIEF_OF_STAFF, username="cos@example.gov")
    assert measures_readable_by(actor_for(user)).count() == len(measures)
    assert not MEASURES.writable(actor_for(user), Measure.objects.all()).exists()


@pytest.mark.parametrize(
    ("persona", "allowed"),
    [
        ("principal", True),
        ("stat_lead", True),
        ("stat_analyst", True),
        ("police_lead", False),
        ("police_contact", False),
        ("budget_analyst", False),
        ("data_expert", False),
    ],
)
def test_only_the_principal_and_the_stat_team_define_goals(users, persona, allowed):
    assert can_define_goals(actor_for(users[persona])) is allowed


def test_every_role_reads_measures_and_nobody_without_one_does(users):
    assert all(can_read_measures(actor_for(user)) for user in users.values())
    nobody = person_with_login(None, username="nobody@example.gov")
    assert not can_read_measures(actor_for(nobody))


def test_goals_visible_to_a_department_its_own_public_and_those_it_measures_once_each(users, city, measures):
    shared = GoalFactory(departments=[city["police"], city["fire"]])
    other = GoalFactory(departments=[DepartmentFactory(name="Library", slug="library", code="LIB")])
    MeasureFactory(goal=other, department=city["police"], slug="police-on-library-goal")
    seen = list(goals_readable_by(actor_for(users["police_lead"])))
    assert len(seen) == len(set(seen))
    assert set(seen) == {measures["police_public"].goal, shared, other}
    assert set(goals_readable_by(actor_for(None))) == {measures["police_public"].goal}
