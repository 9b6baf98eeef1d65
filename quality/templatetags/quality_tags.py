"""Quality on other apps' pages: the dataset page's panel and the inventory list's badge.

``{% quality_panel dataset %}`` renders nothing for anyone who may not read the dataset's quality results (and
nothing on public pages, where nobody is signed in). ``{% quality_badge dataset %}`` reads the latest judgement
joined in by ``quality.selectors.with_quality_badge``, so a list costs no query per row.
"""

from __future__ import annotations

from functools import lru_cache

from django import template
from django.core.exceptions import ObjectDoesNotExist
from django.templatetags.static import static
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from team.access import actor_for

from .. import charts, selectors
from ..access import can_read_dataset_quality
from ..engine.score import SCORE_EXPLANATION
from ..models import Outcome

register = template.Library()


@register.inclusion_tag("quality/_panel.html", takes_context=True)
def quality_panel(context, dataset) -> dict:
    request = context.get("request")
    user = getattr(request, "user", None)
    actor = actor_for(user)
    if not actor.is_authenticated or not can_read_dataset_quality(actor, dataset):
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


@lru_cache(maxsize=16)
def _sprite_icon(icon: str) -> str:
    """A USWDS sprite icon; cached, since a list draws one per row and the static URL lookup is not free."""
    return format_html(
        '<svg class="usa-icon" aria-hidden="true" focusable="false" role="img"><use href="{}#{}"></use></svg>',
        static("uswds/img/sprite.svg"),
        icon,
    )


@register.simple_tag
def quality_badge(dataset) -> str:
    """A dataset's quality as text and an icon: "Failing 42", "Passing 97", "Stale", "Not checked".

    Rendered in Python, not by a template per row: a list page shows one in every row.
    """
    if not getattr(dataset, "quality_readable", True):
        return mark_safe('<span aria-hidden="true">—</span><span class="usa-sr-only">Not shown to you</span>')  # noqa: S308
    quality = latest_quality(dataset)
    badge = outcome_badge(quality.outcome if quality else "", quality.score if quality else None)
    if quality and quality.stale:
        badge += format_html(
            '<br><span class="usa-tag bg-base-darker text-white text-no-wrap">{} Stale</span>', _sprite_icon("schedule")
        )
    return badge


@register.simple_tag
def outcome_badge(outcome: str, score=None) -> str:
    """One outcome as text and an icon (never colour alone), with the score when there is one."""
    if outcome not in _ICONS:
        label, icon, css, score = "Not checked", "help_outline", _COLOURS[""], None
    else:
        label, icon, css = _BADGE_LABELS[outcome], _ICONS[outcome], _COLOURS[outcome]
    return _tag(css, icon, label if score is None else f"{label} {score}")


def _tag(css: str, icon: str, text: str) -> str:
    return format_html('<span class="usa-tag {} text-no-wrap">{} {}</span>', css, _sprite_icon(icon), text)


@register.simple_tag
def check_status(status: str) -> str:
    """A check's status as text and an icon: Pass, Warning, Fail, Error."""
    if status not in _ICONS:
        return _tag(_COLOURS[""], "help_outline", status or "Unknown")
    return _tag(_COLOURS[status], _ICONS[status], Outcome(status).label)
