"""The inventory list offers each reader the tools they may use, and every link it offers opens for them."""

import re

import pytest

pytestmark = pytest.mark.django_db

TOOLS = {
    "Log a dataset": "/inventory/datasets/add/",
    "Import CSV or Excel": "/inventory/import/",
    "Harvest a data.json": "/inventory/harvest/",
    "Export CSV": "/inventory/export.csv",
    "Export Excel": "/inventory/export.xlsx",
    "Discovery questionnaire": "/inventory/discovery/",
    "Priorities": "/inventory/priority/",
}
EXPECTED = {
    "principal": {"Export CSV", "Export Excel", "Discovery questionnaire", "Priorities"},
    "stat_lead": set(TOOLS),
    "stat_analyst": set(TOOLS),
    "police_lead": {"Export CSV", "Export Excel", "Discovery questionnaire"},
    "police_contact": {"Log a dataset", "Import CSV or Excel", "Export CSV", "Export Excel", "Discovery questionnaire"},
    "budget_analyst": {"Export CSV", "Export Excel"},
    "data_expert": {"Export CSV", "Export Excel"},
}


def offered_tools(html: str) -> set[str]:
    nav = re.search(r'<nav aria-label="Inventory tools".*?</nav>', html, re.S).group(0)
    return {label for label in TOOLS if f">{label}<" in nav}


@pytest.mark.parametrize("persona", sorted(EXPECTED))
def test_each_reader_is_offered_the_tools_they_may_use_and_each_opens(persona, as_persona):
    client = as_persona(persona)
    response = client.get("/inventory/")
    assert response.status_code == 200
    offered = offered_tools(response.content.decode())
    assert offered == EXPECTED[persona]
    for label in offered:
        assert client.get(TOOLS[label]).status_code == 200, f"{persona} is offered {label} but cannot open it"


def test_export_links_carry_the_list_filters(as_persona, city):
    response = as_persona("stat_analyst").get("/inventory/", {"status": "identified"})
    assert "/inventory/export.csv?status=identified" in response.content.decode()
