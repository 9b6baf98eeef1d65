"""The action-item tracker's filters, shared by the page, its CSV export and the API: department (slug), status (one
of the guide's eight, computed in SQL), owner (a person's id) and session (its id)."""

from __future__ import annotations

from django.db.models import QuerySet
from django_filters import rest_framework as filters

from core.forms import ListPageForm, ListSelect
from team.models import Department, Person

from .models import ActionItem, ItemStatus, Session
from .selectors_actions import status_q


class ActionItemFilter(filters.FilterSet):
    department = filters.ModelChoiceFilter(
        label="Department",
        queryset=Department.objects.order_by("name"),
        to_field_name="slug",
        empty_label="Any department",
        help_text="The department's slug.",
        widget=ListSelect,
    )
    status = filters.ChoiceFilter(
        label="Status",
        choices=ItemStatus.choices,
        empty_label="Any status",
        method="filter_status",
        help_text="One of the eight statuses; not yet due and overdue are judged by the city's date.",
        widget=ListSelect,
    )
    owner = filters.ModelChoiceFilter(
        label="Owner",
        queryset=Person.objects.order_by("full_name"),
        empty_label="Anyone",
        help_text="The owner's person id.",
        widget=ListSelect,
    )
    session = filters.ModelChoiceFilter(
        label="Session",
        queryset=Session.objects.select_related("series").order_by("-starts_at"),
        empty_label="Any session",
        help_text="The session's id.",
        widget=ListSelect,
    )

    class Meta:
        model = ActionItem
        fields = ["department", "status", "owner", "session"]
        form = ListPageForm

    def filter_status(self, queryset: QuerySet[ActionItem], name: str, value: str) -> QuerySet[ActionItem]:
        return queryset.filter(status_q(value)) if value else queryset


def use_tracker_choices(form, *, owners: list[tuple[int, str]], sessions: list[tuple[int, str]]) -> None:
    """Give the owner and session selects the options the reader's items have (read once by the view), instead of
    every person and every session of the city."""
    form.fields["owner"].widget.choices = [("", "Anyone"), *owners]
    form.fields["session"].widget.choices = [("", "Any session"), *sessions]
    form.fields["department"].widget.choices = [
        ("", "Any department"),
        *Department.objects.order_by("name").values_list("slug", "name"),
    ]
