"""The dataset priority score: transparent, computed in SQL from declared value and the program's weights."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Case, Exists, IntegerField, OuterRef, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce

from ..models import Dataset, PriorityWeights

#: What each factor means, as the inventory explains a score.
FACTOR_LABELS = {
    "critical_to_decisions": "Critical to decisions (e.g. 311, call-centre data)",
    "initiative": "Tied to an initiative",
    "public_demand": "Public demand (FOIA, 311 requests)",
    "grant_reporting": "Grant reporting",
    "legislative_reporting": "Legislative or oversight reporting",
    "performance_budgeting": "Performance budgeting",
    "sensitive": "Sensitive (harder to publish)",
    "ready": "Ready to bring in",
}


def _weight(weights: PriorityWeights | None, factor: str):
    """A factor's weight as an SQL expression: the given weights' value, or the program's stored weight read in
    the same query (with the model's default when none is stored), so building the queryset touches no table."""
    if weights is not None:
        return Value(getattr(weights, factor))
    default = PriorityWeights._meta.get_field(factor).default
    stored = Subquery(PriorityWeights.objects.order_by("pk").values(factor)[:1])
    return Coalesce(stored, Value(default), output_field=IntegerField())


def stored_weights() -> PriorityWeights:
    """The program's weights as stored, or the defaults (unsaved) when none are: one query, and nothing written."""
    return PriorityWeights.objects.order_by("pk").first() or PriorityWeights()


def with_priority_score(queryset: QuerySet[Dataset], weights: PriorityWeights | None = None) -> QuerySet[Dataset]:
    """Annotate ``priority_score`` on each dataset, in SQL, so the inventory can sort and filter by it.

    Without ``weights`` the program's current weights are read inside the same query (eight subqueries: building
    the queryset touches no table, as the API schema needs). Pages pass :func:`stored_weights` instead: one small
    query, and an expression that costs a list page about half as much to build and compile."""
    terms = [
        Case(When(**{flag: True}, then=_weight(weights, flag)), default=Value(0), output_field=IntegerField())
        for flag in PriorityWeights.FLAG_FIELDS
    ]
    serves_initiative = Exists(Dataset.initiatives.through.objects.filter(dataset_id=OuterRef("pk")))
    terms.append(
        Case(
            When(serves_initiative, then=_weight(weights, "initiative")), default=Value(0), output_field=IntegerField()
        )
    )
    total = terms[0]
    for term in terms[1:]:
        total = total + term
    return queryset.annotate(priority_score=Coalesce(total, Value(0), output_field=IntegerField()))


@dataclass(frozen=True)
class Reason:
    factor: str
    label: str
    weight: int


def priority_reasons(dataset: Dataset, weights: PriorityWeights | None = None) -> list[Reason]:
    """Why a dataset scores what it does: each factor it has, with its weight (uses prefetched initiatives)."""
    weights = weights or PriorityWeights.current()
    reasons = [
        Reason(flag, FACTOR_LABELS[flag], getattr(weights, flag))
        for flag in PriorityWeights.FLAG_FIELDS
        if getattr(dataset, flag)
    ]
    if dataset.initiatives.all():
        reasons.append(Reason("initiative", FACTOR_LABELS["initiative"], weights.initiative))
    return reasons


@transaction.atomic
def priority_weights_update(*, by=None, **weights: int) -> PriorityWeights:
    """Set the program's weights (principal or Stat lead: checked by the caller); the history keeps old ones."""
    current = PriorityWeights.objects.select_for_update().filter(pk=PriorityWeights.current().pk).get()
    for name, value in weights.items():
        if name not in FACTOR_LABELS:
            raise TypeError(f"Unknown priority factor {name!r}")
        setattr(current, name, int(value))
    current.updated_by = by
    current.full_clean()
    current.save()
    return current


# --- reading the ranking ---------------------------------------------------------------------------------------


def priority_ranking(queryset: QuerySet[Dataset], weights: PriorityWeights, *, limit: int = 20) -> list[Dataset]:
    """The ``limit`` highest-scoring datasets of ``queryset`` (ties by title), each with ``reasons`` attached:
    two queries whatever the limit."""
    ranked = list(
        with_priority_score(queryset, weights)
        .select_related("department")
        .prefetch_related("initiatives")
        .order_by("-priority_score", "title", "pk")[:limit]
    )
    for dataset in ranked:
        dataset.reasons = priority_reasons(dataset, weights)
    return ranked


def formula_in_words(weights: PriorityWeights) -> list[str]:
    """The score's formula, one plain sentence per factor, e.g. "Grant reporting: adds 2 points"."""
    lines = []
    for factor, label in FACTOR_LABELS.items():
        weight = getattr(weights, factor)
        if weight > 0:
            effect = f"adds {weight} point{'s' if weight != 1 else ''}"
        elif weight < 0:
            effect = f"takes away {-weight} point{'s' if weight != -1 else ''}"
        else:
            effect = "counts for nothing"
        lines.append(f"{label}: {effect}")
    return lines
