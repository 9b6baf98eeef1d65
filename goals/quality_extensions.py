"""What goals tells quality (registered from :meth:`goals.apps.GoalsConfig.ready`): a dataset feeds a KPI when it
is the source dataset of a measure that is its goal's key performance indicator, so the quality pages list it first
among the worst offenders; a dataset's data is read after each passing check when a measure is computed from it, so
the check keeps the bytes it judged for the computation (:func:`goals.services.compute.read_source`)."""

from __future__ import annotations

from django.db.models import Exists, OuterRef

from quality.extensions import register_data_reader, register_kpi_feed

from .models import Measure


def kpi_source() -> Exists:
    """True for a dataset (``OuterRef("pk")``) some KPI reads its values from."""
    return Exists(Measure.objects.filter(is_kpi=True, source_dataset=OuterRef("pk")))


def computed_source() -> Exists:
    """True for a dataset (``OuterRef("pk")``) some measure is computed from (it has an aggregation): the datasets
    whose measures :func:`goals.services.compute.on_quality_run_finished` recomputes after a passing check."""
    return Exists(Measure.objects.filter(source_dataset=OuterRef("pk")).exclude(aggregation=""))


def register() -> None:
    register_kpi_feed("goals.kpi_source", kpi_source)
    register_data_reader("goals.computed_source", computed_source)
