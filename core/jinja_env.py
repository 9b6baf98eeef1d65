"""The Jinja2 environment of ``settings.TEMPLATES``' ``jinja2`` backend: the filters its partials share with the
Django templates (``widget_kind``, ``uswds_widget``, from ``core.templatetags.uswds``), and every printed value
escaped as the Django templates escape it (``&quot;`` and ``&#x27;``, where Jinja2 would write ``&#34;`` and ``&#39;``),
so a page's markup is the same whichever engine wrote a part of it."""

from __future__ import annotations

from django.utils.html import conditional_escape
from jinja2 import Environment

from core.templatetags.uswds import uswds_widget, widget_kind


def environment(**options) -> Environment:
    env = Environment(finalize=conditional_escape, **options)  # noqa: S701 - the backend passes autoescape=True
    env.filters.update({"widget_kind": widget_kind, "uswds_widget": uswds_widget})
    return env
