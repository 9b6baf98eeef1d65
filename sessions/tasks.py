"""Celery tasks of Stat sessions: thin and safe to run twice; each calls a service as the system."""

from __future__ import annotations

from celery import shared_task

from .services import action_items_remind_overdue


@shared_task(name="sessions.remind_overdue_action_items")
def remind_overdue_action_items_task() -> int:
    """Email the overdue action items' owners (or their departments' leads); each item at most once a day."""
    return action_items_remind_overdue(by=None)
