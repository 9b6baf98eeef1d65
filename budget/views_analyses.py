"""The analysis pages: the list (/budget/analyses/), one analysis with its inputs and results, and the form that
creates or changes one with its years (a plain POST; "Add a year" is a submit button, no script needed)."""

from __future__ import annotations

import contextlib

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from sessions.forms import apply_errors
from team.access import actor_for, require

from .access import (
    ANALYSIS_REFUSED,
    analysis_department,
    can_add_analyses,
    can_edit_analysis,
    can_read_budget,
    get_analysis_for_user,
)
from .analysis import compute_analysis
from .forms_analyses import AnalysisForm, YearFormSet
from .models import Analysis
from .selectors_analyses import analysis_rows, analysis_with_years
from .services.analyses import analysis_create, analysis_delete, analysis_update

YEARS_PREFIX = "years"


@require_safe
@login_required
def analyses(request: HttpRequest) -> HttpResponse:
    """Every analysis the user reads, with its net present value, ratio and paybacks."""
    actor = actor_for(request.user)
    require(can_read_budget(actor), "Only those who read a department's budget see its analyses.")
    context = {"rows": analysis_rows(actor), "may_add": can_add_analyses(actor)}
    return render(request, "budget/analyses/list.html", context)


@require_safe
@login_required
def analysis(request: HttpRequest, pk: int) -> HttpResponse:
    """One analysis: what it is about, its assumptions, its years as a table, and its results in words and figures."""
    item = get_analysis_for_user(request.user, pk)
    years = analysis_with_years(item)
    context = {
        "analysis": item,
        "department": analysis_department(item),
        "result": compute_analysis(item, years),
        "may_edit": can_edit_analysis(actor_for(request.user), item),
    }
    return render(request, "budget/analyses/detail.html", context)


def _years_formset(request: HttpRequest, initial: list[dict] | None = None):
    """The years formset, bound on POST; with "Add a year" pressed, one more (empty) row."""
    if request.method != "POST":
        return YearFormSet(prefix=YEARS_PREFIX, initial=initial or [{}])
    data = request.POST
    if "add_year" in data:
        data = data.copy()
        key = f"{YEARS_PREFIX}-TOTAL_FORMS"
        with contextlib.suppress(ValueError):
            data[key] = str(min(int(data.get(key, "0")) + 1, YearFormSet.max_num))
    return YearFormSet(data, prefix=YEARS_PREFIX)


def _form_page(request, form, formset, *, analysis: Analysis | None, status: int = 200) -> HttpResponse:
    context = {"form": form, "formset": formset, "analysis": analysis}
    return render(request, "budget/analyses/form.html", context, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def analysis_create_view(request: HttpRequest) -> HttpResponse:
    """A new analysis, of a program or of a budget request (``?program=`` / ``?action_item=`` preselect it)."""
    actor = actor_for(request.user)
    if not can_add_analyses(actor):
        raise PermissionDenied(ANALYSIS_REFUSED)
    if request.method != "POST":
        initial = {
            "program": request.GET.get("program", "") if request.GET.get("program", "").isdigit() else None,
            "action_item": request.GET.get("action_item") if request.GET.get("action_item", "").isdigit() else None,
            "discount_rate_percent": "3",
        }
        form = AnalysisForm(actor=actor, initial=initial)
        return _form_page(request, form, _years_formset(request), analysis=None)
    form = AnalysisForm(request.POST, actor=actor)
    formset = _years_formset(request)
    if "add_year" in request.POST:
        return _form_page(request, form, formset, analysis=None)
    if form.is_valid() and formset.is_valid():
        data = form.cleaned_data
        try:
            created = analysis_create(
                by=request.user,
                program=data["program"],
                action_item=data["action_item"],
                title=data["title"],
                assumptions=data["assumptions"],
                discount_rate=form.discount_rate,
                years=formset.flows(),
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, "The analysis is saved.")
            return redirect("budget:analysis", pk=created.pk)
    return _form_page(request, form, formset, analysis=None, status=400)


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def analysis_edit(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_analysis_for_user(request.user, pk, write=True)
    actor = actor_for(request.user)
    if request.method != "POST":
        form = AnalysisForm(
            actor=actor,
            editing=True,
            initial={
                "title": item.title,
                "assumptions": item.assumptions,
                "discount_rate_percent": f"{(item.discount_rate * 100).normalize():f}",  # 10, not 1E+1
            },
        )
        years = [{"cost": row.cost, "benefit": row.benefit} for row in analysis_with_years(item)]
        return _form_page(request, form, _years_formset(request, years), analysis=item)
    form = AnalysisForm(request.POST, actor=actor, editing=True)
    formset = _years_formset(request)
    if "add_year" in request.POST:
        return _form_page(request, form, formset, analysis=item)
    if form.is_valid() and formset.is_valid():
        data = form.cleaned_data
        try:
            analysis_update(
                item,
                by=request.user,
                title=data["title"],
                assumptions=data["assumptions"],
                discount_rate=form.discount_rate,
                years=formset.flows(),
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, "Your changes are saved.")
            return redirect("budget:analysis", pk=item.pk)
    return _form_page(request, form, formset, analysis=item, status=400)


@require_POST
@login_required
def analysis_delete_view(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_analysis_for_user(request.user, pk, write=True)
    analysis_delete(item, by=request.user)
    messages.success(request, f"The analysis “{item.title}” is deleted.")
    return redirect("budget:analyses")
