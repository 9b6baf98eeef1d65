"""The team's services refuse what ``team.access`` does not allow, whoever calls them (a page, the admin, an
import): each rule is checked here on the service itself, persona by persona, and a refusal changes nothing."""

import pytest
from django.core.exceptions import PermissionDenied

from team import services
from team.models import Department, Person, Portfolio, Role, RoleAssignment
from tests.conftest import PERSONAS
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db

SIGNED_IN = [persona for persona in PERSONAS if persona != "anonymous"]
STRUCTURE = {"principal", "stat_lead"}
PEOPLE = {"principal", "stat_lead", "stat_analyst"}


def state():
    return (
        list(Department.objects.values()),
        list(Portfolio.objects.values()),
        list(Person.objects.values()),
        list(RoleAssignment.objects.values()),
    )


def attempt(action) -> bool:
    """Whether ``action`` was allowed; a refused one must have changed nothing."""
    before = state()
    try:
        action()
    except PermissionDenied:
        assert state() == before
        return False
    return True


@pytest.mark.parametrize("persona", SIGNED_IN)
def test_only_the_principal_and_stat_lead_change_the_structure(persona, users, city):
    by = users[persona]
    allowed = persona in STRUCTURE
    assert attempt(lambda: services.department_create(by=by, name="Water", code="WTR")) is allowed
    assert attempt(lambda: services.department_update(department=city["parks"], by=by, active=False)) is allowed
    assert attempt(lambda: services.portfolio_create(by=by, name="Utilities")) is allowed
    safety = city["public_safety"]
    assert attempt(lambda: services.portfolio_update(portfolio=safety, by=by, name="Safety", description="")) is allowed
    assert (
        attempt(lambda: services.portfolio_set_departments(portfolio=safety, by=by, departments=[city["police"]]))
        is allowed
    )


@pytest.mark.parametrize("persona", SIGNED_IN)
def test_only_the_stat_team_adds_people_and_staffs_departments(persona, users, city):
    by = users[persona]
    allowed = persona in PEOPLE
    assert attempt(lambda: services.person_create(by=by, full_name="New Hire", email="new@example.gov")) is allowed
    newcomer = PersonFactory(email="later@example.gov")
    assert attempt(lambda: services.person_update(person=newcomer, by=by, title="Analyst")) is allowed
    assert attempt(lambda: services.person_give_login(person=newcomer, by=by)) is allowed
    role = Role.DEPARTMENT_CONTACT
    assigned = attempt(lambda: services.role_assign(person=newcomer, role=role, department=city["fire"], by=by))
    assert assigned is allowed
    contact = RoleAssignment.objects.filter(role=Role.DEPARTMENT_CONTACT, department=city["police"]).get()
    assert attempt(lambda: services.role_end(assignment=contact, by=by)) is allowed


@pytest.mark.parametrize("persona", ["stat_analyst", "police_lead", "budget_analyst"])
def test_nobody_below_the_stat_lead_touches_a_stat_lead_or_grants_program_roles(persona, users):
    """An analyst manages people but may not change the Stat lead's email (where their password reset goes), grant
    a program role or end one; the others may do none of it."""
    by = users[persona]
    lead = users["stat_lead"].person
    assert not attempt(lambda: services.person_update(person=lead, by=by, email="takeover@example.gov"))
    newcomer = PersonFactory()
    assert not attempt(lambda: services.role_assign(person=newcomer, role=Role.STAT_LEAD, by=by))
    (assignment,) = lead.assignments.all()
    assert not attempt(lambda: services.role_end(assignment=assignment, by=by))


def test_the_stat_lead_grants_and_ends_program_roles(users):
    by = users["stat_lead"]
    newcomer = PersonFactory()
    assignment = services.role_assign(person=newcomer, role=Role.STAT_ANALYST, by=by)
    services.role_end(assignment=assignment, by=by)
    assert assignment.history.count() == 2
