"""The dataset page's data dictionary rows, rendered in Python.

A dictionary has a row per field (20 and more), and through the template language each row's cells and its
constraints partial cost most of the page's rendering. ``{% dictionary_rows fields %}`` writes the markup
``inventory/_dataset_constraints.html`` and the row template wrote (every value escaped, numbers as the template
language shows them) at a fraction of the cost.
"""

from __future__ import annotations

from collections.abc import Iterable

from django import template
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

from ..models import DataField

register = template.Library()

_DASH = "—"


def _text(value) -> str:
    """A value as ``{{ value }}`` shows it: localized (numbers) and escaped."""
    return conditional_escape(localize(value))


def _constraints(field: DataField) -> str:
    items = []
    if field.required:
        items.append("<li>Required</li>")
    if field.unique:
        items.append("<li>Unique</li>")
    if field.allowed_values:
        values = ", ".join(f"<code>{_text(value)}</code>" for value in field.allowed_values)
        items.append(f"<li>One of: {values}</li>")
    if field.minimum:
        items.append(f"<li>Minimum {_text(field.minimum)}</li>")
    if field.maximum:
        items.append(f"<li>Maximum {_text(field.maximum)}</li>")
    if field.pattern:
        items.append(f"<li>Matches <code>{_text(field.pattern)}</code></li>")
    if not items:
        items.append("<li>None</li>")
    return f'<ul class="usa-list usa-list--unstyled">{"".join(items)}</ul>'


@register.simple_tag
def dictionary_rows(fields: Iterable[DataField]) -> SafeString:
    """The dictionary table's body rows: name, title, type (with its format), constraints, description."""
    rows = []
    for field in fields:
        kind = _text(field.get_type_display())
        if field.format:
            kind += f" ({_text(field.format)})"
        rows.append(
            "\n      <tr>\n"
            f'        <th scope="row"><code>{_text(field.name)}</code></th>\n'
            f"        <td>{_text(field.title or _DASH)}</td>\n"
            f"        <td>{kind}</td>\n"
            f"        <td>{_constraints(field)}\n</td>\n"
            f"        <td>{_text(field.description or _DASH)}</td>\n"
            "      </tr>"
        )
    return mark_safe("".join(rows))  # noqa: S308 - every value above is escaped
