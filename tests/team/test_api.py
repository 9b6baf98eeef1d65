import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from team.models import Department, Person, Portfolio, Role
from team.services import role_end
from tests.conftest import PERSONAS
from tests.factories import DepartmentFactory, PersonFactory, PortfolioFactory, RoleAssignmentFactory
from tests.pages import client_for

pytestmark = pytest.mark.django_db

SIGNED_IN = [p for p in PERSONAS if p != "anonymous"]


def person_of(users, persona: str) -> Person:
    return Person.objects.get(user=users[persona])


@pytest.fixture
def urls(users, city):
    police_lead = person_of(users, "police_lead")
    return {
        "departments": reverse("team:department-list"),
        "department": reverse("team:department-detail", kwargs={"slug": "police"}),
        "portfolios": reverse("team:portfolio-list"),
        "portfolio": reverse("team:portfolio-detail", kwargs={"slug": "public-safety"}),
        "people": reverse("team:person-list"),
        "person": reverse("team:person-detail", kwargs={"pk": police_lead.pk}),
    }


# --- who may read ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("name", ["departments", "department", "portfolios", "portfolio", "people", "person"])
def test_every_persona_reads_every_endpoint(as_persona, urls, persona, name):
    response = as_persona(persona).get(urls[name])
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"


@pytest.mark.parametrize("name", ["department", "portfolio", "person"])
def test_missing_objects_are_404(as_persona, name):
    kwargs = {"pk": 999_999} if name == "person" else {"slug": "no-such-thing"}
    assert as_persona("anonymous").get(reverse(f"team:{name}-detail", kwargs=kwargs)).status_code == 404


def test_people_detail_takes_only_numeric_ids(as_persona):
    assert as_persona("anonymous").get("/api/people/abc/").status_code == 404


# --- contact details -------------------------------------------------------------------------------------------


def test_anonymous_visitors_see_no_email_or_phone(as_persona, urls):
    client = as_persona("anonymous")
    people = client.get(urls["people"]).json()["results"]
    assert people
    for person in people:
        assert "email" not in person
        assert "phone" not in person
    detail = client.get(urls["person"]).json()
    assert detail["full_name"] == "Pat Chief"
    assert "email" not in detail
    assert "phone" not in detail


@pytest.mark.parametrize("persona", SIGNED_IN)
def test_signed_in_users_see_email_and_phone(as_persona, urls, users, persona):
    chief = person_of(users, "police_lead")
    detail = as_persona(persona).get(urls["person"]).json()
    assert detail["email"] == "chief@example.gov"
    assert detail["phone"] == chief.phone
    people = as_persona(persona).get(urls["people"]).json()["results"]
    assert all("email" in person and "phone" in person for person in people)


def test_a_login_without_a_role_sees_no_email_or_phone(as_persona, urls, users):
    """As on the HTML pages, which refuse the team to someone holding no role (issue 11, finding 9)."""
    client = client_for("no_role", as_persona)
    assert client.get(reverse("team:person", args=[person_of(users, "police_lead").pk])).status_code == 403
    people = client.get(urls["people"]).json()["results"]
    assert people and all("email" not in person and "phone" not in person for person in people)
    detail = client.get(urls["person"]).json()
    assert "email" not in detail and "phone" not in detail
    assert client.get(urls["people"], {"search": "chief@example"}).json()["count"] == 0


def test_anonymous_search_does_not_match_email_addresses(as_persona, urls, users):
    # Otherwise a visitor could probe for addresses they are not shown.
    Person.objects.filter(user=users["police_lead"]).update(title="Chief of Police")
    anonymous = as_persona("anonymous").get(urls["people"], {"search": "chief@example"}).json()
    assert anonymous["count"] == 0
    signed_in = as_persona("parks_contact").get(urls["people"], {"search": "chief@example"}).json()
    assert [p["full_name"] for p in signed_in["results"]] == ["Pat Chief"]


# --- writes are refused ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["anonymous", "stat_lead", "police_contact"])
@pytest.mark.parametrize("name", ["departments", "department", "portfolios", "portfolio", "people", "person"])
@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_writes_are_405_and_change_nothing(as_persona, urls, persona, name, method):
    before = (
        list(Department.objects.values_list("slug", "name", "active")),
        list(Portfolio.objects.values_list("slug", "name")),
        list(Person.objects.values_list("pk", "full_name", "email")),
    )
    payload = {"name": "Renamed", "full_name": "Renamed", "slug": "renamed"}
    response = getattr(as_persona(persona), method)(urls[name], payload, content_type="application/json")
    assert response.status_code == 405
    after = (
        list(Department.objects.values_list("slug", "name", "active")),
        list(Portfolio.objects.values_list("slug", "name")),
        list(Person.objects.values_list("pk", "full_name", "email")),
    )
    assert after == before


# --- what the payloads say -------------------------------------------------------------------------------------


def test_department_shows_portfolio_leads_and_contacts(as_persona, urls):
    body = as_persona("anonymous").get(urls["department"]).json()
    assert body["slug"] == "police"
    assert body["code"] == "PD"
    assert body["parent"] is None
    assert body["portfolio"] == {"slug": "public-safety", "name": "Public Safety"}
    assert [p["full_name"] for p in body["leads"]] == ["Pat Chief"]
    assert [p["full_name"] for p in body["contacts"]] == ["Dana Data"]


def test_portfolio_shows_departments_and_budget_analysts(as_persona, urls):
    body = as_persona("anonymous").get(urls["portfolio"]).json()
    assert body["name"] == "Public Safety"
    assert [d["slug"] for d in body["departments"]] == ["fire", "police"]
    assert [p["full_name"] for p in body["budget_analysts"]] == ["Bud Get"]


def test_person_shows_current_roles(as_persona, urls, users, city):
    chief = person_of(users, "police_lead")
    RoleAssignmentFactory(person=chief, role=Role.BUDGET_ANALYST, portfolio=city["community"])
    body = as_persona("anonymous").get(urls["person"]).json()
    assert body["department"] == "police"
    roles = {(r["role"], r["role_label"], r["department"], r["portfolio"]) for r in body["roles"]}
    assert roles == {
        ("department_lead", "Department lead", "police", None),
        ("budget_analyst", "Budget analyst", None, "community-services"),
    }


def test_ended_roles_are_not_shown(as_persona, urls, users):
    chief = person_of(users, "police_lead")
    role_end(assignment=chief.assignments.get(), by=users["stat_lead"])
    person = as_persona("anonymous").get(urls["person"]).json()
    assert person["roles"] == []
    department = as_persona("anonymous").get(urls["department"]).json()
    assert department["leads"] == []


def test_roles_that_have_not_started_are_not_shown(as_persona, urls, users):
    chief = person_of(users, "police_lead")
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    RoleAssignmentFactory(person=chief, role=Role.STAT_ANALYST, starts_on=tomorrow)
    roles = as_persona("anonymous").get(urls["person"]).json()["roles"]
    assert [r["role"] for r in roles] == ["department_lead"]


# --- filters and pagination ------------------------------------------------------------------------------------


def slugs(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["slug"] for row in response.json()["results"]]


def names(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["full_name"] for row in response.json()["results"]]


def test_departments_filter_by_portfolio_active_and_parent(as_persona, urls, city):
    DepartmentFactory(name="Police Patrol", slug="police-patrol", code="PDP", parent=city["police"])
    DepartmentFactory(name="Old Office", slug="old-office", code="OLD", active=False)
    client = as_persona("anonymous")
    assert slugs(client.get(urls["departments"], {"portfolio": "public-safety"})) == ["fire", "police"]
    assert slugs(client.get(urls["departments"], {"active": "false"})) == ["old-office"]
    assert "old-office" not in slugs(client.get(urls["departments"], {"active": "true"}))
    assert slugs(client.get(urls["departments"], {"parent": "police"})) == ["police-patrol"]
    assert client.get(urls["departments"], {"portfolio": "no-such-portfolio"}).status_code == 400


def test_people_filter_by_department_role_active_and_search(as_persona, urls, users, city):
    PersonFactory(full_name="Former Officer", department=city["police"], active=False)
    client = as_persona("anonymous")
    assert names(client.get(urls["people"], {"department": "police", "active": "true"})) == ["Dana Data", "Pat Chief"]
    assert names(client.get(urls["people"], {"department": "police"})) == ["Dana Data", "Former Officer", "Pat Chief"]
    assert names(client.get(urls["people"], {"role": Role.DEPARTMENT_CONTACT})) == ["Dana Data", "Park Ranger"]
    assert names(client.get(urls["people"], {"role": Role.BUDGET_ANALYST})) == ["Bud Get"]
    assert names(client.get(urls["people"], {"active": "false"})) == ["Former Officer"]
    assert names(client.get(urls["people"], {"search": "stella"})) == ["Stella Lead"]
    assert client.get(urls["people"], {"role": "emperor"}).status_code == 400


def test_role_filter_ignores_ended_roles(as_persona, urls, users):
    role_end(assignment=person_of(users, "police_lead").assignments.get(), by=users["stat_lead"])
    assert names(as_persona("anonymous").get(urls["people"], {"role": Role.DEPARTMENT_LEAD})) == []


def test_lists_are_paginated(as_persona, urls):
    body = as_persona("anonymous").get(urls["people"], {"page_size": 3}).json()
    assert body["count"] == 8
    assert len(body["results"]) == 3
    assert body["next"] is not None
    assert body["previous"] is None
    last = as_persona("anonymous").get(urls["people"], {"page_size": 3, "page": 3}).json()
    assert len(last["results"]) == 2
    assert last["next"] is None


# --- a page costs the same number of queries however many rows it shows --------------------------------------


def add_staffed_departments(n: int) -> None:
    portfolio = PortfolioFactory(name="Extra Portfolio")
    for i in range(n):
        department = DepartmentFactory(name=f"Extra {i:02d}", code=f"X{i:02d}", portfolio=portfolio)
        RoleAssignmentFactory(person__department=department, role=Role.DEPARTMENT_LEAD, department=department)
        RoleAssignmentFactory(person__department=department, role=Role.DEPARTMENT_CONTACT, department=department)
        RoleAssignmentFactory(person__department=department, role=Role.BUDGET_ANALYST, portfolio=portfolio)
        PortfolioFactory(name=f"Extra Portfolio {i:02d}")


# Anonymous: count, rows, and one query per prefetch. Signed in: plus the session and the user, and for people their
# roles (whether they are shown contact details).
MAX_QUERIES = {"departments": 4, "portfolios": 4, "people": 3}
SIGNED_IN_QUERIES = {"departments": 2, "portfolios": 2, "people": 3}


@pytest.mark.parametrize("persona", ["anonymous", "stat_analyst"])
@pytest.mark.parametrize("name", ["departments", "portfolios", "people"])
def test_query_count_does_not_grow_with_rows(as_persona, urls, django_assert_max_num_queries, persona, name):
    client = as_persona(persona)
    limit = MAX_QUERIES[name] + (SIGNED_IN_QUERIES[name] if persona != "anonymous" else 0)
    counts = []
    for extra in (2, 18):  # 2 more rows, then 20 more in all
        add_staffed_departments(extra)
        with CaptureQueriesContext(connection) as queries, django_assert_max_num_queries(limit):
            body = client.get(urls[name]).json()
        assert body["count"] >= 2
        counts.append(len(queries))
    assert counts[0] == counts[1]
