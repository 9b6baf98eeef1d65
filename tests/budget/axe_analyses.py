"""The analysis pages for the axe browser test (tests/browser/test_axe_budget_analyses.py): the data they show,
made on demand and committed so the live server sees it, and the steps that drive a page into a state."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.urls import reverse
from playwright.sync_api import expect

ERRORS = ".usa-error-message, .usa-alert--error, [aria-invalid='true']"


def analyses_data(personas, city) -> dict:
    """A Police program with an analysis, and a budget request recorded at PoliceStat with one; idempotent."""
    from budget.models import Analysis, Program
    from budget.services.analyses import analysis_create
    from sessions.models import ActionItem, Series
    from sessions.services import action_item_create, series_create

    program, _ = Program.objects.get_or_create(department=city["police"], code="PD-100", defaults={"name": "Patrol"})
    series = Series.objects.filter(name="PoliceStat").first()
    if series is None:
        series = series_create(
            name="PoliceStat",
            department=city["police"],
            cadence="monthly",
            start_date=datetime.date(2027, 1, 4),
            start_time=datetime.time(10, 0),
            duration_minutes=90,
            place="City Hall, room 215",
            by=personas["stat_lead"],
        )
    session = series.sessions.order_by("starts_at").first()
    item = ActionItem.objects.filter(session=session, deliverable="budget_request").first()
    if item is None:
        item = action_item_create(
            session,
            title="Request funding for two more dispatchers",
            department=city["police"],
            due_date=datetime.date(2027, 2, 1),
            deliverable="budget_request",
            by=personas["stat_analyst"],
        )
    years = [(Decimal("250000"), Decimal("0")), *[(Decimal("40000"), Decimal("120000"))] * 5]
    program_analysis = Analysis.objects.filter(program=program).first() or analysis_create(
        by=None,
        program=program,
        title="Patrol car replacement",
        discount_rate="0.03",
        years=years,
        assumptions="Fuel at $3.80 a gallon.\nMaintenance falls by a third.",
    )
    request_analysis = Analysis.objects.filter(action_item=item).first() or analysis_create(
        by=None,
        action_item=item,
        title="Two more dispatchers",
        discount_rate="0.02",
        years=[(Decimal("0"), Decimal("0")), (Decimal("180000"), Decimal("150000"))],
    )
    return {"program": program_analysis, "request": request_analysis, "item": item}


def analysis_url(key: str):
    return lambda personas, city: reverse("budget:analysis", args=[analyses_data(personas, city)[key].pk])


def edit_url(key: str):
    return lambda personas, city: reverse("budget:analysis_edit", args=[analyses_data(personas, city)[key].pk])


def list_url(personas, city) -> str:
    analyses_data(personas, city)
    return reverse("budget:analyses")


def create_url(personas, city) -> str:
    return reverse("budget:analysis_create") + f"?action_item={analyses_data(personas, city)['item'].pk}"


def item_url(personas, city) -> str:
    return reverse("stat_sessions:action_item", args=[analyses_data(personas, city)["item"].pk])


def sent_with_errors(page, personas) -> int:
    """The form sent with a negative cost and no title: the page again with its errors."""
    page.locator("#id_title").fill("")
    page.locator("#id_years-0-cost").fill("-5")
    with page.expect_navigation() as navigation:
        page.locator("main form.usa-form button[type='submit']:not([name])").click()
    expect(page.locator(ERRORS).first).to_be_visible()
    return navigation.value.status


def year_added(page, personas) -> int:
    """ "Add a year" pressed: the form again with one more row, no script involved."""
    rows = page.locator("tbody tr").count()
    with page.expect_navigation() as navigation:
        page.locator("button[name='add_year']").click()
    expect(page.locator("tbody tr")).to_have_count(rows + 1)
    return navigation.value.status


#: (name, persona, url, then) of each case.
CASES = [
    ("list", "budget_analyst", list_url, None),
    ("list-read-only", "police_lead", list_url, None),
    ("analysis", "budget_analyst", analysis_url("program"), None),
    ("analysis-read-only", "principal", analysis_url("request"), None),
    ("create", "budget_analyst", create_url, None),
    ("create-errors", "budget_analyst", create_url, sent_with_errors),
    ("edit", "stat_lead", edit_url("program"), None),
    ("edit-year-added", "stat_lead", edit_url("program"), year_added),
    ("budget-request-item", "budget_analyst", item_url, None),
]
