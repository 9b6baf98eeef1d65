"""Render Django form fields the way the U.S. Web Design System expects: classes, error states and the ARIA
attributes that tie each input to its hint and error message."""

from __future__ import annotations

import datetime

from django import forms, template

register = template.Library()

_WIDGET_CLASS = {
    "checkbox": "usa-checkbox__input",
    "select": "usa-select",
    "textarea": "usa-textarea",
    "input": "usa-input",
}
_ERROR_CLASS = {"select": "usa-input--error", "textarea": "usa-input--error", "input": "usa-input--error"}


@register.filter
def widget_kind(field: forms.BoundField) -> str:
    """``checkbox``, ``select``, ``textarea``, ``choices`` (radios or checkboxes) or ``input``."""
    widget = field.field.widget
    if isinstance(widget, forms.CheckboxInput):
        return "checkbox"
    if isinstance(widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
        return "choices"
    if isinstance(widget, forms.Select):
        return "select"
    if isinstance(widget, forms.Textarea):
        return "textarea"
    return "input"


def describedby_ids(field: forms.BoundField) -> list[str]:
    ids = []
    if field.help_text:
        ids.append(f"{field.auto_id}_hint")
    if field.errors:
        ids.append(f"{field.auto_id}_error")
    return ids


@register.filter
def uswds_widget(field: forms.BoundField) -> str:
    """The field's widget with USWDS classes, ``aria-describedby`` pointing at its hint and error message,
    and ``aria-invalid`` when it has errors."""
    kind = widget_kind(field)
    classes = [field.field.widget.attrs.get("class", ""), _WIDGET_CLASS.get(kind, "")]
    if field.errors and kind in _ERROR_CLASS:
        classes.append(_ERROR_CLASS[kind])
    attrs = {"class": " ".join(c for c in classes if c)}
    described = describedby_ids(field)
    if described:
        attrs["aria-describedby"] = " ".join(described)
    if field.errors:
        attrs["aria-invalid"] = "true"
    return field.as_widget(attrs=attrs)


@register.filter
def anchor_id(field: forms.BoundField) -> str:
    """The id an error summary links to: the field's input, or the first option of a list of radios or checkboxes
    (whose ``id_for_label`` is empty: no single input stands for the list)."""
    return field.id_for_label or f"{field.auto_id}_0"


@register.filter
def error_count(form: forms.BaseForm) -> int:
    return sum(len(errors) for errors in form.errors.values())


@register.filter
def in_words(duration: datetime.timedelta | None) -> str:
    """A cool-off period in words: ``15 minutes``, ``1 hour``, ``1 hour 30 minutes``."""
    if not duration:
        return ""
    minutes = round(duration.total_seconds() / 60)
    hours, minutes = divmod(minutes, 60)
    parts = []
    if hours:
        parts.append(f"{hours} hour{'s' if hours != 1 else ''}")
    if minutes or not hours:
        parts.append(f"{minutes} minute{'s' if minutes != 1 else ''}")
    return " ".join(parts)
