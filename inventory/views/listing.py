"""The inventory list (/inventory/): every dataset the user may read, filtered, searched, sorted, a page at a time,
with the coverage panel and, for the Stat team, bulk actions on the rows they select.

Who may open it: anyone who holds a role in the program (each sees the datasets ``inventory.access`` lets them
read). A signed-in user with no role gets 403 and a pointer to the public catalogue, which lists what they could
read anyway.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe

from team.access import Actor, actor_for, require
from team.models import Person

from .. import extensions, selectors
from ..access import (
    can_bulk_edit_datasets,
    can_create_datasets,
    can_harvest,
    can_import_datasets,
    can_read_whole_inventory,
    can_use_inventory,
    can_view_discovery,
    can_view_priorities,
)
from ..filters import SORTS, DatasetFilter, use_plain_choices
from ..forms import BulkUpdateForm
from ..models import Dataset
from ..services.bulk import datasets_bulk_update

DATASETS_PER_PAGE = 25
NO_ROLE_MESSAGE = (
    "The data inventory is for people with a role in the program. The public datasets are in the catalogue."
)


def tools(actor: Actor) -> dict[str, bool]:
    """Which of the inventory's tools the list offers ``actor`` (each link only to those it serves)."""
    return {
        "may_log": can_create_datasets(actor),
        "may_import": can_import_datasets(actor),
        "may_harvest": can_harvest(actor),
        "may_discover": can_view_discovery(actor),
        "may_prioritise": can_view_priorities(actor),
    }


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
    require(can_use_inventory(actor), NO_ROLE_MESSAGE)
    filterset = _filterset(request, actor)
    paginator = Paginator(filterset.qs, DATASETS_PER_PAGE)
    page_obj = paginator.get_page(request.GET.get("page"))
    page_obj.object_list = selectors.with_tag_names(list(page_obj.object_list), only=("theme_names",))
    rows = selectors.inventory_rows(page_obj.object_list)
    bulk_form = None
    if can_bulk_edit_datasets(actor):
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
            "rows": rows,
            "page_range": paginator.get_elided_page_range(page_obj.number, on_each_side=2, on_ends=1),
            "bulk_form": bulk_form,
            "sort_columns": sort_columns(request.GET.get("sort", "")),
            "columns": extensions.list_columns(),
            "coverage": selectors.inventory_coverage() if can_read_whole_inventory(actor) else None,
            "tools": tools(actor),
        },
    )


def _names(datasets) -> str:
    return "; ".join(dataset.title for dataset in datasets)


@require_POST
@login_required
def datasets_bulk(request: HttpRequest) -> HttpResponse:
    """Apply a status or steward to the selected datasets, then go back to the list as it was."""
    actor = actor_for(request.user)
    require(can_use_inventory(actor), NO_ROLE_MESSAGE)
    require(can_bulk_edit_datasets(actor), "Only the Stat lead and analysts change datasets in bulk.")
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
    selected = list(Dataset.objects.filter(pk__in=ids).select_related("department").order_by("title", "pk"))
    contact = None
    if form.cleaned_data["contact"]:
        contact = Person.objects.filter(pk=form.cleaned_data["contact"]).first()
    result = datasets_bulk_update(
        datasets=selected, by=request.user, status=form.cleaned_data["status"] or None, contact=contact
    )
    refused = result.refused
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
