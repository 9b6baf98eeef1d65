"""The action items API: list and read under the same rules as the pages, PATCH through the same services, and the
OpenAPI schema that documents it."""

from __future__ import annotations

import datetime
import json

import pytest
from django.test import Client

from sessions.models import ActionItem, ItemState

from .action_fixtures import on_city_date

pytestmark = pytest.mark.django_db

LIST = "/api/action-items/"


def one(item) -> str:
    return f"{LIST}{item.pk}/"


def patch(client: Client, item, data: dict):
    return client.patch(one(item), json.dumps(data), content_type="application/json")


@pytest.fixture
def items(record, city):
    return {
        "police": record("Police overtime report", due_date=datetime.date(2027, 1, 10)),
        "parks": record("Parks mowing plan", department=city["parks"], due_date=datetime.date(2027, 3, 1)),
    }


def snapshot(item) -> tuple:
    item = ActionItem.objects.get(pk=item.pk)
    return item.state, item.due_date, item.completed_on, item.updates.count()


@pytest.mark.parametrize(
    ("persona", "titles"),
    [
        ("stat_analyst", {"Police overtime report", "Parks mowing plan"}),
        ("police_lead", {"Police overtime report"}),
        ("parks_contact", {"Parks mowing plan"}),
        ("budget_analyst", {"Police overtime report"}),
        ("data_expert", set()),
    ],
)
def test_list_per_role(as_persona, items, persona, titles):
    response = as_persona(persona).get(LIST)
    assert response.status_code == 200
    assert {row["title"] for row in response.json()["results"]} == titles


def test_anonymous_is_refused(as_persona, items):
    assert as_persona("anonymous").get(LIST).status_code == 403
    assert patch(as_persona("anonymous"), items["police"], {"comment": "x"}).status_code == 403


def test_item_shows_its_status(as_persona, items):
    with on_city_date(2027, 2, 1):
        body = as_persona("police_contact").get(one(items["police"])).json()
    assert body["status"] == "overdue" and body["state"] == "incomplete"
    assert body["department"]["slug"] == "police"
    with on_city_date(2027, 2, 1):
        filtered = as_persona("stat_lead").get(LIST, {"status": "not_yet_due"}).json()
    assert [row["title"] for row in filtered["results"]] == ["Parks mowing plan"]


def test_outsider_404_and_read_only_403_change_nothing(as_persona, items):
    before = snapshot(items["police"])
    assert as_persona("parks_contact").get(one(items["police"])).status_code == 404
    assert patch(as_persona("parks_contact"), items["police"], {"comment": "x"}).status_code == 404
    assert patch(as_persona("police_contact"), items["police"], {"comment": "x"}).status_code == 403
    assert patch(as_persona("budget_analyst"), items["police"], {"state": "on_hold"}).status_code == 403
    assert snapshot(items["police"]) == before


def test_wrong_methods(as_persona, items):
    client = as_persona("stat_lead")
    assert client.put(one(items["police"]), "{}", content_type="application/json").status_code == 405
    assert client.delete(one(items["police"])).status_code == 405
    assert client.post(LIST, {}).status_code == 405


def test_lead_patches_state_and_comment(as_persona, items):
    response = patch(as_persona("police_lead"), items["police"], {"state": "under_review", "comment": "Draft sent"})
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "under_review"
    assert ActionItem.objects.get(pk=items["police"].pk).updates.order_by("pk").last().comment == "Draft sent"


def test_lead_may_not_move_the_due_date(as_persona, items):
    before = snapshot(items["police"])
    assert patch(as_persona("police_lead"), items["police"], {"due_date": "2027-02-01"}).status_code == 403
    assert snapshot(items["police"]) == before
    response = patch(as_persona("stat_lead"), items["police"], {"due_date": "2027-02-01"})
    assert response.status_code == 200 and response.json()["due_date"] == "2027-02-01"


def test_completed_by_api_on_time_or_late(as_persona, items):
    with on_city_date(2027, 1, 10):
        response = patch(as_persona("police_lead"), items["police"], {"state": "completed"})
    assert response.json()["status"] == "completed_on_time"
    with on_city_date(2027, 3, 2):
        response = patch(as_persona("stat_lead"), items["parks"], {"state": "completed", "comment": "Done"})
    assert response.json()["status"] == "completed_late"


def test_invalid_input_is_400_naming_the_field(as_persona, items):
    client = as_persona("stat_lead")
    assert "state" in patch(client, items["police"], {"state": "merged"}).json()
    assert "comment" in patch(client, items["police"], {}).json()
    with on_city_date(2027, 1, 10):
        future = patch(client, items["police"], {"state": "completed", "completed_on": "2027-01-11"})
    assert future.status_code == 400 and "completed_on" in future.json()
    assert ActionItem.objects.get(pk=items["police"].pk).state == ItemState.INCOMPLETE


def test_schema_documents_the_endpoints():
    schema = Client().get("/api/schema/", {"format": "json"}).json()
    assert set(schema["paths"]["/api/action-items/"]) == {"get"}
    assert set(schema["paths"]["/api/action-items/{id}/"]) == {"get", "patch"}
    assert "ActionItemOutput" in schema["components"]["schemas"]
