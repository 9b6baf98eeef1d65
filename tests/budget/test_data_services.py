"""The budget data services (bdata): fiscal years from the city's start month and their moves, amounts to the cent,
lines in closed years, measure links within the department (or its parent), and who may write."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from budget.models import BudgetLine, FiscalYear, ProgramMeasure
from budget.services import data
from tests.factories import DepartmentFactory
from tests.goals.factories import MeasureFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("month", "start", "end"),
    [(7, "2026-07-01", "2027-06-30"), (1, "2027-01-01", "2027-12-31"), (10, "2026-10-01", "2027-09-30")],
)
def test_fiscal_year_bounds(settings, month, start, end):
    settings.FISCAL_YEAR_START_MONTH = month
    starts_on, ends_on = data.fiscal_year_bounds(2027)
    assert (starts_on.isoformat(), ends_on.isoformat()) == (start, end)


def test_money_to_the_cent_half_up():
    assert data.money("1.005") == Decimal("1.01")
    assert data.money(Decimal("2.675")) == Decimal("2.68")
    assert data.money("-0.125") == Decimal("-0.13")
    with pytest.raises(ValidationError):
        data.money("NaN")
    with pytest.raises(ValidationError):
        data.money("1e20")


def test_fiscal_year_moves(db):
    year = data.fiscal_year_create(year=2027, by=None)
    with pytest.raises(ValidationError):
        data.fiscal_year_create(year=2027, by=None)
    with pytest.raises(ValidationError):
        data.fiscal_year_set_status(fiscal_year=year, status="closed", by=None)
    year = data.fiscal_year_set_status(fiscal_year=year, status="adopted", by=None)
    assert year.adopted_on is not None
    year = data.fiscal_year_set_status(fiscal_year=year, status="closed", by=None)
    assert FiscalYear.objects.get().status == "closed"


def test_fiscal_years_are_the_citys(users, db):
    data.fiscal_year_create(year=2027, by=users["budget_analyst"])
    for persona in ("stat_analyst", "police_lead", "principal"):
        with pytest.raises(PermissionDenied):
            data.fiscal_year_create(year=2028, by=users[persona])
    assert FiscalYear.objects.count() == 1


@pytest.fixture
def patrol(city):
    fy = data.fiscal_year_create(year=2027, by=None)
    fund = data.fund_save(code="100", name="General Fund", by=None)
    program = data.program_save(department=city["police"], code="PATROL", name="Patrol", by=None)
    return fy, fund, program


def test_line_save_changes_only_what_is_given_and_not_in_closed_years(patrol):
    fy, fund, program = patrol
    line = data.line_save(fiscal_year=fy, fund=fund, program=program, category="personnel", adopted=Decimal("10"),
                          actual=Decimal("4"), by=None)  # fmt: skip
    data.line_save(fiscal_year=fy, fund=fund, program=program, category="personnel", amended=Decimal("12.345"), by=None)
    line.refresh_from_db()
    assert (line.adopted, line.amended, line.actual) == (Decimal("10.00"), Decimal("12.35"), Decimal("4.00"))
    data.fiscal_year_set_status(fiscal_year=fy, status="adopted", by=None)
    fy = data.fiscal_year_set_status(fiscal_year=fy, status="closed", by=None)
    with pytest.raises(ValidationError):
        data.line_save(fiscal_year=fy, fund=fund, program=program, category="personnel", adopted=1, by=None)
    with pytest.raises(ValidationError):
        data.monthly_actual_save(line=line, month=datetime.date(2026, 8, 1), amount=Decimal("1"), by=None)


def test_who_writes_a_departments_budget(users, city, patrol):
    fy, fund, program = patrol
    data.line_save(fiscal_year=fy, fund=fund, program=program, category="capital", adopted=1, by=users["stat_lead"])
    data.line_save(fiscal_year=fy, fund=fund, program=program, category="operating", adopted=1,
                   by=users["budget_analyst"])  # fmt: skip
    for persona in ("police_lead", "stat_analyst", "parks_contact"):
        with pytest.raises(PermissionDenied):
            data.line_save(fiscal_year=fy, fund=fund, program=program, category="personnel", adopted=1,
                           by=users[persona])  # fmt: skip
    with pytest.raises(PermissionDenied):
        data.program_save(department=city["parks"], code="POOLS", name="Pools", by=users["budget_analyst"])
    assert BudgetLine.objects.count() == 2


def test_measure_links_within_the_department_or_its_parent(users, city, patrol):
    _, _, program = patrol
    traffic = DepartmentFactory(name="Traffic", slug="traffic", code="PDT", parent=city["police"],
                                portfolio=city["public_safety"])  # fmt: skip
    division_program = data.program_save(department=traffic, code="TRAFFIC", name="Traffic", by=None)
    police_measure = MeasureFactory(department=city["police"], slug="response")
    parks_measure = MeasureFactory(department=city["parks"], slug="pools")
    data.program_link_measure(program=division_program, measure=police_measure, by=users["budget_analyst"])
    data.program_link_measure(program=division_program, measure=police_measure, by=users["budget_analyst"])
    with pytest.raises(ValidationError):
        data.program_link_measure(program=program, measure=parks_measure, by=None)
    with pytest.raises(PermissionDenied):
        data.program_unlink_measure(program=division_program, measure=police_measure, by=users["police_lead"])
    assert ProgramMeasure.objects.count() == 1
    assert data.program_unlink_measure(program=division_program, measure=police_measure, by=users["stat_lead"])
    assert not ProgramMeasure.objects.exists()
