"""The discovery questionnaire: which departments have answered, each department's eight questions with their
answers (the latest, then the earlier ones), recording a new answer, and a candidate dataset from an answer.

A department's answers are its own lead's and contacts' and the program staff's to see: anyone else gets a 404 for
its page and its answers, never a 403 that would tell them it exists. The principal reads without answering (403).
"""

from __future__ import annotations

import datetime
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.views.decorators.http import require_POST, require_safe

from core.http import require_get_or_post
from team.access import actor_for, require
from team.forms import add_service_errors
from team.models import Department

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


def _question(value: str | None) -> int | None:
    """One of the eight questions' numbers from the address, else ``None``."""
    return int(value) if value and value.isdigit() and int(value) in DiscoveryQuestion.values else None


def _date(value: str | None) -> datetime.date | None:
    """A date written YYYY-MM-DD in the address, else ``None``."""
    try:
        return parse_date(value or "")
    except ValueError:  # well formed, but no such day
        return None


def _next_question(entries: list[discovery.QuestionEntry], answered: int) -> int | None:
    """The question to offer after ``answered``: the next one without an answer (after it, then from the start),
    else simply the next one; ``None`` after the last when every question has an answer."""
    numbers = [entry.number for entry in entries]
    unanswered = {entry.number for entry in entries if not entry.answers}
    after = numbers[numbers.index(answered) + 1 :] + numbers[: numbers.index(answered)]
    return next((n for n in after if n in unanswered), answered + 1 if answered + 1 in numbers else None)


@require_get_or_post
@login_required
def discovery_department(request: HttpRequest, slug: str) -> HttpResponse:
    """One department's eight questions with their answers. The form that records an answer sits under the question
    it answers (``?question=N``; by default the first one without an answer), and after an answer the page returns
    to that question, showing the answer recorded, with the form under the next question, keeping who answered
    and when: the person's place in the questionnaire is kept from one answer to the next."""
    department = get_discovery_department_for_user(request.user, slug, answer=request.method == "POST")
    actor = actor_for(request.user)
    may_answer = can_answer_discovery(actor, department)
    entries = discovery.department_questionnaire(department)
    question = _question(request.GET.get("question"))
    if question is None:
        question = next((entry.number for entry in entries if not entry.answers), None)
    form = None
    if may_answer:
        initial = {
            "question": question,
            "answered_on": _date(request.GET.get("answered_on")) or timezone.localdate(),
            "respondent": request.GET.get("respondent") if request.GET.get("respondent", "").isdigit() else None,
        }
        form = AnswerForm(department=department, initial=initial)
    if request.method == "POST":
        form = AnswerForm(request.POST, department=department)
        if form.is_valid():
            try:
                discovery.discovery_answer_record(department=department, by=request.user, **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                return redirect(_after_answer(department, entries, form.cleaned_data))
        question = form.cleaned_data.get("question") or question
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
            "open_question": question if form is not None else None,
            "recorded": _question(request.GET.get("recorded")),
            "may_create_candidates": can_create_discovery_candidate(actor, department),
        },
    )


def _after_answer(department: Department, entries: list[discovery.QuestionEntry], cleaned: dict) -> str:
    """Where the page goes after an answer: back to the question answered (``#question-N``, which shows it was
    recorded), with the form under the next question (``entries`` as they were before the answer) and the same
    respondent and date."""
    answered = cleaned["question"]
    following = _next_question(entries, answered)
    query = {"recorded": answered, "answered_on": cleaned["answered_on"].isoformat()}
    if following is not None:
        query["question"] = following
    if cleaned.get("respondent") is not None:
        query["respondent"] = cleaned["respondent"].pk
    path = reverse("inventory:discovery_department", args=[department.slug])
    return f"{path}?{urlencode(query)}#question-{answered}"


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
