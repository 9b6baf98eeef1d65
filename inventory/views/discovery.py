"""The discovery questionnaire: which departments have answered, each department's eight questions with their
answers (the latest, then the earlier ones), recording a new answer, and a candidate dataset from an answer.

A department's answers are its own lead's and contacts' and the program staff's to see: anyone else gets a 404 for
its page and its answers, never a 403 that would tell them it exists. The principal reads without answering (403).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from core.http import require_get_or_post
from team.access import actor_for, require
from team.forms import add_service_errors

from ..access import (
    can_answer_discovery,
    can_create_discovery_candidate,
    can_view_discovery,
    get_discovery_answer_for_user,
    get_discovery_department_for_user,
)
from ..forms import AnswerForm, CandidateForm
from ..models import DiscoveryQuestion
from ..services import discovery


def _dataset_url(dataset) -> str | None:
    try:
        return dataset.get_absolute_url()
    except NoReverseMatch:
        return None


@require_safe
@login_required
def discovery_list(request: HttpRequest) -> HttpResponse:
    """Every department (or the user's own) with how many of the eight questions it has answered."""
    actor = actor_for(request.user)
    require(
        can_view_discovery(actor),
        "Only the Stat team and department leads and contacts can see the discovery questionnaire.",
    )
    departments = discovery.discovery_departments(actor)
    return render(
        request,
        "inventory/discovery_list.html",
        {"departments": departments, "question_count": len(DiscoveryQuestion)},
    )


@require_get_or_post
@login_required
def discovery_department(request: HttpRequest, slug: str) -> HttpResponse:
    """One department's eight questions with their answers; the form records a new answer."""
    department = get_discovery_department_for_user(request.user, slug, answer=request.method == "POST")
    actor = actor_for(request.user)
    may_answer = can_answer_discovery(actor, department)
    initial = {"answered_on": timezone.localdate(), "question": request.GET.get("question") or None}
    form = AnswerForm(department=department, initial=initial) if may_answer else None
    if request.method == "POST":
        form = AnswerForm(request.POST, department=department)
        if form.is_valid():
            try:
                discovery.discovery_answer_record(department=department, by=request.user, **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                question = form.cleaned_data["question"]
                messages.success(request, f"Recorded {department.name}’s answer to question {question}.")
                return redirect(f"{reverse('inventory:discovery_department', args=[slug])}#question-{question}")
    entries = discovery.department_questionnaire(department)
    for entry in entries:
        for answer in entry.answers:
            answer.datasets = [(d, _dataset_url(d)) for d in answer.candidate_datasets.all()]
    return render(
        request,
        "inventory/discovery_department.html",
        {
            "department": department,
            "entries": entries,
            "form": form,
            "may_create_candidates": can_create_discovery_candidate(actor, department),
        },
    )


@require_POST
@login_required
def discovery_candidate(request: HttpRequest, pk: int) -> HttpResponse:
    """Create a candidate dataset (status identified) from one answer, then return to the department's answers."""
    answer = get_discovery_answer_for_user(request.user, pk)
    department = answer.department
    require(
        can_create_discovery_candidate(actor_for(request.user), department),
        "Only people who may add datasets to this department can create candidate datasets.",
    )
    target = f"{reverse('inventory:discovery_department', args=[department.slug])}#question-{answer.question}"
    form = CandidateForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give the candidate dataset a title (up to 300 characters).")
        return redirect(target)
    try:
        dataset = discovery.discovery_candidate_create(answer=answer, title=form.cleaned_data["title"], by=request.user)
    except ValidationError as exc:
        messages.error(request, "The candidate dataset could not be created: " + " ".join(exc.messages))
        return redirect(target)
    messages.success(request, f"Added “{dataset.title}” to the inventory as an identified candidate dataset.")
    return redirect(target)
