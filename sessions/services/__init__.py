"""Every change to Stat sessions, one module per part of the lifecycle. Each function takes the acting user
(``by``; ``None`` is the system) and enforces :mod:`sessions.access` itself.

- :mod:`.series`: series, their sessions a year ahead, moves, cancellations, attendees, calendar tokens.
- :mod:`.memo`: the briefing memo: drafted from the data, edited, shared ("no surprises"), sent and frozen.
"""

from .memo import (
    memo_draft,
    memo_email_send,
    memo_send,
    memo_share,
    memo_update,
    topic_add,
    topic_move,
    topic_remove,
    topic_update,
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
    "calendar_token_of",
    "calendar_token_reset",
    "memo_draft",
    "memo_email_send",
    "memo_send",
    "memo_share",
    "memo_update",
    "occurrences",
    "reporting_period",
    "series_create",
    "session_cancel",
    "session_move",
    "session_sync_budget_analysts",
    "topic_add",
    "topic_move",
    "topic_remove",
    "topic_update",
]
