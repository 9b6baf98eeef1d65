"""The public dashboard: /public/, each public measure's page, its embeddable page and its CSV. Open to everyone;
any measure that is not public (or whose goal is not) answers 404, to everyone."""

from __future__ import annotations

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from goals.models import Observation
from tests.goals.factories import GoalFactory, MeasureFactory, priority
from tests.goals.test_dashboard import MONTHS, _grow, make_dashboard_data
from tests.pages import parse, section, text_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def dashboard_data(city):
    return make_dashboard_data(city)


def test_public_home_starts_with_a_tile_per_public_kpi_grouped_by_priority(as_persona, dashboard_data):
    response = as_persona("anonymous").get("/public/")
    assert response.status_code == 200
    page = parse(response)
    safety, environment = section(page, "Public safety"), section(page, "Environment")
    tiles = safety.find("ul", class_="app-kpi-tiles").find_all("li", class_="app-kpi-tile")
    assert len(tiles) == 1  # the crashes KPI; the internal goal's KPI and the non-public measure are not here
    crashes = tiles[0]
    link = crashes.find("a", class_="app-kpi-tile__link")
    assert link.attrs["href"] == "/public/measures/crashes/" and link.text == "Crashes at targeted intersections"
    text = crashes.text
    assert "Goal: Cut crashes by 20% Bold goal" in text
    # The status in words beside its symbol (an icon), never colour alone.
    status = next(tag for tag in crashes.find_all("span", class_="usa-tag") if tag.find("svg", class_="usa-icon"))
    assert status.text == "On track" and status.find("svg", class_="usa-icon") is not None
    assert "98 crashes in January 2026 Target 100 crashes (lower is better)" in text
    # The small trend: an SVG drawn by the server, named, and described by the same numbers in words.
    spark = crashes.find("svg", class_="app-sparkline")
    assert spark.attrs["role"] == "img"
    title = spark.find("title", id=spark.attrs["aria-labelledby"])
    assert (
        title.text
        == "Trend of Crashes at targeted intersections: its values (solid line) against the target (dashed line)"
    )
    words = crashes.find("p", id=spark.attrs["aria-describedby"]).text
    assert words == (
        "The last 12 values, from 118 crashes in February 2025 to 98 crashes in January 2026; lowest 98 crashes, "
        "highest 118 crashes."
    )
    assert len(spark.find("polyline", stroke="#0072B2").attrs["points"].split()) == 12
    trees = environment.find("li", class_="app-kpi-tile")
    assert "Trees planted" in trees.text and "Off track" in trees.text and "higher is better" in trees.text
    headings = [heading.text for heading in page.find_all("h2")]
    assert headings.index("Public safety") < headings.index("Environment")
    text = text_of(response)
    assert "Police response time" not in text and "Answer calls in 8 minutes" not in text
    assert "Serious injury crashes" not in text
    assert "1 of 2 key measures on track, 0 approaching, 1 off track." in text


def test_the_public_dashboard_draws_no_plotly_chart(as_persona, dashboard_data):
    """Full charts are on the measures' pages: the summary loads no plotly.js and holds no figure data."""
    html = as_persona("anonymous").get("/public/").content.decode()
    assert "plotly" not in html and "data-goals-chart" not in html and 'type="application/json"' not in html
    assert "<script" not in html.split('<main id="main-content"')[1].split("</main>")[0]
    response = as_persona("anonymous").get("/public/measures/crashes/")
    measure = response.content.decode()
    # The measure's page draws its chart on the server and loads plotly.js, ours, only when asked for it.
    assert 'data-plotly="/static/plotly/plotly-basic.min.js"' in measure and "cdn" not in measure.lower()
    scripts = [script.attrs.get("src", "") for script in parse(response).find_all("script")]
    assert "/static/js/goals-chart-switch.js" in scripts and not [src for src in scripts if "plotly" in src]


@pytest.mark.parametrize("url", ["/public/measures/crashes/", "/public/measures/crashes/embed/"])
def test_a_public_measure_s_chart_is_drawn_by_the_server_with_its_numbers(as_persona, dashboard_data, url):
    page = parse(as_persona("anonymous").get(url))
    drawings = page.find_all("svg", class_="app-line-chart")
    assert [svg.attrs["class"].split()[-1] for svg in drawings] == ["app-line-chart--wide", "app-line-chart--narrow"]
    for svg in drawings:
        assert svg.attrs["role"] == "img" and svg.attrs["aria-labelledby"] == "public-crashes-caption"
        assert "Latest: 98 crashes (Jan 2026)" in svg.text
        titles = ["".join(title.children) for title in svg.find_all("title")]
        assert titles[0] == "January 2025: 120 crashes, target 100 crashes, Off track"
        assert len(titles) == len(MONTHS)
    plot = page.find("div", data_goals_chart="public-crashes-figure")
    assert "hidden" in plot.attrs  # the plotly chart waits for the reader's request
    assert page.find("button", data_goals_interactive="public-crashes").text == "Interactive chart"


def test_signed_in_dashboards_keep_their_plotly_charts(as_persona, dashboard_data):
    html = as_persona("police_lead").get("/goals/departments/police/").content.decode()
    assert "app-line-chart" not in html and "data-goals-interactive" not in html
    assert 'src="/static/plotly/plotly-basic.min.js"' in html


def test_other_public_measures_are_named_beside_the_tiles_and_every_one_is_in_the_table(as_persona, dashboard_data):
    serious = dashboard_data["serious"]
    serious.public = True
    serious.save()
    page = parse(as_persona("anonymous").get("/public/"))
    safety = section(page, "Public safety")
    assert len(safety.find_all("li", class_="app-kpi-tile")) == 1  # a supporting measure is no tile
    also = safety.find("a", href="/public/measures/serious/")
    assert also.text == "Serious injury crashes" and "Off track" in also.parent.text
    table = section(page, "Every public measure in a table")
    rows = {row.find("th").find("a").text: row.text for row in table.find_all("tr") if row.find("a")}
    assert list(rows) == ["Crashes at targeted intersections", "Serious injury crashes", "Trees planted"]
    assert (
        "On track 98 crashes January 2026 100 crashes The last 12 values" in rows["Crashes at targeted intersections"]
    )
    assert "Goal: Cut crashes by 20%" in rows["Serious injury crashes"]
    assert table.find("a", href="/public/datasets/") is not None and table.find("a", href="/data.json") is not None


def test_the_public_measure_page_links_the_source_dataset_only_when_it_is_public(as_persona, dashboard_data):
    from tests.inventory.factories import DatasetFactory

    crashes = parse(as_persona("anonymous").get("/public/measures/crashes/"))
    assert crashes.find("a", href="/public/datasets/pd-crashes/") is not None
    assert "What it measures." in crashes.text  # the plain-language description
    assert f"Last updated {timezone.localdate():%B} " in crashes.text
    assert crashes.find("a", href="/public/measures/crashes.csv") is not None
    dashboard_data["trees"].source_dataset = DatasetFactory(identifier="prd-secret", title="Tree crews' timesheets")
    dashboard_data["trees"].save()
    trees = as_persona("anonymous").get("/public/measures/trees/")
    assert "prd-secret" not in trees.content.decode() and "timesheets" not in trees.content.decode()
    assert "Source: a city dataset that is not published." in text_of(trees)


def test_public_measure_page_has_method_chart_table_csv_and_embed_code(as_persona, dashboard_data):
    response = as_persona("anonymous").get("/public/measures/crashes/")
    assert response.status_code == 200
    text = text_of(response)
    assert "Goal: Cut crashes by 20%" in text
    assert "How it is measured" in text and "Measured monthly, in crashes. Police is responsible for it." in text
    assert "January 2025 120 100 Off track" in text  # the whole history in the table
    assert '&lt;iframe src="http://testserver/public/measures/crashes/embed/"' in response.content.decode()


@pytest.mark.parametrize("slug", ["response", "serious", "no-such-measure"])
@pytest.mark.parametrize("suffix", ["/", "/embed/", ".csv"])
@pytest.mark.parametrize("persona", ["anonymous", "stat_lead"])
def test_measures_that_are_not_public_answer_404_to_everyone(as_persona, dashboard_data, slug, suffix, persona):
    assert as_persona(persona).get(f"/public/measures/{slug}{suffix}").status_code == 404


def test_a_public_measure_of_an_internal_goal_is_not_public(as_persona, city):
    goal = GoalFactory(public=False, departments=[city["police"]])
    MeasureFactory(goal=goal, department=city["police"], slug="hidden", name="Hidden measure", public=True)
    assert as_persona("anonymous").get("/public/measures/hidden/").status_code == 404
    assert "Hidden measure" not in text_of(as_persona("anonymous").get("/public/"))


def test_csv_download_has_every_period_with_target_and_status(as_persona, dashboard_data):
    response = as_persona("anonymous").get("/public/measures/crashes.csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="crashes.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["measure", "period", "value", "unit", "target", "status"]
    assert rows[1] == ["Crashes at targeted intersections", "2025-01-01", "120", "crashes", "100", "Off track"]
    assert rows[-1] == ["Crashes at targeted intersections", "2026-01-01", "98", "crashes", "100", "On track"]
    assert len(rows) == 1 + len(MONTHS)


def test_csv_download_never_carries_a_formula(as_persona, city):
    goal = GoalFactory(public=True, departments=[city["police"]])
    measure = MeasureFactory(
        goal=goal, department=city["police"], slug="evil", name='=HYPERLINK("http://evil.example","x")', unit="+1"
    )
    measure.public = True
    measure.save()
    Observation.objects.create(measure=measure, period=MONTHS[0], value=-5)
    rows = list(csv.reader(io.StringIO(as_persona("anonymous").get("/public/measures/evil.csv").content.decode())))
    assert rows[1][0] == '\'=HYPERLINK("http://evil.example","x")'
    assert rows[1][3] == "'+1"
    assert rows[1][2] == "-5"  # a number stays a number


def test_embed_page_may_be_framed_and_other_pages_may_not(as_persona, dashboard_data):
    embed = as_persona("anonymous").get("/public/measures/crashes/embed/")
    assert embed.status_code == 200
    assert "X-Frame-Options" not in embed
    assert "frame-ancestors *;" in embed["Content-Security-Policy"] + ";"
    html = embed.content.decode()
    assert "usa-nav" not in html  # made for an iframe: no site navigation
    assert "_script" not in html and "public-crashes-figure" in html
    assert 'target="_blank"' in html and "/public/measures/crashes/" in html
    assert 'rel="icon" href="/static/uswds/img/favicons/favicon' in html  # not a request for /favicon.ico (404)
    for url in ("/public/", "/public/measures/crashes/"):
        response = as_persona("anonymous").get(url)
        assert response["X-Frame-Options"] == "DENY"
        assert "frame-ancestors 'none'" in response["Content-Security-Policy"]


@pytest.mark.parametrize(
    "url", ["/public/", "/public/measures/crashes/", "/public/measures/crashes/embed/", "/public/measures/crashes.csv"]
)
def test_public_pages_are_read_only(as_persona, dashboard_data, url):
    before = Observation.objects.count()
    assert as_persona("anonymous").post(url).status_code == 405
    assert Observation.objects.count() == before


def test_public_navigation_leads_to_the_goals(as_persona, dashboard_data):
    nav = parse(as_persona("anonymous").get("/public/measures/crashes/")).find("ul", class_="usa-nav__primary")
    current = nav.find("a", aria_current="page")
    assert current.text == "Goals" and current.attrs["href"] == "/public/"


@pytest.mark.parametrize("url", ["/public/", "/public/measures/crashes/", "/public/measures/crashes.csv"])
def test_public_pages_cost_the_same_queries_however_much_data(as_persona, dashboard_data, city, url):
    from django.core.cache import cache

    client = as_persona("anonymous")
    cache.clear()
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    _grow(city, 5)
    GoalFactory(statement="Empty public goal", public=True, priority=priority("education"))
    cache.clear()
    with CaptureQueriesContext(connection) as large:
        client.get(url)
    assert len(large) == len(small) <= 6


def test_unknown_slugs_answer_404_without_filling_the_cache(as_persona, dashboard_data):
    """Anyone may ask for any slug: an answer for a measure that does not exist (or is not public) must not take
    a place in the cache, where enough of them would push out the cached dashboards."""
    from django.core.cache import cache

    from goals.selectors_dashboard import data_fingerprint

    def cached(slug: str) -> bool:
        return cache.get(f"goals-dashboard:public-measure:{slug}:{data_fingerprint()}") is not None

    client = as_persona("anonymous")
    cache.clear()
    for n in range(3):
        assert client.get(f"/public/measures/no-such-measure-{n}/").status_code == 404
        assert client.get(f"/public/measures/no-such-measure-{n}.csv").status_code == 404
        assert not cached(f"no-such-measure-{n}")
    assert client.get("/public/measures/response/embed/").status_code == 404  # not public
    assert not cached("response")
    assert client.get("/public/measures/crashes/").status_code == 200 and cached("crashes")
