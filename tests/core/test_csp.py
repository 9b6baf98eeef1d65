"""The Content-Security-Policy (django-csp): every page says ``default-src 'self'`` with no inline scripts or styles,
and may not be framed, except the embeddable measure page, which is made to be framed by other sites
(``CSP_EMBED_FRAME_ANCESTORS``). The templates carry no inline script, style attribute or event handler for the
policy to refuse (tests/browser/test_csp.py watches the browser for violations)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings

from tests.goals.factories import GoalFactory, MeasureFactory

pytestmark = pytest.mark.django_db

TEMPLATES = Path(settings.BASE_DIR) / "templates"


def directives(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    parsed = {}
    for part in header.split(";"):
        name, *values = part.split()
        parsed[name] = values
    return parsed


@pytest.fixture
def public_measure(city):
    goal = GoalFactory(statement="Cut crashes", departments=[city["police"]], public=True)
    return MeasureFactory(goal=goal, department=city["police"], slug="crashes", public=True, is_kpi=True)


@pytest.mark.parametrize(
    ("persona", "url"),
    [
        ("anonymous", "/"),
        ("anonymous", "/accounts/login/"),
        ("anonymous", "/public/"),
        ("anonymous", "/public/measures/crashes/"),
        ("anonymous", "/public/datasets/"),
        ("anonymous", "/api/docs/"),
        ("anonymous", "/api/schema/"),
        ("anonymous", "/healthz"),
        ("anonymous", "/no-such-page/"),
        ("stat_analyst", "/dashboard/"),
        ("stat_analyst", "/inventory/"),
        ("stat_analyst", "/goals/dashboard/"),
        ("stat_analyst", "/quality/"),
    ],
)
def test_every_page_has_a_strict_policy_and_may_not_be_framed(as_persona, public_measure, persona, url):
    response = as_persona(persona).get(url)
    assert response.status_code in (200, 404), url
    policy = directives(response)
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"]
    assert policy["form-action"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert not any("unsafe" in value for values in policy.values() for value in values)
    assert response["X-Frame-Options"] == "DENY"


def test_the_embed_page_may_be_framed_by_any_site_by_default(as_persona, public_measure):
    response = as_persona("anonymous").get("/public/measures/crashes/embed/")
    assert response.status_code == 200
    policy = directives(response)
    assert policy["frame-ancestors"] == ["*"]
    assert policy["default-src"] == ["'self'"] and policy["script-src"] == ["'self'"]
    assert "X-Frame-Options" not in response


def test_who_may_frame_the_embed_page_is_a_setting(as_persona, public_measure, settings):
    settings.CSP_EMBED_FRAME_ANCESTORS = ["https://www.riverton.gov", "https://news.example.com"]
    response = as_persona("anonymous").get("/public/measures/crashes/embed/")
    assert directives(response)["frame-ancestors"] == ["https://www.riverton.gov", "https://news.example.com"]


INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.IGNORECASE)
STYLE_ELEMENT = re.compile(r"<style\b", re.IGNORECASE)
# Inside a tag: the embed code shown as text (&lt;iframe ... style="border:0"&gt;) is not an attribute.
STYLE_ATTRIBUTE = re.compile(r"<[a-z][^>]*\sstyle\s*=", re.IGNORECASE)
EVENT_HANDLER = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.IGNORECASE)


@pytest.mark.parametrize("template", sorted(TEMPLATES.rglob("*.htm*")) + sorted(TEMPLATES.rglob("*.jinja")), ids=str)
def test_no_template_has_an_inline_script_style_or_event_handler(template):
    source = template.read_text()
    for name, pattern in [
        ("inline <script>", INLINE_SCRIPT),
        ("<style> element", STYLE_ELEMENT),
        ("style= attribute", STYLE_ATTRIBUTE),
        ("on…= event handler", EVENT_HANDLER),
    ]:
        found = pattern.search(source)
        assert found is None, f"{template.relative_to(TEMPLATES)}: {name}: {found and found.group(0)}"


def test_the_api_docs_page_carries_no_inline_script_or_style(as_persona):
    html = as_persona("anonymous").get("/api/docs/").content.decode()
    assert not INLINE_SCRIPT.search(html) and not STYLE_ELEMENT.search(html) and not STYLE_ATTRIBUTE.search(html)


def test_plotlys_injected_styles_come_from_our_stylesheet_matching_the_bundle():
    """plotly.js injects <style> elements (its rules, MapLibre's) unless the page holds their stand-ins; the
    stand-ins are written from the bundle by scripts/plotly_css.py, and must be written again after an upgrade."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("plotly_css", Path(settings.BASE_DIR) / "scripts" / "plotly_css.py")
    plotly_css = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(plotly_css)
    bundle = plotly_css.BUNDLE.read_text()
    assert plotly_css.OUTPUT.read_text() == plotly_css.stylesheet(bundle), "run scripts/plotly_css.py"
    partial = (TEMPLATES / "components" / "plotly_styles.html").read_text()
    assert 'id="plotly.js-style-global" class="no-inline-styles"' in partial
    assert f'id="{plotly_css.maplibre_style_id(bundle)}"' in partial
    for assets in ("goals/dashboard_assets.html", "quality/_chart_scripts.html"):
        text = (TEMPLATES / assets).read_text()
        assert text.index("plotly_styles.html") < text.index("plotly-basic.min.js"), assets
    # The public measure's pages load plotly.js on request, writing the same two stand-ins first.
    switch = (TEMPLATES / "goals" / "chart_switch_assets.html").read_text()
    assert f'data-maplibre-css-id="{plotly_css.maplibre_style_id(bundle)}"' in switch
    assert "css/plotly.css" in switch
