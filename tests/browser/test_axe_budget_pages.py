"""The budget pages through axe-core's WCAG 2.1 A/AA rules, as the persona who would see each (the cases are
tests/budget/axe_pages.py's), and the pages below the budget that show its cost per unit."""

from __future__ import annotations

import pytest

from tests.budget.axe_pages import CASES

from .axe import assert_accessible

pytestmark = pytest.mark.browser


@pytest.mark.parametrize(
    ("name", "persona", "url", "status", "then"), CASES, ids=[f"{case[0]}[{case[1]}]" for case in CASES]
)
def test_budget_page_passes_axe(page, open_as, personas, city, name, persona, url, status, then):
    target = url(personas, city)
    answered = open_as(page, persona, target).status
    assert answered == status, f"{name}: {target} answered {answered}, expected {status}"
    if "budget" in name or "cost" in name:
        assert page.get_by_text("cost per unit", exact=False).count() or "budget" in page.url
    assert_accessible(page)
