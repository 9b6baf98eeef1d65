"""Celery tasks of Stat sessions: thin, and safe to run twice (a step is reminded at most once a day)."""

from __future__ import annotations

from celery import shared_task

from .services import checklist_send_reminders


@shared_task(name="stat_sessions.checklist_reminders")
def checklist_reminders_task() -> int:
    """Email the preparation steps due within a day or overdue to their assignees (beat, every hour)."""
    return checklist_send_reminders(by=None)
