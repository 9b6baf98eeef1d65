"""Groups of session states the pages, selectors and services agree on (the states themselves are in models)."""

from .models import SessionState

#: A session still ahead of its meeting: its attendees follow the roles, its preparation checklist counts (a
#: cancelled or held session's open steps are neither overdue nor reminded).
AHEAD_STATES = (SessionState.PLANNED, SessionState.MEMO_DRAFTED, SessionState.MEMO_SENT)
