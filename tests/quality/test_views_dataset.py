"""The quality panel on the dataset page, a run's page and a dataset's run history."""

from __future__ import annotations

import csv
import datetime
import io
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from quality.models import Outcome, QualityRun, RunState
from tests.factories import move_city_to
from tests.inventory.factories import DatasetFactory, PublicDatasetFactory
from tests.pages import assert_login_redirect, parse, section, text_of

from .factories import CheckResultFactory, DatasetQualityFactory, QualityRunFactory, judged


@pytest.fixture
def failing(city):
    """A Police dataset with three weeks of runs, the latest failing with two problem checks."""
    dataset = DatasetFactory(title="Calls for service", department=city["police"])
    start = timezone.now() - datetime.timedelta(days=21)
    for day, (outcome, score, rows) in enumerate([("pass", 100, 1000), ("warn", 90, 1100), ("pass", 98, 1150)]):
        QualityRunFactory(
            dataset=dataset, slot=start + datetime.timedelta(days=7 * day), outcome=outcome, score=score, row_count=rows
        )
    latest = QualityRunFactory(
        dataset=dataset, slot=timezone.now() - datetime.timedelta(hours=1), outcome="fail", score=42, row_count=1210
    )
    CheckResultFactory(run=latest, position=0, name="row_count", status="pass", value=1210)
    CheckResultFactory(
        run=latest,
        position=1,
        name="type",
        column="priority",
        status="fail",
        value=3,
        message="3 values are not integers.",
        examples=[{"row": 17, "column": "priority", "value": "high"}, {"row": 40, "column": "priority", "value": "x"}],
    )
    CheckResultFactory(run=latest, position=2, name="completeness", column="address", status="warn", value=0.3)
    DatasetQualityFactory(run=latest)
    return dataset


def panel(response):
    return section(parse(response), "Data quality")


# --- the panel on the dataset page ----------------------------------------------------------------------------------


def test_the_panel_shows_the_latest_run_and_its_failing_checks_with_example_rows(as_persona, failing):
    response = as_persona("police_contact").get(failing.get_absolute_url())
    assert response.status_code == 200
    text = panel(response).text
    assert "Latest check: Failing 42" in text
    assert "1,210" in text
    problems = panel(response).find("table")
    assert "Checks that failed or warned" in problems.text
    rows = [row.text for row in problems.find("tbody").children if not isinstance(row, str) and row.tag == "tr"]
    # Worst first: the failing type check, then the warning; the passing row count check is not listed.
    assert rows[0].startswith("type priority Fail 3 3 values are not integers.")
    assert "Row 17: high" in rows[0] and "Row 40: x" in rows[0]
    assert rows[1].startswith("completeness address Warning")
    assert len(rows) == 2


def test_the_panel_explains_the_score_and_links_to_the_history(as_persona, failing):
    page = panel(as_persona("data_expert").get(failing.get_absolute_url()))
    assert "How the score is worked out" in page.text
    hrefs = {a.attrs["href"] for a in page.find_all("a")}
    assert f"/quality/datasets/{failing.pk}/runs/" in hrefs


def test_the_trend_chart_holds_every_finished_run_oldest_first(as_persona, failing):
    QualityRunFactory(dataset=failing, state=RunState.QUEUED, outcome="", score=None)  # not finished: not plotted
    response = as_persona("stat_analyst").get(failing.get_absolute_url())
    page = parse(response)
    script = page.find("script", id="quality-trend-figure")
    figure = json.loads(script.children[0])
    score, rows = figure["data"]
    assert score["name"] == "Score" and score["y"] == [100, 90, 98, 42]
    assert rows["name"] == "Rows" and rows["y"] == [1000, 1100, 1150, 1210]
    assert score["text"] == ["Pass", "Warning", "Pass", "Fail"]
    # Not by colour alone: each outcome has its own marker symbol.
    assert score["marker"]["symbol"] == ["circle", "diamond", "circle", "x"]
    # The same figures as a table.
    trend_table = [t for t in page.find_all("table") if "Each finished run" in t.text][0]
    assert [cells.text for cells in trend_table.find("tbody").find_all("tr")][-1].endswith("Fail 42 1,210")
    # plotly.js comes from our own static files.
    assert page.find("script", data_plotly_src="/static/plotly/plotly-basic.min.js") is not None


def test_the_panel_shows_a_waiting_check_beside_the_finished_runs(as_persona, failing):
    """The trend and the status line come from one query: a queued or running run shows in the status line and
    never in the trend, and only the newest waiting run is named."""
    queued_at = timezone.now() - datetime.timedelta(minutes=5)
    older = QualityRunFactory(dataset=failing, state=RunState.QUEUED, outcome="", score=None)
    QualityRun.objects.filter(pk=older.pk).update(queued_at=queued_at - datetime.timedelta(hours=1))
    running = QualityRunFactory(dataset=failing, state=RunState.RUNNING, outcome="", score=None)
    QualityRun.objects.filter(pk=running.pk).update(queued_at=queued_at)
    page = parse(as_persona("stat_analyst").get(failing.get_absolute_url()))
    status = page.find(id="quality-status")
    assert "Checking now: started" in status.text
    assert status.find("span").attrs["hx-get"] == f"/quality/datasets/{failing.pk}/status/?run={running.pk}"
    figure = json.loads(page.find("script", id="quality-trend-figure").children[0])
    assert figure["data"][0]["y"] == [100, 90, 98, 42]
    assert "Latest check: Failing 42" in section(page, "Data quality").text


def test_a_dataset_never_checked_says_so(as_persona, city):
    dataset = DatasetFactory(department=city["police"])
    text = panel(as_persona("police_contact").get(dataset.get_absolute_url())).text
    assert "Not checked yet" in text
    assert "Check now" in text


@pytest.mark.parametrize("persona", ["police_lead", "data_expert", "budget_analyst"])
def test_readers_see_the_panel_but_not_the_writers_controls(as_persona, failing, persona):
    page = panel(as_persona(persona).get(failing.get_absolute_url()))
    assert "Failing 42" in page.text
    assert "Check now" not in page.text
    assert page.find("input", type="file") is None
    assert "Quality settings" not in page.text


@pytest.mark.parametrize("persona", ["stat_analyst", "stat_lead", "police_contact"])
def test_writers_get_check_now_upload_and_settings(as_persona, failing, persona):
    page = panel(as_persona(persona).get(failing.get_absolute_url()))
    form = [f for f in page.find_all("form") if f.attrs.get("action") == f"/quality/datasets/{failing.pk}/check/"][0]
    assert form.attrs["method"] == "post" and form.attrs["hx-post"] == form.attrs["action"]
    assert form.find("input", name="csrfmiddlewaretoken") is not None
    assert page.find("input", type="file", name="file") is not None
    assert f"/quality/datasets/{failing.pk}/settings/" in {a.attrs["href"] for a in page.find_all("a")}


def test_a_department_lead_sees_no_quality_of_another_departments_public_dataset(as_persona, city):
    playgrounds = PublicDatasetFactory(title="Playgrounds", department=city["parks"])
    judged(playgrounds, outcome=Outcome.FAIL, score=10)
    response = as_persona("police_lead").get(playgrounds.get_absolute_url())
    assert response.status_code == 200  # public, so the lead reads the dataset...
    assert "Data quality" not in text_of(response)  # ...but not its quality results
    assert "Failing" not in text_of(response)


def test_the_public_page_shows_nothing_of_quality(client, city):
    crashes = PublicDatasetFactory(identifier="pd-crashes", department=city["police"])
    judged(crashes, outcome=Outcome.FAIL, score=10)
    response = client.get("/public/datasets/pd-crashes/")
    assert response.status_code == 200
    assert "quality" not in text_of(response).lower()


def test_the_panel_costs_the_same_queries_with_3_or_40_runs(as_persona, failing, django_assert_max_num_queries):
    client = as_persona("police_contact")
    client.get(failing.get_absolute_url())
    with CaptureQueriesContext(connection) as few:
        assert client.get(failing.get_absolute_url()).status_code == 200
    for day in range(40):
        QualityRunFactory(dataset=failing, slot=timezone.now() - datetime.timedelta(days=100 + day))
    with django_assert_max_num_queries(len(few)):
        client.get(failing.get_absolute_url())


# --- the run page ---------------------------------------------------------------------------------------------------


def test_the_run_page_lists_every_check(as_persona, failing):
    run = failing.quality.latest_run
    response = as_persona("police_lead").get(f"/quality/runs/{run.pk}/")
    assert response.status_code == 200
    checks = section(parse(response), "Checks") if False else parse(response)
    text = checks.text
    assert "row_count" in text and "type" in text and "completeness" in text
    assert "high" in text  # an example row
    assert "Failing 42" in text


@pytest.mark.parametrize("persona", ["parks_contact", "police_contact", "budget_analyst", "data_expert"])
def test_every_quality_reader_opens_the_run(as_persona, failing, persona):
    run = failing.quality.latest_run
    assert as_persona(persona).get(f"/quality/runs/{run.pk}/").status_code == 200


def test_a_run_outside_a_leads_department_is_not_found(as_persona, city):
    run = QualityRunFactory(dataset=PublicDatasetFactory(department=city["parks"]))
    assert as_persona("police_lead").get(f"/quality/runs/{run.pk}/").status_code == 404
    assert as_persona("police_lead").get("/quality/runs/999999/").status_code == 404


def test_the_run_page_needs_a_login(as_persona, failing):
    path = f"/quality/runs/{failing.quality.latest_run.pk}/"
    assert_login_redirect(as_persona("anonymous").get(path), path)


@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_the_run_page_only_answers_get(as_persona, failing, method):
    run = failing.quality.latest_run
    before = list(QualityRun.objects.values())
    assert getattr(as_persona("stat_analyst"), method)(f"/quality/runs/{run.pk}/").status_code == 405
    assert list(QualityRun.objects.values()) == before


# --- run history ----------------------------------------------------------------------------------------------------


def test_the_history_lists_every_run_newest_first(as_persona, failing):
    response = as_persona("data_expert").get(f"/quality/datasets/{failing.pk}/runs/")
    assert response.status_code == 200
    rows = parse(response).find("tbody").find_all("tr")
    assert [row.find_all("td")[1].text for row in rows] == ["42", "98", "90", "100"]


def test_the_history_pages_at_a_fixed_cost(as_persona, failing, django_assert_max_num_queries):
    client = as_persona("stat_analyst")
    client.get(f"/quality/datasets/{failing.pk}/runs/")
    with CaptureQueriesContext(connection) as few:
        client.get(f"/quality/datasets/{failing.pk}/runs/")
    for day in range(60):
        QualityRunFactory(dataset=failing, slot=timezone.now() - datetime.timedelta(days=100 + day), trigger="manual")
    with django_assert_max_num_queries(len(few)):
        response = client.get(f"/quality/datasets/{failing.pk}/runs/")
    assert len(parse(response).find("tbody").find_all("tr")) == 50


def test_the_history_of_another_departments_dataset_is_not_found_for_a_lead(as_persona, city):
    dataset = PublicDatasetFactory(department=city["parks"])
    assert as_persona("police_lead").get(f"/quality/datasets/{dataset.pk}/runs/").status_code == 404
    assert as_persona("budget_analyst").get(f"/quality/datasets/{dataset.pk}/runs/").status_code == 404


def test_the_history_only_answers_get(as_persona, failing):
    assert as_persona("stat_analyst").post(f"/quality/datasets/{failing.pk}/runs/").status_code == 405


# --- the city's time zone: charts, tables and the CSV ---------------------------------------------------------------

WINTER = datetime.datetime(2026, 3, 2, 6, 0, tzinfo=datetime.UTC)  # 10 p.m. the day before in Los Angeles (PST)
SUMMER = datetime.datetime(2026, 7, 1, 18, 30, tzinfo=datetime.UTC)  # 11:30 a.m. in Los Angeles (PDT)


@pytest.fixture
def in_los_angeles(settings, city):
    """A city on the Pacific coast, with a dataset checked once in winter and once in summer."""
    move_city_to(settings, "America/Los_Angeles")
    dataset = DatasetFactory(title="Potholes", department=city["police"])
    QualityRunFactory(dataset=dataset, slot=WINTER, finished_at=WINTER, outcome="pass", score=100)
    summer = QualityRunFactory(dataset=dataset, slot=SUMMER, finished_at=SUMMER, outcome="warn", score=90)
    DatasetQualityFactory(run=summer)
    return dataset


def test_the_trend_is_drawn_and_tabled_in_the_city_time_zone(as_persona, in_los_angeles):
    page = parse(as_persona("stat_analyst").get(in_los_angeles.get_absolute_url()))
    figure = json.loads(page.find("script", id="quality-trend-figure").children[0])
    score, rows = figure["data"]
    # plotly.js draws the wall-clock time it is given: the city's, not UTC's.
    assert score["x"] == rows["x"] == ["2026-03-01 22:00:00", "2026-07-01 11:30:00"]
    assert score["customdata"] == ["PST", "PDT"]  # the hover text says which
    assert figure["layout"]["xaxis"]["title"]["text"] == "Finished (time in America/Los_Angeles)"
    table = [t for t in page.find_all("table") if "Each finished run" in t.text][0]
    assert "Finished (America/Los_Angeles time)" in table.find("thead").text
    assert [row.find("th").text for row in table.find("tbody").find_all("tr")] == [
        "Mar 1, 2026, 10 p.m.",
        "Jul 1, 2026, 11:30 a.m.",
    ]
    assert "July 1, 2026, 11:30 a.m." in panel_of(page).text  # the latest check's time


def panel_of(page):
    return page.find(id="quality")


def test_the_run_history_csv_is_in_the_city_time_zone_and_names_it(as_persona, in_los_angeles):
    response = as_persona("police_contact").get(f"/quality/datasets/{in_los_angeles.pk}/runs.csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith(f'attachment; filename="quality-runs-{in_los_angeles.pk}-')
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert list(rows[0])[:3] == ["run", "queued_at (America/Los_Angeles)", "finished_at (America/Los_Angeles)"]
    # Newest first, each time the city's with its offset from UTC.
    assert [row["finished_at (America/Los_Angeles)"] for row in rows] == [
        "2026-07-01T11:30:00-07:00",
        "2026-03-01T22:00:00-08:00",
    ]
    assert [(row["outcome"], row["score"], row["trigger"]) for row in rows] == [
        ("Warning", "90", "Scheduled"),
        ("Pass", "100", "Scheduled"),
    ]
    run = QualityRun.objects.get(dataset=in_los_angeles, finished_at=SUMMER)
    assert rows[0]["url"] == f"http://127.0.0.1:8000/quality/runs/{run.pk}/"


def test_the_history_page_links_its_csv_and_names_the_time_zone(as_persona, in_los_angeles):
    page = parse(as_persona("data_expert").get(f"/quality/datasets/{in_los_angeles.pk}/runs/"))
    assert "When (America/Los_Angeles time)" in page.find("thead").text
    assert page.find("a", href=f"/quality/datasets/{in_los_angeles.pk}/runs.csv") is not None
    dataset_page = parse(as_persona("data_expert").get(in_los_angeles.get_absolute_url()))
    assert dataset_page.find("a", href=f"/quality/datasets/{in_los_angeles.pk}/runs.csv") is not None


def test_a_text_cell_of_the_csv_never_runs_as_a_formula(as_persona, failing):
    QualityRunFactory(dataset=failing, outcome="error", score=None, message='=HYPERLINK("http://x.example")')
    text = as_persona("stat_analyst").get(f"/quality/datasets/{failing.pk}/runs.csv").content.decode()
    assert "'=HYPERLINK" in text
    assert len(list(csv.DictReader(io.StringIO(text)))) == 5


@pytest.mark.parametrize("persona", ["police_contact", "police_lead", "parks_contact", "data_expert", "stat_lead"])
def test_every_quality_reader_downloads_the_csv(as_persona, failing, persona):
    assert as_persona(persona).get(f"/quality/datasets/{failing.pk}/runs.csv").status_code == 200


def test_the_csv_of_another_departments_dataset_is_not_found_for_a_lead(as_persona, city):
    dataset = PublicDatasetFactory(department=city["parks"])
    QualityRunFactory(dataset=dataset)
    assert as_persona("police_lead").get(f"/quality/datasets/{dataset.pk}/runs.csv").status_code == 404
    assert as_persona("budget_analyst").get(f"/quality/datasets/{dataset.pk}/runs.csv").status_code == 404
    assert as_persona("stat_analyst").get("/quality/datasets/999999/runs.csv").status_code == 404


def test_the_csv_needs_a_login_and_only_answers_get(as_persona, failing):
    path = f"/quality/datasets/{failing.pk}/runs.csv"
    assert_login_redirect(as_persona("anonymous").get(path), path)
    before = list(QualityRun.objects.values())
    assert as_persona("stat_analyst").post(path).status_code == 405
    assert list(QualityRun.objects.values()) == before


# --- a dataset whose data has never been fetched ----------------------------------------------------------------------


def test_a_dataset_whose_data_could_never_be_fetched_is_not_checked_and_says_why(as_persona, city):
    dataset = DatasetFactory(title="Placeholder", department=city["police"])
    message = "data.example.com answered 404 Not Found: there is no file at this address."
    run = QualityRunFactory(
        dataset=dataset,
        outcome="error",
        score=None,
        row_count=None,
        source_bytes=None,
        source="https://data.example.com/placeholder.csv",
        message=message,
    )
    DatasetQualityFactory(dataset=dataset, latest_run=run, outcome="", score=None, checked_at=run.finished_at)
    page = panel(as_persona("police_contact").get(dataset.get_absolute_url()))
    latest = page.find(id="quality-latest").text
    assert "Not checked" in latest and "could not be fetched" in latest
    assert "https://data.example.com/placeholder.csv" in latest and message in latest
    assert "Failing" not in latest and "Error" not in latest
    assert "Every check passed" not in page.text


def test_a_failed_run_without_checks_does_not_claim_every_check_passed(as_persona, city):
    dataset = DatasetFactory(department=city["police"])
    QualityRunFactory(dataset=dataset, outcome="pass", slot=timezone.now() - datetime.timedelta(days=2))
    judged(dataset, outcome="error", score=None, message="data.example.com answered 404 Not Found.")
    text = panel(as_persona("police_contact").get(dataset.get_absolute_url())).text
    assert "Latest check: Error" in text and "answered 404" in text
    assert "Every check passed" not in text
