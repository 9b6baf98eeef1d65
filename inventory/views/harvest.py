"""Signed-in pages that bring metadata in from files: harvesting a DCAT-US catalogue (``/inventory/harvest/``) and
drafting a dataset's data dictionary from a sample CSV or a Table Schema (``.../dictionary/draft/``).

Both preview first and write only when the user confirms. A harvest's catalogue waits between the preview and the
import in the cache (an hour, under a random token tied to the user); a drafted dictionary travels in the
confirming form itself and is validated again by the service that writes it.
"""

from __future__ import annotations

import json
import secrets
import zlib

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse

from core.http import require_get_or_post
from core.safejson import loads_checked
from team.access import actor_for, require
from team.models import Department

from ..access import can_harvest, get_dataset_for_user
from ..forms import DictionarySourceForm, HarvestSourceForm, MappingForm
from ..models import Dataset
from ..services.datajson import FetchError, NotACatalogue, datajson_import, fetch_url, parse_catalog, publisher_name
from ..services.dictionary import FIELD_KEYS
from ..services.parts import dataset_save_dictionary

HARVEST_CACHE_SECONDS = 60 * 60


# --- harvesting a DCAT-US catalogue ------------------------------------------------------------------------------


def _harvest_key(request: HttpRequest, token: str) -> str:
    return f"inventory:harvest:{request.user.pk}:{token}"


def _stored_catalog(request: HttpRequest, token: str) -> tuple[dict, str]:
    stored = cache.get(_harvest_key(request, token))
    if stored is None:
        raise Http404("This harvest preview has expired. Upload the catalogue again.")
    raw, source = stored
    return parse_catalog(zlib.decompress(raw)), source


MAY_NOT_HARVEST = "Only the Stat team harvests catalogues."


@require_get_or_post
@login_required
def harvest(request: HttpRequest) -> HttpResponse:
    """Step 1: a data.json file or address. A good one is kept for the preview; a bad one is refused here."""
    require(can_harvest(actor_for(request.user)), MAY_NOT_HARVEST)
    form = HarvestSourceForm(request.POST, request.FILES) if request.method == "POST" else HarvestSourceForm()
    if request.method == "POST" and form.is_valid():
        try:
            if form.cleaned_data["file"]:
                upload = form.cleaned_data["file"]
                raw, source = upload.read(), upload.name
            else:
                raw, source = fetch_url(form.cleaned_data["url"]), form.cleaned_data["url"]
            parse_catalog(raw)
        except (NotACatalogue, FetchError) as exc:
            form.add_error("file" if form.cleaned_data["file"] else "url", " ".join(exc.messages))
        else:
            token = secrets.token_urlsafe(16)
            cache.set(_harvest_key(request, token), (zlib.compress(raw), source), HARVEST_CACHE_SECONDS)
            return redirect("inventory:harvest_preview", token=token)
    return render(request, "inventory/harvest.html", {"form": form}, status=400 if form.errors else 200)


@require_get_or_post
@login_required
def harvest_preview(request: HttpRequest, token: str) -> HttpResponse:
    """Step 2: what importing would do with each publisher mapped as chosen; "Import" does it."""
    require(can_harvest(actor_for(request.user)), MAY_NOT_HARVEST)
    catalog, source = _stored_catalog(request, token)
    publishers = sorted({publisher_name(r) for r in catalog["dataset"]} - {""}, key=str.lower)
    departments = list(Department.objects.active().order_by("name"))
    may_create = actor_for(request.user).can_manage_structure()
    form = MappingForm(
        request.POST if request.method == "POST" else None,
        publishers=publishers,
        departments=departments,
        may_create=may_create,
    )
    importing = request.method == "POST" and request.POST.get("action") == "import"
    if request.method == "POST" and not form.is_valid():
        importing = False
    report = datajson_import(
        catalog=catalog,
        by=request.user,
        department_map=form.department_map(departments),
        create_departments=may_create,
        dry_run=not importing,
    )
    if importing:
        cache.delete(_harvest_key(request, token))
        messages.success(
            request,
            f"Harvested {source}: {len(report.created)} added, {len(report.updated)} updated, "
            f"{len(report.unchanged)} unchanged, {len(report.invalid)} invalid, {len(report.skipped)} skipped.",
        )
        return render(request, "inventory/harvest_done.html", {"report": report, "source": source})
    return render(
        request,
        "inventory/harvest_preview.html",
        {"form": form, "report": report, "source": source, "token": token, "may_create": may_create},
        status=400 if form.errors else 200,
    )


# --- drafting a data dictionary ----------------------------------------------------------------------------------


def _dataset_url(dataset: Dataset) -> str:
    try:
        return dataset.get_absolute_url()
    except NoReverseMatch:  # the dataset page belongs to another part of the inventory
        return reverse("inventory:dictionary_draft", kwargs={"pk": dataset.pk})


@require_get_or_post
@login_required
def dictionary_draft(request: HttpRequest, pk: int) -> HttpResponse:
    """Upload a sample CSV or a Table Schema, see the drafted fields, then replace the dictionary with them."""
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
        drafted = form.drafted
        context.update(
            drafted=drafted,
            drafted_json=json.dumps([{k: f[k] for k in FIELD_KEYS} for f in drafted]),
            filename=form.cleaned_data["file"].name,
        )
    context["form"] = form
    return render(request, "inventory/dictionary_draft.html", context, status=400 if form.errors else 200)
