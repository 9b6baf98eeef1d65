"""Every change to Stat sessions, one module per part of the lifecycle. Each function takes the acting user
(``by``; ``None`` is the system) and enforces :mod:`sessions.access` itself.

- :mod:`.series`: series, their sessions a year ahead, moves, cancellations, calendar tokens;
- :mod:`.attendees`: who sits at the table and where, and the budget analysts kept in line with the portfolios;
- :mod:`.checklist`: the preparation checklist of each session and its reminders;
- :mod:`.memo`: the briefing memo: drafted from the data, edited, shared ("no surprises"), sent and frozen;
- :mod:`.actions`: action items recorded at a session, updated, completed, merged; overdue reminders;
- :mod:`.after`: after the meeting: attendance, the follow-up memo (sent with its PDF, frozen), the anonymous survey.
"""

from .actions import (
    action_item_complete,
    action_item_create,
    action_item_merge,
    action_item_update,
    action_items_remind_overdue,
)
from .after import (
    follow_up_draft,
    follow_up_send,
    follow_up_update,
    session_hold,
    session_record_attendance,
    survey_answer,
)
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
    checklist_reschedule_series,
    checklist_send_reminders,
    step_due_at,
)
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
    series_update,
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
    "checklist_reschedule_series",
    "checklist_send_reminders",
    "follow_up_draft",
    "follow_up_send",
    "follow_up_update",
    "memo_draft",
    "memo_email_send",
    "memo_send",
    "memo_share",
    "memo_update",
    "occurrences",
    "reporting_period",
    "series_create",
    "series_update",
    "session_cancel",
    "session_hold",
    "session_move",
    "session_record_attendance",
    "session_sync_budget_analysts",
    "sessions_sync_budget_analysts",
    "step_due_at",
    "survey_answer",
    "topic_add",
    "topic_move",
    "topic_remove",
    "topic_update",
]
