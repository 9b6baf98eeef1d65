from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command

from demo.team import ADMIN_USERNAME, DEMO_LOGINS, PEOPLE, demo_city_seed
from team.models import Department, Person, Portfolio, Role, RoleAssignment
from team.selectors import team_gaps

pytestmark = pytest.mark.django_db
User = get_user_model()


def seed(settings, *, debug: bool) -> tuple[str, str]:
    settings.DEBUG = debug
    out, err = StringIO(), StringIO()
    call_command("seed_demo", stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def seed_team(settings, *, debug: bool) -> None:
    """Only the team part of the demo city (what ``seed_demo`` runs first): for the tests about the team, people
    and logins, which need none of the inventory, goals or quality data the full command also loads."""
    settings.DEBUG = debug
    demo_city_seed(with_logins=debug)


def snapshot() -> dict:
    """Row counts, history counts and last-change times: anything a second run could disturb."""
    models = (Portfolio, Department, Person, RoleAssignment, User)
    state = {model.__name__: model.objects.count() for model in models}
    for model in (Portfolio, Department, Person, RoleAssignment):
        state[f"{model.__name__} history"] = model.history.count()
    state["updated"] = [
        list(Department.objects.order_by("pk").values_list("updated_at", flat=True)),
        list(Person.objects.order_by("pk").values_list("updated_at", flat=True)),
        list(User.objects.order_by("pk").values_list("password", "last_login")),
    ]
    return state


def test_seeds_a_whole_city(settings):
    out, _ = seed(settings, debug=True)

    assert "Seeded City of Riverton" in out
    assert Department.objects.filter(parent__isnull=True).count() == 12
    assert Department.objects.filter(parent__slug="public-works").count() == 2
    assert Portfolio.objects.count() == 4
    assert not Department.objects.filter(portfolio__isnull=True).exists()
    # Each has a shared mailbox for data.json, nobody's own address.
    mailboxes = set(Department.objects.values_list("contact_email", flat=True))
    assert len(mailboxes) == Department.objects.count()
    assert "data.police@riverton.example" in mailboxes
    assert not Person.objects.filter(email__in=mailboxes).exists()
    held = set(RoleAssignment.objects.current().values_list("role", flat=True))
    assert held == set(Role.values)
    for portfolio in Portfolio.objects.all():
        assert RoleAssignment.objects.current().filter(role=Role.BUDGET_ANALYST, portfolio=portfolio).exists()
    experts = RoleAssignment.objects.current().filter(role=Role.DATA_EXPERT)
    assert experts.count() >= 3
    assert len(set(experts.values_list("speciality", flat=True))) == experts.count()
    assert RoleAssignment.objects.current().filter(role=Role.STAT_ANALYST).count() == 2
    assert Person.objects.count() == len(PEOPLE)


def test_running_twice_duplicates_and_changes_nothing(settings):
    seed(settings, debug=True)
    before = snapshot()

    out, err = seed(settings, debug=True)

    assert snapshot() == before
    assert "already seeded" in out
    assert err == ""


def test_re_seeding_leaves_edits_and_ended_roles_alone(settings):
    seed_team(settings, debug=True)
    police = Department.objects.get(slug="police")
    police.description = "Edited in the app."
    police.save(update_fields=["description"])
    chief = RoleAssignment.objects.get(role=Role.DEPARTMENT_LEAD, department=police)
    chief.ends_on = chief.starts_on
    chief.save(update_fields=["ends_on"])

    seed_team(settings, debug=True)

    police.refresh_from_db()
    assert police.description == "Edited in the app."
    assert not RoleAssignment.objects.current().filter(role=Role.DEPARTMENT_LEAD, department=police).exists()


def test_logins_with_debug_on_one_per_role_and_an_admin(settings):
    out, _ = seed(settings, debug=True)

    usernames = {spec.username for spec in DEMO_LOGINS}
    assert set(User.objects.values_list("username", flat=True)) == usernames | {ADMIN_USERNAME}
    for spec in DEMO_LOGINS:
        user = User.objects.get(username=spec.username)
        assert user.check_password(settings.DEMO_PASSWORD)
        assert user.person.email == spec.email
        assert not user.is_staff
    admin = User.objects.get(username=ADMIN_USERNAME)
    assert admin.is_superuser and admin.is_staff and admin.check_password(settings.DEMO_PASSWORD)
    assert "Created demo logins" in out


def test_each_login_holds_the_role_it_is_named_for(settings):
    seed_team(settings, debug=True)
    expected = {
        "principal": (Role.PRINCIPAL, None),
        "statlead": (Role.STAT_LEAD, None),
        "analyst": (Role.STAT_ANALYST, None),
        "police-lead": (Role.DEPARTMENT_LEAD, "police"),
        "police-contact": (Role.DEPARTMENT_CONTACT, "police"),
        "parks-contact": (Role.DEPARTMENT_CONTACT, "parks-recreation"),
        "budget-analyst": (Role.BUDGET_ANALYST, "public-safety"),
        "data-expert": (Role.DATA_EXPERT, "information-technology"),
    }
    for username, (role, scope) in expected.items():
        assignment = RoleAssignment.objects.current().get(person__user__username=username, role=role)
        assert (assignment.scope.slug if assignment.scope else None) == scope


def test_with_debug_off_people_are_seeded_but_no_logins(settings):
    out, err = seed(settings, debug=False)

    assert Person.objects.count() == len(PEOPLE)
    assert not User.objects.exists()
    assert "DEBUG is off, so no demo logins were created" in err

    seed(settings, debug=True)  # turning DEBUG on later adds the logins to the same people
    assert User.objects.count() == len(DEMO_LOGINS) + 1
    assert Person.objects.count() == len(PEOPLE)


def test_the_service_refuses_logins_with_debug_off(settings):
    settings.DEBUG = False
    with pytest.raises(ImproperlyConfigured):
        demo_city_seed(with_logins=True)
    assert not Department.objects.exists()


def test_deliberate_gaps_show_in_team_gaps(settings):
    seed_team(settings, debug=True)

    gaps = team_gaps()

    assert [d.slug for d in gaps.departments_without_contact] == ["library"]
    assert [d.slug for d in gaps.departments_without_lead] == ["transportation"]
    assert gaps.portfolios_without_analyst == []
    assert gaps.departments_without_portfolio == []
    assert gaps.count == 2
    # The former Transportation director's role is history, not deleted.
    assert RoleAssignment.objects.filter(
        role=Role.DEPARTMENT_LEAD, department__slug="transportation", ends_on__isnull=False
    ).exists()


def test_demo_logins_lists_them_with_debug_on(settings):
    seed_team(settings, debug=True)
    out = StringIO()

    call_command("demo_logins", stdout=out)

    text = out.getvalue()
    assert f"will answer at {settings.SITE_URL}\n" in text
    for spec in DEMO_LOGINS:
        assert spec.username in text
    assert ADMIN_USERNAME in text
    assert text.count(settings.DEMO_PASSWORD) == len(DEMO_LOGINS) + 1


def test_demo_logins_announce_the_address_the_server_is_on(settings):
    """``make run PORT=8123`` gives the command SITE_URL on port 8123: that is the address announced."""
    seed_team(settings, debug=True)
    settings.SITE_URL = "http://127.0.0.1:8123/"
    out = StringIO()

    call_command("demo_logins", stdout=out)

    assert "will answer at http://127.0.0.1:8123/\n" in out.getvalue()
    assert "8000" not in out.getvalue()


def test_demo_logins_lists_nothing_with_debug_off(settings):
    seed_team(settings, debug=True)
    settings.DEBUG = False
    out, err = StringIO(), StringIO()

    call_command("demo_logins", stdout=out, stderr=err)

    assert settings.DEMO_PASSWORD not in out.getvalue()
    assert "only with DEBUG on" in err.getvalue()


def test_demo_logins_cannot_sign_in_with_the_published_password_once_debug_is_off(settings, client):
    seed_team(settings, debug=True)
    login = {"username": "statlead", "password": settings.DEMO_PASSWORD}
    assert client.post("/accounts/login/", login).status_code == 302  # DEBUG on: the demo works
    client.post("/accounts/logout/")

    settings.DEBUG = False
    response = client.post("/accounts/login/", login)
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    # A demo login given a password of its own signs in as usual.
    user = get_user_model().objects.get(username="statlead")
    user.set_password("a-new-and-private-passphrase")
    user.save()
    assert client.post("/accounts/login/", {**login, "password": "a-new-and-private-passphrase"}).status_code == 302
