"""Import datasets from CSV or XLSX (upload, dry-run preview, confirm) and export them as CSV or XLSX.

The import follows ``core.import_plan``: between the preview and the confirmation the parsed rows wait in the user's
session (server-side) under a random token, never in the page, so the confirmation cannot smuggle in rows the preview
did not show; confirming plans the rows again against the database as it is then, so the write never relies on a
stale preview.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from core.http import require_get_or_post
from core.import_plan import stash_upload, take_upload
from team.access import Actor, actor_for, require

from ..access import can_create_dataset_in, can_import_datasets, can_use_inventory, datasets_readable_by
from ..forms import ImportUploadForm
from ..services import tabular

SESSION_KEY = "inventory_import"
MAY_NOT_IMPORT = "Only the Stat team and department contacts can import datasets."


def _render_form(request: HttpRequest, form: ImportUploadForm, actor: Actor, status: int = 200) -> HttpResponse:
    context = {
        "form": form,
        "columns": tabular.COLUMNS,
        "required_columns": tabular.REQUIRED_COLUMNS,
        "own_department_only": not can_create_dataset_in(actor, None),
    }
    return render(request, "inventory/import.html", context, status=status)


@require_get_or_post
@login_required
def import_upload(request: HttpRequest) -> HttpResponse:
    """Upload a file and see, row by row, what importing it would do. Nothing is written here."""
    actor = actor_for(request.user)
    require(can_import_datasets(actor), MAY_NOT_IMPORT)
    if request.method != "POST":
        return _render_form(request, ImportUploadForm(), actor)
    form = ImportUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _render_form(request, form, actor, status=400)
    filename = form.cleaned_data["file"].name
    plan = tabular.import_plan(columns=form.columns, rows=form.rows, by=request.user)
    token = stash_upload(request.session, SESSION_KEY, name=filename, rows=form.rows, columns=form.columns)
    return render(request, "inventory/import_preview.html", {"plan": plan, "token": token, "filename": filename})


@require_POST
@login_required
def import_confirm(request: HttpRequest) -> HttpResponse:
    """Write the previewed file's valid rows in one transaction; the invalid ones are skipped and listed again."""
    require(can_import_datasets(actor_for(request.user)), MAY_NOT_IMPORT)
    pending = take_upload(request.session, SESSION_KEY, request.POST.get("token", ""))
    if pending is None:
        messages.error(request, "That preview has expired or was replaced by another upload. Upload the file again.")
        return redirect("inventory:import")
    result = tabular.datasets_import(columns=pending["columns"], rows=pending["rows"], by=request.user)
    return render(request, "inventory/import_done.html", {"result": result, "filename": pending["name"]})


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
