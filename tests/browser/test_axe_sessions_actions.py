"""The action-item pages (the tracker, an item's page, a session's agenda with its timers and live recording) pass
axe-core's WCAG 2.1 A/AA rules, seen as the persona who would see each, in each state a test drives them into."""

from __future__ import annotations

import pytest

from tests.sessions.axe_actions import CASES

from .axe import assert_accessible

pytestmark = pytest.mark.browser


@pytest.mark.parametrize(("persona", "url", "then"), [case[1:] for case in CASES], ids=[case[0] for case in CASES])
def test_action_item_page_passes_axe(page, open_as, personas, city, persona, url, then):
    response = open_as(page, persona, url(personas, city))
    assert response.status == 200, page.url
    if then is not None:
        assert then(page, personas) == 200
    assert_accessible(page)
