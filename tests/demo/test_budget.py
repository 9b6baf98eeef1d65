"""The demo city's budget (``demo.budget``): five fiscal years with a hiring freeze and a capital project, monthly
actuals for the current year, programs linked to the demo KPIs, and two analyses (one of PoliceStat's budget request
for two more dispatchers); seeded idempotently by ``manage.py seed_demo`` after the sessions."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db.models import Sum

from budget.analysis import compute_analysis
from budget.models import Analysis, BudgetLine, Category, FiscalYear, FiscalYearStatus, MonthlyActual, ProgramMeasure
from demo.budget import DISPATCHERS_REQUEST, DISPATCHERS_TITLE, POTHOLE_TITLE, budget_demo_seed
from demo.goals import goals_demo_seed
from demo.inventory import inventory_demo_seed
from demo.team import demo_city_seed
from sessions.models import Deliverable
from sessions.services import action_item_create, series_create
from team.models import Department

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 12, 5)


def _police_budget_request():
    """The request the sessions demo records at PoliceStat (the sessions demo itself takes a while: not run here)."""
    series = series_create(
        name="PoliceStat",
        department=Department.objects.get(slug="police"),
        cadence="monthly",
        start_date=datetime.date(2026, 9, 8),
        start_time=datetime.time(10, 0),
        duration_minutes=90,
        place="City Hall",
        by=None,
    )
    return action_item_create(
        series.sessions.order_by("starts_at").first(),
        title=f"{DISPATCHERS_REQUEST} in next year's budget",
        department=Department.objects.get(slug="police"),
        due_date=datetime.date(2026, 10, 20),
        deliverable=Deliverable.BUDGET_REQUEST,
        by=None,
    )


def test_the_demo_budget_from_every_side(settings):
    settings.BUDGET_DEMO = True
    settings.FISCAL_YEAR_START_MONTH = 7
    report = demo_city_seed(with_logins=False)
    inventory_demo_seed(report=report)
    goals_demo_seed(report=report)
    item = _police_budget_request()
    budget_demo_seed(report=report, today=TODAY)

    # Five fiscal years, FY2023 to FY2027 (July to June); the current one adopted, the others closed; all public.
    years = list(FiscalYear.objects.order_by("year"))
    assert [y.year for y in years] == [2023, 2024, 2025, 2026, 2027]
    assert years[-1].starts_on == datetime.date(2026, 7, 1) and years[-1].ends_on == datetime.date(2027, 6, 30)
    assert [y.status for y in years] == [FiscalYearStatus.CLOSED] * 4 + [FiscalYearStatus.ADOPTED]

    # The hiring freeze: General Fund personnel fell in FY2024, and rose again after.
    def personnel(year):
        return BudgetLine.objects.filter(
            fiscal_year__year=year, fund__code="100", category=Category.PERSONNEL
        ).aggregate(total=Sum("adopted"))["total"]

    assert personnel(2024) < personnel(2023) * Decimal("0.975")
    assert personnel(2025) > personnel(2024) and personnel(2027) > personnel(2023)
    # The capital project: the fleet garage, built in FY2026 and FY2027 from the Capital Projects Fund.
    garage = BudgetLine.objects.filter(program__code="PW-FAC", category=Category.CAPITAL).order_by("fiscal_year__year")
    assert [line.fiscal_year.year for line in garage] == [2025, 2026, 2027]
    assert garage[1].adopted > Decimal("10000000") and garage[1].fund.code == "300"
    assert BudgetLine.objects.filter(fund__code="520").exists()  # the enterprise fund
    assert BudgetLine.objects.filter(amended__isnull=False).exists()
    assert BudgetLine.objects.values("program__department").distinct().count() >= 8

    # Monthly actuals for the current year's full months (July to November 2026), summing to each line's actual.
    current = BudgetLine.objects.filter(fiscal_year__year=2027)
    months = sorted(set(MonthlyActual.objects.values_list("month", flat=True)))
    assert months == [datetime.date(2026, month, 1) for month in range(7, 12)]
    for line in current:
        total = line.monthly_actuals.aggregate(total=Sum("amount"))["total"]
        assert line.actual == total and line.requested is not None
    assert all(line.actual is not None for line in BudgetLine.objects.filter(fiscal_year__year__lt=2027))

    # Programs linked to their department's KPIs, for cost per outcome.
    links = ProgramMeasure.objects.select_related("program__department", "measure__department")
    assert links.count() >= 8
    assert all(link.program.department_id == link.measure.department_id for link in links)
    assert links.filter(program__code="PD-PATROL", measure__slug="police-priority-1-response-time").exists()

    # Two analyses; the dispatchers' is the PoliceStat budget request's, and both come out ahead.
    dispatchers = Analysis.objects.get(title=DISPATCHERS_TITLE)
    assert dispatchers.action_item == item and dispatchers.program.code == "PD-DISPATCH"
    potholes = Analysis.objects.get(title=POTHOLE_TITLE)
    for analysis in (dispatchers, potholes):
        result = compute_analysis(analysis)
        assert result.npv > 0 and result.simple_payback is not None

    # Seeding again adds nothing.
    again = type(report)()
    budget_demo_seed(report=again, today=TODAY)
    assert not again.created
