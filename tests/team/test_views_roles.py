"""Assigning and ending roles from the pages: who may grant what, the form's errors, history kept."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from team.models import Role, RoleAssignment
from tests.conftest import PERSONAS
from tests.factories import PersonFactory, RoleAssignmentFactory
from tests.pages import assert_login_redirect, client_for, parse, section, team_state

pytestmark = pytest.mark.django_db

PEOPLE_MANAGERS = ("principal", "stat_lead", "stat_analyst")
OTHERS = [p for p in [*PERSONAS, "no_role"] if p not in PEOPLE_MANAGERS]


@pytest.fixture
def newcomer(city):
    return PersonFactory(full_name="Frances Flame", title="Deputy Chief", department=city["fire"])


def assign_url(person) -> str:
    return reverse("team:role_assign", args=[person.pk])


def end_url(assignment) -> str:
    return reverse("team:role_end", args=[assignment.pk])


def role_options(response) -> set[str]:
    select = parse(response).find("select", id="id_role")
    return {option.attrs["value"] for option in select.find_all("option") if option.attrs["value"]}


# --- who may assign what -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", [*PERSONAS, "no_role"])
def test_role_form_is_for_the_stat_team(persona, as_persona, newcomer):
    path = assign_url(newcomer)
    response = client_for(persona, as_persona).get(path)
    if persona == "anonymous":
        assert_login_redirect(response, path)
    else:
        assert response.status_code == (200 if persona in PEOPLE_MANAGERS else 403)


@pytest.mark.parametrize("persona", OTHERS)
def test_refused_assignment_writes_nothing(persona, as_persona, newcomer, city):
    client = client_for(persona, as_persona)
    before = team_state()
    response = client.post(assign_url(newcomer), {"role": Role.DEPARTMENT_LEAD, "department": city["fire"].pk})
    assert response.status_code in (302, 403)
    assert team_state() == before


def test_unknown_person_is_404(as_persona):
    assert as_persona("stat_lead").get("/team/people/999999/roles/add/").status_code == 404


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_role_form_refuses_other_methods(as_persona, newcomer, method):
    assert getattr(as_persona("stat_lead"), method)(assign_url(newcomer)).status_code == 405


def test_analyst_is_offered_only_the_roles_they_may_grant(as_persona, newcomer):
    offered = role_options(as_persona("stat_analyst").get(assign_url(newcomer)))
    assert Role.DEPARTMENT_LEAD in offered and Role.BUDGET_ANALYST in offered and Role.FINANCE in offered
    assert offered.isdisjoint({Role.PRINCIPAL, Role.STAT_LEAD, Role.STAT_ANALYST})


def test_stat_lead_is_offered_every_role(as_persona, newcomer):
    assert role_options(as_persona("stat_lead").get(assign_url(newcomer))) == set(Role.values)


@pytest.mark.parametrize("role", [Role.STAT_LEAD, Role.STAT_ANALYST, Role.PRINCIPAL])
def test_analyst_posting_a_program_role_is_refused_and_nothing_is_written(as_persona, users, role):
    analyst = users["stat_analyst"].person
    before = team_state()
    response = as_persona("stat_analyst").post(assign_url(analyst), {"role": role})
    assert response.status_code == 403
    assert team_state() == before


# --- assigning -----------------------------------------------------------------------------------------------------


def test_stat_lead_makes_someone_department_lead(as_persona, users, newcomer, city):
    client = as_persona("stat_lead")
    response = client.post(
        assign_url(newcomer), {"role": Role.DEPARTMENT_LEAD, "department": city["fire"].pk, "note": "Acting chief"}
    )
    assert response.status_code == 302
    assert response["Location"] == newcomer.get_absolute_url()

    assignment = RoleAssignment.objects.get(person=newcomer)
    assert (assignment.role, assignment.department, assignment.note) == (
        Role.DEPARTMENT_LEAD,
        city["fire"],
        "Acting chief",
    )
    assert assignment.created_by == users["stat_lead"]
    assert assignment.starts_on == timezone.localdate()

    person_page = parse(client.get(newcomer.get_absolute_url()))
    assert "Frances Flame is now department lead of Fire." in person_page.text
    assert "Department lead Fire" in section(person_page, "Current roles").text

    roster = parse(client.get("/team/"))
    assert "Department lead Frances Flame" in section(roster, "Fire").text


def test_analyst_staffs_a_portfolio_and_a_data_expert(as_persona, newcomer, city):
    client = as_persona("stat_analyst")
    assert (
        client.post(assign_url(newcomer), {"role": Role.BUDGET_ANALYST, "portfolio": city["community"].pk}).status_code
        == 302
    )
    assert client.post(assign_url(newcomer), {"role": Role.DATA_EXPERT, "speciality": "gis"}).status_code == 302
    assert set(newcomer.assignments.values_list("role", "portfolio", "speciality")) == {
        (Role.BUDGET_ANALYST, city["community"].pk, ""),
        (Role.DATA_EXPERT, None, "gis"),
    }


def test_stat_lead_grants_a_program_role(as_persona, newcomer):
    response = as_persona("stat_lead").post(assign_url(newcomer), {"role": Role.STAT_ANALYST})
    assert response.status_code == 302
    assert newcomer.assignments.get().role == Role.STAT_ANALYST


def test_duplicate_assignment_gives_a_clear_message(as_persona, users, city):
    chief = users["police_lead"].person
    before = team_state()
    response = as_persona("stat_lead").post(
        assign_url(chief), {"role": Role.DEPARTMENT_LEAD, "department": city["police"].pk}
    )
    assert response.status_code == 200
    assert team_state() == before
    summary = parse(response).find("div", class_="usa-alert--error")
    assert "Pat Chief is already department lead of Police." in summary.text


def test_a_scoped_role_without_its_scope_is_an_error_on_that_field(as_persona, newcomer):
    before = team_state()
    response = as_persona("stat_lead").post(assign_url(newcomer), {"role": Role.DEPARTMENT_LEAD, "speciality": "gis"})
    assert response.status_code == 200
    assert team_state() == before
    page = parse(response)
    assert page.find(id="id_department_error").text == "A department lead is assigned to a department: choose one."
    assert page.find(id="id_speciality_error").text == "Only data experts have a speciality."
    summary = page.find("div", class_="usa-alert--error")
    assert summary.find("a", href="#id_department") is not None
    assert summary.find("a", href="#id_speciality") is not None
    # The fields with errors stay visible even when the script hides the ones the role does not use.
    assert "usa-form-group--error" in page.find(id="id_department_group").attrs["class"]


def test_missing_role_is_a_field_error(as_persona, newcomer):
    page = parse(as_persona("stat_lead").post(assign_url(newcomer), {}))
    assert page.find(id="id_role_error").text == "This field is required."
    assert page.find("select", id="id_role").attrs["aria-invalid"] == "true"


def test_role_form_is_prefilled_from_a_gap_link(as_persona, newcomer, city):
    page = parse(
        as_persona("stat_lead").get(assign_url(newcomer), {"role": Role.DEPARTMENT_LEAD, "department": city["fire"].pk})
    )
    assert page.find("select", id="id_role").find("option", selected="").attrs["value"] == Role.DEPARTMENT_LEAD
    assert page.find("select", id="id_department").find("option", selected="").text == "Fire"
    # Optional fields say which roles use them, so the page can hide the rest.
    assert page.find(id="id_portfolio_group").attrs["data-show-for"] == Role.BUDGET_ANALYST


# --- ending roles --------------------------------------------------------------------------------------------------


@pytest.fixture
def police_lead_role(users):
    return users["police_lead"].person.assignments.get()


def test_ending_a_role_is_post_only(as_persona, police_lead_role):
    client = as_persona("stat_lead")
    assert client.get(end_url(police_lead_role)).status_code == 405
    assert client.put(end_url(police_lead_role)).status_code == 405
    police_lead_role.refresh_from_db()
    assert police_lead_role.ends_on is None


def test_anonymous_cannot_end_a_role(as_persona, police_lead_role):
    before = team_state()
    response = as_persona("anonymous").post(end_url(police_lead_role))
    assert_login_redirect(response, end_url(police_lead_role))
    assert team_state() == before


@pytest.mark.parametrize("persona", [p for p in OTHERS if p != "anonymous"])
def test_others_cannot_end_a_role(persona, as_persona, police_lead_role):
    client = client_for(persona, as_persona)
    before = team_state()
    assert client.post(end_url(police_lead_role)).status_code == 403
    assert team_state() == before


def test_analyst_cannot_end_the_stat_leads_role(as_persona, users):
    stat_lead_role = users["stat_lead"].person.assignments.get()
    before = team_state()
    assert as_persona("stat_analyst").post(end_url(stat_lead_role)).status_code == 403
    assert team_state() == before
    page = parse(as_persona("stat_analyst").get(users["stat_lead"].person.get_absolute_url()))
    assert "Only a principal or Stat lead can end this role." in section(page, "Current roles").text


def test_unknown_role_is_404(as_persona):
    assert as_persona("stat_lead").post("/team/roles/999999/end/").status_code == 404


def test_stat_lead_ends_a_role_history_is_kept_and_the_roster_forgets_it(as_persona, users, police_lead_role):
    client = as_persona("stat_lead")
    chief = users["police_lead"].person
    response = client.post(end_url(police_lead_role), {"next": chief.get_absolute_url()})
    assert response.status_code == 302
    assert response["Location"] == chief.get_absolute_url()

    police_lead_role.refresh_from_db()
    assert police_lead_role.ends_on == timezone.localdate()
    assert police_lead_role.ended_by == users["stat_lead"]
    assert RoleAssignment.objects.filter(pk=police_lead_role.pk).exists()

    page = parse(client.get(chief.get_absolute_url()))
    assert "Pat Chief is no longer department lead of Police." in page.text
    assert "Department lead Police" in section(page, "Past roles").text
    assert "Pat Chief holds no role at the moment." in section(page, "Current roles").text

    roster = parse(client.get("/team/"))
    assert "Pat Chief" not in section(roster, "Police").text
    assert "Department lead Not assigned" in section(roster, "Police").text
    # Ending your way out of every role also ends access to the team pages.
    assert as_persona("police_lead").get("/team/").status_code == 403


def test_a_role_can_be_ended_on_a_future_date(as_persona, police_lead_role):
    client = as_persona("stat_analyst")
    ends_on = timezone.localdate() + datetime.timedelta(days=30)
    client.post(end_url(police_lead_role), {"ends_on": ends_on.isoformat()})
    police_lead_role.refresh_from_db()
    assert police_lead_role.ends_on == ends_on
    page = parse(client.get(police_lead_role.person.get_absolute_url()))
    assert "role as department lead of Police ends on" in page.text
    assert "Department lead Police" in section(page, "Current roles").text


def test_ending_before_the_start_is_refused_with_a_message(as_persona, police_lead_role):
    police_lead_role.starts_on = timezone.localdate() - datetime.timedelta(days=10)
    police_lead_role.save(update_fields=["starts_on"])
    client = as_persona("stat_lead")
    before = team_state()
    too_early = (police_lead_role.starts_on - datetime.timedelta(days=1)).isoformat()
    response = client.post(end_url(police_lead_role), {"ends_on": too_early}, follow=True)
    assert team_state() == before
    assert "A role cannot end before it starts." in parse(response).find("div", class_="usa-alert--error").text


def test_a_bad_end_date_is_refused_with_a_message(as_persona, police_lead_role):
    before = team_state()
    response = as_persona("stat_lead").post(end_url(police_lead_role), {"ends_on": "next tuesday"}, follow=True)
    assert team_state() == before
    assert "Enter the end date as a full date" in parse(response).text


def test_ending_an_ended_role_is_refused(as_persona, police_lead_role):
    client = as_persona("stat_lead")
    client.post(end_url(police_lead_role))
    before = team_state()
    response = client.post(end_url(police_lead_role), follow=True)
    assert team_state() == before
    assert "This role has already ended." in parse(response).text


def test_next_must_stay_on_this_site(as_persona, police_lead_role):
    response = as_persona("stat_lead").post(end_url(police_lead_role), {"next": "https://evil.example.com/"})
    assert response["Location"] == police_lead_role.person.get_absolute_url()


def test_ending_with_htmx_answers_with_the_updated_roles_section(as_persona, police_lead_role):
    other = RoleAssignmentFactory(person=police_lead_role.person, role=Role.FINANCE)
    response = as_persona("stat_lead").post(end_url(police_lead_role), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    fragment = parse(response)
    assert fragment.find("html") is None  # a fragment, not a whole page
    roles = fragment.find("div", id="roles")
    status = roles.find("div", role="status")
    assert status.text == "Pat Chief is no longer department lead of Police."
    assert "Department lead Police" in section(roles, "Past roles").text
    current = section(roles, "Current roles")
    assert "Department lead" not in current.text
    assert current.find("form", action=end_url(other)) is not None
    # No message is left behind for the next full page.
    assert "no longer department lead" not in parse(as_persona("stat_lead").get("/team/")).text


def test_person_page_offers_end_buttons_that_work_without_javascript(as_persona, police_lead_role):
    page = parse(as_persona("stat_lead").get(police_lead_role.person.get_absolute_url()))
    form = page.find("form", action=end_url(police_lead_role))
    assert form.attrs["method"] == "post"
    assert form.attrs["hx-post"] == end_url(police_lead_role)
    assert form.find("input", name="csrfmiddlewaretoken") is not None
    date = form.find("input", name="ends_on")
    labels = [label for label in form.find_all("label") if label.attrs.get("for") == date.attrs["id"]]
    assert labels and labels[0].text.startswith("End date")
    assert form.find("button").text == "End role (Department lead of Police)"
