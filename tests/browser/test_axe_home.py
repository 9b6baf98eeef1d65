"""Each role's home page (/dashboard/) through axe-core's WCAG 2.1 A/AA rules, one page per role, on a city with
data in every section (tests/site/city_data.py): KPIs at a glance, the work queue, a department's KPIs, datasets and
next session, a portfolio's budget, the datasets to fix, the sessions ahead."""

from __future__ import annotations

import pytest

from team.models import Role
from tests.factories import person_with_login
from tests.site.city_data import build_city

from .axe import assert_accessible

pytestmark = pytest.mark.browser

#: The persona of each role, and the heading of that role's section.
ROLES = [
    ("principal", "The city’s KPIs at a glance"),
    ("stat_lead", "Your work queue"),
    ("stat_analyst", "Your work queue"),
    ("police_lead", "Your department: Police"),
    ("police_contact", "Your department’s data: Police"),
    ("budget_analyst", "Your portfolio: Public Safety"),
    ("data_expert", "Datasets that need a data expert"),
    ("seat", "At the Stat table"),
]


@pytest.mark.parametrize(("persona", "heading"), ROLES, ids=[persona for persona, _ in ROLES])
def test_home_page_passes_axe(page, open_as, personas, city, persona, heading):
    build_city(city, personas)
    if persona == "seat":  # open_as reads the personas it was given: a seat at the table joins them
        personas["seat"] = person_with_login(Role.CHIEF_OF_STAFF, username="cos@example.gov", full_name="Cy Staff")
    response = open_as(page, persona, "/dashboard/")
    assert response.status == 200
    assert page.get_by_role("heading", name=heading, level=2).count() == 1
    assert_accessible(page)
