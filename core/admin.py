from django.contrib import admin
from django.utils import timezone
from django.utils.timesince import timesince

from .models import OutboxMessage, WorkerHeartbeat


@admin.register(WorkerHeartbeat)
class WorkerHeartbeatAdmin(admin.ModelAdmin):
    """Read-only: the heartbeat task writes these rows; staff look at them to see that workers are alive."""

    list_display = ["worker", "last_seen", "seen_ago", "beats"]
    search_fields = ["worker"]
    fields = ["worker", "last_seen", "beats"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description="seen", ordering="-last_seen")
    def seen_ago(self, heartbeat: WorkerHeartbeat) -> str:
        return f"{timesince(heartbeat.last_seen, timezone.now())} ago"


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    """Read-only: the tasks waiting for the task queue (Redis was down when they were asked for); the drain sends
    them when it is back and deletes the rows, so an empty list is the normal state."""

    list_display = ["task", "args", "created_at", "attempts", "last_error"]
    list_filter = ["task"]
    fields = ["task", "args", "kwargs", "created_at", "sending_since", "attempts", "last_error"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
