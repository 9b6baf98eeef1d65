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

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_http_methods

from team.access import actor_for, get_object_for_user, require
from team.models import Department

from ..access import DATASETS
from ..models import Dataset
from ..services.datajson import (
    FETCH_MAX_BYTES,
    FetchError,
    NotACatalogue,
    datajson_import,
    fetch_url,
    parse_catalog,
    publisher_name,
)
from ..services.datasets import dataset_save_dictionary
from ..services.dictionary import FIELD_KEYS, dictionary_from_csv, dictionary_from_table_schema

require_get_or_post = require_http_methods(["GET", "HEAD", "POST"])

HARVEST_CACHE_SECONDS = 60 * 60
CREATE = "new"
SKIP = "skip"


# --- harvesting a DCAT-US catalogue ------------------------------------------------------------------------------


class HarvestSourceForm(forms.Form):
    file = forms.FileField(
        label="A data.json file",
        required=False,
        help_text="A DCAT-US v1.1 catalogue saved from a city’s open data portal.",
        widget=forms.ClearableFileInput(attrs={"accept": ".json,application/json"}),
    )
    url = forms.URLField(
        label="Or the address of a data.json",
        required=False,
        assume_scheme="https",
        help_text="For example https://data.example.gov/data.json. Only public internet addresses are fetched.",
    )

    def clean(self):
        data = super().clean()
        if bool(data.get("file")) == bool(data.get("url")):
            raise ValidationError("Upload a data.json file or give its address (one or the other).")
        upload = data.get("file")
        if upload and upload.size > FETCH_MAX_BYTES:
            self.add_error("file", "This file is too large (over 50 MB).")
        return data


def _harvest_key(request: HttpRequest, token: str) -> str:
    return f"inventory:harvest:{request.user.pk}:{token}"


def _stored_catalog(request: HttpRequest, token: str) -> tuple[dict, str]:
    stored = cache.get(_harvest_key(request, token))
    if stored is None:
        raise Http404("This harvest preview has expired. Upload the catalogue again.")
    raw, source = stored
    return parse_catalog(zlib.decompress(raw)), source


class MappingForm(forms.Form):
    """One select per publisher: which department its datasets go to, a new one, or none (skipped)."""

    def __init__(self, *args, publishers: list[str], departments: list[Department], may_create: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.publishers = publishers
        by_name = {d.name.lower(): d for d in departments}
        # Only a principal or Stat lead adds departments (team.services.department_create); others map or skip.
        choices = [
            *([(CREATE, "Create a new department with this name")] if may_create else []),
            (SKIP, "Do not import this publisher’s datasets"),
            *((str(d.pk), d.name) for d in departments),
        ]
        for index, name in enumerate(publishers):
            match = by_name.get(name.lower())
            self.fields[f"publisher_{index}"] = forms.ChoiceField(
                label=f"Datasets published by “{name}” go to",
                choices=choices,
                initial=str(match.pk) if match else (CREATE if may_create else SKIP),
            )

    def department_map(self, departments: list[Department]) -> dict[str, Department | None]:
        """Publisher name → Department, or None to skip; publishers to create are left out (created on import)."""
        by_pk = {str(d.pk): d for d in departments}
        mapping: dict[str, Department | None] = {}
        for index, name in enumerate(self.publishers):
            value = (
                self.cleaned_data.get(f"publisher_{index}")
                if self.is_bound
                else self.fields[f"publisher_{index}"].initial
            )
            if value == SKIP:
                mapping[name] = None
            elif value in by_pk:
                mapping[name] = by_pk[value]
        return mapping


def _may_harvest(request: HttpRequest) -> None:
    require(actor_for(request.user).can_edit_program_content(), "Only the Stat team harvests catalogues.")


@require_get_or_post
@login_required
def harvest(request: HttpRequest) -> HttpResponse:
    """Step 1: a data.json file or address. A good one is kept for the preview; a bad one is refused here."""
    _may_harvest(request)
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
    _may_harvest(request)
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


class DictionarySourceForm(forms.Form):
    file = forms.FileField(
        label="A sample CSV file or a Table Schema JSON file",
        help_text="From a CSV, the header names the fields and the first 1,000 rows suggest their types. "
        "A Table Schema (.json) is read as it is.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.tsv,.txt,.json,text/csv,application/json"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        is_json = upload.name.lower().endswith(".json") or (upload.content_type or "").endswith("json")
        try:
            self.drafted = dictionary_from_table_schema(upload) if is_json else dictionary_from_csv(upload)
        except ValidationError as exc:
            raise ValidationError(exc.messages) from exc
        return upload


def _dataset_url(dataset: Dataset) -> str:
    try:
        return dataset.get_absolute_url()
    except NoReverseMatch:  # the dataset page belongs to another part of the inventory
        return reverse("inventory:dictionary_draft", kwargs={"pk": dataset.pk})


@require_get_or_post
@login_required
def dictionary_draft(request: HttpRequest, pk: int) -> HttpResponse:
    """Upload a sample CSV or a Table Schema, see the drafted fields, then replace the dictionary with them."""
    dataset = get_object_for_user(DATASETS, request.user, Dataset.objects.all(), pk=pk, write=True)
    context = {"dataset": dataset, "dataset_url": _dataset_url(dataset), "current_count": dataset.fields.count()}
    if request.method == "POST" and request.POST.get("action") == "confirm":
        try:
            drafted = json.loads(request.POST.get("fields", ""))
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
