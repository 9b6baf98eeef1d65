"""One dataset's pages: its page, the form that logs or edits it (with its distributions and data dictionary
inline), its history as readable diffs, restoring an earlier version, and deleting it.

Who may do what is ``inventory.access``: the Stat lead and analysts write every dataset; a department contact writes
their own department's and never moves one elsewhere; readers see the page; anyone else gets a 404. Writes go through
``inventory.services``, which enforce the same rules; a ValidationError from a service shows on the form.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe

from core.http import require_get_or_post
from team.access import Actor, actor_for, require
from team.forms import add_service_errors

from .. import extensions
from ..access import (
    can_create_datasets,
    can_delete_dataset,
    can_move_dataset,
    can_read_dataset_internals,
    can_write_dataset,
    departments_for_dataset,
    get_dataset_for_user,
)
from ..forms import (
    DICTIONARY_PREFIX,
    DISTRIBUTIONS_PREFIX,
    DataFieldFormSet,
    DatasetForm,
    DistributionFormSet,
    dataset_initial,
    dictionary_initial,
    distribution_initial,
    error_links,
)
from ..history import history_entries, latest_change, version_label
from ..models import AccessLevel, Dataset, PriorityWeights
from ..selectors import dataset_tag_names, dictionary_rows, spatial_coverage, status_badges
from ..services import datasets as services
from ..services import restore
from ..services.priority import priority_reasons

HISTORY_PER_PAGE = 20


# --- the form ------------------------------------------------------------------------------------------------------


def _formsets(request: HttpRequest, dataset: Dataset | None) -> tuple[DistributionFormSet, DataFieldFormSet]:
    data = request.POST if request.method == "POST" else None
    if dataset is None:
        distributions = DistributionFormSet(data, prefix=DISTRIBUTIONS_PREFIX)
        dictionary = DataFieldFormSet(data, prefix=DICTIONARY_PREFIX)
    else:
        distributions = DistributionFormSet(data, prefix=DISTRIBUTIONS_PREFIX, initial=distribution_initial(dataset))
        dictionary = DataFieldFormSet(data, prefix=DICTIONARY_PREFIX, initial=dictionary_initial(dataset))
        dictionary.extra = 1
    return distributions, dictionary


def _dataset_form(request: HttpRequest, *, actor: Actor, dataset: Dataset | None) -> HttpResponse:
    """The one form that logs a dataset or edits one, metadata, distributions and dictionary together. It offers the
    departments the user may keep the dataset in; the service checks again whatever is posted."""
    departments = departments_for_dataset(actor, dataset)
    if dataset is None:
        initial = {}
        only = list(departments.values_list("pk", flat=True)[:2])
        if len(only) == 1:
            initial["department"] = only[0]
        elif request.GET.get("department", "").isdigit():
            initial["department"] = int(request.GET["department"])
    else:
        initial = dataset_initial(dataset)
    data = request.POST if request.method == "POST" else None
    form = DatasetForm(
        data, initial=initial, departments=departments, dataset=dataset, stewards_url=_stewards_url(dataset)
    )
    distributions, dictionary = _formsets(request, dataset)
    if request.method == "POST" and all([form.is_valid(), distributions.is_valid(), dictionary.is_valid()]):
        fields = form.dataset_fields
        reason = fields.pop("reason", "")
        try:
            saved = services.dataset_save(
                dataset=dataset,
                by=request.user,
                distributions=distributions.rows,
                dictionary=dictionary.rows,
                reason=reason,
                **fields,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Saved “{saved.title}”." if dataset else f"Logged “{saved.title}”.")
            return redirect(saved)
    errors = error_links(form, {"Distribution": distributions, "Field": dictionary})
    return render(
        request,
        "inventory/dataset_form.html",
        {
            "form": form,
            "dataset": dataset,
            "distributions": distributions,
            "dictionary": dictionary,
            "errors": errors,
        },
        status=200,
    )


def _form_queryset() -> QuerySet[Dataset]:
    return Dataset.objects.select_related("department", "contact").prefetch_related(
        "keywords", "themes", "initiatives", "distributions", "fields"
    )


@require_get_or_post
@login_required
def dataset_create(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request.user)
    require(can_create_datasets(actor), "Only the Stat team and department contacts log datasets.")
    return _dataset_form(request, actor=actor, dataset=None)


@require_get_or_post
@login_required
def dataset_edit(request: HttpRequest, pk: int) -> HttpResponse:
    dataset = get_dataset_for_user(request.user, pk=pk, write=True, queryset=_form_queryset())
    return _dataset_form(request, actor=actor_for(request.user), dataset=dataset)


def _stewards_url(dataset: Dataset | None) -> str:
    url = reverse("inventory:dataset_stewards")
    return url if dataset is None else f"{url}?{urlencode({'dataset': dataset.pk})}"


@require_safe
@login_required
def dataset_stewards(request: HttpRequest) -> HttpResponse:
    """The dataset form's steward field for the department chosen (``?department=<id>``; blank: every department
    offered), as the form shows it: what the form's department select fetches, through htmx, when it changes.
    ``?dataset=<id>`` asks for an existing dataset's form (for those who may edit it: 404 / 403 otherwise), without
    it for a new dataset's (for those who may log one: 403); a department the form would not offer is a 404.
    ``?contact=<id>`` keeps the steward chosen when the department has them among its contacts."""
    actor = actor_for(request.user)
    dataset = None
    dataset_id = request.GET.get("dataset", "")
    if dataset_id:
        if not dataset_id.isdigit():
            raise Http404("No such dataset.")
        dataset = get_dataset_for_user(
            request.user,
            pk=int(dataset_id),
            write=True,
            queryset=Dataset.objects.select_related("department", "contact"),
        )
    else:
        require(can_create_datasets(actor), "Only the Stat team and department contacts log datasets.")
    departments = departments_for_dataset(actor, dataset)
    department = request.GET.get("department", "")
    if department and not (department.isdigit() and departments.filter(pk=int(department)).exists()):
        raise Http404("The dataset cannot be kept in this department.")
    contact = request.GET.get("contact", "")
    form = DatasetForm(
        initial={"department": department or None, "contact": contact if contact.isdigit() else None},
        departments=departments,
        dataset=dataset,
    )
    return render(
        request,
        "inventory/_dataset_steward_field.html",
        {"field": form["contact"], "department": form.chosen_department},
    )


# --- the dataset page ----------------------------------------------------------------------------------------------


def _page_queryset() -> QuerySet[Dataset]:
    # The registered panels (quality's) read what they need from this query's joins rather than by queries of their
    # own.
    joins = [name for panel in extensions.dataset_panels() for name in panel.select_related]
    return Dataset.objects.select_related(
        "department", "contact", "created_by__person", "updated_by__person", *joins
    ).prefetch_related("distributions", "fields")


def _panels(request: HttpRequest, dataset: Dataset) -> list[str]:
    """The registered panels (``inventory.extensions``) that have something to show this user, each rendered by
    its own template with its own context, the request and the CSRF token (not the context processors again: the
    page around them has run them)."""
    shown = []
    for panel in extensions.dataset_panels():
        context = panel.context(request, dataset)
        if context is not None:
            context = {"request": request, "csrf_token": get_token(request), **context}
            shown.append(render_to_string(panel.template, context))
    return shown


@require_safe
@login_required
def dataset_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A dataset's metadata, distributions, dictionary, priority score with its reasons, the panels other apps add
    (quality), and who changed it last."""
    actor = actor_for(request.user)
    dataset = get_dataset_for_user(request.user, pk=pk, queryset=_page_queryset())
    shows_internals = can_read_dataset_internals(actor)
    tags = dataset_tag_names(dataset)
    reasons = priority_reasons(dataset, PriorityWeights.current(), initiatives=tags["initiative_names"])
    return render(
        request,
        "inventory/dataset_detail.html",
        {
            "dataset": dataset,
            "badges": status_badges(dataset.status, dataset.access_level, dataset.published),
            "reasons": reasons,
            "score": sum(reason.weight for reason in reasons),
            "may_edit": can_write_dataset(actor, dataset),
            "may_delete": can_delete_dataset(actor, dataset),
            # A login without a role reads a public dataset's page as the public catalogue shows it: not its internal
            # fields, nor its history (whose old values hold them).
            "shows_internals": shows_internals,
            "panels": _panels(request, dataset),
            "dictionary": dictionary_rows(dataset.fields.all()),
            "latest_change": latest_change(dataset) if shows_internals else None,
            "spatial": spatial_coverage(dataset.spatial),
            **tags,
            # Published with a public or restricted-public access level: in data.json, with a public Table Schema.
            "catalogued": dataset.published and dataset.access_level != AccessLevel.NON_PUBLIC,
        },
    )


# --- history -------------------------------------------------------------------------------------------------------


@require_safe
@login_required
def dataset_history(request: HttpRequest, pk: int) -> HttpResponse:
    """Every change to a dataset's metadata, newest first: who, when, why, and each field's old and new value."""
    actor = actor_for(request.user)
    dataset = get_dataset_for_user(request.user, pk=pk)
    require(
        can_read_dataset_internals(actor),
        "A dataset’s history is for people with a role in the program. The public catalogue shows the dataset.",
    )
    all_versions = dataset.history.select_related("history_user__person").order_by("-history_id")
    paginator = Paginator(all_versions, HISTORY_PER_PAGE)
    page_obj = paginator.get_page(request.GET.get("page"))
    versions = list(page_obj.object_list)
    older = all_versions.filter(history_id__lt=versions[-1].history_id).first() if versions else None
    latest_id = versions[0].history_id if page_obj.number == 1 and versions else None
    until = None
    if latest_id is None:
        latest_id = all_versions.values_list("history_id", flat=True).first()
        if versions:  # later pages: the parts' changes up to the version after this page
            newer = all_versions.filter(history_id__gt=versions[0].history_id).order_by("history_id")
            until = newer.values_list("history_date", flat=True).first()
    entries = history_entries(dataset, versions, older, latest_id=latest_id, until=until)
    may_restore = can_write_dataset(actor, dataset)
    for entry in entries:
        # A version that sat in another department moves the dataset back there: not every writer may.
        entry.restorable = may_restore and can_move_dataset(actor, dataset, entry.version.department_id)
    return render(
        request,
        "inventory/dataset_history.html",
        {
            "dataset": dataset,
            "entries": entries,
            "page_obj": page_obj,
            "page_range": paginator.get_elided_page_range(page_obj.number, on_each_side=2, on_ends=1),
            "may_restore": may_restore,
        },
    )


@require_POST
@login_required
def dataset_restore(request: HttpRequest, pk: int, history_id: int) -> HttpResponse:
    """Bring back an earlier version's metadata, recorded as a new version (403 for a version in another department,
    unless the user may move datasets)."""
    dataset = get_dataset_for_user(request.user, pk=pk, write=True)
    version = dataset.history.filter(history_id=history_id).first()
    if version is None:
        raise Http404("This dataset has no such version.")
    label = version_label(version)
    try:
        restore.dataset_restore(dataset=dataset, history_id=history_id, by=request.user)
    except ValidationError as error:
        messages.error(request, f"Could not restore the version of {label}: {' '.join(error.messages)}")
    else:
        messages.success(request, f"Restored the version of {label}.")
    return redirect("inventory:dataset_history", pk=dataset.pk)


# --- deleting ------------------------------------------------------------------------------------------------------


@require_get_or_post
@login_required
def dataset_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """Confirm, then delete a dataset (never a published one, nor one that something depends on: the page says
    what to do first)."""
    dataset = get_dataset_for_user(request.user, pk=pk, write=True)
    require(can_delete_dataset(actor_for(request.user), dataset), "Only the Stat lead and analysts delete datasets.")
    context = {
        "dataset": dataset,
        "distributions": dataset.distributions.count(),
        "fields": dataset.fields.count(),
        "errors": services.delete_problems(dataset),
    }
    if request.method == "POST":
        title = dataset.title
        try:
            services.dataset_delete(dataset=dataset, by=request.user)
        except ValidationError as error:
            return render(request, "inventory/dataset_delete.html", {**context, "errors": error.messages}, status=400)
        messages.success(request, f"Deleted the dataset “{title}”.")
        return redirect("inventory:list")
    return render(request, "inventory/dataset_delete.html", context)
