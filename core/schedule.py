"""The one place the periodic schedule is declared. ``manage.py sync_schedule`` writes it to django-celery-beat."""

#: name -> (task, every N seconds)
PERIODIC_TASKS: dict[str, tuple[str, int]] = {
    "worker heartbeat": ("core.heartbeat", 60),
    # Send the tasks left waiting in the outbox while the broker was down (core.outbox).
    "task outbox drain": ("core.outbox_drain", 60),
    # Queue the quality checks that are due (each dataset once per period of its update frequency).
    "quality checks due": ("quality.schedule_due", 15 * 60),
    # Free (and retry) quality runs whose worker died, within minutes; send again runs whose message was lost.
    "quality sweep stuck runs": ("quality.sweep_stuck_runs", 60),
    # Send again, within minutes, the computations of measures whose worker died (or whose message was lost).
    "goals sweep stuck computations": ("goals.sweep_stuck_computations", 60),
    # Daily digests of failing datasets (each person at most one a day, after QUALITY_DIGEST_HOUR).
    "quality daily digests": ("quality.send_digests", 60 * 60),
    # Delete uploaded data files past each dataset's newest QUALITY_UPLOADS_KEPT, sparing those runs still show.
    "quality prune uploads": ("quality.prune_uploads", 24 * 60 * 60),
    # Remind assignees of Stat sessions' preparation steps due within a day or overdue (each at most once a day).
    "stat sessions checklist reminders": ("stat_sessions.checklist_reminders", 60 * 60),
    # Remind the owners of overdue Stat action items (each item at most once a day, whatever the interval).
    "sessions overdue action items": ("sessions.remind_overdue_action_items", 60 * 60),
}
