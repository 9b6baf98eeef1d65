"""Stat sessions: a meeting series per department (or a cross-department initiative), its sessions a year ahead,
who sits at the table, the preparation checklist, the briefing memo and its topics, the action items and their
history, the follow-up memo, the post-session survey, and the secret token of each person's calendar feed.

A memo or follow-up memo that has been sent is frozen: ``snapshot`` holds everything it showed (text, figures,
chart data) and the pages render a sent memo from it alone, never from today's data."""

from __future__ import annotations

import secrets
import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from team.models import Department, Person

MAX_DURATION_MINUTES = 90
#: Baltimore's CitiStat code: the memo goes out at least 48 hours before the meeting.
MIN_MEMO_HOURS = 48


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
    public = models.BooleanField(
        default=False, help_text="Show this series' schedule (date, department, topic titles) on the public pages."
    )
    no_surprises = models.BooleanField(
        "no surprises",
        default=False,
        help_text="Share the briefing memo with the department before the meeting (rather than at the table).",
    )
    # The preparation checklist, counted back from each meeting (and the follow-up, forward from it).
    data_request_days = models.PositiveSmallIntegerField(
        default=14, help_text="Days before the meeting the data request goes to the department contact."
    )
    data_due_days = models.PositiveSmallIntegerField(
        default=7, help_text="Days before the meeting the department's data and materials are due."
    )
    memo_draft_days = models.PositiveSmallIntegerField(
        default=4, help_text="Days before the meeting the memo draft is due."
    )
    memo_send_hours = models.PositiveSmallIntegerField(
        default=48,
        validators=[MinValueValidator(MIN_MEMO_HOURS)],
        help_text="Hours before the meeting the memo must be sent (at least 48).",
    )
    follow_up_days = models.PositiveSmallIntegerField(
        default=2, validators=[MinValueValidator(1)], help_text="Days after the meeting the follow-up memo is due."
    )
    reply_to = models.EmailField(blank=True, help_text="Where replies to the follow-up memo go.")
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
            models.CheckConstraint(condition=models.Q(memo_send_hours__gte=MIN_MEMO_HOURS), name="series_memo_48h"),
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


class Seat(models.TextChoices):
    """Where a person sits in the room (the guide's seating plan)."""

    HEAD = "head", "Head of the table"
    TABLE = "table", "At the table"
    HOT_SEAT = "hot_seat", "Hot seat"
    SUPPORT = "support", "Support staff"
    ANALYSTS = "analysts", "Analysts' seats"
    SPECTATORS = "spectators", "Spectators"


class Attendee(models.Model):
    """A person at a session's table. ``automatic`` marks those the program added from their roles (refreshed
    while the session is ahead); ``attended`` is recorded after the meeting (empty until then)."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="attendees")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="stat_attendances")
    role = models.CharField(max_length=16, choices=SeatRole.choices, default=SeatRole.GUEST)
    automatic = models.BooleanField(default=False)
    seat = models.CharField(
        max_length=16, choices=Seat.choices, blank=True, help_text="Empty: the seat that goes with the role."
    )
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


# --- preparation ---------------------------------------------------------------------------------------------------


class ChecklistKind(models.TextChoices):
    DATA_REQUEST = "data_request", "Data request sent to the department contact"
    DATA_DUE = "data_due", "Department's data and materials received"
    MEMO_DRAFT = "memo_draft", "Memo drafted"
    MEMO_SENT = "memo_sent", "Memo sent"
    OTHER = "other", "Other"


class ChecklistItem(models.Model):
    """One step of preparing a session, due a set time before it (the series says how long)."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="checklist")
    kind = models.CharField(max_length=16, choices=ChecklistKind.choices, default=ChecklistKind.OTHER)
    title = models.CharField(max_length=200)
    due_at = models.DateTimeField()
    assignee = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="stat_checklist_items"
    )
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reminded_at = models.DateTimeField(null=True, blank=True, help_text="When the last reminder went out.")

    class Meta:
        ordering = ["session", "due_at", "pk"]
        indexes = [models.Index(fields=["done_at", "due_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "kind"],
                condition=~models.Q(kind="other"),
                name="checklist_standard_step_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.session})"


# --- the briefing memo ---------------------------------------------------------------------------------------------


class MemoState(models.TextChoices):
    DRAFT = "draft", "Draft"
    SENT = "sent", "Sent"


class Memo(models.Model):
    """A session's briefing memorandum. Edited while a draft; sending fills ``snapshot`` and nothing changes
    after that (the services refuse)."""

    session = models.OneToOneField(Session, on_delete=models.CASCADE, related_name="memo")
    to_line = models.CharField("to", max_length=300)
    from_line = models.CharField("from", max_length=300)
    memo_date = models.DateField("date")
    subject = models.CharField(max_length=300)
    state = models.CharField(max_length=8, choices=MemoState.choices, default=MemoState.DRAFT)
    drafted_at = models.DateTimeField(auto_now_add=True)
    drafted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    shared_at = models.DateTimeField(null=True, blank=True, help_text="Shared with the department (no surprises).")
    shared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    sent_at = models.DateTimeField(null=True, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    snapshot = models.JSONField(null=True, blank=True, help_text="The memo as sent: text, figures and chart data.")
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return self.subject

    @property
    def is_sent(self) -> bool:
        return self.state == MemoState.SENT


class MemoSection(models.TextChoices):
    FOLLOW_UP = "follow_up", "Follow-up"
    STANDING = "standing", "Standing items"
    NEW = "new", "New items"


class TopicKind(models.TextChoices):
    KPI = "kpi", "KPI review"
    FOLLOW_UP = "follow_up", "Open action items"
    TEXT = "text", "Topic"


class MemoTopic(models.Model):
    """One topic of a memo: a KPI under review, the open action items, or a topic the analyst writes. A KPI topic
    draws its figures and chart from its measure until the memo is sent."""

    memo = models.ForeignKey(Memo, on_delete=models.CASCADE, related_name="topics")
    section = models.CharField(max_length=16, choices=MemoSection.choices, default=MemoSection.NEW)
    kind = models.CharField(max_length=16, choices=TopicKind.choices, default=TopicKind.TEXT)
    position = models.PositiveIntegerField(default=0)
    title = models.CharField(max_length=300)
    narrative = models.TextField(blank=True)
    measure = models.ForeignKey(
        "goals.Measure", null=True, blank=True, on_delete=models.SET_NULL, related_name="memo_topics"
    )
    dataset = models.ForeignKey(
        "inventory.Dataset", null=True, blank=True, on_delete=models.SET_NULL, related_name="memo_topics"
    )
    suggested_minutes = models.PositiveSmallIntegerField(
        default=5, validators=[MinValueValidator(1), MaxValueValidator(MAX_DURATION_MINUTES)]
    )
    questions = models.TextField(blank=True, help_text="Leading questions for the panel, one per line.")

    class Meta:
        ordering = ["memo", "position", "pk"]

    def __str__(self) -> str:
        return self.title

    @property
    def question_list(self) -> list[str]:
        return [line.strip() for line in self.questions.splitlines() if line.strip()]


# --- action items --------------------------------------------------------------------------------------------------


class Priority(models.TextChoices):
    HIGH = "high", "High"
    MEDIUM = "medium", "Medium"
    LOW = "low", "Low"


class Deliverable(models.TextChoices):
    MEMO = "memo", "Memo"
    REPORT = "report", "Report"
    BRIEFING = "briefing", "Briefing"
    ANALYSIS = "analysis", "Analysis"
    PROGRAMME = "programme", "Programme"
    BUDGET_REQUEST = "budget_request", "Budget request"
    DEPLOYMENT = "deployment", "Deployment"


class ItemState(models.TextChoices):
    """What is stored. "Incomplete" is shown as not yet due or overdue, by the due date in the city's time zone
    (:class:`ItemStatus`); completion is judged on time or late once, when it happens."""

    INCOMPLETE = "incomplete", "Incomplete"
    COMPLETED_ON_TIME = "completed_on_time", "Completed on time"
    COMPLETED_LATE = "completed_late", "Completed after the deadline"
    UNDER_REVIEW = "under_review", "Under review"
    OVERTAKEN = "overtaken", "Overtaken by events"
    MERGED = "merged", "Merged"
    ON_HOLD = "on_hold", "On hold"


class ItemStatus(models.TextChoices):
    """The guide's eight statuses, as shown and filtered."""

    NOT_YET_DUE = "not_yet_due", "Incomplete (not yet due)"
    OVERDUE = "overdue", "Incomplete (overdue)"
    COMPLETED_ON_TIME = "completed_on_time", "Completed on time"
    COMPLETED_LATE = "completed_late", "Completed after the deadline"
    UNDER_REVIEW = "under_review", "Under review"
    OVERTAKEN = "overtaken", "Overtaken by events"
    MERGED = "merged", "Merged"
    ON_HOLD = "on_hold", "On hold"


#: States in which an item is still owed: they carry into the next memo's Follow-up section.
OPEN_STATES = frozenset({ItemState.INCOMPLETE, ItemState.UNDER_REVIEW, ItemState.ON_HOLD})


class ActionItem(models.Model):
    """A request or commitment recorded at a session. ``number`` counts from 1 within the session (the follow-up
    memo numbers them so)."""

    session = models.ForeignKey(Session, on_delete=models.PROTECT, related_name="action_items")
    number = models.PositiveIntegerField()
    topic = models.ForeignKey(MemoTopic, null=True, blank=True, on_delete=models.SET_NULL, related_name="action_items")
    topic_title = models.CharField(max_length=300, blank=True, help_text="The topic it was raised under.")
    title = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    owner = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="stat_action_items"
    )
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="stat_action_items")
    due_date = models.DateField()
    priority = models.CharField(max_length=8, choices=Priority.choices, default=Priority.MEDIUM)
    deliverable = models.CharField(max_length=16, choices=Deliverable.choices, default=Deliverable.MEMO)
    measure = models.ForeignKey(
        "goals.Measure", null=True, blank=True, on_delete=models.SET_NULL, related_name="stat_action_items"
    )
    dataset = models.ForeignKey(
        "inventory.Dataset", null=True, blank=True, on_delete=models.SET_NULL, related_name="stat_action_items"
    )
    state = models.CharField(max_length=20, choices=ItemState.choices, default=ItemState.INCOMPLETE)
    completed_on = models.DateField(null=True, blank=True, help_text="The day (city time) it was completed.")
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="merged_items"
    )
    overdue_reminded_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["session", "number"]
        indexes = [
            models.Index(fields=["department", "state", "due_date"]),
            models.Index(fields=["state", "due_date"]),
        ]
        constraints = [
            models.UniqueConstraint(fields=["session", "number"], name="action_item_number_once_per_session"),
            models.CheckConstraint(
                condition=models.Q(state="merged", merged_into__isnull=False)
                | (~models.Q(state="merged") & models.Q(merged_into__isnull=True)),
                name="action_item_merged_names_target",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES


def action_attachment_path(instance: ActionItemUpdate, filename: str) -> str:
    return f"stat_sessions/action_items/{instance.item_id}/{uuid.uuid4().hex}"


class ActionItemUpdate(models.Model):
    """One change to an action item: who, when, the comment, the state before and after, and an optional file."""

    item = models.ForeignKey(ActionItem, on_delete=models.CASCADE, related_name="updates")
    at = models.DateTimeField(auto_now_add=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    by_name = models.CharField(max_length=200, blank=True, help_text="Who, as named at the time.")
    comment = models.TextField(blank=True)
    old_state = models.CharField(max_length=20, choices=ItemState.choices, blank=True)
    new_state = models.CharField(max_length=20, choices=ItemState.choices, blank=True)
    attachment = models.FileField(upload_to=action_attachment_path, blank=True)
    attachment_name = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["item", "at", "pk"]

    def __str__(self) -> str:
        return f"Update of {self.item} at {self.at:%Y-%m-%d %H:%M}"


# --- the follow-up memo --------------------------------------------------------------------------------------------


class FollowUpMemo(models.Model):
    """What the department was asked for at the session, sent to its lead after it (CitiStat: within two days).
    Sending freezes ``snapshot`` and archives the PDF that was emailed."""

    session = models.OneToOneField(Session, on_delete=models.CASCADE, related_name="follow_up")
    to_line = models.CharField("to", max_length=300)
    from_line = models.CharField("from", max_length=300)
    memo_date = models.DateField("date")
    subject = models.CharField(max_length=300)
    introduction = models.TextField(blank=True)
    reply_to = models.EmailField(blank=True)
    state = models.CharField(max_length=8, choices=MemoState.choices, default=MemoState.DRAFT)
    drafted_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    snapshot = models.JSONField(null=True, blank=True)
    pdf = models.FileField(upload_to="stat_sessions/follow_ups/", blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return self.subject

    @property
    def is_sent(self) -> bool:
        return self.state == MemoState.SENT


# --- the post-session survey ---------------------------------------------------------------------------------------


class SurveyInvitation(models.Model):
    """A one-time link for one attendee. Only a hash of its secret is kept, and nothing ties it to the answer: the
    answer is stored apart, without who gave it or when beyond its session."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="survey_invitations")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="stat_survey_invitations")
    token_hash = models.CharField(max_length=64, unique=True)
    used = models.BooleanField(default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["session", "person"], name="survey_invitation_once")]

    def __str__(self) -> str:
        return f"Survey invitation for {self.session}"


class SurveyResponse(models.Model):
    """One anonymous answer to "Was this worth your time?"."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="survey_responses")
    score = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(5)])
    comment = models.TextField(blank=True, max_length=2000)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(score__gte=1, score__lte=5), name="survey_score_1_to_5")
        ]

    def __str__(self) -> str:
        return f"{self.score}/5 for {self.session}"
