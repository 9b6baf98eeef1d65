"""The inventory list (/inventory/): every dataset the user may read, filtered, searched, sorted, a page at a time,
with the coverage panel and, for the Stat team, bulk actions on the rows they select.

Who may open it: anyone who holds a role in the program (each sees the datasets ``team.access.DATASETS`` lets them
read). A signed-in user with no role gets 403 and a pointer to the public catalogue, which lists what they could
read anyway.
"""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe

from team.access import Actor, actor_for, require
from team.models import Person

from .. import selectors
from ..access import DATASETS
from ..filters import SORTS, DatasetFilter, use_plain_choices
from ..models import Dataset, Status
from ..services.bulk import datasets_bulk_update
from ..widgets import QuickSelect

DATASETS_PER_PAGE = 25
NO_ROLE_MESSAGE = (
    "The data inventory is for people with a role in the program. The public datasets are in the catalogue."
)


def _require_inventory_reader(actor: Actor) -> None:
    require(actor.has_any_role, NO_ROLE_MESSAGE)


def may_bulk_edit(actor: Actor) -> bool:
    """Bulk actions are the Stat team's (lead and analysts), who write every dataset."""
    return actor.can_edit_program_content()


class BulkUpdateForm(forms.Form):
    """What to do with the selected datasets: a new status, a new steward, or both."""

    dataset = forms.TypedMultipleChoiceField(
        label="Datasets", coerce=int, error_messages={"required": "Select at least one dataset."}
    )
    status = forms.ChoiceField(
        label="New status", required=False, choices=[("", "- Leave as it is -"), *Status.choices], widget=QuickSelect
    )
    contact = forms.TypedChoiceField(
        label="New steward",
        required=False,
        coerce=int,
        empty_value=None,
        help_text="A contact of the department.",
        widget=QuickSelect,
    )
    query = forms.CharField(required=False, widget=forms.HiddenInput, max_length=2000)

    def __init__(self, *args, dataset_ids=None, **kwargs):
        # Its own ids: the filter form on the same page has a "status" field too.
        kwargs.setdefault("auto_id", "bulk_%s")
        super().__init__(*args, **kwargs)
        stewards: dict[int, tuple[str, list[str]]] = {}
        for person_id, full_name, department in selectors.steward_names():
            name, departments = stewards.setdefault(person_id, (full_name, []))
            departments.append(department)
        self.fields["contact"].choices = [
            ("", "- Leave as it is -"),
            *((pk, f"{name} ({', '.join(departments)})") for pk, (name, departments) in stewards.items()),
        ]
        # Any id is acceptable here: the view keeps only those the user may write and reports the rest.
        self.fields["dataset"].choices = [(str(pk), str(pk)) for pk in dataset_ids or []]

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("status") and not cleaned.get("contact"):
            raise ValidationError("Choose a new status or a new steward for the selected datasets.")
        return cleaned


@dataclass(frozen=True)
class SortColumn:
    """A sortable column header: the ``?sort=`` its link asks for, and how the list is sorted by it now."""

    sort: str
    aria_sort: str = ""  # "ascending" or "descending" on the column the list is sorted by, else blank

    @property
    def action(self) -> str:
        """What following the link does, for screen readers (the header's aria-sort says the current state)."""
        return "sort descending" if self.sort.startswith("-") else "sort ascending"


#: Sortable columns and the order a first click asks for (newest and highest first; names A to Z).
SORTABLE_COLUMNS = {"title": "title", "department": "department", "updated": "-updated", "priority": "-priority"}


def sort_columns(current: str) -> dict[str, SortColumn]:
    """Each sortable column's link and state, given the list's ``?sort=`` (blank: by title, A to Z)."""
    current = current if current in SORTS else "title"
    columns = {}
    for column, first in SORTABLE_COLUMNS.items():
        if current.lstrip("-") == column:
            descending = current.startswith("-")
            columns[column] = SortColumn(
                sort=column if descending else f"-{column}", aria_sort="descending" if descending else "ascending"
            )
        else:
            columns[column] = SortColumn(sort=first)
    return columns


def _filterset(request: HttpRequest, actor: Actor) -> DatasetFilter:
    queryset = selectors.datasets_for_inventory(actor)
    filterset = DatasetFilter(request.GET, queryset=queryset, request=request)
    # The hints are written for the API (slugs, codes); on the page the labels and options speak for themselves.
    for field in filterset.form.fields.values():
        field.help_text = ""
    use_plain_choices(filterset.form)
    return filterset


@require_safe
@login_required
def dataset_list(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request.user)
    _require_inventory_reader(actor)
    filterset = _filterset(request, actor)
    paginator = Paginator(filterset.qs, DATASETS_PER_PAGE)
    page_obj = paginator.get_page(request.GET.get("page"))
    page_obj.object_list = selectors.with_tag_names(list(page_obj.object_list), only=("theme_names",))
    bulk_form = None
    if may_bulk_edit(actor):
        bulk_form = BulkUpdateForm(initial={"query": request.GET.urlencode()})
    filtered = any(value for key, value in request.GET.items() if key not in ("page", "sort"))
    return render(
        request,
        "inventory/list.html",
        {
            "filterset": filterset,
            "filter_form": filterset.form,
            "filtered": filtered,
            "page_obj": page_obj,
            "page_range": paginator.get_elided_page_range(page_obj.number, on_each_side=2, on_ends=1),
            "bulk_form": bulk_form,
            "sort_columns": sort_columns(request.GET.get("sort", "")),
            "coverage": selectors.inventory_coverage() if selectors.reads_whole_inventory(actor) else None,
        },
    )


def _names(datasets) -> str:
    return "; ".join(dataset.title for dataset in datasets)


@require_POST
@login_required
def datasets_bulk(request: HttpRequest) -> HttpResponse:
    """Apply a status or steward to the selected datasets, then go back to the list as it was."""
    actor = actor_for(request.user)
    _require_inventory_reader(actor)
    require(may_bulk_edit(actor), "Only the Stat lead and analysts change datasets in bulk.")
    form = BulkUpdateForm(request.POST, dataset_ids=request.POST.getlist("dataset"))
    back = reverse("inventory:list")
    if not form.is_valid():
        query = QueryDict(request.POST.get("query", "")[:2000]).urlencode()
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, f"Nothing changed: {error}")
        return redirect(f"{back}?{query}" if query else back)
    query = QueryDict(form.cleaned_data["query"]).urlencode()
    back = f"{back}?{query}" if query else back
    ids = set(form.cleaned_data["dataset"])
    selected = Dataset.objects.filter(pk__in=ids).select_related("department").order_by("title", "pk")
    writable_ids = set(DATASETS.writable(actor, Dataset.objects.filter(pk__in=ids)).values_list("pk", flat=True))
    datasets = [dataset for dataset in selected if dataset.pk in writable_ids]
    contact = None
    if form.cleaned_data["contact"]:
        contact = Person.objects.filter(pk=form.cleaned_data["contact"]).first()
    result = datasets_bulk_update(
        datasets=datasets, by=request.user, status=form.cleaned_data["status"] or None, contact=contact
    )
    refused = [*result.refused, *((d, "you may not change it.") for d in selected if d.pk not in writable_ids)]
    if result.changed:
        count = len(result.changed)
        messages.success(request, f"Changed {count} dataset{'s' if count != 1 else ''}: {_names(result.changed)}.")
    if refused:
        count = len(refused)
        reasons = "; ".join(f"{dataset.title}: {reason}" for dataset, reason in refused)
        messages.warning(request, f"Could not change {count} dataset{'s' if count != 1 else ''}. {reasons}")
    missing = len(ids) - len(selected)
    if missing:
        messages.warning(request, f"{missing} of the selected datasets no longer exist{'s' if missing == 1 else ''}.")
    return redirect(back)
