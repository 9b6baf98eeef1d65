"""The analyses API (/api/budget/analyses/) per role: read with computed results, create, change and delete for
the writers, 403 for read-only, 404 for outsiders, 405 for the wrong method, and a refusal changes nothing."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from budget.models import Analysis

pytestmark = pytest.mark.django_db

URL = "/api/budget/analyses/"
READERS = ["principal", "stat_lead", "stat_analyst", "police_lead", "budget_analyst", "finance"]
WRITERS = ["stat_lead", "budget_analyst"]
READ_ONLY = ["principal", "stat_analyst", "police_lead", "finance"]
OUTSIDERS = ["police_contact", "parks_contact", "data_expert"]

BODY = {
    "title": "Patrol cars",
    "discount_rate": "0.100000",
    "assumptions": "List price.",
    "years": [{"cost": "1000.00", "benefit": "0.00"}, {"cost": "0", "benefit": "600"}, {"cost": "0", "benefit": "600"}],
}


def _json(client, method, url, body):
    return getattr(client, method)(url, data=json.dumps(body), content_type="application/json")


@pytest.mark.parametrize("persona", READERS)
def test_readers_list_and_read_with_results(client_as, make_analysis, persona):
    analysis = make_analysis()
    client = client_as(persona)
    listed = client.get(URL).json()
    assert [row["id"] for row in listed["results"]] == [analysis.pk]
    data = client.get(f"{URL}{analysis.pk}/").json()
    assert data["results"] == {
        "horizon": 2,
        "pv_costs": "1000.00",
        "pv_benefits": "1041.32",
        "npv": "41.32",
        "benefit_cost_ratio": "1.0413",
        "roi": "0.0413",
        "simple_payback": 2,
        "discounted_payback": 2,
    }
    assert data["years"][1] == {"year": 1, "cost": "0.00", "benefit": "600.00"}
    assert data["program"]["code"] == "PD-100"


@pytest.mark.parametrize("persona", OUTSIDERS)
def test_outsiders_see_nothing_and_get_404(client_as, make_analysis, persona):
    analysis = make_analysis()
    client = client_as(persona)
    assert client.get(URL).json()["results"] == []
    assert client.get(f"{URL}{analysis.pk}/").status_code == 404
    assert _json(client, "patch", f"{URL}{analysis.pk}/", {"title": "Changed"}).status_code == 404
    assert client.delete(f"{URL}{analysis.pk}/").status_code == 404
    analysis.refresh_from_db()
    assert analysis.title == "Patrol cars"


def test_anonymous_get_403(client_as, make_analysis):
    analysis = make_analysis()
    assert client_as("anonymous").get(URL).status_code == 403
    assert client_as("anonymous").get(f"{URL}{analysis.pk}/").status_code == 403


@pytest.mark.parametrize("persona", WRITERS)
def test_writers_create_change_and_delete(client_as, programs, persona):
    client = client_as(persona)
    response = _json(client, "post", URL, {**BODY, "program": programs["patrol"].pk})
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["results"]["npv"] == "41.32"
    url = f"{URL}{created['id']}/"
    response = _json(client, "patch", url, {"discount_rate": "0", "years": BODY["years"][:2]})
    assert response.status_code == 200
    assert response.json()["results"]["npv"] == "-400.00"
    assert response.json()["results"]["simple_payback"] is None
    assert client.delete(url).status_code == 204
    assert not Analysis.objects.exists()


def test_a_budget_request_through_the_api(client_as, budget_request):
    response = _json(client_as("budget_analyst"), "post", URL, {**BODY, "action_item": budget_request.pk})
    assert response.status_code == 201
    assert response.json()["action_item"] == budget_request.pk and response.json()["program"] is None


@pytest.mark.parametrize("persona", READ_ONLY)
def test_read_only_get_403_and_nothing_changes(client_as, programs, make_analysis, persona):
    analysis = make_analysis()
    client = client_as(persona)
    assert _json(client, "post", URL, {**BODY, "program": programs["patrol"].pk}).status_code == 403
    assert _json(client, "patch", f"{URL}{analysis.pk}/", {"title": "Changed"}).status_code == 403
    assert client.delete(f"{URL}{analysis.pk}/").status_code == 403
    analysis.refresh_from_db()
    assert analysis.title == "Patrol cars" and Analysis.objects.count() == 1


def test_a_program_one_may_not_read_is_a_400(client_as, programs):
    response = _json(client_as("budget_analyst"), "post", URL, {**BODY, "program": programs["parks"].pk})
    assert response.status_code == 400 and "program" in response.json()
    assert not Analysis.objects.exists()


def test_invalid_input_is_a_400_naming_the_field(client_as, programs):
    client = client_as("stat_lead")
    for change, field in (
        ({"discount_rate": "2"}, "discount_rate"),
        ({"years": []}, "years"),
        ({"years": [{"cost": "-1", "benefit": "0"}]}, "years"),
        ({"title": ""}, "title"),
    ):
        response = _json(client, "post", URL, {**BODY, "program": programs["patrol"].pk, **change})
        assert response.status_code == 400 and field in response.json(), (change, response.content)
    assert _json(client, "post", URL, BODY).status_code == 400  # neither a program nor a request
    assert not Analysis.objects.exists()


def test_wrong_method_is_405(client_as, make_analysis):
    analysis = make_analysis()
    client = client_as("stat_lead")
    assert _json(client, "put", f"{URL}{analysis.pk}/", BODY).status_code == 405
    assert client.delete(URL).status_code == 405
    assert Analysis.objects.get().discount_rate == Decimal("0.1")


def test_zero_costs_give_null_ratio(client_as, make_analysis):
    analysis = make_analysis("Volunteers", years=[(Decimal("0"), Decimal("50"))])
    results = client_as("stat_lead").get(f"{URL}{analysis.pk}/").json()["results"]
    assert results["benefit_cost_ratio"] is None and results["roi"] is None


def test_in_the_openapi_schema(client_as):
    schema = client_as("anonymous").get("/api/schema/?format=json").json()
    assert "/api/budget/analyses/" in schema["paths"]
    assert "/api/budget/analyses/{id}/" in schema["paths"]
    assert "AnalysisResult" in schema["components"]["schemas"]
