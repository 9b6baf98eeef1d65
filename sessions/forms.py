"""Forms for the Stat sessions pages. They parse and check input; the services in :mod:`sessions.services` check the
rest and write (their ValidationError shows next to the field it names)."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from goals.models import Measure
from inventory.models import Dataset
from team.forms import DateInput
from team.models import Department, Person

from .models import OPEN_STATES, ActionItem, Deliverable, ItemState, MemoTopic, Priority, Session
from .services.actions import ATTACHMENT_EXTENSIONS, ATTACHMENT_MAX_BYTES, UPDATE_STATES

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


class ActionItemMergeForm(forms.Form):
    into = forms.ModelChoiceField(
        label="Merge into", queryset=ActionItem.objects.none(), empty_label="- Choose an open item -"
    )
    comment = forms.CharField(label="Why", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, item: ActionItem, **kwargs):
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
            lambda other: (
                f"{other.session.series.name} {other.session.starts_at:%Y-%m-%d}, item {other.number}: {other.title}"
            )
        )
