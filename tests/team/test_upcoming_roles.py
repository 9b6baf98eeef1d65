"""A role that starts later counts as held when deciding who may change a person's details (issue 11, finding 1).

Whoever changes someone's email receives their password reset; if the person's Stat lead role starts next month, the
login the reset opens becomes a Stat lead's on that day. So the rule "you may edit a person only if you could grant
every role they hold" counts every assignment that has not ended, on every path that changes an email, a name or a
login: the service, the web form, the admin (its person form, its CSV import and Django's own login pages with their
password reset), and the password-reset email that follows. (The team API is read-only, and a harvest never edits an
existing person: tests/team/test_api.py and tests/inventory/test_datajson_import.py check those.)
"""

import datetime

import pytest
import tablib
from django.contrib.auth.models import Permission
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from team import services
from team.access import actor_for, can_edit_person, held_roles
from team.admin import PersonResource
from team.models import Person, Role, RoleAssignment
from tests.factories import PASSWORD, PersonFactory, RoleAssignmentFactory, UserFactory
from tests.pages import parse, team_state
from tests.team.test_admin import person_form

pytestmark = pytest.mark.django_db

TAKEOVER = "ana@evil.test"


def next_month() -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=30)


@pytest.fixture(params=[Role.STAT_LEAD, Role.PRINCIPAL])
def incoming(request, users) -> Person:
    """Someone with a login who holds no role today and becomes Stat lead (or principal) next month."""
    user = UserFactory(username="incoming@example.gov")
    person = PersonFactory(full_name="Ines Coming", email="incoming@example.gov", user=user)
    RoleAssignmentFactory(person=person, role=request.param, starts_on=next_month())
    return person


def refused(action) -> bool:
    before = team_state()
    try:
        action()
    except PermissionDenied:
        assert team_state() == before
        return True
    return False


# --- the rule and the service ----------------------------------------------------------------------------------------


def test_a_role_that_starts_later_is_held(incoming):
    assert held_roles(incoming) == [incoming.assignments.get().role]


def test_an_ended_role_is_not(users):
    person = PersonFactory()
    RoleAssignmentFactory(
        person=person, role=Role.STAT_LEAD, starts_on=datetime.date(2020, 1, 1), ends_on=timezone.localdate()
    )
    assert held_roles(person) == []
    assert can_edit_person(actor_for(users["stat_analyst"]), person)


@pytest.mark.parametrize(
    "change", [{"email": TAKEOVER}, {"full_name": "Someone Else"}, {"active": False}, {"user": None}]
)
def test_an_analyst_may_not_change_someone_about_to_be_stat_lead(incoming, users, change):
    analyst = users["stat_analyst"]
    assert not can_edit_person(actor_for(analyst), incoming)
    assert refused(lambda: services.person_update(person=incoming, by=analyst, **change))


def test_an_analyst_may_not_give_them_a_login(users):
    person = PersonFactory(email="typed-by-the-analyst@example.gov")
    RoleAssignmentFactory(person=person, role=Role.STAT_LEAD, starts_on=next_month())
    assert refused(lambda: services.person_give_login(person=person, by=users["stat_analyst"]))
    assert person.user_id is None


def test_the_stat_lead_may(incoming, users):
    services.person_update(person=incoming, by=users["stat_lead"], email="ines@example.gov")
    incoming.user.refresh_from_db()
    assert incoming.user.email == "ines@example.gov"


# --- the web form ----------------------------------------------------------------------------------------------------


def test_the_edit_page_refuses_the_analyst_and_the_person_page_offers_no_edit(incoming, as_persona):
    client = as_persona("stat_analyst")
    edit = reverse("team:person_edit", args=[incoming.pk])
    assert client.get(edit).status_code == 403
    before = team_state()
    assert client.post(edit, {"full_name": incoming.full_name, "email": TAKEOVER}).status_code == 403
    assert team_state() == before
    page = parse(client.get(incoming.get_absolute_url()))
    assert page.find("a", href=edit) is None
    # The Stat lead is offered the edit.
    assert parse(as_persona("stat_lead").get(incoming.get_absolute_url())).find("a", href=edit) is not None


# --- the password-reset email ----------------------------------------------------------------------------------------


def test_the_reset_link_goes_only_to_the_address_the_person_had(incoming, as_persona):
    as_persona("stat_analyst").post(
        reverse("team:person_edit", args=[incoming.pk]), {"full_name": incoming.full_name, "email": TAKEOVER}
    )
    Client().post(reverse("password_reset"), {"email": TAKEOVER})
    assert mail.outbox == []
    Client().post(reverse("password_reset"), {"email": "incoming@example.gov"})
    assert [message.to for message in mail.outbox] == [["incoming@example.gov"]]


# --- the admin -------------------------------------------------------------------------------------------------------


@pytest.fixture
def staff_analyst(users) -> Client:
    """The Stat analyst, given the admin and every permission on people, roles and logins."""
    analyst = users["stat_analyst"]
    analyst.is_staff = True
    analyst.save(update_fields=["is_staff"])
    codenames = [
        f"{action}_{model}" for action in ("add", "change", "view") for model in ("person", "roleassignment", "user")
    ]
    analyst.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    client = Client()
    client.force_login(analyst)
    return client


def test_the_admin_person_form_refuses_the_analyst(incoming, staff_analyst):
    before = team_state()
    response = staff_analyst.post(
        reverse("admin:team_person_change", args=[incoming.pk]), person_form(incoming, email=TAKEOVER)
    )
    assert response.status_code == 403
    assert team_state() == before


def test_the_admin_may_not_link_an_admin_login_to_someone_the_analyst_edits(users, staff_analyst):
    """Linking a login to a person is how its email would follow theirs: only a superuser links one that opens the
    admin."""
    root = UserFactory(username="root@example.gov", is_staff=True, is_superuser=True)
    person = PersonFactory()
    before = team_state()
    response = staff_analyst.post(
        reverse("admin:team_person_change", args=[person.pk]), person_form(person, user=root.pk)
    )
    assert response.status_code == 403
    assert team_state() == before
    assert refused(lambda: services.person_create(by=users["stat_analyst"], full_name="Root", user=root))


def test_adding_a_person_in_the_admin_goes_through_the_service(users, staff_analyst):
    root = UserFactory(username="root@example.gov", is_staff=True, is_superuser=True)
    before = team_state()
    response = staff_analyst.post(
        reverse("admin:team_person_add"),
        person_form(Person(full_name="Root Again", email="root@example.gov"), user=root.pk, active="on"),
    )
    assert response.status_code == 403
    assert team_state() == before
    response = staff_analyst.post(
        reverse("admin:team_person_add"), person_form(Person(full_name="New Hire", email="New@Example.gov"))
    )
    assert response.status_code == 302
    assert Person.objects.get(full_name="New Hire").email == "new@example.gov"


def test_the_admin_login_pages_refuse_the_analyst_a_password_reset_or_new_email(incoming, staff_analyst):
    login = incoming.user
    password_page = reverse("admin:auth_user_password_change", args=[login.pk])
    assert staff_analyst.get(password_page).status_code == 403
    before = team_state()
    response = staff_analyst.post(
        password_page, {"password1": "a-new-long-password-2026", "password2": "a-new-long-password-2026"}
    )
    assert response.status_code == 403
    response = staff_analyst.post(
        reverse("admin:auth_user_change", args=[login.pk]),
        {"username": login.username, "email": TAKEOVER, "date_joined_0": "2026-01-01", "date_joined_1": "00:00:00"},
    )
    assert response.status_code == 403
    assert team_state() == before
    login.refresh_from_db()
    assert login.check_password(PASSWORD)


def test_the_admin_login_pages_still_let_the_analyst_reset_a_department_contact(users, staff_analyst):
    login = users["police_contact"]
    page = reverse("admin:auth_user_password_change", args=[login.pk])
    new_password = "a-new-long-password-2026"
    response = staff_analyst.post(page, {"password1": new_password, "password2": new_password})
    assert response.status_code == 302
    login.refresh_from_db()
    assert login.check_password(new_password)


def test_only_a_superuser_opens_the_admin_to_a_login_or_gives_it_permissions(users, staff_analyst):
    """Otherwise the analyst could make a login of their own a superuser, above every role."""
    login = UserFactory(username="spare@example.gov")
    response = staff_analyst.post(
        reverse("admin:auth_user_change", args=[login.pk]),
        {
            "username": login.username,
            "email": login.email,
            "is_active": "on",
            "is_staff": "on",
            "is_superuser": "on",
            "date_joined_0": "2026-01-01",
            "date_joined_1": "00:00:00",
        },
    )
    assert response.status_code == 302
    login.refresh_from_db()
    assert not login.is_staff and not login.is_superuser


def test_the_admin_role_pages_refuse_changing_a_program_role_to_the_analyst(incoming, staff_analyst):
    """Moving a Stat lead assignment's start date (or turning one's own role into Stat lead) is granting it."""
    assignment = incoming.assignments.get()
    before = team_state()
    response = staff_analyst.post(
        reverse("admin:team_roleassignment_change", args=[assignment.pk]),
        {
            "person": incoming.pk,
            "role": assignment.role,
            "starts_on": timezone.localdate().isoformat(),
            "ends_on": "",
            "note": "",
            "speciality": "",
        },
    )
    assert response.status_code == 403
    assert team_state() == before
    own = RoleAssignment.objects.get(person__user__username="analyst@example.gov")
    response = staff_analyst.post(
        reverse("admin:team_roleassignment_change", args=[own.pk]),
        {"person": own.person_id, "role": Role.STAT_LEAD, "starts_on": own.starts_on.isoformat(), "speciality": ""},
    )
    assert response.status_code == 403
    own.refresh_from_db()
    assert own.role == Role.STAT_ANALYST


# --- the CSV import --------------------------------------------------------------------------------------------------


def test_the_people_import_refuses_rows_about_them(incoming, users):
    csv = "email,full_name,title,phone,department,active\nincoming@example.gov,Someone Else,,,,1\n"
    before = team_state()
    result = PersonResource().import_data(
        tablib.Dataset().load(csv, format="csv"), dry_run=False, user=users["stat_analyst"]
    )
    assert result.has_errors()
    assert "hold a role you cannot grant" in str(result.row_errors()[0][1][0].error)
    assert team_state() == before


def test_the_people_import_still_adds_and_edits_others(users, city):
    csv = (
        "email,full_name,title,phone,department,active\n"
        "pdata@example.gov,Dana Data,Data manager,,police,1\n"
        "new@example.gov,New Hire,,,police,0\n"
    )
    result = PersonResource().import_data(
        tablib.Dataset().load(csv, format="csv"), dry_run=False, user=users["stat_analyst"]
    )
    assert not result.has_errors() and not result.has_validation_errors()
    assert Person.objects.get(email="pdata@example.gov").title == "Data manager"
    new = Person.objects.get(email="new@example.gov")
    assert new.department == city["police"] and not new.active
