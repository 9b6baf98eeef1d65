from dataclasses import replace

import pytest

from team.access import ACTION_ITEMS, BUDGET_LINES, DATASETS, DEPARTMENTS, actor_for, get_object_for_user
from team.models import Department, Role
from team.services import role_end

pytestmark = pytest.mark.django_db


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
    assert writable_codes(ACTION_ITEMS, users["police_lead"]) == {"PD"}
    assert writable_codes(ACTION_ITEMS, users["police_contact"]) == set()


def test_budget_analyst_writes_only_their_portfolio_budget_lines(users):
    assert writable_codes(BUDGET_LINES, users["budget_analyst"]) == {"PD", "FD"}
    assert writable_codes(BUDGET_LINES, users["stat_analyst"]) == set()
    assert readable_codes(BUDGET_LINES, users["police_lead"]) == {"PD"}


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
    role_end(assignment=assignment)
    user = type(users["police_lead"]).objects.get(pk=users["police_lead"].pk)
    actor = actor_for(user)
    assert not actor.has_any_role
    assert readable_codes(DEPARTMENTS, user) == set()


def test_only_principal_or_stat_lead_grant_program_roles(users):
    analyst = actor_for(users["stat_analyst"])
    assert analyst.can_grant_role(Role.DEPARTMENT_LEAD)
    assert not analyst.can_grant_role(Role.STAT_LEAD)
    assert actor_for(users["stat_lead"]).can_grant_role(Role.STAT_ANALYST)
    assert not actor_for(users["police_lead"]).can_grant_role(Role.DEPARTMENT_CONTACT)


def test_dataset_public_condition_matches_the_inventory():
    from inventory.models import PUBLIC_Q

    assert DATASETS.public_q == PUBLIC_Q
