"""Who may read and write datasets (and the inventory's other objects): every inventory view, API endpoint and
service asks this module. The naming scheme is ``team.access``'s."""

from __future__ import annotations

from team.access import ScopedPolicy
from team.models import PROGRAM_ROLES, SEAT_ROLES, Role

from .models import PUBLIC_Q

#: Datasets: the Stat team and seats read all, as do department contacts and data experts; a department lead reads
#: their department's, a budget analyst their portfolio's; everyone reads the published public ones. The Stat lead
#: and analysts write every dataset, a department contact their own department's.
DATASETS = ScopedPolicy(
    name="dataset",
    department_field="department",
    public_q=PUBLIC_Q,
    read_all=frozenset(PROGRAM_ROLES | SEAT_ROLES | {Role.DEPARTMENT_CONTACT, Role.DATA_EXPERT}),
    read_own_department=frozenset({Role.DEPARTMENT_LEAD}),
    read_portfolio=frozenset({Role.BUDGET_ANALYST}),
    write_own_department=frozenset({Role.DEPARTMENT_CONTACT}),
)
