"""People: the list, adding someone (with a login and an invitation), their page, editing them."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse

from core import outbox
from team.models import Person, Role
from team.tasks import person_invite_task
from tests.conftest import PERSONAS
from tests.factories import PersonFactory, RoleAssignmentFactory, UserFactory
from tests.pages import assert_login_redirect, client_for, parse, section, team_state
from tests.redis_server import broker_down  # noqa: F401 - a fixture

pytestmark = pytest.mark.django_db

User = get_user_model()
SIGNED_IN = [p for p in PERSONAS if p != "anonymous"]
PEOPLE_MANAGERS = ("principal", "stat_lead", "stat_analyst")
LINK = re.compile(r"https?://\S+")


def check(response, persona: str, allowed, path: str) -> None:
    if persona == "anonymous":
        assert_login_redirect(response, path)
    else:
        assert response.status_code == (200 if persona in allowed else 403)


# --- who may do what -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", [*PERSONAS, "no_role"])
def test_people_list_is_for_the_stat_team(persona, as_persona):
    check(client_for(persona, as_persona).get("/team/people/"), persona, PEOPLE_MANAGERS, "/team/people/")


@pytest.mark.parametrize("persona", [*PERSONAS, "no_role"])
def test_add_person_form_is_for_the_stat_team(persona, as_persona):
    path = "/team/people/add/"
    check(client_for(persona, as_persona).get(path), persona, PEOPLE_MANAGERS, path)


@pytest.mark.parametrize("persona", [p for p in [*PERSONAS, "no_role"] if p not in PEOPLE_MANAGERS])
def test_refused_add_person_writes_nothing(persona, as_persona):
    client = client_for(persona, as_persona)
    before = team_state()
    response = client.post(
        "/team/people/add/", {"full_name": "Ivy Intruder", "email": "ivy@example.gov", "give_login": "on"}
    )
    assert response.status_code in (302, 403)
    assert team_state() == before
    assert mail.outbox == []


@pytest.mark.parametrize("persona", [*PERSONAS, "no_role"])
def test_person_page_is_for_everyone_with_a_role(persona, as_persona, users):
    path = reverse("team:person", args=[users["police_lead"].person.pk])
    check(client_for(persona, as_persona).get(path), persona, SIGNED_IN, path)


def test_unknown_person_is_404(as_persona):
    assert as_persona("stat_lead").get("/team/people/999999/").status_code == 404
    assert as_persona("stat_lead").get("/team/people/999999/edit/").status_code == 404


@pytest.mark.parametrize("persona", [*PERSONAS, "no_role"])
def test_edit_person_is_for_the_stat_team(persona, as_persona, users):
    path = reverse("team:person_edit", args=[users["police_contact"].person.pk])
    check(client_for(persona, as_persona).get(path), persona, PEOPLE_MANAGERS, path)


@pytest.mark.parametrize("persona", [p for p in [*PERSONAS, "no_role"] if p not in PEOPLE_MANAGERS])
def test_refused_edit_writes_nothing(persona, as_persona, users):
    person = users["police_contact"].person
    client = client_for(persona, as_persona)
    before = team_state()
    response = client.post(
        reverse("team:person_edit", args=[person.pk]), {"full_name": "Renamed", "email": "mine@example.gov"}
    )
    assert response.status_code in (302, 403)
    assert team_state() == before


def test_analyst_may_not_edit_the_stat_lead_whose_email_resets_their_password(as_persona, users):
    stat_lead = users["stat_lead"].person
    client = as_persona("stat_analyst")
    assert client.get(reverse("team:person_edit", args=[stat_lead.pk])).status_code == 403
    before = team_state()
    response = client.post(
        reverse("team:person_edit", args=[stat_lead.pk]), {"full_name": stat_lead.full_name, "email": "ana@evil.test"}
    )
    assert response.status_code == 403
    assert team_state() == before
    # And the Stat lead's page offers the analyst no edit button.
    page = parse(client.get(stat_lead.get_absolute_url()))
    assert page.find("a", href=reverse("team:person_edit", args=[stat_lead.pk])) is None


def test_only_a_superuser_edits_someone_whose_login_opens_the_admin(as_persona):
    admin = UserFactory(username="root@example.gov", is_staff=True, is_superuser=True)
    person = PersonFactory(user=admin, email="root@example.gov")
    assert as_persona("stat_lead").get(reverse("team:person_edit", args=[person.pk])).status_code == 403


@pytest.mark.parametrize(
    "path",
    ["/team/people/", "/team/people/add/", "/team/people/{pk}/", "/team/people/{pk}/edit/"],
)
@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_wrong_methods_are_refused(as_persona, users, path, method):
    path = path.format(pk=users["police_contact"].person.pk)
    before = team_state()
    assert getattr(as_persona("stat_lead"), method)(path).status_code == 405
    assert team_state() == before


def test_list_and_person_pages_refuse_post(as_persona, users):
    client = as_persona("stat_lead")
    assert client.post("/team/people/", {"q": "x"}).status_code == 405
    assert client.post(users["police_contact"].person.get_absolute_url()).status_code == 405


# --- the list ------------------------------------------------------------------------------------------------------


def test_people_list_searches_name_title_and_email(as_persona):
    PersonFactory(full_name="Quinn Quarry", title="Quarry inspector", email="qq@example.gov")
    PersonFactory(full_name="Rory Road", title="Road engineer", email="rory@roads.example.gov")
    client = as_persona("stat_analyst")

    by_name = parse(client.get("/team/people/", {"q": "quinn"})).find("tbody").text
    assert "Quinn Quarry" in by_name and "Rory Road" not in by_name
    by_title = parse(client.get("/team/people/", {"q": "engineer"})).find("tbody").text
    assert "Rory Road" in by_title and "Quinn Quarry" not in by_title
    by_email = parse(client.get("/team/people/", {"q": "roads.example"})).find("tbody").text
    assert "Rory Road" in by_email

    nobody = parse(client.get("/team/people/", {"q": "zzz-nobody"}))
    assert "No one matches “zzz-nobody”" in nobody.text
    assert nobody.find("table") is None


def test_people_list_pages_through_everyone_and_keeps_the_search(as_persona):
    for n in range(30):
        PersonFactory(full_name=f"Zed Pager {n:02d}")
    client = as_persona("stat_lead")
    first = parse(client.get("/team/people/", {"q": "Zed Pager"}))
    assert "Showing 1–25 of 30 people" in first.text
    assert "Zed Pager 00" in first.text and "Zed Pager 29" not in first.text
    pagination = first.find("nav", aria_label="Pagination")
    assert pagination.find("a", aria_label="Page 1", aria_current="page") is not None
    assert pagination.find("a", aria_label="Next page").attrs["href"] == "?q=Zed+Pager&page=2"

    second = parse(client.get("/team/people/", {"q": "Zed Pager", "page": 2}))
    assert "Showing 26–30 of 30 people" in second.text
    assert "Zed Pager 29" in second.text and "Zed Pager 00" not in second.text
    # A page past the end shows the last page rather than an error.
    assert client.get("/team/people/", {"q": "Zed Pager", "page": 99}).status_code == 200


def test_people_list_costs_the_same_queries_however_many_people(as_persona, django_assert_max_num_queries, city):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = as_persona("stat_lead")
    with CaptureQueriesContext(connection) as small:
        client.get("/team/people/")
    for _ in range(20):
        RoleAssignmentFactory(role=Role.DEPARTMENT_CONTACT, department=city["fire"], person__department=city["fire"])
    with django_assert_max_num_queries(len(small)):
        client.get("/team/people/")


def test_choosing_someone_for_a_gap_links_each_person_to_a_prefilled_role_form(as_persona, users, city):
    query = {"assign": Role.DEPARTMENT_LEAD, "department": city["fire"].pk}
    page = parse(as_persona("stat_lead").get("/team/people/", query))
    assert "Choose the department lead of Fire" in page.text
    person = users["police_contact"].person
    link = f"{reverse('team:role_assign', args=[person.pk])}?role=department_lead&department={city['fire'].pk}"
    assert page.find("a", href=link) is not None


def test_choosing_a_program_role_is_not_offered_to_an_analyst(as_persona):
    page = parse(as_persona("stat_analyst").get("/team/people/", {"assign": Role.STAT_LEAD}))
    assert "Choose the" not in page.text
    assert "Assign" not in page.find("tbody").text


# --- adding people -------------------------------------------------------------------------------------------------


def test_stat_lead_adds_a_person_with_a_login_who_gets_a_working_set_password_link(
    as_persona, city, django_capture_on_commit_callbacks, settings
):
    settings.SITE_URL = "http://127.0.0.1:8123/"  # where the site is, not the address this request came in on
    client = as_persona("stat_lead")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/team/people/add/",
            {
                "full_name": "Frances Flame",
                "title": "Deputy Chief",
                "email": "Frances.Flame@Example.gov",
                "phone": "555-0199",
                "department": city["fire"].pk,
                "give_login": "on",
            },
        )
    person = Person.objects.get(full_name="Frances Flame")
    assert response.status_code == 302
    assert response["Location"] == person.get_absolute_url()
    assert person.email == "frances.flame@example.gov"
    assert person.department == city["fire"]
    assert person.user.username == "frances.flame@example.gov"
    assert not person.user.has_usable_password()

    page = client.get(person.get_absolute_url())
    assert "Added Frances Flame. We’ve emailed frances.flame@example.gov a link to set a password." in (
        parse(page).text
    )

    assert len(mail.outbox) == 1
    invite = mail.outbox[0]
    assert invite.to == ["frances.flame@example.gov"]
    assert "RivertonStat" in invite.subject
    link = LINK.findall(invite.body)[0]
    assert link.startswith("http://127.0.0.1:8123/accounts/password/reset/")
    assert "http://127.0.0.1:8123/accounts/password/reset/\n" in invite.body  # "ask for a new one at"
    assert "testserver" not in invite.body

    # The link works: the person chooses a password and signs in with it.
    visitor = type(client)()
    form_page = visitor.get(link, follow=True)
    assert "Choose a new password" in parse(form_page).text
    new_password = "a-long-fresh-passphrase-2026"
    done = visitor.post(
        form_page.redirect_chain[-1][0], {"new_password1": new_password, "new_password2": new_password}, follow=True
    )
    assert "Your password has been set" in parse(done).text
    signed_in = visitor.post(reverse("login"), {"username": "frances.flame@example.gov", "password": new_password})
    assert signed_in.status_code == 302
    assert signed_in["Location"] == reverse("site:dashboard")


def test_with_the_task_queue_down_the_person_is_added_and_the_invitation_waits_for_it(
    as_persona,
    city,
    broker_down,  # noqa: F811 - the imported fixture
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        response = as_persona("stat_lead").post(
            "/team/people/add/",
            {"full_name": "Frances Flame", "email": "frances.flame@example.gov", "give_login": "on"},
            follow=True,
        )
    assert response.status_code == 200
    person = Person.objects.get(full_name="Frances Flame")
    assert person.user is not None
    assert (
        "Added Frances Flame. The email to frances.flame@example.gov with a link to set a password is queued: the "
        "task queue is not answering, so it goes out when the queue is back."
    ) in parse(response).text
    assert outbox.is_waiting(person_invite_task, person.pk)
    assert mail.outbox == []


def test_adding_a_person_without_a_login_sends_nothing(as_persona, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = as_persona("stat_analyst").post("/team/people/add/", {"full_name": "Nell Nologin"})
    assert response.status_code == 302
    assert Person.objects.get(full_name="Nell Nologin").user is None
    assert mail.outbox == []


def test_add_form_shows_errors_next_to_fields_and_in_a_summary(as_persona):
    before = team_state()
    response = as_persona("stat_lead").post("/team/people/add/", {"full_name": "", "email": "not-an-email"})
    assert response.status_code == 200
    assert team_state() == before
    page = parse(response)

    summary = page.find("div", class_="usa-alert--error")
    assert summary.attrs["role"] == "alert"
    assert "There are 2 problems" in summary.text
    assert summary.find("a", href="#id_full_name").text == "Full name: This field is required."
    assert summary.find("a", href="#id_email").text == "Email address: Enter a valid email address."

    name_input = page.find("input", id="id_full_name")
    assert "usa-input--error" in name_input.attrs["class"].split()
    assert name_input.attrs["aria-invalid"] == "true"
    assert "id_full_name_error" in name_input.attrs["aria-describedby"].split()
    assert page.find(id="id_full_name_error").text == "This field is required."
    label = [node for node in page.find_all("label") if node.attrs.get("for") == "id_full_name"]
    assert label and label[0].text.startswith("Full name")
    # The email field's hint and error are both tied to it.
    email_input = page.find("input", id="id_email")
    assert email_input.attrs["aria-describedby"].split() == ["id_email_hint", "id_email_error"]
    assert page.find("title").text.startswith("Error: Add a person")


def test_a_login_needs_an_email(as_persona):
    before = team_state()
    response = as_persona("stat_lead").post("/team/people/add/", {"full_name": "Nora Noemail", "give_login": "on"})
    assert response.status_code == 200
    assert team_state() == before
    page = parse(response)
    assert page.find(id="id_email_error").text == "Enter an email address to give this person a login."


def test_duplicate_email_is_refused_next_to_the_email_field(as_persona, users):
    before = team_state()
    response = as_persona("stat_lead").post(
        "/team/people/add/", {"full_name": "Copy Cat", "email": users["police_lead"].email.upper()}
    )
    assert response.status_code == 200
    assert team_state() == before
    page = parse(response)
    assert page.find(id="id_email_error").text == "Someone in the program already has this email address."
    assert "Email address: Someone in the program already has this email address." in page.text


def test_a_failed_login_leaves_no_half_added_person(as_persona, django_capture_on_commit_callbacks):
    UserFactory(username="taken@example.gov")  # a login without a person already uses this name
    before = team_state()
    with django_capture_on_commit_callbacks(execute=True):
        response = as_persona("stat_lead").post(
            "/team/people/add/", {"full_name": "Tess Taken", "email": "taken@example.gov", "give_login": "on"}
        )
    assert response.status_code == 200
    assert "A login named taken@example.gov already exists." in parse(response).find(id="id_email_error").text
    assert team_state() == before
    assert mail.outbox == []


def test_add_form_prefills_the_department_from_the_link(as_persona, city):
    page = parse(as_persona("stat_lead").get("/team/people/add/", {"department": city["fire"].pk}))
    selected = page.find("select", id="id_department").find("option", selected="")
    assert selected.text == "Fire"


# --- the invitation task -------------------------------------------------------------------------------------------


def test_invite_task_sends_nothing_once_the_password_is_set(users):
    person = users["police_contact"].person  # has a password already
    assert person_invite_task(person.pk) is False
    assert person_invite_task(999999) is False
    assert mail.outbox == []


def test_invite_task_can_run_twice_before_the_password_is_set(db, settings):
    settings.SITE_URL = "https://stat.example.gov/"
    user = UserFactory(username="new@example.gov")
    user.set_unusable_password()
    user.save()
    person = PersonFactory(user=user, email="new@example.gov")
    assert person_invite_task(person.pk) is True
    # An invitation queued before links followed SITE_URL carries the inviting request's address: it is not used.
    assert person_invite_task(person.pk, "http://testserver/") is True
    assert len(mail.outbox) == 2
    for message in mail.outbox:
        assert "https://stat.example.gov/accounts/password/reset/" in message.body
        assert "testserver" not in message.body


# --- a person's page and editing -----------------------------------------------------------------------------------


def test_person_page_shows_details_and_current_and_past_roles_with_who_and_when(as_persona, users, city):
    client = as_persona("stat_lead")
    person = users["police_contact"].person
    client.post(
        reverse("team:role_assign", args=[person.pk]), {"role": "department_lead", "department": city["fire"].pk}
    )
    contact = person.assignments.get(role=Role.DEPARTMENT_CONTACT)
    client.post(reverse("team:role_end", args=[contact.pk]))

    page = parse(as_persona("parks_contact").get(person.get_absolute_url()))
    assert page.find("h1").text == "Dana Data"
    assert "pdata@example.gov" in page.text
    current = section(page, "Current roles").text
    assert "Department lead Fire" in current and "Stella Lead" in current
    past = section(page, "Past roles").text
    assert "Department contact Police" in past
    assert past.endswith("Stella Lead")  # ended by
    # A department contact may look, not change.
    assert "End role" not in page.text
    assert "Assign a role" not in page.text
    assert "Edit details" not in page.text


def test_stat_analyst_edits_a_person(as_persona, users, city):
    person = users["police_contact"].person
    client = as_persona("stat_analyst")
    form = parse(client.get(reverse("team:person_edit", args=[person.pk])))
    assert form.find("input", id="id_full_name").attrs["value"] == "Dana Data"
    assert form.find("input", id="id_give_login") is None  # already has a login

    response = client.post(
        reverse("team:person_edit", args=[person.pk]),
        {
            "full_name": "Dana Data-Smith",
            "title": "Chief data officer",
            "email": "dana@example.gov",
            "phone": "555-0142",
            "department": city["police"].pk,
            "active": "on",
        },
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert (person.full_name, person.title, person.email) == (
        "Dana Data-Smith",
        "Chief data officer",
        "dana@example.gov",
    )
    person.user.refresh_from_db()
    assert person.user.email == "dana@example.gov"


def test_edit_errors_are_shown_and_nothing_is_saved(as_persona, users):
    person = users["police_contact"].person
    before = team_state()
    response = as_persona("stat_lead").post(
        reverse("team:person_edit", args=[person.pk]),
        {"full_name": "Dana Renamed", "email": users["police_lead"].email, "active": "on"},
    )
    assert response.status_code == 200
    assert team_state() == before
    page = parse(response)
    assert page.find("h1").text == "Edit Dana Data"
    assert "Someone in the program already has this email address." in page.find(id="id_email_error").text


def test_giving_an_existing_person_a_login_invites_them(as_persona, django_capture_on_commit_callbacks):
    person = PersonFactory(full_name="Late Joiner", email="late@example.gov")
    with django_capture_on_commit_callbacks(execute=True):
        response = as_persona("stat_lead").post(
            reverse("team:person_edit", args=[person.pk]),
            {"full_name": "Late Joiner", "email": "late@example.gov", "active": "on", "give_login": "on"},
        )
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.user.username == "late@example.gov"
    assert [m.to for m in mail.outbox] == [["late@example.gov"]]
