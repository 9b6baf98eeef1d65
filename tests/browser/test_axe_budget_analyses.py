"""The cost-benefit analysis pages (the list, an analysis, its form in each state, and a budget request's item page
with its analyses) pass axe-core's WCAG 2.1 A/AA rules, seen as the persona who would see each."""

from __future__ import annotations

import pytest

from tests.budget.axe_analyses import CASES

from .axe import assert_accessible

pytestmark = pytest.mark.browser


@pytest.mark.parametrize(("persona", "url", "then"), [case[1:] for case in CASES], ids=[case[0] for case in CASES])
def test_analysis_page_passes_axe(page, open_as, personas, city, persona, url, then):
    response = open_as(page, persona, url(personas, city))
    assert response.status == 200, page.url
    if then is not None:
        assert then(page, personas) in (200, 400)
    assert_accessible(page)
