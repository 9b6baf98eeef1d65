"""The quality pages: a dataset's "Check now", upload and settings; a run's results; a dataset's run history; the
city's and each department's quality page; and each person's notification choice.

Who reads quality results and who checks a dataset, uploads a file or changes its settings is
:mod:`quality.access`'s to say (404 for a dataset, run or department whose results someone may not read; 403 for
those who read a dataset but do not write it). Writes go through ``quality.services``, which check the same rules.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from core.http import require_get_or_post
from inventory.models import Dataset
from team.access import actor_for, require
from team.forms import add_service_errors
from team.models import Department, Person

from . import charts, exports, selectors, services
from .access import (
    NO_QUALITY_ROLE,
    can_check_dataset,
    can_read_all_quality,
    can_read_quality,
    get_dataset_quality_for_user,
    get_quality_department_for_user,
    get_run_for_user,
)
from .forms import NotificationPreferenceForm, QualitySettingsForm, SourceUploadForm, max_upload_bytes
from .inventory_extensions import panel_context
from .models import DatasetQualitySettings, Delivery, NotificationPreference, QualityRun, RunState

RUNS_PER_PAGE = 50
#: Said where a run is queued but the task queue (Redis) did not take it: nothing is lost, it starts later.
QUEUE_DOWN = "the task queue is not answering, so it will start when the queue is back. Nothing more to do."


def _data(request: HttpRequest):
    return request.POST if request.method == "POST" else None


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _panel_url(dataset: Dataset) -> str:
    return f"{dataset.get_absolute_url()}#quality-heading"


# --- Check now and its status ----------------------------------------------------------------------------------


def _status_context(request: HttpRequest, dataset: Dataset, *, waiting_for: QualityRun | None = None) -> dict:
    """The status line's context and, once the run waited for has finished, the panel's (its latest judgement,
    problems and trend, which the answer replaces in place: ``quality/_status_update.html``)."""
    active = selectors.active_run(dataset)
    finished = None
    if active is None and waiting_for is not None and waiting_for.state == RunState.FINISHED:
        finished = waiting_for
    context = {
        "dataset": dataset,
        "active": active,
        "finished": finished,
        "waits_for_queue": selectors.run_waits_for_queue(active),
    }
    if finished is not None:
        panel = panel_context(request, dataset) or {}
        latest = panel["panel"].quality if panel else None
        context.update(panel, dataset=dataset)
        context["finished_unfetched"] = bool(latest and latest.never_fetched and latest.latest_run_id == finished.pk)
    return context


@require_safe
@login_required
def run_status(request: HttpRequest, pk: int) -> HttpResponse:
    """The dataset's check status, for htmx to poll while a run is queued or running (the partial stops polling
    once none is)."""
    dataset = get_dataset_quality_for_user(request.user, pk)
    waiting_for = None
    run_id = request.GET.get("run", "")
    if run_id.isdigit():
        waiting_for = QualityRun.objects.filter(dataset=dataset, pk=int(run_id)).first()
    return render(request, "quality/_status_update.html", _status_context(request, dataset, waiting_for=waiting_for))


@require_POST
@login_required
def check_now(request: HttpRequest, pk: int) -> HttpResponse:
    """Ask for a run of every check now. With htmx, answers with the status, which then polls; without, redirects
    back to the dataset page."""
    dataset = get_dataset_quality_for_user(request.user, pk, write=True)
    run = services.run_request(dataset=dataset, by=request.user)
    run.refresh_from_db()  # without a broker the run was done on commit, before this line
    if _is_htmx(request):
        return render(request, "quality/_status_update.html", _status_context(request, dataset, waiting_for=run))
    if run.state == RunState.FINISHED and selectors.run_left_unchecked(run):
        messages.warning(request, f"Could not check “{dataset.title}”: its data could not be fetched. {run.message}")
    elif run.state == RunState.FINISHED:
        messages.success(request, f"Checked “{dataset.title}”: {run.get_outcome_display()}.")
    elif selectors.run_waits_for_queue(run):
        messages.warning(request, f"The check of “{dataset.title}” is queued: {QUEUE_DOWN}")
    else:
        messages.success(request, f"Checking “{dataset.title}”. Reload this page to see when it is done.")
    return redirect(_panel_url(dataset))


# --- upload and settings -----------------------------------------------------------------------------------------


def _quality_settings(dataset: Dataset) -> DatasetQualitySettings | None:
    return DatasetQualitySettings.objects.filter(dataset=dataset).first()


@require_get_or_post
@login_required
def upload(request: HttpRequest, pk: int) -> HttpResponse:
    """Upload a data file to check (the form is on the dataset page too; this page shows it again with its
    errors)."""
    dataset = get_dataset_quality_for_user(request.user, pk, write=True)
    max_bytes = max_upload_bytes(_quality_settings(dataset))
    form = SourceUploadForm(_data(request), request.FILES if request.method == "POST" else None, max_bytes=max_bytes)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                saved = services.source_upload_create(dataset=dataset, file=form.cleaned_data["file"], by=request.user)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                uploaded = f"Uploaded {saved.original_name} ({filesizeformat(saved.size)})"
                if selectors.run_waits_for_queue(selectors.active_run(dataset)):
                    messages.warning(request, f"{uploaded}. Its check is queued: {QUEUE_DOWN}")
                else:
                    messages.success(request, f"{uploaded}: checking it now.")
                return redirect(_panel_url(dataset))
        status = 400
    return render(request, "quality/upload.html", {"dataset": dataset, "form": form}, status=status)


@require_get_or_post
@login_required
def settings_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """How a dataset is checked: on its schedule or not, which distribution, its date column and thresholds."""
    dataset = get_dataset_quality_for_user(request.user, pk, write=True)
    current = _quality_settings(dataset)
    form = QualitySettingsForm(_data(request), instance=current, dataset=dataset)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.settings_update(dataset=dataset, by=request.user, **form.changes)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, f"Saved the quality settings of “{dataset.title}”.")
                return redirect(_panel_url(dataset))
        status = 400
    return render(request, "quality/settings.html", {"dataset": dataset, "form": form}, status=status)


# --- runs --------------------------------------------------------------------------------------------------------


@require_safe
@login_required
def run_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One run: when, how, its outcome and score, and every check with its example rows (their values as the reader
    may see them)."""
    run = get_run_for_user(request.user, pk)
    actor = actor_for(request.user)
    return render(
        request,
        "quality/run_detail.html",
        {
            "run": run,
            "dataset": run.dataset,
            "checks": selectors.run_with_checks(run, actor),
            "may_check": can_check_dataset(actor, run.dataset),
            "waits_for_queue": selectors.run_waits_for_queue(run),
        },
    )


@require_safe
@login_required
def dataset_runs(request: HttpRequest, pk: int) -> HttpResponse:
    """Every run of one dataset, newest first, a page at a time."""
    dataset = get_dataset_quality_for_user(request.user, pk)
    paginator = Paginator(selectors.runs_for_dataset(dataset), RUNS_PER_PAGE)
    page_obj = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "quality/run_list.html",
        {
            "dataset": dataset,
            "page_obj": page_obj,
            "page_range": paginator.get_elided_page_range(page_obj.number, on_each_side=2, on_ends=1),
            "city_zone": charts.city_zone(),
        },
    )


@require_safe
@login_required
def dataset_runs_csv(request: HttpRequest, pk: int) -> HttpResponse:
    """Every run of one dataset as CSV, newest first, its times in the city's time zone (named in the header)."""
    dataset = get_dataset_quality_for_user(request.user, pk)
    response = HttpResponse(
        exports.runs_csv(selectors.runs_for_dataset(dataset)), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = (
        f'attachment; filename="quality-runs-{dataset.pk}-{timezone.localdate():%Y-%m-%d}.csv"'
    )
    response["Cache-Control"] = "private, no-store"
    return response


# --- the quality pages -------------------------------------------------------------------------------------------


def _overview(request: HttpRequest, department: Department | None) -> HttpResponse:
    actor = actor_for(request.user)
    overview = selectors.quality_overview(actor, department=department, now=timezone.now())
    return render(
        request,
        "quality/overview.html",
        {
            "department": department,
            "overview": overview,
            "runs_chart": charts.figure_data(charts.runs_per_week_figure(overview.weeks)),
            "whole_city": can_read_all_quality(actor),
        },
    )


@require_safe
@login_required
def overview(request: HttpRequest) -> HttpResponse:
    """The quality of every dataset the reader may see: the city's for the Stat team, a department's for its lead,
    a portfolio's for its budget analyst."""
    require(can_read_quality(actor_for(request.user)), NO_QUALITY_ROLE)
    return _overview(request, None)


@require_safe
@login_required
def department_overview(request: HttpRequest, slug: str) -> HttpResponse:
    department = get_quality_department_for_user(request.user, slug)
    return _overview(request, department)


# --- notification preference -------------------------------------------------------------------------------------


@require_get_or_post
@login_required
def notifications(request: HttpRequest) -> HttpResponse:
    """The signed-in person's choice: an email each time, a daily digest, or none."""
    person = Person.objects.filter(user=request.user).first()
    if person is None:
        return render(request, "quality/notifications.html", {"person": None, "form": None})
    current = NotificationPreference.objects.filter(person=person).first()
    initial = {"delivery": current.delivery if current else Delivery.IMMEDIATE}
    form = NotificationPreferenceForm(_data(request), initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            saved = services.preference_set(person=person, delivery=form.cleaned_data["delivery"], by=request.user)
            messages.success(request, f"Saved: {Delivery(saved.delivery).label.lower()}.")
            return redirect("quality:notifications")
        status = 400
    return render(request, "quality/notifications.html", {"person": person, "form": form}, status=status)
