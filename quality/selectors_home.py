"""What the signed-in home page reads of data quality: a department's datasets with the ones that need attention
first (its contacts'), and the datasets that need attention across the city (the data experts'). Who reads which
results is :mod:`quality.access`'s to say: these narrow with the reader's :class:`~team.access.Actor`."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from django.db.models import Case, Count, F, IntegerField, Q, QuerySet, Value, When

from inventory.models import Dataset, Status
from team.access import Actor

from .access import QUALITY_OF_DATASETS
from .models import Outcome
from .selectors import with_quality_badge

#: Failing (or could not be checked) first, then stale, then passing with warnings, then not checked, then passing.
_ATTENTION = Case(
    When(quality__outcome__in=[Outcome.FAIL, Outcome.ERROR], then=Value(0)),
    When(quality__stale=True, then=Value(1)),
    When(quality__outcome=Outcome.WARN, then=Value(2)),
    When(Q(quality__isnull=True) | Q(quality__outcome=""), then=Value(3)),
    default=Value(4),
    output_field=IntegerField(),
)
_NEEDS_ATTENTION = Q(quality__outcome__in=[Outcome.FAIL, Outcome.ERROR]) | Q(quality__stale=True)


@dataclass(frozen=True)
class DatasetsToCheck:
    """The first ``shown`` datasets (with their quality joined in for ``{% quality_badge %}``), and how many
    there are in all and how many of them fail or are stale."""

    datasets: list[Dataset]
    total: int
    needing_attention: int


def _readable(actor: Actor, department_ids: Collection[int] | None) -> QuerySet[Dataset]:
    datasets = QUALITY_OF_DATASETS.readable(actor, Dataset.objects.exclude(status=Status.RETIRED))
    return datasets if department_ids is None else datasets.filter(department_id__in=sorted(department_ids))


def datasets_needing_attention_first(
    actor: Actor, department_ids: Collection[int] | None = None, *, only_problems: bool = False, shown: int = 10
) -> DatasetsToCheck:
    """The inventoried datasets of ``department_ids`` (``None``: every department) whose quality ``actor`` reads,
    failing first, then stale, warning, not checked and passing (``only_problems``: the failing and stale ones
    alone), then by title. Two queries: the counts and the first ``shown``."""
    datasets = _readable(actor, department_ids)
    counts = datasets.aggregate(total=Count("pk"), needing_attention=Count("pk", filter=_NEEDS_ATTENTION))
    if only_problems:
        datasets = datasets.filter(_NEEDS_ATTENTION)
    first = (
        with_quality_badge(datasets, actor)
        .select_related("department")
        .annotate(attention=_ATTENTION)
        .order_by("attention", F("quality__score").asc(nulls_last=True), "title", "pk")[:shown]
    )
    return DatasetsToCheck(list(first), counts["total"], counts["needing_attention"])
