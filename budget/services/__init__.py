"""Actions that change the budget, one module per area: import them from their module (``budget.services.analyses``
for cost-benefit analyses)."""
