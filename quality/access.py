"""Who may read quality results and who may check a dataset: every quality view, API endpoint and service asks
this module. The naming scheme is ``team.access``'s."""

from __future__ import annotations

from team.access import ScopedPolicy
from team.models import PROGRAM_ROLES, SEAT_ROLES, Role

#: Quality results (runs and their checks), seen from a run: the Stat team, seats, department contacts and data
#: experts read all; a department lead their department's datasets', a budget analyst their portfolio's.
QUALITY_RESULTS = ScopedPolicy(
    name="quality result",
    department_field="dataset__department",
    read_all=frozenset(PROGRAM_ROLES | SEAT_ROLES | {Role.DEPARTMENT_CONTACT, Role.DATA_EXPERT}),
    read_own_department=frozenset({Role.DEPARTMENT_LEAD}),
    read_portfolio=frozenset({Role.BUDGET_ANALYST}),
)
