"""The quality models in Django's admin, to look things up: runs and their results are written by the checks
alone, and settings and notification preferences by their pages, all through ``quality.services`` (one write path),
so the admin shows every row and changes none."""

from __future__ import annotations

from django.contrib import admin

from team.access import actor_for

from .access import can_read_sensitive_values
from .models import (
    CheckResult,
    DatasetQuality,
    DatasetQualitySettings,
    NotificationPreference,
    QualityNotification,
    QualityRun,
    SourceUpload,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Shows everything, changes nothing (an edit here would bypass the services, or falsify a run's history)."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class CheckResultInline(admin.TabularInline):
    """A run's checks. Their example rows are the dataset's data: listed only to those who see all of it, personal
    columns included (``quality.access.can_read_sensitive_values``); the run's page shows the others what they may."""

    model = CheckResult
    fields = ["position", "name", "column", "status", "value", "message", "examples"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def get_fields(self, request, obj=None):
        if obj is not None and can_read_sensitive_values(actor_for(request.user), obj.dataset):
            return self.fields
        return [name for name in self.fields if name != "examples"]


@admin.register(QualityRun)
class QualityRunAdmin(ReadOnlyAdmin):
    list_display = ["dataset", "slot", "trigger", "state", "outcome", "score", "row_count", "finished_at"]
    list_filter = ["state", "outcome", "trigger"]
    search_fields = ["dataset__title", "dataset__identifier", "message"]
    date_hierarchy = "slot"
    list_select_related = ["dataset"]
    inlines = [CheckResultInline]


@admin.register(DatasetQuality)
class DatasetQualityAdmin(ReadOnlyAdmin):
    list_display = ["dataset", "outcome", "score", "stale", "checked_at", "failing_since", "next_due_at"]
    list_filter = ["outcome", "stale"]
    search_fields = ["dataset__title", "dataset__identifier"]
    list_select_related = ["dataset"]


@admin.register(SourceUpload)
class SourceUploadAdmin(ReadOnlyAdmin):
    list_display = ["original_name", "dataset", "size", "uploaded_by", "uploaded_at"]
    search_fields = ["original_name", "dataset__title"]
    list_select_related = ["dataset", "uploaded_by"]


@admin.register(QualityNotification)
class QualityNotificationAdmin(ReadOnlyAdmin):
    list_display = ["person", "run", "created_at", "sent_at"]
    list_filter = ["sent_at"]
    search_fields = ["person__full_name", "run__dataset__title"]
    list_select_related = ["person", "run__dataset"]


@admin.register(DatasetQualitySettings)
class DatasetQualitySettingsAdmin(ReadOnlyAdmin):
    list_display = ["dataset", "enabled", "date_column", "max_bytes", "updated_at", "updated_by"]
    list_filter = ["enabled"]
    search_fields = ["dataset__title", "dataset__identifier"]
    list_select_related = ["dataset", "updated_by"]


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(ReadOnlyAdmin):
    list_display = ["person", "delivery", "updated_at"]
    list_filter = ["delivery"]
    search_fields = ["person__full_name", "person__email"]
