"""The analysis form: what it is about (a program or a budget request), its title, assumptions and discount rate,
and a formset of its years (year 0 first; add a year with a plain submit button, remove one with its checkbox)."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError

from sessions.models import ActionItem, Deliverable
from team.access import Actor
from team.models import Role

from .models import Program
from .services.analyses import MAX_YEARS


def editable_programs(actor: Actor):
    """The programs whose analyses ``actor`` may add (the Stat lead: all; a budget analyst: their portfolio's)."""
    programs = Program.objects.select_related("department").order_by("department__name", "code")
    if actor.has_role(Role.STAT_LEAD):
        return programs
    return programs.filter(department__portfolio_id__in=sorted(actor.portfolio_ids))


def editable_requests(actor: Actor):
    """The budget-request action items whose analyses ``actor`` may add."""
    items = ActionItem.objects.filter(deliverable=Deliverable.BUDGET_REQUEST).select_related(
        "department", "session__series"
    )
    if not actor.has_role(Role.STAT_LEAD):
        items = items.filter(department__portfolio_id__in=sorted(actor.portfolio_ids))
    return items.order_by("-session__starts_at", "number")


class RequestChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: ActionItem) -> str:
        return f"{obj.department.name}: {obj.title} ({obj.session.series.name}, {obj.session.starts_at:%d %b %Y})"


class ProgramChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Program) -> str:
        return f"{obj.department.name}: {obj.code} {obj.name}"


class AnalysisForm(forms.Form):
    program = ProgramChoiceField(
        label="Program", queryset=Program.objects.none(), required=False, empty_label="- None -"
    )
    action_item = RequestChoiceField(
        label="Budget request (an action item)",
        queryset=ActionItem.objects.none(),
        required=False,
        empty_label="- None -",
        help_text="Choose a program, a budget request, or both when the request is about the program.",
    )
    title = forms.CharField(label="Title", max_length=200)
    assumptions = forms.CharField(
        label="Assumptions",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="What the figures rest on: prices, volumes, sources, what is left out.",
    )
    discount_rate_percent = forms.DecimalField(
        label="Real annual discount rate (%)",
        min_value=Decimal("-50"),
        max_value=Decimal("100"),
        decimal_places=4,
        max_digits=8,
        help_text="Net of inflation: 3 for 3% a year. Year 0 is not discounted.",
    )

    def __init__(self, *args, actor: Actor, editing: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.editing = editing
        if editing:
            del self.fields["program"]
            del self.fields["action_item"]
        else:
            self.fields["program"].queryset = editable_programs(actor)
            self.fields["action_item"].queryset = editable_requests(actor)

    def clean(self) -> dict:
        data = super().clean()
        if not self.editing and not data.get("program") and not data.get("action_item") and not self.errors:
            raise ValidationError("Choose the program or the budget request the analysis is about.")
        return data

    @property
    def discount_rate(self) -> Decimal:
        return self.cleaned_data["discount_rate_percent"] / 100


class YearForm(forms.Form):
    cost = forms.DecimalField(label="Cost", min_value=0, max_digits=16, decimal_places=2, required=False)
    benefit = forms.DecimalField(label="Benefit", min_value=0, max_digits=16, decimal_places=2, required=False)


class BaseYearFormSet(forms.BaseFormSet):
    def flows(self) -> list[tuple[Decimal, Decimal]]:
        """The years kept, in order (blank amounts are zero; rows ticked "remove" are left out, and so are
        untouched rows added at the end)."""
        rows = []
        for form in self.forms:
            if self.can_delete and self._should_delete_form(form):
                continue
            if form.empty_permitted and not form.has_changed():
                continue
            data = form.cleaned_data
            rows.append((data.get("cost") or Decimal("0.00"), data.get("benefit") or Decimal("0.00")))
        return rows

    def clean(self) -> None:
        super().clean()
        if not any(form.errors for form in self.forms) and not self.flows():
            raise ValidationError("Give at least year 0's cost and benefit.")


YearFormSet = forms.formset_factory(
    YearForm,
    formset=BaseYearFormSet,
    extra=0,
    can_delete=True,
    max_num=MAX_YEARS,
    validate_max=True,
    absolute_max=MAX_YEARS + 5,
)
