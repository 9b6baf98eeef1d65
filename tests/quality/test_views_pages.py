"""The city's and each department's quality pages, the notification preference page, and the inventory list's
quality badge and filter."""

from __future__ import annotations

import datetime
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from inventory.models import Dataset
from quality.models import NotificationPreference, Outcome, QualityRun
from tests.factories import UserFactory
from tests.goals.factories import GoalFactory, MeasureFactory
from tests.inventory.factories import DatasetFactory, PublicDatasetFactory
from tests.pages import assert_login_redirect, client_for, parse, section, text_of

from .factories import DatasetQualityFactory, QualityRunFactory, judged


@pytest.fixture
def judged_city(city):
    """Police: one passing, one failing for a month, one failing for a day (stale too), one not checked.
    Parks: one public dataset failing."""
    now = timezone.now()
    police = city["police"]
    judged(DatasetFactory(title="Arrests", department=police), outcome=Outcome.PASS, score=97)
    old = judged(DatasetFactory(title="Use of force", department=police), outcome=Outcome.FAIL, score=60)
    old.failing_since = now - datetime.timedelta(days=30)  # failing longest
    old.save(update_fields=["failing_since"])
    judged(
        DatasetFactory(title="Calls", department=police),
        outcome=Outcome.FAIL,
        score=42,
        stale=True,
        slot=now - datetime.timedelta(days=1),
    )
    DatasetFactory(title="Overtime", department=police)
    judged(PublicDatasetFactory(title="Playgrounds", department=city["parks"]), outcome=Outcome.FAIL, score=10)
    return city


# --- the city's and departments' pages ------------------------------------------------------------------------------


def test_the_city_page_summarises_every_dataset(as_persona, judged_city):
    response = as_persona("stat_lead").get("/quality/")
    assert response.status_code == 200
    summary = section(parse(response), "Summary").text
    assert "5 inventoried datasets: 1 passing, 0 passing with warnings, 3 failing, 1 not checked; 1 stale." in summary
    assert "25%" in summary  # 1 of 4 checked datasets passes
    worst = [row.find("th").text for row in section(parse(response), "Worst offenders").find("tbody").find_all("tr")]
    # Failing longest first, then the lowest scores.
    assert worst[0] == "Use of force"
    assert set(worst) == {"Use of force", "Calls", "Playgrounds"}
    assert "Calls" in section(parse(response), "Stale datasets").text
    departments = section(parse(response), "By department").text
    assert "Police" in departments and "Parks & Recreation" in departments


def _worst(response) -> list[list[str]]:
    rows = section(parse(response), "Worst offenders").find("tbody").find_all("tr")
    return [[row.find("th").text, *(cell.text for cell in row.find_all("td"))] for row in rows]


def _kpi_from(dataset, city) -> None:
    """A goal's KPI computed from ``dataset``."""
    MeasureFactory(
        goal=GoalFactory(departments=[city["police"]]), department=city["police"], is_kpi=True, source_dataset=dataset
    )


def test_worst_offenders_put_what_feeds_a_kpi_first_and_never_leave_a_failing_one_out(as_persona, city):
    """Order by consequence: feeds a KPI, then failing (longest first), then score. A dataset failing for an hour
    with a fair score that feeds a KPI was left out behind ten older, lower-scoring failures; it now leads."""
    now = timezone.now()
    for n in range(12):
        old = judged(DatasetFactory(title=f"Old failure {n:02}", department=city["police"]), outcome="fail", score=n)
        old.failing_since = now - datetime.timedelta(days=60 - n)
        old.save(update_fields=["failing_since"])
    crashes = DatasetFactory(title="Crash reports", department=city["police"])
    judged(crashes, outcome="fail", score=80)
    _kpi_from(crashes, city)
    response_times = DatasetFactory(title="Response times", department=city["police"])
    judged(response_times, outcome="warn", score=90)
    _kpi_from(response_times, city)
    judged(DatasetFactory(title="Passing KPI source", department=city["police"]), outcome="pass", score=100)

    response = as_persona("stat_lead").get("/quality/")
    worst = _worst(response)
    assert [row[0] for row in worst[:4]] == ["Crash reports", "Response times", "Old failure 00", "Old failure 01"]
    assert worst[0][2] == "Yes" and worst[2][2] == "No"  # the "Feeds a KPI" column
    assert len(worst) == 10
    assert "13 failing (1 feeding a KPI)" in section(parse(response), "Summary").text

    # More failing datasets feed KPIs than the list's ten rows: every one of them is still listed.
    for n in range(10):
        _kpi_from(Dataset.objects.get(title=f"Old failure {n:02}"), city)
    worst = _worst(as_persona("stat_lead").get("/quality/"))
    assert {row[0] for row in worst} == {f"Old failure {n:02}" for n in range(10)} | {"Crash reports"}
    assert len(worst) == 11 and all(row[2] == "Yes" for row in worst)


def test_a_dataset_whose_data_could_never_be_fetched_is_counted_not_checked(as_persona, city):
    placeholder = DatasetFactory(title="Placeholder", department=city["police"])
    run = QualityRunFactory(dataset=placeholder, outcome="error", score=None, source_bytes=None, row_count=None)
    DatasetQualityFactory(dataset=placeholder, latest_run=run, outcome="", score=None, checked_at=run.finished_at)
    judged(DatasetFactory(title="Arrests", department=city["police"]), outcome="fail", score=40)

    response = as_persona("stat_analyst").get("/quality/departments/police/")
    summary = section(parse(response), "Summary").text
    assert "2 inventoried datasets: 0 passing, 0 passing with warnings, 1 failing, 1 not checked" in summary
    assert "1 whose data could never be fetched" in summary
    assert [row[0] for row in _worst(response)] == ["Arrests"]
    inventory = as_persona("stat_analyst").get("/inventory/", {"quality": "failing"})
    assert "Placeholder" not in text_of(inventory) and "Arrests" in text_of(inventory)


def test_a_department_lead_sees_only_their_department(as_persona, judged_city):
    response = as_persona("police_lead").get("/quality/")
    assert response.status_code == 200
    text = text_of(response)
    assert "Playgrounds" not in text  # public, but its quality is Parks' business
    assert "4 inventoried datasets" in text
    assert as_persona("police_lead").get("/quality/departments/police/").status_code == 200
    assert as_persona("police_lead").get("/quality/departments/parks/").status_code == 404


def test_a_budget_analyst_sees_their_portfolio(as_persona, judged_city):
    assert as_persona("budget_analyst").get("/quality/departments/police/").status_code == 200
    assert as_persona("budget_analyst").get("/quality/departments/parks/").status_code == 404
    assert "Playgrounds" not in text_of(as_persona("budget_analyst").get("/quality/"))


def test_the_department_page_shows_that_department_only(as_persona, judged_city):
    response = as_persona("data_expert").get("/quality/departments/parks/")
    assert response.status_code == 200
    summary = section(parse(response), "Summary").text
    assert "1 inventoried dataset: 0 passing, 0 passing with warnings, 1 failing" in summary
    assert "Use of force" not in text_of(response)


def test_runs_over_time_are_counted_per_week_by_outcome_in_chart_and_table(as_persona, city):
    dataset = DatasetFactory(department=city["police"])
    now = timezone.now()
    for minutes, outcome in enumerate(("pass", "pass", "fail")):
        QualityRunFactory(dataset=dataset, outcome=outcome, slot=now - datetime.timedelta(minutes=5 + minutes))
    QualityRunFactory(dataset=dataset, outcome="warn", slot=now - datetime.timedelta(days=7))
    response = as_persona("stat_analyst").get("/quality/")
    page = parse(response)
    figure = json.loads(page.find("script", id="runs-figure").children[0])
    by_name = {trace["name"]: trace["y"] for trace in figure["data"]}
    assert [trace["type"] for trace in figure["data"]] == ["bar"] * 4 and figure["layout"]["barmode"] == "stack"
    assert sum(by_name["Pass"]) == 2 and sum(by_name["Fail"]) == 1 and sum(by_name["Warning"]) == 1
    assert by_name["Pass"][-1] + by_name["Fail"][-1] >= 2  # this week's (unless the week turned just now)
    # Not by colour alone: each outcome has its own bar pattern.
    assert len({trace["marker"]["pattern"]["shape"] for trace in figure["data"]}) == 4
    table = section(page, "Runs over time").find("tbody").find_all("tr")
    assert len(table) == 26
    totals = [int(row.find_all("td")[-1].text) for row in table]
    assert sum(totals) == 4


def test_the_quality_pages_cost_a_fixed_number_of_queries(as_persona, city, django_assert_max_num_queries):
    client = as_persona("stat_lead")
    judged(DatasetFactory(department=city["police"]), outcome=Outcome.FAIL, score=1)
    client.get("/quality/")
    with CaptureQueriesContext(connection) as captured:
        client.get("/quality/")
    few = len(captured)  # counted now: the next request resets the connection's query log
    with CaptureQueriesContext(connection) as captured:
        client.get("/quality/departments/police/")
    few_department = len(captured)
    for n in range(30):
        department = city["police"] if n % 2 else city["parks"]
        dataset = DatasetFactory(department=department)
        for week in range(3):
            QualityRunFactory(dataset=dataset, outcome="fail", slot=timezone.now() - datetime.timedelta(weeks=week))
        DatasetQualityFactory(run=dataset.quality_runs.first(), stale=bool(n % 3))
    with django_assert_max_num_queries(few):
        client.get("/quality/")
    with django_assert_max_num_queries(few_department):
        client.get("/quality/departments/police/")
    assert few <= 10


def test_anonymous_visitors_sign_in_first(as_persona, city):
    assert_login_redirect(as_persona("anonymous").get("/quality/"), "/quality/")
    assert_login_redirect(as_persona("anonymous").get("/quality/departments/police/"), "/quality/departments/police/")


def test_a_login_without_a_role_is_refused(as_persona, city):
    assert client_for("no_role", as_persona).get("/quality/").status_code == 403
    assert client_for("no_role", as_persona).get("/quality/departments/police/").status_code == 404


def test_an_unknown_department_is_not_found(as_persona, city):
    assert as_persona("stat_lead").get("/quality/departments/atlantis/").status_code == 404


@pytest.mark.parametrize("path", ["/quality/", "/quality/departments/police/"])
def test_the_quality_pages_only_answer_get(as_persona, city, path):
    before = list(QualityRun.objects.values())
    assert as_persona("stat_lead").post(path).status_code == 405
    assert list(QualityRun.objects.values()) == before


def test_the_nav_offers_quality_to_its_readers_only(as_persona, city):
    def nav(client):
        return [a.text for a in parse(client.get("/dashboard/")).find("ul", class_="usa-nav__primary").find_all("a")]

    assert "Quality" in nav(as_persona("police_lead"))
    assert "Quality" in nav(as_persona("data_expert"))
    assert "Quality" not in nav(client_for("no_role", as_persona))


# --- notification preference ----------------------------------------------------------------------------------------


def test_a_person_chooses_a_daily_digest(as_persona, users):
    client = as_persona("police_contact")
    page = parse(client.get("/quality/notifications/"))
    checked = [i.attrs["value"] for i in page.find_all("input", type="radio") if "checked" in i.attrs]
    assert checked == ["immediate"]  # the default
    response = client.post("/quality/notifications/", {"delivery": "daily"})
    assert response.status_code == 302
    assert NotificationPreference.objects.get(person=users["police_contact"].person).delivery == "daily"
    page = parse(client.get("/quality/notifications/"))
    assert [i.attrs["value"] for i in page.find_all("input", type="radio") if "checked" in i.attrs] == ["daily"]


def test_an_unknown_choice_is_an_error_and_saves_nothing(as_persona, users):
    response = as_persona("police_contact").post("/quality/notifications/", {"delivery": "hourly"})
    assert response.status_code == 400
    assert "Select a valid choice" in text_of(response)
    assert not NotificationPreference.objects.exists()


def test_a_login_without_a_person_is_told_so(client, db):
    client.force_login(UserFactory(username="robot@example.gov"))
    response = client.get("/quality/notifications/")
    assert response.status_code == 200
    assert "not linked to a person" in text_of(response)
    assert client.post("/quality/notifications/", {"delivery": "none"}).status_code == 200
    assert not NotificationPreference.objects.exists()


def test_the_preference_page_needs_a_login_and_refuses_other_methods(as_persona, city):
    assert_login_redirect(as_persona("anonymous").get("/quality/notifications/"), "/quality/notifications/")
    assert as_persona("stat_lead").put("/quality/notifications/").status_code == 405


# --- the inventory list's badge and filter --------------------------------------------------------------------------


def badges(response) -> dict[str, str]:
    """Each listed dataset's title and the text of its Quality cell."""
    page = parse(response)
    column = [th.text for th in page.find("thead").find_all("th")].index("Quality")
    shown = {}
    for row in page.find("tbody").find_all("tr"):
        cells = [child for child in row.children if not isinstance(child, str) and child.tag in ("td", "th")]
        shown[row.find("th").find("a").text] = cells[column].text
    return shown


def test_the_list_shows_a_quality_badge_per_dataset(as_persona, judged_city):
    shown = badges(as_persona("stat_analyst").get("/inventory/"))
    assert shown["Arrests"] == "Passing 97"
    assert shown["Calls"] == "Failing 42 Stale"
    assert shown["Overtime"] == "Not checked"
    assert shown["Playgrounds"] == "Failing 10"


def test_a_lead_sees_no_badge_on_another_departments_public_dataset(as_persona, judged_city):
    shown = badges(as_persona("police_lead").get("/inventory/"))
    assert shown["Use of force"] == "Failing 60"
    assert "Not shown to you" in shown["Playgrounds"] and "Failing" not in shown["Playgrounds"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("failing", {"Use of force", "Calls", "Playgrounds"}),
        ("passing", {"Arrests"}),
        ("stale", {"Calls"}),
        ("not-checked", {"Overtime"}),
    ],
)
def test_the_list_filters_by_quality(as_persona, judged_city, value, expected):
    assert set(badges(as_persona("stat_analyst").get("/inventory/", {"quality": value}))) == expected


def test_the_quality_filter_never_tells_a_lead_about_others_datasets(as_persona, judged_city):
    assert set(badges(as_persona("police_lead").get("/inventory/", {"quality": "failing"}))) == {
        "Use of force",
        "Calls",
    }


def test_the_badge_costs_no_query_per_row(as_persona, city, django_assert_max_num_queries):
    client = as_persona("stat_analyst")
    for n in range(3):
        judged(DatasetFactory(title=f"Set {n}", department=city["police"]), outcome=Outcome.FAIL, score=n)
    client.get("/inventory/")
    with CaptureQueriesContext(connection) as captured:
        client.get("/inventory/", {"quality": "failing"})
    few = len(captured)  # counted now: the next request resets the connection's query log
    for n in range(3, 30):
        judged(DatasetFactory(title=f"Set {n}", department=city["police"]), outcome=Outcome.FAIL, score=n)
    client.get("/inventory/")  # the coverage figures are cached after a change: warm them again
    with django_assert_max_num_queries(few):
        response = client.get("/inventory/", {"quality": "failing"})
    assert len(badges(response)) == 25


def test_the_api_filters_by_quality_within_what_the_reader_may_see(as_persona, judged_city):
    def titles(persona):
        response = as_persona(persona).get("/api/datasets/", {"quality": "failing"})
        assert response.status_code == 200
        return {row["title"] for row in response.json()["results"]}

    assert titles("stat_analyst") == {"Use of force", "Calls", "Playgrounds"}
    assert titles("police_lead") == {"Use of force", "Calls"}
