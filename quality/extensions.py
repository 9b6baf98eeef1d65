"""What the apps above quality tell it, registered from their ``AppConfig.ready()``.

Quality imports no app above it (goals, sessions, budget); they tell it what it needs to know through this registry:

* :func:`register_kpi_feed`: which datasets feed a key performance indicator (goals: a KPI's source dataset), so the
  quality pages put those first among the worst offenders, where a failure costs the most.
* :func:`register_data_reader`: which datasets' data is read again after a check passes (goals: the source dataset
  of a computed measure), so a check keeps the bytes it downloaded and judged for them to read
  (``QualityRun.checked_copy``) instead of downloading the data a second time, perhaps changed and unchecked.

Registering twice under the same key replaces the first (``ready()`` may run again in tests).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import reduce
from operator import or_

from django.db.models import BooleanField, Exists, ExpressionWrapper, Q, Value

from inventory.models import Dataset

#: A condition on a dataset row of a queryset (``OuterRef("pk")`` is the dataset), true when it feeds a KPI.
KpiFeed = Callable[[], Exists | Q]

_kpi_feeds: dict[str, KpiFeed] = {}
_data_readers: dict[str, KpiFeed] = {}


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


def register_data_reader(key: str, condition: KpiFeed) -> None:
    """Say which datasets' data an app reads after each passing check: ``condition()`` is an ``Exists`` (or ``Q``)
    over the dataset being read, as for :func:`register_kpi_feed`."""
    _data_readers[key] = condition


def data_read_after_check(dataset_id: int) -> bool:
    """Whether some app reads ``dataset_id``'s data after a passing check (one query; false when none registered)."""
    conditions = [Q(condition()) for condition in _data_readers.values()]
    if not conditions:
        return False
    return Dataset.objects.filter(reduce(or_, conditions), pk=dataset_id).exists()
