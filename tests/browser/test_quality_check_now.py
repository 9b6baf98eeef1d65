"""Check now on the dataset page: the status line updates in place while a run waits and runs (htmx polls every
2 s), stops polling once it is finished, and then the panel itself (its latest judgement, problems and trend) is
updated in place, with no reload; the trend chart is drawn by our own plotly.js."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.quality.axe_pages import failing_dataset
from tests.quality.conftest import LocalServer

from .axe import assert_accessible

pytestmark = pytest.mark.browser

CSV = b"call_id,priority\n1,2\n2,3\n3,1\n"


@pytest.fixture
def data_server(settings):
    """A local web server standing in for the city's open-data portal (the live server's thread fetches from it)."""
    settings.FETCH_ALLOW_LOOPBACK = True
    server = LocalServer().start()
    yield server
    server.stop()


def test_the_status_follows_a_run_in_place_and_stops_polling_when_it_is_done(page, login, personas, city):
    from django.utils import timezone

    from quality.models import DatasetQuality, QualityRun, RunState

    dataset = failing_dataset(personas, city)
    run = QualityRun.objects.create(dataset=dataset, slot=dataset.created_at, trigger="manual")
    login(page, "police_contact", next=dataset.get_absolute_url())
    status = page.locator("#quality-status")
    expect(status).to_contain_text("Check queued")
    polls = []
    page.on("request", lambda request: polls.append(request.url) if "/status/" in request.url else None)

    QualityRun.objects.filter(pk=run.pk).update(state=RunState.RUNNING, started_at=dataset.created_at)
    expect(status).to_contain_text("Checking now", timeout=15_000)
    latest = page.locator("#quality-latest")
    expect(latest).to_contain_text("Latest check: Failing 58")
    finished_at = timezone.now()
    QualityRun.objects.filter(pk=run.pk).update(
        state=RunState.FINISHED, outcome="pass", score=100, finished_at=finished_at
    )
    DatasetQuality.objects.filter(dataset=dataset).update(
        latest_run=run, outcome="pass", score=100, checked_at=finished_at, failing_since=None, stale=False
    )
    expect(status).to_contain_text("Check finished: Passing 100", timeout=15_000)
    expect(status.get_by_role("link", name="See the results")).to_have_attribute("href", f"/quality/runs/{run.pk}/")
    # The panel beside it follows, in place: the new judgement, no problems left, and the trend with the new run.
    expect(latest).to_contain_text("Latest check: Passing 100")
    expect(latest).not_to_contain_text("Failing")
    expect(page.locator("#quality-results")).to_contain_text("Every check passed in the latest run.")
    expect(page.locator("#quality-problems")).to_have_count(0)
    expect(page.locator("#quality-trend .main-svg").first).to_be_attached(timeout=20_000)
    drawn = page.evaluate("document.getElementById('quality-trend').data[0].y")
    assert drawn[-1] == 100 and len(drawn) == 9
    # Finished: no poller is left, so nothing more is asked for.
    asked = len(polls)
    page.wait_for_timeout(4500)
    assert len(polls) == asked


def test_check_now_shows_the_first_result_in_place_without_a_reload(page, login, personas, city, data_server):
    """A dataset never checked: "Not checked yet" gives way to the result, its checks and a new trend chart, on the
    page the button was pressed on."""
    from tests.inventory.factories import DataFieldFactory, DatasetFactory, DistributionFactory

    dataset = DatasetFactory(title="Calls for service", department=city["police"])
    DataFieldFactory(dataset=dataset, name="call_id", type="integer")
    DataFieldFactory(dataset=dataset, name="priority", type="integer")
    DistributionFactory(dataset=dataset, download_url=data_server.add("/calls.csv", CSV))
    login(page, "police_contact", next=dataset.get_absolute_url())
    latest = page.locator("#quality-latest")
    expect(latest).to_contain_text("Not checked yet")
    expect(page.locator("#quality-trend")).to_have_count(0)
    loads = []
    page.on("framenavigated", lambda frame: loads.append(frame.url) if frame == page.main_frame else None)

    page.get_by_role("button", name="Check now").click()

    expect(page.locator("#quality-status")).to_contain_text("Check finished:", timeout=15_000)
    expect(latest).to_contain_text("Latest check:")
    expect(latest).not_to_contain_text("Not checked yet")
    expect(latest).to_contain_text("3 in 2 columns")  # the run's facts: its rows and columns
    expect(page.locator("#quality-trend .main-svg").first).to_be_attached(timeout=20_000)
    assert page.evaluate("document.getElementById('quality-trend').data.map(t => t.y.length)") == [1, 1]
    assert loads == [], "the page was not reloaded"
    assert data_server.hits["/calls.csv"] == 1
    assert_accessible(page)


def test_check_now_of_a_placeholder_address_says_not_checked_in_place(page, login, personas, city, data_server):
    """Data never fetched (its address answers 404): "not checked", with the reason, and nobody is emailed."""
    from django.core import mail

    from tests.inventory.factories import DatasetFactory, DistributionFactory

    dataset = DatasetFactory(title="Overtime", department=city["police"])
    DistributionFactory(dataset=dataset, download_url=data_server.add("/overtime.csv", status=404))
    login(page, "police_contact", next=dataset.get_absolute_url())

    page.get_by_role("button", name="Check now").click()

    status = page.locator("#quality-status")
    expect(status).to_contain_text("Check finished: Not checked its data could not be fetched.", timeout=15_000)
    latest = page.locator("#quality-latest")
    expect(latest).to_contain_text("Its data could not be fetched")
    expect(latest).to_contain_text("answered 404 Not Found")
    expect(latest).not_to_contain_text("Error")
    assert mail.outbox == []
    assert_accessible(page)


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
