"""What the budget tells the apps below it (registered from :meth:`budget.apps.BudgetConfig.ready`): the cost per
unit of the programs paying for a measure, beside it on the department dashboard (for those who read that
department's budget) and in the Stat memo's KPI review (a memo's readers read it as budget context; a sent memo
keeps the figures it was sent with)."""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from goals.extensions import MeasureContext, register_measure_context
from sessions.extensions import KpiContext, register_kpi_context
from team.access import Actor
from team.models import Department

from .access import DEPARTMENT_BUDGETS
from .selectors import budget_version, measure_unit_costs

TEMPLATE = "budget/_measure_cost.html"


def reads_department_budget(actor: Actor, department: Department) -> bool:
    return DEPARTMENT_BUDGETS.allows(actor, department)


def dashboard_costs(measure_ids: Sequence[int], today: datetime.date) -> dict[int, dict]:
    """Up to the last month that is over (this month's figures are partial)."""
    return measure_unit_costs(measure_ids, until=today.replace(day=1) - datetime.timedelta(days=1))


def memo_costs(measure_ids: Sequence[int], start: datetime.date, end: datetime.date) -> dict[int, dict]:
    """Up to the end of the memo's reporting period."""
    return measure_unit_costs(measure_ids, until=end)


def register() -> None:
    register_measure_context(
        MeasureContext(
            key="budget.cost_per_unit",
            template=TEMPLATE,
            visible=reads_department_budget,
            version=budget_version,
            provide=dashboard_costs,
        )
    )
    register_kpi_context(KpiContext(key="budget.cost_per_unit", template=TEMPLATE, provide=memo_costs))
