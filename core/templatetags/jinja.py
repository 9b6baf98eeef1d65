"""``{% jinja "app/_partial.jinja" name=value ... %}``: a Jinja2 partial inside a Django template.

For the few hot partials that render a row or an option at a time (the inventory list's rows), which Django's
template language renders too slowly for the pages' throughput goals. The partial is a template like any other, a
``.jinja`` file beside the Django templates (``templates/<app>/``), rendered by the ``jinja2`` backend with
autoescaping; it gets only the values passed to the tag (and ``request``).
"""

from __future__ import annotations

from django import template
from django.template import engines
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


@register.simple_tag(takes_context=True)
def jinja(context, template_name: str, **values) -> SafeString:
    partial = engines["jinja2"].get_template(template_name)
    return mark_safe(partial.render(values, request=context.get("request")))  # noqa: S308 - Jinja2 autoescapes
