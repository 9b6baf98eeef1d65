"""Reads of the analyses, each a fixed number of queries: the list with every analysis's results, and the analyses
of one budget-request action item."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Prefetch, QuerySet

from team.access import Actor

from .access import analyses_readable_by, analysis_department, analysis_queryset, can_edit_analysis
from .analysis import AnalysisResult, compute_analysis
from .models import Analysis, AnalysisYear

if TYPE_CHECKING:
    from sessions.models import ActionItem


@dataclass(frozen=True)
class AnalysisRow:
    analysis: Analysis
    result: AnalysisResult
    may_edit: bool

    @property
    def department(self):
        return analysis_department(self.analysis)


def _with_years(queryset: QuerySet[Analysis]) -> QuerySet[Analysis]:
    return queryset.prefetch_related(Prefetch("years", queryset=AnalysisYear.objects.order_by("year")))


def analysis_rows(actor: Actor, queryset: QuerySet[Analysis] | None = None) -> list[AnalysisRow]:
    """The analyses ``actor`` reads, with their results and whether they may change them (two queries)."""
    analyses = _with_years(analyses_readable_by(actor, analysis_queryset() if queryset is None else queryset))
    return [
        AnalysisRow(analysis, compute_analysis(analysis), can_edit_analysis(actor, analysis))
        for analysis in analyses.order_by("title", "pk")
    ]


def analyses_of_item(actor: Actor, item: ActionItem) -> list[AnalysisRow]:
    return analysis_rows(actor, analysis_queryset().filter(action_item=item))


def analysis_with_years(analysis: Analysis) -> list[AnalysisYear]:
    return list(analysis.years.order_by("year"))
