"""Filters for the dataset lists: the signed-in inventory, the public catalogue and the API share them.

Values are the stable names a link can carry: a department's slug, a theme's or keyword's name, an initiative's
slug, the status and access level codes, the DCAT-US frequency (``R/P1M``...).
"""

from __future__ import annotations

from django import forms
from django.db.models import QuerySet
from django_filters import rest_framework as filters

from quality.selectors import QualityState, datasets_in_quality_state
from team.access import actor_for
from team.models import Department

from . import selectors
from .models import AccessLevel, Dataset, Frequency, Initiative, Status, Theme
from .widgets import QuickSelect

#: The column each model-choice filter's options are labelled by (what the model's ``__str__`` gives).
_LABEL_COLUMNS = {Department: "name", Theme: "name", Initiative: "name"}


def use_plain_choices(form: forms.Form) -> None:
    """Give the form's department, theme and initiative selects (their widgets) their options as plain (value,
    label) pairs, read in one query of values each. Left alone, each select builds a model instance per option
    through a server-side cursor (three round trips on PostgreSQL) on every page. The options, and what the fields
    accept, are the same: a submitted value is still looked up in the field's queryset."""
    for field in form.fields.values():
        if not isinstance(field, forms.ModelChoiceField) or field.queryset.model not in _LABEL_COLUMNS:
            continue
        label = _LABEL_COLUMNS[field.queryset.model]
        empty = [("", field.empty_label)] if field.empty_label is not None else []
        field.widget.choices = [*empty, *field.queryset.values_list(field.to_field_name or "pk", label)]


#: ``?sort=`` values and the ordering each one means (a leading ``-`` reverses, as the links do).
SORTS = {
    "title": ("title", "pk"),
    "-title": ("-title", "-pk"),
    "department": ("department__name", "title", "pk"),
    "-department": ("-department__name", "title", "pk"),
    "updated": ("updated_at", "pk"),
    "-updated": ("-updated_at", "-pk"),
    "priority": ("priority_score", "title", "pk"),
    "-priority": ("-priority_score", "title", "pk"),
}
SORT_CHOICES = [
    ("title", "Title, A to Z"),
    ("-title", "Title, Z to A"),
    ("department", "Department, A to Z"),
    ("-department", "Department, Z to A"),
    ("-updated", "Recently updated first"),
    ("updated", "Least recently updated first"),
    ("-priority", "Highest priority first"),
    ("priority", "Lowest priority first"),
]
PUBLIC_SORT_CHOICES = [choice for choice in SORT_CHOICES if "priority" not in choice[0]]


class PublicDatasetFilter(filters.FilterSet):
    """What anyone may filter the public catalogue by."""

    search = filters.CharFilter(
        label="Search titles, descriptions and keywords",
        method="filter_search",
        help_text="Words to look for in the title, description or keywords.",
    )
    department = filters.ModelChoiceFilter(
        label="Department",
        queryset=Department.objects.order_by("name"),
        to_field_name="slug",
        empty_label="Any department",
        help_text="The owner department's slug.",
    )
    theme = filters.ModelChoiceFilter(
        label="Theme",
        field_name="themes",
        queryset=Theme.objects.order_by("name"),
        to_field_name="name",
        empty_label="Any theme",
        help_text="A theme's name, e.g. Public Safety.",
    )
    keyword = filters.CharFilter(
        label="Keyword", method="filter_keyword", help_text="A keyword, exactly (not case-sensitive)."
    )
    sort = filters.ChoiceFilter(
        label="Sort by",
        choices=PUBLIC_SORT_CHOICES,
        method="filter_sort",
        empty_label=None,
        help_text="The order of the results; a leading '-' reverses it.",
    )

    class Meta:
        model = Dataset
        fields = ["search", "department", "theme", "keyword", "sort"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Every list page renders these selects: the quick widget keeps Django's markup at a fraction of the cost.
        for filter_ in self.filters.values():
            if filter_.field_class.widget is forms.Select and "widget" not in filter_.extra:
                filter_.extra["widget"] = QuickSelect

    def filter_search(self, queryset: QuerySet[Dataset], name: str, value: str) -> QuerySet[Dataset]:
        return selectors.datasets_matching(queryset, value)

    def filter_keyword(self, queryset: QuerySet[Dataset], name: str, value: str) -> QuerySet[Dataset]:
        value = " ".join(value.split())
        if not value:
            return queryset
        tagged = Dataset.keywords.through.objects.filter(keyword__name__iexact=value).values("dataset_id")
        return queryset.filter(pk__in=tagged)

    def filter_sort(self, queryset: QuerySet[Dataset], name: str, value: str) -> QuerySet[Dataset]:
        return queryset.order_by(*SORTS.get(value, SORTS["title"]))

    def filter_queryset(self, queryset: QuerySet[Dataset]) -> QuerySet[Dataset]:
        # Without ?sort= the list still has a stable order, so pages never repeat or skip a row.
        queryset = queryset.order_by(*SORTS["title"])
        return super().filter_queryset(queryset)


class DatasetFilter(PublicDatasetFilter):
    """The inventory's filters: the public ones plus status, access level, frequency and initiative."""

    status = filters.ChoiceFilter(
        label="Status", choices=Status.choices, empty_label="Any status", help_text="Lifecycle status."
    )
    access_level = filters.ChoiceFilter(
        label="Access level", choices=AccessLevel.choices, empty_label="Any access level", help_text="Access level."
    )
    frequency = filters.ChoiceFilter(
        label="Update frequency",
        field_name="accrual_periodicity",
        choices=Frequency.choices,
        empty_label="Any frequency",
        help_text="DCAT-US accrualPeriodicity, e.g. R/P1M (monthly), or irregular.",
    )
    initiative = filters.ModelChoiceFilter(
        label="Initiative",
        field_name="initiatives",
        queryset=Initiative.objects.order_by("name"),
        to_field_name="slug",
        empty_label="Any initiative",
        help_text="An initiative's slug, e.g. compstat.",
    )
    quality = filters.ChoiceFilter(
        label="Data quality",
        choices=QualityState.CHOICES,
        method="filter_quality",
        empty_label="Any quality",
        help_text="The latest quality check: failing, warning, passing, stale or not-checked.",
    )
    sort = filters.ChoiceFilter(
        label="Sort by",
        choices=SORT_CHOICES,
        method="filter_sort",
        empty_label=None,
        help_text="The order of the results; a leading '-' reverses it. 'priority' is the priority score.",
    )

    class Meta:
        model = Dataset
        fields = [
            "search",
            "department",
            "status",
            "access_level",
            "theme",
            "keyword",
            "frequency",
            "initiative",
            "quality",
            "sort",
        ]

    def filter_quality(self, queryset: QuerySet[Dataset], name: str, value: str) -> QuerySet[Dataset]:
        # Only datasets whose quality results the reader may see: the filter must not reveal anyone else's.
        user = getattr(self.request, "user", None)
        return datasets_in_quality_state(queryset, actor_for(user), value)
