"""The Jinja2 environment of ``settings.TEMPLATES``' ``jinja2`` backend: the filters its partials share with the
Django templates (``widget_kind``, ``uswds_widget``, from ``core.templatetags.uswds``)."""

from __future__ import annotations

from jinja2 import Environment

from core.templatetags.uswds import uswds_widget, widget_kind


def environment(**options) -> Environment:
    env = Environment(**options)  # noqa: S701 - the backend passes autoescape=True
    env.filters.update({"widget_kind": widget_kind, "uswds_widget": uswds_widget})
    return env
