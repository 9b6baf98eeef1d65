"""The program's structure: the department and portfolio lists, and adding and changing departments and portfolios
from the site (not the admin)."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from team.models import Department, Portfolio, Role
from tests.conftest import PERSONAS
from tests.factories import DepartmentFactory, PersonFactory, PortfolioFactory, RoleAssignmentFactory, UserFactory
from tests.pages import assert_login_redirect, client_for, parse, section, team_state

pytestmark = pytest.mark.django_db

SIGNED_IN = [p for p in PERSONAS if p != "anonymous"]
MANAGERS = ("principal", "stat_lead")
EVERYONE = [*PERSONAS, "no_role"]
REFUSED = [p for p in EVERYONE if p not in MANAGERS]

LISTS = ["/team/departments/", "/team/portfolios/"]
FORMS = [
    "/team/departments/add/",
    "/team/departments/police/edit/",
    "/team/portfolios/add/",
    "/team/portfolios/public-safety/edit/",
]


def check(response, persona: str, allowed, path: str) -> None:
    if persona == "anonymous":
        assert_login_redirect(response, path)
    else:
        assert response.status_code == (200 if persona in allowed else 403), (persona, path)


def department_data(**overrides) -> dict:
    data = {"name": "Libraries", "code": "lib", "parent": "", "portfolio": "", "description": "", "active": "on"}
    data.update(overrides)
    return {name: value for name, value in data.items() if value is not None}


def valid_post(path: str, city) -> dict:
    """A POST each form would accept from a manager: what a refused persona tries to sneak through."""
    return {
        "/team/departments/add/": department_data(),
        "/team/departments/police/edit/": department_data(name="Police Renamed", code="PX"),
        "/team/portfolios/add/": {"name": "Grabbed", "departments": [city["police"].pk]},
        "/team/portfolios/public-safety/edit/": {"name": "Renamed", "departments": [city["parks"].pk]},
    }[path]


# --- who may do what -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", LISTS)
@pytest.mark.parametrize("persona", EVERYONE)
def test_lists_are_for_everyone_with_a_role(persona, as_persona, path):
    check(client_for(persona, as_persona).get(path), persona, SIGNED_IN, path)


@pytest.mark.parametrize("path", FORMS)
@pytest.mark.parametrize("persona", EVERYONE)
def test_forms_are_for_the_principal_and_stat_lead(persona, as_persona, path):
    check(client_for(persona, as_persona).get(path), persona, MANAGERS, path)


@pytest.mark.parametrize("path", FORMS)
@pytest.mark.parametrize("persona", REFUSED)
def test_a_refused_post_writes_nothing(persona, as_persona, city, path):
    client = client_for(persona, as_persona)
    before = team_state()
    response = client.post(path, valid_post(path, city))
    check(response, persona, MANAGERS, path)
    assert team_state() == before


@pytest.mark.parametrize("path", FORMS)
def test_a_superuser_without_a_role_may_manage_structure(path, city):
    from django.test import Client

    client = Client()
    client.force_login(UserFactory(username="root@example.gov", is_superuser=True))
    assert client.get(path).status_code == 200


@pytest.mark.parametrize("path", [*LISTS, *FORMS])
@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_wrong_methods_are_refused_and_change_nothing(as_persona, city, path, method):
    before = team_state()
    assert getattr(as_persona("stat_lead"), method)(path).status_code == 405
    assert team_state() == before


@pytest.mark.parametrize("path", LISTS)
def test_lists_refuse_post(as_persona, city, path):
    before = team_state()
    assert as_persona("stat_lead").post(path, {"name": "x"}).status_code == 405
    assert team_state() == before


@pytest.mark.parametrize("path", ["/team/departments/no-such/edit/", "/team/portfolios/no-such/edit/"])
def test_editing_something_unknown_is_404(as_persona, path):
    assert as_persona("stat_lead").get(path).status_code == 404


# --- the department list -------------------------------------------------------------------------------------------


def row(page, name: str):
    for th in page.find("tbody").find_all("th"):
        if th.text.startswith(name):
            return th.parent
    raise AssertionError(f"no row for {name}")


def cells(tr) -> list[str]:
    return [node.text for node in tr.children if not isinstance(node, str)]


def test_department_list_shows_every_department_with_code_parent_portfolio_and_counts(as_persona, users, city):
    patrol = DepartmentFactory(name="Patrol", slug="patrol", code="PAT", parent=city["police"])
    DepartmentFactory(name="Closed Office", slug="closed", code="CLO", active=False)
    # A second Police contact who has left: the seat counts as empty, as on the gaps page.
    RoleAssignmentFactory(role=Role.DEPARTMENT_CONTACT, department=city["police"], person__active=False)
    page = parse(as_persona("police_contact").get("/team/departments/"))

    assert page.find("h1").text == "Departments"
    assert cells(row(page, "Police")) == ["Police", "PD", "—", "Public Safety", "1", "1"]
    assert cells(row(page, "Fire")) == ["Fire", "FD", "—", "Public Safety", "0", "0"]
    assert cells(row(page, "Patrol")) == ["Patrol", "PAT", "Police", "—", "0", "0"]
    assert cells(row(page, "Closed Office"))[0] == "Closed Office inactive"
    assert row(page, "Patrol").find("a", href=patrol.get_absolute_url()) is not None
    # A department contact reads; only a principal or Stat lead changes.
    assert page.find("a", href=reverse("team:department_create")) is None
    assert "Edit" not in page.find("tbody").text


@pytest.mark.parametrize("persona", MANAGERS)
def test_department_list_offers_managers_add_and_edit(as_persona, city, persona):
    page = parse(as_persona(persona).get("/team/departments/"))
    assert page.find("a", href=reverse("team:department_create")).text == "Add a department"
    edit = row(page, "Fire").find("a", href=reverse("team:department_edit", args=["fire"]))
    assert edit.text == "Edit Fire"  # "Edit" plus its screen-reader-only name


def test_stat_analyst_sees_the_lists_but_no_way_to_change_them(as_persona, city):
    client = as_persona("stat_analyst")
    departments = parse(client.get("/team/departments/"))
    assert departments.find("a", href=reverse("team:department_create")) is None
    portfolios = parse(client.get("/team/portfolios/"))
    assert portfolios.find("a", href=reverse("team:portfolio_create")) is None
    assert "A principal or Stat lead adds and changes portfolios." in portfolios.text


def grow(n: int) -> None:
    for _ in range(n):
        portfolio = PortfolioFactory()
        department = DepartmentFactory(portfolio=portfolio)
        DepartmentFactory(parent=department, active=False)
        for role in (Role.DEPARTMENT_LEAD, Role.DEPARTMENT_CONTACT):
            RoleAssignmentFactory(role=role, department=department)
        RoleAssignmentFactory(role=Role.BUDGET_ANALYST, portfolio=portfolio)


@pytest.mark.parametrize("path", [*LISTS, "/team/portfolios/public-safety/edit/"])
def test_pages_cost_the_same_queries_however_big_the_city(as_persona, django_assert_max_num_queries, path):
    client = as_persona("stat_lead")
    with CaptureQueriesContext(connection) as small:
        assert client.get(path).status_code == 200
    grow(10)
    with django_assert_max_num_queries(len(small)):
        assert client.get(path).status_code == 200


# --- adding and changing departments -------------------------------------------------------------------------------


def test_stat_lead_adds_a_department(as_persona, city):
    client = as_persona("stat_lead")
    response = client.post(
        "/team/departments/add/",
        department_data(name=" Libraries ", code="lib", portfolio=city["community"].pk, description="Books."),
    )
    libraries = Department.objects.get(name="Libraries")
    assert response.status_code == 302
    assert response["Location"] == libraries.get_absolute_url()
    assert (libraries.slug, libraries.code, libraries.portfolio, libraries.description, libraries.active) == (
        "libraries",
        "LIB",
        city["community"],
        "Books.",
        True,
    )
    assert libraries.history.count() == 1

    page = parse(client.get(libraries.get_absolute_url()))
    assert page.find("div", class_="usa-alert--success").text == "Added Libraries."
    assert "Libraries" in parse(client.get("/team/departments/")).find("tbody").text


def test_a_department_named_add_does_not_hide_behind_the_add_page(as_persona):
    client = as_persona("principal")
    client.post("/team/departments/add/", department_data(name="Add", code="ADD"))
    department = Department.objects.get(code="ADD")
    assert department.slug != "add"
    assert client.get(department.get_absolute_url()).status_code == 200


def test_stat_lead_makes_a_department_a_division(as_persona, city):
    client = as_persona("stat_lead")
    form = parse(client.get("/team/departments/fire/edit/"))
    assert form.find("input", id="id_name").attrs["value"] == "Fire"
    assert form.find("select", id="id_portfolio").find("option", selected="").text == "Public Safety"
    # A department cannot be its own parent, so it is not even offered.
    assert "Fire" not in [option.text for option in form.find("select", id="id_parent").find_all("option")]

    response = client.post(
        "/team/departments/fire/edit/",
        department_data(name="Fire", code="FD", parent=city["police"].pk, portfolio=city["public_safety"].pk),
    )
    assert response.status_code == 302
    assert response["Location"] == "/team/departments/fire/"
    fire = Department.objects.get(slug="fire")
    assert fire.parent == city["police"]
    page = parse(client.get("/team/departments/fire/"))
    assert "A division of Police" in page.find("p", class_="usa-intro").text
    assert page.find("div", class_="usa-alert--success").text == "Saved Fire."


def test_add_a_division_from_its_department_page(as_persona, city):
    client = as_persona("principal")
    page = parse(client.get(city["police"].get_absolute_url()))
    link = f"{reverse('team:department_create')}?parent={city['police'].pk}"
    assert page.find("a", href=link).text == "Add a division"
    assert page.find("a", href="/team/departments/police/edit/").text == "Edit department"

    form = parse(client.get(link))
    assert form.find("select", id="id_parent").find("option", selected="").text == "Police"


@pytest.mark.parametrize("persona", ["stat_analyst", "police_lead"])
def test_department_page_offers_others_no_way_to_change_it(as_persona, city, persona):
    page = parse(as_persona(persona).get(city["police"].get_absolute_url()))
    assert page.find("a", href="/team/departments/police/edit/") is None
    assert "Add a division" not in page.text


def test_moving_a_department_to_another_portfolio_from_its_form(as_persona, city):
    response = as_persona("stat_lead").post(
        "/team/departments/parks/edit/",
        department_data(name="Parks & Recreation", code="PRD", portfolio=city["public_safety"].pk),
    )
    assert response.status_code == 302
    assert Department.objects.get(slug="parks").portfolio == city["public_safety"]
    assert not city["community"].departments.exists()


def test_closing_a_department_keeps_it_on_the_list(as_persona, city):
    client = as_persona("stat_lead")
    client.post("/team/departments/fire/edit/", department_data(name="Fire", code="FD", active=None))
    assert Department.objects.get(slug="fire").active is False
    assert cells(row(parse(client.get("/team/departments/")), "Fire"))[0] == "Fire inactive"


def test_a_departments_contact_mailbox_is_set_on_its_form_and_shown(as_persona, city):
    """The mailbox data.json gives for the department's datasets, instead of a steward's own address (issue 11,
    finding 10)."""
    client = as_persona("stat_lead")
    response = client.post(
        "/team/departments/police/edit/",
        department_data(name="Police", code="PD", contact_email=" Police-Data@Example.gov "),
    )
    assert response.status_code == 302
    assert Department.objects.get(slug="police").contact_email == "police-data@example.gov"
    form = parse(client.get("/team/departments/police/edit/"))
    assert form.find("input", id="id_contact_email").attrs["value"] == "police-data@example.gov"
    page = parse(client.get("/team/departments/police/"))
    assert page.find("a", href="mailto:police-data@example.gov") is not None
    body = client.get(reverse("team:department-detail", kwargs={"slug": "police"})).json()
    assert body["contact_email"] == "police-data@example.gov"


def test_a_contact_mailbox_that_is_not_an_address_is_refused(as_persona, city):
    before = team_state()
    response = as_persona("stat_lead").post(
        "/team/departments/police/edit/", department_data(name="Police", code="PD", contact_email="police data")
    )
    assert response.status_code == 200
    assert team_state() == before
    assert parse(response).find(id="id_contact_email_error").text == "Enter a valid email address."


def assert_field_error(page, field: str, label: str, message: str) -> None:
    assert page.find(id=f"id_{field}_error").text == message
    summary = page.find("div", class_="usa-alert--error")
    assert summary.attrs["role"] == "alert"
    assert summary.find("a", href=f"#id_{field}").text == f"{label}: {message}"
    widget = page.find(id=f"id_{field}")
    assert widget.attrs["aria-invalid"] == "true"
    assert f"id_{field}_error" in widget.attrs["aria-describedby"].split()


@pytest.mark.parametrize(
    ("data", "field", "label", "message"),
    [
        ({"code": "pd"}, "code", "Short code", "Another department already uses the short code PD."),
        ({"name": "police", "code": "POL"}, "name", "Name", "Another department is already called police."),
        ({"name": ""}, "name", "Name", "This field is required."),
        ({"code": " "}, "code", "Short code", "This field is required."),
    ],
    ids=["duplicate-code", "duplicate-name", "blank-name", "blank-code"],
)
def test_add_department_errors_are_shown_on_the_field_and_nothing_is_written(as_persona, data, field, label, message):
    before = team_state()
    response = as_persona("stat_lead").post("/team/departments/add/", department_data(**data))
    assert response.status_code == 200
    assert team_state() == before
    page = parse(response)
    assert_field_error(page, field, label, message)
    assert page.find("title").text.startswith("Error: Add a department")


def test_a_parent_cycle_is_refused_on_the_parent_field_and_nothing_is_written(as_persona, city):
    patrol = DepartmentFactory(name="Patrol", slug="patrol", code="PAT", parent=city["police"])
    before = team_state()
    response = as_persona("principal").post(
        "/team/departments/police/edit/",
        department_data(name="Police Renamed", code="PD", parent=patrol.pk, portfolio=city["public_safety"].pk),
    )
    assert response.status_code == 200
    assert team_state() == before
    page = parse(response)
    assert_field_error(
        page, "parent", "Division of", "A department cannot be a division of itself or of its own divisions."
    )
    # The page still names the department as it is, not as the refused change would have had it.
    assert page.find("h1").text == "Edit Police"
    # What was typed is kept, to correct it.
    assert page.find("input", id="id_name").attrs["value"] == "Police Renamed"


def test_renaming_to_another_departments_code_is_refused(as_persona, city):
    before = team_state()
    response = as_persona("stat_lead").post("/team/departments/fire/edit/", department_data(name="Fire", code="pd"))
    assert response.status_code == 200
    assert team_state() == before
    assert parse(response).find(id="id_code_error").text == "Another department already uses the short code PD."


# --- portfolios ----------------------------------------------------------------------------------------------------


def test_portfolio_list_shows_departments_and_budget_analysts(as_persona, city):
    DepartmentFactory(
        name="Closed Station", slug="closed-station", code="CS", portfolio=city["public_safety"], active=False
    )
    page = parse(as_persona("parks_contact").get("/team/portfolios/"))
    assert page.find("h1").text == "Budget portfolios"
    safety = cells(row(page, "Public Safety"))
    assert safety == ["Public Safety", "Closed Station inactive, Fire, Police", "Bud Get"]
    assert cells(row(page, "Community Services")) == ["Community Services", "Parks & Recreation", "Not assigned"]
    assert page.find("a", href=reverse("team:portfolio_edit", args=["public-safety"])) is None


def test_portfolio_list_offers_managers_add_and_edit(as_persona, city):
    page = parse(as_persona("stat_lead").get("/team/portfolios/"))
    assert page.find("a", href=reverse("team:portfolio_create")).text == "Add a portfolio"
    assert page.find("a", href="/team/portfolios/public-safety/edit/").text == "Edit Public Safety"


def test_portfolio_form_lists_every_department_as_a_checkbox_and_says_where_it_is(as_persona, city):
    page = parse(as_persona("stat_lead").get("/team/portfolios/public-safety/edit/"))
    fieldset = page.find("fieldset")
    assert fieldset.find("legend").text == "Departments in this portfolio"
    assert "takes it out of the other" in page.find(id="id_departments_hint").text
    assert fieldset.attrs["aria-describedby"] == "id_departments_hint"
    labels = {label.attrs.get("for"): label.text for label in fieldset.find_all("label")}
    boxes = {labels[box.attrs["id"]]: "checked" in box.attrs for box in fieldset.find_all("input", type="checkbox")}
    assert boxes == {
        "Fire (FD)": True,
        "Parks & Recreation (PRD): now in Community Services": False,
        "Police (PD)": True,
    }


def test_stat_lead_moves_a_department_between_portfolios(as_persona, city):
    client = as_persona("stat_lead")
    response = client.post(
        "/team/portfolios/public-safety/edit/",
        {
            "name": "Public Safety",
            "description": "",
            "departments": [city["police"].pk, city["fire"].pk, city["parks"].pk],
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("team:portfolios")
    assert set(city["public_safety"].departments.values_list("slug", flat=True)) == {"police", "fire", "parks"}
    assert not city["community"].departments.exists()
    # The move is in the department's history, as an admin edit would be.
    parks = Department.objects.get(slug="parks")
    assert parks.history.first().portfolio_id == city["public_safety"].pk

    alert = parse(client.get(reverse("team:portfolios"))).find("div", class_="usa-alert--success")
    assert alert.text == "Saved Public Safety. Parks & Recreation moved here from Community Services."


def test_stat_lead_renames_a_portfolio_and_changes_its_departments_together(as_persona, city):
    client = as_persona("principal")
    response = client.post(
        "/team/portfolios/public-safety/edit/",
        {"name": "Public Safety & Justice", "description": "Police and courts.", "departments": [city["police"].pk]},
    )
    assert response.status_code == 302
    portfolio = Portfolio.objects.get(slug="public-safety")  # the slug, and so its links, stay
    assert (portfolio.name, portfolio.description) == ("Public Safety & Justice", "Police and courts.")
    assert list(portfolio.departments.values_list("slug", flat=True)) == ["police"]
    assert Department.objects.get(slug="fire").portfolio is None
    alert = parse(client.get(reverse("team:portfolios"))).find("div", class_="usa-alert--success")
    assert alert.text == "Saved Public Safety & Justice. Fire is now in no portfolio."


def test_stat_lead_adds_a_portfolio_with_departments(as_persona, city):
    response = as_persona("stat_lead").post(
        "/team/portfolios/add/", {"name": "Culture", "description": "", "departments": [city["parks"].pk]}
    )
    assert response.status_code == 302
    culture = Portfolio.objects.get(name="Culture")
    assert culture.slug == "culture"
    assert list(culture.departments.all()) == [city["parks"]]


def test_clearing_every_box_empties_the_portfolio(as_persona, city):
    as_persona("stat_lead").post("/team/portfolios/public-safety/edit/", {"name": "Public Safety"})
    assert not city["public_safety"].departments.exists()
    assert Department.objects.get(slug="police").portfolio is None


@pytest.mark.parametrize(
    ("path", "name", "message"),
    [
        ("/team/portfolios/add/", "", "This field is required."),
        ("/team/portfolios/add/", "community services", "Another portfolio is already called community services."),
        ("/team/portfolios/public-safety/edit/", "", "This field is required."),
        (
            "/team/portfolios/public-safety/edit/",
            "Community Services",
            "Another portfolio is already called Community Services.",
        ),
    ],
    ids=["add-blank", "add-duplicate", "edit-blank", "edit-duplicate"],
)
def test_portfolio_errors_are_shown_on_the_field_and_nothing_is_written(as_persona, city, path, name, message):
    before = team_state()
    response = as_persona("stat_lead").post(path, {"name": name, "departments": [city["parks"].pk]})
    assert response.status_code == 200
    assert team_state() == before
    page = parse(response)
    assert_field_error(page, "name", "Name", message)
    assert page.find("title").text.startswith("Error: ")
    # The boxes keep what was ticked, to submit again once the name is right.
    ticked = [box.attrs["value"] for box in page.find_all("input", type="checkbox") if "checked" in box.attrs]
    assert ticked == [str(city["parks"].pk)]


def test_renaming_and_moving_is_all_or_nothing(as_persona, city, monkeypatch):
    """If placing the departments fails after the rename, the rename is undone too."""

    def refuse(**kwargs):
        raise ValidationError({"departments": "Those departments could not be moved just now."})

    monkeypatch.setattr("team.services.portfolio_set_departments", refuse)
    before = team_state()
    response = as_persona("stat_lead").post(
        "/team/portfolios/public-safety/edit/", {"name": "Renamed", "departments": [city["parks"].pk]}
    )
    assert response.status_code == 200
    assert team_state() == before
    page = parse(response)
    assert page.find("h1").text == "Edit the Public Safety portfolio"
    assert page.find(id="id_departments_error").text == "Those departments could not be moved just now."
    # The summary links to the first checkbox: a list of boxes has no single input to point at.
    summary_link = page.find("div", class_="usa-alert--error").find("a")
    assert summary_link.attrs["href"] == "#id_departments_0"
    assert page.find("fieldset").attrs["aria-describedby"] == "id_departments_hint id_departments_error"


def test_a_forged_department_is_refused(as_persona, city):
    before = team_state()
    response = as_persona("stat_lead").post("/team/portfolios/add/", {"name": "Forged", "departments": [999999]})
    assert response.status_code == 200
    assert team_state() == before
    assert "Select a valid choice" in parse(response).find(id="id_departments_error").text


def test_new_structure_shows_on_the_roster(as_persona, city):
    client = as_persona("stat_lead")
    client.post("/team/departments/add/", department_data(name="Arson Unit", code="AU", parent=city["fire"].pk))
    RoleAssignmentFactory(
        role=Role.DATA_EXPERT, department=Department.objects.get(code="AU"), person=PersonFactory(full_name="Ash Ember")
    )
    roster = parse(client.get("/team/"))
    assert section(roster, "Arson Unit").closest("section") is section(roster, "Fire")
