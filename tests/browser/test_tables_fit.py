"""Tables that fit (issue 14): the table-heavy pages take the screen's width, so on a wide screen every column shows
without scrolling sideways; on a 320 px phone the page itself never scrolls sideways (a table either stacks as
cards or scrolls in its own named, focusable region) and passes axe.

Per table, at 320 px: the inventory list and the priority ranking stack (USWDS ``usa-table--stacked``, each value
under its column's name); the dashboards', quality's, the budget's and the tracker's tables scroll in a region of
their own (``tabindex="0"``, ``role="region"``, named by their caption or heading)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.budget.axe_pages import budget_url
from tests.goals.axe_dashboards import with_goals
from tests.quality.axe_pages import city_url as quality_url
from tests.sessions.axe_actions import tracker_url

from .axe import assert_accessible

pytestmark = pytest.mark.browser

WIDE = {"width": 1920, "height": 1080}
PHONE = {"width": 320, "height": 800}


def plain(path: str) -> Callable:
    return lambda personas, city: path


#: (name, persona, url) of every page that opts into the screen's width.
TABLE_PAGES = [
    ("inventory", "stat_lead", plain("/inventory/")),
    ("priority", "stat_lead", plain("/inventory/priority/")),
    ("priority-all", "stat_analyst", plain("/inventory/priority/?show=all")),
    ("goals-city", "stat_lead", with_goals("/goals/dashboard/")),
    ("goals-department", "police_lead", with_goals("/goals/departments/police/")),
    ("quality", "stat_analyst", quality_url),
    ("budget-city", "stat_lead", budget_url("budget:city")),
    ("budget-portfolio", "budget_analyst", budget_url("budget:portfolio")),
    ("budget-department", "police_lead", budget_url("budget:department", "police")),
    ("tracker", "stat_lead", tracker_url()),
]

#: Where each column header is against the viewport and its table's scrolling region.
HEADERS_JS = """(table) => {
  const region = table.closest('.usa-table-container--scrollable');
  const bounds = region ? region.getBoundingClientRect() : {left: 0, right: innerWidth};
  return [...table.querySelectorAll('thead th')].map((th) => {
    const box = th.getBoundingClientRect();
    return {text: th.innerText.split('\\n')[0].split(':')[0].trim(), left: box.left, right: box.right,
            regionLeft: bounds.left, regionRight: bounds.right, viewport: innerWidth};
  });
}"""


def headers(table) -> dict[str, dict]:
    return {header["text"]: header for header in table.evaluate(HEADERS_JS)}


def assert_in_view(header: dict, name: str) -> None:
    right = min(header["viewport"], header["regionRight"])
    assert header["left"] >= header["regionLeft"] - 0.5 and header["right"] <= right + 0.5, (
        f"the {name} column is off screen: {header}"
    )


def test_the_inventorys_quality_and_priority_columns_show_on_a_wide_screen(page, open_as, inventory_datasets):
    page.set_viewport_size(WIDE)
    assert open_as(page, "stat_lead", "/inventory/").status == 200
    assert page.locator("main > div").first.get_attribute("class").startswith("grid-container-widescreen")
    found = headers(page.locator("main table").first)
    for name in ("Title", "Department", "Steward", "Status", "Access", "Updated", "Quality", "Priority"):
        assert_in_view(found[name], name)


def test_the_city_dashboards_change_and_department_columns_show_on_a_wide_screen(page, open_as, personas, city):
    from goals.models import Measure
    from team.models import Department

    path = with_goals("/goals/dashboard/")(personas, city)
    # Names as long as a city's: together wider than the old fixed 960 px column.
    Measure.objects.filter(slug="axe-crashes").update(name="Median emergency response time (minutes)")
    Department.objects.filter(pk=city["police"].pk).update(name="Emergency Medical Services")
    page.set_viewport_size(WIDE)
    assert open_as(page, "stat_lead", path).status == 200
    tables = page.locator("main table")
    with_department = [
        found for found in (headers(tables.nth(i)) for i in range(tables.count())) if "Department" in found
    ]
    assert with_department  # each priority's goals (and what changed since last period, when something did)
    for found in with_department:
        for name in ("Department", *(("Change",) if "Change" in found else ())):
            assert_in_view(found[name], name)
    priorities = [found for found in with_department if "Goal" in found]
    assert priorities and all("Change" in found for found in priorities)


@pytest.mark.parametrize(("name", "persona", "url"), TABLE_PAGES, ids=[case[0] for case in TABLE_PAGES])
def test_on_a_phone_nothing_but_a_tables_own_region_scrolls_sideways(
    page, open_as, personas, city, inventory_datasets, name, persona, url
):
    page.set_viewport_size(PHONE)
    assert open_as(page, persona, url(personas, city)).status == 200
    assert page.locator("main > div").first.get_attribute("class").startswith("grid-container-widescreen")
    overflow = page.evaluate("document.documentElement.scrollWidth - innerWidth")
    assert overflow <= 0, f"{name}: the page scrolls {overflow}px sideways at 320px"
    tables = page.locator("main table")
    assert tables.count(), f"{name}: no table on the page"
    for index in range(tables.count()):
        table = tables.nth(index)
        if "usa-table--stacked" in (table.get_attribute("class") or ""):
            # A card per row: as wide as the page, each value under its column's name.
            assert table.evaluate("t => t.getBoundingClientRect().right <= innerWidth")
            cell = table.locator("tbody td[data-label]").first
            label = cell.evaluate("td => getComputedStyle(td, '::before').content")
            assert label.strip('"') == cell.get_attribute("data-label")
            continue
        region = table.locator("xpath=ancestor::div[contains(@class, 'usa-table-container--scrollable')][1]")
        if not region.count():
            assert table.evaluate("t => t.getBoundingClientRect().right <= innerWidth"), f"{name}: table {index}"
            continue
        assert region.get_attribute("tabindex") == "0"
        assert region.get_attribute("role") == "region"
        assert region.get_attribute("aria-labelledby") or region.get_attribute("aria-label")
    assert_accessible(page)


def test_a_wide_table_scrolls_in_its_region_by_keyboard(page, open_as, personas, city):
    """Between a phone and a wide screen the dashboard's table scrolls in its own region, which takes focus and
    scrolls with the arrow keys (WCAG 2.1.1)."""
    page.set_viewport_size({"width": 700, "height": 900})
    open_as(page, "stat_lead", with_goals("/goals/dashboard/")(personas, city))
    region = page.locator(".usa-table-container--scrollable", has=page.locator("thead th", has_text="Goal")).first
    assert region.evaluate("r => r.scrollWidth > r.clientWidth")
    region.focus()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("End")
    # The browser scrolls after the key press (smoothly, on its own time): wait for it, failing if it never does.
    page.wait_for_function("r => r.scrollLeft > 0", arg=region.element_handle(), timeout=5_000)
