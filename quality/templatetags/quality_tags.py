"""Quality's badges inside Django templates: each renders the one badge markup, ``quality/_badge.jinja``, with the
display values of :mod:`quality.badges`.

``{% quality_badge dataset %}`` reads the latest judgement joined in by ``quality.selectors.with_quality_badge``, so a
list costs no query per row.
"""

from __future__ import annotations

from django import template
from django.template import engines
from django.utils.safestring import SafeString, mark_safe

from .. import badges

register = template.Library()


def _render(template_name: str, **values) -> SafeString:
    partial = engines["jinja2"].get_template(template_name)
    return mark_safe(partial.render(values))  # noqa: S308 - Jinja2 autoescapes


@register.simple_tag
def quality_badge(dataset) -> SafeString:
    """A dataset's quality: "Failing 42", "Passing 97" and "Stale", "Not checked", or "not shown to you"."""
    return _render("quality/_dataset_badge.jinja", cell=badges.dataset_badges(dataset))


@register.simple_tag
def outcome_badge(outcome: str, score=None) -> SafeString:
    """One outcome as text and an icon (never colour alone), with the score when there is one."""
    return _render("quality/_badge.jinja", badge=badges.outcome_badge(outcome, score))


@register.simple_tag
def check_status(status: str) -> SafeString:
    """A check's status as text and an icon: Pass, Warning, Fail, Error."""
    return _render("quality/_badge.jinja", badge=badges.check_badge(status))
