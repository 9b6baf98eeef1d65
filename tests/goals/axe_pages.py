"""The goals pages for the axe browser test (tests/browser/test_axe_pages.py): the data they show, made on demand
and committed so the live server sees it, their URLs, and the steps that drive a form into its error state."""

from __future__ import annotations

import datetime
from collections.abc import Callable

from django.urls import reverse
from playwright.sync_api import expect

ERRORS = ".usa-error-message, .usa-alert--error, [aria-invalid='true']"


def goals_data(personas, city) -> dict:
    """A public Police goal with a manual KPI (a year of values, a target per period, a narrative) and a computed,
    data-suspect measure; idempotent."""
    from goals.models import Goal, Measure, MeasureTarget, Narrative, Observation, Priority
    from quality.models import DatasetQuality
    from tests.inventory.factories import DataFieldFactory, DatasetFactory

    goal = Goal.objects.filter(statement="Cut crashes at the 50 targeted intersections by 20%").first()
    if goal is None:
        goal = Goal.objects.create(
            # get_or_create: transactional tests flush the priorities the data migration made.
            priority=Priority.objects.get_or_create(slug="public-safety", defaults={"name": "Public safety"})[0],
            statement="Cut crashes at the 50 targeted intersections by 20%",
            target_value=400,
            target_date=datetime.date(2027, 12, 31),
            bold=True,
            public=True,
        )
        goal.departments.set([city["police"]])
        kpi = Measure.objects.create(
            goal=goal,
            department=city["police"],
            name="Crashes at targeted intersections",
            slug="axe-crashes",
            description="Reported crashes at the 50 targeted intersections.",
            is_kpi=True,
            unit="crashes",
            direction="down",
            target_value=40,
            public=True,
        )
        for month in range(1, 13):
            period = datetime.date(2025, month, 1)
            Observation.objects.create(measure=kpi, period=period, value=30 + 2 * month, note="")
        MeasureTarget.objects.create(measure=kpi, period=datetime.date(2025, 12, 1), value=35)
        Narrative.objects.create(
            measure=kpi,
            period=datetime.date(2025, 12, 1),
            what_happened="Crashes rose with the early dark.",
            next_steps="Retime signals at ten intersections.",
            author=personas["police_lead"],
        )
        dataset = DatasetFactory(identifier="axe-calls-data", title="Calls for service", department=city["police"])
        DataFieldFactory(dataset=dataset, name="received", type="date")
        DataFieldFactory(dataset=dataset, name="minutes", type="number")
        DatasetQuality.objects.create(dataset=dataset, outcome="fail", stale=True)
        computed = Measure.objects.create(
            goal=goal,
            department=city["police"],
            name="Police response time",
            slug="axe-response",
            description="Median minutes from call to arrival.",
            unit="minutes",
            direction="down",
            target_value=8,
            source_dataset=dataset,
            aggregation="median",
            value_column="minutes",
            date_column="received",
            compute_error="1 value of “received” is not a date (line 3: “soon”). Write dates as YYYY-MM-DD.",
            computed_at=datetime.datetime(2026, 1, 2, 9, 0, tzinfo=datetime.UTC),
        )
        Observation.objects.create(measure=computed, period=datetime.date(2025, 12, 1), value=9, source="computed")
    return {"goal": goal}


def goals_url(name: str, **kwargs) -> Callable:
    """The URL of a goals page, once the data it shows exists: ``goal`` and ``measure_create`` take the goal's id;
    the measure pages take ``slug``."""

    def url(personas, city) -> str:
        data = goals_data(personas, city)
        if name in ("goals:goal", "goals:goal_edit", "goals:measure_create"):
            return reverse(name, kwargs={"pk": data["goal"].pk})
        return reverse(name, kwargs=kwargs)

    return url


def _submit(page, form_selector: str = "main form.usa-form") -> int:
    form = page.locator(form_selector).first
    with page.expect_navigation() as navigation:
        form.locator('button[type="submit"]').first.click()
    return navigation.value.status


def goal_without_statement(page, personas) -> int:
    """The goal form submitted empty: re-shown with its errors."""
    status = _submit(page)
    expect(page.locator(ERRORS).first).to_be_visible()
    return status


def measure_that_cannot_compute(page, personas) -> int:
    """The measure form asking for a sum with no value column and a filter on a column the dataset lacks."""
    page.locator('input[name="name"]').fill("Minutes")
    page.locator('textarea[name="description"]').fill("Minutes.")
    page.locator('input[name="unit"]').fill("minutes")
    page.locator('select[name="source_dataset"]').select_option(label="Calls for service (PD)")
    page.locator('select[name="aggregation"]').select_option("sum")
    page.locator('input[name="date_column"]').fill("opened")
    page.locator('input[name="filter_0_column"]').fill("ward")
    page.locator('select[name="filter_0_op"]').select_option("=")
    page.locator('input[name="filter_0_value"]').fill("3")
    status = _submit(page)
    expect(page.get_by_text("is not a column of “Calls for service”").first).to_be_visible()
    return status


def value_not_a_number(page, personas) -> int:
    """The record-a-value form with a period not yet begun: re-shown with its error."""
    page.locator('input[name="period"]').fill("2999-01-01")
    page.locator('input[name="value"]').fill("12")
    status = _submit(page)
    expect(page.locator(ERRORS).first).to_be_visible()
    return status


def upload_with_errors(page, personas) -> int:
    """The upload preview of a file with bad rows: every row listed, the invalid ones with their reasons."""
    content = b"period,value,note\n2026-01,10,\n2026-Q1,11,\nnext month,x,\n"
    page.locator('input[name="file"]').set_input_files(
        {"name": "values.csv", "mimeType": "text/csv", "buffer": content}
    )
    status = _submit(page)
    expect(page.get_by_text("will be skipped")).to_be_visible()
    return status


def narrative_empty(page, personas) -> int:
    """The narrative form submitted without what happened: re-shown with its error."""
    page.locator('textarea[name="what_happened"]').fill("")
    status = _submit(page)
    expect(page.locator(ERRORS).first).to_be_visible()
    return status


#: (name, persona, url, status, then) of each case; test_axe_pages.py turns them into its Case objects.
CASES = [
    ("goals", "stat_lead", goals_url("goals:index"), 200, None),
    ("goals", "police_lead", goals_url("goals:index"), 200, None),
    ("goal", "stat_analyst", goals_url("goals:goal"), 200, None),
    ("goal-add", "principal", goals_url("goals:goal_create"), 200, None),
    ("goal-add-errors", "stat_lead", goals_url("goals:goal_create"), 200, goal_without_statement),
    ("goal-edit", "stat_analyst", goals_url("goals:goal_edit"), 200, None),
    ("measure-add", "stat_analyst", goals_url("goals:measure_create"), 200, None),
    ("measure-add-errors", "stat_analyst", goals_url("goals:measure_create"), 200, measure_that_cannot_compute),
    ("measure", "stat_lead", goals_url("goals:measure", slug="axe-crashes"), 200, None),
    ("measure", "police_lead", goals_url("goals:measure", slug="axe-crashes"), 200, None),
    ("measure-computed-suspect", "stat_analyst", goals_url("goals:measure", slug="axe-response"), 200, None),
    ("measure-edit", "stat_lead", goals_url("goals:measure_edit", slug="axe-response"), 200, None),
    ("observation-add", "police_contact", goals_url("goals:observation_add", slug="axe-crashes"), 200, None),
    (
        "observation-add-errors",
        "police_contact",
        goals_url("goals:observation_add", slug="axe-crashes"),
        200,
        value_not_a_number,
    ),
    ("target-set", "principal", goals_url("goals:target_set", slug="axe-crashes"), 200, None),
    ("observations-upload", "police_contact", goals_url("goals:upload", slug="axe-crashes"), 200, None),
    (
        "observations-upload-preview",
        "police_lead",
        goals_url("goals:upload", slug="axe-crashes"),
        200,
        upload_with_errors,
    ),
    (
        "narrative",
        "police_lead",
        goals_url("goals:narrative", slug="axe-crashes", period="2025-12-01"),
        200,
        None,
    ),
    (
        "narrative-errors",
        "police_lead",
        goals_url("goals:narrative", slug="axe-crashes", period="2025-12-01"),
        200,
        narrative_empty,
    ),
]
