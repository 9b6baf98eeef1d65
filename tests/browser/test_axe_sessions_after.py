"""The after-the-meeting pages through axe-core, as the persona who would see them: marking a session held and its
attendance, the follow-up memo (to draft, draft, with errors, as sent), the anonymous survey (fresh, with errors,
used), "How the program is doing" with its charts drawn, and the Stat lead's late follow-ups panel."""

from __future__ import annotations

import pytest

from tests.sessions.axe_after import CASES

from .axe import assert_accessible

pytestmark = pytest.mark.browser


@pytest.mark.parametrize(("name", "persona", "url", "status", "then"), CASES, ids=[case[0] for case in CASES])
def test_page_passes_axe(page, open_as, personas, city, name, persona, url, status, then):
    response = open_as(page, persona, url(personas, city))
    assert response.status == 200, page.url
    if then is not None:
        assert then(page, personas) == status
    if name == "program-measures":
        page.wait_for_selector("[data-goals-chart][data-drawn]", state="attached")
    assert_accessible(page)
