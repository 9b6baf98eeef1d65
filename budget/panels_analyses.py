"""What budget shows on other apps' pages about analyses (registered in :class:`budget.apps.BudgetConfig`)."""

from __future__ import annotations

from django.http import HttpRequest

from sessions.models import ActionItem, Deliverable
from team.access import actor_for

from .access import DEPARTMENT_BUDGETS, can_edit_analyses_of
from .selectors_analyses import analyses_of_item


def action_item_analyses_context(request: HttpRequest, item: ActionItem) -> dict | None:
    """The analyses of a budget request, for those who read its department's budget (nothing for other items, nor
    for other readers); with "Add an analysis" for those who may write them."""
    if item.deliverable != Deliverable.BUDGET_REQUEST:
        return None
    actor = actor_for(request.user)
    department = item.department
    if not DEPARTMENT_BUDGETS.allows(actor, department):
        return None
    return {"rows": analyses_of_item(actor, item), "may_add": can_edit_analyses_of(actor, department)}
