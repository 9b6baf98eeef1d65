"""Forms for the Stat sessions pages. They parse and check input; the services in ``sessions.services`` validate
the rest and write (their ValidationError shows next to the field it names)."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

from django import forms
from django.core.exceptions import ValidationError

from goals.models import Measure
from inventory.models import Dataset
from team.forms import DateInput
from team.models import Department, Person

from .models import (
    MAX_DURATION_MINUTES,
    MIN_MEMO_HOURS,
    OPEN_STATES,
    ActionItem,
    Cadence,
    Deliverable,
    ItemState,
    MemoSection,
    MemoTopic,
    Priority,
    Seat,
    SeatRole,
    Series,
    Session,
)
from .selectors_memo import session_words
from .services.actions import ATTACHMENT_EXTENSIONS, ATTACHMENT_MAX_BYTES, UPDATE_STATES
from .services.after import SURVEY_COMMENT_MAX
from .services.series import SETTING_FIELDS


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%H:%M")


def _people():
    return Person.objects.filter(active=True).order_by("full_name")


class SeriesForm(forms.Form):
    """A series: its schedule (on creation only: its sessions are then booked), its defaults and its settings."""

    name = forms.CharField(label="Name", max_length=200, help_text="e.g. PoliceStat, BlightStat.")
    department = forms.ModelChoiceField(
        label="Department",
        queryset=Department.objects.none(),
        required=False,
        empty_label="- Several departments (an initiative) -",
    )
    cadence = forms.ChoiceField(label="Cadence", choices=Cadence.choices)
    interval_weeks = forms.IntegerField(
        label="Every how many weeks", min_value=1, max_value=52, required=False, help_text="For “every N weeks”."
    )
    rrule = forms.CharField(
        label="Custom rule (RRULE)",
        required=False,
        max_length=500,
        help_text="For a custom cadence, e.g. FREQ=MONTHLY;BYDAY=2TH (the second Thursday of each month).",
    )
    start_date = forms.DateField(label="First meeting", widget=DateInput(), help_text="A year of sessions from here.")
    start_time = forms.TimeField(label="Start time", widget=TimeInput())
    time_zone = forms.CharField(label="Time zone", max_length=64)
    duration_minutes = forms.IntegerField(
        label="Duration (minutes)", min_value=1, max_value=MAX_DURATION_MINUTES, initial=60, help_text="At most 90."
    )
    place = forms.CharField(label="Default place", max_length=200, required=False)
    default_attendees = forms.ModelMultipleChoiceField(
        label="Default attendees",
        queryset=Person.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text="Invited to every session, besides those at the table for their role (the principal, the Stat "
        "lead, the department's lead and contacts, its budget analysts).",
    )
    public = forms.BooleanField(
        label="Publish the schedule",
        required=False,
        help_text="Show its sessions (date, department, and the topics once the memo is sent) on the public pages.",
    )
    no_surprises = forms.BooleanField(
        label="No surprises",
        required=False,
        help_text="Share the briefing memo with the department before the meeting.",
    )
    data_request_days = forms.IntegerField(label="Data request (days before)", min_value=0, max_value=365, initial=14)
    data_due_days = forms.IntegerField(label="Data due (days before)", min_value=0, max_value=365, initial=7)
    memo_draft_days = forms.IntegerField(label="Memo draft due (days before)", min_value=0, max_value=365, initial=4)
    memo_send_hours = forms.IntegerField(
        label="Memo sent (hours before)",
        min_value=MIN_MEMO_HOURS,
        max_value=24 * 365,
        initial=48,
        help_text="At least 48.",
    )
    follow_up_days = forms.IntegerField(label="Follow-up memo (days after)", min_value=1, max_value=365, initial=2)
    reply_to = forms.EmailField(
        label="Reply-to address", required=False, help_text="Where replies to the follow-up memo go."
    )

    #: The fields fixed once the sessions are booked.
    SCHEDULE_FIELDS = ("department", "cadence", "interval_weeks", "rrule", "start_date", "start_time", "time_zone")

    def __init__(self, *args, series: Series | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.series = series
        self.fields["department"].queryset = Department.objects.filter(active=True).order_by("name")
        people = _people()
        if series is not None:
            people = (people | series.default_attendees.all()).distinct().order_by("full_name")
            for name in self.SCHEDULE_FIELDS:
                del self.fields[name]
        self.fields["default_attendees"].queryset = people

    MEETING_FIELDS = (
        "name",
        "department",
        "cadence",
        "interval_weeks",
        "rrule",
        "start_date",
        "start_time",
        "time_zone",
        "duration_minutes",
        "place",
        "default_attendees",
    )

    @property
    def meeting_fields(self) -> list:
        """The bound fields of the meeting itself (the schedule's only on creation), for the form's first group."""
        return [self[name] for name in self.MEETING_FIELDS if name in self.fields]

    def clean_rrule(self) -> str:
        return self.cleaned_data["rrule"].strip()

    @property
    def create_fields(self) -> dict:
        return dict(self.cleaned_data)

    @property
    def update_fields(self) -> dict:
        data = dict(self.cleaned_data)
        return {name: data[name] for name in ("name", "place", "duration_minutes", *SETTING_FIELDS)}


def series_initial(series: Series) -> dict:
    initial = {name: getattr(series, name) for name in ("name", "place", "duration_minutes", *SETTING_FIELDS)}
    initial["default_attendees"] = list(series.default_attendees.values_list("pk", flat=True))
    return initial


class SessionMoveForm(forms.Form):
    """A new date, time and place for one session, in its series' time zone."""

    date = forms.DateField(label="Date", widget=DateInput())
    time = forms.TimeField(label="Start time", widget=TimeInput())
    place = forms.CharField(label="Place", max_length=200, required=False)

    def __init__(self, *args, session: Session, **kwargs):
        self.zone = ZoneInfo(session.series.time_zone)
        local = session.starts_at.astimezone(self.zone)
        kwargs.setdefault("initial", {"date": local.date(), "time": local.time(), "place": session.place})
        super().__init__(*args, **kwargs)
        self.fields["time"].help_text = f"In {session.series.time_zone} time."

    @property
    def starts_at(self) -> datetime.datetime:
        return datetime.datetime.combine(self.cleaned_data["date"], self.cleaned_data["time"], tzinfo=self.zone)


class SessionCancelForm(forms.Form):
    confirm = forms.BooleanField(
        label="Yes, cancel this session",
        help_text="It stays in the calendars, marked cancelled. This cannot be undone.",
    )


class AttendeeAddForm(forms.Form):
    person = forms.ModelChoiceField(label="Person", queryset=Person.objects.none(), empty_label="- Choose someone -")
    role = forms.ChoiceField(label="Role at the table", choices=SeatRole.choices, initial=SeatRole.GUEST)
    seat = forms.ChoiceField(
        label="Seat", choices=[("", "The seat that goes with the role"), *Seat.choices], required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = _people()


class AttendeeSeatForm(forms.Form):
    seat = forms.ChoiceField(
        label="Seat", choices=[("", "The seat that goes with the role"), *Seat.choices], required=False
    )


class ChecklistAddForm(forms.Form):
    title = forms.CharField(label="Step", max_length=200)
    due_date = forms.DateField(label="Due date", widget=DateInput())
    due_time = forms.TimeField(label="Due time", widget=TimeInput(), initial=datetime.time(17, 0))
    assignee = forms.ModelChoiceField(
        label="Who does it", queryset=Person.objects.none(), required=False, empty_label="- Nobody in particular -"
    )

    def __init__(self, *args, session: Session, **kwargs):
        super().__init__(*args, **kwargs)
        self.zone = ZoneInfo(session.series.time_zone)
        self.fields["assignee"].queryset = _people()

    @property
    def due_at(self) -> datetime.datetime:
        return datetime.datetime.combine(self.cleaned_data["due_date"], self.cleaned_data["due_time"], tzinfo=self.zone)


# --- the memo ---------------------------------------------------------------------------------------------------


class MemoHeaderForm(forms.Form):
    to_line = forms.CharField(label="To", max_length=300)
    from_line = forms.CharField(label="From", max_length=300)
    memo_date = forms.DateField(label="Date", widget=DateInput)
    subject = forms.CharField(label="Subject", max_length=300)


class TopicForm(forms.Form):
    title = forms.CharField(label="Title", max_length=300)
    section = forms.ChoiceField(label="Section", choices=MemoSection.choices, initial=MemoSection.NEW)
    narrative = forms.CharField(
        label="Narrative", required=False, widget=forms.Textarea(attrs={"rows": 4}), help_text="What the panel reads."
    )
    suggested_minutes = forms.IntegerField(
        label="Suggested minutes", min_value=1, max_value=MAX_DURATION_MINUTES, initial=5
    )
    questions = forms.CharField(
        label="Leading questions",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For the panel, one per line.",
    )


class TopicEditForm(TopicForm):
    dataset = forms.ModelChoiceField(
        label="Data source",
        queryset=Dataset.objects.none(),
        required=False,
        empty_label="- None -",
        help_text="The inventoried dataset behind this topic.",
    )

    def __init__(self, *args, datasets=None, **kwargs):
        super().__init__(*args, **kwargs)
        if datasets is not None:
            self.fields["dataset"].queryset = datasets  # type: ignore[attr-defined]


class TopicMoveForm(forms.Form):
    direction = forms.ChoiceField(choices=[("up", "Up"), ("down", "Down")], required=False)
    position = forms.IntegerField(min_value=1, required=False)

    def clean(self):
        data = super().clean()
        if not data.get("direction") and data.get("position") is None:
            raise forms.ValidationError("Say up, down or a position.")
        return data


# --- after the meeting --------------------------------------------------------------------------------------------


SCORE_CHOICES = [
    ("1", "1: not at all"),
    ("2", "2: a little"),
    ("3", "3: somewhat"),
    ("4", "4: mostly"),
    ("5", "5: very much"),
]


class AttendanceForm(forms.Form):
    attended = forms.MultipleChoiceField(
        label="Who attended",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Tick everyone who was in the room. Those not ticked are recorded as absent.",
    )

    def __init__(self, *args, attendees=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attended"].choices = [
            (str(attendee.person_id), f"{attendee.person.full_name} ({attendee.get_role_display()})")
            for attendee in attendees
        ]


class FollowUpForm(forms.Form):
    to_line = forms.CharField(label="To", max_length=300)
    from_line = forms.CharField(label="From", max_length=300)
    memo_date = forms.DateField(label="Date", widget=DateInput())
    subject = forms.CharField(label="Subject", max_length=300)
    introduction = forms.CharField(label="Introduction", required=False, widget=forms.Textarea(attrs={"rows": 4}))
    reply_to = forms.EmailField(
        label="Replies to",
        required=False,
        help_text="The email address the department sends its replies to.",
    )


class SurveyForm(forms.Form):
    score = forms.ChoiceField(
        label="Was this session worth your time?", choices=SCORE_CHOICES, widget=forms.RadioSelect
    )
    comment = forms.CharField(
        label="Anything to add? (optional)",
        required=False,
        max_length=SURVEY_COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Please leave out your name and anything that would tell who you are.",
    )


# --- action items -------------------------------------------------------------------------------------------------


ATTACHMENT_HINT = (
    f"Optional. PDF, office documents, CSV, text or an image ({', '.join(sorted(ATTACHMENT_EXTENSIONS))}), "
    f"up to {ATTACHMENT_MAX_BYTES // (1024 * 1024)} MB."
)


def apply_errors(form: forms.Form, error: ValidationError) -> None:
    """Show a service's ValidationError next to the fields it names (the others above the form)."""
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages)
    else:
        form.add_error(None, error.messages)


class ActionItemForm(forms.Form):
    """Record a request made at the session."""

    title = forms.CharField(label="What was asked for", max_length=300)
    department = forms.ModelChoiceField(label="Department", queryset=Department.objects.none(), empty_label=None)
    owner = forms.ModelChoiceField(
        label="Owner", queryset=Person.objects.none(), required=False, empty_label="- No one named yet -"
    )
    due_date = forms.DateField(label="Due date", widget=DateInput)
    priority = forms.ChoiceField(label="Priority", choices=Priority.choices, initial=Priority.MEDIUM)
    deliverable = forms.ChoiceField(label="Deliverable", choices=Deliverable.choices, initial=Deliverable.MEMO)
    topic = forms.ModelChoiceField(
        label="Topic", queryset=MemoTopic.objects.none(), required=False, empty_label="- No topic -"
    )
    measure = forms.ModelChoiceField(
        label="Measure it concerns", queryset=Measure.objects.none(), required=False, empty_label="- None -"
    )
    dataset = forms.ModelChoiceField(
        label="Dataset it concerns", queryset=Dataset.objects.none(), required=False, empty_label="- None -"
    )
    description = forms.CharField(label="Details", required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, session: Session, measures, datasets, **kwargs):
        """``measures`` and ``datasets``: those the recorder may read."""
        super().__init__(*args, **kwargs)
        department = session.series.department
        fields = self.fields
        fields["department"].queryset = Department.objects.filter(active=True).order_by("name")  # type: ignore[attr-defined]
        if department is not None:
            fields["department"].initial = department.pk
        fields["owner"].queryset = (  # type: ignore[attr-defined]
            Person.objects.filter(active=True).select_related("department").order_by("full_name")
        )
        fields["owner"].label_from_instance = (  # type: ignore[attr-defined]
            lambda person: f"{person.full_name} ({person.department.name})" if person.department else person.full_name
        )
        fields["topic"].queryset = MemoTopic.objects.filter(memo__session=session).order_by(  # type: ignore[attr-defined]
            "position", "pk"
        )
        if department is not None:
            # A department's series: its own measures and datasets (the city holds thousands of datasets).
            measures = measures.filter(department=department)
            datasets = datasets.filter(department=department)
        fields["measure"].queryset = measures.order_by("name")  # type: ignore[attr-defined]
        fields["dataset"].queryset = datasets.order_by("title")  # type: ignore[attr-defined]


class ActionItemUpdateForm(forms.Form):
    """A department's update of an item: a comment, an optional file, a new state; the Stat team may move the due
    date."""

    state = forms.ChoiceField(label="Status", required=False)
    comment = forms.CharField(label="Comment", required=False, widget=forms.Textarea(attrs={"rows": 4}))
    attachment = forms.FileField(label="Attachment", required=False, help_text=ATTACHMENT_HINT)
    due_date = forms.DateField(label="Due date", required=False, widget=DateInput)

    def __init__(self, *args, item: ActionItem, stat_team: bool, **kwargs):
        super().__init__(*args, **kwargs)
        states = [(value, label) for value, label in ItemState.choices if value in UPDATE_STATES]
        if item.state not in UPDATE_STATES:
            states.insert(0, (item.state, ItemState(item.state).label))
        if item.state not in OPEN_STATES and not stat_team:
            states = [(item.state, ItemState(item.state).label)]
        self.fields["state"].choices = states  # type: ignore[attr-defined]
        self.fields["state"].initial = item.state
        if stat_team:
            self.fields["due_date"].initial = item.due_date
            self.fields["due_date"].help_text = "The Stat team may move it; the history says from when to when."
        else:
            del self.fields["due_date"]

    def clean_attachment(self):
        upload = self.cleaned_data.get("attachment")
        if upload is not None and upload.size > ATTACHMENT_MAX_BYTES:
            raise ValidationError(f"The file is larger than {ATTACHMENT_MAX_BYTES // (1024 * 1024)} MB.")
        return upload


class ActionItemCompleteForm(forms.Form):
    completed_on = forms.DateField(
        label="Completed on",
        required=False,
        widget=DateInput,
        help_text="Leave empty for today. On or before the due date counts as on time.",
    )
    comment = forms.CharField(label="What was delivered", required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        # Its own ids: the item's page also holds the update form, whose comment would otherwise share its id.
        kwargs.setdefault("auto_id", "id_complete_%s")
        super().__init__(*args, **kwargs)


class ActionItemMergeForm(forms.Form):
    into = forms.ModelChoiceField(
        label="Merge into", queryset=ActionItem.objects.none(), empty_label="- Choose an open item -"
    )
    comment = forms.CharField(label="Why", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, item: ActionItem, **kwargs):
        kwargs.setdefault("auto_id", "id_merge_%s")  # beside the update and complete forms on the item's page
        super().__init__(*args, **kwargs)
        field = self.fields["into"]
        field.queryset = (  # type: ignore[attr-defined]
            # The open items of the same department raised in the same series: where duplicates arise.
            ActionItem.objects.filter(
                department_id=item.department_id,
                session__series_id=item.session.series_id,
                state__in=sorted(OPEN_STATES),
            )
            .exclude(pk=item.pk)
            .select_related("session__series")
            .order_by("-session__starts_at", "number")
        )
        field.label_from_instance = (  # type: ignore[attr-defined]
            lambda other: f"{session_words(other.session)}, item {other.number}: {other.title}"
        )
