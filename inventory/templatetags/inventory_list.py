"""The inventory list's table rows and the list pages' form fields, rendered in Python.

A page shows 25 rows of nine cells; through the template language each cell's variables, filters and the quality
badge cost most of the page's rendering time. ``{% inventory_rows datasets selectable %}`` writes the same markup
(every value escaped) at a fraction of the cost. The rows' datasets come from
``inventory.selectors.datasets_for_inventory`` with ``theme_names`` set by ``with_tag_names``.

``{% quick_form_field field %}`` and ``{% quick_form_fields form %}`` write a select or text field as the shared
``components/form_field.html`` does (label, hint, error message, the widget with its USWDS classes and ARIA), for
the filter forms every list page shows; any other kind of field goes through that template.
"""

from __future__ import annotations

from collections.abc import Iterable
from html import escape

from django import forms, template
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.dates import MONTHS_3
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

from core.templatetags.uswds import uswds_widget, widget_kind
from quality.templatetags.quality_tags import quality_badge

from ..models import AccessLevel, Dataset, Status

register = template.Library()

_STATUS_LABELS = dict(Status.choices)
_ACCESS_LABELS = dict(AccessLevel.choices)
#: A dataset id no database will reach, reversed once per page to give every row's link (the URL takes an int).
_PK_MARK = "987654321987654321"


def _dataset_url_parts() -> tuple[str, str]:
    """What comes before and after the id in a dataset's page URL: one ``reverse()`` for the page, not one a row."""
    head, _, tail = reverse("inventory:dataset", kwargs={"pk": int(_PK_MARK)}).partition(_PK_MARK)
    return head, tail


def _row(dataset: Dataset, *, selectable: bool, url: tuple[str, str], months: dict[int, str]) -> str:
    pk = dataset.pk
    title = escape(dataset.title)
    cells = ["    <tr>\n"]
    if selectable:
        cells.append(
            '      <td>\n        <div class="usa-checkbox bg-transparent">\n'
            f'          <input class="usa-checkbox__input" type="checkbox" name="dataset" value="{pk}"'
            f' id="select-{pk}">\n'
            f'          <label class="usa-checkbox__label margin-top-0" for="select-{pk}"><span class="usa-sr-only">'
            f"Select {title}</span>&nbsp;</label>\n        </div>\n      </td>\n"
        )
    themes = getattr(dataset, "theme_names", ())
    themes_line = f'<br><span class="font-body-3xs text-base-dark">{escape(", ".join(themes))}</span>' if themes else ""
    link = f'<a class="usa-link" href="{url[0]}{pk}{url[1]}">{title}</a>'
    cells.append(f'      <th scope="row">{link}\n        {themes_line}</th>\n')
    contact = dataset.contact.full_name if dataset.contact_id and dataset.contact else ""
    published = ' <span class="usa-tag">published</span>' if dataset.published else ""
    updated = timezone.localtime(dataset.updated_at) if timezone.is_aware(dataset.updated_at) else dataset.updated_at
    # As the template's |date:"c" and |date:"j M Y" write it (the month's abbreviation translated).
    day = f"{updated.day} {months[updated.month]} {updated.year}"
    when = f'<time datetime="{updated.isoformat()}">{escape(day)}</time>'
    cells.append(
        f"      <td>{escape(dataset.department.name)}</td>\n"
        f"      <td>{escape(contact) if contact else '—'}</td>\n"
        f"      <td>{escape(_STATUS_LABELS.get(dataset.status, dataset.status))}</td>\n"
        f"      <td>{escape(_ACCESS_LABELS.get(dataset.access_level, dataset.access_level))}{published}</td>\n"
        f"      <td>{when}</td>\n"
        f"      <td>{quality_badge(dataset)}</td>\n"
        f'      <td class="text-right">{int(dataset.priority_score)}</td>\n'
        "    </tr>\n"
    )
    return "".join(cells)


@register.simple_tag
def inventory_rows(datasets: Iterable[Dataset], selectable=False) -> SafeString:
    """The ``<tr>`` of each dataset: a checkbox to select it (when ``selectable``), its title linking to its page
    with its themes, department, steward, status, access, last update, quality badge and priority score."""
    url = _dataset_url_parts()
    months = {number: str(name).title() for number, name in MONTHS_3.items()}  # in the request's language
    rows = [_row(dataset, selectable=bool(selectable), url=url, months=months) for dataset in datasets]
    return mark_safe("".join(rows))  # noqa: S308 - every value above is escaped or an int


#: What ``components/form_field.html`` shows after a required field's label.
_REQUIRED_MARK = ' <abbr title="required" class="usa-hint usa-hint--required">*</abbr>'


@register.simple_tag
def quick_form_field(field: forms.BoundField) -> SafeString:
    """One field as ``components/form_field.html`` renders it (a select or a text box; other kinds through it)."""
    if widget_kind(field) in ("checkbox", "choices"):
        return mark_safe(render_to_string("components/form_field.html", {"field": field}))  # noqa: S308 - a template
    auto_id = conditional_escape(field.auto_id)
    errors = field.errors
    label_for = conditional_escape(field.id_for_label)
    parts = [
        f'\n<div class="usa-form-group{" usa-form-group--error" if errors else ""}" id="{auto_id}_group">\n',
        f'    <label class="usa-label{" usa-label--error" if errors else ""}" for="{label_for}">'
        f"{conditional_escape(field.label)}{_REQUIRED_MARK if field.field.required else ''}</label>\n",
    ]
    if field.help_text:
        parts.append(f'    <div class="usa-hint" id="{auto_id}_hint">{conditional_escape(field.help_text)}</div>\n')
    if errors:
        messages = " ".join(conditional_escape(error) for error in errors)
        parts.append(f'    <span class="usa-error-message" id="{auto_id}_error">{messages}</span>\n')
    parts.append(f"    {uswds_widget(field)}\n</div>\n")
    return mark_safe("".join(parts))  # noqa: S308 - every value is escaped; the widget renders itself safely


@register.simple_tag
def quick_form_fields(form: forms.BaseForm) -> SafeString:
    """Every visible field of ``form``, each as :func:`quick_form_field` renders it."""
    return mark_safe("".join(quick_form_field(field) for field in form.visible_fields()))  # noqa: S308 - see above
