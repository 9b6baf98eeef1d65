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


@pytest.mark.parametrize("value", ["", "crashes", 'a "quoted" <b>bold</b> & more'])
def test_quick_text_input_renders_what_django_renders(value):
    def field(widget):
        return forms.CharField(required=False, max_length=200, widget=widget)

    from inventory.widgets import QuickTextInput

    class Plain(forms.Form):
        choice = field(forms.TextInput)

    class Quick(forms.Form):
        choice = field(QuickTextInput)

    attrs = {"class": "usa-input", "aria-describedby": "x_hint x_error", "aria-invalid": "true"}
    django, quick = (
        str(form["choice"].as_widget(attrs=attrs)) for form in (Plain({"choice": value}), Quick({"choice": value}))
    )
    assert _same(quick) == _same(django)
    assert ('value="' in quick) == bool(value)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "data",
    [
        {},
        {"search": 'pot "holes" & <b>', "department": "police", "status": "documented", "keyword": "311"},
        {"department": "atlantis", "status": "nonsense", "sort": "sideways"},  # three fields with errors
    ],
)
def test_quick_form_fields_render_what_the_form_field_component_renders(city, users, data):
    """The list pages' filter and bulk forms, field by field, as components/form_field.html renders them: label,
    required mark, hint, error message and the widget with its classes and ARIA."""
    from django.http import QueryDict
    from django.template.loader import render_to_string

    from inventory.filters import DatasetFilter
    from inventory.templatetags.inventory_list import quick_form_field
    from inventory.views.listing import BulkUpdateForm

    query = QueryDict(mutable=True)
    query.update(data)
    filters = DatasetFilter(query).form
    filters.fields["search"].help_text = "Words to look for (a hint with <angle brackets>)."
    bulk = BulkUpdateForm({"status": data.get("status", "")} if data else None, dataset_ids=[1])
    bulk.is_valid()
    checkbox = forms.Form({})
    checkbox.fields["agree"] = forms.BooleanField(label="I agree", help_text="Tick to agree.")
    checkbox.is_valid()
    for form in (filters, bulk, checkbox):
        for field in form.visible_fields():
            component = render_to_string("components/form_field.html", {"field": field})
            assert _same(str(quick_form_field(field))) == _same(component), field.name
    assert "usa-error-message" in str(quick_form_field(filters["department"])) or "atlantis" not in data.values()
