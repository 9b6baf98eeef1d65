"""The Stat sessions pages through axe-core's WCAG 2.1 A/AA rules, as the persona who would see each (the cases are
tests/sessions/axe_pages_sessions.py's), and the seating chart's diagram and its list alternative."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.sessions.axe_pages_sessions import CASES, sessions_data, sessions_url

from .axe import assert_accessible

pytestmark = pytest.mark.browser


@pytest.mark.parametrize(
    ("name", "persona", "url", "status", "then"), CASES, ids=[f"{case[0]}[{case[1]}]" for case in CASES]
)
def test_page_passes_axe(page, open_as, personas, city, name, persona, url, status, then):
    target = url(personas, city)
    answered = open_as(page, persona, target).status
    if then:
        answered = then(page, personas)
    assert answered == status, f"{name}: {target} answered {answered}, expected {status} (now at {page.url})"
    assert_accessible(page)


def test_seating_chart_is_a_named_image_with_a_list_beside_it(page, open_as, personas, city):
    open_as(page, "police_lead", sessions_url("stat_sessions:session")(personas, city))
    chart = page.get_by_role("img", name="Seating chart of the session")
    expect(chart).to_be_visible()
    expect(page.get_by_role("heading", name="Seating, as a list")).to_be_visible()
    expect(page.locator(".app-seating-list")).to_contain_text("Pat Chief")
    expect(page.locator(".app-seating-list")).to_contain_text("Reporter Rae")


def test_public_schedule_shows_sent_topics_only(page, open_as, personas, city):
    sessions_data(personas, city)
    open_as(page, "anonymous", "/public/sessions/")
    expect(page.get_by_text("Response times")).to_be_visible()
    expect(page.get_by_role("link", name="Stat sessions")).to_be_visible()
