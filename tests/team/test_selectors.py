import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from team.models import DataSpeciality, Role
from team.selectors import (
    people,
    person_assignments,
    portfolios_with_analysts,
    program_staff,
    roster,
    team_gaps,
)
from team.services import department_update, role_assign, role_end
from tests.factories import DepartmentFactory, PersonFactory, PortfolioFactory

pytestmark = pytest.mark.django_db


def staff(department, *, lead=True, contact=True):
    if lead:
        role_assign(
            by=None, person=PersonFactory(department=department), role=Role.DEPARTMENT_LEAD, department=department
        )
    if contact:
        role_assign(
            by=None, person=PersonFactory(department=department), role=Role.DEPARTMENT_CONTACT, department=department
        )


def build_city(departments: int, *, portfolios: int = 2):
    """A fully staffed city: every department has a lead and a contact, every portfolio a budget analyst."""
    groups = [PortfolioFactory() for _ in range(portfolios)]
    for portfolio in groups:
        role_assign(by=None, person=PersonFactory(), role=Role.BUDGET_ANALYST, portfolio=portfolio)
    for n in range(departments):
        department = DepartmentFactory(portfolio=groups[n % portfolios])
        staff(department)
        if n % 3 == 0:
            DepartmentFactory(parent=department, portfolio=department.portfolio)
    role_assign(by=None, person=PersonFactory(), role=Role.PRINCIPAL)
    role_assign(by=None, person=PersonFactory(), role=Role.STAT_LEAD)
    role_assign(by=None, person=PersonFactory(), role=Role.DATA_EXPERT, speciality=DataSpeciality.GIS)


# --- team_gaps ---------------------------------------------------------------------------------------------------


def test_no_gaps_in_a_fully_staffed_city():
    build_city(4)

    gaps = team_gaps()

    assert gaps.count == 0


def test_team_gaps_finds_each_kind_of_gap():
    safety = PortfolioFactory(name="Public Safety")
    empty = PortfolioFactory(name="Community Services")
    role_assign(by=None, person=PersonFactory(), role=Role.BUDGET_ANALYST, portfolio=safety)
    police = DepartmentFactory(name="Police", code="PD", portfolio=safety)
    fire = DepartmentFactory(name="Fire", code="FD", portfolio=safety)
    library = DepartmentFactory(name="Library", code="LIB", portfolio=None)
    staff(police)
    staff(fire, lead=False)
    staff(library, contact=False)

    gaps = team_gaps()

    assert gaps.departments_without_lead == [fire]
    assert gaps.departments_without_contact == [library]
    assert gaps.portfolios_without_analyst == [empty]
    assert gaps.departments_without_portfolio == [library]
    assert gaps.count == 4


def test_an_ended_or_future_role_leaves_a_gap():
    police = DepartmentFactory(name="Police", code="PD", portfolio=PortfolioFactory())
    fire = DepartmentFactory(name="Fire", code="FD", portfolio=police.portfolio)
    role_assign(by=None, person=PersonFactory(), role=Role.BUDGET_ANALYST, portfolio=police.portfolio)
    staff(police, lead=False)
    staff(fire, lead=False)
    ended = role_assign(
        by=None,
        person=PersonFactory(),
        role=Role.DEPARTMENT_LEAD,
        department=police,
        starts_on=datetime.date(2023, 1, 2),
    )
    role_end(by=None, assignment=ended)
    role_assign(
        by=None,
        person=PersonFactory(),
        role=Role.DEPARTMENT_LEAD,
        department=fire,
        starts_on=timezone.localdate() + datetime.timedelta(days=7),
    )

    assert team_gaps().departments_without_lead == [fire, police]


def test_divisions_and_inactive_departments_are_not_gaps():
    police = DepartmentFactory(name="Police", code="PD", portfolio=PortfolioFactory())
    role_assign(by=None, person=PersonFactory(), role=Role.BUDGET_ANALYST, portfolio=police.portfolio)
    staff(police)
    DepartmentFactory(name="Patrol", code="PD-P", parent=police)  # a division, unstaffed, in no portfolio
    closed = DepartmentFactory(name="Closed Office", code="CLO")
    department_update(by=None, department=closed, active=False)

    assert team_gaps().count == 0


def test_team_gaps_costs_four_queries_whatever_the_size(django_assert_num_queries):
    build_city(12)
    with django_assert_num_queries(4):
        team_gaps()


# --- roster and friends: a fixed number of queries --------------------------------------------------------------


def queries_for(read) -> int:
    with CaptureQueriesContext(connection) as captured:
        read()
    return len(captured)


def read_roster():
    for department in roster():
        for assignment in department.current_assignments:
            str(assignment.person)
        if department.portfolio:
            for assignment in department.portfolio.current_assignments:
                str(assignment.person)
        str(department.parent)


def read_staff():
    for assignment in program_staff():
        str(assignment.person)


def read_portfolios():
    for portfolio in portfolios_with_analysts():
        [str(a.person) for a in portfolio.current_assignments]
        [str(d) for d in portfolio.active_departments]


def read_people():
    for person in people():
        str(person.department)
        str(person.user)
        [str(a.scope) for a in person.current_assignments]


@pytest.mark.parametrize("read", [read_roster, read_staff, read_portfolios, read_people])
def test_reads_cost_the_same_for_a_small_and_a_larger_city(read, django_assert_max_num_queries):
    build_city(3)
    small = queries_for(read)

    build_city(25, portfolios=4)
    with django_assert_max_num_queries(small):
        read()
    assert small <= 4


def test_roster_lists_active_departments_with_their_current_people():
    safety = PortfolioFactory(name="Public Safety")
    analyst = PersonFactory(full_name="Ethan Caldwell")
    role_assign(by=None, person=analyst, role=Role.BUDGET_ANALYST, portfolio=safety)
    police = DepartmentFactory(name="Police", code="PD", portfolio=safety)
    chief = PersonFactory(full_name="Raymond Castillo")
    role_assign(by=None, person=chief, role=Role.DEPARTMENT_LEAD, department=police)
    old = role_assign(
        by=None,
        person=PersonFactory(full_name="Former Chief"),
        role=Role.DEPARTMENT_LEAD,
        department=police,
        starts_on=datetime.date(2020, 1, 6),
    )
    role_end(by=None, assignment=old)
    closed = DepartmentFactory(name="Closed Office", code="CLO")
    department_update(by=None, department=closed, active=False)

    departments = list(roster())

    assert departments == [police]
    assert [a.person for a in departments[0].current_assignments] == [chief]
    assert [a.person for a in departments[0].portfolio.current_assignments] == [analyst]


def test_people_search_and_department_filter():
    police = DepartmentFactory(name="Police", code="PD")
    dana = PersonFactory(
        full_name="Dana Whitaker", title="Police Data Manager", email="dana@example.gov", department=police
    )
    PersonFactory(full_name="Kevin Doyle", title="Code Enforcement Analyst", email="kevin@example.gov")

    assert list(people("data manager")) == [dana]
    assert list(people("DANA@")) == [dana]
    assert list(people(department=police)) == [dana]
    assert len(people()) == 2


def test_person_assignments_lists_current_and_past_newest_first():
    person = PersonFactory()
    first = role_assign(by=None, person=person, role=Role.STAT_ANALYST, starts_on=datetime.date(2022, 1, 3))
    role_end(by=None, assignment=first)
    second = role_assign(by=None, person=person, role=Role.STAT_LEAD)

    assert list(person_assignments(person)) == [second, first]


def test_a_role_held_by_an_inactive_person_is_a_gap(users, city):
    from team.selectors import team_gaps
    from team.services import person_update

    assert city["police"] not in team_gaps().departments_without_lead
    person_update(by=None, person=users["police_lead"].person, active=False)
    assert city["police"] in team_gaps().departments_without_lead
