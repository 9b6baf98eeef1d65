"""The browser test harness itself: the live server serves our static files, and the axe helper catches faults."""

import pytest

from .axe import WCAG_TAGS, AccessibilityViolations, assert_accessible

pytestmark = pytest.mark.browser

BAD_PAGE = """<!doctype html><html><head><title>Bad</title></head>
<body><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw="><input type="text"></body></html>"""

GOOD_PAGE = """<!doctype html><html lang="en"><head><title>Good</title></head>
<body><main><h1>Fine</h1><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" alt="A dot">
<label for="q">Search</label><input id="q" type="text"></main></body></html>"""


@pytest.mark.parametrize(
    "path",
    ["/static/uswds/css/uswds.min.css", "/static/uswds/js/uswds.min.js", "/static/htmx/htmx.min.js"],
)
def test_live_server_serves_front_end_packages(page, path):
    response = page.request.get(path)
    assert response.status == 200, f"{path}: {response.status}"
    assert len(response.body()) > 1000


def test_axe_helper_reports_violations(page):
    page.set_content(BAD_PAGE)
    with pytest.raises(AccessibilityViolations) as caught:
        assert_accessible(page)
    rules = {v["id"] for v in caught.value.violations}
    assert {"image-alt", "label", "html-has-lang"} <= rules
    message = str(caught.value)
    assert "[critical] image-alt:" in message
    assert "target: img" in message
    assert "html:   <input" in message
    assert "Fix any of the following" in message


def test_axe_helper_passes_a_clean_page(page):
    page.set_content(GOOD_PAGE)
    assert_accessible(page)


def test_axe_helper_uses_wcag_21_aa_only(page):
    # A best-practice rule (no <main> landmark, no h1) must not fail a page; a WCAG rule must.
    page.set_content('<!doctype html><html lang="en"><head><title>T</title></head><body><p>Text</p></body></html>')
    assert_accessible(page)
    assert WCAG_TAGS == ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")
