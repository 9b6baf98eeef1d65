"""Every change to Stat sessions, one module per part of the lifecycle. Each function takes the acting user
(``by``; ``None`` is the system) and enforces :mod:`sessions.access` itself.

- :mod:`.series`: series, their sessions a year ahead, moves, cancellations, attendees, calendar tokens.
- :mod:`.actions`: action items recorded at a session, updated, completed, merged; overdue reminders.
"""

from .actions import (
    action_item_complete,
    action_item_create,
    action_item_merge,
    action_item_update,
    action_items_remind_overdue,
)
from .series import (
    calendar_token_of,
    calendar_token_reset,
    occurrences,
    reporting_period,
    series_create,
    session_cancel,
    session_move,
    session_sync_budget_analysts,
)

__all__ = [
    "action_item_complete",
    "action_item_create",
    "action_item_merge",
    "action_item_update",
    "action_items_remind_overdue",
    "calendar_token_of",
    "calendar_token_reset",
    "occurrences",
    "reporting_period",
    "series_create",
    "session_cancel",
    "session_move",
    "session_sync_budget_analysts",
]
