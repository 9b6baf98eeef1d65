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


@pytest.mark.django_db
@pytest.mark.parametrize("data", [{}, {"department": "police", "theme": "Recreation", "initiative": "vision-zero"}])
def test_plain_choices_render_what_the_model_choices_render(city, data, django_assert_num_queries):
    """The filter form's department, theme and initiative selects, read in one query of values, give the same
    options in the same order (and the same one selected) as Django's model choice fields."""
    from django.http import QueryDict

    from inventory.filters import DatasetFilter, use_plain_choices
    from tests.inventory.factories import InitiativeFactory, ThemeFactory

    for name in ("Transportation", "Recreation", "Public Safety & Justice"):
        ThemeFactory(name=name)
    for name, slug in (("Vision Zero", "vision-zero"), ("CompStat", "compstat"), ("BlightStat", "blightstat")):
        InitiativeFactory(name=name, slug=slug)
    query = QueryDict(mutable=True)
    query.update(data)
    django_form = DatasetFilter(query).form
    plain_form = DatasetFilter(query).form
    assert plain_form.is_valid()  # validating looks each value up in its field's queryset, as before
    with django_assert_num_queries(1):  # Django's fields: one query (and a server-side cursor) per select
        use_plain_choices(plain_form)
        plain = {name: str(plain_form[name]) for name in ("department", "theme", "initiative")}
    for name, html in plain.items():
        assert _same(html) == _same(str(django_form[name])), name
    assert 'value="vision-zero" selected' in plain["initiative"] or not data
    assert plain["theme"].index("Public Safety &amp; Justice") < plain["theme"].index("Recreation")
