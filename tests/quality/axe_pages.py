"""The quality pages for the axe browser test (tests/browser/test_axe_pages.py): the data they show, made on demand
and committed so the live server sees it, their URLs, and the steps that drive a form into its error state.

``CASES`` holds ``(name, persona, url, status, then)`` tuples, turned into the test's ``Case`` objects there."""

from __future__ import annotations

import datetime
from collections.abc import Callable

from django.urls import reverse
from playwright.sync_api import expect

ERRORS = ".usa-error-message, .usa-alert--error, [aria-invalid='true']"


def failing_dataset(personas, city):
    """A Police dataset with two months of weekly runs, the latest failing with example rows; idempotent."""
    from django.utils import timezone

    from quality.models import DatasetQuality, QualityRun
    from tests.inventory.factories import DataFieldFactory, DatasetFactory

    from .factories import CheckResultFactory, DatasetQualityFactory, QualityRunFactory

    dataset = DatasetFactory(identifier="axe-quality", title="Use of force incidents", department=city["police"])
    if QualityRun.objects.filter(dataset=dataset).exists():
        return dataset
    DataFieldFactory(dataset=dataset, name="incident_id", type="integer")
    DataFieldFactory(dataset=dataset, name="occurred", type="date")
    # No distribution: "Check now" in the browser test must not try to reach the internet.
    now = timezone.now()
    outcomes = ["pass", "pass", "warn", "pass", "pass", "warn", "pass", "fail"]
    run = None
    for week, outcome in enumerate(outcomes):
        run = QualityRunFactory(
            dataset=dataset,
            slot=now - datetime.timedelta(weeks=len(outcomes) - 1 - week, hours=1),
            outcome=outcome,
            score={"pass": 100, "warn": 90, "fail": 58}[outcome],
            row_count=4000 + 120 * week,
            trigger="scheduled" if week % 3 else "manual",
        )
    CheckResultFactory(run=run, position=0, name="row_count", status="pass", value=4840)
    CheckResultFactory(
        run=run,
        position=1,
        name="type",
        column="incident_id",
        status="fail",
        value=2,
        message="2 values are not integers.",
        examples=[{"row": 12, "column": "incident_id", "value": "A-12"}, {"row": 98, "column": "incident_id"}],
    )
    CheckResultFactory(
        run=run, position=2, name="completeness", column="occurred", status="warn", value=0.12, message="12% empty."
    )
    if not DatasetQuality.objects.filter(dataset=dataset).exists():
        DatasetQualityFactory(run=run, stale=True)
    return dataset


def dataset_url(personas, city) -> str:
    return failing_dataset(personas, city).get_absolute_url()


def quality_url(name: str) -> Callable:
    def url(personas, city) -> str:
        return reverse(name, kwargs={"pk": failing_dataset(personas, city).pk})

    return url


def run_url(personas, city) -> str:
    from quality.models import DatasetQuality

    dataset = failing_dataset(personas, city)
    return DatasetQuality.objects.get(dataset=dataset).latest_run.get_absolute_url()


def city_url(personas, city) -> str:
    failing_dataset(personas, city)
    return reverse("quality:overview")


def department_url(personas, city) -> str:
    failing_dataset(personas, city)
    return reverse("quality:department", kwargs={"slug": city["police"].slug})


def _submit(page) -> int:
    form = page.locator("main form.usa-form--large").first
    page.evaluate("document.querySelectorAll('form').forEach(f => f.noValidate = true)")
    with page.expect_navigation() as navigation:
        form.locator('button[type="submit"]').first.click()
    return navigation.value.status


def settings_with_errors(page, personas) -> int:
    """The quality settings submitted with a date column not in the dictionary and a percentage over 100."""
    page.locator('input[name="date_column"]').fill("closed_on")
    page.locator('input[name="empty_warn_percent"]').fill("150")
    status = _submit(page)
    expect(page.locator(ERRORS).first).to_be_visible()
    return status


def upload_without_file(page, personas) -> int:
    """The upload form submitted without a file: re-shown with its error."""
    status = _submit(page)
    expect(page.locator(ERRORS).first).to_be_visible()
    return status


def check_now_pressed(page, personas) -> int:
    """The dataset page after "Check now" with htmx: the status line says what is happening, in place."""
    page.get_by_role("button", name="Check now").click()
    expect(page.locator("#quality-status")).to_contain_text("Check")
    return 200


def trend_drawn(page, personas) -> int:
    """The dataset page with plotly.js's chart drawn and the trend table opened."""
    expect(page.locator("#quality-trend .main-svg").first).to_be_attached(timeout=20_000)
    page.get_by_text("The trend as a table").click()
    return 200


def runs_chart_drawn(page, personas) -> int:
    expect(page.locator("#runs-chart .main-svg").first).to_be_attached(timeout=20_000)
    page.get_by_text("Runs per week as a table").click()
    return 200


CASES = [
    ("quality-dataset-failing", "stat_analyst", dataset_url, 200, trend_drawn),
    ("quality-dataset-failing", "police_lead", dataset_url, 200, None),
    ("quality-check-now", "police_contact", dataset_url, 200, check_now_pressed),
    ("quality-run", "police_contact", run_url, 200, None),
    ("quality-run-history", "data_expert", quality_url("quality:dataset_runs"), 200, None),
    ("quality-city", "stat_lead", city_url, 200, runs_chart_drawn),
    ("quality-department", "police_lead", department_url, 200, runs_chart_drawn),
    ("quality-notifications", "police_contact", "/quality/notifications/", 200, None),
    ("quality-settings", "police_contact", quality_url("quality:settings"), 200, None),
    ("quality-settings-errors", "stat_analyst", quality_url("quality:settings"), 400, settings_with_errors),
    ("quality-upload-errors", "stat_analyst", quality_url("quality:upload"), 400, upload_without_file),
]
