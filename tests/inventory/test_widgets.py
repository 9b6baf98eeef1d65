"""The quick select renders what Django's own Select renders, option for option."""

import re

import pytest
from django import forms

from inventory.widgets import QuickSelect
from team.models import Department


def _same(html: str) -> str:
    return re.sub(r"\s+", " ", html).replace("> <", "><").strip()


def render_both(field_factory, value, attrs=None):
    class Plain(forms.Form):
        choice = field_factory(forms.Select)

    class Quick(forms.Form):
        choice = field_factory(QuickSelect)

    data = {"choice": value}
    return [str(form["choice"].as_widget(attrs=attrs)) for form in (Plain(data), Quick(data))]


@pytest.mark.parametrize("value", ["", "b", "c & d", "none of them"])
def test_choices_with_groups_escaping_and_the_selected_option(value):
    choices = [("", "Any"), ("a", "A"), ("b", "B <bold>"), ("Group", [("c & d", "C & D"), ("e", "E")])]

    def field(widget):
        return forms.ChoiceField(choices=choices, required=False, widget=widget)

    django, quick = render_both(field, value, attrs={"class": "usa-select", "aria-describedby": "x_hint"})
    assert _same(quick) == _same(django)


@pytest.mark.django_db
def test_model_choices_and_required(city):
    def field(widget):
        return forms.ModelChoiceField(
            queryset=Department.objects.order_by("name"), to_field_name="slug", empty_label="Any", widget=widget
        )

    django, quick = render_both(field, "police")
    assert 'value="police" selected' in quick and " required" in quick
    assert _same(quick) == _same(django)
