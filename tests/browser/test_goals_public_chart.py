"""A public measure's page and its embed draw the chart on the server (SVG: no plotly.js on a first visit, so a phone
shows it at once) and switch to the plotly chart, tooltips and arrow keys, when the reader asks for it."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .axe import assert_accessible
from .test_goals_summary_and_print import police_goals  # noqa: F401 - the fixture

pytestmark = pytest.mark.browser

CAPTION = "Crashes at targeted intersections (crashes), actual against target"


def _plotly_requests(page) -> list[str]:
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url) if "plotly" in request.url else None)
    return requested


@pytest.mark.parametrize(("width", "shown", "unseen"), [(1280, "wide", "narrow"), (360, "narrow", "wide")])
def test_the_public_measure_page_shows_a_server_drawn_chart_of_its_values(page, police_goals, width, shown, unseen):  # noqa: F811
    page.set_viewport_size({"width": width, "height": 900})
    plotly = _plotly_requests(page)
    page.goto("/public/measures/crashes/")
    chart = page.get_by_role("img", name=CAPTION)
    expect(chart).to_have_count(1)  # the other drawing is hidden from everyone
    expect(chart).to_have_class(f"app-line-chart app-line-chart--{shown}")
    expect(page.locator(f".app-line-chart--{unseen}")).to_be_hidden()
    expect(chart).to_have_accessible_description(
        "Crashes at targeted intersections: 98 crashes in December 2025, against a target of 100 crashes (lower is "
        "better): on track. 120 crashes in January 2025, 12 periods charted. Axis does not start at zero: it starts "
        "near the lowest value, so the changes show."
    )
    # The values: the latest written beside its point, the value axis's ticks, the periods, each point's numbers.
    expect(chart).to_contain_text("98 crashes")
    expect(chart).to_contain_text("Dec 2025")
    expect(chart).to_contain_text("Target")
    assert chart.locator("title").first.text_content() == "January 2025: 120 crashes, target 100 crashes, Off track"
    assert chart.locator("title").count() == 12
    box = chart.bounding_box()
    assert 0 < box["width"] <= width and box["height"] > 150
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"the page scrolls sideways by {overflow}px at {width}px wide"
    assert plotly == []  # nothing of plotly.js until asked for
    assert_accessible(page)


def test_the_interactive_chart_loads_plotly_on_request_and_takes_the_keyboard(page, police_goals):  # noqa: F811
    plotly = _plotly_requests(page)
    page.goto("/public/measures/crashes/")
    button = page.get_by_role("button", name="Interactive chart")
    expect(button).to_be_visible()
    assert plotly == []
    button.click()
    plot = page.locator("[data-goals-chart][data-drawn]")
    expect(plot.locator(".main-svg").first).to_be_attached()
    expect(plot).to_be_focused()
    expect(page.get_by_role("img", name=CAPTION)).to_have_count(1)  # the plotly chart, the drawing hidden
    expect(page.locator("#public-crashes-static")).to_be_hidden()
    expect(button).to_be_hidden()
    assert any("plotly-basic" in url for url in plotly)
    page.keyboard.press("End")
    live = page.locator(f"#{plot.get_attribute('data-goals-live')}")
    expect(live).to_contain_text("December 2025: 98, target 100, On track (12 of 12)")
    page.keyboard.press("Home")
    expect(live).to_contain_text("January 2025: 120, target 100, Off track (1 of 12)")
    assert_accessible(page)


def test_the_embed_draws_its_chart_on_the_server_and_switches_too(page, police_goals):  # noqa: F811
    plotly = _plotly_requests(page)
    page.set_viewport_size({"width": 400, "height": 640})
    page.goto("/public/measures/crashes/embed/")
    expect(page.get_by_role("img", name=CAPTION)).to_contain_text("98 crashes")
    assert plotly == []
    assert_accessible(page)
    page.get_by_role("button", name="Interactive chart").click()
    expect(page.locator("[data-goals-chart][data-drawn] .main-svg").first).to_be_attached()
    assert_accessible(page)


def test_the_drawing_prints_without_the_button(page, police_goals):  # noqa: F811
    page.set_viewport_size({"width": 360, "height": 900})
    page.goto("/public/measures/crashes/")
    expect(page.get_by_role("button", name="Interactive chart")).to_be_visible()
    page.emulate_media(media="print")
    expect(page.locator(".app-line-chart--wide")).to_be_visible()  # the wide drawing on paper
    expect(page.locator(".app-line-chart--narrow")).to_be_hidden()
    expect(page.get_by_role("button", name="Interactive chart")).to_be_hidden()
