"""A measure's chart used by keyboard reads each point out by its own period's name."""

from __future__ import annotations

import datetime

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_a_quarterly_chart_reads_its_points_as_quarters(page, personas, city):
    from goals.models import Goal, Measure, Observation, Priority

    goal = Goal.objects.create(
        priority=Priority.objects.get_or_create(slug="public-health", defaults={"name": "Public health"})[0],
        statement="Inspect every restaurant twice a year",
        public=True,
    )
    goal.departments.set([city["police"]])
    measure = Measure.objects.create(
        goal=goal,
        department=city["police"],
        name="Restaurants inspected",
        slug="restaurants-inspected",
        description="Restaurants inspected in the quarter.",
        is_kpi=True,
        unit="%",
        direction="up",
        frequency="quarterly",
        target_value=95,
        public=True,
    )
    for month, value in ((1, 91), (4, 93), (7, 96)):
        Observation.objects.create(measure=measure, period=datetime.date(2026, month, 1), value=value)

    page.goto(f"/public/measures/{measure.slug}/")
    page.get_by_role("button", name="Interactive chart").click()  # the page shows the server's drawing first
    chart = page.locator("[data-goals-chart][data-goals-live]").first
    expect(chart.locator(".main-svg").first).to_be_attached()  # plotly.js loaded and the chart drawn
    chart.focus()
    live = page.locator(f"#{chart.get_attribute('data-goals-live')}")
    page.keyboard.press("End")
    expect(live).to_contain_text("2026 Q3: 96")
    page.keyboard.press("Home")
    expect(live).to_contain_text("2026 Q1: 91")
    expect(live).not_to_contain_text("January")
