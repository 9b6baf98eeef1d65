"""Celery tasks of Stat sessions: thin, each calls a service as the system, and safe to run twice (a step or an
overdue item is reminded at most once a day)."""

from __future__ import annotations

from celery import shared_task

from .services import action_items_remind_overdue, checklist_send_reminders, memo_email_send
from .services.memo import MEMO_EMAIL_TASK


@shared_task(name="stat_sessions.checklist_reminders")
def checklist_reminders_task() -> int:
    """Email the preparation steps due within a day or overdue to their assignees (beat, every hour)."""
    return checklist_send_reminders(by=None)


@shared_task(name=MEMO_EMAIL_TASK)
def memo_email_task(memo_id: int, kind: str) -> int:
    """Email a memo's link ("shared" or "sent"); a memo gone by then is skipped."""
    return memo_email_send(memo_id=memo_id, kind=kind, by=None)


@shared_task(name="sessions.remind_overdue_action_items")
def remind_overdue_action_items_task() -> int:
    """Email the overdue action items' owners (or their departments' leads); each item at most once a day."""
    return action_items_remind_overdue(by=None)
