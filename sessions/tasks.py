"""Celery tasks of Stat sessions: thin, each loads its object and calls a service."""

from __future__ import annotations

from celery import shared_task

from .services import memo_email_send
from .services.memo import MEMO_EMAIL_TASK


@shared_task(name=MEMO_EMAIL_TASK)
def memo_email_task(memo_id: int, kind: str) -> int:
    """Email a memo's link ("shared" or "sent"); a memo gone by then is skipped."""
    return memo_email_send(memo_id=memo_id, kind=kind, by=None)
