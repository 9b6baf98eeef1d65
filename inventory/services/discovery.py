"""The discovery questionnaire: the eight questions asked of each department, and the candidate datasets its answers
turn up.

Who may do what (see ``team.access``): program staff see every department's answers; a department's lead and
contacts see and answer their own department's; the Stat lead and analysts answer for any department. A candidate
dataset is created by whoever may create datasets in that department (``DATASETS.can_create_in``).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Max, Prefetch, QuerySet

from team.access import Actor
from team.models import Department, Person

from ..access import DATASETS
from ..models import AccessLevel, Dataset, DiscoveryAnswer, DiscoveryQuestion, Initiative, Status
from .datasets import dataset_create

#: What each question says about the datasets it turns up: the declared-value flag it sets on a candidate.
QUESTION_FLAGS: dict[int, tuple[str, ...]] = {
    DiscoveryQuestion.GRANTS: ("grant_reporting",),
    DiscoveryQuestion.DATABASES: (),
    DiscoveryQuestion.LEGISLATIVE: ("legislative_reporting",),
    DiscoveryQuestion.STRATEGIC_PLAN: (),
    DiscoveryQuestion.OVERSIGHT: ("legislative_reporting",),
    DiscoveryQuestion.PERFORMANCE_BUDGETING: ("performance_budgeting",),
    DiscoveryQuestion.PUBLIC_REQUESTS: ("public_demand",),
    DiscoveryQuestion.INITIATIVE: (),
}
CANDIDATE_RIGHTS = "Not yet reviewed"


# --- who may -------------------------------------------------------------------------------------------------------


def _own_department_ids(actor: Actor) -> frozenset[int]:
    return actor.lead_department_ids | actor.contact_department_ids


def can_view_discovery(actor: Actor, department: Department | None = None) -> bool:
    """Program staff see every department's answers; a department's lead and contacts see their own."""
    if actor.is_program_staff:
        return True
    own = _own_department_ids(actor)
    return bool(own) if department is None else department.pk in own


def can_answer(actor: Actor, department: Department) -> bool:
    """The Stat lead and analysts record answers for any department; a lead or contact for their own."""
    return actor.can_edit_program_content() or department.pk in _own_department_ids(actor)


def can_create_candidate(actor: Actor, department: Department) -> bool:
    return DATASETS.can_create_in(actor, department.pk)


# --- reading -------------------------------------------------------------------------------------------------------


def discovery_departments(actor: Actor) -> QuerySet[Department]:
    """Departments the actor may see answers of, each with ``questions_answered`` (of eight) and ``last_answered``."""
    departments = Department.objects.filter(active=True)
    if not actor.is_program_staff:
        departments = departments.filter(pk__in=sorted(_own_department_ids(actor)))
    return departments.annotate(
        questions_answered=Count("discovery_answers__question", distinct=True),
        last_answered=Max("discovery_answers__answered_on"),
        answer_count=Count("discovery_answers", distinct=True),
    ).order_by("name")


@dataclass
class QuestionEntry:
    """One question for one department: its latest answer and the earlier ones it superseded (newest first)."""

    number: int
    text: str
    answers: list[DiscoveryAnswer] = field(default_factory=list)

    @property
    def latest(self) -> DiscoveryAnswer | None:
        return self.answers[0] if self.answers else None

    @property
    def earlier(self) -> list[DiscoveryAnswer]:
        return self.answers[1:]


def department_questionnaire(department: Department) -> list[QuestionEntry]:
    """The eight questions, each with its answers newest first (respondents and candidate datasets loaded)."""
    entries = {q.value: QuestionEntry(q.value, q.label) for q in DiscoveryQuestion}
    answers = (
        DiscoveryAnswer.objects.filter(department=department)
        .select_related("respondent")
        .prefetch_related(Prefetch("candidate_datasets", queryset=Dataset.objects.order_by("title")))
        .order_by("question", "-answered_on", "-pk")
    )
    for answer in answers:
        entries[answer.question].answers.append(answer)
    return list(entries.values())


# --- writing -------------------------------------------------------------------------------------------------------


@transaction.atomic
def discovery_answer_record(
    *,
    department: Department,
    question: int,
    answer: str,
    respondent: Person | None,
    answered_on: datetime.date,
    by=None,
) -> DiscoveryAnswer:
    """Record a department's answer to one question. Guarantees: earlier answers are kept (the newest by date
    supersedes them); the answer is not empty; the question is one of the eight."""
    record = DiscoveryAnswer(
        department=department,
        question=question,
        answer=answer.strip(),
        respondent=respondent,
        answered_on=answered_on,
        recorded_by=by,
    )
    record.full_clean()
    record.save()
    return record


def _named_initiatives(text: str) -> list[Initiative]:
    text = text.lower()
    return [i for i in Initiative.objects.all() if i.name.lower() in text or i.slug.lower() in text]


@transaction.atomic
def discovery_candidate_create(*, answer: DiscoveryAnswer, title: str, by=None) -> Dataset:
    """A candidate dataset from a discovery answer, in one step.

    Guarantees: status *identified*; owned by the answer's department; ``discovered_from`` the answer; non-public
    with the rights statement "Not yet reviewed" until someone reviews it; the flag the question implies (grant,
    legislative or oversight reporting, performance budgeting, public demand) set; for the initiative question,
    linked to every known initiative the answer names."""
    title = " ".join(title.split())
    if not title:
        raise ValidationError({"title": "Give the candidate dataset a title."})
    flags = dict.fromkeys(QUESTION_FLAGS.get(answer.question, ()), True)
    initiatives = _named_initiatives(answer.answer) if answer.question == DiscoveryQuestion.INITIATIVE else []
    question = DiscoveryQuestion(answer.question)
    description = (
        f"Found through discovery with {answer.department.name} ({answer.answered_on:%d %B %Y}), "
        f"question {question.value}: {question.label} Answer: {answer.answer}"
    )
    return dataset_create(
        by=by,
        title=title,
        description=description,
        department=answer.department,
        status=Status.IDENTIFIED,
        access_level=AccessLevel.NON_PUBLIC,
        rights=CANDIDATE_RIGHTS,
        discovered_from=answer,
        initiatives=initiatives,
        **flags,
    )
