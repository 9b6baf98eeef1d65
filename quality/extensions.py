"""What the apps above quality tell it, registered from their ``AppConfig.ready()``.

Quality imports no app above it (goals, sessions, budget); they tell it what it needs to know through this registry:

* :func:`register_kpi_feed`: which datasets feed a key performance indicator (goals: a KPI's source dataset), so the
  quality pages put those first among the worst offenders, where a failure costs the most.

Registering twice under the same key replaces the first (``ready()`` may run again in tests).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import reduce
from operator import or_

from django.db.models import BooleanField, Exists, ExpressionWrapper, Q, Value

#: A condition on a dataset row of a queryset (``OuterRef("pk")`` is the dataset), true when it feeds a KPI.
KpiFeed = Callable[[], Exists | Q]

_kpi_feeds: dict[str, KpiFeed] = {}


def register_kpi_feed(key: str, condition: KpiFeed) -> None:
    """Say which datasets feed a KPI: ``condition()`` is an ``Exists`` (or ``Q``) over the dataset being read."""
    _kpi_feeds[key] = condition


def feeds_kpi() -> Value | ExpressionWrapper:
    """One boolean expression for a dataset queryset's ``annotate``: whether the dataset feeds a KPI (every
    registered condition or'ed; false when nothing is registered)."""
    conditions = [Q(condition()) for condition in _kpi_feeds.values()]
    if not conditions:
        return Value(False)
    return ExpressionWrapper(reduce(or_, conditions), output_field=BooleanField())
