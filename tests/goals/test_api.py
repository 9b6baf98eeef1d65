"""The goals API: anonymous visitors read public goals and measures; signed-in users what MEASURES lets them; writes
through the same services for the roles allowed; fixed query counts; the schema lists the endpoints."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from goals.models import Goal, Measure, Observation
from tests.inventory.factories import DataFieldFactory, DatasetFactory

from .factories import GoalFactory, MeasureFactory, MeasureTargetFactory, ObservationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def framework(city):
    public_goal = GoalFactory(statement="Cut crashes", departments=[city["police"]], public=True)
    private_goal = GoalFactory(statement="Staff every shift", departments=[city["police"]])
    parks_goal = GoalFactory(statement="Open playgrounds", departments=[city["parks"]])
    crashes = MeasureFactory(goal=public_goal, department=city["police"], slug="crashes", public=True, is_kpi=True)
    response = MeasureFactory(goal=public_goal, department=city["police"], slug="response-time")
    shifts = MeasureFactory(goal=private_goal, department=city["police"], slug="shifts", public=True)
    playgrounds = MeasureFactory(goal=parks_goal, department=city["parks"], slug="playgrounds")
    for measure in (crashes, response, shifts, playgrounds):
        ObservationFactory(measure=measure, period=datetime.date(2026, 1, 1), value=90)
        ObservationFactory(measure=measure, period=datetime.date(2026, 2, 1), value=110)
    MeasureTargetFactory(measure=crashes, period=datetime.date(2026, 2, 1), value=120)
    return {"public_goal": public_goal, "private_goal": private_goal, "parks_goal": parks_goal, "crashes": crashes}


def slugs(response):
    return {row["slug"] for row in response.json()["results"]}


def test_anonymous_visitors_read_public_goals_measures_and_observations_only(as_persona, framework):
    client = as_persona("anonymous")
    assert client.get("/api/priorities/").json()["count"] == 6
    assert [g["statement"] for g in client.get("/api/goals/").json()["results"]] == ["Cut crashes"]
    assert slugs(client.get("/api/measures/")) == {"crashes"}
    observations = client.get("/api/observations/").json()["results"]
    assert {o["measure"] for o in observations} == {"crashes"} and len(observations) == 2
    assert client.get("/api/measures/shifts/").status_code == 404
    assert client.get(f"/api/goals/{framework['private_goal'].pk}/").status_code == 404


@pytest.mark.parametrize(
    ("persona", "sees_note"),
    [("anonymous", False), ("parks_contact", False), ("police_contact", True), ("stat_analyst", True)],
)
def test_an_observation_note_of_a_public_measure_is_for_its_department_and_the_stat_team_only(
    as_persona, framework, persona, sees_note
):
    """Notes are working notes ("CAD outage, estimated"): a public measure publishes its values, not its notes. Who
    reads the measure only because it is public (anonymous visitors, another department's contact) gets ""."""
    Observation.objects.filter(measure=framework["crashes"]).update(note="CAD outage: estimated")
    client = as_persona(persona)
    listed = client.get("/api/observations/", {"measure": "crashes"}).json()["results"]
    one = client.get(f"/api/observations/{listed[0]['id']}/").json()
    expected = "CAD outage: estimated" if sees_note else ""
    assert [row["note"] for row in listed] == [expected, expected]
    assert one["note"] == expected


def test_a_measure_carries_its_latest_value_target_status_and_data_suspect_flag(as_persona, framework):
    body = as_persona("anonymous").get("/api/measures/crashes/").json()
    # February: 110 crashes against that month's own target of 120, lower being better.
    assert body["latest"] == {"period": "2026-02-01", "value": "110.0000", "target": "120.0000", "status": "on_track"}
    assert body["data_suspect"] is False and body["department"]["slug"] == "police"


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("stat_analyst", {"crashes", "response-time", "shifts", "playgrounds"}),
        ("data_expert", {"crashes", "response-time", "shifts", "playgrounds"}),
        ("police_lead", {"crashes", "response-time", "shifts"}),
        ("budget_analyst", {"crashes", "response-time", "shifts"}),
        ("parks_contact", {"crashes", "playgrounds"}),
    ],
)
def test_signed_in_readers_see_what_the_policy_lets_them(as_persona, framework, persona, expected):
    assert slugs(as_persona(persona).get("/api/measures/?page_size=200")) == expected


def test_filters(as_persona, framework, city):
    client = as_persona("stat_lead")
    assert slugs(client.get("/api/measures/?department=parks")) == {"playgrounds"}
    assert slugs(client.get("/api/measures/?is_kpi=true")) == {"crashes"}
    assert slugs(client.get(f"/api/measures/?goal={framework['private_goal'].pk}")) == {"shifts"}
    assert slugs(client.get("/api/measures/?computed=false")) == {"crashes", "response-time", "shifts", "playgrounds"}
    goals = client.get("/api/goals/?department=parks").json()["results"]
    assert [g["statement"] for g in goals] == ["Open playgrounds"]
    rows = client.get("/api/observations/?measure=crashes&since=2026-02-01").json()["results"]
    assert [(r["period"], r["value"]) for r in rows] == [("2026-02-01", "110.0000")]


@pytest.mark.parametrize("path", ["/api/measures/", "/api/goals/", "/api/observations/"])
def test_lists_cost_a_fixed_number_of_queries(as_persona, framework, city, path):
    client = as_persona("stat_lead")
    client.get(path)
    with CaptureQueriesContext(connection) as few:
        assert client.get(path).status_code == 200
    for n in range(10):
        goal = GoalFactory(departments=[city["police"], city["fire"]])
        measure = MeasureFactory(goal=goal, department=city["fire"], slug=f"extra-{n}")
        for month in range(1, 7):
            ObservationFactory(measure=measure, period=datetime.date(2025, month, 1))
    with CaptureQueriesContext(connection) as many:
        assert client.get(path).status_code == 200
    assert len(many) == len(few)


# --- writes --------------------------------------------------------------------------------------------------------


def goal_body(**overrides):
    return {"priority": "public-health", "statement": "Cut overdoses", "departments": ["police", "fire"], **overrides}


@pytest.mark.parametrize("persona", ["principal", "stat_lead", "stat_analyst"])
def test_the_program_creates_and_changes_goals(as_persona, city, persona):
    client = as_persona(persona)
    response = client.post("/api/goals/", goal_body(), content_type="application/json")
    assert response.status_code == 201, response.json()
    goal_id = response.json()["id"]
    assert {d["slug"] for d in response.json()["departments"]} == {"police", "fire"}
    response = client.patch(f"/api/goals/{goal_id}/", {"bold": True}, content_type="application/json")
    assert response.status_code == 200 and response.json()["bold"] is True


@pytest.mark.parametrize(
    ("persona", "status"),
    [("anonymous", 403), ("police_lead", 403), ("police_contact", 403), ("budget_analyst", 403), ("data_expert", 403)],
)
def test_others_may_not_write_goals_or_measures(as_persona, framework, city, persona, status):
    client = as_persona(persona)
    assert client.post("/api/goals/", goal_body(), content_type="application/json").status_code == status
    goal_id = framework["public_goal"].pk
    assert client.patch(f"/api/goals/{goal_id}/", {"bold": True}, content_type="application/json").status_code == status
    assert client.patch("/api/measures/crashes/", {"unit": "x"}, content_type="application/json").status_code == status
    body = {"goal": goal_id, "department": "police", "name": "X", "description": "x", "unit": "x"}
    assert client.post("/api/measures/", body, content_type="application/json").status_code == status
    assert not Goal.objects.filter(statement="Cut overdoses").exists() and not Measure.objects.filter(name="X").exists()
    framework["public_goal"].refresh_from_db()
    assert framework["public_goal"].bold is False and Measure.objects.get(slug="crashes").unit == "crashes"


def test_an_outsider_gets_404_writing_what_it_cannot_read(as_persona, framework):
    client = as_persona("parks_contact")
    assert client.patch("/api/measures/shifts/", {"unit": "x"}, content_type="application/json").status_code == 404
    body = {"measure": "shifts", "period": "2026-03-01", "value": "1"}
    assert client.post("/api/observations/", body, content_type="application/json").status_code == 404
    assert not Observation.objects.filter(period=datetime.date(2026, 3, 1)).exists()


def test_a_computed_measure_through_the_api_with_field_errors(as_persona, framework, city):
    dataset = DatasetFactory(identifier="pd-crashes", title="Crashes", department=city["police"])
    DataFieldFactory(dataset=dataset, name="crash_date", type="date")
    DataFieldFactory(dataset=dataset, name="severity")
    client = as_persona("stat_analyst")
    body = {
        "goal": framework["public_goal"].pk,
        "department": "police",
        "name": "Serious crashes",
        "description": "Crashes with injuries.",
        "unit": "crashes",
        "source_dataset": "pd-crashes",
        "aggregation": "share",
        "date_column": "crash_date",
        "filters": [{"column": "ward", "op": "=", "value": "3"}],
    }
    response = client.post("/api/measures/", body, content_type="application/json")
    assert response.status_code == 400
    errors = response.json()
    assert "A share needs the condition" in errors["condition"][0]
    assert "“ward” is not a column of “Crashes”" in errors["filters"][0]
    body["filters"] = [{"column": "severity", "op": "!=", "value": "none"}]
    body["condition"] = {"column": "severity", "op": "in", "value": "injury, fatal"}
    response = client.post("/api/measures/", body, content_type="application/json")
    assert response.status_code == 201, response.json()
    created = response.json()
    assert created["slug"] == "serious-crashes" and created["condition"]["op"] == "in"
    assert created["latest"]["status"] == "no_data"
    bad_type = client.patch("/api/measures/serious-crashes/", {"type": "vibes"}, content_type="application/json")
    assert bad_type.status_code == 400 and "type" in bad_type.json()


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("stat_analyst", 201),
        ("police_lead", 201),
        ("police_contact", 201),
        ("principal", 403),
        ("budget_analyst", 403),
        ("data_expert", 403),
        ("anonymous", 403),
    ],
)
def test_recording_observations(as_persona, framework, persona, status):
    body = {"measure": "response-time", "period": "2026-03-15", "value": "8.5", "note": "from CAD"}
    response = as_persona(persona).post("/api/observations/", body, content_type="application/json")
    assert response.status_code == status
    saved = Observation.objects.filter(measure__slug="response-time", period=datetime.date(2026, 3, 1))
    assert saved.exists() is (status == 201)
    if status == 201:
        assert response.json()["period"] == "2026-03-01" and response.json()["source"] == "manual"


def test_recording_on_a_computed_measure_or_in_the_future_is_refused(as_persona, framework, city):
    dataset = DatasetFactory(identifier="pd-x", department=city["police"])
    MeasureFactory(
        goal=framework["public_goal"], slug="computed", source_dataset=dataset, aggregation="count", date_column="d"
    )
    client = as_persona("stat_lead")
    body = {"measure": "computed", "period": "2026-03-01", "value": "1"}
    assert client.post("/api/observations/", body, content_type="application/json").status_code == 403
    body = {"measure": "crashes", "period": "2999-03-01", "value": "1"}
    response = client.post("/api/observations/", body, content_type="application/json")
    assert response.status_code == 400 and "has not begun yet" in response.json()["period"][0]


def test_wrong_methods(as_persona, framework):
    client = as_persona("stat_lead")
    assert client.delete("/api/measures/crashes/").status_code == 405
    assert client.delete(f"/api/goals/{framework['public_goal'].pk}/").status_code == 405
    observation = Observation.objects.first()
    assert client.put(f"/api/observations/{observation.pk}/", {}).status_code == 405
    assert client.post("/api/priorities/", {}).status_code == 405
    assert Observation.objects.filter(pk=observation.pk).exists()


def test_the_schema_lists_the_goals_endpoints(as_persona):
    import json

    schema = json.loads(as_persona("anonymous").get("/api/schema/", {"format": "json"}).content)
    for path in ("/api/priorities/", "/api/goals/", "/api/goals/{id}/", "/api/measures/", "/api/measures/{slug}/"):
        assert path in schema["paths"], path
    assert set(schema["paths"]["/api/observations/"]) == {"get", "post"}
    assert set(schema["paths"]["/api/priorities/"]) == {"get"}


def test_the_goal_filter_takes_an_id_and_answers_400_to_anything_else(as_persona, framework):
    """Found by tests/core/test_api_fuzz.py: ``?goal=-2.02e+25`` was a 500 (SQLite cannot hold the number)."""
    client = as_persona("stat_analyst")
    goal = framework["public_goal"]
    assert slugs(client.get("/api/measures/", {"goal": goal.pk})) == {"crashes", "response-time"}
    for bad in ("-2.020868959814561e+25", "9" * 30, "1.5", "two", "0"):
        response = client.get("/api/measures/", {"goal": bad})
        assert response.status_code == 400 and "goal" in response.json(), bad


def test_the_data_suspect_filter_and_flag(as_persona, framework, city):
    from quality.models import DatasetQuality

    dataset = DatasetFactory(identifier="pd-stale", department=city["police"])
    DatasetQuality.objects.create(dataset=dataset, outcome="pass", stale=True)
    MeasureFactory(goal=framework["public_goal"], department=city["police"], slug="stale-one", source_dataset=dataset)
    client = as_persona("stat_lead")
    assert slugs(client.get("/api/measures/?data_suspect=true")) == {"stale-one"}
    assert "stale-one" not in slugs(client.get("/api/measures/?data_suspect=false"))
    assert client.get("/api/measures/stale-one/").json()["data_suspect"] is True


def test_a_source_dataset_the_reader_may_not_see_is_not_named_nor_its_fetch_error_shown(as_persona, framework, city):
    """The public page says "a city dataset that is not published"; the API must not name it either, nor repeat a
    computation error that quotes where its data is fetched from."""
    hidden = DatasetFactory(identifier="pd-cad-internal", department=city["police"])
    error = "The data could not be read from https://cad.internal.example/export.csv: connection refused."
    MeasureFactory(
        goal=framework["public_goal"],
        department=city["police"],
        slug="response-computed",
        public=True,
        source_dataset=hidden,
        aggregation="count",
        date_column="received",
        compute_error=error,
    )
    anonymous = as_persona("anonymous").get("/api/measures/response-computed/").json()
    assert anonymous["source_dataset"] is None and anonymous["compute_error"] == ""
    assert "cad.internal" not in str(as_persona("anonymous").get("/api/measures/").json())
    analyst = as_persona("stat_analyst").get("/api/measures/response-computed/").json()
    assert analyst["source_dataset"] == "pd-cad-internal" and analyst["compute_error"] == error
