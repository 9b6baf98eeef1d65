"""The budget charts: Okabe-Ito, with a text summary and a table; missing costs are gaps, never zero."""

import datetime
from decimal import Decimal

import pytest

from budget import charts
from budget.selectors import overview

from .pages_data import make_budget


def test_cost_chart_leaves_gaps_and_tables_the_reasons():
    context = {
        "summary": "$30.00 per unit in July 2026.",
        "alignment": "Monthly: …",
        "trend": [
            {
                "label": "July 2026",
                "cost": "30.00",
                "cost_text": "$30.00",
                "spending_text": "$120.00",
                "units_text": "4",
            },
            {
                "label": "August 2026",
                "cost": None,
                "cost_text": "zero: no cost per unit",
                "spending_text": "$120.00",
                "units_text": "0",
            },
        ],
    }
    chart = charts.cost_chart("Arrests", context, id="cost-0")
    assert chart["figure"]["data"][0]["y"] == [30.0, None]
    assert chart["figure"]["data"][0]["connectgaps"] is False
    assert chart["table"]["rows"][1] == ("August 2026", ("$120.00", "0", "zero: no cost per unit"))
    assert chart["summary"].startswith("$30.00 per unit")


@pytest.mark.django_db
def test_budget_and_change_charts_say_it_in_words_and_tables(city):
    today = datetime.date(2026, 10, 15)
    make_budget(city, today)
    result = overview(today=today, department=city["police"])
    budget = charts.budget_actual_chart(result)
    names = [trace["name"] for trace in budget["figure"]["data"]]
    assert names == [
        "Budget",
        "Actual (to date this year)",
        "Projection, straight line",
        "Projection, shaped like last year",
    ]
    assert "FY2027: budget $1,800.00, spent $560.00 after 3 months (31.1% of the budget)" in budget["summary"]
    assert "$2,240.00" in budget["summary"] and "$3,920.00" in budget["summary"]
    assert budget["table"]["rows"][-1] == ("FY2027", ("$1,800.00", "$560.00"))
    change = charts.change_chart(result.total.changes)
    assert change["table"]["rows"][-1] == ("FY2027", ("$1,800.00", "$310.00", "+20.8%"))
    assert "FY2025 cut of $110.00 (−6.9%)" in change["summary"]
    # Cuts are told by a pattern as well as by colour.
    assert change["figure"]["data"][0]["marker"]["pattern"]["shape"] == ["", "x", ".", ""]
    assert Decimal("20.8") == result.total.changes[-1].percent
