"""Widgets the inventory's list pages render on every request."""

from __future__ import annotations

from html import escape

from django import forms
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe


def _escaped(value) -> str:
    """``conditional_escape`` for an option's value or label, quicker for the plain strings most of them are."""
    return escape(value) if type(value) is str else conditional_escape(value)


def _attributes(attrs: dict) -> str:
    """HTML attributes in the order given, as Django's ``attrs.html`` writes them (``True``: the bare name)."""
    return "".join(
        f" {name}" if value is True else f' {name}="{conditional_escape(str(value))}"'
        for name, value in attrs.items()
        if value is not False
    )


class QuickSelect(forms.Select):
    """A ``<select>`` with the same markup as Django's, built in Python instead of through one template per option.

    The list pages' filter forms render every department, theme, frequency and initiative as options on each
    request; through the form templates that costs a few milliseconds a page, here a fraction of one. Attributes
    (``id``, ``required``, the USWDS classes, ``aria-describedby``) are merged as Django merges them; as in Django's
    ``Select``, only the first option with the current value is selected.
    """

    def render(self, name, value, attrs=None, renderer=None) -> SafeString:
        wanted = set(self.format_value(value))
        parts = [format_html('<select name="{}"', name), _attributes(self.build_attrs(self.attrs, attrs)), ">"]
        state = {"selected": False}

        def option(option_value, label) -> str:
            option_value = "" if option_value is None else str(option_value)
            chosen = not state["selected"] and option_value in wanted
            state["selected"] = state["selected"] or chosen
            return (
                f'\n  <option value="{_escaped(option_value)}"{" selected" if chosen else ""}>'
                f"{_escaped(label)}</option>"
            )

        for option_value, label in self.choices:
            if isinstance(label, list | tuple):
                parts.append(format_html('\n  <optgroup label="{}">', option_value))
                parts += [option(sub_value, sub_label) for sub_value, sub_label in label]
                parts.append("\n  </optgroup>")
            else:
                parts.append(option(option_value, label))
        parts.append("\n</select>")
        return mark_safe("".join(parts))  # noqa: S308 - every value and label above is escaped


class QuickTextInput(forms.TextInput):
    """A text ``<input>`` with the same markup as Django's ``TextInput``, built in Python instead of through three
    templates (the widget's, ``input.html`` and ``attrs.html``): the list pages' search and keyword boxes."""

    def render(self, name, value, attrs=None, renderer=None) -> SafeString:
        value = self.format_value(value)
        shown = "" if value is None else f' value="{_escaped(value)}"'
        return mark_safe(  # noqa: S308 - every value is escaped
            f'<input type="{_escaped(self.input_type)}" name="{_escaped(name)}"{shown}'
            f"{_attributes(self.build_attrs(self.attrs, attrs))}>"
        )
