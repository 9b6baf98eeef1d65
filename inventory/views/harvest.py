"""Signed-in pages that bring metadata in from files: harvesting a DCAT-US catalogue (``/inventory/harvest/``) and
drafting a dataset's data dictionary from a sample CSV or a Table Schema (``.../dictionary/draft/``).

Both preview first and write only when the user confirms. A harvest is a background job (``core.jobs``, the
runner in ``services.jobs``): the upload (or the address) is stored with the job and the request returns at once;
the job's page (``/inventory/harvest/<id>/``) shows its progress in place while a worker reads the catalogue, then
the preview, then, once the user imports, what the import did. The page survives reloads; only the person who
started the harvest (and the Stat lead) sees it. A drafted dictionary travels in the confirming form itself and is
validated again by the service that writes it.
"""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_safe

from core.http import require_get_or_post
from core.jobs import job_progress
from core.models import Job, JobState
from core.safejson import loads_checked
from core.views import job_status_partial
from team.access import actor_for, get_job_for_user, require
from team.models import Department

from ..access import can_harvest, get_dataset_for_user
from ..forms import DictionarySourceForm, HarvestSourceForm, MappingForm
from ..models import Dataset
from ..services.jobs import DICTIONARY_JOB, HARVEST_JOB, IMPORT, dictionary_draft_start, harvest_continue, harvest_start
from ..services.parts import dataset_save_dictionary

MAY_NOT_HARVEST = "Only the Stat team harvests catalogues."


# --- harvesting a DCAT-US catalogue ------------------------------------------------------------------------------


def _first_problem(raw: bytes) -> str | None:
    """What is plainly wrong with an uploaded catalogue, seen from its first bytes (the job reads the rest)."""
    head = raw[:4096]
    if b"\x00" in head:
        return "This file holds binary data: a data.json catalogue is a JSON text file."
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    if start == b"[":
        return "This is not a DCAT-US catalogue: a data.json file is a JSON object with a “dataset” list."
    if start != b"{":
        return "This is not JSON: a DCAT-US catalogue is a data.json file."
    return None


@require_get_or_post
@login_required
def harvest(request: HttpRequest) -> HttpResponse:
    """Step 1: a data.json file or address. The harvest's job is started with it and the request returns at once
    to the job's page; a file that is plainly not a catalogue is refused here."""
    require(can_harvest(actor_for(request.user)), MAY_NOT_HARVEST)
    form = HarvestSourceForm(request.POST, request.FILES) if request.method == "POST" else HarvestSourceForm()
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        raw = upload.read() if upload else None
        problem = _first_problem(raw) if raw is not None else None
        if problem:
            form.add_error("file", problem)
        else:
            try:
                job = harvest_start(
                    by=request.user, payload=raw, source=upload.name if upload else form.cleaned_data["url"]
                )
            except ValidationError as exc:
                form.add_error("file" if upload else "url", " ".join(exc.messages))
            else:
                return redirect("inventory:harvest_job", pk=job.pk)
    return render(request, "inventory/harvest.html", {"form": form}, status=400 if form.errors else 200)


def _mapping_form(request: HttpRequest, job: Job) -> tuple[MappingForm, list[Department], bool]:
    departments = list(Department.objects.active().order_by("name"))
    may_create = actor_for(request.user).can_manage_structure()
    form = MappingForm(
        request.POST if request.method == "POST" else None,
        publishers=job.result.get("publishers", []),
        departments=departments,
        may_create=may_create,
    )
    return form, departments, may_create


@require_get_or_post
@login_required
def harvest_job(request: HttpRequest, pk: int) -> HttpResponse:
    """Step 2 and 3, on one page that survives reloads: the harvest's progress while a worker reads the catalogue;
    then the preview, where each publisher is mapped to a department ("Update the preview" checks it again, "Import"
    writes it, each as a new run of the job); then what the import did."""
    require(can_harvest(actor_for(request.user)), MAY_NOT_HARVEST)
    job = get_job_for_user(request.user, pk, kind=HARVEST_JOB)
    require(
        request.method != "POST" or job.actor_id == request.user.pk, "Only who started this harvest goes on with it."
    )
    partial = job_status_partial(request, job)
    if partial is not None:
        return partial
    progress = job_progress(job)
    context = {
        "job": job,
        "progress": progress,
        "report": job.result,
        "source": job.source,
        "may_continue": job.actor_id == request.user.pk,
    }
    previewed = progress["state"] == JobState.DONE and job.step != IMPORT
    if previewed or request.method == "POST":
        form, departments, may_create = _mapping_form(request, job)
        context.update(form=form, may_create=may_create)
    if request.method == "POST":
        if not previewed:
            messages.error(request, "This harvest is not waiting for a choice now.")
            return redirect("inventory:harvest_job", pk=job.pk)
        if form.is_valid():
            chosen = {name: d.pk if d else None for name, d in form.department_map(departments).items()}
            try:
                harvest_continue(
                    job=job, by=request.user, department_map=chosen, importing=request.POST.get("action") == "import"
                )
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            return redirect("inventory:harvest_job", pk=job.pk)
    status = 400 if "form" in context and context["form"].errors else 200
    return render(request, "inventory/harvest_job.html", context, status=status)


# --- drafting a data dictionary ----------------------------------------------------------------------------------


def _dataset_url(dataset: Dataset) -> str:
    try:
        return dataset.get_absolute_url()
    except NoReverseMatch:  # the dataset page belongs to another part of the inventory
        return reverse("inventory:dictionary_draft", kwargs={"pk": dataset.pk})


@require_get_or_post
@login_required
def dictionary_draft(request: HttpRequest, pk: int) -> HttpResponse:
    """Upload a sample CSV or a Table Schema (a background job drafts the fields, and its page shows them), or
    confirm a draft: replace the dictionary with its fields."""
    dataset = get_dataset_for_user(request.user, pk=pk, write=True)
    context = {"dataset": dataset, "dataset_url": _dataset_url(dataset), "current_count": dataset.fields.count()}
    if request.method == "POST" and request.POST.get("action") == "confirm":
        try:
            drafted = loads_checked(request.POST.get("fields", ""))
            if not isinstance(drafted, list) or not all(isinstance(f, dict) for f in drafted) or not drafted:
                raise ValueError
        except ValueError:
            messages.error(request, "The drafted fields were lost on the way. Upload the file again.")
            return redirect("inventory:dictionary_draft", pk=dataset.pk)
        try:
            dataset_save_dictionary(
                dataset=dataset, fields=drafted, by=request.user, reason="Data dictionary replaced from a draft"
            )
        except ValidationError as exc:
            context.update(form=DictionarySourceForm(), errors=exc.messages)
            return render(request, "inventory/dictionary_draft.html", context, status=400)
        messages.success(request, f"The data dictionary of {dataset} now has {len(drafted)} fields.")
        return redirect(_dataset_url(dataset))
    form = DictionarySourceForm(request.POST, request.FILES) if request.method == "POST" else DictionarySourceForm()
    if request.method == "POST" and form.is_valid():
        try:
            job = dictionary_draft_start(
                dataset=dataset,
                by=request.user,
                sample=form.sample,
                filename=form.cleaned_data["file"].name,
                table_schema=form.is_table_schema,
            )
        except ValidationError as exc:
            form.add_error("file", " ".join(exc.messages))
        else:
            return redirect("inventory:dictionary_draft_job", pk=dataset.pk, job=job.pk)
    context["form"] = form
    return render(request, "inventory/dictionary_draft.html", context, status=400 if form.errors else 200)


@require_safe
@login_required
def dictionary_draft_job(request: HttpRequest, pk: int, job: int) -> HttpResponse:
    """A draft's page, which survives reloads: its progress, then the drafted fields and the button that replaces
    the dictionary with them (posted to :func:`dictionary_draft`), or why the file could not be read."""
    dataset = get_dataset_for_user(request.user, pk=pk, write=True)
    draft = get_job_for_user(request.user, job, kind=DICTIONARY_JOB)
    if draft.subject_id != dataset.pk:
        raise Http404("No such draft.")
    partial = job_status_partial(request, draft)
    if partial is not None:
        return partial
    progress = job_progress(draft)
    context = {
        "dataset": dataset,
        "dataset_url": _dataset_url(dataset),
        "current_count": dataset.fields.count(),
        "job": draft,
        "progress": progress,
        "filename": draft.source,
    }
    if progress["state"] == JobState.DONE:
        drafted = draft.result.get("fields", [])
        context.update(drafted=drafted, drafted_json=json.dumps(drafted))
    elif progress["state"] == JobState.FAILED:
        context.update(form=DictionarySourceForm(), errors=[progress["message"]], failed=True)
    return render(request, "inventory/dictionary_draft.html", context)
