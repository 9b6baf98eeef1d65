"""One dataset's pages: its page, the form that logs or edits it (with its distributions and data dictionary
inline), its history as readable diffs, and restoring an earlier version.

Who may do what is ``team.access.DATASETS``: the Stat lead and analysts write every dataset; a department contact
writes their own department's and may not move one elsewhere; readers see the page; anyone else gets a 404.
Writes go through ``inventory.services.datasets``; a ValidationError from a service shows on the form.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.forms import BaseForm
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.formats import date_format
from django.views.decorators.http import require_POST, require_safe

from core.http import require_get_or_post
from team.access import Actor, actor_for, get_object_for_user, require
from team.forms import add_service_errors
from team.models import Department, Person

from ..access import DATASETS
from ..forms import (
    DICTIONARY_PREFIX,
    DISTRIBUTIONS_PREFIX,
    DataFieldFormSet,
    DatasetForm,
    DistributionFormSet,
    departments_for_form,
    dictionary_initial,
    distribution_initial,
)
from ..history import PartChange, part_changes
from ..models import AccessLevel, Dataset, DiscoveryAnswer, Initiative, Keyword, PriorityWeights, Theme
from ..selectors import dataset_tag_names
from ..services import datasets as services
from ..services import restore
from ..services.priority import priority_reasons

HISTORY_PER_PAGE = 20

#: The department-level view of the dataset policy: the departments a user may own datasets in.
_DEPARTMENT_SCOPE = dataclasses.replace(DATASETS, department_field="", public_q=None)


def writable_departments(actor: Actor) -> QuerySet[Department]:
    """Every department for the Stat lead and analysts; a department contact's own; none for anyone else."""
    return _DEPARTMENT_SCOPE.writable(actor, Department.objects.all())


def may_write(actor: Actor, dataset: Dataset) -> bool:
    q = DATASETS.write_q(actor)
    return q is None or DATASETS.writable(actor, Dataset.objects.filter(pk=dataset.pk)).exists()


# --- the form ------------------------------------------------------------------------------------------------------


@dataclass
class ErrorLink:
    text: str
    anchor: str = ""


def error_links(form: BaseForm, formsets: dict) -> list[ErrorLink]:
    """Every problem on the page, each linking to its input: the metadata form's, then each row's."""
    links = [ErrorLink(str(error)) for error in form.non_field_errors()]
    links += [
        ErrorLink(f"{bound.label}: {error}", bound.id_for_label or f"{bound.auto_id}_0")
        for bound in form
        for error in bound.errors
    ]
    for label, formset in formsets.items():
        links += [ErrorLink(f"{label}: {error}") for error in formset.non_form_errors()]
        for index, row in enumerate(formset.forms, start=1):
            links += [ErrorLink(f"{label} {index}: {error}") for error in row.non_field_errors()]
            links += [
                ErrorLink(f"{label} {index}, {bound.label}: {error}", bound.id_for_label)
                for bound in row
                for error in bound.errors
            ]
    return links


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
    """The one form that logs a dataset or edits one, metadata, distributions and dictionary together."""
    departments = departments_for_form(writable_departments(actor), dataset)
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
    form = DatasetForm(data, initial=initial, departments=departments, dataset=dataset)
    distributions, dictionary = _formsets(request, dataset)
    if request.method == "POST" and all([form.is_valid(), distributions.is_valid(), dictionary.is_valid()]):
        # Re-checked here, not only by the form's choices: nobody creates or moves a dataset outside their scope.
        require(
            DATASETS.can_create_in(actor, form.cleaned_data["department"].pk),
            "You may not keep a dataset in that department.",
        )
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


def dataset_initial(dataset: Dataset) -> dict:
    initial = {name: getattr(dataset, name) for name in services.SCALAR_FIELDS if name != "discovered_from"}
    initial["department"] = dataset.department_id
    initial["contact"] = dataset.contact_id
    initial["keywords"] = [k.name for k in dataset.keywords.all()]
    initial["themes"] = [t.name for t in dataset.themes.all()]
    initial["initiatives"] = [i.pk for i in dataset.initiatives.all()]
    return initial


def _form_queryset() -> QuerySet[Dataset]:
    return Dataset.objects.select_related("department", "contact").prefetch_related(
        "keywords", "themes", "initiatives", "distributions", "fields"
    )


@require_get_or_post
@login_required
def dataset_create(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request.user)
    require(
        DATASETS.can_create_in(actor, None) or writable_departments(actor).exists(),
        "Only the Stat team and department contacts log datasets.",
    )
    return _dataset_form(request, actor=actor, dataset=None)


@require_get_or_post
@login_required
def dataset_edit(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request.user)
    dataset = get_object_for_user(DATASETS, request.user, _form_queryset(), write=True, pk=pk)
    return _dataset_form(request, actor=actor, dataset=dataset)


# --- the dataset page ----------------------------------------------------------------------------------------------


def _page_queryset() -> QuerySet[Dataset]:
    # The quality panel reads the judgement and its latest run from this join rather than by a query of its own.
    return Dataset.objects.select_related(
        "department", "contact", "created_by__person", "updated_by__person", "quality__latest_run"
    ).prefetch_related("distributions", "fields")


@require_safe
@login_required
def dataset_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A dataset's metadata, distributions, dictionary, priority score with its reasons, and who changed it."""
    actor = actor_for(request.user)
    dataset = get_object_for_user(DATASETS, request.user, _page_queryset(), pk=pk)
    tags = dataset_tag_names(dataset)
    reasons = priority_reasons(dataset, PriorityWeights.current(), initiatives=tags["initiative_names"])
    # The latest change, as on the history page (a fixed handful of queries, whatever the history's length).
    latest = list(dataset.history.select_related("history_user__person").order_by("-history_id")[:2])
    latest_change = None
    if latest:
        previous = latest[1] if len(latest) > 1 else None
        (latest_change,) = history_entries(dataset, latest[:1], previous, latest_id=latest[0].history_id)
    return render(
        request,
        "inventory/dataset_detail.html",
        {
            "dataset": dataset,
            "reasons": reasons,
            "score": sum(reason.weight for reason in reasons),
            "may_edit": may_write(actor, dataset),
            "may_delete": may_delete(actor),
            "latest_change": latest_change,
            **tags,
            # Published with a public or restricted-public access level: in data.json, with a public Table Schema.
            "catalogued": dataset.published and dataset.access_level != AccessLevel.NON_PUBLIC,
        },
    )


# --- history -------------------------------------------------------------------------------------------------------

#: Fields a history entry never lists: bookkeeping the entry itself shows (who, when).
# The priority score is derived, not kept in the history (see Dataset.history).
_NOT_SHOWN = ("created_at", "updated_at", "created_by", "updated_by", "id", "priority_score")
_LABELS = {"department": "Owner department", "contact": "Steward", "license": "License URL"}
_M2M = {"keywords": Keyword, "themes": Theme, "initiatives": Initiative}
BLANK = "(blank)"


@dataclass
class Change:
    label: str
    old: str
    new: str


@dataclass
class Entry:
    version: object
    changes: list[Change] = field(default_factory=list)
    is_current: bool = False
    #: What changed in the distributions and the data dictionary with this version (see ``inventory.history``).
    parts: list[PartChange] = field(default_factory=list)

    @property
    def heading_id(self) -> str:
        return f"version-{self.version.history_id}"

    @property
    def kind(self) -> str:
        return "Created" if self.version.history_type == "+" else "Changed"


def _label(name: str) -> str:
    if name in _LABELS:
        return _LABELS[name]
    verbose = str(Dataset._meta.get_field(name).verbose_name)
    return verbose[:1].upper() + verbose[1:]


class _Names:
    """Display values for the ids a page of versions refers to, each kind fetched once."""

    def __init__(self, versions: list, m2m: dict[str, dict[int, list[int]]]):
        self.departments = Department.objects.in_bulk({v.department_id for v in versions})
        self.people = Person.objects.in_bulk({v.contact_id for v in versions if v.contact_id})
        self.answers = DiscoveryAnswer.objects.in_bulk({v.discovered_from_id for v in versions if v.discovered_from_id})
        self.related = {
            name: model.objects.in_bulk({pk for ids in m2m[name].values() for pk in ids})
            for name, model in _M2M.items()
        }

    def of(self, name: str, value) -> str:
        model_field = Dataset._meta.get_field(name)
        if value in (None, ""):
            return BLANK
        if name == "department":
            return str(self.departments.get(value, f"Department #{value}"))
        if name == "contact":
            person = self.people.get(value)
            return person.full_name if person else f"Person #{value} (removed)"
        if name == "discovered_from":
            return str(self.answers.get(value, f"Discovery answer #{value}"))
        if model_field.choices:
            return str(dict(model_field.flatchoices).get(value, value))
        if isinstance(value, bool):
            return "Yes" if value else "No"
        if hasattr(value, "isoformat"):
            return date_format(value)
        return str(value)

    def of_m2m(self, name: str, ids: list[int]) -> str:
        objects = self.related[name]
        names = sorted(str(objects[pk]) if pk in objects else f"#{pk} (removed)" for pk in ids)
        return ", ".join(names) if names else "(none)"


def _m2m_rows(history_ids: list[int]) -> dict[str, dict[int, list[int]]]:
    """For each many-to-many field, the related ids each version held (one query per field)."""
    rows: dict[str, dict[int, list[int]]] = {}
    for name, model in _M2M.items():
        through = Dataset.history.model._meta.apps.get_model("inventory", f"HistoricalDataset_{name}")
        by_version: dict[int, list[int]] = {pk: [] for pk in history_ids}
        column = f"{model._meta.model_name}_id"
        for history_id, related_id in through.objects.filter(history_id__in=history_ids).values_list(
            "history_id", column
        ):
            by_version[history_id].append(related_id)
        rows[name] = by_version
    return rows


def history_entries(
    dataset: Dataset, versions: list, older: object | None, *, latest_id: int, until=None
) -> list[Entry]:
    """Each version with what changed since the one before it, old → new (scalar fields through simple-history's
    ``diff_against``, many-to-many from the snapshots), and the changes to its distributions and dictionary
    recorded before ``until`` (the date of the next version when ``versions`` is not the newest page): a fixed
    number of queries for a page of versions."""
    everything = [*versions, *([older] if older else [])]
    m2m = _m2m_rows([v.history_id for v in everything])
    names = _Names(everything, m2m)
    parts = part_changes(dataset.pk, versions, until=until)
    entries = []
    for index, version in enumerate(versions):
        previous = everything[index + 1] if index + 1 < len(everything) else None
        entry = Entry(version=version, is_current=version.history_id == latest_id, parts=parts[version.history_id])
        if previous is None:
            # The first version: what it was created with.
            for model_field in Dataset._meta.concrete_fields:
                name = model_field.name
                if name in _NOT_SHOWN or name == "identifier":
                    continue
                value = getattr(version, model_field.attname)
                if value not in (None, "", False) and value != model_field.get_default():
                    entry.changes.append(Change(_label(name), BLANK, names.of(name, value)))
        else:
            delta = version.diff_against(previous, excluded_fields=[*_NOT_SHOWN, *_M2M])
            for change in delta.changes:
                entry.changes.append(
                    Change(_label(change.field), names.of(change.field, change.old), names.of(change.field, change.new))
                )
        for name in _M2M:
            new_ids = sorted(m2m[name][version.history_id])
            old_ids = sorted(m2m[name][previous.history_id]) if previous else []
            if new_ids != old_ids:
                entry.changes.append(Change(_label(name), names.of_m2m(name, old_ids), names.of_m2m(name, new_ids)))
        entries.append(entry)
    return entries


@require_safe
@login_required
def dataset_history(request: HttpRequest, pk: int) -> HttpResponse:
    """Every change to a dataset's metadata, newest first: who, when, why, and each field's old and new value."""
    actor = actor_for(request.user)
    dataset = get_object_for_user(DATASETS, request.user, Dataset.objects.select_related("department"), pk=pk)
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
    return render(
        request,
        "inventory/dataset_history.html",
        {
            "dataset": dataset,
            "entries": history_entries(dataset, versions, older, latest_id=latest_id, until=until),
            "page_obj": page_obj,
            "page_range": paginator.get_elided_page_range(page_obj.number, on_each_side=2, on_ends=1),
            "may_restore": may_write(actor, dataset),
        },
    )


@require_POST
@login_required
def dataset_restore(request: HttpRequest, pk: int, history_id: int) -> HttpResponse:
    """Bring back an earlier version's metadata, recorded as a new version."""
    actor = actor_for(request.user)
    dataset = get_object_for_user(DATASETS, request.user, Dataset.objects.all(), write=True, pk=pk)
    version = dataset.history.filter(history_id=history_id).first()
    if version is None:
        raise Http404("This dataset has no such version.")
    if version.department_id != dataset.department_id:
        require(
            DATASETS.can_create_in(actor, version.department_id),
            "That version belongs to another department: only the Stat team may move the dataset back.",
        )
    label = restore.version_label(version)
    try:
        restore.dataset_restore(dataset=dataset, history_id=history_id, by=request.user)
    except ValidationError as error:
        messages.error(request, f"Could not restore the version of {label}: {' '.join(error.messages)}")
    else:
        messages.success(request, f"Restored the version of {label}.")
    return redirect("inventory:dataset_history", pk=dataset.pk)


# --- deleting ------------------------------------------------------------------------------------------------------


def may_delete(actor: Actor) -> bool:
    """Deleting a dataset is the Stat team's (lead and analysts), not a department contact's."""
    return actor.can_edit_program_content()


@require_get_or_post
@login_required
def dataset_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """Confirm, then delete a dataset (never a published one: the page says to unpublish it first)."""
    actor = actor_for(request.user)
    dataset = get_object_for_user(
        DATASETS, request.user, Dataset.objects.select_related("department"), write=True, pk=pk
    )
    require(may_delete(actor), "Only the Stat lead and analysts delete datasets.")
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
