"""The filter forms' selects: their options read as plain values, the same as Django's model choice fields give."""

import re

import pytest


def _same(html: str) -> str:
    return re.sub(r"\s+", " ", html).replace("> <", "><").strip()


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
