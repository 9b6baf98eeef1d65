"""The budget pages for the axe browser test (tests/browser/test_axe_budget_pages.py): the data they show, made on
demand and committed so the live server sees it, and their URLs; and the two pages below the budget that show its
cost per unit (a department dashboard, a draft Stat memo)."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from django.urls import reverse


def budget_data(personas, city) -> dict:
    """The hand-built budget of tests/budget/pages_data.py (as of today), a Police KPI with last month's value
    linked to Patrol, and the sessions' axe memo's first KPI linked too. Idempotent."""
    from django.utils import timezone

    from budget.costs import add_months
    from budget.models import MonthlyActual, Program, ProgramMeasure
    from goals.models import Measure, Observation
    from tests.goals.factories import MeasureFactory

    from .pages_data import make_budget

    patrol = Program.objects.filter(code="P1").first()
    if patrol is None:
        data = make_budget(city, timezone.localdate())
        patrol = data["patrol"]
        last_month = add_months(timezone.localdate().replace(day=1), -1)
        kpi = MeasureFactory(
            department=city["police"], is_kpi=True, name="Arrests", slug="axe-budget-arrests", unit="arrests"
        )
        Observation.objects.create(measure=kpi, period=last_month, value=12)
        ProgramMeasure.objects.create(program=patrol, measure=kpi)
        line = patrol.lines.order_by("-fiscal_year__year").first()
        if not MonthlyActual.objects.filter(line__program=patrol, month=last_month).exists():
            MonthlyActual.objects.create(line=line, month=last_month, amount=Decimal("480.00"))
    memo_kpi = Measure.objects.filter(slug="memo-kpi-0").first()
    if memo_kpi is not None:
        ProgramMeasure.objects.get_or_create(program=patrol, measure=memo_kpi)
    return {"patrol": patrol}


def budget_url(name: str, *args) -> Callable:
    def url(personas, city) -> str:
        budget_data(personas, city)
        return reverse(name, args=args)

    return url


def memo_with_budget_url(personas, city) -> str:
    from tests.sessions.axe_memo import memo_sessions

    session = memo_sessions(personas, city)["draft"]
    budget_data(personas, city)
    return reverse("stat_sessions:memo", kwargs={"pk": session.pk})


#: (name, persona, url, expected status, then)
CASES = [
    ("city budget", "stat_lead", budget_url("budget:index"), 200, None),
    ("portfolio", "budget_analyst", budget_url("budget:portfolio"), 200, None),
    ("department budget", "police_lead", budget_url("budget:department", "police"), 200, None),
    ("public budget", "anonymous", budget_url("budget:public"), 200, None),
    ("dashboard with cost per unit", "police_lead", budget_url("goals:dashboard_department", "police"), 200, None),
    ("memo with budget context", "stat_analyst", memo_with_budget_url, 200, None),
]
