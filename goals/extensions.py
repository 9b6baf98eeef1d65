"""What the apps above goals add to its department dashboard, registered from their ``AppConfig.ready()`` (goals
imports none of them): :class:`MeasureContext`, a few lines beside each measure of the dashboard (budget's cost per
unit beside the KPIs its programs pay for).

Registering twice under the same key replaces the first (``ready()`` may run again in tests); read in registration
order.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from team.access import Actor
    from team.models import Department


@dataclass(frozen=True)
class MeasureContext:
    """Something shown in a measure's card of the department dashboard.

    ``visible(actor, department)`` says (without a query) whether the reader sees it; ``version()`` is a short
    string that changes whenever what ``provide`` returns may change (the dashboard's cache key holds it: one query
    at most); ``provide(measure_ids, today)`` returns ``{measure_id: context}`` for the measures it has something
    for, in a fixed number of queries; the Django template ``template`` draws one context (it sees it as
    ``extension``, and the measure's row as ``row``).
    """

    key: str
    template: str
    visible: Callable[[Actor, Department], bool]
    version: Callable[[], str]
    provide: Callable[[Sequence[int], datetime.date], dict[int, Any]]


MEASURE_CONTEXTS: dict[str, MeasureContext] = {}


def register_measure_context(context: MeasureContext) -> None:
    MEASURE_CONTEXTS[context.key] = context


def measure_contexts_for(actor: Actor, department: Department) -> list[MeasureContext]:
    """The registered contexts ``actor`` sees on ``department``'s dashboard: no query."""
    return [context for context in MEASURE_CONTEXTS.values() if context.visible(actor, department)]
