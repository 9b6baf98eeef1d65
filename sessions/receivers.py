"""What Stat sessions does when the apps below it say something changed (connected in ``SessionsConfig.ready``)."""

from __future__ import annotations

from .services import sessions_sync_budget_analysts


def sync_budget_analysts(sender, *, department_ids: frozenset[int], **kwargs) -> None:
    """A portfolio's coverage changed (``team.signals.portfolio_coverage_changed``): the budget analysts of those
    departments' sessions still ahead follow it, in one pass. The system does it, whoever changed the team."""
    sessions_sync_budget_analysts(department_ids=department_ids, by=None)
