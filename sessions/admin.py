from django.contrib import admin

from .models import Attendee, Series, Session


class AttendeeInline(admin.TabularInline):
    model = Attendee
    extra = 0
    autocomplete_fields = ["person"]


@admin.register(Series)
class SeriesAdmin(admin.ModelAdmin):
    list_display = ["name", "department", "cadence", "start_time", "duration_minutes", "place"]
    list_filter = ["cadence", "department"]
    search_fields = ["name"]
    filter_horizontal = ["default_attendees"]


@admin.register(Session)
class SessionAdmin(admin.ModelAdmin):
    list_display = ["series", "starts_at", "state", "place", "sequence"]
    list_filter = ["state", "series"]
    date_hierarchy = "starts_at"
    readonly_fields = ["uid", "sequence"]
    inlines = [AttendeeInline]
