"""Budget arithmetic worked by hand (budget.costs) and cost per unit from the database (budget.selectors)."""

import datetime
from decimal import Decimal

import pytest

from budget import costs
from budget.models import ProgramMeasure
from budget.selectors import measure_unit_costs
from goals.models import Observation
from tests.goals.factories import MeasureFactory

from .pages_data import make_budget

D = Decimal


def test_year_over_year_in_money_and_percent():
    changes = costs.year_over_year([(2024, D("990")), (2023, D("1100")), (2022, D("1000")), (2025, D("990"))])
    assert [(c.year, c.change, c.percent, c.kind) for c in changes] == [
        (2022, None, None, "first year"),
        (2023, D("100.00"), D("10.0"), "increase"),
        (2024, D("-110.00"), D("-10.0"), "cut"),
        (2025, D("0.00"), D("0.0"), "no change"),
    ]
    # A missing year breaks the chain; a zero year before gives money but no percentage.
    gap = costs.year_over_year([(2022, D("10")), (2024, D("20"))])
    assert gap[1].change is None
    assert costs.year_over_year([(2022, D("0")), (2023, D("20"))])[1].percent is None


def test_projections_by_hand():
    # 360 spent in 3 months: 1,440 at this pace; last year had spent 180 of 1,260 by then (1/7): 2,520.
    projection = costs.project(spent=D("360"), months=3, last_year_to_date=D("180"), last_year_total=D("1260"))
    assert projection.straight_line == D("1440.00")
    assert projection.last_year_shaped == D("2520.00")
    assert costs.project(spent=D("1"), months=0, last_year_to_date=None, last_year_total=None).straight_line is None
    no_shape = costs.project(spent=D("100"), months=2, last_year_to_date=None, last_year_total=None)
    assert no_shape.straight_line == D("600.00") and no_shape.last_year_shaped is None
    assert no_shape.reason == "last year has no monthly actuals"
    assert costs.project(spent=D("100"), months=2, last_year_to_date=D("0"), last_year_total=D("50")).reason == (
        "last year spent nothing by this month"
    )


def test_months_elapsed_and_fiscal_years():
    assert costs.months_elapsed(datetime.date(2026, 7, 1), datetime.date(2026, 10, 15)) == 3
    assert costs.months_elapsed(datetime.date(2026, 7, 1), datetime.date(2028, 1, 1)) == 12
    assert costs.fiscal_year_of(datetime.date(2026, 8, 15), 7) == 2027
    assert costs.fiscal_year_of(datetime.date(2026, 6, 15), 7) == 2026
    assert costs.fiscal_year_of(datetime.date(2026, 8, 15), 1) == 2026
    assert costs.fiscal_year_start(2027, 7) == datetime.date(2026, 7, 1)


def test_unit_cost_never_divides_by_nothing():
    assert costs.unit_cost(period="p", label="p", spending=D("100"), units=D("3")).cost == D("33.33")
    zero = costs.unit_cost(period="p", label="p", spending=D("100"), units=D("0"))
    assert (zero.cost, zero.text) == (None, "zero: no cost per unit")
    missing = costs.unit_cost(period="p", label="p", spending=D("100"), units=None)
    assert (missing.cost, missing.text) == (None, "no value")
    assert costs.unit_cost(period="p", label="p", spending=None, units=D("2")).text == "no actual spending recorded"


def test_money_and_percent_words():
    assert costs.money_text(D("-1234.5")) == "−$1,234.50"
    assert costs.money_text(None) == "—"
    assert costs.percent_text(D("21.2")) == "+21.2%"


@pytest.mark.django_db
def test_cost_per_unit_monthly_and_annual_alignment(city, django_assert_num_queries):
    today = datetime.date(2026, 10, 15)  # FY2027, in its fourth month
    data = make_budget(city, today)
    monthly = MeasureFactory(department=city["police"], frequency="monthly", unit="arrests", slug="arrests")
    quarterly = MeasureFactory(department=city["police"], frequency="quarterly", unit="cases", slug="cases")
    unlinked = MeasureFactory(department=city["police"], slug="unlinked")
    ProgramMeasure.objects.create(program=data["patrol"], measure=monthly)
    ProgramMeasure.objects.create(program=data["investigations"], measure=quarterly)
    # July 2026: Patrol spent 120 for 4 arrests: 30.00; August: 0 arrests; September: no value recorded.
    Observation.objects.create(measure=monthly, period=datetime.date(2026, 7, 1), value=4)
    Observation.objects.create(measure=monthly, period=datetime.date(2026, 8, 1), value=0)
    # FY2026 (July 2025 - June 2026): Investigations spent 450 for 10 + 20 + 30 + 40 = 100 cases: 4.50.
    for month, value in [(7, 10), (10, 20), (1, 30), (4, 40)]:
        Observation.objects.create(
            measure=quarterly, period=datetime.date(2025 if month >= 7 else 2026, month, 1), value=value
        )
    with django_assert_num_queries(5):
        found = measure_unit_costs([monthly.pk, quarterly.pk, unlinked.pk], until=datetime.date(2026, 9, 30))
    assert unlinked.pk not in found
    by_month = {row["label"]: row["cost_text"] for row in found[monthly.pk]["trend"]}
    assert by_month["July 2026"] == "$30.00"
    assert by_month["August 2026"] == "zero: no cost per unit"
    assert by_month["September 2026"] == "no value"
    assert by_month["June 2026"] == "no value"
    assert found[monthly.pk]["alignment"] == costs.MONTHLY_ALIGNMENT
    by_year = {row["label"]: row["cost_text"] for row in found[quarterly.pk]["trend"]}
    assert by_year["FY2026"] == "$4.50"
    assert by_year["FY2027"] == "no value"
    assert found[quarterly.pk]["alignment"] == costs.ANNUAL_ALIGNMENT
    assert found[quarterly.pk]["programs"] == ["Investigations"]
    with django_assert_num_queries(1):
        assert measure_unit_costs([unlinked.pk], until=today) == {}
