"""Stat sessions: a meeting series per department (or a cross-department initiative), its sessions a year ahead,
who sits at the table, and the secret token of each person's calendar feed."""

from __future__ import annotations

import secrets
import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from team.models import Department, Person

MAX_DURATION_MINUTES = 90


def default_time_zone() -> str:
    return settings.TIME_ZONE


def new_calendar_secret() -> str:
    return secrets.token_urlsafe(32)


class Cadence(models.TextChoices):
    WEEKLY = "weekly", "Weekly"
    BIWEEKLY = "biweekly", "Every two weeks"
    MONTHLY = "monthly", "Monthly"
    EVERY_N_WEEKS = "every_n_weeks", "Every N weeks"
    RRULE = "rrule", "Custom (RFC 5545 RRULE)"


class Series(models.Model):
    """A meeting series: PoliceStat for a department, BlightStat for a cross-department initiative."""

    name = models.CharField(max_length=200, unique=True)
    department = models.ForeignKey(
        Department,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="stat_series",
        help_text="Empty for a cross-department initiative.",
    )
    cadence = models.CharField(max_length=16, choices=Cadence.choices, default=Cadence.MONTHLY)
    interval_weeks = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1)], help_text="For “every N weeks”."
    )
    rrule = models.TextField(blank=True, help_text="An RFC 5545 RRULE, for a custom cadence (FREQ=MONTHLY;BYDAY=2TH).")
    place = models.CharField(max_length=200, blank=True)
    start_time = models.TimeField()
    duration_minutes = models.PositiveSmallIntegerField(
        default=60, validators=[MinValueValidator(1), MaxValueValidator(MAX_DURATION_MINUTES)]
    )
    time_zone = models.CharField(max_length=64, default=default_time_zone)
    default_attendees = models.ManyToManyField(Person, blank=True, related_name="default_stat_series")
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "series"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(duration_minutes__gte=1, duration_minutes__lte=MAX_DURATION_MINUTES),
                name="series_duration_1_to_90",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class SessionState(models.TextChoices):
    PLANNED = "planned", "Planned"
    MEMO_DRAFTED = "memo_drafted", "Memo drafted"
    MEMO_SENT = "memo_sent", "Memo sent"
    HELD = "held", "Held"
    FOLLOW_UP_SENT = "follow_up_sent", "Follow-up sent"
    CANCELLED = "cancelled", "Cancelled"


#: The states after which a session has taken place: its attendees are history, not refreshed any more.
HELD_STATES = frozenset({SessionState.HELD, SessionState.FOLLOW_UP_SENT})


class Session(models.Model):
    """One meeting of a series. ``uid`` never changes (calendars recognise the event by it); ``sequence`` rises on
    every change a calendar must pick up. A cancelled session is kept, so feeds can say STATUS:CANCELLED."""

    series = models.ForeignKey(Series, on_delete=models.CASCADE, related_name="sessions")
    starts_at = models.DateTimeField()
    duration_minutes = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(MAX_DURATION_MINUTES)]
    )
    place = models.CharField(max_length=200, blank=True)
    period_start = models.DateField(null=True, blank=True, help_text="First day of the reporting period reviewed.")
    period_end = models.DateField(null=True, blank=True, help_text="Last day of the reporting period reviewed.")
    state = models.CharField(max_length=16, choices=SessionState.choices, default=SessionState.PLANNED)
    planned_at = models.DateTimeField(auto_now_add=True)
    memo_drafted_at = models.DateTimeField(null=True, blank=True)
    memo_sent_at = models.DateTimeField(null=True, blank=True)
    held_at = models.DateTimeField(null=True, blank=True)
    follow_up_sent_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    sequence = models.PositiveIntegerField(default=0)
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["starts_at", "pk"]
        indexes = [models.Index(fields=["series", "starts_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(duration_minutes__gte=1, duration_minutes__lte=MAX_DURATION_MINUTES),
                name="session_duration_1_to_90",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.series} {self.starts_at:%Y-%m-%d}"

    @property
    def is_cancelled(self) -> bool:
        return self.state == SessionState.CANCELLED


class SeatRole(models.TextChoices):
    PRINCIPAL = "principal", "Principal (head of the table)"
    STAT_TEAM = "stat_team", "Stat team"
    DEPARTMENT = "department", "Department"
    BUDGET = "budget", "Budget analyst"
    GUEST = "guest", "Invited"


class Attendee(models.Model):
    """A person at a session's table. ``automatic`` marks those the program added from their roles (refreshed
    while the session is ahead); ``attended`` is recorded after the meeting (empty until then)."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="attendees")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="stat_attendances")
    role = models.CharField(max_length=16, choices=SeatRole.choices, default=SeatRole.GUEST)
    automatic = models.BooleanField(default=False)
    attended = models.BooleanField(null=True, blank=True)

    class Meta:
        ordering = ["session", "role", "person__full_name"]
        constraints = [models.UniqueConstraint(fields=["session", "person"], name="attendee_once_per_session")]

    def __str__(self) -> str:
        return f"{self.person} at {self.session}"


class CalendarToken(models.Model):
    """The secret in a person's personal calendar URL. Resetting it replaces the secret: the old URL stops."""

    person = models.OneToOneField(Person, on_delete=models.CASCADE, related_name="calendar_token")
    token = models.CharField(max_length=64, unique=True, default=new_calendar_secret)
    reset_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Calendar token of {self.person}"
