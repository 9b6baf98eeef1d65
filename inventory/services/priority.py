"""The dataset priority score: transparent, computed in SQL from declared value and the program's weights, and
stored on each dataset (``Dataset.priority_score``) so the inventory sorts by it off an index."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, TypedDict, cast

from django.db import connection, transaction
from django.db.models import (
    Case,
    Exists,
    ExpressionWrapper,
    IntegerField,
    OuterRef,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.expressions import Combinable
from django.db.models.functions import Coalesce

from core.unchanged import UNCHANGED, Unchanged, given
from team.access import enforce

from ..access import can_set_priority_weights, can_write_dataset
from ..models import VALUE_FLAGS, Dataset, PriorityWeights
from .writes import MAY_NOT_CHANGE

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django_stubs_ext import WithAnnotations

_REASONS = {flag.name: flag.reason for flag in VALUE_FLAGS} | {"initiative": "Tied to an initiative"}
#: What each factor means, as the inventory explains a score: the declared-value flags and serving an initiative,
#: in the order the weights are declared.
FACTOR_LABELS = {
    weight.name: _REASONS[weight.name]
    for weight in PriorityWeights._meta.concrete_fields
    if isinstance(weight, IntegerField) and weight.name in _REASONS
}


def _weight(weights: PriorityWeights | None, factor: str) -> Combinable:
    """A factor's weight as an SQL expression: the given weights' value, or the program's stored weight read in
    the same statement (with the model's default when none is stored)."""
    if weights is not None:
        return Value(getattr(weights, factor))
    field = PriorityWeights._meta.get_field(factor)
    assert isinstance(field, IntegerField), f"{factor} is a weight"
    default = field.default
    stored = Subquery(PriorityWeights.objects.order_by("pk").values(factor)[:1])
    return Coalesce(stored, Value(default), output_field=IntegerField())


def stored_weights() -> PriorityWeights:
    """The program's weights as stored, or the defaults (unsaved) when none are: one query, and nothing written."""
    return PriorityWeights.objects.order_by("pk").first() or PriorityWeights()


def priority_score_expression(weights: PriorityWeights | None = None) -> ExpressionWrapper[Combinable]:
    """A dataset's priority score as an SQL expression: the weight of each declared-value flag it has, plus the
    initiative weight if it serves at least one initiative. With ``weights`` None, the program's stored weights are
    read by the statement itself (so the score and the weights it uses come from one snapshot)."""
    total: Combinable = Value(0)
    for flag in PriorityWeights.FLAG_FIELDS:
        total = total + Case(
            When(**{flag: True}, then=_weight(weights, flag)), default=Value(0), output_field=IntegerField()
        )
    serves_initiative = Exists(Dataset.initiatives.through.objects.filter(dataset_id=OuterRef("pk")))
    total = total + Case(
        When(serves_initiative, then=_weight(weights, "initiative")), default=Value(0), output_field=IntegerField()
    )
    return ExpressionWrapper(total, output_field=IntegerField())


# --- keeping the stored score -------------------------------------------------------------------------------------


def hold_priority_weights() -> None:
    """Wait for any change of weights in progress, and keep the weights from changing until this transaction ends.

    Every dataset write takes this shared lock before it touches a dataset; :func:`priority_weights_update` takes
    the row exclusively before it rescores every dataset. So the two never interleave: a dataset written during a
    change of weights is scored with the new weights, and the rescore of all sees the dataset's new flags and
    initiatives (which its snapshot would otherwise miss). Shared, so dataset writes do not wait for each other.
    On SQLite, which runs one writer at a time, there is nothing to do."""
    if connection.vendor != "postgresql":
        return
    weights_id = PriorityWeights.current().pk
    table = connection.ops.quote_name(PriorityWeights._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT 1 FROM {table} WHERE id = %s FOR SHARE", [weights_id])  # noqa: S608 - our table


def dataset_rescore(*, dataset: Dataset, by: User | None) -> int:
    """Store ``dataset``'s priority score from its flags and initiatives as saved and the program's weights, in one
    UPDATE; set it on the instance too and return it. Called by every service that writes a dataset's flags or
    initiatives, inside its transaction, after :func:`hold_priority_weights`; only those who may write the dataset
    may (else ``PermissionDenied``)."""
    enforce(by, lambda actor: can_write_dataset(actor, dataset), MAY_NOT_CHANGE)
    Dataset.objects.filter(pk=dataset.pk).update(priority_score=priority_score_expression())
    dataset.priority_score = Dataset.objects.filter(pk=dataset.pk).values_list("priority_score", flat=True).get()
    return dataset.priority_score


def datasets_rescore_all(*, weights: PriorityWeights, by: User | None) -> int:
    """Store every dataset's priority score under ``weights``, in one UPDATE that rewrites only the rows whose score
    changes (the others keep their row version, and their ``updated_at``: new weights change no dataset). Returns
    how many changed. Only those who set the weights may (else ``PermissionDenied``)."""
    enforce(by, can_set_priority_weights, ONLY_WEIGHT_SETTERS)
    score = priority_score_expression(weights)
    return Dataset.objects.exclude(priority_score=score).update(priority_score=score)


@dataclass(frozen=True)
class Reason:
    factor: str
    label: str
    weight: int


def priority_reasons(
    dataset: Dataset, weights: PriorityWeights | None = None, *, initiatives: list | None = None
) -> list[Reason]:
    """Why a dataset scores what it does: each factor it has, with its weight (uses prefetched initiatives, or
    ``initiatives`` when the caller has read the dataset's already)."""
    weights = weights or PriorityWeights.current()
    reasons = [
        Reason(flag, FACTOR_LABELS[flag], getattr(weights, flag))
        for flag in PriorityWeights.FLAG_FIELDS
        if getattr(dataset, flag)
    ]
    if dataset.initiatives.all() if initiatives is None else initiatives:
        reasons.append(Reason("initiative", FACTOR_LABELS["initiative"], weights.initiative))
    return reasons


ONLY_WEIGHT_SETTERS = "Only the principal or the Stat lead can change the priority weights."


@transaction.atomic
def priority_weights_update(
    *,
    by: User | None,
    critical_to_decisions: int | Unchanged = UNCHANGED,
    initiative: int | Unchanged = UNCHANGED,
    public_demand: int | Unchanged = UNCHANGED,
    grant_reporting: int | Unchanged = UNCHANGED,
    legislative_reporting: int | Unchanged = UNCHANGED,
    performance_budgeting: int | Unchanged = UNCHANGED,
    sensitive: int | Unchanged = UNCHANGED,
    ready: int | Unchanged = UNCHANGED,
) -> PriorityWeights:
    """Set the program's weights (those given; the others stay) and rescore every dataset with them, in one
    transaction: the inventory sorts by the new scores as soon as this returns. Guarantees: only the principal and
    the Stat lead set them (else ``PermissionDenied``); the history keeps the old weights. Holds the weights row
    exclusively throughout (see :func:`hold_priority_weights`)."""
    enforce(by, can_set_priority_weights, ONLY_WEIGHT_SETTERS)
    weights = given(
        {
            "critical_to_decisions": critical_to_decisions,
            "initiative": initiative,
            "public_demand": public_demand,
            "grant_reporting": grant_reporting,
            "legislative_reporting": legislative_reporting,
            "performance_budgeting": performance_budgeting,
            "sensitive": sensitive,
            "ready": ready,
        }
    )
    current = PriorityWeights.objects.select_for_update().filter(pk=PriorityWeights.current().pk).get()
    for name, value in weights.items():
        setattr(current, name, int(value))
    current.updated_by = by
    current.full_clean()
    current.save()
    datasets_rescore_all(weights=current, by=by)
    return current


# --- reading the ranking ---------------------------------------------------------------------------------------


class Ranked(TypedDict):
    """What :func:`priority_ranking` attaches to each dataset."""

    reasons: list[Reason]


def priority_ranking(
    queryset: QuerySet[Dataset], weights: PriorityWeights, *, limit: int = 20
) -> list[WithAnnotations[Dataset, Ranked]]:
    """The ``limit`` highest-scoring datasets of ``queryset`` (by the stored score, ties by title), each with
    ``reasons`` attached (under ``weights``, the stored ones the scores were computed with): two queries whatever
    the limit."""
    datasets = queryset.select_related("department").prefetch_related("initiatives")
    ranked = cast(
        "list[WithAnnotations[Dataset, Ranked]]", list(datasets.order_by("-priority_score", "title", "pk")[:limit])
    )
    for dataset in ranked:
        dataset.reasons = priority_reasons(dataset, weights)  # the cast above: each gains its reasons here
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
