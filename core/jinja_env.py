"""The Jinja2 environment of ``settings.TEMPLATES``' ``jinja2`` backend: the filters its partials share with the
Django templates (``widget_kind``, ``uswds_widget``, from ``core.templatetags.uswds``), and every printed value
escaped as the Django templates escape it (``&quot;`` and ``&#x27;``, where Jinja2 would write ``&#34;`` and ``&#39;``),
so a page's markup is the same whichever engine wrote a part of it."""

from __future__ import annotations

from django.utils.html import conditional_escape
from jinja2 import Environment

from core.templatetags.uswds import uswds_widget, widget_kind


def _as_django_escapes(value):
    """A printed value: a plain string without quotes (most of them) goes to Jinja2's own escaping, which is the same
    for it; anything else is escaped (or left, if safe) as Django does."""
    if type(value) is str and '"' not in value and "'" not in value:
        return value
    return conditional_escape(value)


def environment(**options) -> Environment:
    env = Environment(finalize=_as_django_escapes, **options)  # noqa: S701 - the backend passes autoescape=True
    env.filters.update({"widget_kind": widget_kind, "uswds_widget": uswds_widget})
    return env
