"""The budget data API (bdata): reads per role (the public: adopted amounts of public years only), writes through the
services, 403/404/405, a refused write changes nothing."""

from __future__ import annotations

from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from budget.models import BudgetLine, FiscalYear, ProgramMeasure
from budget.services.data import (
    fiscal_year_create,
    fiscal_year_set_public,
    fiscal_year_set_status,
    fund_save,
    line_save,
    program_link_measure,
    program_save,
)
from tests.goals.factories import MeasureFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def budget(city):
    fy = fiscal_year_create(year=2027, by=None)
    old = fiscal_year_create(year=2026, by=None)
    fund = fund_save(code="100", name="General Fund", by=None)
    patrol = program_save(department=city["police"], code="PATROL", name="Patrol", by=None)
    pools = program_save(department=city["parks"], code="POOLS", name="Pools", by=None)
    line = line_save(fiscal_year=fy, fund=fund, program=patrol, category="personnel", adopted=Decimal("100"),
                     actual=Decimal("40"), by=None)  # fmt: skip
    old_line = line_save(fiscal_year=old, fund=fund, program=patrol, category="personnel", adopted=Decimal("90"),
                         actual=Decimal("88"), by=None)  # fmt: skip
    parks_line = line_save(fiscal_year=fy, fund=fund, program=pools, category="operating", adopted=Decimal("5"),
                           by=None)  # fmt: skip
    fiscal_year_set_status(fiscal_year=old, status="adopted", by=None)
    fiscal_year_set_public(fiscal_year=old, public=True, by=None)
    return {"fy": fy, "old": old, "fund": fund, "patrol": patrol, "pools": pools, "line": line,
            "old_line": old_line, "parks_line": parks_line}  # fmt: skip


def client(users, persona: str) -> APIClient:
    api = APIClient()
    if persona != "anonymous":
        api.force_authenticate(users[persona])
    return api


def _ids(response) -> set[int]:
    return {row["id"] for row in response.json()["results"]}


def test_lines_read_per_role(users, budget):
    everything = {budget["line"].pk, budget["old_line"].pk, budget["parks_line"].pk}
    assert _ids(client(users, "stat_analyst").get("/api/budget/lines/")) == everything
    assert _ids(client(users, "budget_analyst").get("/api/budget/lines/")) == {budget["line"].pk, budget["old_line"].pk}
    assert _ids(client(users, "police_lead").get("/api/budget/lines/")) == {budget["line"].pk, budget["old_line"].pk}
    public = client(users, "anonymous").get("/api/budget/lines/").json()["results"]
    assert [(row["id"], row["adopted"], row["actual"]) for row in public] == [(budget["old_line"].pk, "90.00", None)]
    assert _ids(client(users, "parks_contact").get("/api/budget/lines/")) == {budget["old_line"].pk}


def test_lines_filters(users, budget):
    api = client(users, "stat_lead")
    assert _ids(api.get("/api/budget/lines/?fiscal_year=2026")) == {budget["old_line"].pk}
    assert _ids(api.get("/api/budget/lines/?department=parks")) == {budget["parks_line"].pk}
    assert _ids(api.get(f"/api/budget/lines/?program={budget['patrol'].pk}&category=personnel&fund=100")) == {
        budget["line"].pk,
        budget["old_line"].pk,
    }


def test_outsider_gets_404_for_a_line(users, budget):
    assert client(users, "parks_contact").get(f"/api/budget/lines/{budget['line'].pk}/").status_code == 404
    assert client(users, "budget_analyst").get(f"/api/budget/lines/{budget['parks_line'].pk}/").status_code == 404


def test_budget_analyst_changes_a_line(users, budget):
    response = client(users, "budget_analyst").patch(
        f"/api/budget/lines/{budget['line'].pk}/", {"amended": "120.005"}, format="json"
    )
    assert response.status_code == 400  # three decimal places
    response = client(users, "budget_analyst").patch(
        f"/api/budget/lines/{budget['line'].pk}/", {"amended": "120.50"}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert BudgetLine.objects.get(pk=budget["line"].pk).amended == Decimal("120.50")


def test_budget_analyst_adds_a_line(users, budget):
    response = client(users, "budget_analyst").post(
        "/api/budget/lines/",
        {"fiscal_year": 2027, "fund": "100", "program": budget["patrol"].pk, "category": "capital", "adopted": "7"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["adopted"] == "7.00"


@pytest.mark.parametrize("persona", ["police_lead", "stat_analyst"])
def test_read_only_gets_403_and_nothing_changes(users, budget, persona):
    response = client(users, persona).patch(f"/api/budget/lines/{budget['line'].pk}/", {"adopted": "1"}, format="json")
    assert response.status_code == 403
    assert BudgetLine.objects.get(pk=budget["line"].pk).adopted == Decimal("100.00")


def test_anonymous_write_403(users, budget):
    response = client(users, "anonymous").post("/api/budget/fiscal-years/", {"year": 2030}, format="json")
    assert response.status_code == 403
    assert not FiscalYear.objects.filter(year=2030).exists()


def test_wrong_method_405(users, budget):
    assert client(users, "stat_lead").delete(f"/api/budget/lines/{budget['line'].pk}/").status_code == 405
    assert client(users, "stat_lead").put(f"/api/budget/lines/{budget['line'].pk}/", {}).status_code == 405


def test_fiscal_years_and_funds(users, budget):
    api = client(users, "stat_lead")
    response = api.post("/api/budget/fiscal-years/", {"year": 2028}, format="json")
    assert response.status_code == 201
    assert response.json()["starts_on"] == "2027-07-01" and response.json()["ends_on"] == "2028-06-30"
    assert api.patch("/api/budget/fiscal-years/2028/", {"status": "closed"}, format="json").status_code == 400
    assert api.patch("/api/budget/fiscal-years/2028/", {"status": "adopted", "public": True}, format="json").json()[
        "public"
    ]
    public_years = client(users, "anonymous").get("/api/budget/fiscal-years/").json()["results"]
    assert [row["year"] for row in public_years] == [2028, 2026]
    assert client(users, "anonymous").get("/api/budget/fiscal-years/2027/").status_code == 404
    assert api.post("/api/budget/funds/", {"code": "200", "name": "Water"}, format="json").status_code == 201
    assert client(users, "police_lead").post("/api/budget/funds/", {"code": "300", "name": "X"}).status_code == 403


def test_programs_with_measure_slugs_and_links(users, budget, city):
    measure = MeasureFactory(department=city["police"], slug="response-time")
    other = MeasureFactory(department=city["parks"], slug="pool-visits")
    program_link_measure(program=budget["patrol"], measure=measure, by=None)
    response = client(users, "stat_lead").get(f"/api/budget/programs/{budget['patrol'].pk}/")
    assert response.json()["measures"] == ["response-time"]
    api = client(users, "budget_analyst")
    url = f"/api/budget/programs/{budget['patrol'].pk}/measures/"
    assert api.post(url, {"measure": "pool-visits"}, format="json").status_code == 400  # another department's
    assert api.delete(f"{url}response-time/").json()["measures"] == []
    assert not ProgramMeasure.objects.exists()
    assert client(users, "police_lead").post(url, {"measure": "response-time"}, format="json").status_code == 403
    assert not ProgramMeasure.objects.exists()
    assert client(users, "budget_analyst").get(f"/api/budget/programs/{budget['pools'].pk}/").status_code == 404
    assert other.slug == "pool-visits"


def test_monthly_actuals(users, budget):
    api = client(users, "budget_analyst")
    month = {"line": budget["line"].pk, "month": "2026-08-15", "amount": "10"}
    response = api.post("/api/budget/monthly-actuals/", month, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["month"] == "2026-08-01"
    bad = api.post(
        "/api/budget/monthly-actuals/", {"line": budget["line"].pk, "month": "2025-08-01", "amount": "1"}, format="json"
    )
    assert bad.status_code == 400
    assert len(client(users, "police_lead").get("/api/budget/monthly-actuals/").json()["results"]) == 1
    assert client(users, "anonymous").get("/api/budget/monthly-actuals/").json()["results"] == []
    refused = client(users, "budget_analyst").post(
        "/api/budget/monthly-actuals/", {"line": budget["parks_line"].pk, "month": "2026-08-01", "amount": "1"}
    )
    assert refused.status_code == 404
