"""Every change to Stat sessions, one module per part of the lifecycle. Each function takes the acting user
(``by``; ``None`` is the system) and enforces :mod:`sessions.access` itself.

- :mod:`.series`: series, their sessions a year ahead, moves, cancellations, calendar tokens;
- :mod:`.attendees`: who sits at the table and where, and the budget analysts kept in line with the portfolios;
- :mod:`.checklist`: the preparation checklist of each session and its reminders.
"""

from .attendees import (
    attendee_add,
    attendee_remove,
    attendee_set_seat,
    sessions_sync_budget_analysts,
)
from .checklist import (
    checklist_create_standard,
    checklist_item_add,
    checklist_item_mark,
    checklist_mark,
    checklist_reschedule,
    checklist_send_reminders,
)
from .series import (
    calendar_token_of,
    calendar_token_reset,
    occurrences,
    reporting_period,
    series_create,
    series_update,
    session_cancel,
    session_move,
    session_sync_budget_analysts,
)

__all__ = [
    "attendee_add",
    "attendee_remove",
    "attendee_set_seat",
    "calendar_token_of",
    "calendar_token_reset",
    "checklist_create_standard",
    "checklist_item_add",
    "checklist_item_mark",
    "checklist_mark",
    "checklist_reschedule",
    "checklist_send_reminders",
    "occurrences",
    "reporting_period",
    "series_create",
    "series_update",
    "session_cancel",
    "session_move",
    "session_sync_budget_analysts",
    "sessions_sync_budget_analysts",
]
