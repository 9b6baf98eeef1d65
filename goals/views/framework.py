"""The goals pages for signed-in users, under /goals/: priorities → goals → measures, the goal and measure forms,
and each measure's page with its periods, targets, narratives and "Compute now".

Who may do what is :mod:`goals.access`'s to say: a goal or measure someone may not read is a 404; defining goals,
measures and targets, recording values, computing and writing narratives is a 403 for those who only read. Writes
go through ``goals.services``, which check the same rules.
"""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from core.http import require_get_or_post
from inventory.access import DATASETS, can_read_dataset
from inventory.models import Dataset
from team.access import Actor, actor_for, require
from team.forms import add_service_errors

from .. import selectors, services
from ..access import (
    DEFINE_ONLY,
    NARRATIVE_REFUSED,
    RECORD_REFUSED,
    can_compute_measure,
    can_define_goals,
    can_read_measures,
    can_read_narratives,
    can_record_observations,
    can_write_narratives,
    get_goal_for_user,
    get_measure_for_user,
    goals_readable_by,
    measures_readable_by,
)
from ..forms import (
    GoalForm,
    MeasureForm,
    NarrativeForm,
    ObservationForm,
    TargetForm,
    goal_initial,
    measure_initial,
)
from ..models import Goal, Measure, MeasureTarget, Narrative
from ..periods import is_period_start, last_finished_period, period_label, period_start

# --- the framework -------------------------------------------------------------------------------------------------


@require_safe
@login_required
def index(request: HttpRequest) -> HttpResponse:
    """Priorities, then their goals, then each goal's measures with the latest value, status and data-suspect flag."""
    actor = actor_for(request.user)
    require(can_read_measures(actor), "Only people with a role in the program read goals and measures.")
    return render(
        request,
        "goals/index.html",
        {"priorities": selectors.framework_for(actor), "may_define": can_define_goals(actor)},
    )


# --- goals ---------------------------------------------------------------------------------------------------------


def _goal_form(request: HttpRequest, goal: Goal | None) -> HttpResponse:
    initial = goal_initial(goal) if goal else {"priority": request.GET.get("priority")}
    form = GoalForm(request.POST if request.method == "POST" else None, initial=initial, goal=goal)
    if request.method == "POST" and form.is_valid():
        departments = form.cleaned_data["departments"]
        try:
            if goal is None:
                saved = services.goal_create(by=request.user, departments=departments, **form.goal_fields)
            else:
                saved = services.goal_update(goal=goal, by=request.user, departments=departments, **form.goal_fields)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Saved the goal." if goal else "Added the goal.")
            return redirect(saved)
    return render(request, "goals/goal_form.html", {"form": form, "goal": goal})


@require_get_or_post
@login_required
def goal_create(request: HttpRequest) -> HttpResponse:
    require(can_define_goals(actor_for(request.user)), DEFINE_ONLY)
    return _goal_form(request, None)


@require_get_or_post
@login_required
def goal_edit(request: HttpRequest, pk: int) -> HttpResponse:
    goal = get_goal_for_user(request.user, pk)
    require(can_define_goals(actor_for(request.user)), DEFINE_ONLY)
    return _goal_form(request, goal)


@require_safe
@login_required
def goal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    goal = get_goal_for_user(request.user, pk)
    actor = actor_for(request.user)
    measures = selectors.measures_with_status(actor, goal=goal)
    return render(
        request,
        "goals/goal_detail.html",
        {
            "goal": goal,
            # A parent goal the reader may not read is not named (its link would be a 404 anyway).
            "parent": goal.parent if goal.parent_readable else None,
            "measures": measures,
            "departments": goal.departments.order_by("name"),
            "children": goals_readable_by(actor).filter(parent=goal).order_by("statement"),
            "may_define": can_define_goals(actor),
        },
    )


# --- measures ------------------------------------------------------------------------------------------------------


def _datasets(actor: Actor):
    return DATASETS.readable(actor, Dataset.objects.all())


def _measure_form(request: HttpRequest, *, goal: Goal, measure: Measure | None) -> HttpResponse:
    actor = actor_for(request.user)
    if measure is None:
        departments = list(goal.departments.values_list("pk", flat=True)[:2])
        initial = {"department": departments[0]} if len(departments) == 1 else {}
    else:
        initial = measure_initial(measure)
    data = request.POST if request.method == "POST" else None
    filters = len(measure.filters or []) if measure is not None else 0
    form = MeasureForm(
        data,
        initial=initial,
        datasets=_datasets(actor),
        filters=filters,
        department_id=measure.department_id if measure is not None else None,
    )
    if request.method == "POST" and form.is_valid():
        try:
            if measure is None:
                saved = services.measure_create(by=request.user, goal=goal, **form.measure_fields)
            else:
                saved = services.measure_update(measure=measure, by=request.user, **form.measure_fields)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Saved “{saved.name}”." if measure else f"Added “{saved.name}”.")
            return redirect(saved)
    return render(
        request,
        "goals/measure_form.html",
        {"form": form, "goal": goal, "measure": measure, "dictionaries": _dictionaries(form)},
    )


def _dictionaries(form: MeasureForm) -> dict:
    """The column names of the chosen source dataset's data dictionary, to show beside the computation."""
    if form.is_bound:
        dataset = getattr(form, "cleaned_data", {}).get("source_dataset")
    else:
        chosen = form.initial.get("source_dataset")
        dataset = Dataset.objects.filter(pk=chosen).first() if chosen else None
    if dataset is None:
        return {}
    return {"dataset": dataset, "columns": list(services.definitions.dictionary_columns(dataset) or {})}


@require_get_or_post
@login_required
def measure_create(request: HttpRequest, pk: int) -> HttpResponse:
    goal = get_goal_for_user(request.user, pk)
    require(can_define_goals(actor_for(request.user)), DEFINE_ONLY)
    return _measure_form(request, goal=goal, measure=None)


@require_get_or_post
@login_required
def measure_edit(request: HttpRequest, slug: str) -> HttpResponse:
    measure = get_measure_for_user(request.user, slug)
    require(can_define_goals(actor_for(request.user)), DEFINE_ONLY)
    return _measure_form(request, goal=measure.goal, measure=measure)


@require_safe
@login_required
def measure_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """The measure: its definition, latest status, every period (value, target, status, narrative), its targets."""
    get_measure_for_user(request.user, slug)  # 404 before anything else
    actor = actor_for(request.user)
    measure = selectors.measure_with_status(
        measures_readable_by(actor).select_related("source_dataset__department__portfolio"), slug=slug
    )
    periods = selectors.measure_periods(measure, actor=actor)
    context = {
        "measure": measure,
        # A public measure's source dataset may be one the reader cannot open (another department's, not public).
        "reads_source": measure.source_dataset is not None and can_read_dataset(actor, measure.source_dataset),
        "periods": periods,
        "targets": [
            (period_label(period, measure.frequency), value)
            for period, value in MeasureTarget.objects.filter(measure=measure)
            .order_by("-period")
            .values_list("period", "value")
        ],
        "may_define": can_define_goals(actor),
        "may_record": can_record_observations(actor, measure),
        "may_compute": can_compute_measure(actor, measure),
        "compute_waits_for_queue": selectors.measure_compute_waits_for_queue(measure),
        "reads_narratives": can_read_narratives(actor, measure),
        "writes_narratives": can_write_narratives(actor, measure),
    }
    if context["writes_narratives"]:
        context["narrative_period"] = last_finished_period(timezone.localdate(), measure.frequency)
        context["narrative_label"] = period_label(context["narrative_period"], measure.frequency)
    return render(request, "goals/measure_detail.html", context)


@require_POST
@login_required
def measure_compute(request: HttpRequest, slug: str) -> HttpResponse:
    """Queue the computation of a computed measure; its page shows the result (or the reason it failed)."""
    measure = get_measure_for_user(request.user, slug)
    require(measure.is_computed, services.compute.MANUAL_MEASURE)
    services.measure_compute_request(measure=measure, by=request.user)  # 403 for those who may not
    if selectors.measure_compute_waits_for_queue(measure):
        messages.warning(
            request,
            f"The computation of “{measure.name}” is queued: the task queue is not answering, so it will start when "
            "the queue is back. Nothing more to do.",
        )
    else:
        messages.info(
            request,
            f"Computing “{measure.name}” from {measure.source_dataset.title}. Its values and any problem show below "
            "when it is done; reload the page to see them.",
        )
    return redirect(measure)


# --- observations, targets, narratives -----------------------------------------------------------------------------


@require_get_or_post
@login_required
def observation_add(request: HttpRequest, slug: str) -> HttpResponse:
    """Type in (or correct) the value of one period of a manual measure."""
    measure = get_measure_for_user(request.user, slug)
    actor = actor_for(request.user)
    require(not measure.is_computed, services.observations.COMPUTED_REFUSAL)
    require(can_record_observations(actor, measure), RECORD_REFUSED)
    form = ObservationForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            observation = services.observation_record(measure=measure, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            label = period_label(observation.period, measure.frequency)
            messages.success(request, f"Recorded {observation.value.normalize():f} for {label}.")
            return redirect(measure)
    return render(
        request,
        "goals/form_page.html",
        {
            "form": form,
            "measure": measure,
            "heading": "Record a value",
            "intro": f"The {measure.get_frequency_display().lower()} value of “{measure.name}”, in {measure.unit}. "
            "A value for a period that already has one replaces it.",
            "submit": "Record the value",
        },
    )


@require_get_or_post
@login_required
def target_set(request: HttpRequest, slug: str) -> HttpResponse:
    """Set (or remove) the target of one period."""
    measure = get_measure_for_user(request.user, slug)
    require(can_define_goals(actor_for(request.user)), DEFINE_ONLY)
    form = TargetForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            target = services.measure_target_set(measure=measure, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            label = period_label(period_start(form.cleaned_data["period"], measure.frequency), measure.frequency)
            if target is None:
                messages.success(request, f"Removed the target of {label}; the standing target applies.")
            else:
                messages.success(request, f"Set the target of {label} to {target.value.normalize():f}.")
            return redirect(measure)
    return render(
        request,
        "goals/form_page.html",
        {
            "form": form,
            "measure": measure,
            "heading": "Set the target of a period",
            "intro": "A period without its own target is judged against the measure’s standing target"
            + (f" ({measure.target_value.normalize():f} {measure.unit})." if measure.target_value is not None else "."),
            "submit": "Save the target",
        },
    )


@require_get_or_post
@login_required
def narrative_edit(request: HttpRequest, slug: str, period: str) -> HttpResponse:
    """The department lead's narrative of one period: what happened, what comes next, written beside the period's
    value, target and status."""
    measure = get_measure_for_user(request.user, slug)
    actor = actor_for(request.user)
    try:
        start = datetime.date.fromisoformat(period)
    except ValueError as exc:
        raise Http404("No such period.") from exc
    if not is_period_start(start, measure.frequency):
        raise Http404("No such period.")
    if not can_read_narratives(actor, measure):
        raise Http404("No narrative matches the given query.")
    require(can_write_narratives(actor, measure), NARRATIVE_REFUSED)
    existing = Narrative.objects.filter(measure=measure, period=start).first()
    initial = {"what_happened": existing.what_happened, "next_steps": existing.next_steps} if existing else {}
    form = NarrativeForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.narrative_save(measure=measure, period=start, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Saved the narrative for {period_label(start, measure.frequency)}.")
            return redirect(measure)
    label = period_label(start, measure.frequency)
    return render(
        request,
        "goals/narrative_form.html",
        {
            "form": form,
            "measure": measure,
            "figures": selectors.measure_period(measure, start, actor=actor),
            "heading": f"Narrative for {label}",
            "intro": "What happened in this period and what the department will do next, in plain words.",
            "submit": "Save the narrative",
        },
    )
