"""Filters for the dataset lists: the signed-in inventory, the public catalogue and the API share them.

Values are the stable names a link can carry: a department's slug, a theme's or keyword's name, an initiative's
slug, the status and access level codes, the DCAT-US frequency (``R/P1M``...). The apps above the inventory add
theirs through ``inventory.extensions`` (quality's ``?quality=``).
"""

from __future__ import annotations

from django import forms
from django.db.models import QuerySet, Value
from django_filters import rest_framework as filters

from core.forms import ListPageForm, ListSelect
from team.access import actor_for
from team.models import Department

from . import extensions, selectors
from .access import can_read_dataset_internals
from .models import AccessLevel, Dataset, Frequency, Initiative, Status, Theme

#: The column each model-choice filter's options are labelled by (what the model's ``__str__`` gives).
_LABEL_COLUMNS = {Department: "name", Theme: "name", Initiative: "name"}


def use_plain_choices(form: forms.Form) -> None:
    """Give the form's department, theme and initiative selects (their widgets) their options as plain (value,
    label) pairs, sorted by label as their querysets sort them, all read in one query (a ``UNION ALL`` of each
    select's values). Left alone, each select builds a model instance per option through a server-side cursor
    (three round trips on PostgreSQL) on every page. The options, and what the fields accept, are the same: a
    submitted value is still looked up in the field's queryset."""
    selects = [
        field
        for field in form.fields.values()
        if isinstance(field, forms.ModelChoiceField) and field.queryset.model in _LABEL_COLUMNS
    ]
    if not selects:
        return
    parts = [
        field.queryset.order_by()
        .annotate(_select=Value(index))
        .values_list("_select", field.to_field_name or "pk", _LABEL_COLUMNS[field.queryset.model])
        for index, field in enumerate(selects)
    ]
    label = _LABEL_COLUMNS[selects[0].queryset.model]
    rows = parts[0].union(*parts[1:], all=True).order_by("_select", label) if len(parts) > 1 else parts[0]
    options: list[list] = [[("", field.empty_label)] if field.empty_label is not None else [] for field in selects]
    for index, value, text in rows:
        options[index].append((value, text))
    for field, choices in zip(selects, options, strict=True):
        field.widget.choices = choices


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
        form = ListPageForm

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Every list page renders these selects with every department, theme and initiative as options.
        for filter_ in self.filters.values():
            if filter_.field_class.widget is forms.Select and "widget" not in filter_.extra:
                filter_.extra["widget"] = ListSelect

    def get_form_class(self) -> type[forms.Form]:
        # The form's fields come from the filters alone, the same for every instance of a filter set class with the
        # same filters: build the form class once per class and filters, not on every request (each form still gets
        # its own copy of the fields).
        cls = type(self)
        form_classes = cls.__dict__.get("_form_classes")
        if form_classes is None:
            form_classes = cls._form_classes = {}
        key = tuple(self.filters)
        if key not in form_classes:
            form_classes[key] = super().get_form_class()
        return form_classes[key]

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
    sort = filters.ChoiceFilter(
        label="Sort by",
        choices=SORT_CHOICES,
        method="filter_sort",
        empty_label=None,
        help_text="The order of the results; a leading '-' reverses it. 'priority' is the priority score.",
    )

    class Meta:
        model = Dataset
        form = ListPageForm
        fields = [
            "search",
            "department",
            "status",
            "access_level",
            "theme",
            "keyword",
            "frequency",
            "initiative",
            "sort",
        ]

    def filter_sort(self, queryset: QuerySet[Dataset], name: str, value: str) -> QuerySet[Dataset]:
        # The order of the priority score would tell what the score hides from those who may not read it (the API
        # offers these filters to everyone).
        if "priority" in value and not can_read_dataset_internals(actor_for(getattr(self.request, "user", None))):
            value = "title"
        return super().filter_sort(queryset, name, value)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The registered filters (inventory.extensions), after the inventory's own and before the sort.
        sort = self.filters.pop("sort")
        for extra in extensions.list_filters():
            self.filters[extra.name] = filters.ChoiceFilter(
                field_name=extra.name,
                label=extra.label,
                choices=extra.choices,
                method=self._registered(extra),
                empty_label=extra.empty_label,
                help_text=extra.help_text,
                widget=ListSelect,
            )
            self.filters[extra.name].parent = self
        self.filters["sort"] = sort

    def _registered(self, extra: extensions.ListFilter):
        def apply(queryset: QuerySet[Dataset], name: str, value: str) -> QuerySet[Dataset]:
            return extra.apply(queryset, actor_for(getattr(self.request, "user", None)), value)

        return apply
