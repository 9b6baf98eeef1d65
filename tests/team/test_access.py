from dataclasses import replace

import pytest

from inventory.access import DATASETS
from team.access import Scope, ScopedPolicy, actor_for, actor_for_person, get_object_for_user
from team.models import PROGRAM_ROLES, SEAT_ROLES, Department, Role
from team.services import role_end
from tests.factories import PersonFactory, RoleAssignmentFactory

pytestmark = pytest.mark.django_db

#: A policy on Department rows themselves: program staff, seats and data experts read all, leads and contacts their
#: own, budget analysts their portfolio's; the principal and Stat lead write all, leads and contacts their own.
DEPARTMENTS = ScopedPolicy(
    name="department",
    department_field="",
    read_all=frozenset(PROGRAM_ROLES | SEAT_ROLES | {Role.DATA_EXPERT}),
    read_own_department=frozenset({Role.DEPARTMENT_LEAD, Role.DEPARTMENT_CONTACT}),
    read_portfolio=frozenset({Role.BUDGET_ANALYST}),
    write_all=frozenset({Role.PRINCIPAL, Role.STAT_LEAD}),
    write_own_department=frozenset({Role.DEPARTMENT_LEAD, Role.DEPARTMENT_CONTACT}),
)
#: Policies of the shapes later apps declare (action items a lead updates, budget lines a portfolio's analyst edits).
LEAD_WRITES = ScopedPolicy(
    name="lead writes",
    department_field="department",
    read_own_department=frozenset({Role.DEPARTMENT_CONTACT}),
    read_portfolio=frozenset({Role.BUDGET_ANALYST}),
    write_own_department=frozenset({Role.DEPARTMENT_LEAD}),
)
PORTFOLIO_WRITES = ScopedPolicy(
    name="portfolio writes",
    department_field="department",
    read_all=frozenset({Role.PRINCIPAL, Role.STAT_LEAD, Role.STAT_ANALYST, Role.FINANCE}),
    read_own_department=frozenset({Role.DEPARTMENT_LEAD}),
    write_all=frozenset({Role.STAT_LEAD}),
    write_portfolio=frozenset({Role.BUDGET_ANALYST}),
)


def on_departments(policy):
    """The same rules, applied to Department rows (the objects they will govern arrive in later apps)."""
    return replace(policy, department_field="", public_q=None)


def readable_codes(policy, user):
    policy = on_departments(policy)
    return set(policy.readable(actor_for(user), Department.objects.all()).values_list("code", flat=True))


def writable_codes(policy, user):
    policy = on_departments(policy)
    return set(policy.writable(actor_for(user), Department.objects.all()).values_list("code", flat=True))


def test_actor_reads_roles_and_scopes(users, city):
    lead = actor_for(users["police_lead"])
    assert lead.roles == {Role.DEPARTMENT_LEAD}
    assert lead.lead_department_ids == {city["police"].pk}
    budget = actor_for(users["budget_analyst"])
    assert budget.portfolio_ids == {city["public_safety"].pk}


def test_department_scoping_is_done_in_the_query(users, django_assert_num_queries):
    actor = actor_for(users["budget_analyst"])
    with django_assert_num_queries(1):
        codes = set(DEPARTMENTS.readable(actor, Department.objects.all()).values_list("code", flat=True))
    assert codes == {"PD", "FD"}


def test_program_staff_read_every_department(users):
    for name in ("principal", "stat_lead", "stat_analyst"):
        assert readable_codes(DEPARTMENTS, users[name]) == {"PD", "FD", "PRD"}


def test_lead_and_contact_scoped_to_their_department(users):
    assert readable_codes(DEPARTMENTS, users["police_lead"]) == {"PD"}
    assert readable_codes(DEPARTMENTS, users["parks_contact"]) == {"PRD"}
    assert writable_codes(LEAD_WRITES, users["police_lead"]) == {"PD"}
    assert writable_codes(LEAD_WRITES, users["police_contact"]) == set()


def test_budget_analyst_writes_only_their_portfolio_budget_lines(users):
    assert writable_codes(PORTFOLIO_WRITES, users["budget_analyst"]) == {"PD", "FD"}
    assert writable_codes(PORTFOLIO_WRITES, users["stat_analyst"]) == set()
    assert readable_codes(PORTFOLIO_WRITES, users["police_lead"]) == {"PD"}


def test_contact_edits_only_own_department_datasets(users, city):
    actor = actor_for(users["police_contact"])
    assert DATASETS.can_create_in(actor, city["police"].pk)
    assert not DATASETS.can_create_in(actor, city["parks"].pk)
    assert not DATASETS.can_create_in(actor_for(users["data_expert"]), city["police"].pk)
    assert DATASETS.can_create_in(actor_for(users["stat_analyst"]), city["parks"].pk)


def test_anonymous_reads_nothing_private(users):
    from django.contrib.auth.models import AnonymousUser

    assert readable_codes(DEPARTMENTS, AnonymousUser()) == set()
    assert writable_codes(DEPARTMENTS, AnonymousUser()) == set()


def test_get_object_for_user_404_for_outsider_403_for_reader(users, city):
    from django.core.exceptions import PermissionDenied
    from django.http import Http404

    qs = Department.objects.all()
    assert get_object_for_user(DEPARTMENTS, users["police_lead"], qs, pk=city["police"].pk) == city["police"]
    with pytest.raises(Http404):
        get_object_for_user(DEPARTMENTS, users["police_lead"], qs, pk=city["parks"].pk)
    with pytest.raises(PermissionDenied):
        get_object_for_user(DEPARTMENTS, users["budget_analyst"], qs, pk=city["police"].pk, write=True)


def test_ended_role_grants_nothing(users, city):
    assignment = users["police_lead"].person.assignments.get()
    role_end(by=None, assignment=assignment)
    user = type(users["police_lead"]).objects.get(pk=users["police_lead"].pk)
    actor = actor_for(user)
    assert not actor.has_any_role
    assert readable_codes(DEPARTMENTS, user) == set()


def test_an_actor_knows_its_person_and_a_person_without_a_login_has_one(users, city):
    contact = users["police_contact"].person
    assert actor_for(users["police_contact"]).person_id == contact.pk
    assert actor_for_person(contact) == actor_for(users["police_contact"])
    no_login = PersonFactory(email="clerk@example.gov")
    RoleAssignmentFactory(person=no_login, role=Role.DEPARTMENT_CONTACT, department=city["fire"])
    actor = actor_for_person(no_login)
    assert (actor.person_id, actor.contact_department_ids, actor.is_authenticated) == (
        no_login.pk,
        frozenset({city["fire"].pk}),
        False,
    )
    no_login.active = False
    no_login.save(update_fields=["active"])
    assert not actor_for_person(no_login).has_any_role  # an inactive person holds no role


def test_only_principal_or_stat_lead_grant_program_roles(users):
    analyst = actor_for(users["stat_analyst"])
    assert analyst.can_grant_role(Role.DEPARTMENT_LEAD)
    assert not analyst.can_grant_role(Role.STAT_LEAD)
    assert actor_for(users["stat_lead"]).can_grant_role(Role.STAT_ANALYST)
    assert not actor_for(users["police_lead"]).can_grant_role(Role.DEPARTMENT_CONTACT)


@pytest.mark.parametrize("policy", [DEPARTMENTS, LEAD_WRITES, PORTFOLIO_WRITES, DATASETS], ids=lambda p: p.name)
@pytest.mark.parametrize("write", [False, True], ids=["read", "write"])
def test_the_in_memory_check_agrees_with_the_query_for_every_persona(users, city, policy, write):
    """``allows`` decides without a query what ``readable`` / ``writable`` decide in SQL, persona by persona."""
    from django.contrib.auth.models import AnonymousUser

    on_rows = on_departments(policy)
    departments = list(Department.objects.select_related("portfolio"))
    for user in [*users.values(), AnonymousUser()]:
        actor = actor_for(user)
        in_sql = set((on_rows.writable if write else on_rows.readable)(actor, Department.objects.all()))
        in_memory = {department for department in departments if on_rows.allows(actor, department, write=write)}
        assert in_memory == in_sql, (user, policy.name)


def test_the_in_memory_check_costs_no_query_and_reads_the_public_condition(users, city, django_assert_num_queries):
    from django.contrib.auth.models import AnonymousUser

    from inventory.models import AccessLevel
    from tests.inventory.factories import DatasetFactory

    public = DatasetFactory(department=city["police"], access_level=AccessLevel.PUBLIC, published=True)
    internal = DatasetFactory(department=city["police"], access_level=AccessLevel.NON_PUBLIC, rights="Internal")
    public, internal = (type(public).objects.select_related("department").get(pk=d.pk) for d in (public, internal))
    outsider, anonymous = actor_for(users["parks_contact"]), actor_for(AnonymousUser())
    lead, budget = actor_for(users["police_lead"]), actor_for(users["budget_analyst"])
    with django_assert_num_queries(0):
        assert DATASETS.allows(anonymous, public) and not DATASETS.allows(anonymous, internal)
        assert DATASETS.allows(lead, internal) and not DATASETS.allows(lead, internal, write=True)
        assert DATASETS.allows(budget, internal)
        assert DATASETS.allows(outsider, internal) and not DATASETS.allows(outsider, internal, write=True)
    assert DATASETS.allows(budget, Scope(department_ids=frozenset({city["parks"].pk}), public=True))
    assert not DATASETS.allows(budget, Scope(department_ids=frozenset({city["parks"].pk})))
    assert DATASETS.allows(budget, Scope(portfolio_ids=frozenset({city["public_safety"].pk})))


@pytest.mark.parametrize("policy", [DEPARTMENTS, LEAD_WRITES, PORTFOLIO_WRITES, DATASETS], ids=lambda p: p.name)
def test_reads_every_and_reads_some_agree_with_the_query_for_every_persona(users, city, policy):
    """The capabilities decided from roles alone (a menu item, an index page) say what the SQL says: every object,
    or at least one department's beyond the public ones."""
    from django.contrib.auth.models import AnonymousUser

    on_rows = policy.seen_from(policy.name, department_field="")
    for user in [*users.values(), AnonymousUser()]:
        actor = actor_for(user)
        readable = set(on_rows.readable(actor, Department.objects.all()))
        assert policy.reads_every(actor) is (policy.read_q(actor) is None), (user, policy.name)
        assert policy.reads_some(actor) is bool(readable), (user, policy.name)


def test_a_policy_seen_from_another_model_keeps_its_roles_and_says_what_is_public_there():
    seen = DATASETS.seen_from("dataset quality", department_field="department")
    assert (seen.read_all, seen.write_own_department) == (DATASETS.read_all, DATASETS.write_own_department)
    assert seen.public_q is None and seen.department_field == "department"
