"""What the apps above sessions add to the briefing memo, registered from their ``AppConfig.ready()`` (sessions
imports none of them): :class:`KpiContext`, a few lines in a KPI topic's review (budget's cost per unit as budget
context).

A provider's result goes into the memo's data, so a sent memo's snapshot freezes it with the KPI's figures: it must
be JSON-safe (strings, numbers as strings, lists, dicts). Registering twice under the same key replaces the first;
read in registration order.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any


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
