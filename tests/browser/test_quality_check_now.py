"""Check now on the dataset page: the status line updates in place while a run waits and runs (htmx polls every
2 s), stops polling once it is finished, and the trend chart is drawn by our own plotly.js."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.quality.axe_pages import failing_dataset

pytestmark = pytest.mark.browser


def test_the_status_follows_a_run_in_place_and_stops_polling_when_it_is_done(page, login, personas, city):
    from quality.models import QualityRun, RunState

    dataset = failing_dataset(personas, city)
    run = QualityRun.objects.create(dataset=dataset, slot=dataset.created_at, trigger="manual")
    login(page, "police_contact", next=dataset.get_absolute_url())
    status = page.locator("#quality-status")
    expect(status).to_contain_text("Check queued")
    polls = []
    page.on("request", lambda request: polls.append(request.url) if "/status/" in request.url else None)

    QualityRun.objects.filter(pk=run.pk).update(state=RunState.RUNNING, started_at=dataset.created_at)
    expect(status).to_contain_text("Checking now", timeout=15_000)
    QualityRun.objects.filter(pk=run.pk).update(state=RunState.FINISHED, outcome="pass", score=100)
    expect(status).to_contain_text("Check finished: Passing 100", timeout=15_000)
    expect(status.get_by_role("link", name="See the results")).to_have_attribute("href", f"/quality/runs/{run.pk}/")
    # Finished: no poller is left, so nothing more is asked for.
    asked = len(polls)
    page.wait_for_timeout(4500)
    assert len(polls) == asked


def test_the_trend_is_drawn_from_the_figure_with_the_run_data(page, login, personas, city):
    dataset = failing_dataset(personas, city)
    login(page, "stat_analyst", next=dataset.get_absolute_url())
    chart = page.locator("#quality-trend")
    expect(chart.locator(".main-svg").first).to_be_attached(timeout=20_000)  # plotly.js is fetched after load
    drawn = page.evaluate("document.getElementById('quality-trend').data.map(t => [t.name, t.y.length])")
    assert drawn == [["Score", 8], ["Rows", 8]]


@pytest.mark.parametrize("where", ["dataset", "city"])
def test_the_quality_pages_reflow_on_a_phone(page, login, personas, city, where):
    """WCAG 2.1 1.4.10 Reflow: at 320 CSS pixels the page never scrolls sideways (tables scroll in their own box)."""
    from django.urls import reverse

    dataset = failing_dataset(personas, city)
    page.set_viewport_size({"width": 320, "height": 800})
    login(page, "stat_analyst", next=dataset.get_absolute_url() if where == "dataset" else reverse("quality:overview"))
    chart = "#quality-trend" if where == "dataset" else "#runs-chart"
    expect(page.locator(f"{chart} .main-svg").first).to_be_attached(timeout=20_000)
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"the {where} page scrolls sideways by {overflow}px at 320px wide"
