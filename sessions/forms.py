"""The forms of the sessions pages: attendance, the follow-up memo's header, the post-session survey."""

from __future__ import annotations

from django import forms

from team.forms import DateInput

from .services.after import SURVEY_COMMENT_MAX

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
