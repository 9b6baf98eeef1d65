"""Upload a manual measure's observations from CSV: upload, dry-run preview, confirm.

It follows ``core.import_plan``: between the preview and the confirmation the parsed rows wait in the user's
session (server-side) under a random token, never in the page, so the confirmation cannot bring in rows the preview
did not show. Confirming plans the rows again against the observations as they are then. Who may: the same people as
manual entry (:func:`goals.access.can_record_observations`; ``observations_import`` checks it too).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from core.http import require_get_or_post
from core.import_plan import stash_upload, take_upload
from team.access import actor_for, require

from ..access import RECORD_REFUSED, can_record_observations, get_measure_for_user
from ..forms import UploadForm
from ..services import observations as upload

SESSION_KEY = "goals_observation_upload"


def _guard(request: HttpRequest, slug: str):
    measure = get_measure_for_user(request.user, slug)
    require(not measure.is_computed, upload.COMPUTED_REFUSAL)
    require(can_record_observations(actor_for(request.user), measure), RECORD_REFUSED)
    return measure


@require_get_or_post
@login_required
def upload_observations(request: HttpRequest, slug: str) -> HttpResponse:
    """Upload a file and see, row by row, what saving it would do. Nothing is written here."""
    measure = _guard(request, slug)
    form = UploadForm(request.POST or None, request.FILES or None)
    context = {
        "form": form,
        "measure": measure,
        "columns": upload.COLUMNS,
        "heading": "Upload values",
        "intro": f"Many {measure.get_frequency_display().lower()} values of “{measure.name}” at once, from a CSV file.",
        "submit": "Preview the upload",
        "multipart": True,
    }
    if request.method != "POST":
        return render(request, "goals/upload.html", context)
    if not form.is_valid():
        return render(request, "goals/upload.html", context, status=400)
    try:
        rows = upload.read_observations(form.cleaned_data["file"])
    except upload.UploadError as exc:
        form.add_error("file", str(exc))
        return render(request, "goals/upload.html", context, status=400)
    filename = form.cleaned_data["file"].name
    plan = upload.observations_plan(measure=measure, rows=rows)
    token = stash_upload(request.session, SESSION_KEY, name=filename, rows=rows, measure=measure.pk)
    return render(
        request, "goals/upload_preview.html", {"plan": plan, "measure": measure, "token": token, "filename": filename}
    )


@require_POST
@login_required
def upload_confirm(request: HttpRequest, slug: str) -> HttpResponse:
    """Save the previewed file's valid rows in one transaction; the invalid ones are skipped and listed again."""
    measure = _guard(request, slug)
    pending = take_upload(request.session, SESSION_KEY, request.POST.get("token", ""), measure=measure.pk)
    if pending is None:
        messages.error(request, "That preview has expired or was replaced by another upload. Upload the file again.")
        return redirect("goals:upload", slug=measure.slug)
    result = upload.observations_import(measure=measure, rows=pending["rows"], by=request.user)
    return render(
        request, "goals/upload_done.html", {"result": result, "measure": measure, "filename": pending["name"]}
    )
