"""The roster, the gaps panel and department pages: who may see them, what they show, what they cost."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from team.models import Role
from team.services import role_end
from tests.conftest import PERSONAS
from tests.factories import DepartmentFactory, PersonFactory, PortfolioFactory, RoleAssignmentFactory
from tests.pages import assert_login_redirect, client_for, parse, section, team_state

pytestmark = pytest.mark.django_db

SIGNED_IN = [p for p in PERSONAS if p != "anonymous"]
PROGRAM_STAFF = ("principal", "stat_lead", "stat_analyst")


def expected(persona: str, allowed) -> int | str:
    if persona == "anonymous":
        return "login"
    return 200 if persona in allowed else 403


def check(response, want, path):
    if want == "login":
        assert_login_redirect(response, path)
    else:
        assert response.status_code == want


# --- who may see what ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", [*PERSONAS, "no_role"])
def test_roster_is_for_everyone_with_a_role(persona, as_persona):
    response = client_for(persona, as_persona).get("/team/")
    check(response, expected(persona, SIGNED_IN), "/team/")


@pytest.mark.parametrize("persona", [*PERSONAS, "no_role"])
def test_gaps_are_for_the_stat_team(persona, as_persona):
    response = client_for(persona, as_persona).get("/team/gaps/")
    check(response, expected(persona, PROGRAM_STAFF), "/team/gaps/")


@pytest.mark.parametrize("persona", [*PERSONAS, "no_role"])
def test_department_page_is_for_everyone_with_a_role(persona, as_persona, city):
    path = city["police"].get_absolute_url()
    response = client_for(persona, as_persona).get(path)
    check(response, expected(persona, SIGNED_IN), path)


def test_unknown_department_is_404(as_persona):
    assert as_persona("stat_lead").get("/team/departments/no-such-department/").status_code == 404


@pytest.mark.parametrize("path", ["/team/", "/team/gaps/", "/team/departments/police/"])
@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_read_only_pages_refuse_writes_and_change_nothing(as_persona, path, method):
    before = team_state()
    response = getattr(as_persona("stat_lead"), method)(path)
    assert response.status_code == 405
    assert team_state() == before


# --- the roster ----------------------------------------------------------------------------------------------------


def test_roster_lists_program_staff_then_each_department_with_its_people(as_persona):
    page = parse(as_persona("police_contact").get("/team/"))

    staff = section(page, "Program staff").text
    assert "Principal Mara Mayor" in staff
    assert "Stat lead Stella Lead" in staff
    assert "Stat analyst Ana Lyst" in staff
    assert "Data expert (GIS) Gia Mapper" in staff

    police = section(page, "Police").text
    assert "Department lead Pat Chief" in police
    assert "Department contact Dana Data" in police
    assert "Budget analyst Bud Get" in police
    assert "chief@example.gov" in police  # contact details, for signed-in staff

    fire = section(page, "Fire").text
    assert "Department lead Not assigned" in fire
    assert "Budget analyst Bud Get" in fire  # the portfolio's analyst serves every department in it

    parks = section(page, "Parks & Recreation").text
    assert "Department contact Park Ranger" in parks
    assert "Budget analyst Not assigned" in parks
    assert "Pat Chief" not in parks


def test_roster_nests_divisions_under_their_department(as_persona, city):
    patrol = DepartmentFactory(name="Patrol", slug="patrol", code="PAT", parent=city["police"])
    RoleAssignmentFactory(role=Role.DATA_EXPERT, department=patrol, person__full_name="Pia Patrol")
    page = parse(as_persona("stat_lead").get("/team/"))

    patrol_section = section(page, "Patrol")
    assert patrol_section.closest("section") is section(page, "Police")
    assert "A division of Police" in patrol_section.text
    assert "Data expert (GIS) Pia Patrol" in patrol_section.text
    assert "Not assigned" not in patrol_section.text  # divisions are not counted as gaps


def test_roster_leaves_out_ended_roles_and_inactive_departments(as_persona, users, city):
    role_end(by=None, assignment=users["police_lead"].person.assignments.get())
    DepartmentFactory(name="Closed Office", slug="closed", code="CLO", active=False)
    page = parse(as_persona("stat_lead").get("/team/"))

    assert "Pat Chief" not in section(page, "Police").text
    assert "Closed Office" not in page.text


def test_stat_team_sees_a_gaps_summary_on_the_roster(as_persona):
    summary = section(parse(as_persona("stat_analyst").get("/team/")), "Staffing gaps")
    # Fire and Parks have no lead, Fire no contact, Community Services no budget analyst.
    assert "4 gaps to fill" in summary.text
    assert summary.find("a", href=reverse("team:gaps")) is not None


@pytest.mark.parametrize("persona", ["police_lead", "budget_analyst", "data_expert"])
def test_others_see_no_gaps_summary_and_no_fix_links(as_persona, persona):
    page = parse(as_persona(persona).get("/team/"))
    assert "Staffing gaps" not in page.text
    assert "Choose someone" not in page.text
    assert page.find("a", href=reverse("team:gaps")) is None


def grow_city(n: int) -> None:
    """``n`` more departments, each with a division, a portfolio and someone in every role."""
    for _ in range(n):
        portfolio = PortfolioFactory()
        department = DepartmentFactory(portfolio=portfolio)
        division = DepartmentFactory(parent=department, portfolio=portfolio)
        for role in (Role.DEPARTMENT_LEAD, Role.DEPARTMENT_CONTACT):
            RoleAssignmentFactory(role=role, department=department, person__department=department)
        RoleAssignmentFactory(role=Role.DATA_EXPERT, department=division, person__department=division)
        RoleAssignmentFactory(role=Role.BUDGET_ANALYST, portfolio=portfolio)
        RoleAssignmentFactory(role=Role.FINANCE)
        PersonFactory(department=department)


def count_queries(client, path: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return len(queries)


@pytest.mark.parametrize("path", ["/team/", "/team/gaps/", "/team/departments/police/"])
def test_page_costs_the_same_queries_for_a_small_and_a_large_city(
    as_persona, path, django_assert_max_num_queries, city
):
    client = as_persona("stat_lead")
    small = count_queries(client, path)
    grow_city(12)
    for _ in range(12):
        RoleAssignmentFactory(role=Role.DATA_EXPERT, department=city["police"])
        PersonFactory(department=city["police"])
    with django_assert_max_num_queries(small):
        assert client.get(path).status_code == 200


# --- the gaps panel ------------------------------------------------------------------------------------------------


def test_gaps_page_lists_each_gap_with_a_link_to_fill_it(as_persona, city):
    unplaced = DepartmentFactory(name="Libraries", slug="libraries", code="LIB")
    page = parse(as_persona("stat_lead").get("/team/gaps/"))

    no_lead = section(page, "Departments without a lead")
    assert [a.text for a in no_lead.find_all("a", href=city["fire"].get_absolute_url())] == ["Fire"]
    assert "Parks & Recreation" in no_lead.text
    assert "Police" not in no_lead.text
    fire_link = f"{reverse('team:people')}?assign=department_lead&department={city['fire'].pk}"
    assert no_lead.find("a", href=fire_link) is not None

    no_contact = section(page, "Departments without a contact")
    assert "Fire" in no_contact.text and "Police" not in no_contact.text

    no_analyst = section(page, "Portfolios without a budget analyst")
    assert "Community Services" in no_analyst.text and "Public Safety" not in no_analyst.text
    analyst_link = f"{reverse('team:people')}?assign=budget_analyst&portfolio={city['community'].pk}"
    assert no_analyst.find("a", href=analyst_link) is not None

    no_portfolio = section(page, "Departments in no portfolio")
    assert "Libraries" in no_portfolio.text
    assert no_portfolio.find("a", href=unplaced.get_absolute_url()) is not None


def test_filling_a_gap_removes_it(as_persona, city):
    client = as_persona("stat_lead")
    chief = PersonFactory(full_name="Frances Flame", department=city["fire"])
    response = client.post(
        reverse("team:role_assign", args=[chief.pk]), {"role": Role.DEPARTMENT_LEAD, "department": city["fire"].pk}
    )
    assert response.status_code == 302
    page = parse(client.get("/team/gaps/"))
    assert "Fire" not in section(page, "Departments without a lead").text
    assert "Parks & Recreation" in section(page, "Departments without a lead").text


@pytest.mark.parametrize("persona", ["principal", "stat_lead"])
def test_gaps_page_links_departments_in_no_portfolio_to_their_edit_page(as_persona, persona):
    """A Stat lead without the admin (no is_staff) places the department in a portfolio from its edit page."""
    libraries = DepartmentFactory(name="Libraries", slug="libraries", code="LIB")
    unplaced = section(parse(as_persona(persona).get("/team/gaps/")), "Departments in no portfolio")
    link = unplaced.find("a", href=reverse("team:department_edit", args=[libraries.slug]))
    assert link.text == "place it in a portfolio (Libraries)"
    assert unplaced.find("a", href=reverse("admin:team_department_change", args=[libraries.pk])) is None


def test_gaps_page_offers_an_analyst_no_link_to_change_a_department(as_persona):
    libraries = DepartmentFactory(name="Libraries", slug="libraries", code="LIB")
    unplaced = section(parse(as_persona("stat_analyst").get("/team/gaps/")), "Departments in no portfolio")
    assert [a.attrs["href"] for a in unplaced.find_all("a")] == [libraries.get_absolute_url()]
    assert "A principal or Stat lead places departments in portfolios." in unplaced.text


# --- department pages ----------------------------------------------------------------------------------------------


def test_department_page_shows_its_people_portfolio_and_divisions(as_persona, city):
    DepartmentFactory(name="Patrol", slug="patrol", code="PAT", parent=city["police"])
    PersonFactory(full_name="Rita Records", title="Records clerk", department=city["police"])
    page = parse(as_persona("parks_contact").get(city["police"].get_absolute_url()))

    assert page.find("h1").text == "Police"
    who = section(page, "Who is who").text
    assert "Department lead Pat Chief" in who
    assert "Department contact Dana Data" in who
    assert "Budget analyst Bud Get" in who
    assert "Public Safety portfolio, analysed by Bud Get" in section(page, "Budget portfolio").text
    assert "Patrol" in section(page, "Divisions").text
    people = section(page, "People").text
    assert "Rita Records Records clerk" in people
    assert "Pat Chief" in people
    # Adding people is for the Stat team only.
    assert "Add a person" not in people


def test_department_page_offers_the_stat_team_ways_to_staff_it(as_persona, city):
    page = parse(as_persona("stat_analyst").get(city["fire"].get_absolute_url()))
    lead_link = f"{reverse('team:people')}?assign=department_lead&department={city['fire'].pk}"
    assert section(page, "Who is who").find("a", href=lead_link) is not None
    add_link = f"{reverse('team:person_create')}?department={city['fire'].pk}"
    assert section(page, "People").find("a", href=add_link) is not None
