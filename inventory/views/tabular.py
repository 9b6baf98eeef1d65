"""Import datasets from CSV or XLSX (upload, dry-run preview, confirm) and export them as CSV or XLSX.

Between the preview and the confirmation the parsed rows wait in the user's session (server-side) under a random
token, never in the page: the confirmation cannot smuggle in rows the preview did not show. Confirming plans the rows
again against the database as it is then, so the write never relies on a stale preview.
"""

from __future__ import annotations

import secrets

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from core.http import require_get_or_post
from team.access import Actor, actor_for, require

from ..access import DATASETS
from ..models import Dataset
from ..services import tabular

SESSION_KEY = "inventory_import"


def can_import(actor: Actor) -> bool:
    """The Stat lead and analysts import for any department; a department contact for their own department."""
    return actor.can_edit_program_content() or bool(actor.contact_department_ids)


class UploadForm(forms.Form):
    file = forms.FileField(
        label="CSV or XLSX file",
        help_text=f"One dataset per row, the first row naming the columns. Up to "
        f"{tabular.MAX_UPLOAD_BYTES // (1024 * 1024)} MB.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > tabular.MAX_UPLOAD_BYTES:
            raise forms.ValidationError(f"The file is larger than {tabular.MAX_UPLOAD_BYTES // (1024 * 1024)} MB.")
        try:
            self.columns, self.rows = tabular.read_table(upload, upload.name)
        except tabular.TableError as exc:
            raise forms.ValidationError(str(exc)) from exc
        return upload


def _render_form(request: HttpRequest, form: UploadForm, actor: Actor, status: int = 200) -> HttpResponse:
    context = {
        "form": form,
        "columns": tabular.COLUMNS,
        "required_columns": tabular.REQUIRED_COLUMNS,
        "own_department_only": not actor.can_edit_program_content(),
    }
    return render(request, "inventory/import.html", context, status=status)


@require_get_or_post
@login_required
def import_upload(request: HttpRequest) -> HttpResponse:
    """Upload a file and see, row by row, what importing it would do. Nothing is written here."""
    actor = actor_for(request.user)
    require(can_import(actor), "Only the Stat team and department contacts can import datasets.")
    if request.method != "POST":
        return _render_form(request, UploadForm(), actor)
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _render_form(request, form, actor)
    plan = tabular.import_plan(columns=form.columns, rows=form.rows, actor=actor)
    token = secrets.token_urlsafe(24)
    request.session[SESSION_KEY] = {
        "token": token,
        "name": form.cleaned_data["file"].name,
        "columns": form.columns,
        "rows": form.rows,
        "at": timezone.now().isoformat(),
    }
    return render(
        request,
        "inventory/import_preview.html",
        {"plan": plan, "token": token, "filename": form.cleaned_data["file"].name},
    )


@require_POST
@login_required
def import_confirm(request: HttpRequest) -> HttpResponse:
    """Write the previewed file's valid rows in one transaction; the invalid ones are skipped and listed again."""
    actor = actor_for(request.user)
    require(can_import(actor), "Only the Stat team and department contacts can import datasets.")
    pending = request.session.get(SESSION_KEY)
    if not pending or not secrets.compare_digest(str(pending.get("token", "")), request.POST.get("token", "")):
        messages.error(request, "That preview has expired or was replaced by another upload. Upload the file again.")
        return redirect("inventory:import")
    result = tabular.datasets_import(columns=pending["columns"], rows=pending["rows"], actor=actor, by=request.user)
    del request.session[SESSION_KEY]
    return render(request, "inventory/import_done.html", {"result": result, "filename": pending["name"]})


# --- export --------------------------------------------------------------------------------------------------------


def _filtered(request: HttpRequest, actor: Actor):
    datasets = DATASETS.readable(actor, Dataset.objects.all())
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
    require(actor.has_any_role, "Only people with a role in the program can export the inventory.")
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
