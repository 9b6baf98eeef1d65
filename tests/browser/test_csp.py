"""The Content-Security-Policy in a real browser: the pages that run the most script (Plotly charts drawn, hovered
and stepped through by keyboard, the quality trend fetched after load, Swagger UI) work under it and break none of
its rules. Every ``securitypolicyviolation`` event is recorded from before the page's first script runs; the
``page`` fixture also fails on the console error each violation logs."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.goals.axe_pages import goals_data
from tests.quality.axe_pages import failing_dataset

pytestmark = pytest.mark.browser

RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(
    `${event.effectiveDirective} blocked ${event.blockedURI || "(inline)"} at ${event.sourceFile}:${event.lineNumber}`
  );
});
"""


def violations(page) -> list[str]:
    return page.evaluate("window.__cspViolations")


def open_recording(page, open_as, persona: str, url: str):
    page.add_init_script(RECORD_VIOLATIONS)
    response = open_as(page, persona, url)
    assert response.status == 200, url
    policy = response.headers["content-security-policy"]
    assert "default-src 'self'" in policy and "unsafe" not in policy
    return response


def use_the_first_goals_chart(page) -> None:
    """Draw and hover the first chart, and step through it by keyboard where it offers that: plotly.js builds its
    tooltips and styles as it does. A public measure's page shows the server's drawing first: its interactive chart
    is asked for (plotly.js, its stylesheet and stand-ins loaded then)."""
    switch = page.get_by_role("button", name="Interactive chart")
    if switch.count():
        assert violations(page) == []  # the drawing alone
        switch.click()
    chart = page.locator("[data-goals-chart]").first
    chart.scroll_into_view_if_needed()
    expect(chart.locator(".main-svg").first).to_be_attached()
    chart.hover()
    if chart.get_attribute("data-goals-live"):
        chart.focus()
        page.keyboard.press("End")
        page.keyboard.press("ArrowLeft")
        expect(page.locator(f"#{chart.get_attribute('data-goals-live')}")).to_contain_text(" of ")
        expect(chart.locator(".hoverlayer .hovertext").first).to_be_attached()


@pytest.mark.parametrize(
    ("persona", "url"),
    [
        ("principal", "/goals/dashboard/"),
        ("police_lead", "/goals/departments/police/"),
        ("anonymous", "/public/measures/axe-crashes/"),
        ("anonymous", "/public/measures/axe-crashes/embed/"),
    ],
)
def test_goals_charts_draw_and_respond_without_breaking_the_policy(page, open_as, personas, city, persona, url):
    goals_data(personas, city)
    response = open_recording(page, open_as, persona, url)
    use_the_first_goals_chart(page)
    assert violations(page) == []
    frame_ancestors = "frame-ancestors *" if url.endswith("/embed/") else "frame-ancestors 'none'"
    assert frame_ancestors in response.headers["content-security-policy"]
    # plotly.js found our stand-ins and injected no style element of its own.
    assert page.locator("head style").count() == 0


def test_the_public_summary_and_a_printed_dashboard_keep_the_policy(page, open_as, personas, city):
    """The public dashboard's summary (server-drawn SVG trends, no script of its own), and a department's charts
    all drawn and laid out again for print."""
    goals_data(personas, city)
    open_recording(page, open_as, "anonymous", "/public/")
    expect(page.locator(".app-kpi-tile .app-sparkline").first).to_be_visible()
    assert violations(page) == []
    open_recording(page, open_as, "police_lead", "/goals/departments/police/")
    page.emulate_media(media="print")
    expect(page.locator("[data-goals-chart][data-print-width] .main-svg").first).to_be_attached()
    assert violations(page) == []
    assert page.locator("head style").count() == 0


def test_the_quality_trend_is_drawn_without_breaking_the_policy(page, open_as, personas, city):
    dataset = failing_dataset(personas, city)
    open_recording(page, open_as, "stat_analyst", dataset.get_absolute_url())
    chart = page.locator("#quality-trend")
    expect(chart.locator(".main-svg").first).to_be_attached(timeout=20_000)  # plotly.js is fetched after load
    chart.hover()
    assert violations(page) == []


def test_swagger_ui_runs_without_breaking_the_policy(page, open_as, personas):
    open_recording(page, open_as, "anonymous", "/api/docs/")
    expect(page.locator(".swagger-ui .opblock").first).to_be_visible()
    page.locator(".swagger-ui .opblock-summary").first.click()
    expect(page.locator(".swagger-ui .opblock-body").first).to_be_visible()
    expect(page.locator(".swagger-ui pre[tabindex='0']").first).to_be_attached()  # our accessibility fixes ran
    assert violations(page) == []
