"""Who may read and write goals, measures, their observations and narratives: every goals view, API endpoint and
service asks this module. The naming scheme is ``team.access``'s."""

from __future__ import annotations

from django.db.models import Q

from team.access import ScopedPolicy
from team.models import PROGRAM_ROLES, SEAT_ROLES, Role

#: Narratives (the department lead's commentary on a measure's period).
MEASURE_COMMENTARY = ScopedPolicy(
    name="measure commentary",
    department_field="measure__department",
    read_all=frozenset(PROGRAM_ROLES | SEAT_ROLES),
    read_own_department=frozenset({Role.DEPARTMENT_CONTACT}),
    read_portfolio=frozenset({Role.BUDGET_ANALYST}),
    write_own_department=frozenset({Role.DEPARTMENT_LEAD}),
)
#: Measures (and, through ``measure__department``, their observations). Writing means recording observations of
#: manual measures; defining goals and measures is :meth:`Actor.can_define_goals`. Public: the measure and its goal.
MEASURES = ScopedPolicy(
    name="measure",
    department_field="department",
    public_q=Q(public=True, goal__public=True),
    read_all=frozenset(PROGRAM_ROLES | SEAT_ROLES | {Role.DATA_EXPERT}),
    read_own_department=frozenset({Role.DEPARTMENT_LEAD, Role.DEPARTMENT_CONTACT}),
    read_portfolio=frozenset({Role.BUDGET_ANALYST}),
    write_all=frozenset({Role.STAT_LEAD, Role.STAT_ANALYST}),
    write_own_department=frozenset({Role.DEPARTMENT_LEAD, Role.DEPARTMENT_CONTACT}),
)
