"""What people meet first of the goals: the public dashboard's summary grid, the embed at its default height, and a
department's dashboard on paper (every chart drawn, at the printed width, before the page prints)."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

#: The width static/js/goals-charts.js lays charts out at for printing (7in).
PRINT_WIDTH = 672
CHARTS = "[data-goals-chart]"


@pytest.fixture
def police_goals(personas, city):
    """Police: three public goals under Public safety, each with a public KPI (a year of values far from zero,
    against a target), the first with two more measures that are not public, so the Police dashboard holds five
    charts, more than a screen draws at once; and Parks' public KPI under Environment."""
    from goals.models import Goal, Measure, Observation, Priority

    def priority(slug: str, name: str) -> Priority:
        # get_or_create: transactional tests flush the priorities the data migration made.
        return Priority.objects.get_or_create(slug=slug, defaults={"name": name})[0]

    def goal(statement: str, slug: str, name: str, department: str) -> Goal:
        made = Goal.objects.create(priority=priority(slug, name), statement=statement, public=True)
        made.departments.set([city[department]])
        return made

    safety = goal("Safer streets", "public-safety", "Public safety", "police")
    response = goal("Answer calls faster", "public-safety", "Public safety", "police")
    cleared = goal("Solve more cases", "public-safety", "Public safety", "police")
    parks = goal("Greener city", "environment", "Environment", "parks")
    measures = {}
    # slug, name, unit, goal, department, public, KPI, direction, target, the first value and its monthly change
    specs = [
        ("crashes", "Crashes at targeted intersections", "crashes", safety, "police", True, True, "down", 100, 120, -2),
        ("response", "Police response time", "minutes", response, "police", True, True, "down", 8, 10, -0.1),
        ("cleared", "Cases cleared", "%", cleared, "police", True, True, "up", 60, 50, 1),
        ("overtime", "Overtime", "hours", safety, "police", False, False, "down", 900, 1000, -10),
        ("patrols", "Foot patrols", "hours", safety, "police", False, False, "up", 300, 280, 2),
        ("trees", "Trees planted", "trees", parks, "parks", True, True, "up", 100, 70, 1),
    ]
    for slug, name, unit, goal, department, public, kpi, direction, target, first, change in specs:
        measure = Measure.objects.create(
            goal=goal,
            department=city[department],
            name=name,
            slug=slug,
            description=f"{name}, each month.",
            is_kpi=kpi,
            unit=unit,
            direction=direction,
            target_value=target,
            public=public,
        )
        for month in range(1, 13):
            value = Decimal(str(first)) + Decimal(str(change)) * (month - 1)
            Observation.objects.create(measure=measure, period=datetime.date(2025, month, 1), value=value)
        measures[slug] = measure
    return measures


def test_the_public_dashboard_is_a_grid_of_tiles_by_priority_that_lead_to_their_measures(page, police_goals):
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto("/public/")
    safety = page.locator("section", has=page.get_by_role("heading", name="Public safety", level=2))
    environment = page.locator("section", has=page.get_by_role("heading", name="Environment", level=2))
    expect(safety.locator(".app-kpi-tile")).to_have_count(3)  # the public KPIs; the other measures are not tiles
    expect(environment.locator(".app-kpi-tile")).to_have_count(1)
    crashes = safety.locator(".app-kpi-tile", has_text="Crashes at targeted intersections")
    expect(crashes).to_contain_text("On track")
    expect(crashes).to_contain_text("98 crashes in December 2025")
    expect(crashes).to_contain_text("Target 100 crashes (lower is better)")
    trend = crashes.get_by_role("img", name="Trend of Crashes at targeted intersections")
    expect(trend).to_be_visible()
    expect(trend).to_have_accessible_description(
        "The last 12 values, from 120 crashes in January 2025 to 98 crashes in December 2025; lowest 98 crashes, "
        "highest 120 crashes."
    )
    # A grid: the first tiles side by side on a wide screen.
    # (Waited for: on a loaded machine the first layout can be measured before the last stylesheet applies.)
    page.wait_for_function(
        """() => {
            const section = [...document.querySelectorAll("section")].find(
                s => s.querySelector("h2")?.textContent.trim() === "Public safety");
            const [a, b] = [...section.querySelectorAll(".app-kpi-tile")].map(t => t.getBoundingClientRect());
            return a && b && a.top === b.top && a.left < b.left;
        }""",
        timeout=10_000,
    )
    # No plotly.js here: the trends are SVG from the server.
    assert not [url for url in requested if "plotly" in url]
    # The whole tile leads to the measure's page, not only its name: a click on its value follows the link.
    crashes.locator(".app-kpi-tile__value").scroll_into_view_if_needed()
    value = crashes.locator(".app-kpi-tile__value").bounding_box()
    page.mouse.click(value["x"] + value["width"] / 2, value["y"] + value["height"] / 2)
    expect(page).to_have_url(re.compile(r"/public/measures/crashes/$"))
    expect(page.locator(".app-line-chart:visible")).to_contain_text("Latest: 98 crashes (Dec 2025)")


def test_the_public_dashboard_reflows_on_a_phone_and_prints_its_tiles_whole(page, police_goals):
    page.set_viewport_size({"width": 320, "height": 800})
    page.goto("/public/")
    expect(page.locator(".app-kpi-tile").first).to_be_visible()
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"/public/ scrolls sideways by {overflow}px at 320px wide"
    page.emulate_media(media="print")
    expect(page.locator("header.usa-header")).to_be_hidden()
    assert page.locator(".app-kpi-tile").first.evaluate("tile => getComputedStyle(tile).breakInside") == "avoid"


def test_the_embed_shows_its_source_and_data_link_at_its_default_height(page, police_goals):
    page.goto("/public/measures/crashes/")
    code = page.locator("#embed-code").input_value()
    height = int(re.search(r'height="(\d+)"', code).group(1))
    embed = re.search(r'src="([^"]+)"', code).group(1)
    for width in (400, 600):  # a phone's and an article column's width
        page.goto("about:blank")  # resized on no page: none of the last one's images is left loading
        page.set_viewport_size({"width": width, "height": height})
        page.goto(embed)
        chart = page.locator(".app-line-chart:visible")  # drawn by the server
        expect(chart).to_have_count(1)
        for link in (
            page.get_by_role("link", name="Data (CSV)"),
            page.get_by_role("link", name=re.compile("dashboard")),
        ):
            box = link.bounding_box()
            assert box is not None and box["y"] + box["height"] <= height, f"{link} is cut off at {width}px wide"
        drawn = chart.bounding_box()
        assert drawn["y"] + drawn["height"] <= height, f"the chart is cut off at {width}px wide"
        # Asked for, the interactive chart takes its place and fits too.
        page.get_by_role("button", name="Interactive chart").click()
        expect(page.locator(f"{CHARTS}[data-drawn] .main-svg").first).to_be_attached()
        plot = page.locator(CHARTS).bounding_box()
        assert plot["y"] + plot["height"] <= height, f"the interactive chart is cut off at {width}px wide"


def _chart_widths(page) -> list[str]:
    """Each drawn chart's width as plotly.js laid it out."""
    return page.locator(CHARTS).evaluate_all(
        "charts => charts.map(chart => chart.querySelector('svg.main-svg')?.getAttribute('width') || '')"
    )


def test_printing_a_department_dashboard_draws_every_chart_at_the_printed_width(page, open_as, police_goals):
    open_as(page, "police_lead", "/goals/departments/police/")
    charts = page.locator(CHARTS)
    expect(charts).to_have_count(5)
    expect(page.locator(f"{CHARTS}[data-drawn]").first).to_be_attached()
    assert page.locator(f"{CHARTS}[data-drawn]").count() < 5  # drawn as they come near the screen
    page.emulate_media(media="print")
    expect(page.locator(f"{CHARTS}[data-drawn]")).to_have_count(5)
    assert _chart_widths(page) == [str(PRINT_WIDTH)] * 5
    expect(page.locator("header.usa-header")).to_be_hidden()
    # Each chart whole on its page, its caption and summary with it.
    figure = page.locator("figure").filter(has=page.locator(CHARTS)).first
    assert figure.evaluate("figure => getComputedStyle(figure).breakInside") == "avoid"
    assert figure.locator("figcaption").evaluate("caption => getComputedStyle(caption).breakAfter") == "avoid"
    # Back on the screen, each chart takes its column's width again.
    page.emulate_media(media="screen")
    column = charts.first.evaluate("chart => String(chart.clientWidth)")
    # Plotly redraws after the media change, on its own time: wait for every chart (failing if one never is).
    page.wait_for_function(
        """(width) => Array.from(document.querySelectorAll("[data-goals-chart]"),
            (chart) => chart.querySelector("svg.main-svg")?.getAttribute("width")).every((w) => w === width)""",
        arg=column,
        timeout=10_000,
    )


def test_a_browser_s_print_and_pdf_have_every_chart(page, open_as, police_goals):
    open_as(page, "police_lead", "/goals/departments/police/")
    expect(page.locator(f"{CHARTS}[data-drawn]").first).to_be_attached()
    # The print dialog's event: every chart drawn before the dialog lays the page out, and redrawn after.
    page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
    assert _chart_widths(page) == [str(PRINT_WIDTH)] * 5
    page.evaluate("window.dispatchEvent(new Event('afterprint'))")
    assert str(PRINT_WIDTH) not in _chart_widths(page)

    # A PDF of the page (as a PDF memo would be made): what the charts were when it was laid out for print.
    page.reload()
    expect(page.locator(f"{CHARTS}[data-drawn]").first).to_be_attached()
    assert page.locator(f"{CHARTS}[data-drawn]").count() < 5
    page.evaluate(
        """() => {
          window.printed = [];
          matchMedia("print").addEventListener("change", (event) => {
            if (event.matches) {
              window.printed = Array.from(document.querySelectorAll("[data-goals-chart]"), (chart) =>
                chart.querySelector("svg.main-svg")?.getAttribute("width") || "not drawn");
            }
          });
        }"""
    )
    pdf = page.pdf(format="Letter")
    assert pdf.startswith(b"%PDF-")
    assert len(re.findall(rb"/Type\s*/Page\b", pdf)) >= 2
    assert page.evaluate("window.printed") == [str(PRINT_WIDTH)] * 5
