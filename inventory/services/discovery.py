"""The discovery questionnaire: the eight questions asked of each department, and the candidate datasets its answers
turn up.

Who may do what is ``inventory.access``'s (``can_view_discovery``, ``can_answer_discovery``,
``can_create_discovery_candidate``): program staff see every department's answers; a department's lead and contacts
see and answer their own department's; the Stat lead and analysts answer for any department. A candidate dataset is
created by whoever may create datasets in that department. The services here enforce it.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypedDict

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Max, Prefetch, QuerySet

from team.access import Actor, enforce
from team.models import Department, Person

from ..access import can_answer_discovery, can_create_discovery_candidate, discovery_departments_readable_by
from ..models import VALUE_FLAG_NAMES, AccessLevel, Dataset, DiscoveryAnswer, DiscoveryQuestion, Initiative, Status
from .datasets import dataset_create

if TYPE_CHECKING:
    from django.contrib.auth.models import User


class ValueFlags(TypedDict, total=False):
    """The declared-value flags (:data:`~inventory.models.VALUE_FLAGS`) a candidate may be created with."""

    critical_to_decisions: bool
    public_demand: bool
    grant_reporting: bool
    legislative_reporting: bool
    performance_budgeting: bool
    sensitive: bool
    ready: bool


assert set(ValueFlags.__annotations__) == set(VALUE_FLAG_NAMES)

#: What each question says about the datasets it turns up: the declared-value flag it sets on a candidate.
QUESTION_FLAGS: dict[int, ValueFlags] = {
    DiscoveryQuestion.GRANTS: {"grant_reporting": True},
    DiscoveryQuestion.DATABASES: {},
    DiscoveryQuestion.LEGISLATIVE: {"legislative_reporting": True},
    DiscoveryQuestion.STRATEGIC_PLAN: {},
    DiscoveryQuestion.OVERSIGHT: {"legislative_reporting": True},
    DiscoveryQuestion.PERFORMANCE_BUDGETING: {"performance_budgeting": True},
    DiscoveryQuestion.PUBLIC_REQUESTS: {"public_demand": True},
    DiscoveryQuestion.INITIATIVE: {},
}
CANDIDATE_RIGHTS = "Not yet reviewed"


# --- reading -------------------------------------------------------------------------------------------------------


def discovery_departments(actor: Actor) -> QuerySet[Department]:
    """Departments the actor may see answers of, each with ``questions_answered`` (of eight) and ``last_answered``."""
    departments = discovery_departments_readable_by(actor, Department.objects.filter(active=True))
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
    by: User | None,
) -> DiscoveryAnswer:
    """Record a department's answer to one question. Guarantees: ``by`` may answer for the department (the Stat lead
    and analysts, or its own lead and contacts; else ``PermissionDenied``); earlier answers are kept (the newest by
    date supersedes them); the answer is not empty; the question is one of the eight."""
    enforce(
        by,
        lambda actor: can_answer_discovery(actor, department),
        "Only the Stat team and the department’s own lead and contacts can record answers.",
    )
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
def discovery_candidate_create(*, answer: DiscoveryAnswer, title: str, by: User | None) -> Dataset:
    """A candidate dataset from a discovery answer, in one step.

    Guarantees: ``by`` may log datasets in the answer's department (else ``PermissionDenied``); status
    *identified*; owned by the answer's department; ``discovered_from`` the answer; non-public with the rights
    statement "Not yet reviewed" until someone reviews it; the flag the question implies (grant, legislative or
    oversight reporting, performance budgeting, public demand) set; for the initiative question, linked to every
    known initiative the answer names."""
    enforce(
        by,
        lambda actor: can_create_discovery_candidate(actor, answer.department),
        "Only people who may add datasets to this department can create candidate datasets.",
    )
    title = " ".join(title.split())
    if not title:
        raise ValidationError({"title": "Give the candidate dataset a title."})
    flags = QUESTION_FLAGS.get(answer.question, {})
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
