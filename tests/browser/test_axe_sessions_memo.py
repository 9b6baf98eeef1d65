"""The briefing memo's pages through axe-core, as the persona who would see each (tests/sessions/axe_memo.py): the
memo before its draft, the draft with its forms (and their errors), a topic's form, the sent memo, the printable
page."""

from __future__ import annotations

import pytest

from tests.sessions.axe_memo import CASES

from .axe import assert_accessible

pytestmark = pytest.mark.browser


@pytest.mark.parametrize(
    ("name", "persona", "url", "status", "then"), CASES, ids=[f"{case[0]}[{case[1]}]" for case in CASES]
)
def test_memo_page_passes_axe(page, open_as, personas, city, name, persona, url, status, then):
    response = open_as(page, persona, url(personas, city))
    got = then(page, personas) if then else response.status
    assert got == status, f"{name}: {page.url} answered {got}"
    assert_accessible(page)
