"""What the team tells the apps above it (STYLE.md: a lower app that must tell a higher one something sends a
signal, which the higher app connects in its ``AppConfig.ready``).

``portfolio_coverage_changed``: which budget analysts cover which departments changed (a portfolio role was
assigned or ended, a portfolio's departments changed, a department moved to another portfolio). Sent inside the
service's transaction, after the change, with ``department_ids`` (a frozenset of the departments whose coverage
may differ). Receivers act in the same transaction: if they fail, the change is undone too.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.dispatch import Signal

portfolio_coverage_changed = Signal()


def send_portfolio_coverage_changed(department_ids: Iterable[int | None]) -> None:
    ids = frozenset(pk for pk in department_ids if pk is not None)
    if ids:
        portfolio_coverage_changed.send(sender=None, department_ids=ids)
