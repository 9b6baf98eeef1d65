import datetime

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils import timezone

from team.models import DataSpeciality, Department, Person, Role, RoleAssignment
from team.services import (
    department_create,
    department_update,
    person_create,
    person_give_login,
    person_update,
    portfolio_create,
    portfolio_set_departments,
    portfolio_update,
    role_assign,
    role_end,
)
from tests.factories import DepartmentFactory, PersonFactory, PortfolioFactory, UserFactory, person_with_login

pytestmark = pytest.mark.django_db
User = get_user_model()


@pytest.fixture
def police():
    return DepartmentFactory(name="Police", slug="police", code="PD")


@pytest.fixture
def safety():
    return PortfolioFactory(name="Public Safety", slug="public-safety")


@pytest.fixture
def person():
    return PersonFactory(full_name="Dana Whitaker", email="dana@example.gov")


def error_fields(excinfo) -> set[str]:
    return set(excinfo.value.message_dict) if hasattr(excinfo.value, "error_dict") else set()


# --- departments and portfolios ---------------------------------------------------------------------------------


def test_department_create_derives_a_unique_slug_and_upper_cases_the_code():
    first = department_create(by=None, name="Parks & Recreation", code="prd")
    second = department_create(by=None, name="Parks Recreation", code="prd2")

    assert (first.slug, first.code) == ("parks-recreation", "PRD")
    assert second.slug == "parks-recreation-2"


def test_department_create_refuses_a_duplicate_code(police):
    with pytest.raises(ValidationError) as excinfo:
        department_create(by=None, name="Police Department", code="pd")

    assert "code" in error_fields(excinfo)
    assert Department.objects.count() == 1


def test_department_update_refuses_to_be_its_own_parent(police):
    with pytest.raises(ValidationError) as excinfo:
        department_update(by=None, department=police, parent=police)

    assert "parent" in error_fields(excinfo)
    police.refresh_from_db()
    assert police.parent is None


def test_department_update_refuses_a_cycle_through_its_divisions(police):
    patrol = department_create(by=None, name="Patrol", code="PD-P", parent=police)
    east = department_create(by=None, name="Patrol East", code="PD-PE", parent=patrol)

    with pytest.raises(ValidationError, match="division of itself or of its own divisions"):
        department_update(by=None, department=police, parent=east)

    police.refresh_from_db()
    assert police.parent is None


def test_department_update_moves_a_division(police):
    fire = DepartmentFactory(name="Fire", slug="fire", code="FD")
    unit = department_create(by=None, name="Arson Unit", code="AU", parent=police)

    department_update(by=None, department=unit, parent=fire, description="Investigates fires.")

    unit.refresh_from_db()
    assert (unit.parent, unit.description) == (fire, "Investigates fires.")


def test_portfolio_set_departments_makes_them_exactly_its_own(police, safety):
    fire = DepartmentFactory(name="Fire", slug="fire", code="FD", portfolio=safety)
    library = DepartmentFactory(name="Library", slug="library", code="LIB", portfolio=safety)

    portfolio_set_departments(by=None, portfolio=safety, departments=[police, fire])

    assert set(safety.departments.values_list("code", flat=True)) == {"PD", "FD"}
    library.refresh_from_db()
    assert library.portfolio is None


def test_portfolio_set_departments_records_each_move_in_the_departments_history(police, safety):
    other = PortfolioFactory(name="Community", slug="community")
    parks = DepartmentFactory(name="Parks", slug="parks", code="PRK", portfolio=other)
    untouched = DepartmentFactory(name="Fire", slug="fire", code="FD", portfolio=safety)
    before = {d.pk: d.history.count() for d in (police, parks, untouched)}

    portfolio_set_departments(by=None, portfolio=safety, departments=[police, parks, untouched])

    assert {d.pk: d.history.count() for d in (police, parks, untouched)} == {
        police.pk: before[police.pk] + 1,
        parks.pk: before[parks.pk] + 1,
        untouched.pk: before[untouched.pk],  # already there: not saved again
    }
    assert parks.history.first().portfolio_id == safety.pk
    assert not other.departments.exists()

    portfolio_set_departments(by=None, portfolio=safety, departments=[])
    assert not safety.departments.exists()


def test_portfolio_create_refuses_a_duplicate_name(safety):
    with pytest.raises(ValidationError):
        portfolio_create(by=None, name="Public Safety")


def test_portfolio_create_refuses_a_name_that_differs_only_in_case(safety):
    with pytest.raises(ValidationError) as excinfo:
        portfolio_create(by=None, name="public safety")
    assert error_fields(excinfo) == {"name"}


def test_portfolio_update_renames_but_keeps_the_slug(safety):
    portfolio_update(by=None, portfolio=safety, name=" Public Safety & Justice ", description="Courts too.")
    safety.refresh_from_db()
    assert (safety.name, safety.slug, safety.description) == ("Public Safety & Justice", "public-safety", "Courts too.")


def test_portfolio_update_refuses_another_portfolios_name(safety):
    other = PortfolioFactory(name="Community", slug="community")
    with pytest.raises(ValidationError) as excinfo:
        portfolio_update(by=None, portfolio=other, name="PUBLIC SAFETY", description="")
    assert error_fields(excinfo) == {"name"}
    other.refresh_from_db()
    assert other.name == "Community"


def test_department_create_refuses_a_name_that_differs_only_in_case(police):
    with pytest.raises(ValidationError) as excinfo:
        department_create(by=None, name="POLICE", code="PO")
    assert error_fields(excinfo) == {"name"}


def test_department_slugs_never_take_a_pages_address():
    department = department_create(by=None, name="Add", code="ADD")
    portfolio = portfolio_create(by=None, name="Add")
    assert department.slug == "add-2"
    assert portfolio.slug == "add-2"


def test_department_update_cleans_the_name_and_code_as_create_does(police):
    department_update(by=None, department=police, name=" Police Department ", code=" pd1 ")
    police.refresh_from_db()
    assert (police.name, police.code, police.slug) == ("Police Department", "PD1", "police")


def test_department_update_refuses_another_departments_code(police):
    fire = DepartmentFactory(name="Fire", slug="fire", code="FD")
    with pytest.raises(ValidationError) as excinfo:
        department_update(by=None, department=fire, code="pd")
    assert error_fields(excinfo) == {"code"}


# --- people ------------------------------------------------------------------------------------------------------


def test_person_create_stores_the_email_in_lower_case(police):
    person = person_create(
        by=None, full_name="  Raymond Castillo ", email=" Ray.Castillo@Example.gov ", department=police
    )

    assert (person.full_name, person.email, person.department) == (
        "Raymond Castillo",
        "ray.castillo@example.gov",
        police,
    )


def test_person_create_refuses_a_duplicate_email_whatever_its_case(person):
    with pytest.raises(ValidationError, match="already has this email address") as excinfo:
        person_create(by=None, full_name="Someone Else", email="DANA@Example.GOV")

    assert "email" in error_fields(excinfo)
    assert Person.objects.count() == 1


def test_people_without_email_are_allowed_several_times():
    person_create(by=None, full_name="First Volunteer")
    person_create(by=None, full_name="Second Volunteer")

    assert Person.objects.filter(email="").count() == 2


def test_person_update_refuses_someone_elses_email(person):
    other = PersonFactory(email="other@example.gov")

    with pytest.raises(ValidationError, match="already has this email address"):
        person_update(by=None, person=other, email="Dana@example.gov")

    other.refresh_from_db()
    assert other.email == "other@example.gov"


def test_person_update_changes_the_login_email_too(person):
    user = person_give_login(by=None, person=person)

    person_update(by=None, person=person, email="Dana.W@example.gov")

    user.refresh_from_db()
    assert user.email == "dana.w@example.gov"


def test_person_give_login_with_a_password(person):
    user = person_give_login(by=None, person=person, username="dana", password="a-long-password-1")

    person.refresh_from_db()
    assert person.user == user
    assert (user.username, user.email, user.first_name, user.last_name) == (
        "dana",
        "dana@example.gov",
        "Dana",
        "Whitaker",
    )
    assert user.check_password("a-long-password-1")


def test_person_give_login_without_a_password_leaves_it_unusable(person):
    user = person_give_login(by=None, person=person)

    assert user.username == "dana@example.gov"
    assert not user.has_usable_password()


def test_person_give_login_twice_returns_the_same_login(person):
    first = person_give_login(by=None, person=person)

    assert person_give_login(by=None, person=person) == first
    assert User.objects.count() == 1


def test_person_give_login_needs_an_email():
    person = person_create(by=None, full_name="No Email")

    with pytest.raises(ValidationError, match="needs an email address"):
        person_give_login(by=None, person=person)
    assert not User.objects.exists()


def test_person_give_login_refuses_a_taken_username(person):
    UserFactory(username="Dana")

    with pytest.raises(ValidationError, match="already exists"):
        person_give_login(by=None, person=person, username="dana")
    person.refresh_from_db()
    assert person.user is None


# --- roles -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "scope", "field"),
    [
        (Role.DEPARTMENT_LEAD, {}, "department"),
        (Role.DEPARTMENT_CONTACT, {}, "department"),
        (Role.BUDGET_ANALYST, {}, "portfolio"),
        (Role.PRINCIPAL, {"department": "police"}, "department"),
        (Role.STAT_ANALYST, {"portfolio": "safety"}, "portfolio"),
        (Role.DEPARTMENT_LEAD, {"department": "police", "portfolio": "safety"}, "portfolio"),
        (Role.BUDGET_ANALYST, {"portfolio": "safety", "department": "police"}, "department"),
        (Role.DATA_EXPERT, {}, "speciality"),
        (Role.CHIEF_OF_STAFF, {"speciality": DataSpeciality.GIS}, "speciality"),
    ],
)
def test_role_assign_refuses_a_scope_that_does_not_fit_the_role(person, police, safety, role, scope, field):
    objects = {"police": police, "safety": safety}
    kwargs = {key: objects.get(value, value) for key, value in scope.items()}

    with pytest.raises(ValidationError) as excinfo:
        role_assign(by=None, person=person, role=role, **kwargs)

    assert field in error_fields(excinfo)
    assert not RoleAssignment.objects.exists()


def test_role_assign_refuses_an_unknown_role(person):
    with pytest.raises(ValidationError, match="Unknown role"):
        role_assign(by=None, person=person, role="mayor_for_life")


def test_role_assign_with_the_scope_each_role_needs(person, police, safety):
    by = person_with_login(Role.STAT_LEAD, username="lead@example.gov")
    lead = role_assign(person=person, role=Role.DEPARTMENT_LEAD, department=police, by=by)
    budget = role_assign(by=None, person=person, role=Role.BUDGET_ANALYST, portfolio=safety)
    expert = role_assign(
        by=None, person=person, role=Role.DATA_EXPERT, speciality=DataSpeciality.GIS, department=police
    )
    seat = role_assign(by=None, person=person, role=Role.LEGAL_COUNSEL)

    assert (lead.scope, budget.scope, expert.scope, seat.scope) == (police, safety, police, None)
    assert lead.created_by == by
    assert lead.starts_on == timezone.localdate()
    assert all(a.is_current() for a in (lead, budget, expert, seat))


def test_role_assign_refuses_the_same_open_role_twice_with_a_clear_message(person, police):
    role_assign(by=None, person=person, role=Role.DEPARTMENT_LEAD, department=police)

    with pytest.raises(ValidationError) as excinfo:
        role_assign(by=None, person=person, role=Role.DEPARTMENT_LEAD, department=police)

    assert excinfo.value.messages == ["Dana Whitaker is already department lead of Police."]
    assert RoleAssignment.objects.count() == 1


def test_the_same_role_for_another_department_is_allowed(person, police):
    fire = DepartmentFactory(name="Fire", slug="fire", code="FD")
    role_assign(by=None, person=person, role=Role.DEPARTMENT_CONTACT, department=police)
    role_assign(by=None, person=person, role=Role.DEPARTMENT_CONTACT, department=fire)

    assert RoleAssignment.objects.current().filter(person=person).count() == 2


def test_role_assign_refuses_an_end_before_the_start(person):
    with pytest.raises(ValidationError) as excinfo:
        role_assign(
            by=None,
            person=person,
            role=Role.STAT_ANALYST,
            starts_on=datetime.date(2025, 5, 1),
            ends_on=datetime.date(2025, 4, 30),
        )
    assert "ends_on" in error_fields(excinfo)


def test_role_end_keeps_the_assignment_in_history(person, police):
    assignment = role_assign(
        by=None, person=person, role=Role.DEPARTMENT_LEAD, department=police, starts_on=datetime.date(2024, 1, 8)
    )
    by = person_with_login(Role.STAT_LEAD, username="lead@example.gov")

    role_end(assignment=assignment, by=by)

    assignment.refresh_from_db()
    assert assignment.ends_on == timezone.localdate()
    assert assignment.ended_by == by
    assert not assignment.is_current()
    assert not RoleAssignment.objects.current().filter(person=person).exists()
    assert RoleAssignment.objects.filter(person=person).count() == 1
    assert assignment.history.count() == 2  # assigned, then ended


def test_role_end_twice_is_refused(person):
    assignment = role_assign(by=None, person=person, role=Role.STAT_ANALYST, starts_on=datetime.date(2024, 1, 8))
    role_end(by=None, assignment=assignment)

    with pytest.raises(ValidationError, match="already ended"):
        role_end(by=None, assignment=assignment)


def test_role_end_refuses_an_end_before_the_start(person):
    assignment = role_assign(by=None, person=person, role=Role.STAT_ANALYST, starts_on=datetime.date(2025, 5, 1))

    with pytest.raises(ValidationError) as excinfo:
        role_end(by=None, assignment=assignment, ends_on=datetime.date(2025, 4, 1))

    assert "ends_on" in error_fields(excinfo)
    assignment.refresh_from_db()
    assert assignment.ends_on is None


def test_an_ended_role_can_be_assigned_again(person, police):
    first = role_assign(
        by=None, person=person, role=Role.DEPARTMENT_LEAD, department=police, starts_on=datetime.date(2024, 1, 8)
    )
    role_end(by=None, assignment=first)

    again = role_assign(by=None, person=person, role=Role.DEPARTMENT_LEAD, department=police)

    assert again.pk != first.pk
    assert RoleAssignment.objects.filter(person=person, role=Role.DEPARTMENT_LEAD).count() == 2
