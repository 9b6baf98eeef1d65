"""Every write of the quality app: requesting, executing and recording runs, the schedule and its sweeper,
uploads, settings, notifications and their preferences. Views, tasks, commands and the demo seeder call these."""

from .notifications import digest_send_all, notification_send, notify_failing, recipients_for
from .preferences import preference_set, settings_update
from .runs import (
    STUCK_MESSAGE,
    datasets_to_schedule,
    retry_countdown,
    run_execute,
    run_record,
    run_request,
    schedule_due,
    sweep_stuck_runs,
)
from .schedule import describe_period, next_slot, slot_for
from .sources import NoSource, source_for
from .uploads import source_upload_create, uploads_in_use, uploads_prune

__all__ = [
    "STUCK_MESSAGE",
    "NoSource",
    "datasets_to_schedule",
    "describe_period",
    "digest_send_all",
    "next_slot",
    "notification_send",
    "notify_failing",
    "preference_set",
    "recipients_for",
    "retry_countdown",
    "run_execute",
    "run_record",
    "run_request",
    "schedule_due",
    "settings_update",
    "slot_for",
    "source_for",
    "source_upload_create",
    "sweep_stuck_runs",
    "uploads_in_use",
    "uploads_prune",
]
