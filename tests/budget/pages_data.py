"""Hand-built budgets for the budget pages' tests (tests/budget/test_pages_*.py, test_costs.py): fiscal years named
from a given day, Police's two programs and Fire's and Parks' one, with figures worked out by hand in the tests."""

from __future__ import annotations

import datetime
from decimal import Decimal

from budget.costs import add_months, fiscal_year_of, fiscal_year_start
from budget.models import BudgetLine, FiscalYear, FiscalYearStatus, Fund, MonthlyActual, Program

D = Decimal

#: Patrol's personnel budget by year offset from the current year (-4 .. 0): +100 (+10.0%), -110 (-10.0%), no change,
#: +210 (+21.2%).
PATROL = [D("1000.00"), D("1100.00"), D("990.00"), D("990.00"), D("1200.00")]
#: Investigations: adopted 500 every year, amended to 600 in the current year (the budget in force).
INVESTIGATIONS_ADOPTED = D("500.00")


def make_years(today: datetime.date, start_month: int = 7) -> dict[int, FiscalYear]:
    """FY(current-4) .. FY(current+1): the oldest two closed, the next three adopted, the next open. Marked public:
    current-4 (closed), current-2 and current-1 (adopted), and the next (open: so still not shown); current-3 and
    the current year are not public."""
    current = fiscal_year_of(today, start_month)
    years = {}
    for year in range(current - 4, current + 2):
        starts = fiscal_year_start(year, start_month)
        status = (
            FiscalYearStatus.CLOSED
            if year <= current - 3
            else FiscalYearStatus.OPEN
            if year > current
            else FiscalYearStatus.ADOPTED
        )
        years[year] = FiscalYear.objects.create(
            year=year,
            starts_on=starts,
            ends_on=add_months(starts, 12) - datetime.timedelta(days=1),
            status=status,
            public=year in (current - 4, current - 2, current - 1, current + 1),
        )
    return years


def make_budget(city, today: datetime.date) -> dict:
    """Police's Patrol and Investigations, Fire's Suppression, Parks' Maintenance over five years; monthly actuals
    for Patrol: last year 60 in each of its first three months and 120 in the nine others (1,260),
    this year 120 in each of its first three months and 999 in the fourth
    (excluded while that month is not over when ``today`` is in the fourth month)."""
    years = make_years(today)
    current = max(years) - 1
    fund = Fund.objects.create(code="GF", name="General Fund")
    patrol = Program.objects.create(department=city["police"], code="P1", name="Patrol")
    investigations = Program.objects.create(department=city["police"], code="P2", name="Investigations")
    suppression = Program.objects.create(department=city["fire"], code="F1", name="Suppression")
    maintenance = Program.objects.create(department=city["parks"], code="K1", name="Maintenance")
    lines = {}
    for offset, amount in enumerate(PATROL):
        year = current - 4 + offset
        lines[("patrol", year)] = BudgetLine.objects.create(
            fiscal_year=years[year],
            fund=fund,
            program=patrol,
            category="personnel",
            adopted=amount,
            actual=amount - D("10.00") if year < current else None,
            requested=D("1500.00") if year == current else None,
        )
        lines[("investigations", year)] = BudgetLine.objects.create(
            fiscal_year=years[year],
            fund=fund,
            program=investigations,
            category="operating",
            adopted=INVESTIGATIONS_ADOPTED,
            amended=D("600.00") if year == current else None,
            actual=D("450.00") if year < current else D("200.00"),
            requested=D("540.00") if year == current else None,
        )
        BudgetLine.objects.create(
            fiscal_year=years[year], fund=fund, program=suppression, category="operating", adopted=D("2000.00")
        )
        BudgetLine.objects.create(
            fiscal_year=years[year], fund=fund, program=maintenance, category="operating", adopted=D("300.00")
        )
    last_start, this_start = years[current - 1].starts_on, years[current].starts_on
    for index in range(12):
        MonthlyActual.objects.create(
            line=lines[("patrol", current - 1)],
            month=add_months(last_start, index),
            amount=D("60.00") if index < 3 else D("120.00"),
        )
    for index, amount in enumerate([D("120.00"), D("120.00"), D("120.00"), D("999.00")]):
        MonthlyActual.objects.create(
            line=lines[("patrol", current)], month=add_months(this_start, index), amount=amount
        )
    return {
        "years": years,
        "current": current,
        "fund": fund,
        "patrol": patrol,
        "investigations": investigations,
        "suppression": suppression,
        "maintenance": maintenance,
        "lines": lines,
    }
