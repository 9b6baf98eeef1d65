"""What the apps above sessions add to its pages, registered from their ``AppConfig.ready()`` (sessions imports no
app above it; budget is one).

* :class:`ActionItemPanel`: a section of the action item page (budget: the cost-benefit analyses of a budget
  request), rendered by its own template with the context its ``context(request, item)`` gives, or nothing when it
  gives ``None``;
* :class:`KpiContext`: a few lines in a memo KPI topic's review (budget: its cost per unit as budget context). Its
  result goes into the memo's data, so a sent memo's snapshot freezes it with the KPI's figures: it must be
  JSON-safe (strings, numbers as strings, lists, dicts).

Registering twice under the same key replaces the first (``ready()`` may run again in tests). Everything is read in
registration order.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from django.http import HttpRequest

    from .models import ActionItem


# --- action item page panels ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ActionItemPanel:
    """A section of the action item page, below its details. ``context(request, item)`` gives the ``template``'s
    context (the item is added as ``item``), or ``None`` to show nothing."""

    key: str
    template: str
    context: Callable[[HttpRequest, ActionItem], dict | None]


_action_item_panels: dict[str, ActionItemPanel] = {}


def register_action_item_panel(panel: ActionItemPanel) -> None:
    _action_item_panels[panel.key] = panel


def action_item_panels() -> list[ActionItemPanel]:
    return list(_action_item_panels.values())


# --- the memo's KPI review --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class KpiContext:
    """Something shown in a KPI topic of the memo: ``provide(measure_ids, period_start, period_end)`` returns
    ``{measure_id: context}`` (JSON-safe) for the measures it has something for, in a fixed number of queries;
    the Django template ``template`` draws one (it sees it as ``extension``, and the topic's figures as ``kpi``)."""

    key: str
    template: str
    provide: Callable[[Sequence[int], datetime.date, datetime.date], dict[int, Any]]


KPI_CONTEXTS: dict[str, KpiContext] = {}


def register_kpi_context(context: KpiContext) -> None:
    KPI_CONTEXTS[context.key] = context


def kpi_contexts(measure_ids: Sequence[int], start: datetime.date, end: datetime.date) -> dict[int, list[dict]]:
    """Each measure's extra contexts, as ``[{"key", "template", "context"}]`` in registration order."""
    found: dict[int, list[dict]] = {}
    if not measure_ids:
        return found
    for extension in KPI_CONTEXTS.values():
        for measure_id, context in extension.provide(measure_ids, start, end).items():
            found.setdefault(measure_id, []).append(
                {"key": extension.key, "template": extension.template, "context": context}
            )
    return found
