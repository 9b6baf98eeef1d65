"""The discovery questionnaire: which departments have answered, each department's eight questions with their
answers (the latest, then the earlier ones), recording a new answer, and a candidate dataset from an answer."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from core.http import require_get_or_post
from team.access import actor_for, require
from team.forms import DateInput, add_service_errors
from team.models import Department, Person

from ..models import DiscoveryAnswer, DiscoveryQuestion
from ..services import discovery


class AnswerForm(forms.Form):
    question = forms.TypedChoiceField(label="Question", choices=DiscoveryQuestion.choices, coerce=int)
    answer = forms.CharField(
        label="Answer",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="What the department said. A new answer to the same question supersedes the earlier one, "
        "which is kept.",
    )
    respondent = forms.ModelChoiceField(
        label="Who answered",
        queryset=Person.objects.none(),
        required=False,
        empty_label="- Not recorded -",
    )
    answered_on = forms.DateField(label="Answered on", widget=DateInput())

    def __init__(self, *args, department: Department, **kwargs):
        super().__init__(*args, **kwargs)
        # The department's own people first is what a user expects, but any active person may have answered.
        self.fields["respondent"].queryset = Person.objects.filter(Q(active=True) | Q(department=department)).order_by(
            "full_name"
        )
        self.fields["respondent"].label_from_instance = lambda p: f"{p.full_name}{f', {p.title}' if p.title else ''}"
        self.fields["question"].choices = [(q.value, f"{q.value}. {q.label}") for q in DiscoveryQuestion]


class CandidateForm(forms.Form):
    title = forms.CharField(label="Dataset title", max_length=300)


def _department_for(request: HttpRequest, slug: str) -> Department:
    """The department if the user may see its answers: 404 if it does not exist, 403 if they may not."""
    department = get_object_or_404(Department, slug=slug)
    require(
        discovery.can_view_discovery(actor_for(request.user), department),
        "Only the Stat team and the department’s own lead and contacts can see its discovery answers.",
    )
    return department


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
        discovery.can_view_discovery(actor),
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
    department = _department_for(request, slug)
    actor = actor_for(request.user)
    may_answer = discovery.can_answer(actor, department)
    initial = {"answered_on": timezone.localdate(), "question": request.GET.get("question") or None}
    form = AnswerForm(department=department, initial=initial) if may_answer else None
    status = 200
    if request.method == "POST":
        require(may_answer, "Only the Stat team and the department’s own lead and contacts can record answers.")
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
            "may_create_candidates": discovery.can_create_candidate(actor, department),
        },
        status=status,
    )


@require_POST
@login_required
def discovery_candidate(request: HttpRequest, pk: int) -> HttpResponse:
    """Create a candidate dataset (status identified) from one answer, then return to the department's answers."""
    answer = DiscoveryAnswer.objects.select_related("department").filter(pk=pk).first()
    if answer is None:
        raise Http404("No such discovery answer.")
    department = _department_for(request, answer.department.slug)
    actor = actor_for(request.user)
    require(
        discovery.can_create_candidate(actor, department),
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
