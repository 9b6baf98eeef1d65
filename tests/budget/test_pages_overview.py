"""The budget overview's figures on hand-built data (budget.selectors.overview, public_budget)."""

import datetime
from decimal import Decimal

import pytest

from budget.selectors import overview, public_budget

from .pages_data import make_budget

pytestmark = pytest.mark.django_db
D = Decimal
TODAY = datetime.date(2026, 10, 15)  # FY2027, three months over


def test_a_department_by_program_five_years_and_this_year(city, django_assert_num_queries):
    make_budget(city, TODAY)
    with django_assert_num_queries(3):
        result = overview(today=TODAY, department=city["police"])
    assert result.years == [2023, 2024, 2025, 2026, 2027]
    assert result.current_year == 2027 and result.months == 3
    patrol, investigations = result.rows
    assert [(c.change, c.percent) for c in patrol.changes] == [
        (None, None),
        (D("100.00"), D("10.0")),
        (D("-110.00"), D("-10.0")),
        (D("0.00"), D("0.0")),
        (D("210.00"), D("21.2")),
    ]
    # Patrol: 3 months of 120 (October is not over); last year spent 180 of 1,260 by September.
    assert patrol.spent_to_date == D("360.00")
    assert patrol.projection.straight_line == D("1440.00")
    assert patrol.projection.last_year_shaped == D("2520.00")
    # Investigations: amended to 600 (the budget in force); its line's actual, 200, with no monthly actuals.
    assert investigations.current.budget == D("600.00")
    assert investigations.spent_to_date == D("200.00")
    assert investigations.projection.last_year_shaped is None
    # Police: 560 of 1,800 spent (31.1%); 2,240 at this pace; 560 × 7 shaped like last year.
    total = result.total
    assert (total.current.budget, total.spent_to_date, total.spent_share) == (D("1800.00"), D("560.00"), D("31.1"))
    assert total.projection.straight_line == D("2240.00")
    assert total.projection.last_year_shaped == D("3920.00")
    assert [(c.change, c.percent) for c in total.changes][1:] == [
        (D("100.00"), D("6.7")),
        (D("-110.00"), D("-6.9")),
        (D("0.00"), D("0.0")),
        (D("310.00"), D("20.8")),
    ]
    # Requests pending: 1,500 + 540 against 1,800: +240 (+13.3%).
    assert (total.current.requested, total.request_change, total.request_percent) == (
        D("2040.00"),
        D("240.00"),
        D("13.3"),
    )


def test_the_city_by_department(city, django_assert_num_queries):
    make_budget(city, TODAY)
    with django_assert_num_queries(4):  # fiscal years, departments, line sums, monthly sums
        result = overview(today=TODAY)
    names = [row.name for row in result.rows]
    assert names[:3] == ["Fire", "Parks & Recreation", "Police"]
    assert result.total.current.budget == D("4100.00")  # 1,800 + 2,000 + 300
    fire = result.rows[0]
    assert fire.spent_to_date is None and fire.projection is None


def test_the_public_budget_shows_only_public_adopted_years(city, django_assert_num_queries):
    make_budget(city, TODAY)
    with django_assert_num_queries(2):
        years = public_budget()
    assert [entry.year.year for entry in years] == [2026, 2025, 2023]
    fy2026 = years[0]
    # Adopted only (Investigations' amendment is not public): 990 + 500 + 2,000 + 300.
    assert fy2026.total == D("3790.00")
    assert fy2026.change.change == D("0.00")
    police = next(dep for dep in fy2026.departments if dep["name"] == "Police")
    assert [p["code"] for p in police["programs"]] == ["P1", "P2"]
    # FY2023's year before (FY2022) does not exist: no change.
    assert years[2].change.change is None
