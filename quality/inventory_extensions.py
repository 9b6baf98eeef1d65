"""What quality adds to the inventory (registered from :meth:`quality.apps.QualityConfig.ready`): the list's quality
badge column and its quality filter (which the datasets API's list takes too, ``?quality=``), and the dataset page's
quality panel.

Each shows only what the reader may read of quality results: the badge says "not shown to you" and the filter leaves
out the datasets whose results they may not see; the panel shows nothing to them.
"""

from __future__ import annotations

from django.http import HttpRequest

from inventory.extensions import (
    DatasetPanel,
    ListColumn,
    ListFilter,
    register_dataset_panel,
    register_list_column,
    register_list_filter,
)
from inventory.models import Dataset
from team.access import actor_for

from . import badges, charts, selectors
from .access import can_read_dataset_quality
from .engine.score import SCORE_EXPLANATION

BADGE = ListColumn(
    key="quality",
    heading="Quality",
    template="quality/_dataset_badge.jinja",
    cell=badges.dataset_badges,
    prepare=selectors.with_quality_badge,
    fields=selectors.BADGE_FIELDS,
)

STATE_FILTER = ListFilter(
    name="quality",
    label="Data quality",
    choices=selectors.QualityState.CHOICES,
    apply=selectors.datasets_in_quality_state,
    empty_label="Any quality",
    help_text="The latest quality check: failing, warning, passing, stale or not-checked.",
)


def panel_context(request: HttpRequest, dataset: Dataset) -> dict | None:
    """The dataset page's quality panel, for those who read the dataset's quality results (``None`` for the others).
    Reads the judgement and latest run the page joined (:data:`PANEL`'s ``select_related``)."""
    actor = actor_for(getattr(request, "user", None))
    if not actor.is_authenticated or not can_read_dataset_quality(actor, dataset):
        return None
    panel = selectors.dataset_panel(dataset, actor)
    return {
        "panel": panel,
        "dataset": dataset,
        "trend_chart": charts.figure_data(charts.trend_figure(panel.trend)) if panel.trend else None,
        "score_explanation": SCORE_EXPLANATION,
        "city_zone": charts.city_zone(),
    }


PANEL = DatasetPanel(
    key="quality",
    template="quality/_panel.html",
    context=panel_context,
    select_related=("quality__latest_run",),
)


def register() -> None:
    register_list_column(BADGE)
    register_list_filter(STATE_FILTER)
    register_dataset_panel(PANEL)
