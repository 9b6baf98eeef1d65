"""Form helpers every app shares: the widgets of the forms every list page renders."""

from __future__ import annotations

from django import forms
from django.forms.renderers import BaseRenderer
from django.template import engines


class Jinja2Widgets(BaseRenderer):
    """Renders widgets with the project's Jinja2 engine (``settings.TEMPLATES``, ``"jinja2"``): Django's own Jinja2
    widget templates (the same markup as its Django-template ones) and the project's ``*.jinja`` widgets."""

    def get_template(self, template_name: str):
        return engines["jinja2"].get_template(template_name)


#: The renderer of :class:`ListPageForm`: one instance, as a form's renderer needs no state.
JINJA2_WIDGETS = Jinja2Widgets()


class ListPageForm(forms.Form):
    """A form every list page renders (filters, bulk actions), its widgets rendered with Jinja2."""

    default_renderer = JINJA2_WIDGETS


class ListSelect(forms.Select):
    """A ``<select>`` whose options ``components/select.jinja`` writes in one loop: Django's markup, without the
    dict and the template include Django's own select makes per option. For the list pages' selects, which list every
    department, theme, initiative or steward on each request. As in Django's, only the first option with the current
    value is selected."""

    template_name = "components/select.jinja"

    def get_context(self, name, value, attrs):
        context = forms.Widget.get_context(self, name, value, attrs)  # not ChoiceWidget's: no option dicts
        wanted = set(context["widget"]["value"])
        chosen = False

        def option(option_value, label) -> tuple[str, object, bool]:
            nonlocal chosen
            option_value = "" if option_value is None else str(option_value)
            selected = not chosen and option_value in wanted
            chosen = chosen or selected
            return option_value, label, selected

        groups = []
        for option_value, label in self.choices:
            if isinstance(label, list | tuple):
                groups.append((option_value, [option(sub_value, sub_label) for sub_value, sub_label in label]))
            else:
                groups.append((None, [option(option_value, label)]))
        context["widget"]["option_groups"] = groups
        return context
