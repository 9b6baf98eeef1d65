"""Quality on other apps' pages: the dataset page's panel and the inventory list's badge.

``{% quality_panel dataset %}`` renders nothing for anyone who may not read the dataset's quality results (and
nothing on public pages, where nobody is signed in). ``{% quality_badge dataset %}`` reads the latest judgement
joined in by ``quality.selectors.with_quality_badge``, so a list costs no query per row.
"""

from __future__ import annotations

from django import template
from django.core.exceptions import ObjectDoesNotExist

from team.access import actor_for

from .. import charts, selectors
from ..engine.score import SCORE_EXPLANATION
from ..models import Outcome

register = template.Library()


@register.inclusion_tag("quality/_panel.html", takes_context=True)
def quality_panel(context, dataset) -> dict:
    request = context.get("request")
    user = getattr(request, "user", None)
    actor = actor_for(user)
    if not actor.is_authenticated or not selectors.may_read_dataset_quality(actor, dataset):
        return {"show": False}
    panel = selectors.dataset_panel(dataset, actor)
    return {
        "show": True,
        "request": request,
        "csrf_token": context.get("csrf_token"),
        "panel": panel,
        "dataset": dataset,
        "trend_chart": charts.figure_data(charts.trend_figure(panel.trend)) if panel.trend else None,
        "score_explanation": SCORE_EXPLANATION,
    }


@register.filter
def latest_quality(dataset):
    """The dataset's DatasetQuality if it was joined in and exists, else None (never a query)."""
    try:
        return dataset.quality
    except ObjectDoesNotExist:
        return None


_ICONS = {
    Outcome.PASS: "check_circle",
    Outcome.WARN: "warning",
    Outcome.FAIL: "cancel",
    Outcome.ERROR: "error",
}
#: USWDS utility colours, each with text at AA contrast; the label and icon carry the meaning, the colour only helps.
_COLOURS = {
    Outcome.PASS: "bg-success-darker text-white",
    Outcome.WARN: "bg-warning-light text-ink",
    Outcome.FAIL: "bg-error-darker text-white",
    Outcome.ERROR: "bg-base-darkest text-white",
    "": "bg-base-lighter text-ink",
}
_BADGE_LABELS = {Outcome.PASS: "Passing", Outcome.WARN: "Warning", Outcome.FAIL: "Failing", Outcome.ERROR: "Error"}


@register.inclusion_tag("quality/_badge.html")
def quality_badge(dataset) -> dict:
    """A dataset's quality as text and an icon: "Failing 42", "Passing 97", "Stale", "Not checked"."""
    if not getattr(dataset, "quality_readable", True):
        return {"hidden": True}
    quality = latest_quality(dataset)
    return outcome_badge(quality.outcome if quality else "", quality.score if quality else None) | {
        "stale": bool(quality and quality.stale)
    }


@register.inclusion_tag("quality/_outcome.html")
def outcome_badge(outcome: str, score=None) -> dict:
    """One outcome as text and an icon (never colour alone), with the score when there is one."""
    if outcome not in _ICONS:
        return {"label": "Not checked", "icon": "help_outline", "css": _COLOURS[""], "score": None}
    return {
        "label": _BADGE_LABELS[outcome],
        "icon": _ICONS[outcome],
        "css": _COLOURS[outcome],
        "score": score,
    }


@register.inclusion_tag("quality/_outcome.html")
def check_status(status: str) -> dict:
    """A check's status as text and an icon: Pass, Warning, Fail, Error."""
    if status not in _ICONS:
        return {"label": status or "Unknown", "icon": "help_outline", "css": _COLOURS[""], "score": None}
    return {"label": Outcome(status).label, "icon": _ICONS[status], "css": _COLOURS[status], "score": None}
