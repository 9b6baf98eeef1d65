"""Import datasets from CSV or XLSX (upload, dry-run preview, confirm) and export them as CSV or XLSX.

The import follows ``core.import_plan`` and runs as a background job (``core.jobs``; the runner is
``services.jobs.import_job_run``): the upload is read here (a file that cannot be read is refused on the form), its
rows are stored with the job, and the request returns at once to the job's page (``/inventory/import/<id>/``),
which shows the progress in place, then the preview, then what the import did. The confirmation carries nothing
but the job, so it cannot smuggle in rows the preview did not show; the import plans the rows again against the
database as it is then, so the write never relies on a stale preview, and writes them in one transaction. Only the
person who started an import (and the Stat lead) sees its page.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_safe

from core.http import require_get_or_post
from core.jobs import job_progress
from core.models import JobState
from core.views import job_status_partial
from team.access import Actor, actor_for, get_job_for_user, require

from ..access import can_create_dataset_in, can_import_datasets, can_use_inventory, datasets_readable_by
from ..forms import ImportUploadForm
from ..selectors import importable_departments
from ..services import tabular
from ..services.jobs import IMPORT, IMPORT_JOB, MAY_NOT_IMPORT, import_confirm, import_start


def _render_form(request: HttpRequest, form: ImportUploadForm, actor: Actor, status: int = 200) -> HttpResponse:
    context = {
        "form": form,
        "columns": tabular.COLUMNS,
        "required_columns": tabular.REQUIRED_COLUMNS,
        "own_department_only": not can_create_dataset_in(actor, None),
        "departments": importable_departments(actor),
    }
    return render(request, "inventory/import.html", context, status=status)


@require_get_or_post
@login_required
def import_upload(request: HttpRequest) -> HttpResponse:
    """Upload a file; its rows are checked by a background job, whose page shows what importing them would do."""
    actor = actor_for(request.user)
    require(can_import_datasets(actor), MAY_NOT_IMPORT)
    if request.method != "POST":
        return _render_form(request, ImportUploadForm(), actor)
    form = ImportUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _render_form(request, form, actor, status=400)
    job = import_start(by=request.user, columns=form.columns, rows=form.rows, filename=form.cleaned_data["file"].name)
    return redirect("inventory:import_job", pk=job.pk)


@require_get_or_post
@login_required
def import_job(request: HttpRequest, pk: int) -> HttpResponse:
    """An import's page, which survives reloads: its progress, then the preview (row by row; "Import" confirms it),
    then what the import did."""
    require(can_import_datasets(actor_for(request.user)), MAY_NOT_IMPORT)
    job = get_job_for_user(request.user, pk, kind=IMPORT_JOB)
    require(request.method != "POST" or job.actor_id == request.user.pk, "Only who started this import confirms it.")
    partial = job_status_partial(request, job)
    if partial is not None:
        return partial
    progress = job_progress(job)
    if request.method == "POST":
        try:
            import_confirm(job=job, by=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        return redirect("inventory:import_job", pk=job.pk)
    context = {"job": job, "progress": progress, "filename": job.source}
    if progress["state"] == JobState.DONE:
        if job.step == IMPORT:
            return render(request, "inventory/import_done.html", {**context, "result": job.result})
        read_only = job.actor_id != request.user.pk
        return render(
            request,
            "inventory/import_preview.html",
            {**context, "plan": job.result, "token": "", "read_only": read_only},
        )
    return render(request, "inventory/import_job.html", context)


# --- export --------------------------------------------------------------------------------------------------------


def _filtered(request: HttpRequest, actor: Actor):
    datasets = datasets_readable_by(actor)
    department = request.GET.get("department", "").strip()
    if department:
        match = Q(department__slug=department) | Q(department__code__iexact=department)
        if department.isdigit():
            match |= Q(department_id=int(department))
        datasets = datasets.filter(match)
    status = request.GET.get("status", "").strip()
    if status:
        datasets = datasets.filter(status=status)
    return datasets


@require_safe
@login_required
def export(request: HttpRequest, fmt: str) -> HttpResponse:
    """The datasets the user may read (narrowed by ``?department=`` and ``?status=``) in the import's columns."""
    actor = actor_for(request.user)
    require(can_use_inventory(actor), "Only people with a role in the program can export the inventory.")
    datasets = _filtered(request, actor)
    stamp = timezone.localdate().isoformat()
    if fmt == "xlsx":
        response = HttpResponse(
            tabular.export_xlsx(datasets),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        response = HttpResponse(
            tabular.export_csv(datasets).encode("utf-8-sig"), content_type="text/csv; charset=utf-8"
        )
    response["Content-Disposition"] = f'attachment; filename="datasets-{stamp}.{fmt}"'
    return response
