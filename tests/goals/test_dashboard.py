"""The goals dashboards for staff: the city-wide one (/goals/dashboard/) and each department's
(/goals/departments/<slug>/): what they show, who sees them, and what they cost in queries."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from goals.models import Measure, Observation
from goals.selectors_dashboard import kpi_trend
from goals.status import Status, measure_status
from quality.models import DatasetQuality, Outcome
from tests.goals.factories import GoalFactory, MeasureFactory, MeasureTargetFactory, NarrativeFactory, priority
from tests.inventory.factories import DatasetFactory, PublicDatasetFactory
from tests.pages import assert_login_redirect, parse, section, text_of

pytestmark = pytest.mark.django_db

CITY = "/goals/dashboard/"
POLICE = "/goals/departments/police/"
MONTHS = [datetime.date(2025, month, 1) for month in range(1, 13)] + [datetime.date(2026, 1, 1)]


def _history(measure, values) -> None:
    Observation.objects.bulk_create(
        Observation(measure=measure, period=period, value=value) for period, value in zip(MONTHS, values, strict=False)
    )


@pytest.fixture
def dashboard_data(city):
    return make_dashboard_data(city)


def make_dashboard_data(city) -> dict:
    """Police: a public goal whose KPI (crashes, down, target 100) went from approaching to on track, with a
    non-public supporting measure; an internal goal whose KPI reads a dataset that failed its quality check (data
    suspect). Parks: a public goal whose KPI is off track. Fire: a goal whose KPI has no data yet."""
    crashes_data = PublicDatasetFactory(
        identifier="pd-crashes", title="Crashes by intersection", department=city["police"]
    )
    cad = DatasetFactory(identifier="pd-cad", title="CAD incidents", department=city["police"])
    DatasetQuality.objects.create(dataset=cad, outcome=Outcome.FAIL, score=40)
    DatasetQuality.objects.create(dataset=crashes_data, outcome=Outcome.PASS, score=98)

    safety = GoalFactory(statement="Cut crashes by 20%", public=True, bold=True, departments=[city["police"]])
    crashes = MeasureFactory(
        goal=safety,
        department=city["police"],
        slug="crashes",
        name="Crashes at targeted intersections",
        is_kpi=True,
        public=True,
        source_dataset=crashes_data,
        target_value=100,
    )
    _history(crashes, [120, 118, 115, 112, 110, 108, 107, 105, 104, 103, 102, 105, 98])
    serious = MeasureFactory(
        goal=safety, department=city["police"], slug="serious", name="Serious injury crashes", target_value=10
    )
    _history(serious, [12] * 13)

    response = MeasureFactory(
        goal=GoalFactory(statement="Answer calls in 8 minutes", departments=[city["police"]]),
        department=city["police"],
        slug="response",
        name="Police response time",
        unit="minutes",
        is_kpi=True,
        source_dataset=cad,
        target_value=8,
    )
    _history(response, [Decimal("8.5")] * 12 + [Decimal("9.5")])
    NarrativeFactory(
        measure=response, period=MONTHS[-1], what_happened="Two vacancies in the east.", next_steps="Hire."
    )

    trees = MeasureFactory(
        goal=GoalFactory(
            statement="Plant 1,000 trees a year",
            public=True,
            priority=priority("environment"),
            departments=[city["parks"]],
        ),
        department=city["parks"],
        slug="trees",
        name="Trees planted",
        unit="trees",
        direction="up",
        is_kpi=True,
        public=True,
        target_value=100,
    )
    _history(trees, [60] * 13)
    MeasureFactory(
        goal=GoalFactory(statement="Inspect every building", departments=[city["fire"]]),
        department=city["fire"],
        slug="inspections",
        name="Buildings inspected",
        is_kpi=True,
    )
    return {"crashes": crashes, "response": response, "trees": trees, "serious": serious, "cad": cad}


# --- the city-wide dashboard -----------------------------------------------------------------------------------


def test_city_dashboard_shows_every_kpi_with_its_status_in_words(as_persona, dashboard_data):
    response = as_persona("principal").get(CITY)
    assert response.status_code == 200
    text = text_of(response)
    assert "1 of the city’s 4 key performance indicators (25%) are on track" in text
    for goal, kpi, status in [
        ("Cut crashes by 20%", "Crashes at targeted intersections", "On track"),
        ("Answer calls in 8 minutes", "Police response time", "Off track"),
        ("Plant 1,000 trees a year", "Trees planted", "Off track"),
        ("Inspect every building", "Buildings inspected", "No data"),
    ]:
        row = text[text.index(goal) :][:250]
        assert kpi in row and status in row, row
    row = text[text.index("Cut crashes by 20%") :][:300]
    assert "Bold goal" in row and "On track" in row and "98 crashes" in row
    # Status never by colour alone: each badge carries its words and an icon.
    html = response.content.decode()
    assert 'class="usa-tag bg-success-darker text-white text-no-wrap"><svg class="usa-icon"' in html
    assert "#check_circle" in html and "#cancel" in html and "#help_outline" in html


def test_city_dashboard_shows_share_on_track_per_department_and_the_trend(as_persona, dashboard_data):
    response = as_persona("stat_lead").get(CITY)
    html = response.content.decode()
    text = text_of(response)
    assert "Police : 1 of 2 KPIs on track, 1 with suspect data" in text
    assert "Parks & Recreation : 0 of 1 KPI on track" in text
    departments = json.loads(_json_script(html, "departments-figure"))
    on_track = next(trace for trace in departments["data"] if trace["name"] == "On track")
    assert dict(zip(on_track["y"], on_track["x"], strict=True)) == {"Fire": 0, "Parks & Recreation": 0, "Police": 1}
    trend = json.loads(_json_script(html, "trend-figure"))
    assert trend["config"]["displayModeBar"] is False
    # January 2026: crashes on track (98 <= 100), response and trees off track: 1 of 3 judged.
    shares = dict(zip(trend["data"][0]["x"], trend["data"][0]["y"], strict=True))
    assert shares["2026-01-01"] == pytest.approx(33.3)
    assert shares["2025-01-01"] == 0  # crashes 120: off track; response 8.5: approaching; trees 60: off track


def test_city_dashboard_says_what_changed_and_which_data_is_suspect(as_persona, dashboard_data):
    text = text_of(as_persona("principal").get(CITY))
    changed = text[text.index("What changed since last period") : text.index("Data suspect These")]
    assert "Crashes at targeted intersections" in changed  # approaching (105) -> on track (98)
    assert "Police response time" in changed  # approaching (8.5) -> off track (9.5)
    assert "Trees planted" not in changed
    assert "-7 (better)" in changed and "+1 (worse)" in changed
    suspect = text[text.index("Data suspect These") : text.index("Priorities, goals and KPIs")]
    assert (
        "Police response time (Police): its source dataset failed its latest quality check ( CAD incidents )" in suspect
    )
    assert "Crashes at targeted intersections" not in suspect


@pytest.mark.parametrize("persona", ["principal", "stat_lead", "stat_analyst", "data_expert"])
def test_city_dashboard_is_for_those_who_read_every_measure(as_persona, dashboard_data, persona):
    assert as_persona(persona).get(CITY).status_code == 200


@pytest.mark.parametrize("persona", ["police_lead", "police_contact", "parks_contact", "budget_analyst"])
def test_city_dashboard_refuses_department_roles(as_persona, dashboard_data, persona):
    response = as_persona(persona).get(CITY)
    assert response.status_code == 403
    assert "Police response time" not in response.content.decode()


def test_city_dashboard_needs_a_login_and_is_read_only(as_persona, dashboard_data):
    assert_login_redirect(as_persona("anonymous").get(CITY), CITY)
    before = Observation.objects.count()
    assert as_persona("principal").post(CITY).status_code == 405
    assert Observation.objects.count() == before


# --- a department's dashboard ----------------------------------------------------------------------------------


def test_department_dashboard_charts_kpis_against_targets_with_the_narrative(as_persona, dashboard_data):
    response = as_persona("police_lead").get(POLICE)
    assert response.status_code == 200
    html, text = response.content.decode(), text_of(response)
    assert "Police: goals and measures" in text
    assert "1 of Police’s 2 KPIs on track, 0 approaching, 1 off track. 1 with suspect data." in text
    figure = json.loads(_json_script(html, "measure-crashes-figure"))
    target, actual = figure["data"]
    assert (target["name"], actual["name"]) == ("Target", "Actual")
    assert target["y"][-1] == 100 and actual["y"][-1] == 98
    assert actual["text"][-1] == "On track" and actual["marker"]["symbol"][-1] == "circle"
    assert "Two vacancies in the east." in text and "What comes next: Hire." in text
    assert "Trees planted" not in text  # Parks' measure
    assert "Serious injury crashes" in text  # supporting measures too


def test_kpi_names_link_to_their_measure_page(as_persona, dashboard_data):
    city = parse(as_persona("principal").get(CITY))
    for heading in ("Priorities, goals and KPIs", "What changed since last period", "Data suspect"):
        names = {
            a.text: a.attrs["href"]
            for a in section(city, heading).find_all("a")
            if "/goals/measures/" in a.attrs["href"]
        }
        assert names, heading
        for name, href in names.items():
            slug = Measure.objects.get(name=name).slug
            assert href == f"/goals/measures/{slug}/"
    assert "Crashes at targeted intersections" in {
        a.text for a in section(city, "Priorities, goals and KPIs").find_all("a", href="/goals/measures/crashes/")
    }
    police_lead = as_persona("police_lead")
    police = parse(police_lead.get(POLICE))
    heading = police.find("h3", id="measure-crashes-heading")
    assert heading.find("a", href="/goals/measures/crashes/").text == "Crashes at targeted intersections"
    assert police_lead.get("/goals/measures/crashes/").status_code == 200  # a link its reader may follow


def test_a_chart_far_from_zero_says_its_axis_does_not_start_at_zero(as_persona, dashboard_data, city):
    # 98 to 120 crashes against 100: drawn from zero they would be a ripple along the top.
    html = as_persona("police_lead").get(POLICE).content.decode()
    figure = json.loads(_json_script(html, "measure-crashes-figure"))
    low, high = figure["layout"]["yaxis"]["range"]
    assert 90 < low < 98 and 120 < high < 130
    crashes = parse(as_persona("police_lead").get(POLICE)).find("figure", aria_labelledby="measure-crashes-caption")
    note = crashes.find("p", id="measure-crashes-note")
    assert note.text.startswith("Axis does not start at zero")
    plot = crashes.find("div", id="measure-crashes-plot")
    assert "measure-crashes-note" in plot.attrs["aria-describedby"].split()
    # A measure whose values come near zero keeps zero, and says nothing.
    near_zero = MeasureFactory(
        goal=dashboard_data["crashes"].goal, department=city["police"], slug="fatal", name="Fatal crashes"
    )
    _history(near_zero, [3, 0, 1, 2])
    page = parse(as_persona("police_lead").get(POLICE))
    assert page.find("p", id="measure-fatal-note") is None
    assert page.find("div", id="measure-fatal-plot") is not None


def test_department_dashboard_shows_its_datasets_quality_and_says_what_is_not_there_yet(as_persona, dashboard_data):
    text = text_of(as_persona("police_lead").get(POLICE))
    quality = text[text.index("Its datasets’ quality") :]
    assert "CAD incidents Fail 40" in quality
    assert "Crashes by intersection Pass 98 Yes" in quality
    assert "Police’s data quality in detail" in quality
    assert "Open action items Not yet available" in text
    assert "Budget Where a budget program pays for a measure, its cost per unit shows" in text


def test_department_dashboard_table_has_every_value_of_the_chart(as_persona, dashboard_data):
    text = text_of(as_persona("stat_analyst").get(POLICE))
    table = text[text.index("Crashes at targeted intersections: each period’s value, target and status") :]
    assert "January 2026 98 100 On track" in table
    assert "December 2025 105 100 Approaching" in table


@pytest.mark.parametrize(
    ("persona", "narratives", "quality"),
    [
        ("principal", True, True),
        ("stat_lead", True, True),
        ("police_lead", True, True),
        ("police_contact", True, True),
        ("budget_analyst", True, True),
        ("data_expert", False, True),
    ],
)
def test_department_dashboard_readers_see_what_their_role_reads(
    as_persona, dashboard_data, persona, narratives, quality
):
    response = as_persona(persona).get(POLICE)
    assert response.status_code == 200
    text = text_of(response)
    assert ("Two vacancies in the east." in text) is narratives
    assert ("CAD incidents Fail" in text) is quality


def test_department_dashboard_is_404_to_outsiders_and_unknown_departments(as_persona, dashboard_data):
    assert as_persona("parks_contact").get(POLICE).status_code == 404
    assert as_persona("police_lead").get("/goals/departments/parks/").status_code == 404
    assert as_persona("budget_analyst").get("/goals/departments/parks/").status_code == 404
    assert as_persona("stat_lead").get("/goals/departments/atlantis/").status_code == 404
    assert_login_redirect(as_persona("anonymous").get(POLICE), POLICE)


def test_department_dashboard_is_read_only(as_persona, dashboard_data):
    before = Observation.objects.count()
    assert as_persona("police_lead").post(POLICE).status_code == 405
    assert Observation.objects.count() == before


# --- cost and freshness ----------------------------------------------------------------------------------------


def _queries(client, url) -> int:
    from django.core.cache import cache

    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def _grow(city, goals: int) -> None:
    for n in range(goals):
        goal = GoalFactory(statement=f"Extra goal {n}", public=True, departments=[city["police"]])
        for k in range(3):
            measure = MeasureFactory(goal=goal, department=city["police"], is_kpi=k == 0, public=True)
            _history(measure, range(80 + n, 93 + n))
            MeasureTargetFactory(measure=measure, period=MONTHS[-1], value=90)


@pytest.mark.parametrize("url", [CITY, POLICE])
def test_dashboards_cost_the_same_queries_however_much_data(as_persona, dashboard_data, city, url):
    client = as_persona("stat_lead")
    small = _queries(client, url)
    _grow(city, 6)
    assert _queries(client, url) == small
    assert small <= 12


def test_a_cached_dashboard_costs_a_handful_of_queries_and_shows_a_write_at_once(as_persona, dashboard_data):
    client = as_persona("stat_lead")
    assert "98 crashes" in text_of(client.get(CITY))
    with CaptureQueriesContext(connection) as queries:
        client.get(CITY)
    assert len(queries) <= 5  # session, user, roles, fingerprint
    Observation.objects.create(measure=dashboard_data["crashes"], period=datetime.date(2026, 2, 1), value=91)
    assert "91 crashes" in text_of(client.get(CITY))
    DatasetQuality.objects.filter(dataset=dashboard_data["cad"]).update(outcome=Outcome.PASS, latest_run=None)
    DatasetQuality.objects.filter(dataset=dashboard_data["cad"]).update(checked_at=datetime.datetime.now(datetime.UTC))
    assert "No measure’s source data is suspect." in text_of(client.get(CITY))


# --- the status rule in SQL agrees with goals.status -------------------------------------------------------------


@pytest.mark.parametrize("direction", ["up", "down"])
def test_the_sql_status_rule_counts_as_measure_status_judges(city, direction):
    target = Decimal("50")
    values = [Decimal(v) for v in ("0", "44", "45", "46", "49.99", "50", "50.01", "54", "55", "56", "100")]
    goal = GoalFactory(departments=[city["police"]])
    measures = []
    for n, value in enumerate(values):
        measure = MeasureFactory(
            goal=goal if n == 0 else GoalFactory(departments=[city["police"]]),
            department=city["police"],
            is_kpi=True,
            direction=direction,
            target_value=target,
            tolerance_percent=10,
        )
        Observation.objects.create(measure=measure, period=MONTHS[0], value=value)
        measures.append(measure)
    zero = MeasureFactory(
        goal=GoalFactory(departments=[city["police"]]),
        department=city["police"],
        is_kpi=True,
        direction=direction,
        target_value=0,
    )
    Observation.objects.create(measure=zero, period=MONTHS[0], value=Decimal("0.5"))
    expected = [measure_status(v, target, direction=direction, tolerance_percent=10) for v in values]
    expected.append(measure_status(Decimal("0.5"), 0, direction=direction, tolerance_percent=10))
    (point,) = kpi_trend(since=MONTHS[0])
    assert (point.on_track, point.approaching, point.off_track) == (
        expected.count(Status.ON_TRACK),
        expected.count(Status.APPROACHING),
        expected.count(Status.OFF_TRACK),
    )


def _json_script(html: str, element_id: str) -> str:
    start = html.index(f'<script id="{element_id}" type="application/json">') + len(
        f'<script id="{element_id}" type="application/json">'
    )
    return html[start : html.index("</script>", start)]


def test_a_corrected_value_and_a_new_narrative_show_on_the_next_request(as_persona, dashboard_data, users):
    from goals.services.observations import narrative_save, observation_record

    client = as_persona("police_lead")
    assert "98 crashes in January 2026" in text_of(client.get(POLICE))
    observation_record(
        measure=dashboard_data["crashes"], period=MONTHS[-1], value=Decimal("97"), by=users["police_lead"]
    )
    narrative_save(
        measure=dashboard_data["crashes"],
        period=MONTHS[-1],
        what_happened="New signals on Main.",
        by=users["police_lead"],
    )
    text = text_of(client.get(POLICE))
    assert "97 crashes in January 2026" in text and "New signals on Main." in text


def test_the_signed_in_dashboard_links_to_the_goals_dashboards(as_persona, dashboard_data):
    from tests.pages import parse

    principal = parse(as_persona("principal").get("/dashboard/"))
    assert principal.find("a", href=CITY) is not None
    lead = parse(as_persona("police_lead").get("/dashboard/"))
    assert lead.find("a", href=POLICE) is not None and lead.find("a", href=CITY) is None
    contact = parse(as_persona("parks_contact").get("/dashboard/"))
    assert contact.find("a", href="/goals/departments/parks/") is not None


def test_a_target_moved_to_another_period_shows_on_the_next_request(as_persona, dashboard_data, users):
    """Moving a target from one period to another keeps the number and the total of targets: the page must still
    be rebuilt (the fingerprint once judged targets by count and sum alone, and served the old page)."""
    from goals.services.definitions import measure_target_set

    crashes, december = dashboard_data["crashes"], MONTHS[-2]
    measure_target_set(measure=crashes, period=december, value=Decimal("90"), by=users["stat_lead"])
    client = as_persona("police_lead")
    # January 2026: 98 crashes against the standing target of 100.
    assert "98 crashes in January 2026, target 100" in text_of(client.get(POLICE))
    measure_target_set(measure=crashes, period=december, value=None, by=users["stat_lead"])
    measure_target_set(measure=crashes, period=MONTHS[-1], value=Decimal("90"), by=users["stat_lead"])
    assert "98 crashes in January 2026, target 90" in text_of(client.get(POLICE))


def test_the_trend_judges_each_month_by_its_own_target_else_the_standing_one(city):
    kpi = MeasureFactory(
        goal=GoalFactory(departments=[city["police"]]), is_kpi=True, direction="down", target_value=200
    )
    for month in MONTHS[:3]:
        Observation.objects.create(measure=kpi, period=month, value=120)
    MeasureTargetFactory(measure=kpi, period=MONTHS[1], value=100)  # February: 120 against 100, 10% band
    MeasureTargetFactory(measure=kpi, period=MONTHS[2], value=119)  # March: 120 against 119, within the band
    trend = kpi_trend(since=MONTHS[0])
    assert [(p.month, p.on_track, p.approaching, p.off_track) for p in trend] == [
        (MONTHS[0], 1, 0, 0),
        (MONTHS[1], 0, 0, 1),
        (MONTHS[2], 0, 1, 0),
    ]


def test_a_chart_s_data_cannot_break_out_of_its_script_element(as_persona, city):
    goal = GoalFactory(departments=[city["police"]])
    measure = MeasureFactory(
        goal=goal, department=city["police"], slug="tricky", name="</script><script>alert(1)</script>", unit="a&b"
    )
    _history(measure, [5, 6])
    html = as_persona("police_lead").get(POLICE).content.decode()
    assert "<script>alert(1)" not in html
    figure = json.loads(_json_script(html, "measure-tricky-figure"))
    assert figure["data"][1]["hovertemplate"] == "%{x|%b %Y}<br>%{y:,.1f} a&b<br>%{text}<extra></extra>"
    assert figure["data"][1]["y"] == [5.0, 6.0] and figure["config"]["displayModeBar"] is False


def test_chart_tables_escape_what_people_typed(as_persona, city):
    goal = GoalFactory(departments=[city["police"]])
    measure = MeasureFactory(goal=goal, department=city["police"], slug="escaped", unit="<i>calls</i>")
    _history(measure, [5])
    html = as_persona("police_lead").get(POLICE).content.decode()
    assert "<i>calls</i>" not in html and "Value (&lt;i&gt;calls&lt;/i&gt;)" in html
    assert '<tr><th scope="row">January 2025</th><td class="text-right">5</td><td class="text-right">100</td>' in html


def test_a_renamed_department_shows_on_the_next_request(as_persona, dashboard_data, city):
    from team.models import Department

    client = as_persona("stat_lead")
    assert "Police : 1 of 2 KPIs on track" in text_of(client.get(CITY))
    police = Department.objects.get(pk=city["police"].pk)
    police.name = "Police Department"
    police.save()
    assert "Police Department : 1 of 2 KPIs on track" in text_of(client.get(CITY))


def test_the_trend_counts_a_weekly_kpi_once_a_month_by_its_last_week(city):
    """The trend is a share of KPIs: a weekly KPI is one KPI, judged each month by its last week, not four or five."""
    weekly = MeasureFactory(
        goal=GoalFactory(departments=[city["police"]]), is_kpi=True, frequency="weekly", target_value=100
    )
    mondays = [datetime.date(2025, 1, 6) + datetime.timedelta(weeks=n) for n in range(4)]  # 6, 13, 20, 27 January
    for monday, value in zip(mondays, [90, 95, 99, 130], strict=True):
        Observation.objects.create(measure=weekly, period=monday, value=value)
    monthly = MeasureFactory(goal=GoalFactory(departments=[city["police"]]), is_kpi=True, target_value=100)
    Observation.objects.create(measure=monthly, period=MONTHS[0], value=90)
    (january,) = kpi_trend(since=MONTHS[0])
    assert (january.on_track, january.approaching, january.off_track) == (1, 0, 1)
    assert january.share_on_track == 50.0


@pytest.mark.parametrize("direction", ["up", "down"])
@pytest.mark.parametrize("tolerance", [0, 10, 33])
def test_the_sql_status_rule_agrees_on_negative_targets_and_any_tolerance(city, direction, tolerance):
    """One KPI per case, so each case is its own count: the SQL rule and measure_status judge alike."""
    cases = [(Decimal(v), Decimal(t)) for v, t in [("-20", "-20"), ("-18", "-20"), ("-23", "-20"), ("-26", "-20")]]
    cases += [(Decimal("7"), Decimal("10")), (Decimal("13.3"), Decimal("10")), (Decimal("0"), Decimal("0.0001"))]
    for value, target in cases:
        kpi = MeasureFactory(
            goal=GoalFactory(departments=[city["police"]]),
            is_kpi=True,
            direction=direction,
            target_value=target,
            tolerance_percent=tolerance,
        )
        Observation.objects.create(measure=kpi, period=MONTHS[0], value=value)
        (point,) = kpi_trend(since=MONTHS[0], measures=Measure.objects.filter(pk=kpi.pk))
        judged = {
            Status.ON_TRACK: point.on_track,
            Status.APPROACHING: point.approaching,
            Status.OFF_TRACK: point.off_track,
        }
        expected = measure_status(value, target, direction=direction, tolerance_percent=tolerance)
        assert judged[expected] == 1 and point.judged == 1, (value, target)


def test_the_trend_counts_a_quarterly_kpi_in_each_month_of_its_quarter(city):
    """A quarterly KPI is judged by its quarter's value in each of the quarter's months (the share does not jump
    as it comes and goes), a quarter begun before the trend's first month included, and never in months to come."""
    quarterly = MeasureFactory(
        goal=GoalFactory(departments=[city["police"]]), is_kpi=True, frequency="quarterly", target_value=100
    )
    Observation.objects.create(measure=quarterly, period=datetime.date(2024, 10, 1), value=90)  # Q4 2024: on track
    Observation.objects.create(measure=quarterly, period=datetime.date(2025, 1, 1), value=130)  # Q1 2025: off track
    monthly = MeasureFactory(goal=GoalFactory(departments=[city["police"]]), is_kpi=True, target_value=100)
    for month in (datetime.date(2024, 12, 1), datetime.date(2025, 1, 1), datetime.date(2025, 2, 1)):
        Observation.objects.create(measure=monthly, period=month, value=90)

    trend = kpi_trend(since=datetime.date(2024, 12, 1))
    assert [(p.month, p.on_track, p.off_track) for p in trend] == [
        (datetime.date(2024, 12, 1), 2, 0),  # Q4 2024's value, though the quarter began before the trend
        (datetime.date(2025, 1, 1), 1, 1),
        (datetime.date(2025, 2, 1), 1, 1),  # still Q1's value; March has no value of any KPI yet
    ]
    assert [p.month for p in kpi_trend(since=datetime.date(2024, 12, 1), until=datetime.date(2025, 3, 15))][-1] == (
        datetime.date(2025, 3, 1)
    )
