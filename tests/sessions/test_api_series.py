"""The series and sessions API: reading per sessions.access, writing for the Stat team through the services."""

import datetime
import json

import pytest

from sessions.models import Series, SessionState

READERS = ["principal", "stat_lead", "stat_analyst", "police_lead", "police_contact", "budget_analyst"]
MANAGERS = ["principal", "stat_lead", "stat_analyst"]
READ_ONLY = ["police_lead", "police_contact", "budget_analyst"]


def post(client, url, data):
    return client.post(url, json.dumps(data), content_type="application/json")


@pytest.mark.parametrize("persona", READERS)
def test_readers_list_and_read_series_and_sessions(police_series, as_persona, persona):
    client = as_persona(persona)
    series = client.get("/api/series/").json()
    assert [row["name"] for row in series["results"]] == ["PoliceStat"]
    assert series["results"][0]["department"]["slug"] == "police"
    sessions = client.get("/api/sessions/", {"series": police_series.pk}).json()
    assert sessions["count"] == 12
    first = sessions["results"][0]
    assert first["state"] == "planned" and first["series_name"] == "PoliceStat"
    assert {"Pat Chief", "Bud Get"} <= {a["name"] for a in first["attendees"]}
    assert [step["kind"] for step in first["checklist"]] == ["data_request", "data_due", "memo_draft", "memo_sent"]
    assert client.get(f"/api/sessions/{first['id']}/").status_code == 200
    assert client.get(f"/api/series/{police_series.pk}/").status_code == 200


@pytest.mark.parametrize("persona", ["parks_contact", "data_expert"])
def test_outsiders_see_nothing_and_get_404(police_series, as_persona, persona):
    client = as_persona(persona)
    assert client.get("/api/series/").json()["count"] == 0
    assert client.get("/api/sessions/").json()["count"] == 0
    assert client.get(f"/api/series/{police_series.pk}/").status_code == 404
    assert client.get(f"/api/sessions/{police_series.sessions.first().pk}/").status_code == 404


def test_anonymous_visitors_get_403(police_series, as_persona):
    assert as_persona("anonymous").get("/api/series/").status_code == 403
    assert as_persona("anonymous").get("/api/sessions/").status_code == 403


def new_series(city, **extra):
    data = {
        "name": "FireStat",
        "department": "fire",
        "cadence": "biweekly",
        "start_date": "2027-02-01",
        "start_time": "09:00",
        "duration_minutes": 60,
        "public": True,
        "memo_send_hours": 72,
    }
    data.update(extra)
    return data


@pytest.mark.parametrize("persona", MANAGERS)
def test_stat_team_creates_a_series(city, as_persona, persona):
    response = post(as_persona(persona), "/api/series/", new_series(city))
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["name"] == "FireStat" and body["public"] and body["memo_send_hours"] == 72
    assert Series.objects.get(name="FireStat").sessions.count() == 27


@pytest.mark.parametrize("persona", READ_ONLY)
def test_readers_may_not_create_series(city, as_persona, persona):
    assert post(as_persona(persona), "/api/series/", new_series(city)).status_code == 403
    assert not Series.objects.exists()


def test_bad_input_is_a_400_naming_the_field(city, as_persona):
    client = as_persona("stat_lead")
    response = post(client, "/api/series/", new_series(city, cadence="rrule", rrule="FREQ=SECONDLY"))
    assert response.status_code == 400 and "rrule" in response.json()
    response = post(client, "/api/series/", new_series(city, start_date="9999-01-01"))
    assert response.status_code == 400 and "start_date" in response.json()
    assert not Series.objects.exists()


def test_stat_team_changes_a_series(police_series, as_persona):
    client = as_persona("stat_analyst")
    response = client.patch(
        f"/api/series/{police_series.pk}/",
        json.dumps({"no_surprises": True, "data_request_days": 20}),
        content_type="application/json",
    )
    assert response.status_code == 200 and response.json()["no_surprises"]
    police_series.refresh_from_db()
    assert police_series.data_request_days == 20


@pytest.mark.parametrize(("persona", "status"), [("police_lead", 403), ("parks_contact", 404)])
def test_others_may_not_change_a_series(police_series, as_persona, persona, status):
    response = as_persona(persona).patch(
        f"/api/series/{police_series.pk}/", json.dumps({"name": "X"}), content_type="application/json"
    )
    assert response.status_code == status
    police_series.refresh_from_db()
    assert police_series.name == "PoliceStat"


def test_stat_team_moves_and_cancels_a_session(police_series, as_persona):
    session = police_series.sessions.first()
    client = as_persona("stat_lead")
    response = post(client, f"/api/sessions/{session.pk}/move/", {"starts_at": "2027-01-05T15:00:00-05:00"})
    assert response.status_code == 200 and response.json()["sequence"] == 1
    session.refresh_from_db()
    assert session.starts_at == datetime.datetime(2027, 1, 5, 20, tzinfo=datetime.UTC)
    assert post(client, f"/api/sessions/{session.pk}/cancel/", {}).json()["state"] == "cancelled"
    assert post(client, f"/api/sessions/{session.pk}/cancel/", {}).status_code == 400
    response = post(client, f"/api/sessions/{session.pk}/move/", {"starts_at": "2027-01-06T15:00:00-05:00"})
    assert response.status_code == 400


@pytest.mark.parametrize(("persona", "status"), [("police_lead", 403), ("budget_analyst", 403), ("data_expert", 404)])
def test_others_may_not_move_or_cancel(police_series, as_persona, persona, status):
    session = police_series.sessions.first()
    client = as_persona(persona)
    assert (
        post(client, f"/api/sessions/{session.pk}/move/", {"starts_at": "2027-01-05T15:00:00Z"}).status_code == status
    )
    assert post(client, f"/api/sessions/{session.pk}/cancel/", {}).status_code == status
    session.refresh_from_db()
    assert session.state == SessionState.PLANNED and session.sequence == 0


def test_wrong_methods_are_405(police_series, as_persona):
    client = as_persona("stat_lead")
    session = police_series.sessions.first()
    assert client.delete(f"/api/series/{police_series.pk}/").status_code == 405
    assert client.put(f"/api/series/{police_series.pk}/", "{}", content_type="application/json").status_code == 405
    assert client.get(f"/api/sessions/{session.pk}/move/").status_code == 405
    assert client.post("/api/sessions/", "{}", content_type="application/json").status_code == 405


def test_the_schema_lists_the_endpoints():
    from django.test import Client

    schema = Client().get("/api/schema/", {"format": "json"}).json()
    assert set(schema["paths"]["/api/series/"]) == {"get", "post"}
    assert set(schema["paths"]["/api/series/{id}/"]) == {"get", "patch"}
    assert set(schema["paths"]["/api/sessions/{id}/move/"]) == {"post"}
    assert set(schema["paths"]["/api/sessions/{id}/cancel/"]) == {"post"}


def test_listing_costs_a_fixed_number_of_queries(police_series, as_persona, django_assert_max_num_queries):
    client = as_persona("budget_analyst")
    with django_assert_max_num_queries(8):
        assert client.get("/api/sessions/").status_code == 200
