"""Cost per unit beside the KPIs its programs pay for: on the department dashboard (for those who read the
department's budget) and in the Stat memo's KPI review (frozen when the memo is sent)."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from budget.costs import add_months, fiscal_year_of, fiscal_year_start
from budget.models import BudgetLine, FiscalYear, Fund, MonthlyActual, Program, ProgramMeasure
from goals.models import Observation
from sessions.models import Memo
from sessions.selectors_memo import memo_data, memo_live_data
from sessions.services import memo_draft, memo_send, series_create
from tests.goals.factories import MeasureFactory
from tests.sessions.memo_data import first_session, make_kpis

pytestmark = pytest.mark.django_db


def program_paying_for(measure, department, month: datetime.date, amount: str) -> MonthlyActual:
    """A program of ``department`` linked to ``measure``, with ``amount`` spent in ``month``."""
    year = fiscal_year_of(month, 7)
    starts = fiscal_year_start(year, 7)
    fiscal_year, _ = FiscalYear.objects.get_or_create(
        year=year, defaults={"starts_on": starts, "ends_on": add_months(starts, 12) - datetime.timedelta(days=1)}
    )
    program = Program.objects.create(department=department, code="T1", name="Traffic enforcement")
    line = BudgetLine.objects.create(
        fiscal_year=fiscal_year,
        fund=Fund.objects.get_or_create(code="GF", defaults={"name": "General Fund"})[0],
        program=program,
        category="personnel",
        adopted=Decimal("3000.00"),
    )
    ProgramMeasure.objects.create(program=program, measure=measure)
    return MonthlyActual.objects.create(line=line, month=month, amount=Decimal(amount))


def test_the_department_dashboard_shows_cost_per_unit_to_budget_readers(client, city, users):
    last_month = add_months(timezone.localdate().replace(day=1), -1)
    kpi = MeasureFactory(department=city["police"], is_kpi=True, name="Tickets issued", unit="tickets")
    Observation.objects.create(measure=kpi, period=last_month, value=10)
    actual = program_paying_for(kpi, city["police"], last_month, "250.00")
    url = reverse("goals:dashboard_department", args=["police"])

    client.force_login(users["police_lead"])
    page = client.get(url).content.decode()
    assert "Budget context: cost per unit" in page
    assert f"{last_month:%B %Y}:</strong> $25.00 per tickets" in page
    assert "Paid for by Traffic enforcement" in page and "Monthly: the program’s monthly actual spending" in page

    # A write to the budget shows on the next request (the dashboard's cache key holds the budget's version): the
    # program's second line spent 50 more that month.
    line = BudgetLine.objects.create(
        fiscal_year=actual.line.fiscal_year,
        fund=actual.line.fund,
        program=actual.line.program,
        category="operating",
        adopted=Decimal("100.00"),
    )
    MonthlyActual.objects.create(line=line, month=last_month, amount=Decimal("50.00"))
    assert "$30.00 per tickets" in client.get(url).content.decode()

    # A contact of Police reads the dashboard but not the budget: no budget context.
    client.force_login(users["police_contact"])
    page = client.get(url)
    assert page.status_code == 200 and "Budget context" not in page.content.decode()


def test_zero_and_missing_values_read_as_such_on_the_dashboard(client, city, users):
    last_month = add_months(timezone.localdate().replace(day=1), -1)
    kpi = MeasureFactory(department=city["police"], is_kpi=True, name="Tickets issued", unit="tickets")
    Observation.objects.create(measure=kpi, period=last_month, value=0)
    program_paying_for(kpi, city["police"], last_month, "250.00")
    client.force_login(users["stat_lead"])
    page = client.get(reverse("goals:dashboard_department", args=["police"])).content.decode()
    assert "zero: no cost per unit" in page and "no value" in page
    assert "inf" not in page.lower().replace("info", "") and "$0.00 per" not in page


@pytest.fixture
def police_series(city, users):
    return series_create(
        name="PoliceStat",
        department=city["police"],
        cadence="monthly",
        start_date=datetime.date(2027, 1, 4),
        start_time=datetime.time(10, 0),
        duration_minutes=90,
        place="City Hall, room 215",
        by=users["stat_lead"],
    )


def kpi_costs(data: dict) -> list[dict]:
    return [
        extra["context"]
        for section in data["sections"]
        for topic in section["topics"]
        if topic["kpi"]
        for extra in topic["kpi"]["extensions"]
    ]


def test_the_memo_shows_budget_context_and_a_sent_memo_keeps_it(
    client, city, users, police_series, django_capture_on_commit_callbacks
):
    kpis = make_kpis(city, users, count=2)
    # KPI 0's December 2026 value is 80 + 23 = 103; its program spent 500 that month: $4.85 a unit.
    actual = program_paying_for(kpis[0], city["police"], datetime.date(2026, 12, 1), "500.00")
    session = first_session(police_series)
    memo = memo_draft(session, by=users["stat_analyst"])
    memo = Memo.objects.select_related("session__series__department", "drafted_by__person").get(pk=memo.pk)
    with CaptureQueriesContext(connection) as reading:
        live = memo_live_data(memo)
    # The memo's own 5 queries and 1 to find the links, then 2 more for monthly KPIs (monthly actuals, values),
    # however many KPIs are linked.
    assert len(reading) == 8, "\n".join(q["sql"][:150] for q in reading.captured_queries)
    (cost,) = kpi_costs(live)
    assert cost["latest_label"] == "December 2026" and cost["latest_text"] == "$4.85"

    with django_capture_on_commit_callbacks(execute=True):
        memo_send(memo, by=users["stat_lead"])
    MonthlyActual.objects.filter(pk=actual.pk).update(amount=Decimal("1000.00"))
    sent = Memo.objects.select_related("session__series__department").get(pk=memo.pk)
    assert kpi_costs(memo_data(sent))[0]["latest_text"] == "$4.85"
    assert kpi_costs(memo_live_data(sent))[0]["latest_text"] == "$9.71"

    client.force_login(users["stat_lead"])
    page = client.get(reverse("stat_sessions:memo", kwargs={"pk": session.pk})).content.decode()
    assert "Budget context: cost per unit" in page and "$4.85" in page and "$9.71" not in page
