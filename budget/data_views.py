"""The budget data pages: the import (upload, map the columns, preview, commit), the fiscal years (add, adopt,
close, publish), a program (its lines by year, its measure links), and the exports (CSV, Fiscal Data Package).

The import follows ``core.import_plan``: the uploaded rows wait in the user's session under a random token between
the steps, never in the page; each step takes them and stashes them again (with the chosen mapping), so a
confirmation brings in exactly the rows the preview showed, planned again against the budget as it is then.
"""

from __future__ import annotations

import hashlib

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST, require_safe

from core.http import require_get_or_post
from core.import_plan import stash_upload, take_upload
from core.jobs import job_progress
from core.models import JobState
from core.views import job_status_partial
from goals.access import measures_readable_by
from goals.models import Measure
from team.access import actor_for, get_job_for_user, require

from . import exports
from .access import (
    CITY_REFUSED,
    EDIT_REFUSED,
    IMPORT_REFUSED,
    can_import_budget,
    can_manage_city_budget,
    can_read_budget,
    can_write_program,
    get_program_for_user,
    lines_readable_by,
    public_lines,
)
from .data_forms import FiscalYearCreateForm, ImportUploadForm, MappingForm, MeasureLinkForm
from .importing import (
    FIELDS,
    REQUIRED,
    Table,
    TableError,
    check_mapping,
    guess_mapping,
    import_plan,
    mapped_rows,
    read_table,
)
from .models import BudgetImport, BudgetLine, FiscalYear, FiscalYearStatus, ImportSource, MonthlyActual, ProgramMeasure
from .services import data as services
from .services import jobs
from .services.imports import budget_import

SESSION_KEY = "budget_import"


def _import_guard(request: HttpRequest) -> None:
    """Import pages: 404 for those who read no budget, 403 for readers who may not import."""
    actor = actor_for(request.user)
    if not can_read_budget(actor) and not can_import_budget(actor):
        raise Http404("No such page.")
    require(can_import_budget(actor), IMPORT_REFUSED)


def _upload_page(request: HttpRequest, form: ImportUploadForm, status: int = 200) -> HttpResponse:
    context = {
        "form": form,
        "fields": FIELDS,
        "required": [FIELDS[name] for name in REQUIRED],
        "recent": BudgetImport.objects.select_related("source", "imported_by")[:10],
        "portfolio_only": not actor_for(request.user).has_role("stat_lead"),
    }
    return render(request, "budget/data/import.html", context, status=status)


def _mapping_page(request: HttpRequest, form: MappingForm, pending: dict, status: int = 200) -> HttpResponse:
    context = {"form": form, "filename": pending["name"], "source": pending["source"], "header": pending["header"]}
    context["job"] = pending.get("job")
    context["sample"] = pending["rows"][:3]
    return render(request, "budget/data/import_map.html", context, status=status)


def _saved_mapping(source_name: str) -> dict[str, str]:
    return ImportSource.objects.filter(name=source_name).values_list("mapping", flat=True).first() or {}


def _stash(request: HttpRequest, pending: dict, **changes) -> str:
    values = {**{k: v for k, v in pending.items() if k not in ("token", "at")}, **changes}
    name, rows = values.pop("name"), values.pop("rows")
    return stash_upload(request.session, SESSION_KEY, name=name, rows=rows, **values)


@require_get_or_post
@login_required
def import_upload(request: HttpRequest) -> HttpResponse:
    """Step 1: upload a finance export (CSV or XLSX) and name its source."""
    _import_guard(request)
    if request.method != "POST":
        return _upload_page(request, ImportUploadForm())
    form = ImportUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _upload_page(request, form, status=400)
    upload = form.cleaned_data["file"]
    try:
        table = read_table(upload, upload.name)
    except TableError as exc:
        form.add_error("file", str(exc))
        return _upload_page(request, form, status=400)
    upload.seek(0)
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    if len(table.rows) > jobs.JOB_ROWS:  # seconds of work: a background job keeps the file, shows its progress
        job = jobs.import_start(
            by=request.user, source_name=form.source_name, file_name=upload.name, sha256=digest.hexdigest(), table=table
        )
        return redirect("budget:import_job", pk=job.pk)
    mapping = guess_mapping(table.header, _saved_mapping(form.source_name))
    pending = {
        "name": upload.name,
        "rows": table.rows,
        "header": table.header,
        "source": form.source_name,
        "sha256": digest.hexdigest(),
    }
    token = _stash(request, pending)
    form_map = MappingForm(header=table.header, initial_mapping=mapping, initial={"token": token})
    return _mapping_page(request, form_map, pending)


@require_POST
@login_required
def import_map(request: HttpRequest) -> HttpResponse:
    """Step 2: the columns mapped (and the mapping saved for the source): the dry run's preview."""
    _import_guard(request)
    pending = take_upload(request.session, SESSION_KEY, request.POST.get("token", ""))
    if pending is None:
        messages.error(request, "That upload has expired or was replaced by another. Upload the file again.")
        return redirect("budget:import")
    form = MappingForm(request.POST, header=pending["header"], initial_mapping={})
    rows, problem = None, None
    if form.is_valid():
        try:
            rows = mapped_rows(Table(header=pending["header"], rows=pending["rows"]), form.mapping)
        except TableError as exc:
            problem = str(exc)
    if rows is None:
        data = request.POST.copy()
        data["token"] = _stash(request, pending)
        form = MappingForm(data, header=pending["header"], initial_mapping={})
        form.is_valid()
        if problem:
            form.add_error(None, problem)
        return _mapping_page(request, form, pending, status=400)
    try:
        services.import_source_save(name=pending["source"], mapping=form.mapping, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("budget:import")
    plan = import_plan(rows=rows, by=request.user)
    token = _stash(request, pending, mapping=form.mapping)
    context = {"plan": plan, "token": token, "filename": pending["name"], "source": pending["source"]}
    return render(request, "budget/data/import_preview.html", context)


@require_POST
@login_required
def import_confirm(request: HttpRequest) -> HttpResponse:
    """Step 3: the import, in one transaction, planned again against the budget as it is now."""
    _import_guard(request)
    pending = take_upload(request.session, SESSION_KEY, request.POST.get("token", ""))
    if pending is None or "mapping" not in pending:
        messages.error(request, "That preview has expired or was replaced by another upload. Upload the file again.")
        return redirect("budget:import")
    source = get_object_or_404(ImportSource, name=pending["source"])
    try:
        rows = mapped_rows(Table(header=pending["header"], rows=pending["rows"]), pending["mapping"])
    except TableError as exc:
        messages.error(request, str(exc))
        return redirect("budget:import")
    done = budget_import(source=source, file_name=pending["name"], sha256=pending["sha256"], rows=rows, by=request.user)
    skipped = [row for row in done.plan.rows if row.action == "invalid"]
    context = {"record": done.record, "skipped": skipped, "filename": pending["name"]}
    return render(request, "budget/data/import_done.html", context)


@require_get_or_post
@login_required
def import_job(request: HttpRequest, pk: int) -> HttpResponse:
    """A large import's page, which survives reloads: reading the file, then the mapping of its columns, the
    preview's progress and the preview ("Import" confirms it), then what the import did. Seen by who started it (and
    the Stat lead); continued by who started it."""
    _import_guard(request)
    job = get_job_for_user(request.user, pk, kind=jobs.IMPORT_JOB)
    require(request.method != "POST" or job.actor_id == request.user.pk, "Only who started this import continues it.")
    partial = job_status_partial(request, job)
    if partial is not None:
        return partial
    progress = job_progress(job)
    done = progress["state"] == JobState.DONE
    if request.method == "POST" and done and job.step == jobs.READ:
        header = job.result["header"]
        form = MappingForm(request.POST, header=header, initial_mapping={})
        problem = None
        if form.is_valid():
            try:
                check_mapping(header, form.mapping)
                services.import_source_save(name=job.result["source"], mapping=form.mapping, by=request.user)
                jobs.import_preview(job=job, mapping=form.mapping, by=request.user)
            except TableError as exc:
                problem = str(exc)
            except ValidationError as exc:
                problem = " ".join(exc.messages)
            else:
                return redirect("budget:import_job", pk=job.pk)
        if problem:
            form.add_error(None, problem)
        pending = {"name": job.source, "source": job.result["source"], "header": header,
                   "rows": job.result.get("sample", [])}  # fmt: skip
        return _mapping_page(request, form, pending | {"job": job}, status=400)
    if request.method == "POST":
        try:
            jobs.import_confirm(job=job, by=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        return redirect("budget:import_job", pk=job.pk)
    context = {"job": job, "progress": progress, "filename": job.source}
    if done and job.step == jobs.READ:
        header = job.result["header"]
        form = MappingForm(
            header=header, initial_mapping=guess_mapping(header, _saved_mapping(job.result["source"])),
            initial={"token": "job"},
        )  # fmt: skip
        pending = {"name": job.source, "source": job.result["source"], "header": header,
                   "rows": job.result.get("sample", [])}  # fmt: skip
        return _mapping_page(request, form, pending | {"job": job})
    if done and job.step == jobs.IMPORT:
        context |= {"record": job.result["record"], "skipped": job.result["skipped"]}
        return render(request, "budget/data/import_done.html", context)
    if done:
        context |= {"plan": job.result, "token": "confirm", "read_only": job.actor_id != request.user.pk}
        return render(request, "budget/data/import_preview.html", context)
    return render(request, "budget/data/import_job.html", context)


# --- fiscal years ----------------------------------------------------------------------------------------------------


def _years_guard(request: HttpRequest, *, manage: bool) -> None:
    actor = actor_for(request.user)
    if not can_read_budget(actor) and not can_manage_city_budget(actor):
        raise Http404("No such page.")
    if manage:
        require(can_manage_city_budget(actor), CITY_REFUSED)


def _years_page(request: HttpRequest, form: FiscalYearCreateForm, status: int = 200) -> HttpResponse:
    context = {
        "years": FiscalYear.objects.order_by("-year"),
        "form": form,
        "can_manage": can_manage_city_budget(actor_for(request.user)),
        "statuses": FiscalYearStatus,
    }
    return render(request, "budget/data/fiscal_years.html", context, status=status)


@require_get_or_post
@login_required
def fiscal_years(request: HttpRequest) -> HttpResponse:
    """The fiscal years; the Stat lead and the budget analysts add one, adopt, close and publish."""
    _years_guard(request, manage=request.method == "POST")
    if request.method != "POST":
        return _years_page(request, FiscalYearCreateForm())
    form = FiscalYearCreateForm(request.POST)
    if form.is_valid():
        try:
            year = services.fiscal_year_create(year=form.cleaned_data["year"], by=request.user)
        except ValidationError as exc:
            form.add_error("year", exc.messages)
        else:
            messages.success(request, f"{year.name} added ({year.starts_on:%-d %B %Y} to {year.ends_on:%-d %B %Y}).")
            return redirect("budget:fiscal_years")
    return _years_page(request, form, status=400)


@require_POST
@login_required
def fiscal_year_change(request: HttpRequest, year: int) -> HttpResponse:
    """Adopt, close or reopen a fiscal year, or publish it / withdraw it from the public pages."""
    _years_guard(request, manage=True)
    fiscal_year = get_object_or_404(FiscalYear, year=year)
    try:
        if "status" in request.POST:
            fiscal_year = services.fiscal_year_set_status(
                fiscal_year=fiscal_year, status=request.POST["status"], by=request.user
            )
        elif "public" in request.POST:
            fiscal_year = services.fiscal_year_set_public(
                fiscal_year=fiscal_year, public=request.POST["public"] == "1", by=request.user
            )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        shown = " It shows on the public pages." if fiscal_year.public else ""
        messages.success(request, f"{fiscal_year.name} is {fiscal_year.get_status_display().lower()}.{shown}")
    return redirect("budget:fiscal_years")


# --- a program -------------------------------------------------------------------------------------------------------


def _linkable_measures(request: HttpRequest, program):
    departments = [program.department_id] + ([program.department.parent_id] if program.department.parent_id else [])
    return (
        measures_readable_by(actor_for(request.user))
        .filter(department_id__in=departments)
        .exclude(program_links__program=program)
        .order_by("name")
    )


@require_safe
@login_required
def program_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A program: its lines year by year (and monthly actuals), and the measures it pays for."""
    program = get_program_for_user(request.user, pk)
    lines = (
        BudgetLine.objects.filter(program=program)
        .select_related("fiscal_year", "fund")
        .prefetch_related(Prefetch("monthly_actuals", MonthlyActual.objects.order_by("month")))
        .order_by("-fiscal_year__year", "fund__code", "category")
    )
    links = (
        ProgramMeasure.objects.filter(program=program).select_related("measure", "created_by").order_by("measure__name")
    )
    can_edit = can_write_program(actor_for(request.user), program)
    context = {
        "program": program,
        "lines": lines,
        "links": links,
        "can_edit": can_edit,
        "form": MeasureLinkForm(measures=_linkable_measures(request, program)) if can_edit else None,
    }
    return render(request, "budget/data/program.html", context)


@require_POST
@login_required
def program_link(request: HttpRequest, pk: int) -> HttpResponse:
    program = get_program_for_user(request.user, pk)
    require(can_write_program(actor_for(request.user), program), EDIT_REFUSED)
    form = MeasureLinkForm(request.POST, measures=_linkable_measures(request, program))
    if not form.is_valid():
        messages.error(request, "Choose one of the measures offered.")
        return redirect("budget:program", pk=program.pk)
    try:
        services.program_link_measure(program=program, measure=form.cleaned_data["measure"], by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"{program.name} now pays for “{form.cleaned_data['measure'].name}”.")
    return redirect("budget:program", pk=program.pk)


@require_POST
@login_required
def program_unlink(request: HttpRequest, pk: int, measure_pk: int) -> HttpResponse:
    program = get_program_for_user(request.user, pk)
    require(can_write_program(actor_for(request.user), program), EDIT_REFUSED)
    measure = get_object_or_404(Measure, pk=measure_pk)
    if services.program_unlink_measure(program=program, measure=measure, by=request.user):
        messages.success(request, f"{program.name} is no longer linked to “{measure.name}”.")
    return redirect("budget:program", pk=program.pk)


# --- exports ---------------------------------------------------------------------------------------------------------


def _export_lines(request: HttpRequest):
    """The reader's lines, every amount; anyone else (or ``?public=1``): the public budget, adopted amounts."""
    actor = actor_for(request.user)
    if request.GET.get("public") == "1" or not can_read_budget(actor):
        return public_lines(), True
    return lines_readable_by(actor), False


@require_safe
def export_csv(request: HttpRequest) -> HttpResponse:
    lines, public = _export_lines(request)
    response = HttpResponse(exports.export_csv(lines, public=public), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="budget{"-public" if public else ""}.csv"'
    return response


@require_safe
def export_fiscal_data_package(request: HttpRequest) -> HttpResponse:
    lines, public = _export_lines(request)
    response = HttpResponse(exports.fiscal_data_package(lines, public=public), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="budget{"-public" if public else ""}-fdp.zip"'
    return response
