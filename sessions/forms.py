"""Forms of the Stat sessions pages. They parse and check input; the services validate the rest and write (their
ValidationError shows next to the field it names)."""

from __future__ import annotations

from django import forms

from inventory.models import Dataset
from team.forms import DateInput

from .models import MAX_DURATION_MINUTES, MemoSection


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
