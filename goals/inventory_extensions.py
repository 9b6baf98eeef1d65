"""What goals adds to the inventory (registered from :meth:`goals.apps.GoalsConfig.ready`): a dataset that measures
are computed from may not be deleted, their values would lose their source. A measure that only names the dataset as
its source just loses the link (``SET_NULL``)."""

from __future__ import annotations

from inventory.extensions import register_dataset_dependents
from inventory.models import Dataset

from .models import Measure


def computed_measures(dataset: Dataset) -> list[str]:
    """Why ``dataset`` may not be deleted: the measures computed from it, by name (empty: none is)."""
    names = list(
        Measure.objects.filter(source_dataset=dataset)
        .exclude(aggregation="")
        .order_by("name")
        .values_list("name", flat=True)
    )
    if not names:
        return []
    listed = ", ".join(f"“{name}”" for name in names)
    return [
        f"{len(names)} measure{'s are' if len(names) > 1 else ' is'} computed from this dataset: {listed}. "
        "Compute them from another dataset, or clear their computation, then delete it."
    ]


def register() -> None:
    register_dataset_dependents("goals.computed_measures", computed_measures)
