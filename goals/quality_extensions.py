"""What goals tells quality (registered from :meth:`goals.apps.GoalsConfig.ready`): a dataset feeds a KPI when it
is the source dataset of a measure that is its goal's key performance indicator, so the quality pages list it first
among the worst offenders."""

from __future__ import annotations

from django.db.models import Exists, OuterRef

from quality.extensions import register_kpi_feed

from .models import Measure


def kpi_source() -> Exists:
    """True for a dataset (``OuterRef("pk")``) some KPI reads its values from."""
    return Exists(Measure.objects.filter(is_kpi=True, source_dataset=OuterRef("pk")))


def register() -> None:
    register_kpi_feed("goals.kpi_source", kpi_source)
