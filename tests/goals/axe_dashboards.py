"""The goals dashboards for the axe browser test (tests/browser/test_axe_pages.py): their URLs, made once the data
they show exists (:func:`tests.goals.axe_pages.goals_data`), and steps that draw the charts (or, on the public measure's
pages, ask for the interactive one) and use them by keyboard before axe looks."""

from __future__ import annotations

from collections.abc import Callable

from playwright.sync_api import expect

from tests.goals.axe_pages import goals_data


def with_goals(path: str) -> Callable:
    def url(personas, city) -> str:
        goals_data(personas, city)
        return path

    return url


def charts_drawn(page, personas) -> int:
    """Every chart on screen drawn by plotly.js (axe then sees the page as people do)."""
    expect(page.locator("[data-goals-chart][data-drawn] .main-svg").first).to_be_attached()
    return 200


def tiles_shown(page, personas) -> int:
    """The public dashboard's summary: a tile per public KPI, its trend drawn by the server (no chart to wait for)."""
    expect(page.locator(".app-kpi-tile .app-sparkline").first).to_be_visible()
    return 200


def server_chart_shown(page, personas) -> int:
    """The public measure's chart as the server drew it (SVG, no plotly.js), with its switch to the interactive one."""
    expect(page.locator(".app-line-chart:visible")).to_have_count(1)
    expect(page.get_by_role("button", name="Interactive chart")).to_be_visible()
    return 200


def interactive_chart_drawn(page, personas) -> int:
    """The public measure's interactive chart, asked for: plotly.js loaded, the chart drawn in the drawing's place."""
    page.get_by_role("button", name="Interactive chart").click()
    return charts_drawn(page, personas)


def interactive_chart_by_keyboard(page, personas) -> int:
    """The interactive chart, asked for by keyboard (it takes the focus), then stepped through as below."""
    button = page.get_by_role("button", name="Interactive chart")
    button.focus()
    page.keyboard.press("Enter")
    expect(page.locator("[data-goals-chart][data-drawn]").first).to_be_focused()
    return chart_by_keyboard(page, personas)


def chart_by_keyboard(page, personas) -> int:
    """Tab to the first measure's chart and step back through its values with the arrow keys: each is read out."""
    chart = page.locator("[data-goals-chart][data-goals-live]").first
    chart.focus()
    expect(chart).to_be_focused()
    page.keyboard.press("End")
    live = page.locator(f"#{chart.get_attribute('data-goals-live')}")
    expect(live).to_contain_text("December 2025: 54, target 35, Off track (12 of 12)")
    page.keyboard.press("ArrowLeft")
    expect(live).to_contain_text("November 2025: 52, target 40, Off track (11 of 12)")
    page.keyboard.press("Home")
    expect(live).to_contain_text("January 2025: 32, target 40, On track (1 of 12)")
    return 200


#: (name, persona, url, status, then) of each case; test_axe_pages.py turns them into its Case objects.
CASES = [
    ("goals-dashboard", "principal", with_goals("/goals/dashboard/"), 200, charts_drawn),
    ("goals-dashboard", "stat_lead", with_goals("/goals/dashboard/"), 200, None),
    ("goals-dashboard-empty", "stat_analyst", "/goals/dashboard/", 200, None),
    ("goals-dashboard-forbidden", "police_contact", "/goals/dashboard/", 403, None),
    ("goals-department", "police_lead", with_goals("/goals/departments/police/"), 200, charts_drawn),
    ("goals-department-keyboard", "police_lead", with_goals("/goals/departments/police/"), 200, chart_by_keyboard),
    ("goals-department", "data_expert", with_goals("/goals/departments/police/"), 200, None),
    ("goals-department-empty", "stat_lead", "/goals/departments/parks/", 200, None),
    ("public-goals", "anonymous", with_goals("/public/"), 200, tiles_shown),
    ("public-goals-empty", "anonymous", "/public/", 200, None),
    ("public-measure", "anonymous", with_goals("/public/measures/axe-crashes/"), 200, server_chart_shown),
    (
        "public-measure-interactive",
        "anonymous",
        with_goals("/public/measures/axe-crashes/"),
        200,
        interactive_chart_drawn,
    ),
    (
        "public-measure-keyboard",
        "anonymous",
        with_goals("/public/measures/axe-crashes/"),
        200,
        interactive_chart_by_keyboard,
    ),
    ("public-measure-embed", "anonymous", with_goals("/public/measures/axe-crashes/embed/"), 200, server_chart_shown),
    (
        "public-measure-embed-interactive",
        "anonymous",
        with_goals("/public/measures/axe-crashes/embed/"),
        200,
        interactive_chart_drawn,
    ),
    ("public-measure-missing", "anonymous", with_goals("/public/measures/axe-response/"), 404, None),
]
